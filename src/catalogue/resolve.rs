//! A listener's declared policy, resolved against the catalogue: the one place a declaration
//! (an ELBv2 `SslPolicy`, a Classic predefined, default or custom policy) becomes a [`Policy`].
//! `inventory`, `audit` and `client check --arn` all go through [`Catalogue::resolve`].

use std::borrow::Cow;

use super::classic::{REFERENCE_ATTRIBUTE, from_classic_attributes};
use super::{Catalogue, Policy};
use crate::model::LoadBalancerType;
use crate::model::inventory::{CLASSIC_DEFAULT_POLICY, DeclaredPolicy};

/// What a listener declares, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per listener, short-lived; boxing would allocate for every borrowed policy"
)]
pub enum Declaration<'c> {
    /// The listener declares no policy (HTTP, TCP, UDP, GENEVE).
    NotTls,
    /// A policy the catalogue (or the Classic attributes) define.
    Known {
        /// The declared name.
        name: String,
        /// Classic detail: `predefined`, `default (no policy attached)`, `reference X`,
        /// `custom`, `custom (based on X)`.
        detail: Option<String>,
        /// The policy: borrowed from the catalogue, or built from a Classic custom policy's
        /// attributes.
        policy: Cow<'c, Policy>,
    },
    /// A declaration that cannot be resolved.
    Unknown {
        /// The declared name, if any.
        name: Option<String>,
        /// Classic detail, as for a known policy.
        detail: Option<String>,
        /// Why it cannot be resolved, and what would fix it.
        reason: String,
    },
}

impl Declaration<'_> {
    /// The resolved policy, if there is one.
    pub fn policy(&self) -> Option<&Policy> {
        match self {
            Self::Known { policy, .. } => Some(policy),
            _ => None,
        }
    }

    /// The declared name and where it comes from (`listener` for ELBv2, the Classic detail
    /// otherwise); `None` when nothing is declared or the name could not be read.
    pub fn name_and_origin(&self) -> Option<(&str, &str)> {
        let (name, detail) = match self {
            Self::Known { name, detail, .. } => (name.as_str(), detail),
            Self::Unknown {
                name: Some(name),
                detail,
                ..
            } => (name.as_str(), detail),
            _ => return None,
        };
        Some((name, detail.as_deref().unwrap_or("listener")))
    }

    /// How reports show the declaration: `NAME`, `NAME (DETAIL)`, `(unreadable)` for a policy
    /// whose name could not be read; `None` when nothing is declared.
    pub fn label(&self) -> Option<String> {
        let with_detail = |name: &str, detail: &Option<String>| match detail {
            Some(detail) => format!("{name} ({detail})"),
            None => name.to_string(),
        };
        match self {
            Self::NotTls => None,
            Self::Known { name, detail, .. } => Some(with_detail(name, detail)),
            Self::Unknown {
                name: Some(name),
                detail,
                ..
            } => Some(with_detail(name, detail)),
            Self::Unknown { name: None, .. } => Some("(unreadable)".to_string()),
        }
    }
}

impl Catalogue {
    /// Resolves what a listener of a load balancer of type `lb_type` declares. A predefined
    /// policy is borrowed from the catalogue; a Classic custom policy is built from its
    /// attributes (a `Reference-Security-Policy` is looked up here).
    pub fn resolve(&self, lb_type: LoadBalancerType, declared: &DeclaredPolicy) -> Declaration<'_> {
        let lookup = |name: &str, detail: Option<String>| match self.get(name, lb_type) {
            Ok(policy) => Declaration::Known {
                name: name.to_string(),
                detail,
                policy: Cow::Borrowed(policy),
            },
            Err(e) => Declaration::Unknown {
                name: Some(name.to_string()),
                detail,
                reason: e.to_string(),
            },
        };
        match declared {
            DeclaredPolicy::None => Declaration::NotTls,
            DeclaredPolicy::Named { name } => {
                let detail =
                    (lb_type == LoadBalancerType::Classic).then(|| "predefined".to_string());
                lookup(name, detail)
            }
            DeclaredPolicy::ClassicDefault => lookup(
                CLASSIC_DEFAULT_POLICY,
                Some("default (no policy attached)".to_string()),
            ),
            DeclaredPolicy::ClassicAttributes { name, attributes } => {
                let reference = attributes
                    .iter()
                    .find(|(k, _)| k == REFERENCE_ATTRIBUTE)
                    .map(|(_, v)| v.as_str());
                match from_classic_attributes(name, attributes, self) {
                    Ok(resolved) => {
                        let has_flags = attributes.iter().any(|(k, _)| k != REFERENCE_ATTRIBUTE);
                        let detail = match reference {
                            // The copy AWS attaches for a predefined policy carries its own name.
                            Some(reference) if reference == name => "predefined".to_string(),
                            Some(reference) if !has_flags => format!("reference {reference}"),
                            Some(reference) => format!("custom (based on {reference})"),
                            None => "custom".to_string(),
                        };
                        Declaration::Known {
                            name: name.clone(),
                            detail: Some(detail),
                            policy: Cow::Owned(resolved.policy),
                        }
                    }
                    Err(e) => Declaration::Unknown {
                        name: Some(name.clone()),
                        detail: reference.map(|r| format!("reference {r}")),
                        reason: e.to_string(),
                    },
                }
            }
            DeclaredPolicy::Unreadable { name, reason } => Declaration::Unknown {
                name: name.clone(),
                detail: None,
                reason: reason.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attributes(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn predefined_policies_are_borrowed_and_custom_ones_built() {
        let catalogue = Catalogue::builtin().unwrap();
        let named = catalogue.resolve(
            LoadBalancerType::Application,
            &DeclaredPolicy::Named {
                name: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
            },
        );
        assert!(matches!(
            &named,
            Declaration::Known { policy: Cow::Borrowed(p), detail: None, .. }
                if p.name == "ELBSecurityPolicy-TLS13-1-2-2021-06"
        ));
        assert_eq!(
            named.label().as_deref(),
            Some("ELBSecurityPolicy-TLS13-1-2-2021-06")
        );

        let custom = catalogue.resolve(
            LoadBalancerType::Classic,
            &DeclaredPolicy::ClassicAttributes {
                name: "my-custom".into(),
                attributes: attributes(&[
                    ("Protocol-TLSv1.2", "true"),
                    ("Server-Defined-Cipher-Order", "true"),
                    ("ECDHE-RSA-AES128-GCM-SHA256", "true"),
                    ("AES128-SHA", "false"),
                ]),
            },
        );
        let policy = custom.policy().expect("a custom policy resolves");
        assert_eq!(policy.name, "my-custom");
        assert_eq!(policy.ciphers.len(), 1);
        assert_eq!(custom.label().as_deref(), Some("my-custom (custom)"));

        let reference = catalogue.resolve(
            LoadBalancerType::Classic,
            &DeclaredPolicy::ClassicAttributes {
                name: "ref".into(),
                attributes: attributes(&[(
                    "Reference-Security-Policy",
                    "ELBSecurityPolicy-TLS-1-2-2017-01",
                )]),
            },
        );
        assert_eq!(
            reference.label().as_deref(),
            Some("ref (reference ELBSecurityPolicy-TLS-1-2-2017-01)")
        );
        assert_eq!(
            catalogue
                .resolve(LoadBalancerType::Classic, &DeclaredPolicy::ClassicDefault)
                .label()
                .as_deref(),
            Some("ELBSecurityPolicy-2016-08 (default (no policy attached))")
        );
    }

    #[test]
    fn unresolvable_declarations_say_why() {
        let catalogue = Catalogue::builtin().unwrap();
        let unknown = catalogue.resolve(
            LoadBalancerType::Network,
            &DeclaredPolicy::Named {
                name: "ELBSecurityPolicy-Future".into(),
            },
        );
        let Declaration::Unknown { name, reason, .. } = &unknown else {
            panic!("{unknown:?}")
        };
        assert_eq!(name.as_deref(), Some("ELBSecurityPolicy-Future"));
        assert!(reason.contains("ELBSecurityPolicy-Future"), "{reason}");
        let unreadable = catalogue.resolve(
            LoadBalancerType::Classic,
            &DeclaredPolicy::Unreadable {
                name: None,
                reason: "AccessDenied".into(),
            },
        );
        assert_eq!(unreadable.label().as_deref(), Some("(unreadable)"));
        assert_eq!(
            catalogue.resolve(LoadBalancerType::Application, &DeclaredPolicy::None),
            Declaration::NotTls
        );
    }
}
