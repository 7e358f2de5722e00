//! "Which catalogue policies can this client use, strictest first?" — pure.
//!
//! Strictness, compared key by key (the first difference decides):
//!
//! 1. the oldest protocol version the policy enables (newer is stricter);
//! 2. forward secrecy on every suite;
//! 3. authenticated encryption (AEAD) on every suite;
//! 4. fewer weak classes among its suites (CBC, SHA-1, RSA key transport, 3DES, RC4, …);
//! 5. fewer suites;
//! 6. post-quantum key exchange offered (the modern twin of an otherwise equal policy first);
//! 7. the name, so the order is stable.
//!
//! Only complete policies (`complete = true`) that the load-balancer type can use are ranked: a
//! partly known Classic policy could accept suites the model does not know of.

use std::cmp::{Ordering, Reverse};

use crate::catalogue::{Catalogue, Policy};
use crate::client::ClientDescription;
use crate::client::negotiate::{Negotiation, ServerSide, negotiate};
use crate::model::LoadBalancerType;
use crate::tls::{CipherSuiteInfo, NamedGroup, RequiredCertificate};

/// A policy the client can negotiate, and what it would negotiate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsablePolicy<'c> {
    /// The policy.
    pub policy: &'c Policy,
    /// The successful negotiation (always [`Negotiation::Success`]).
    pub negotiation: Negotiation,
}

/// The sort key of [`strictness_order`]: smaller is stricter.
type StrictnessKey<'p> = (
    Reverse<Option<crate::tls::ProtocolVersion>>,
    bool,
    bool,
    usize,
    usize,
    bool,
    &'p str,
);

fn strictness_key(policy: &Policy) -> StrictnessKey<'_> {
    let all = |test: fn(&CipherSuiteInfo) -> bool| {
        !policy.ciphers.is_empty() && policy.ciphers.iter().all(|c| c.info().is_some_and(test))
    };
    (
        Reverse(policy.min_protocol()),
        !all(CipherSuiteInfo::forward_secrecy),
        !all(CipherSuiteInfo::is_aead),
        policy.weaknesses().len(),
        policy.ciphers.len(),
        policy.post_quantum() != Some(true),
        policy.name.as_str(),
    )
}

/// Orders policies strictest first (see the module documentation).
pub fn strictness_order(a: &Policy, b: &Policy) -> Ordering {
    strictness_key(a).cmp(&strictness_key(b))
}

/// The server a listener with these certificates would be under `policy`.
pub fn listener_under(
    policy: &Policy,
    certificates: &[RequiredCertificate],
    ecdsa_curves: &[NamedGroup],
) -> ServerSide {
    ServerSide::from_policy(policy)
        .with_certificates(certificates)
        .with_ecdsa_curves(ecdsa_curves)
}

/// Every complete catalogue policy a load balancer of type `lb` can use under which `client`
/// negotiates, with a listener holding `certificates` (ECDSA ones on `ecdsa_curves`); strictest
/// first.
pub fn usable_policies<'c>(
    client: &ClientDescription,
    catalogue: &'c Catalogue,
    lb: LoadBalancerType,
    certificates: &[RequiredCertificate],
    ecdsa_curves: &[NamedGroup],
) -> Vec<UsablePolicy<'c>> {
    let mut usable: Vec<UsablePolicy<'c>> = catalogue
        .policies()
        .iter()
        .filter(|p| p.complete && p.applies_to(lb))
        .filter_map(|policy| {
            let server = listener_under(policy, certificates, ecdsa_curves);
            let negotiation = negotiate(client, &server);
            negotiation.is_success().then_some(UsablePolicy {
                policy,
                negotiation,
            })
        })
        .collect();
    usable.sort_by(|a, b| strictness_order(a.policy, b.policy));
    usable
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::profile;

    fn catalogue() -> Catalogue {
        Catalogue::builtin().unwrap()
    }

    fn names(usable: &[UsablePolicy<'_>]) -> Vec<String> {
        usable.iter().map(|u| u.policy.name.clone()).collect()
    }

    #[test]
    fn strictness_puts_tls13_only_first_and_tls10_last() {
        let catalogue = catalogue();
        let get = |n: &str| catalogue.get(n, LoadBalancerType::Application).unwrap();
        let order = [
            "ELBSecurityPolicy-TLS13-1-3-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS-1-2-2017-01",
            "ELBSecurityPolicy-TLS-1-1-2017-01",
            "ELBSecurityPolicy-2016-08",
        ];
        for pair in order.windows(2) {
            assert_eq!(
                strictness_order(get(pair[0]), get(pair[1])),
                Ordering::Less,
                "{} before {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn a_modern_client_can_use_the_strictest_policy() {
        let catalogue = catalogue();
        let profiles = profile::builtin().unwrap();
        let chrome = profile::find(&profiles, "chrome").unwrap().describe();
        let usable = usable_policies(
            &chrome,
            &catalogue,
            LoadBalancerType::Application,
            &[RequiredCertificate::Rsa],
            &[NamedGroup::SECP256R1],
        );
        let first = &usable[0];
        assert_eq!(
            first.policy.min_protocol(),
            Some(crate::tls::ProtocolVersion::TLSV1_3)
        );
        assert!(first.negotiation.is_success());
        // Every usable policy really negotiates, and the list is sorted.
        for pair in usable.windows(2) {
            assert_ne!(
                strictness_order(pair[0].policy, pair[1].policy),
                Ordering::Greater
            );
        }
        assert!(names(&usable).contains(&"ELBSecurityPolicy-2016-08".to_string()));
    }

    #[test]
    fn a_tls10_only_client_is_left_with_tls10_policies() {
        let catalogue = catalogue();
        let profiles = profile::builtin().unwrap();
        let old = profile::find(&profiles, "dotnet-win7").unwrap().describe();
        let usable = usable_policies(
            &old,
            &catalogue,
            LoadBalancerType::Application,
            &[RequiredCertificate::Rsa],
            &[NamedGroup::SECP256R1],
        );
        assert!(!usable.is_empty());
        assert!(
            usable
                .iter()
                .all(|u| u.policy.min_protocol() == Some(crate::tls::ProtocolVersion::TLSV1_0)),
            "{:?}",
            names(&usable)
        );
        // Classic policies are ranked only for Classic load balancers.
        let classic = usable_policies(
            &old,
            &catalogue,
            LoadBalancerType::Classic,
            &[RequiredCertificate::Rsa],
            &[NamedGroup::SECP256R1],
        );
        assert!(
            classic
                .iter()
                .all(|u| u.policy.applies_to(LoadBalancerType::Classic))
        );
        assert!(classic.iter().all(|u| u.policy.complete));
    }
}
