//! `policies check-api`: the catalogue against what a region's API says the predefined policies
//! are. Pure: given the API's answer, it returns the differences.

use std::collections::BTreeSet;

use super::Catalogue;
use super::classic::from_classic_attributes;
use super::policy::{Policy, PolicyKind};
use crate::model::LoadBalancerType;
use crate::model::inventory::{ApiClassicPolicy, ApiPolicies, ApiSslPolicy};
use crate::tls::{CipherSuite, ProtocolVersion};

/// How one policy of the API differs from the catalogue's entry of the same name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyDifference {
    /// The policy name.
    pub name: String,
    /// Protocols the API lists and the catalogue does not.
    pub protocols_only_in_api: Vec<String>,
    /// Protocols the catalogue lists and the API does not.
    pub protocols_only_in_catalogue: Vec<String>,
    /// Ciphers (as the API names them) the catalogue lacks.
    pub ciphers_only_in_api: Vec<String>,
    /// Ciphers (as the catalogue names them) the API lacks.
    pub ciphers_only_in_catalogue: Vec<String>,
    /// Whether the ciphers both list are ranked differently.
    pub order_differs: bool,
    /// The API's order of the ciphers both list, when it differs.
    pub api_order: Vec<String>,
    /// Whether the server-order flag differs (Classic).
    pub server_order_differs: bool,
    /// API names that are not in the registry, or attributes that could not be read.
    pub unreadable: Vec<String>,
}

impl PolicyDifference {
    fn is_empty(&self) -> bool {
        self.protocols_only_in_api.is_empty()
            && self.protocols_only_in_catalogue.is_empty()
            && self.ciphers_only_in_api.is_empty()
            && self.ciphers_only_in_catalogue.is_empty()
            && !self.order_differs
            && !self.server_order_differs
            && self.unreadable.is_empty()
    }
}

/// The comparison for one API (ELBv2 or Classic).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KindCheck {
    /// Policies identical in both.
    pub matching: Vec<String>,
    /// Policies the API lists that the catalogue lacks: the catalogue is stale.
    pub missing_from_catalogue: Vec<String>,
    /// Policies the catalogue has that the API did not list.
    pub extra_in_catalogue: Vec<String>,
    /// Policies in both, with different contents.
    pub differing: Vec<PolicyDifference>,
}

/// The whole comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiCheck {
    /// The region asked.
    pub region: String,
    /// ELBv2 (`DescribeSSLPolicies`).
    pub elbv2: KindCheck,
    /// Classic predefined policies, or why the API did not list them.
    pub classic: Result<KindCheck, String>,
}

impl ApiCheck {
    /// Compares `api` with `catalogue`.
    pub fn run(api: &ApiPolicies, catalogue: &Catalogue) -> Self {
        Self {
            region: api.region.clone(),
            elbv2: check_elbv2(&api.elbv2, catalogue),
            classic: api
                .classic
                .as_ref()
                .map(|policies| check_classic(policies, catalogue))
                .map_err(Clone::clone),
        }
    }

    /// Whether the catalogue and the API agree on everything the API listed.
    pub fn agrees(&self) -> bool {
        let kind_agrees =
            |k: &KindCheck| k.missing_from_catalogue.is_empty() && k.differing.is_empty();
        kind_agrees(&self.elbv2) && self.classic.as_ref().map_or(true, kind_agrees)
    }
}

fn protocol_sets(api: &[String], policy: &Policy) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut unreadable = Vec::new();
    let mut api_versions = BTreeSet::new();
    for name in api {
        match name.parse::<ProtocolVersion>() {
            Ok(v) => {
                api_versions.insert(v);
            }
            Err(_) => unreadable.push(format!("protocol `{name}`")),
        }
    }
    let ours: BTreeSet<ProtocolVersion> = policy.protocols.iter().copied().collect();
    let only_api = api_versions
        .difference(&ours)
        .map(|v| v.to_string())
        .collect();
    let only_ours = ours
        .difference(&api_versions)
        .map(|v| v.to_string())
        .collect();
    (only_api, only_ours, unreadable)
}

fn compare(
    name: &str,
    protocols: &[String],
    ciphers: &[String],
    policy: &Policy,
) -> PolicyDifference {
    let (protocols_only_in_api, protocols_only_in_catalogue, mut unreadable) =
        protocol_sets(protocols, policy);
    let mut api_suites: Vec<(CipherSuite, &str)> = Vec::new();
    for cipher in ciphers {
        match CipherSuite::from_name(cipher) {
            Some(suite) => api_suites.push((suite, cipher)),
            None => unreadable.push(format!("cipher `{cipher}`")),
        }
    }
    let ciphers_only_in_api = api_suites
        .iter()
        .filter(|(s, _)| !policy.allows_cipher(*s))
        .map(|(_, n)| n.to_string())
        .collect();
    let ciphers_only_in_catalogue = policy
        .ciphers
        .iter()
        .filter(|c| !api_suites.iter().any(|(s, _)| *s == c.suite))
        .map(|c| c.name.clone())
        .collect();
    let api_common: Vec<(CipherSuite, &str)> = api_suites
        .iter()
        .filter(|(s, _)| policy.allows_cipher(*s))
        .copied()
        .collect();
    let our_common: Vec<CipherSuite> = policy
        .ciphers
        .iter()
        .filter(|c| api_suites.iter().any(|(s, _)| *s == c.suite))
        .map(|c| c.suite)
        .collect();
    let order_differs = api_common
        .iter()
        .map(|(s, _)| *s)
        .ne(our_common.iter().copied());
    PolicyDifference {
        name: name.to_string(),
        protocols_only_in_api,
        protocols_only_in_catalogue,
        ciphers_only_in_api,
        ciphers_only_in_catalogue,
        order_differs,
        api_order: if order_differs {
            api_common.iter().map(|(_, n)| n.to_string()).collect()
        } else {
            Vec::new()
        },
        server_order_differs: false,
        unreadable,
    }
}

fn finish(check: &mut KindCheck, seen: &BTreeSet<String>, catalogue: &Catalogue, kind: PolicyKind) {
    check.extra_in_catalogue = catalogue
        .policies()
        .iter()
        .filter(|p| p.kind == kind && !seen.contains(&p.name))
        .map(|p| p.name.clone())
        .collect();
    check.extra_in_catalogue.sort();
}

fn check_elbv2(api: &[ApiSslPolicy], catalogue: &Catalogue) -> KindCheck {
    let mut check = KindCheck::default();
    let mut seen = BTreeSet::new();
    for policy in api {
        let ours = catalogue
            .find_all(&policy.name)
            .into_iter()
            .find(|p| p.kind == PolicyKind::Elbv2);
        let Some(ours) = ours else {
            check.missing_from_catalogue.push(policy.name.clone());
            continue;
        };
        seen.insert(ours.name.clone());
        let ciphers: Vec<String> = policy.ciphers.iter().map(|(n, _)| n.clone()).collect();
        let difference = compare(&policy.name, &policy.protocols, &ciphers, ours);
        if difference.is_empty() {
            check.matching.push(policy.name.clone());
        } else {
            check.differing.push(difference);
        }
    }
    finish(&mut check, &seen, catalogue, PolicyKind::Elbv2);
    check
}

fn check_classic(api: &[ApiClassicPolicy], catalogue: &Catalogue) -> KindCheck {
    let mut check = KindCheck::default();
    let mut seen = BTreeSet::new();
    for policy in api {
        let Ok(ours) = catalogue.get(&policy.name, LoadBalancerType::Classic) else {
            check.missing_from_catalogue.push(policy.name.clone());
            continue;
        };
        seen.insert(ours.name.clone());
        let difference = match from_classic_attributes(&policy.name, &policy.attributes, catalogue)
        {
            Ok(resolved) => {
                let theirs = resolved.policy;
                let protocols: Vec<String> =
                    theirs.protocols.iter().map(ToString::to_string).collect();
                let ciphers: Vec<String> = theirs.ciphers.iter().map(|c| c.name.clone()).collect();
                let mut difference = compare(&policy.name, &protocols, &ciphers, ours);
                difference.server_order_differs = theirs.server_order != ours.server_order;
                // A partly known catalogue entry is not wrong for lacking what it does not know.
                if !ours.complete {
                    difference.ciphers_only_in_api.clear();
                }
                difference
            }
            Err(e) => PolicyDifference {
                name: policy.name.clone(),
                unreadable: vec![e.to_string()],
                ..PolicyDifference::default()
            },
        };
        if difference.is_empty() {
            check.matching.push(policy.name.clone());
        } else {
            check.differing.push(difference);
        }
    }
    finish(&mut check, &seen, catalogue, PolicyKind::Classic);
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builtin() -> Catalogue {
        Catalogue::builtin().expect("built-in catalogue loads")
    }

    fn api_policy(policy: &Policy) -> ApiSslPolicy {
        ApiSslPolicy {
            name: policy.name.clone(),
            protocols: policy.protocols.iter().map(ToString::to_string).collect(),
            ciphers: policy
                .ciphers
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i as i32 + 1))
                .collect(),
            load_balancer_types: Vec::new(),
        }
    }

    #[test]
    fn reports_missing_extra_and_differing_policies() {
        let catalogue = builtin();
        let same = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut swapped = api_policy(
            catalogue
                .get("ELBSecurityPolicy-2016-08", LoadBalancerType::Application)
                .unwrap(),
        );
        swapped.ciphers.swap(0, 1);
        swapped.protocols.retain(|p| p != "TLSv1");
        let api = ApiPolicies {
            region: "us-east-1".into(),
            elbv2: vec![
                api_policy(same),
                swapped,
                ApiSslPolicy {
                    name: "ELBSecurityPolicy-TLS13-1-2-2099-01".into(),
                    protocols: vec!["TLSv1.3".into()],
                    ciphers: vec![("TLS_AES_128_GCM_SHA256".into(), 1)],
                    load_balancer_types: Vec::new(),
                },
            ],
            classic: Err("not available".into()),
        };
        let check = ApiCheck::run(&api, &catalogue);
        assert_eq!(
            check.elbv2.matching,
            ["ELBSecurityPolicy-TLS13-1-2-2021-06"]
        );
        assert_eq!(
            check.elbv2.missing_from_catalogue,
            ["ELBSecurityPolicy-TLS13-1-2-2099-01"]
        );
        let diff = &check.elbv2.differing[0];
        assert_eq!(diff.name, "ELBSecurityPolicy-2016-08");
        assert!(diff.order_differs);
        assert_eq!(diff.protocols_only_in_catalogue, ["TLSv1"]);
        assert!(
            check
                .elbv2
                .extra_in_catalogue
                .contains(&"ELBSecurityPolicy-FS-2018-06".to_string())
        );
        assert!(!check.agrees());
    }
}
