//! `elbtls probe --format table`.

use std::io::{self, Write};
use std::time::{SystemTime, UNIX_EPOCH};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::{AUTO_MATCHES_SHOWN, AutoMatch, Comparison, EndpointReport};
use crate::compare::Difference;
use crate::model::certificate::{CertificateChain, KeyAlgorithm, Trust};
use crate::model::observed::{Observed, ProbeOutcome, Support};
use crate::tls::{NamedGroup, SuiteProperty};

/// Writes the report.
pub fn render(reports: &[EndpointReport<'_>], out: &mut impl Write) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        endpoint(report, out)?;
    }
    Ok(())
}

fn endpoint(report: &EndpointReport<'_>, out: &mut impl Write) -> io::Result<()> {
    let o = &report.observation;
    let address = o
        .endpoint
        .address
        .map(|a| format!(" → {a}"))
        .unwrap_or_default();
    let sni = match &o.endpoint.sni {
        Some(name) => format!("SNI {name}"),
        None => "no SNI".to_string(),
    };
    writeln!(
        out,
        "{}{address} ({sni}) · {} connections · {:.2} s",
        o.endpoint.label(),
        o.connections,
        o.duration.as_secs_f64()
    )?;
    match &o.outcome {
        ProbeOutcome::Unreachable { reason } => writeln!(out, "  UNREACHABLE: {reason}"),
        ProbeOutcome::Failed { reason } => writeln!(out, "  PROBE FAILED: {reason}"),
        ProbeOutcome::Completed(observed) => {
            completed(observed, out)?;
            match &report.comparison {
                Some(Comparison::Policy {
                    policy,
                    differences,
                }) => {
                    if differences.is_empty() {
                        writeln!(out, "  Policy {}: matches", policy.name)
                    } else {
                        writeln!(
                            out,
                            "  Policy {}: {} difference{}",
                            policy.name,
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
                            m.found.policy.name,
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
        writeln!(out, "{indent}{:<width$}  {}", d.code.code(), d.message)?;
    }
    Ok(())
}

fn completed(observed: &Observed, out: &mut impl Write) -> io::Result<()> {
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
            certificate_line(chain, out)?;
        }
    }
    if !observed.nodes.is_empty() {
        writeln!(
            out,
            "  Nodes probed: {} (the rows above are what any of them accepts)",
            observed.nodes.join(", ")
        )?;
    }
    for text in &observed.node_disagreements {
        writeln!(out, "  NODES DISAGREE: {text}")?;
    }
    for text in &observed.failed_nodes {
        writeln!(out, "  Node not probed: {text}")?;
    }
    for warning in &observed.warnings {
        writeln!(out, "  Warning: {warning}")?;
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

fn certificate_line(chain: &CertificateChain, out: &mut impl Write) -> io::Result<()> {
    let Some(leaf) = chain.leaf() else {
        return writeln!(out, "    (empty chain)");
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let days = leaf.days_until_expiry(now);
    let validity = if leaf.expired(now) {
        format!("EXPIRED {} ({} days ago)", leaf.not_after, -days)
    } else {
        format!("valid to {} ({days} days)", leaf.not_after)
    };
    let trust = match &chain.trust {
        Trust::Trusted => "trusted".to_string(),
        Trust::Untrusted { reason } => format!("untrusted: {reason}"),
        Trust::NotChecked => "trust not checked".to_string(),
    };
    writeln!(
        out,
        "    {}: {} [SANs: {}] issued by {}; {validity}; {}; {trust}; {} in chain",
        key_label(&leaf.key.algorithm, leaf.key.bits),
        leaf.subject,
        if leaf.sans.is_empty() {
            "none".to_string()
        } else {
            leaf.sans.join(", ")
        },
        leaf.issuer,
        leaf.signature_algorithm.name,
        chain.certificates.len()
    )
}
