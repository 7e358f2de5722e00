//! `elbtls client logs --format table`.

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment};

use super::percent_label;
use crate::client::logs::tally::FAILING_CLIENTS_TRACKED;
use crate::client::logs::{Counted, LogFormat, LogReport, Reason, TopList, Verdict};
use crate::report::layout::{Layout, plain_table, write_table};
use crate::text::escape;

/// Writes the report fitted to `layout`.
pub fn render(report: &LogReport<'_>, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let summary = &report.summary;
    let c = &summary.counts;
    let policy = report.policy;
    let files = report.files.len();
    writeln!(
        out,
        "{} ({}) against {files} file{} · {} lines",
        escape(&policy.name),
        policy.kind,
        if files == 1 { "" } else { "s" },
        c.lines
    )?;
    let mut parts: Vec<String> = LogFormat::ALL
        .into_iter()
        .filter(|f| c.by_format[f.index()] > 0)
        .map(|f| format!("{} {}", f.label(), c.by_format[f.index()]))
        .collect();
    parts.push(format!("plain HTTP {}", c.plain));
    parts.push(format!("TLS not negotiated {}", c.not_negotiated));
    parts.push(format!("malformed {}", c.malformed));
    if c.blank > 0 {
        parts.push(format!("blank {}", c.blank));
    }
    writeln!(out, "  {}", parts.join(" · "))?;
    writeln!(out)?;

    if c.negotiated == 0 {
        writeln!(
            out,
            "No negotiated TLS connection in the logs: nothing to judge against {}.",
            escape(&policy.name)
        )?;
    } else {
        let verdict = if c.failing == 0 {
            "Nothing would fail".to_string()
        } else {
            format!(
                "Would FAIL: {} of {} TLS connections ({})",
                c.failing,
                c.negotiated,
                percent_label(c.failing, c.negotiated)
            )
        };
        let unknown = if c.unknown > 0 {
            format!(
                "; {} ({}) cannot be judged",
                c.unknown,
                percent_label(c.unknown, c.negotiated)
            )
        } else {
            String::new()
        };
        writeln!(out, "{verdict} under {}{unknown}.", escape(&policy.name))?;
        if c.not_negotiated > 0 {
            writeln!(
                out,
                "{} TLS handshakes already failed (nothing negotiated) and are not in the shares.",
                c.not_negotiated
            )?;
        }
        writeln!(out)?;
        pairs_table(report, layout, out)?;
    }

    if c.failing > 0 {
        top_list(
            "Client IPs of failing connections",
            &summary.failing_client_ips,
            c.failing,
            report.top,
            out,
        )?;
        if let Some(agents) = &summary.failing_user_agents {
            top_list(
                "User agents of failing ALB requests",
                agents,
                agents.top.iter().map(|a| a.count).sum::<u64>() + agents.others,
                report.top,
                out,
            )?;
        }
    }

    if c.malformed > 0 {
        let shown = summary.malformed_samples.len();
        let first = if (shown as u64) < c.malformed {
            format!("; the first {shown}")
        } else {
            String::new()
        };
        writeln!(
            out,
            "\nMalformed lines: {} (not counted above{first}):",
            c.malformed
        )?;
        for sample in &summary.malformed_samples {
            writeln!(
                out,
                "  {}:{}: {}",
                escape(&sample.file),
                sample.line,
                escape(&sample.reason.to_string())
            )?;
        }
    }
    Ok(())
}

fn pairs_table(report: &LogReport<'_>, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    let summary = &report.summary;
    let negotiated = summary.counts.negotiated;
    let mut table = plain_table(
        &["Protocol", "Cipher", "Group", "Count", "Share", "Verdict"],
        layout,
    );
    for pair in &summary.pairs {
        table.add_row(vec![
            Cell::new(escape(&pair.protocol)),
            Cell::new(escape(&pair.cipher)),
            Cell::new(escape(pair.group.as_deref().unwrap_or("-"))),
            Cell::new(pair.count).set_alignment(CellAlignment::Right),
            Cell::new(percent_label(pair.count, negotiated)).set_alignment(CellAlignment::Right),
            Cell::new(verdict_label(pair.verdict, &pair.reasons)),
        ]);
    }
    if summary.unitemised > 0 {
        table.add_row(vec![
            Cell::new("(other)"),
            Cell::new("(too many distinct names to list)"),
            Cell::new("-"),
            Cell::new(summary.unitemised).set_alignment(CellAlignment::Right),
            Cell::new(percent_label(summary.unitemised, negotiated))
                .set_alignment(CellAlignment::Right),
            Cell::new("unknown"),
        ]);
    }
    write_table(&table, out)
}

fn verdict_label(verdict: Verdict, reasons: &[Reason]) -> String {
    let labels: Vec<&str> = reasons.iter().map(|r| r.label()).collect();
    match verdict {
        Verdict::Allowed => "ok".to_string(),
        Verdict::Fails => format!("FAILS: {}", labels.join(", ")),
        Verdict::Unknown => format!("unknown: {}", labels.join(", ")),
    }
}

fn top_list(
    title: &str,
    list: &TopList,
    whole: u64,
    top: usize,
    out: &mut impl Write,
) -> io::Result<()> {
    if top == 0 {
        return Ok(());
    }
    let distinct = match list.distinct {
        Some(n) => n.to_string(),
        None => "many".to_string(),
    };
    if list.top.is_empty() {
        if !list.exact {
            writeln!(
                out,
                "\n{title}: none stands out among more than {FAILING_CLIENTS_TRACKED} distinct values."
            )?;
        }
        return Ok(());
    }
    writeln!(out, "\n{title} (top {} of {distinct}):", list.top.len())?;
    let count = |c: &Counted| {
        if c.error > 0 {
            format!("{}–{}", c.count - c.error, c.count)
        } else {
            c.count.to_string()
        }
    };
    let width = list
        .top
        .iter()
        .map(|c| count(c).chars().count())
        .chain(std::iter::once(list.others.to_string().len()))
        .max()
        .unwrap_or(1);
    for counted in &list.top {
        writeln!(
            out,
            "  {:>width$}  {:>7}  {}",
            count(counted),
            percent_label(counted.count, whole),
            escape(&counted.value)
        )?;
    }
    if list.others > 0 {
        writeln!(
            out,
            "  {:>width$}  {:>7}  (all others)",
            list.others,
            percent_label(list.others, whole)
        )?;
    }
    if !list.exact {
        writeln!(
            out,
            "  (too many distinct values to count each exactly: LOW–HIGH bounds the true count)"
        )?;
    }
    Ok(())
}
