//! Classic Load Balancer policies expressed as attributes (`SSLNegotiationPolicyType`), turned into
//! the same [`Policy`] model as the catalogue.
//!
//! A Classic listener's policy is either a predefined one, a custom one that only names a
//! `Reference-Security-Policy`, or a custom set of `Protocol-*`, `Server-Defined-Cipher-Order` and
//! per-cipher `true`/`false` attributes (AWS also returns the expanded set for a reference policy).

use super::policy::{Confidence, Origin, Policy, PolicyCipher, PolicyKind};
use super::{Catalogue, UnknownPolicy, suggest};
use crate::model::LoadBalancerType;
use crate::tls::{CipherSuite, ProtocolVersion, Sslv2CipherKind};

/// The attribute naming the predefined policy a custom policy is based on.
pub(super) const REFERENCE_ATTRIBUTE: &str = "Reference-Security-Policy";
/// The attribute that makes the load balancer enforce the cipher order.
pub(super) const SERVER_ORDER_ATTRIBUTE: &str = "Server-Defined-Cipher-Order";

/// A Classic policy resolved into the model, with remarks on what was ignored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedClassicPolicy {
    /// The policy.
    pub policy: Policy,
    /// Remarks (for example SSL 2.0-only ciphers that were enabled but can never be negotiated).
    pub remarks: Vec<String>,
}

/// A Classic policy's attributes could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassicPolicyError {
    /// `Reference-Security-Policy` names a policy the catalogue does not have.
    #[error("Classic policy `{policy}`: {REFERENCE_ATTRIBUTE} {source}")]
    UnknownReference {
        /// The custom policy.
        policy: String,
        /// The lookup failure.
        source: UnknownPolicy,
    },
    /// A flag that is neither `true` nor `false`.
    #[error(
        "Classic policy `{policy}`: attribute `{attribute}` has value `{value}`, expected true or false"
    )]
    BadValue {
        /// The custom policy.
        policy: String,
        /// The attribute.
        attribute: String,
        /// Its value.
        value: String,
    },
    /// An attribute that is neither a protocol, the order flag, nor a known cipher.
    #[error(
        "Classic policy `{policy}`: unknown attribute `{attribute}`{hint} (add the cipher to a --catalogue or report it)"
    )]
    UnknownAttribute {
        /// The custom policy.
        policy: String,
        /// The attribute.
        attribute: String,
        /// A suggestion, possibly empty.
        hint: String,
    },
    /// No attributes at all.
    #[error(
        "Classic policy `{policy}` has no attributes: neither {REFERENCE_ATTRIBUTE} nor Protocol-*/cipher flags"
    )]
    Empty {
        /// The custom policy.
        policy: String,
    },
}

fn flag(policy: &str, attribute: &str, value: &str) -> Result<bool, ClassicPolicyError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ClassicPolicyError::BadValue {
            policy: policy.to_string(),
            attribute: attribute.to_string(),
            value: value.to_string(),
        }),
    }
}

/// Builds the policy a Classic listener runs from the attributes `DescribeLoadBalancerPolicies`
/// returned for `name`, in the order returned (which is the cipher priority when
/// `Server-Defined-Cipher-Order` is true).
///
/// With only a `Reference-Security-Policy`, the referenced predefined policy is taken from
/// `catalogue`. With protocol or cipher flags, the flags are authoritative.
pub fn from_classic_attributes(
    name: &str,
    attributes: &[(String, String)],
    catalogue: &Catalogue,
) -> Result<ResolvedClassicPolicy, ClassicPolicyError> {
    let mut reference = None;
    let mut protocols = Vec::new();
    let mut server_order = false;
    let mut ciphers: Vec<PolicyCipher> = Vec::new();
    let mut remarks = Vec::new();
    let mut has_flags = false;

    for (attribute, value) in attributes {
        let attribute = attribute.trim();
        if attribute == REFERENCE_ATTRIBUTE {
            reference = Some(value.trim().to_string());
        } else if attribute == SERVER_ORDER_ATTRIBUTE {
            server_order = flag(name, attribute, value)?;
        } else if let Some(version) = attribute.strip_prefix("Protocol-") {
            let version = version.parse::<ProtocolVersion>().map_err(|_| {
                ClassicPolicyError::UnknownAttribute {
                    policy: name.to_string(),
                    attribute: attribute.to_string(),
                    hint: String::new(),
                }
            })?;
            has_flags = true;
            if flag(name, attribute, value)? && !protocols.contains(&version) {
                protocols.push(version);
            }
        } else if let Some(suite) = CipherSuite::from_name(attribute) {
            has_flags = true;
            if flag(name, attribute, value)? && !ciphers.iter().any(|c| c.suite == suite) {
                ciphers.push(PolicyCipher {
                    suite,
                    name: attribute.to_string(),
                });
            }
        } else if let Some(kind) = Sslv2CipherKind::from_name(attribute) {
            has_flags = true;
            if flag(name, attribute, value)? {
                remarks.push(format!(
                    "SSL 2.0 cipher {} is enabled, but SSL 2.0 cannot be negotiated: ignored",
                    kind.openssl_name
                ));
            }
        } else {
            return Err(ClassicPolicyError::UnknownAttribute {
                policy: name.to_string(),
                attribute: attribute.to_string(),
                hint: suggest::hint(attribute, suggest::cipher_names()),
            });
        }
    }
    protocols.sort();

    if !has_flags {
        let Some(reference) = reference else {
            return Err(ClassicPolicyError::Empty {
                policy: name.to_string(),
            });
        };
        let base = catalogue
            .get(&reference, LoadBalancerType::Classic)
            .map_err(|source| ClassicPolicyError::UnknownReference {
                policy: name.to_string(),
                source,
            })?;
        let mut policy = base.clone();
        policy.name = name.to_string();
        policy.aliases.clear();
        policy.notes = Some(format!(
            "Custom Classic policy; contents are those of {reference} (Reference-Security-Policy)."
        ));
        policy.origin = Origin::ClassicCustom {
            reference: Some(reference),
        };
        return Ok(ResolvedClassicPolicy { policy, remarks });
    }

    let notes = match &reference {
        Some(reference) => format!(
            "Custom Classic policy based on {reference}, as expanded by DescribeLoadBalancerPolicies."
        ),
        None => {
            "Custom Classic policy built from its Protocol-* and cipher attributes.".to_string()
        }
    };
    Ok(ResolvedClassicPolicy {
        policy: Policy {
            name: name.to_string(),
            aliases: Vec::new(),
            kind: PolicyKind::Classic,
            load_balancer_types: vec![LoadBalancerType::Classic],
            protocols,
            server_order,
            fips: false,
            ciphers,
            served_ciphers: None,
            served_source: Vec::new(),
            groups: None,
            groups_source: Vec::new(),
            complete: true,
            confidence: Confidence::Verified,
            published: true,
            sources: vec!["DescribeLoadBalancerPolicies".to_string()],
            notes: Some(notes),
            origin: Origin::ClassicCustom { reference },
        },
        remarks,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn catalogue() -> Catalogue {
        Catalogue::builtin().expect("built-in catalogue loads")
    }

    #[test]
    fn builds_a_custom_policy_from_flags_in_attribute_order() {
        let resolved = from_classic_attributes(
            "my-policy",
            &attrs(&[
                ("Protocol-TLSv1.2", "true"),
                ("Protocol-TLSv1", "false"),
                ("Protocol-TLSv1.1", "true"),
                ("Server-Defined-Cipher-Order", "true"),
                ("ECDHE-RSA-AES128-GCM-SHA256", "true"),
                ("DES-CBC3-SHA", "false"),
                ("EDH-RSA-DES-CBC3-SHA", "true"),
                ("DES-CBC3-MD5", "true"),
            ]),
            &catalogue(),
        )
        .unwrap();
        let policy = resolved.policy;
        assert_eq!(
            policy.protocols,
            [ProtocolVersion::TLSV1_1, ProtocolVersion::TLSV1_2]
        );
        assert!(policy.server_order);
        let names: Vec<&str> = policy.ciphers.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["ECDHE-RSA-AES128-GCM-SHA256", "EDH-RSA-DES-CBC3-SHA"]
        );
        assert_eq!(policy.ciphers[1].suite, CipherSuite(0x0016));
        assert_eq!(policy.kind, PolicyKind::Classic);
        assert_eq!(resolved.remarks.len(), 1, "{:?}", resolved.remarks);
    }

    #[test]
    fn expands_a_reference_only_policy_from_the_catalogue() {
        let catalogue = catalogue();
        let resolved = from_classic_attributes(
            "ref-pol",
            &attrs(&[(REFERENCE_ATTRIBUTE, "ELBSecurityPolicy-TLS-1-2-2017-01")]),
            &catalogue,
        )
        .unwrap();
        let base = catalogue
            .get(
                "ELBSecurityPolicy-TLS-1-2-2017-01",
                LoadBalancerType::Classic,
            )
            .unwrap();
        assert_eq!(resolved.policy.name, "ref-pol");
        assert_eq!(resolved.policy.ciphers, base.ciphers);
        assert_eq!(resolved.policy.protocols, [ProtocolVersion::TLSV1_2]);
        assert_eq!(
            resolved.policy.origin,
            Origin::ClassicCustom {
                reference: Some("ELBSecurityPolicy-TLS-1-2-2017-01".into())
            }
        );
    }

    #[test]
    fn rejects_bad_values_unknown_attributes_and_references() {
        let catalogue = catalogue();
        let bad = from_classic_attributes("p", &attrs(&[("Protocol-TLSv1.2", "yes")]), &catalogue);
        assert!(
            matches!(bad, Err(ClassicPolicyError::BadValue { .. })),
            "{bad:?}"
        );
        let unknown = from_classic_attributes(
            "p",
            &attrs(&[("ECDHE-RSA-AES128-GCM-SHA265", "true")]),
            &catalogue,
        )
        .unwrap_err();
        assert!(
            unknown
                .to_string()
                .contains("did you mean `ECDHE-RSA-AES128-GCM-SHA256`"),
            "{unknown}"
        );
        let reference = from_classic_attributes(
            "p",
            &attrs(&[(REFERENCE_ATTRIBUTE, "ELBSecurityPolicy-2016-8")]),
            &catalogue,
        )
        .unwrap_err();
        assert!(
            reference.to_string().contains("ELBSecurityPolicy-2016-08"),
            "{reference}"
        );
        assert!(matches!(
            from_classic_attributes("p", &[], &catalogue),
            Err(ClassicPolicyError::Empty { .. })
        ));
    }
}
