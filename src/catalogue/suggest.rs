//! "Did you mean …?" for names of policies, ciphers and groups.

use crate::tls::{CipherSuite, NamedGroup};

/// The candidates closest to `wanted`, best first, at most `limit`.
///
/// Case-insensitive; ranks by Jaro-Winkler similarity, and counts a shared prefix or a contained
/// name as close, because policy names differ mostly by a suffix (`-2021-06` vs `-Res-2021-06`).
pub(crate) fn closest<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    let wanted_lower = wanted.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|candidate| {
            let lower = candidate.to_ascii_lowercase();
            let mut score = strsim::jaro_winkler(&wanted_lower, &lower);
            if !wanted_lower.is_empty()
                && (lower.contains(&wanted_lower) || wanted_lower.contains(&lower))
            {
                score = score.max(0.9);
            }
            (score, candidate)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(limit).map(|(_, c)| c).collect()
}

/// `; did you mean `X`?` or nothing.
pub(crate) fn hint<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    match closest(wanted, candidates, 1).first() {
        Some(best) => format!("; did you mean `{best}`?"),
        None => String::new(),
    }
}

/// Every cipher name the registry resolves.
pub(crate) fn cipher_names() -> impl Iterator<Item = &'static str> {
    CipherSuite::registry().iter().flat_map(|info| {
        std::iter::once(info.iana_name)
            .chain(info.openssl_name)
            .chain(info.openssl_aliases.iter().copied())
    })
}

/// Every group name the registry resolves.
pub(crate) fn group_names() -> impl Iterator<Item = &'static str> {
    NamedGroup::registry()
        .iter()
        .flat_map(|info| std::iter::once(info.iana_name).chain(info.aliases.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_nearest_names() {
        let names = [
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            "ELBSecurityPolicy-2016-08",
        ];
        assert_eq!(
            closest("ELBSecurityPolicy-TLS13-1-2-2021-6", names, 1),
            ["ELBSecurityPolicy-TLS13-1-2-2021-06"]
        );
        assert_eq!(
            closest("elbsecuritypolicy-2016-08", names, 1),
            ["ELBSecurityPolicy-2016-08"]
        );
        assert!(closest("something-else-entirely", names, 3).is_empty());
        assert_eq!(
            hint("ECDHE-RSA-AES128-GCM-SHA265", cipher_names()),
            "; did you mean `ECDHE-RSA-AES128-GCM-SHA256`?"
        );
    }
}
