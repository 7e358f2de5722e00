//! `elbtls probe --format table`.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::{AUTO_MATCHES_SHOWN, AutoMatch, Comparison, EndpointReport};
use crate::compare::Difference;
use crate::model::certificate::{CertificateChain, KeyAlgorithm, Trust};
use crate::model::observed::{Observed, ProbeOutcome, Support};
use crate::text::escape;
use crate::tls::{NamedGroup, SuiteProperty};

/// Writes the report, counting certificate days from now.
pub fn render(reports: &[EndpointReport<'_>], out: &mut impl Write) -> io::Result<()> {
    render_at(reports, crate::clock::now_unix(), out)
}

/// Writes the report, counting certificate days from `now_unix`.
pub fn render_at(
    reports: &[EndpointReport<'_>],
    now_unix: i64,
    out: &mut impl Write,
) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        endpoint(report, now_unix, out)?;
    }
    Ok(())
}

fn endpoint(report: &EndpointReport<'_>, now: i64, out: &mut impl Write) -> io::Result<()> {
    let o = &report.observation;
    let address = o
        .endpoint
        .address
        .map(|a| format!(" → {a}"))
        .unwrap_or_default();
    let sni = match &o.endpoint.sni {
        Some(name) => format!("SNI {}", escape(name)),
        None => "no SNI".to_string(),
    };
    writeln!(
        out,
        "{}{address} ({sni}) · {} connections · {:.2} s",
        escape(&o.endpoint.label()),
        o.connections,
        o.duration.as_secs_f64()
    )?;
    match &o.outcome {
        ProbeOutcome::Unreachable { reason } => {
            writeln!(out, "  UNREACHABLE: {}", escape(reason))
        }
        ProbeOutcome::Failed { reason } => writeln!(out, "  PROBE FAILED: {}", escape(reason)),
        ProbeOutcome::Completed(observed) => {
            completed(observed, now, out)?;
            match &report.comparison {
                Some(Comparison::Policy {
                    policy,
                    differences,
                }) => {
                    if differences.is_empty() {
                        writeln!(out, "  Policy {}: matches", escape(&policy.name))
                    } else {
                        writeln!(
                            out,
                            "  Policy {}: {} difference{}",
                            escape(&policy.name),
                            differences.len(),
                            if differences.len() == 1 { "" } else { "s" }
                        )?;
                        difference_lines(differences, "    ", out)
                    }
                }
                Some(Comparison::Auto { matches }) => {
                    writeln!(out, "  Closest catalogue policies:")?;
                    for m in matches.iter().take(AUTO_MATCHES_SHOWN) {
                        writeln!(
                            out,
                            "    {} ({}): {}",
                            escape(&m.found.policy.name),
                            m.found.policy.kind,
                            auto_verdict(m)
                        )?;
                    }
                    Ok(())
                }
                None => Ok(()),
            }
        }
    }
}

/// What `--policy auto` says of one policy: an exact match only with its groups checked and its
/// contents complete; a policy that cannot have produced the observation says why.
fn auto_verdict(m: &AutoMatch<'_>) -> String {
    let differences = &m.found.differences;
    let counted = if differences.is_empty() {
        None
    } else {
        let codes: Vec<&str> = differences.iter().map(|d| d.code.code()).collect();
        Some(format!(
            "{} difference{} ({})",
            differences.len(),
            if differences.len() == 1 { "" } else { "s" },
            summarise(&codes)
        ))
    };
    if let Some(reason) = m.fit.impossible.first() {
        return match counted {
            Some(counted) => format!("cannot be: {reason}; {counted}"),
            None => format!("cannot be: {reason}"),
        };
    }
    if let Some(counted) = counted {
        return counted;
    }
    if m.is_exact() {
        "exact match".to_string()
    } else if !m.found.policy.complete {
        "no difference with the part known (partial policy)".to_string()
    } else if m.found.policy.groups.is_none() {
        "no difference; groups not checked (unknown to the catalogue)".to_string()
    } else {
        "no difference; groups not checked (none were probed)".to_string()
    }
}

/// `cipher-not-in-policy ×2, protocol-not-in-policy`
fn summarise(codes: &[&str]) -> String {
    let mut counted: Vec<(&str, usize)> = Vec::new();
    for code in codes {
        match counted.iter_mut().find(|(c, _)| c == code) {
            Some((_, n)) => *n += 1,
            None => counted.push((code, 1)),
        }
    }
    let parts: Vec<String> = counted
        .into_iter()
        .map(|(c, n)| {
            if n == 1 {
                c.to_string()
            } else {
                format!("{c} ×{n}")
            }
        })
        .collect();
    parts.join(", ")
}

fn difference_lines(
    differences: &[Difference],
    indent: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    let width = differences
        .iter()
        .map(|d| d.code.code().len())
        .max()
        .unwrap_or(0);
    for d in differences {
        writeln!(
            out,
            "{indent}{:<width$}  {}",
            d.code.code(),
            escape(&d.message)
        )?;
    }
    Ok(())
}

fn completed(observed: &Observed, now: i64, out: &mut impl Write) -> io::Result<()> {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let mut unknown = Vec::new();
    for p in &observed.protocols {
        match &p.support {
            Support::Accepted => accepted.push(p.version.to_string()),
            Support::Rejected => refused.push(p.version.to_string()),
            Support::Unknown(_) => unknown.push(p.version.to_string()),
        }
    }
    let mut line = format!(
        "  Protocols: {} accepted",
        if accepted.is_empty() {
            "none".to_string()
        } else {
            accepted.join(", ")
        }
    );
    if !refused.is_empty() {
        line.push_str(&format!("; {} refused", refused.join(", ")));
    }
    if !unknown.is_empty() {
        line.push_str(&format!("; {} undetermined", unknown.join(", ")));
    }
    writeln!(out, "{line}")?;

    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "Version",
            "#",
            "Code",
            "Name",
            "IANA name",
            "Properties",
        ]);
    let mut rows = 0;
    for p in observed
        .protocols
        .iter()
        .rev()
        .filter(|p| p.support.is_accepted())
    {
        for (i, suite) in p.ciphers.iter().enumerate() {
            let info = suite.info();
            let properties: Vec<&str> = info
                .map(|i| {
                    i.properties()
                        .into_iter()
                        .map(SuiteProperty::code)
                        .collect()
                })
                .unwrap_or_default();
            table.add_row(vec![
                Cell::new(if i == 0 {
                    p.version.to_string()
                } else {
                    String::new()
                }),
                Cell::new(i + 1).set_alignment(CellAlignment::Right),
                Cell::new(format!("0x{:04X}", suite.0)),
                Cell::new(info.and_then(|i| i.openssl_name).unwrap_or("")),
                Cell::new(info.map_or_else(|| suite.to_string(), |i| i.iana_name.to_string())),
                Cell::new(properties.join(" ")),
            ]);
            rows += 1;
        }
    }
    if rows > 0 {
        writeln!(out, "{table}")?;
    }
    let orders: Vec<String> = observed
        .protocols
        .iter()
        .filter(|p| p.support.is_accepted())
        .map(|p| {
            let order = match p.server_order {
                Some(true) => "server's (rows above in its order)",
                Some(false) => "client's",
                None => "not determined",
            };
            format!("{} {order}", p.version)
        })
        .collect();
    if !orders.is_empty() {
        writeln!(out, "  Cipher order: {}", orders.join("; "))?;
    }
    for p in observed
        .protocols
        .iter()
        .filter(|p| p.support.is_accepted())
    {
        let beyond = p.beyond_version();
        if !beyond.is_empty() {
            let names: Vec<String> = beyond.iter().map(ToString::to_string).collect();
            writeln!(
                out,
                "  Version fallback: under {} the server also settles for {} (not valid for {}) when a \
                 client offers nothing else — s2n-tls does this; a client offering a {} suite never gets one",
                p.version,
                names.join(", "),
                p.version,
                p.version
            )?;
        }
    }
    let group_list = |groups: &Option<Vec<NamedGroup>>| match groups {
        Some(groups) if groups.is_empty() => "none".to_string(),
        Some(groups) => {
            let names: Vec<String> = groups.iter().map(ToString::to_string).collect();
            names.join(", ")
        }
        None => "not probed".to_string(),
    };
    writeln!(
        out,
        "  Groups: TLS 1.3: {}; TLS ≤1.2 ECDHE: {}",
        group_list(&observed.groups.tls13),
        group_list(&observed.groups.tls12)
    )?;
    if observed.certificates.is_empty() {
        writeln!(out, "  Certificates: none read")?;
    } else {
        writeln!(out, "  Certificates:")?;
        for chain in &observed.certificates {
            certificate_line(chain, now, out)?;
        }
    }
    if !observed.nodes.is_empty() {
        writeln!(
            out,
            "  Nodes probed: {} (the rows above are what any of them accepts)",
            escape(&observed.nodes.join(", "))
        )?;
    }
    for text in &observed.node_disagreements {
        writeln!(out, "  NODES DISAGREE: {}", escape(text))?;
    }
    for text in &observed.failed_nodes {
        writeln!(out, "  Node not probed: {}", escape(text))?;
    }
    for warning in &observed.warnings {
        writeln!(out, "  Warning: {}", escape(warning))?;
    }
    if !observed.is_complete() {
        writeln!(
            out,
            "  INCOMPLETE: part of the endpoint could not be determined (see the warnings); it is not verified"
        )?;
    }
    Ok(())
}

fn key_label(algorithm: &KeyAlgorithm, bits: u32) -> String {
    match algorithm {
        KeyAlgorithm::Rsa => format!("RSA {bits}"),
        KeyAlgorithm::Ec { curve } => format!("ECDSA {curve}"),
        KeyAlgorithm::Ed25519 => "Ed25519".to_string(),
        KeyAlgorithm::Ed448 => "Ed448".to_string(),
        KeyAlgorithm::Dsa => format!("DSA {bits}"),
        KeyAlgorithm::Other { name } => name.clone(),
    }
}

fn certificate_line(chain: &CertificateChain, now: i64, out: &mut impl Write) -> io::Result<()> {
    let Some(leaf) = chain.leaf() else {
        return writeln!(out, "    (empty chain)");
    };
    let when = leaf.expiry_words(now);
    let validity = if leaf.expired(now) {
        format!("EXPIRED {} ({when})", leaf.not_after)
    } else {
        format!("valid to {} ({when})", leaf.not_after)
    };
    let mut trust = match &chain.trust {
        Trust::Trusted => "trusted".to_string(),
        Trust::Untrusted { reason } => format!("untrusted: {}", escape(reason)),
        Trust::NotChecked => "trust not checked".to_string(),
    };
    match chain.name_matches {
        Some(true) => trust.push_str(", name matches"),
        Some(false) => trust.push_str(", NAME MISMATCH: not valid for the server name sent"),
        None => {}
    }
    writeln!(
        out,
        "    {}: {} [SANs: {}] issued by {}; {validity}; {}; {trust}; {} in chain",
        escape(&key_label(&leaf.key.algorithm, leaf.key.bits)),
        escape(&leaf.subject),
        if leaf.sans.is_empty() {
            "none".to_string()
        } else {
            escape(&leaf.sans.join(", ")).into_owned()
        },
        escape(&leaf.issuer),
        escape(&leaf.signature_algorithm.name),
        chain.certificates.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::preset;
    use crate::compare::baseline::check_certificates;
    use crate::model::certificate::{CertificateInfo, PublicKeyInfo, SignatureAlgorithm};
    use crate::tls::{CipherSuite, ProtocolVersion};

    const NOT_AFTER: i64 = 1_790_000_000;

    fn chain() -> CertificateChain {
        CertificateChain {
            leaf_key: KeyAlgorithm::Rsa,
            certificates: vec![CertificateInfo {
                subject: "CN=expired.elbtls.test".into(),
                issuer: "CN=expired.elbtls.test".into(),
                sans: vec!["expired.elbtls.test".into()],
                serial_hex: "01".into(),
                not_before: "2026-01-01T00:00:00Z".into(),
                not_before_unix: NOT_AFTER - 90 * 86_400,
                not_after: "2026-09-21T12:53:20Z".into(),
                not_after_unix: NOT_AFTER,
                key: PublicKeyInfo {
                    algorithm: KeyAlgorithm::Rsa,
                    bits: 2048,
                },
                signature_algorithm: SignatureAlgorithm {
                    name: "sha256WithRSAEncryption".into(),
                    oid: "1.2.840.113549.1.1.11".into(),
                },
                sha256_fingerprint_hex: "00".into(),
                is_ca: false,
                self_signed: true,
            }],
            trust: Trust::Untrusted {
                reason: "certificate expired".into(),
            },
            name_matches: Some(false),
            negotiated_version: Some(ProtocolVersion::TLSV1_3),
            negotiated_suite: Some(CipherSuite(0x1301)),
        }
    }

    fn line(chain: &CertificateChain, now: i64) -> String {
        let mut out = Vec::new();
        certificate_line(chain, now, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn probe_and_audit_count_the_days_since_expiry_alike() {
        let chain = chain();
        for (now, words) in [
            (NOT_AFTER + 86_400 * 3 / 2, "1 day ago"),
            (NOT_AFTER + 3_600, "today"),
            (NOT_AFTER + 86_400 * 5 + 1, "5 days ago"),
        ] {
            let probe = line(&chain, now);
            let audit = check_certificates(
                &preset("modern").unwrap(),
                std::slice::from_ref(&chain),
                "lb HTTPS:443 (1/r)",
                now,
            );
            assert!(probe.contains(&format!("({words})")), "{probe}");
            assert!(
                audit[0].message.contains(&format!("expired {words} ")),
                "{}",
                audit[0].message
            );
        }
    }

    #[test]
    fn the_certificate_line_says_whether_the_name_matches() {
        let mut chain = chain();
        assert!(line(&chain, 0).contains("NAME MISMATCH"));
        chain.name_matches = Some(true);
        assert!(line(&chain, 0).contains("name matches"));
        chain.name_matches = None;
        assert!(!line(&chain, 0).contains("name"));
    }
}
