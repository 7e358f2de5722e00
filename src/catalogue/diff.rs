//! What moving a listener from one policy to another adds and removes.

use super::policy::{Policy, PolicyCipher};
use crate::tls::{NamedGroup, ProtocolVersion};

/// The difference between two policies' groups.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupsDiff {
    /// Both policies list their groups.
    Known {
        /// Groups only `to` has.
        added: Vec<NamedGroup>,
        /// Groups only `from` has.
        removed: Vec<NamedGroup>,
    },
    /// At least one side does not say which groups it uses.
    Unknown,
}

/// The difference between two policies, computed by [`PolicyDiff::between`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyDiff<'a> {
    /// The policy a listener moves from.
    pub from: &'a Policy,
    /// The policy it moves to.
    pub to: &'a Policy,
    /// Protocols only `to` enables, oldest first.
    pub protocols_added: Vec<ProtocolVersion>,
    /// Protocols only `from` enables, oldest first.
    pub protocols_removed: Vec<ProtocolVersion>,
    /// Ciphers only `to` enables, in `to`'s priority order.
    pub ciphers_added: Vec<&'a PolicyCipher>,
    /// Ciphers only `from` enables, in `from`'s priority order.
    pub ciphers_removed: Vec<&'a PolicyCipher>,
    /// Ciphers both enable, in `to`'s order.
    pub ciphers_kept: Vec<&'a PolicyCipher>,
    /// Whether the ciphers both enable are ranked differently.
    pub order_changed: bool,
    /// Groups added and removed.
    pub groups: GroupsDiff,
}

impl<'a> PolicyDiff<'a> {
    /// Compares `from` with `to`.
    pub fn between(from: &'a Policy, to: &'a Policy) -> Self {
        let protocols_added = to
            .protocols
            .iter()
            .filter(|v| !from.protocols.contains(v))
            .copied()
            .collect();
        let protocols_removed = from
            .protocols
            .iter()
            .filter(|v| !to.protocols.contains(v))
            .copied()
            .collect();
        let ciphers_added = to
            .ciphers
            .iter()
            .filter(|c| !from.allows_cipher(c.suite))
            .collect();
        let ciphers_removed = from
            .ciphers
            .iter()
            .filter(|c| !to.allows_cipher(c.suite))
            .collect();
        let ciphers_kept: Vec<&PolicyCipher> = to
            .ciphers
            .iter()
            .filter(|c| from.allows_cipher(c.suite))
            .collect();
        let from_order: Vec<_> = from
            .ciphers
            .iter()
            .filter(|c| to.allows_cipher(c.suite))
            .map(|c| c.suite)
            .collect();
        let to_order: Vec<_> = ciphers_kept.iter().map(|c| c.suite).collect();
        let groups = match (&from.groups, &to.groups) {
            (Some(a), Some(b)) => GroupsDiff::Known {
                added: b.iter().filter(|g| !a.contains(g)).copied().collect(),
                removed: a.iter().filter(|g| !b.contains(g)).copied().collect(),
            },
            _ => GroupsDiff::Unknown,
        };
        Self {
            from,
            to,
            protocols_added,
            protocols_removed,
            ciphers_added,
            ciphers_removed,
            order_changed: from_order != to_order,
            ciphers_kept,
            groups,
        }
    }

    /// Whether the two policies allow exactly the same handshakes (same protocols, ciphers, order and
    /// groups, as far as both are known).
    pub fn is_empty(&self) -> bool {
        self.protocols_added.is_empty()
            && self.protocols_removed.is_empty()
            && self.ciphers_added.is_empty()
            && self.ciphers_removed.is_empty()
            && !self.order_changed
            && match &self.groups {
                GroupsDiff::Known { added, removed } => added.is_empty() && removed.is_empty(),
                GroupsDiff::Unknown => true,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Catalogue;
    use crate::model::LoadBalancerType;

    #[test]
    fn moving_from_2016_08_to_tls13_1_2_drops_old_protocols_and_cbc_sha1() {
        let catalogue = Catalogue::builtin().unwrap();
        let from = catalogue
            .get("ELBSecurityPolicy-2016-08", LoadBalancerType::Application)
            .unwrap();
        let to = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let diff = PolicyDiff::between(from, to);
        assert_eq!(diff.protocols_added, [ProtocolVersion::TLSV1_3]);
        assert_eq!(
            diff.protocols_removed,
            [ProtocolVersion::TLSV1_0, ProtocolVersion::TLSV1_1]
        );
        let added: Vec<&str> = diff.ciphers_added.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            added,
            [
                "TLS_AES_128_GCM_SHA256",
                "TLS_AES_256_GCM_SHA384",
                "TLS_CHACHA20_POLY1305_SHA256"
            ]
        );
        let removed: Vec<&str> = diff
            .ciphers_removed
            .iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(
            removed,
            [
                "ECDHE-ECDSA-AES128-SHA",
                "ECDHE-RSA-AES128-SHA",
                "ECDHE-RSA-AES256-SHA",
                "ECDHE-ECDSA-AES256-SHA",
                "AES128-GCM-SHA256",
                "AES128-SHA256",
                "AES128-SHA",
                "AES256-GCM-SHA384",
                "AES256-SHA256",
                "AES256-SHA"
            ]
        );
        assert_eq!(diff.ciphers_kept.len(), 8);
        assert!(!diff.order_changed);
        assert_eq!(
            diff.groups,
            GroupsDiff::Known {
                added: vec![NamedGroup::X25519, NamedGroup::SECP521R1],
                removed: vec![]
            }
        );
        assert!(!diff.is_empty());
    }

    #[test]
    fn a_policy_does_not_differ_from_itself() {
        let catalogue = Catalogue::builtin().unwrap();
        for policy in catalogue.policies() {
            assert!(
                PolicyDiff::between(policy, policy).is_empty(),
                "{}",
                policy.name
            );
        }
    }
}
