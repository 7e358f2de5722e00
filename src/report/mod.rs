//! Output. Each format is its own file; renderers see only the model and write to a `Write`,
//! propagating write errors (a broken pipe ends the run quietly, see `commands`).

pub mod audit;
pub mod check_api;
pub mod client;
pub mod client_logs;
pub mod csv;
pub mod inventory;
pub mod layout;
pub mod output;
pub mod policies;
pub mod probe;

use crate::model::LoadBalancerType;
use crate::tls::ProtocolVersion;

/// A compact label for a set of versions: `TLS 1.2–1.3`, `SSL 3.0, TLS 1.0–1.2`, `TLS 1.3`, `none`.
pub fn protocols_label(versions: &[ProtocolVersion]) -> String {
    let mut versions = versions.to_vec();
    versions.sort();
    versions.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < versions.len() {
        let start = versions[i];
        let mut end = start;
        // Extend a run of consecutive TLS versions (0x0301..=0x0304).
        while i + 1 < versions.len()
            && versions[i + 1].0 == end.0 + 1
            && end.0 >= ProtocolVersion::TLSV1_0.0
        {
            i += 1;
            end = versions[i];
        }
        let start_name = start
            .display_name()
            .map_or_else(|| start.to_string(), str::to_string);
        if start == end {
            parts.push(start_name);
        } else {
            let end_name = end.display_name().map_or_else(
                || end.to_string(),
                |n| n.trim_start_matches("TLS ").to_string(),
            );
            parts.push(format!("{start_name}–{end_name}"));
        }
        i += 1;
    }
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

/// `ALB`, `NLB`, `GWLB`, `CLB`: the names AWS uses in prose, for narrow columns.
pub fn type_abbreviation(lb_type: LoadBalancerType) -> &'static str {
    match lb_type {
        LoadBalancerType::Application => "ALB",
        LoadBalancerType::Network => "NLB",
        LoadBalancerType::Gateway => "GWLB",
        LoadBalancerType::Classic => "CLB",
    }
}

/// The prefix of every predefined policy's name.
const POLICY_PREFIX: &str = "ELBSecurityPolicy-";

/// What a table too narrow for whole policy names says under it.
pub(crate) const SHORT_POLICY_NOTE: &str =
    "… stands for ELBSecurityPolicy- (names shortened to fit)";

/// `…TLS13-1-2-2021-06` for `ELBSecurityPolicy-TLS13-1-2-2021-06` (see [`SHORT_POLICY_NOTE`]);
/// `None` for another name.
pub(crate) fn short_policy(cell: &str) -> Option<String> {
    cell.strip_prefix(POLICY_PREFIX)
        .map(|rest| format!("…{rest}"))
}

/// A declared-policy label (`NAME (DETAIL)`, see `catalogue::Declaration::label`) split into
/// the name and the detail; a label without a detail is all name.
pub fn split_policy_label(label: &str) -> (&str, Option<&str>) {
    match label.split_once(" (") {
        Some((name, detail)) if detail.ends_with(')') && !name.is_empty() => {
            (name, Some(&detail[..detail.len() - 1]))
        }
        _ => (label, None),
    }
}

/// `yes`, `no`, or `unknown`.
pub fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_version_ranges_compactly() {
        use ProtocolVersion as V;
        assert_eq!(protocols_label(&[V::TLSV1_2, V::TLSV1_3]), "TLS 1.2–1.3");
        assert_eq!(protocols_label(&[V::TLSV1_3]), "TLS 1.3");
        assert_eq!(
            protocols_label(&[V::SSLV3, V::TLSV1_0, V::TLSV1_1, V::TLSV1_2]),
            "SSL 3.0, TLS 1.0–1.2"
        );
        assert_eq!(
            protocols_label(&[V::TLSV1_0, V::TLSV1_2]),
            "TLS 1.0, TLS 1.2"
        );
        assert_eq!(protocols_label(&[]), "none");
    }

    #[test]
    fn splits_a_declared_policy_label_into_name_and_detail() {
        assert_eq!(
            split_policy_label("p (reference ELBSecurityPolicy-2016-08)"),
            ("p", Some("reference ELBSecurityPolicy-2016-08"))
        );
        assert_eq!(
            split_policy_label("ELBSecurityPolicy-2016-08 (default (no policy attached))"),
            (
                "ELBSecurityPolicy-2016-08",
                Some("default (no policy attached)")
            )
        );
        assert_eq!(
            split_policy_label("ELBSecurityPolicy-2016-08"),
            ("ELBSecurityPolicy-2016-08", None)
        );
        assert_eq!(split_policy_label("(unreadable)"), ("(unreadable)", None));
    }
}
