//! Named groups (key-exchange groups): classical curves, FFDHE and the post-quantum hybrids.

use std::fmt;

/// A named group code point (`NamedGroup` of RFC 8446 §4.2.7).
///
/// Open: unknown values (GREASE, drafts) survive and print as hex. Named constants
/// (`NamedGroup::X25519MLKEM768`) are generated from `src/tls/data/named_groups.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NamedGroup(pub u16);

/// The family of a group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GroupKind {
    /// Elliptic curves over prime fields, X25519 and X448, brainpool.
    Ec,
    /// Deprecated binary-field curves (`sect*`).
    EcBinary,
    /// Finite-field Diffie-Hellman groups of RFC 7919.
    Ffdhe,
    /// A classical curve combined with ML-KEM (X25519MLKEM768, …).
    PqHybrid,
    /// Pure post-quantum ML-KEM.
    Pq,
    /// GOST curves.
    Gost,
    /// The Chinese SM2 curve.
    Sm2,
    /// The `arbitrary_explicit_*` pseudo-groups.
    Explicit,
    /// A draft code point that was never standardised or has been withdrawn.
    Obsolete,
}

impl GroupKind {
    /// Whether the group resists a quantum attacker (pure ML-KEM or a hybrid).
    pub fn is_post_quantum(self) -> bool {
        matches!(self, Self::PqHybrid | Self::Pq)
    }
}

/// What the registry knows of one group.
#[derive(Debug, PartialEq, Eq)]
pub struct NamedGroupInfo {
    /// The code point.
    pub group: NamedGroup,
    /// The IANA name (`secp256r1`, `x25519`, `X25519MLKEM768`).
    pub iana_name: &'static str,
    /// Other common names (`P-256`, `prime256v1`).
    pub aliases: &'static [&'static str],
    /// The family.
    pub kind: GroupKind,
    /// Whether it may be used in TLS 1.3.
    pub tls13: bool,
}

include!(concat!(env!("OUT_DIR"), "/named_groups.rs"));

impl NamedGroup {
    /// The registry entry, or `None` for a value the registry does not know.
    pub fn info(self) -> Option<&'static NamedGroupInfo> {
        NAMED_GROUP_TABLE.iter().find(|info| info.group == self)
    }

    /// Looks a group up by IANA name or alias (`secp256r1`, `P-256`, `prime256v1`, `X25519MLKEM768`),
    /// case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        let name = name.trim();
        NAMED_GROUP_TABLE
            .iter()
            .find(|info| {
                info.iana_name.eq_ignore_ascii_case(name)
                    || info
                        .aliases
                        .iter()
                        .any(|alias| alias.eq_ignore_ascii_case(name))
            })
            .map(|info| info.group)
    }

    /// Whether the group is post-quantum (hybrid or pure ML-KEM). Unknown groups are not.
    pub fn is_post_quantum(self) -> bool {
        self.info().is_some_and(|info| info.kind.is_post_quantum())
    }

    /// Every group the registry knows, in data-file order.
    pub fn registry() -> &'static [NamedGroupInfo] {
        NAMED_GROUP_TABLE
    }
}

impl fmt::Display for NamedGroup {
    /// The IANA name, or `0x….` for an unknown value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info() {
            Some(info) => f.write_str(info.iana_name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_classical_ffdhe_and_post_quantum_groups() {
        assert_eq!(NamedGroup::from_name("P-256"), Some(NamedGroup::SECP256R1));
        assert_eq!(
            NamedGroup::from_name("prime256v1"),
            Some(NamedGroup(0x0017))
        );
        assert_eq!(NamedGroup::from_name("X25519"), Some(NamedGroup(0x001D)));
        assert_eq!(NamedGroup::from_name("ffdhe2048"), Some(NamedGroup(0x0100)));
        assert_eq!(
            NamedGroup::from_name("X25519MLKEM768"),
            Some(NamedGroup(0x11EC))
        );
        assert_eq!(
            NamedGroup::from_name("SecP256r1MLKEM768"),
            Some(NamedGroup(0x11EB))
        );
        assert_eq!(
            NamedGroup::from_name("SecP384r1MLKEM1024"),
            Some(NamedGroup(0x11ED))
        );
        assert!(NamedGroup::X25519MLKEM768.is_post_quantum());
        assert!(!NamedGroup::X25519.is_post_quantum());
        assert_eq!(NamedGroup(0x1A1A).to_string(), "0x1a1a");
    }

    #[test]
    fn group_codes_and_names_are_unique() {
        let table = NamedGroup::registry();
        let mut codes: Vec<u16> = table.iter().map(|g| g.group.0).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), table.len());
    }
}
