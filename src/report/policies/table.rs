//! `--format table` for the catalogue commands, fitted to the layout's width (see
//! `report::layout`).

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::super::{protocols_label, yes_no};
use crate::catalogue::{Engine, GroupsDiff, Origin, Policy, PolicyCipher, PolicyDiff, Source};
use crate::report::layout::{
    Column, Grid, Layout, heading_line, table_lines, write_lines, write_wrapped,
};
use crate::report::type_abbreviation;
use crate::text::escape;
use crate::tls::{NamedGroup, SuiteProperty};

/// Writes a fitted grid: its heading (if any), the table, the notes of its abbreviations.
fn write_grid(grid: Grid, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let fitted = grid.fit(layout);
    if !fitted.heading.is_empty() {
        writeln!(out, "{}", heading_line(&fitted.heading))?;
    }
    if let Some(table) = &fitted.table {
        write_lines(&table_lines(table), out)?;
    }
    for note in &fitted.abbreviated {
        write_wrapped(out, note, "", "  ", layout.width)?;
    }
    Ok(())
}

/// `policies show`'s `  Label:            value` lines: the value wrapped under itself.
fn fact(out: &mut impl Write, label: &str, value: &str, width: usize) -> io::Result<()> {
    let first = format!("  {:<18}", format!("{label}:"));
    let rest = " ".repeat(first.len());
    write_wrapped(out, value, &first, &rest, width)
}

/// `policies list`: one table per set of load balancer types (ELBv2's, Classic's) under a
/// heading naming them, one row per policy.
pub fn list(policies: &[&Policy], layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let types = |policy: &Policy| {
        let names: Vec<&str> = policy
            .load_balancer_types
            .iter()
            .map(|t| type_abbreviation(*t))
            .collect();
        names.join(", ")
    };
    let mut groups: Vec<(String, Vec<&Policy>)> = Vec::new();
    for policy in policies {
        let key = types(policy);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(policy),
            None => groups.push((key, vec![policy])),
        }
    }
    for (i, (key, members)) in groups.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let mut grid = Grid::new(vec![
            Column::new("Types").unless_uniform(),
            Column::new("Policy").flexible(),
            Column::new("Protocols"),
            Column::new("Ciphers").right(),
            Column::new("FS"),
            Column::new("FIPS"),
            Column::new("PQ"),
            Column::new("Confidence"),
        ]);
        for policy in members {
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
            grid.push(vec![
                key.clone(),
                escape(&name).into_owned(),
                protocols_label(&policy.protocols),
                count,
                yes_no(Some(policy.forward_secrecy())).to_string(),
                yes_no(Some(policy.fips)).to_string(),
                yes_no(policy.post_quantum()).to_string(),
                policy.confidence.as_str().to_string(),
            ]);
        }
        write_grid(grid, layout, out)?;
    }
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

fn cipher_row(priority: usize, cipher: &PolicyCipher) -> Vec<String> {
    let Some(info) = cipher.info() else {
        return vec![
            priority.to_string(),
            escape(&cipher.name).into_owned(),
            String::new(),
            format!("0x{:04X}", cipher.suite.0),
            String::new(),
            String::new(),
            "(not in the registry)".to_string(),
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
        priority.to_string(),
        escape(&cipher.name).into_owned(),
        info.iana_name.to_string(),
        format!("0x{:04X}", cipher.suite.0),
        versions,
        info.required_certificate().label().to_string(),
        properties.join(" "),
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
    layout: &Layout,
    out: &mut impl Write,
) -> io::Result<()> {
    let width = layout.width;
    writeln!(out, "{}", escape(&policy.name))?;
    if !policy.aliases.is_empty() {
        fact(
            out,
            "Also known as",
            &escape(&policy.aliases.join(", ")),
            width,
        )?;
    }
    let types = format!("{} ({})", policy.types_label(), policy.kind);
    fact(out, "Load balancers", &types, width)?;
    let engine = format!(
        "{} ({})",
        policy.engine(),
        match policy.engine() {
            Engine::S2nTls => "ALB and NLB listeners terminate TLS with s2n-tls",
            Engine::OpenSsl => "Classic listeners run an OpenSSL-based stack",
        }
    );
    fact(out, "TLS engine", &engine, width)?;
    if !policy.published {
        fact(
            out,
            "Published",
            "no: no AWS documentation or API answer lists this name; it is left out of `policies \
             list`, `--policy auto` and suggestions unless --include-unpublished",
            width,
        )?;
    }
    let protocols: Vec<String> = policy.protocols.iter().map(ToString::to_string).collect();
    fact(out, "Protocols", &protocols.join(", "), width)?;
    fact(
        out,
        "Cipher order",
        if policy.server_order {
            "server's (the priority below is enforced)"
        } else {
            "client's (the server does not enforce the order below)"
        },
        width,
    )?;
    let groups = match &policy.groups {
        Some(groups) => {
            let source = if policy.groups_source.is_empty() {
                String::new()
            } else {
                format!(" [source {}]", policy.groups_source.join(", "))
            };
            format!("{}{source}", groups_label(groups))
        }
        None => "unknown".to_string(),
    };
    fact(out, "Groups", &groups, width)?;
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
    let weak = if weak.is_empty() {
        "none".to_string()
    } else {
        weak.join(", ")
    };
    fact(out, "Weak classes", &weak, width)?;
    let confidence = format!(
        "{}{}",
        policy.confidence,
        if policy.complete {
            ""
        } else {
            " (contents incomplete: only the ciphers below are known)"
        }
    );
    fact(out, "Confidence", &confidence, width)?;
    if policy.served_order_differs() {
        let source = if policy.served_source.is_empty() {
            String::new()
        } else {
            format!(" [source {}]", policy.served_source.join(", "))
        };
        let served = format!(
            "{} serves {} (the published priority below says otherwise){source}",
            policy.engine(),
            served_order_label(&policy.ciphers, policy.served_priority())
        );
        fact(out, "Served order", &served, width)?;
    }
    fact(out, "From", &origin_label(&policy.origin), width)?;
    for id in &policy.sources {
        let line = match sources.get(id) {
            Some(source) => format!(
                "Source {}: {}{}",
                escape(id),
                escape(&source.title),
                source
                    .url
                    .as_deref()
                    .map(|u| format!(" <{}>", escape(u)))
                    .unwrap_or_default()
            ),
            None => format!("Source: {}", escape(id)),
        };
        write_wrapped(out, &line, "  ", "      ", width)?;
    }
    if let Some(notes) = &policy.notes {
        fact(out, "Notes", &escape(notes), width)?;
    }
    writeln!(out)?;
    // The IANA name says again what the name says: the first column to go when narrow.
    let mut grid = Grid::new(vec![
        Column::new("#").right(),
        Column::new("Name"),
        Column::new("IANA name").if_room(),
        Column::new("Code"),
        Column::new("Versions"),
        Column::new("Cert"),
        Column::new("Properties").flexible(),
    ]);
    for (i, cipher) in policy.ciphers.iter().enumerate() {
        grid.push(cipher_row(i + 1, cipher));
    }
    write_grid(grid, layout, out)
}

/// `policies diff`: a summary line, then one row per protocol, cipher and group added or removed.
pub fn diff(diff: &PolicyDiff<'_>, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let width = layout.width;
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
    let protocols = change(
        protocols_label(&from.protocols),
        protocols_label(&to.protocols),
    );
    fact(out, "Protocols", &protocols, width)?;
    let ciphers = format!(
        "{} → {} ({} kept, {} added, {} removed; order of kept ciphers {})",
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
    );
    fact(out, "Ciphers", &ciphers, width)?;
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
        fact(
            out,
            "Warning",
            "a policy's contents are incomplete; the difference may be larger",
            width,
        )?;
    }
    writeln!(out)?;

    let mut grid = Grid::new(vec![
        Column::new("Change"),
        Column::new("Kind"),
        Column::new("Name"),
        Column::new("IANA name").if_room(),
        Column::new("Code"),
    ]);
    let mut row = |cells: [&str; 5]| grid.push(cells.map(str::to_string).to_vec());
    for v in &diff.protocols_added {
        row([
            "+ added",
            "protocol",
            &v.to_string(),
            "",
            &format!("0x{:04X}", v.0),
        ]);
    }
    for v in &diff.protocols_removed {
        row([
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
            row([
                sign,
                "cipher",
                &escape(&c.name),
                iana,
                &format!("0x{:04X}", c.suite.0),
            ]);
        }
    }
    match &diff.groups {
        GroupsDiff::Known { added, removed } => {
            for (sign, groups) in [("+ added", added), ("- removed", removed)] {
                for g in groups {
                    row([sign, "group", &g.to_string(), "", &format!("0x{:04X}", g.0)]);
                }
            }
        }
        GroupsDiff::Unknown => {
            row([
                "? unknown",
                "group",
                "groups of one policy are not known",
                "",
                "",
            ]);
        }
    }
    write_grid(grid, layout, out)?;
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
