//! `elbtls client …` for people: short verdict lines and comfy tables.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment};

use super::{Change, CheckReport, MatrixReport, ServerLabel, certificates_label, version_label};
use crate::catalogue::Policy;
use crate::client::negotiate::Negotiation;
use crate::client::profile::{Profile, signature_scheme_name};
use crate::client::{ClientDescription, DescriptionSource};
use crate::report::layout::{Layout, plain_table, write_table};
use crate::report::protocols_label;
use crate::text::escape;

/// Usable policies shown in the table (JSON lists them all).
const USABLE_SHOWN: usize = 10;

fn policy_label(policy: &Policy) -> String {
    format!(
        "{} ({}, {})",
        escape(&policy.name),
        policy.kind,
        protocols_label(&policy.protocols)
    )
}

/// `TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256, group secp256r1`, or `fails`.
fn outcome_cells(negotiation: &Negotiation) -> [String; 3] {
    match negotiation {
        Negotiation::Success {
            version,
            suite,
            group,
        } => [
            version_label(*version),
            suite.to_string(),
            group.map_or_else(|| "-".to_string(), |g| g.to_string()),
        ],
        Negotiation::Failure(reason) => {
            [format!("fails ({})", reason.code()), "-".into(), "-".into()]
        }
    }
}

fn outcome_short(negotiation: &Negotiation) -> String {
    match negotiation {
        Negotiation::Success { version, suite, .. } => {
            format!("{} {suite}", version_label(*version))
        }
        Negotiation::Failure(reason) => format!("fails ({})", reason.code()),
    }
}

fn client_line(client: &ClientDescription, profile: Option<&Profile>) -> String {
    let origin = match (&client.source, profile) {
        (DescriptionSource::Profile { .. }, Some(p)) => {
            format!(
                "{} — {}; profile, confidence {}",
                p.name, p.client, p.confidence
            )
        }
        (DescriptionSource::Profile { name, .. }, None) => format!("{name}; profile"),
        (DescriptionSource::Captured { peer }, _) => format!("ClientHello captured from {peer}"),
        (DescriptionSource::File { path }, _) => format!("ClientHello read from {path}"),
        (DescriptionSource::OpenSsl { cipher_string }, _) => {
            format!("OpenSSL 3 client with cipher string {cipher_string:?}")
        }
    };
    let origin = escape(&origin);
    let count = |n: usize, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    format!(
        "{origin}\n         offers {}, {}, {}",
        protocols_label(&client.versions),
        count(client.suites.len(), "suite"),
        count(client.groups.len(), "group")
    )
}

/// `client check`.
pub fn check(reports: &[CheckReport<'_>], layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(out, "Client:  {}", client_line(r.client, r.profile))?;
        let certs = certificates_label(&r.certificates);
        match &r.server {
            ServerLabel::Policy(p) => writeln!(
                out,
                "Server:  policy {}; listener certificates: {certs}",
                policy_label(p)
            )?,
            ServerLabel::Listener(endpoint) => writeln!(
                out,
                "Server:  listener {} as probed; certificates seen: {certs}",
                escape(&endpoint.to_string())
            )?,
            ServerLabel::Arn { arn, policy } => writeln!(
                out,
                "Server:  listener {}\n         declares {}; listener certificates: {certs}",
                escape(arn),
                policy_label(policy)
            )?,
        }
        match &r.negotiation {
            Negotiation::Success {
                version,
                suite,
                group,
            } => {
                let group = group.map(|g| format!(", group {g}")).unwrap_or_default();
                writeln!(
                    out,
                    "Result:  OK — {}, {suite} ({}){group}",
                    version_label(*version),
                    suite.iana_name()
                )?;
            }
            Negotiation::Failure(reason) => {
                writeln!(out, "Result:  FAILS — {}", escape(&reason.to_string()))?;
            }
        }
        for note in &r.notes {
            writeln!(out, "Note:    {}", escape(note))?;
        }
        writeln!(out)?;
        if r.usable.is_empty() {
            writeln!(
                out,
                "No catalogue policy for {} load balancers lets this client connect (listener \
                 certificates: {certs}).",
                r.lb_type
            )?;
            continue;
        }
        writeln!(
            out,
            "Policies this client can use, strictest first ({} load balancers; certificates: {certs}):",
            r.lb_type
        )?;
        let mut table = plain_table(
            &["#", "Policy", "Protocols", "Version", "Suite", "Group"],
            layout,
        );
        for (rank, usable) in r.usable.iter().take(USABLE_SHOWN).enumerate() {
            let [version, suite, group] = outcome_cells(&usable.negotiation);
            table.add_row(vec![
                Cell::new(rank + 1).set_alignment(CellAlignment::Right),
                Cell::new(escape(&usable.policy.name)),
                Cell::new(protocols_label(&usable.policy.protocols)),
                Cell::new(version),
                Cell::new(suite),
                Cell::new(group),
            ]);
        }
        write_table(&table, out)?;
        if r.usable.len() > USABLE_SHOWN {
            writeln!(
                out,
                "{} policies (the first {USABLE_SHOWN} shown; --format json lists every one)",
                r.usable.len()
            )?;
        } else {
            writeln!(out, "{} policies", r.usable.len())?;
        }
    }
    Ok(())
}

/// `client matrix`.
pub fn matrix(report: &MatrixReport<'_>, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let certs = certificates_label(&report.certificates);
    let Some(second) = report.second else {
        writeln!(
            out,
            "Policy {}; listener certificates: {certs}",
            policy_label(report.first)
        )?;
        let mut table = plain_table(
            &["Profile", "Client", "Result", "Version", "Suite", "Group"],
            layout,
        );
        for row in &report.rows {
            let [version, suite, group] = outcome_cells(&row.first);
            let result = if row.first.is_success() {
                "ok"
            } else {
                "FAILS"
            };
            table.add_row(vec![
                Cell::new(escape(&row.profile.name)),
                Cell::new(escape(&row.profile.client)),
                Cell::new(result),
                Cell::new(version),
                Cell::new(suite),
                Cell::new(group),
            ]);
        }
        write_table(&table, out)?;
        let failures: Vec<_> = report
            .rows
            .iter()
            .filter(|r| !r.first.is_success())
            .collect();
        if !failures.is_empty() {
            writeln!(out, "Why they fail:")?;
            for row in &failures {
                if let Negotiation::Failure(reason) = &row.first {
                    writeln!(
                        out,
                        "  {}: {}",
                        escape(&row.profile.name),
                        escape(&reason.to_string())
                    )?;
                }
            }
        }
        return writeln!(
            out,
            "{} of {} profiles connect, {} fail.",
            report.rows.len() - failures.len(),
            report.rows.len(),
            failures.len()
        );
    };
    writeln!(out, "From {}", policy_label(report.first))?;
    writeln!(
        out,
        "  to {}; listener certificates: {certs}",
        policy_label(second)
    )?;
    let mut table = plain_table(&["Profile", "Client", "From", "To", "Change"], layout);
    for row in &report.rows {
        let after = row.second.as_ref().unwrap_or(&row.first);
        let change = match Change::of(&row.first, after) {
            Change::KeepsWorking => "keeps working",
            Change::Breaks => "BREAKS",
            Change::StartsWorking => "starts working",
            Change::StillFails => "still fails",
        };
        table.add_row(vec![
            Cell::new(escape(&row.profile.name)),
            Cell::new(escape(&row.profile.client)),
            Cell::new(outcome_short(&row.first)),
            Cell::new(outcome_short(after)),
            Cell::new(change),
        ]);
    }
    write_table(&table, out)?;
    let breaks: Vec<_> = report
        .rows
        .iter()
        .filter_map(|r| match &r.second {
            Some(Negotiation::Failure(reason)) if r.first.is_success() => Some((r, reason)),
            _ => None,
        })
        .collect();
    if !breaks.is_empty() {
        writeln!(out, "What breaks, and why:")?;
        for (row, reason) in &breaks {
            writeln!(
                out,
                "  {}: {}",
                escape(&row.profile.name),
                escape(&reason.to_string())
            )?;
        }
    }
    writeln!(
        out,
        "{} profiles: {} keep working, {} break, {} start working, {} still fail.",
        report.rows.len(),
        report.count(Change::KeepsWorking),
        report.count(Change::Breaks),
        report.count(Change::StartsWorking),
        report.count(Change::StillFails)
    )
}

/// `client profiles` (every profile, one row each).
pub fn profiles(list: &[&Profile], layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let mut table = plain_table(
        &[
            "Profile",
            "Client",
            "Protocols",
            "Suites",
            "Groups",
            "Confidence",
        ],
        layout,
    );
    for p in list {
        let groups: Vec<String> = p.groups.iter().take(3).map(ToString::to_string).collect();
        let more = if p.groups.len() > 3 { ", …" } else { "" };
        table.add_row(vec![
            Cell::new(escape(&p.name)),
            Cell::new(escape(&p.client)),
            Cell::new(protocols_label(&p.versions)),
            Cell::new(p.suites.len()).set_alignment(CellAlignment::Right),
            Cell::new(format!("{}{more}", groups.join(", "))),
            Cell::new(p.confidence.as_str()),
        ]);
    }
    write_table(&table, out)?;
    writeln!(
        out,
        "{} profiles (`elbtls client profiles NAME` shows one in full, with its sources)",
        list.len()
    )
}

/// `client profiles NAME`.
pub fn profile(p: &Profile, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let join = |items: Vec<String>| {
        if items.is_empty() {
            "none".to_string()
        } else {
            items.join(", ")
        }
    };
    writeln!(out, "{} — {}", p.name, p.client)?;
    writeln!(out, "  {}", p.description)?;
    writeln!(out)?;
    writeln!(out, "  Protocols:   {}", protocols_label(&p.versions))?;
    writeln!(
        out,
        "  Groups:      {}",
        join(p.groups.iter().map(ToString::to_string).collect())
    )?;
    writeln!(
        out,
        "  Signatures:  {}",
        join(
            p.signature_algorithms
                .iter()
                .map(|c| signature_scheme_name(*c))
                .collect()
        )
    )?;
    writeln!(out, "  SNI:         {}", if p.sni { "yes" } else { "no" })?;
    writeln!(out, "  ALPN:        {}", join(p.alpn.clone()))?;
    writeln!(out, "  Confidence:  {}", p.confidence)?;
    writeln!(out, "  Source:      {}", p.source)?;
    if let Some(url) = &p.source_url {
        writeln!(out, "               {url}")?;
    }
    if let Some(notes) = &p.notes {
        writeln!(out, "  Notes:       {notes}")?;
    }
    writeln!(out)?;
    let mut table = plain_table(&["#", "Suite", "IANA name", "Code"], layout);
    for (i, suite) in p.suites.iter().enumerate() {
        table.add_row(vec![
            Cell::new(i + 1).set_alignment(CellAlignment::Right),
            Cell::new(suite.to_string()),
            Cell::new(suite.iana_name()),
            Cell::new(format!("0x{:04X}", suite.0)),
        ]);
    }
    write_table(&table, out)
}
