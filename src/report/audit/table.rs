//! `elbtls audit` for people: one row per listener, then the findings grouped by listener, then
//! what could not be read. Colours only when asked for (a terminal without `NO_COLOR`).

use std::io::{self, Write};

use comfy_table::{Cell, CellAlignment, ContentArrangement, Table, presets};

use super::AuditReport;
use crate::finding::{Severity, Verdict};

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
struct Paint(bool);

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn verdict(self, verdict: Verdict) -> String {
        let code = match verdict {
            Verdict::Compliant => "32",
            Verdict::Baseline => "33",
            Verdict::Unverified => "35",
            Verdict::Drift => "1;31",
            Verdict::Unchecked => "33",
        };
        self.wrap(code, verdict.as_str())
    }

    fn severity(self, severity: Severity) -> String {
        let code = match severity {
            Severity::Critical => "1;31",
            Severity::High => "31",
            Severity::Medium => "33",
            Severity::Low => "36",
            Severity::Info => "2",
        };
        self.wrap(code, &format!("{:<8}", severity.as_str()))
    }
}

/// Writes the report; `color` adds ANSI colours to the verdicts and severities outside the table.
pub fn render(report: &AuditReport, color: bool, out: &mut impl Write) -> io::Result<()> {
    // Text from outside is printed escaped (see `AuditReport::escaped`).
    let report = &report.escaped();
    let paint = Paint(color);
    if report.listeners.is_empty() {
        writeln!(out, "No listeners found.")?;
    } else {
        let mut table = Table::new();
        let mut header = vec![
            "Account".to_string(),
            "Region".to_string(),
            "Load balancer".to_string(),
            "Type".to_string(),
            "Listener".to_string(),
            "Declared policy".to_string(),
            "Verdict".to_string(),
            "Findings".to_string(),
        ];
        // `--negotiation-errors`: the load balancer's CloudWatch count, on its TLS listeners.
        if let Some(hours) = report.negotiation_errors_hours {
            header.push(format!("TLS errors ({hours}h)"));
        }
        table
            .load_style(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header);
        for l in &report.listeners {
            let mut row = vec![
                Cell::new(&l.account),
                Cell::new(&l.region),
                Cell::new(&l.load_balancer),
                Cell::new(l.lb_type.as_str()),
                Cell::new(format!("{}:{}", l.protocol, l.port)),
                Cell::new(l.declared_policy.as_deref().unwrap_or("-")),
                Cell::new(l.verdict.as_str()),
                Cell::new(l.findings.len()).set_alignment(CellAlignment::Right),
            ];
            if report.negotiation_errors_hours.is_some() {
                let count = l
                    .negotiation_errors
                    .map_or("-".to_string(), |n| n.to_string());
                row.push(Cell::new(count).set_alignment(CellAlignment::Right));
            }
            table.add_row(row);
        }
        writeln!(out, "{table}")?;
    }

    for l in report.listeners.iter().filter(|l| !l.findings.is_empty()) {
        writeln!(out)?;
        let label = l.label();
        writeln!(out, "{label} — {}", paint.verdict(l.verdict))?;
        for f in &l.findings {
            // The heading names the listener; the message need not say it again.
            let message = f
                .message
                .strip_prefix(label.as_str())
                .map(|rest| rest.trim_start_matches([':', ' ']))
                .unwrap_or(&f.message);
            writeln!(
                out,
                "  {} {:<30} {}",
                paint.severity(f.severity),
                f.code.code(),
                message
            )?;
            if let Some(exception) = &f.exception {
                let state = if exception.expired {
                    "exception EXPIRED on"
                } else {
                    "accepted risk until"
                };
                writeln!(
                    out,
                    "    ({state} {}: {})",
                    exception.expires, exception.reason
                )?;
            }
        }
    }

    if !report.failures.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint.wrap("35", "Not read (the audit is incomplete):")
        )?;
        for failure in &report.failures {
            writeln!(out, "  {failure}")?;
        }
    }

    if let Some(diff) = &report.diff {
        writeln!(out)?;
        if diff.first_run {
            writeln!(
                out,
                "No previous report at {} (a first run): every finding is new",
                diff.previous
            )?;
        } else {
            writeln!(
                out,
                "Since {}: {} new, {} resolved, {} other change{}",
                diff.previous,
                diff.new.len(),
                diff.resolved.len(),
                diff.changes.len(),
                if diff.changes.len() == 1 { "" } else { "s" }
            )?;
        }
        for c in &diff.changes {
            let what = match (c.before.is_empty(), c.after.is_empty()) {
                (true, _) => format!("now {}", c.after),
                (false, true) => format!("{} no longer", c.before),
                (false, false) => format!("{} -> {}", c.before, c.after),
            };
            writeln!(out, "  ~ {} {} {what}", c.listener, c.kind.as_str())?;
        }
        for f in &diff.new {
            writeln!(
                out,
                "  + {} {} {} {}",
                f.listener, f.severity, f.code, f.subject
            )?;
        }
        for f in &diff.resolved {
            writeln!(
                out,
                "  - {} {} {} {}",
                f.listener, f.severity, f.code, f.subject
            )?;
        }
    }

    writeln!(out)?;
    let findings: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s, report.findings_at(*s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    writeln!(
        out,
        "{} listeners: {} compliant, {} drift, {} baseline, {} unverified{}{}. Findings: {}.{}",
        report.listeners.len(),
        report.count(Verdict::Compliant),
        report.count(Verdict::Drift),
        report.count(Verdict::Baseline),
        report.count(Verdict::Unverified),
        match report.count(Verdict::Unchecked) {
            0 => String::new(),
            n => format!(", {n} unchecked"),
        },
        if report.probed {
            ""
        } else {
            " (not probed: declared configuration only)"
        },
        if findings.is_empty() {
            "none".to_string()
        } else {
            findings.join(", ")
        },
        if report.incomplete() {
            " The audit is INCOMPLETE."
        } else {
            ""
        }
    )
}
