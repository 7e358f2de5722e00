//! `elbtls probe --format table`: per endpoint, a heading line, the accepted cipher suites as a
//! table (protocol version, priority, code point, OpenSSL name, IANA name when there is room,
//! properties), then the groups, certificates and comparison as lines wrapped to the layout's
//! width (see `report::layout`).

use std::io::{self, Write};

use super::{AUTO_MATCHES_SHOWN, AutoMatch, Comparison, EndpointReport};
use crate::compare::Difference;
use crate::model::certificate::{CertificateChain, KeyAlgorithm, Trust};
use crate::model::observed::{Observed, ProbeOutcome, Support};
use crate::report::layout::{Column, Grid, Layout, table_lines, write_lines, write_wrapped};
use crate::text::escape;
use crate::tls::{NamedGroup, SuiteProperty};

/// Writes the report fitted to `layout`, counting certificate days from now.
pub fn render(
    reports: &[EndpointReport<'_>],
    layout: &Layout,
    out: &mut impl Write,
) -> io::Result<()> {
    render_at(reports, crate::clock::now_unix(), layout, out)
}

/// Writes the report fitted to `layout`, counting certificate days from `now_unix`.
pub fn render_at(
    reports: &[EndpointReport<'_>],
    now_unix: i64,
    layout: &Layout,
    out: &mut impl Write,
) -> io::Result<()> {
    for (i, report) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        endpoint(report, now_unix, layout.width, out)?;
    }
    Ok(())
}

/// Indent of the lines under an endpoint's heading, and of their continuation lines.
const ITEM: &str = "  ";
const ITEM_MORE: &str = "      ";

fn endpoint(
    report: &EndpointReport<'_>,
    now: i64,
    width: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    let o = &report.observation;
    let address = match o.endpoint.address {
        // The port is the endpoint's: the address alone says where the probe went.
        Some(a) if a.port() == o.endpoint.port => format!(" → {}", a.ip()),
        Some(a) => format!(" → {a}"),
        None => String::new(),
    };
    let sni = match &o.endpoint.sni {
        // The usual case, said without repeating a long DNS name.
        Some(name) if *name == o.endpoint.host => "SNI sent".to_string(),
        Some(name) => format!("SNI {}", escape(name)),
        None => "no SNI".to_string(),
    };
    let heading = format!(
        "{}{address} ({sni}) · {} connections · {:.2} s",
        escape(&o.endpoint.label()),
        o.connections,
        o.duration.as_secs_f64()
    );
    write_wrapped(out, &heading, "", ITEM, width)?;
    match &o.outcome {
        ProbeOutcome::Unreachable { reason } => write_wrapped(
            out,
            &format!("UNREACHABLE: {}", escape(reason)),
            ITEM,
            ITEM_MORE,
            width,
        ),
        ProbeOutcome::Failed { reason } => write_wrapped(
            out,
            &format!("PROBE FAILED: {}", escape(reason)),
            ITEM,
            ITEM_MORE,
            width,
        ),
        ProbeOutcome::Completed(observed) => {
            completed(observed, now, width, out)?;
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
                        difference_lines(differences, "    ", width, out)
                    }
                }
                Some(Comparison::Auto { matches }) => {
                    writeln!(out, "  Closest catalogue policies:")?;
                    for m in matches.iter().take(AUTO_MATCHES_SHOWN) {
                        let line = format!(
                            "{} ({}): {}",
                            escape(&m.found.policy.name),
                            m.found.policy.kind,
                            auto_verdict(m)
                        );
                        write_wrapped(out, &line, "    ", "        ", width)?;
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

/// One line per difference: the code, then the message hanging after it (or, when that leaves
/// too little room, on the lines below).
fn difference_lines(
    differences: &[Difference],
    indent: &str,
    width: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    const MIN_MESSAGE: usize = 50;
    let code_width = differences
        .iter()
        .map(|d| d.code.code().len())
        .max()
        .unwrap_or(0);
    let hanging = " ".repeat(indent.len() + code_width + 2);
    for d in differences {
        let message = escape(&d.message);
        if width < hanging.len() + MIN_MESSAGE {
            writeln!(out, "{indent}{}", d.code.code())?;
            let below = format!("{indent}    ");
            write_wrapped(out, &message, &below, &below, width)?;
        } else {
            let first = format!("{indent}{:<code_width$}  ", d.code.code());
            write_wrapped(out, &message, &first, &hanging, width)?;
        }
    }
    Ok(())
}

fn completed(observed: &Observed, now: i64, width: usize, out: &mut impl Write) -> io::Result<()> {
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
        "Protocols: {} accepted",
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
    write_wrapped(out, &line, ITEM, ITEM_MORE, width)?;

    // The IANA name says again what the OpenSSL name says: the first column to go when narrow.
    let mut grid = Grid::new(vec![
        Column::new("Version"),
        Column::new("#").right(),
        Column::new("Code"),
        Column::new("Name"),
        Column::new("IANA name").if_room(),
        Column::new("Properties").flexible(),
    ]);
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
            let iana = info.map_or_else(|| suite.to_string(), |i| i.iana_name.to_string());
            grid.push(vec![
                if i == 0 {
                    p.version.to_string()
                } else {
                    String::new()
                },
                (i + 1).to_string(),
                format!("0x{:04X}", suite.0),
                // A suite OpenSSL has no name for goes by its IANA name.
                info.and_then(|i| i.openssl_name)
                    .map_or_else(|| iana.clone(), str::to_string),
                iana,
                properties.join(" "),
            ]);
        }
    }
    if let Some(table) = grid.fit(&Layout::plain(width)).table {
        write_lines(&table_lines(&table), out)?;
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
        let line = format!("Cipher order: {}", orders.join("; "));
        write_wrapped(out, &line, ITEM, ITEM_MORE, width)?;
    }
    for p in observed
        .protocols
        .iter()
        .filter(|p| p.support.is_accepted())
    {
        let beyond = p.beyond_version();
        if !beyond.is_empty() {
            let names: Vec<String> = beyond.iter().map(ToString::to_string).collect();
            let line = format!(
                "Version fallback: under {} the server also settles for {} (not valid for {}) when a \
                 client offers nothing else — s2n-tls does this; a client offering a {} suite never gets one",
                p.version,
                names.join(", "),
                p.version,
                p.version
            );
            write_wrapped(out, &line, ITEM, ITEM_MORE, width)?;
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
    let groups = format!(
        "Groups: TLS 1.3: {}; TLS ≤1.2 ECDHE: {}",
        group_list(&observed.groups.tls13),
        group_list(&observed.groups.tls12)
    );
    write_wrapped(out, &groups, ITEM, ITEM_MORE, width)?;
    if observed.certificates.is_empty() {
        writeln!(out, "  Certificates: none read")?;
    } else {
        writeln!(out, "  Certificates:")?;
        for chain in &observed.certificates {
            write_wrapped(
                out,
                &certificate_line(chain, now),
                "    ",
                "        ",
                width,
            )?;
        }
    }
    let mut lines = Vec::new();
    if !observed.nodes.is_empty() {
        lines.push(format!(
            "Nodes probed: {} (the rows above are what any of them accepts)",
            escape(&observed.nodes.join(", "))
        ));
    }
    for text in &observed.node_disagreements {
        lines.push(format!("NODES DISAGREE: {}", escape(text)));
    }
    for text in &observed.failed_nodes {
        lines.push(format!("Node not probed: {}", escape(text)));
    }
    for warning in &observed.warnings {
        lines.push(format!("Warning: {}", escape(warning)));
    }
    if !observed.is_complete() {
        lines.push(
            "INCOMPLETE: part of the endpoint could not be determined (see the warnings); it is \
             not verified"
                .to_string(),
        );
    }
    for line in &lines {
        write_wrapped(out, line, ITEM, ITEM_MORE, width)?;
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

/// One certificate chain, in one line for [`write_wrapped`].
fn certificate_line(chain: &CertificateChain, now: i64) -> String {
    let Some(leaf) = chain.leaf() else {
        return "(empty chain)".to_string();
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
    format!(
        "{}: {} [SANs: {}] issued by {}; {validity}; {}; {trust}; {} in chain",
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
#[path = "table_tests.rs"]
mod tests;
