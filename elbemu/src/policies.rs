//! The ELB security policy names s2n-tls knows, and suggestions for a name it does not.

use s2n_tls::{config, security};

/// Every `ELBSecurityPolicy-*` name in s2n-tls 0.3.47's policy table
/// (`lib/tls/s2n_security_policies.c`, `security_policy_selection`), in the table's order.
///
/// s2n-tls has no call that lists its policies, so this list is kept by hand; `--list-policies`
/// prints only those the linked library really accepts.
pub const ELB_POLICIES: &[&str] = &[
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-0-2015-05",
    "ELBSecurityPolicy-2016-08",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-TLS-1-2-2017-01",
    "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-2-2019-08",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-FS-1-2-Res-2019-08",
    "ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-PQ-2026-07",
    "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP2-FIPS-PQ-2026-07",
    "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP3-FIPS-PQ-2026-07",
    "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    "ELBSecurityPolicy-Backend-2016-08",
    "ELBSecurityPolicy-SSLv3-2013-12",
    "ELBSecurityPolicy-TLS-1-1-Res-2017-01",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP1-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP2-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP3-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-INTEROP4-FIPS-2023-07",
    "ELBSecurityPolicy-TLS12-1-2-RFC9151-2024-01",
    "ELBSecurityPolicy-TLS12-1-2-Ext0-RFC9151-2024-01",
    "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-PQ-2025-09",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-PQ-2025-09",
];

/// The ELB policies under which an s2n-tls client on the same policy completes no handshake with
/// an RSA 2048 / ECDSA P-256 certificate signed with SHA-256, and does with RSA 3072 / ECDSA P-384
/// signed with SHA-384 (the RFC 9151 and CNSA 2.0 families; measured by
/// `tests::strong_keys_exactly_where_needed` in main.rs).
pub const NEED_STRONG_KEYS: &[&str] = &[
    "ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS13-1-2-Ext0-RFC9151-FIPS-2023-07",
    "ELBSecurityPolicy-TLS12-1-2-RFC9151-2024-01",
    "ELBSecurityPolicy-TLS12-1-2-Ext0-RFC9151-2024-01",
    "ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-PQ-2026-07",
    "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP2-FIPS-PQ-2026-07",
];

/// Whether generated certificates for `name` must be RSA 3072 / ECDSA P-384 ([`NEED_STRONG_KEYS`]).
pub fn needs_strong_keys(name: &str) -> bool {
    NEED_STRONG_KEYS
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// Whether the linked s2n-tls accepts `name` as a security policy (any s2n name, not only ELB
/// ones; s2n compares names case-insensitively).
pub fn is_known(name: &str) -> bool {
    let Ok(policy) = security::Policy::from_version(name) else {
        return false;
    };
    config::Builder::new().set_security_policy(&policy).is_ok()
}

/// The ELB policy names the linked s2n-tls accepts.
pub fn known_elb_policies() -> Vec<&'static str> {
    ELB_POLICIES
        .iter()
        .copied()
        .filter(|name| is_known(name))
        .collect()
}

/// Up to three known ELB names closest to `name`, best first.
pub fn suggestions(name: &str) -> Vec<&'static str> {
    let wanted = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, &'static str)> = ELB_POLICIES
        .iter()
        .map(|candidate| {
            let score = strsim::normalized_levenshtein(&wanted, &candidate.to_ascii_lowercase());
            (score, *candidate)
        })
        .filter(|(score, _)| *score >= 0.7)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, name)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_name_is_accepted_by_s2n() {
        let rejected: Vec<_> = ELB_POLICIES.iter().filter(|n| !is_known(n)).collect();
        assert!(rejected.is_empty(), "s2n-tls rejects {rejected:?}");
    }

    #[test]
    fn unknown_names_are_rejected_and_get_close_suggestions() {
        assert!(!is_known("ELBSecurityPolicy-TLS13-1-2-2021-06"));
        let near = suggestions("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-4");
        assert_eq!(
            near.first(),
            Some(&"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04")
        );
        assert!(suggestions("nonsense").is_empty());
    }
}
