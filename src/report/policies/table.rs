//! `--format table` for the catalogue commands.

use crate::text::escape;
use std::collections::BTreeMap;
use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::super::{protocols_label, yes_no};
use crate::catalogue::{Engine, GroupsDiff, Origin, Policy, PolicyCipher, PolicyDiff, Source};
use crate::tls::{NamedGroup, SuiteProperty};

fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(header.to_vec());
    table
}

/// `policies list`: one row per policy.
pub fn list(policies: &[&Policy], out: &mut impl Write) -> io::Result<()> {
    let mut table = new_table(&[
        "Policy",
        "Types",
        "Protocols",
        "Ciphers",
        "FS",
        "FIPS",
        "PQ",
        "Confidence",
    ]);
    for policy in policies {
        let count = if policy.complete {
            policy.ciphers.len().to_string()
        } else {
            format!("≥{}", policy.ciphers.len())
        };
        let name = if policy.published {
            policy.name.clone()
        } else {
            format!("{} (unpublished)", policy.name)
        };
        table.add_row(vec![
            Cell::new(escape(&name)),
            Cell::new(policy.types_label()),
            Cell::new(protocols_label(&policy.protocols)),
            Cell::new(count).set_alignment(CellAlignment::Right),
            Cell::new(yes_no(Some(policy.forward_secrecy()))),
            Cell::new(yes_no(Some(policy.fips))),
            Cell::new(yes_no(policy.post_quantum())),
            Cell::new(policy.confidence.as_str()),
        ]);
    }
    writeln!(out, "{table}")?;
    writeln!(out, "{} policies", policies.len())
}

fn groups_label(groups: &[NamedGroup]) -> String {
    let names: Vec<String> = groups.iter().map(ToString::to_string).collect();
    names.join(", ")
}

fn origin_label(origin: &Origin) -> String {
    match origin {
        Origin::Builtin { file } => format!("built-in catalogue (policies/{file})"),
        Origin::User { path } => format!("user catalogue ({})", path.display()),
        Origin::ClassicCustom {
            reference: Some(reference),
        } => format!("Classic custom policy (Reference-Security-Policy {reference})"),
        Origin::ClassicCustom { reference: None } => "Classic custom policy".to_string(),
    }
}

fn cipher_row(priority: usize, cipher: &PolicyCipher) -> Vec<Cell> {
    let Some(info) = cipher.info() else {
        return vec![
            Cell::new(priority),
            Cell::new(&cipher.name),
            Cell::new("(not in the registry)"),
            Cell::new(format!("{:#06X}", cipher.suite.0)),
        ];
    };
    let versions = if info.min_version == info.max_version {
        info.min_version.to_string()
    } else {
        format!("{}–{}", info.min_version, info.max_version)
    };
    let properties: Vec<&str> = info
        .properties()
        .into_iter()
        .map(SuiteProperty::code)
        .collect();
    vec![
        Cell::new(priority).set_alignment(CellAlignment::Right),
        Cell::new(&cipher.name),
        Cell::new(info.iana_name),
        Cell::new(format!("0x{:04X}", cipher.suite.0)),
        Cell::new(versions),
        Cell::new(info.required_certificate().label()),
        Cell::new(properties.join(" ")),
    ]
}

/// The pairs the served order puts the other way round from the published one, as
/// `A before B; C before D`; the whole served list when more than three pairs moved.
fn served_order_label(published: &[PolicyCipher], served: &[PolicyCipher]) -> String {
    let rank = |suite| published.iter().position(|c| c.suite == suite);
    let mut pairs = Vec::new();
    for (i, first) in served.iter().enumerate() {
        for second in &served[i + 1..] {
            if rank(first.suite) > rank(second.suite) {
                pairs.push(format!("{} before {}", first.name, second.name));
            }
        }
    }
    if pairs.len() > 3 {
        let names: Vec<&str> = served.iter().map(|c| c.name.as_str()).collect();
        names.join(" > ")
    } else {
        pairs.join("; ")
    }
}

/// `policies show`: the facts of one policy, then its ciphers in priority order.
pub fn show(
    policy: &Policy,
    sources: &BTreeMap<String, Source>,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(out, "{}", escape(&policy.name))?;
    if !policy.aliases.is_empty() {
        writeln!(
            out,
            "  Also known as:    {}",
            escape(&policy.aliases.join(", "))
        )?;
    }
    writeln!(
        out,
        "  Load balancers:   {} ({})",
        policy.types_label(),
        policy.kind
    )?;
    writeln!(
        out,
        "  TLS engine:       {} ({})",
        policy.engine(),
        match policy.engine() {
            Engine::S2nTls => "ALB and NLB listeners terminate TLS with s2n-tls",
            Engine::OpenSsl => "Classic listeners run an OpenSSL-based stack",
        }
    )?;
    if !policy.published {
        writeln!(
            out,
            "  Published:        no: no AWS documentation or API answer lists this name; it is left out \
             of `policies list`, `--policy auto` and suggestions unless --include-unpublished"
        )?;
    }
    let protocols: Vec<String> = policy.protocols.iter().map(ToString::to_string).collect();
    writeln!(out, "  Protocols:        {}", protocols.join(", "))?;
    writeln!(
        out,
        "  Cipher order:     {}",
        if policy.server_order {
            "server's (the priority below is enforced)"
        } else {
            "client's (the server does not enforce the order below)"
        }
    )?;
    match &policy.groups {
        Some(groups) => {
            let source = if policy.groups_source.is_empty() {
                String::new()
            } else {
                format!(" [source {}]", policy.groups_source.join(", "))
            };
            writeln!(out, "  Groups:           {}{source}", groups_label(groups))?;
        }
        None => writeln!(out, "  Groups:           unknown")?,
    }
    writeln!(
        out,
        "  Forward secrecy:  {}    FIPS: {}    Post-quantum: {}",
        yes_no(Some(policy.forward_secrecy())),
        yes_no(Some(policy.fips)),
        yes_no(policy.post_quantum())
    )?;
    let weak: Vec<&str> = policy
        .weaknesses()
        .into_iter()
        .map(SuiteProperty::code)
        .collect();
    writeln!(
        out,
        "  Weak classes:     {}",
        if weak.is_empty() {
            "none".to_string()
        } else {
            weak.join(", ")
        }
    )?;
    writeln!(
        out,
        "  Confidence:       {}{}",
        policy.confidence,
        if policy.complete {
            ""
        } else {
            " (contents incomplete: only the ciphers below are known)"
        }
    )?;
    if policy.served_order_differs() {
        let source = if policy.served_source.is_empty() {
            String::new()
        } else {
            format!(" [source {}]", policy.served_source.join(", "))
        };
        writeln!(
            out,
            "  Served order:     {} serves {} (the published priority below says otherwise){source}",
            policy.engine(),
            served_order_label(&policy.ciphers, policy.served_priority())
        )?;
    }
    writeln!(out, "  From:             {}", origin_label(&policy.origin))?;
    for id in &policy.sources {
        match sources.get(id) {
            Some(source) => writeln!(
                out,
                "  Source {}: {}{}",
                escape(id),
                escape(&source.title),
                source
                    .url
                    .as_deref()
                    .map(|u| format!(" <{}>", escape(u)))
                    .unwrap_or_default()
            )?,
            None => writeln!(out, "  Source: {}", escape(id))?,
        }
    }
    if let Some(notes) = &policy.notes {
        writeln!(out, "  Notes:            {}", escape(notes))?;
    }
    writeln!(out)?;
    let mut table = new_table(&[
        "#",
        "Name",
        "IANA name",
        "Code",
        "Versions",
        "Cert",
        "Properties",
    ]);
    for (i, cipher) in policy.ciphers.iter().enumerate() {
        table.add_row(cipher_row(i + 1, cipher));
    }
    writeln!(out, "{table}")
}

/// `policies diff`: a summary line, then one row per protocol, cipher and group added or removed.
pub fn diff(diff: &PolicyDiff<'_>, out: &mut impl Write) -> io::Result<()> {
    let (from, to) = (diff.from, diff.to);
    writeln!(out, "From {} ({})", escape(&from.name), from.kind)?;
    writeln!(out, "  to {} ({})", escape(&to.name), to.kind)?;
    writeln!(out)?;
    if diff.is_empty() {
        writeln!(
            out,
            "No difference: both allow the same protocols, ciphers, cipher order{}.",
            if matches!(diff.groups, GroupsDiff::Unknown) {
                " (groups unknown)"
            } else {
                " and groups"
            }
        )?;
        return Ok(());
    }
    let change = |before: String, after: String| {
        if before == after {
            before
        } else {
            format!("{before} → {after}")
        }
    };
    writeln!(
        out,
        "  Protocols:        {}",
        change(
            protocols_label(&from.protocols),
            protocols_label(&to.protocols)
        )
    )?;
    writeln!(
        out,
        "  Ciphers:          {} → {} ({} kept, {} added, {} removed; order of kept ciphers {})",
        from.ciphers.len(),
        to.ciphers.len(),
        diff.ciphers_kept.len(),
        diff.ciphers_added.len(),
        diff.ciphers_removed.len(),
        if diff.order_changed {
            "changed"
        } else {
            "unchanged"
        }
    )?;
    writeln!(
        out,
        "  Forward secrecy:  {}",
        change(
            yes_no(Some(from.forward_secrecy())).into(),
            yes_no(Some(to.forward_secrecy())).into()
        )
    )?;
    writeln!(
        out,
        "  FIPS:             {}",
        change(yes_no(Some(from.fips)).into(), yes_no(Some(to.fips)).into())
    )?;
    writeln!(
        out,
        "  Post-quantum:     {}",
        change(
            yes_no(from.post_quantum()).into(),
            yes_no(to.post_quantum()).into()
        )
    )?;
    if !from.complete || !to.complete {
        writeln!(
            out,
            "  Warning:          a policy's contents are incomplete; the difference may be larger"
        )?;
    }
    writeln!(out)?;

    let mut table = new_table(&["Change", "Kind", "Name", "IANA name", "Code"]);
    for v in &diff.protocols_added {
        table.add_row(vec![
            "+ added",
            "protocol",
            &v.to_string(),
            "",
            &format!("0x{:04X}", v.0),
        ]);
    }
    for v in &diff.protocols_removed {
        table.add_row(vec![
            "- removed",
            "protocol",
            &v.to_string(),
            "",
            &format!("0x{:04X}", v.0),
        ]);
    }
    for (sign, ciphers) in [
        ("+ added", &diff.ciphers_added),
        ("- removed", &diff.ciphers_removed),
    ] {
        for c in ciphers.iter() {
            let iana = c.info().map_or("", |i| i.iana_name);
            table.add_row(vec![
                sign,
                "cipher",
                &c.name,
                iana,
                &format!("0x{:04X}", c.suite.0),
            ]);
        }
    }
    match &diff.groups {
        GroupsDiff::Known { added, removed } => {
            for (sign, groups) in [("+ added", added), ("- removed", removed)] {
                for g in groups {
                    table.add_row(vec![
                        sign,
                        "group",
                        &g.to_string(),
                        "",
                        &format!("0x{:04X}", g.0),
                    ]);
                }
            }
        }
        GroupsDiff::Unknown => {
            table.add_row(vec![
                "? unknown",
                "group",
                "groups of one policy are not known",
                "",
                "",
            ]);
        }
    }
    writeln!(out, "{table}")?;
    if diff.order_changed {
        writeln!(out)?;
        writeln!(
            out,
            "Priority of the ciphers both allow, in {}:",
            escape(&to.name)
        )?;
        for (i, c) in diff.ciphers_kept.iter().enumerate() {
            let before = from
                .ciphers
                .iter()
                .filter(|f| to.allows_cipher(f.suite))
                .position(|f| f.suite == c.suite)
                .map_or(0, |p| p + 1);
            writeln!(out, "  {:>2}. {} (was {before})", i + 1, c.name)?;
        }
    }
    Ok(())
}
