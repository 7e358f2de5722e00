//! Could a policy have produced what a probe saw? The hard facts `--policy auto` ranks on before
//! it counts differences.
//!
//! Counting differences alone ranks a partly known policy well: it is never charged for what it
//! does not list. A [`Fit`] instead says what the policy can *never* allow, whatever its unknown
//! part holds: a protocol it does not enable (the protocols of every catalogue policy are stated,
//! partial ones included), a suite no protocol of the policy can carry (a TLS 1.3 suite under a
//! policy without TLS 1.3), and, for complete policies, a suite or group it does not list.

use super::policy::Policy;
use crate::model::observed::Observed;

/// How a policy stands against an observation, on hard facts only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fit {
    /// What was observed that the policy can never allow, one sentence each; empty when the
    /// policy could have produced the observation.
    pub impossible: Vec<String>,
    /// Whether the groups were compared: the policy lists its groups and the probe saw some.
    /// Without that check a policy is never an exact match.
    pub groups_checked: bool,
}

impl Fit {
    /// Whether the policy could have produced the observation.
    pub fn possible(&self) -> bool {
        self.impossible.is_empty()
    }

    /// The sort key `--policy auto` ranks by, smallest first: every policy that could have
    /// produced the observation before every one that could not, whatever their difference
    /// counts; then the weighted differences (`difference_weight`, from the comparison), with
    /// [`Fit::PARTIAL_PENALTY`] added for a partly known policy (it is never charged for what it
    /// does not list); then complete before partial, and the name.
    pub fn rank_key<'p>(
        &self,
        policy: &'p Policy,
        difference_weight: u32,
    ) -> (bool, u32, bool, &'p str) {
        let penalty = if policy.complete {
            0
        } else {
            Self::PARTIAL_PENALTY
        };
        (
            !self.possible(),
            difference_weight + penalty,
            !policy.complete,
            policy.name.as_str(),
        )
    }

    /// What ranking charges a partly known policy for its unknown part: as much as one excess
    /// difference less one, so a complete policy with one missing suite still ranks first. It only
    /// orders policies that could all have produced the observation.
    pub const PARTIAL_PENALTY: u32 = 3;
}

impl Policy {
    /// Whether this policy could have produced `observed` (see [`Fit`]).
    pub fn fit(&self, observed: &Observed) -> Fit {
        let mut impossible = Vec::new();
        let accepted = observed.accepted_versions();
        for version in &accepted {
            if !self.allows_protocol(*version) {
                impossible.push(format!(
                    "accepts {version}, which {} does not enable",
                    self.name
                ));
            }
        }
        for suite in observed.accepted_suites() {
            let carried = suite
                .info()
                .is_some_and(|info| self.protocols.iter().any(|v| info.usable_with(*v)));
            if self.complete && !self.allows_cipher(suite) {
                impossible.push(format!(
                    "accepts {suite}, which {} does not list",
                    self.name
                ));
            } else if !self.allows_cipher(suite) && !carried {
                impossible.push(format!(
                    "accepts {suite}, which no protocol of {} can carry",
                    self.name
                ));
            }
        }
        let seen = observed.groups.all();
        let groups_checked = self.groups.is_some() && !seen.is_empty();
        if let (Some(groups), true) = (&self.groups, self.complete) {
            for group in seen.iter().filter(|g| !groups.contains(g)) {
                impossible.push(format!(
                    "accepts group {group}, which {} does not list",
                    self.name
                ));
            }
        }
        Fit {
            impossible,
            groups_checked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::model::LoadBalancerType;
    use crate::model::observed::{GroupObservation, ProtocolObservation};
    use crate::tls::{NamedGroup, ProtocolVersion};

    fn protocol(version: ProtocolVersion, ciphers: &[&str]) -> ProtocolObservation {
        ProtocolObservation::named(version, ciphers)
    }

    fn tls12_and_13() -> Observed {
        Observed {
            protocols: vec![
                protocol(ProtocolVersion::TLSV1_0, &[]),
                protocol(ProtocolVersion::TLSV1_1, &[]),
                protocol(ProtocolVersion::TLSV1_2, &["ECDHE-RSA-AES128-GCM-SHA256"]),
                protocol(ProtocolVersion::TLSV1_3, &["TLS_AES_128_GCM_SHA256"]),
            ],
            groups: GroupObservation {
                tls13: Some(vec![NamedGroup::X25519, NamedGroup::SECP256R1]),
                tls12: None,
            },
            ..Observed::default()
        }
    }

    #[test]
    fn a_partial_classic_policy_cannot_explain_tls13() {
        let catalogue = Catalogue::builtin().unwrap();
        let partial = catalogue
            .get("ELBSecurityPolicy-2014-10", LoadBalancerType::Classic)
            .unwrap();
        assert!(!partial.complete);
        let fit = partial.fit(&tls12_and_13());
        assert!(!fit.possible());
        assert!(
            fit.impossible
                .iter()
                .any(|s| s.contains("TLSv1.3") && s.contains("does not enable")),
            "{:?}",
            fit.impossible
        );
        assert!(
            fit.impossible
                .iter()
                .any(|s| s.contains("TLS_AES_128_GCM_SHA256") && s.contains("can carry")),
            "{:?}",
            fit.impossible
        );
        // Its groups are unknown: never checked.
        assert!(!fit.groups_checked);
    }

    #[test]
    fn the_running_policy_fits_and_its_groups_are_checked() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let fit = policy.fit(&tls12_and_13());
        assert_eq!(fit.impossible, Vec::<String>::new());
        assert!(fit.groups_checked);
    }

    #[test]
    fn a_complete_policy_cannot_explain_a_suite_or_group_it_does_not_list() {
        let catalogue = Catalogue::builtin().unwrap();
        let fips = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut observed = tls12_and_13();
        observed.protocols[3] = protocol(
            ProtocolVersion::TLSV1_3,
            &["TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"],
        );
        let fit = fips.fit(&observed);
        assert_eq!(fit.impossible.len(), 2, "{:?}", fit.impossible);
        assert!(fit.impossible[0].contains("TLS_CHACHA20_POLY1305_SHA256"));
        assert!(fit.impossible[1].contains("x25519"));
    }

    #[test]
    fn impossible_ranks_after_possible_whatever_the_difference_count() {
        let catalogue = Catalogue::builtin().unwrap();
        let possible = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let impossible = catalogue
            .get("ELBSecurityPolicy-2014-10", LoadBalancerType::Classic)
            .unwrap();
        let observed = tls12_and_13();
        let a = possible.fit(&observed).rank_key(possible, 40);
        let b = impossible.fit(&observed).rank_key(impossible, 0);
        assert!(a < b);
    }
}
