//! `elbtls audit` for people: a heading with what every listener shares (account, region, type),
//! one row per listener, then the findings grouped by listener, what could not be read, and a
//! summary line; everything fitted to the layout's width (see `report::layout`). Colours only when
//! asked for (a terminal without `NO_COLOR`).

use std::io::{self, Write};

use super::{AuditReport, ListenerResult};
use crate::finding::{FindingCode, Severity, UNREACHABLE_SUBJECT, Verdict};
use crate::report::layout::{
    Column, Grid, Layout, Notes, heading_line, paint_column, table_lines, write_lines,
    write_wrapped,
};
use crate::report::{SHORT_POLICY_NOTE, short_policy, split_policy_label, type_abbreviation};

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

    /// Compliant green, unverified magenta; a listener with findings red when its worst is high or
    /// critical, yellow below.
    fn verdict(self, verdict: Verdict, worst: Option<Severity>) -> String {
        let code = match (verdict, worst) {
            (Verdict::Compliant, _) => "32",
            (Verdict::Unverified, _) => "35",
            (_, Some(Severity::Critical)) => "1;31",
            (_, Some(Severity::High)) => "31",
            (_, _) => "33",
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

/// Writes the report fitted to `layout`; with `layout.color`, ANSI colours on the verdicts and
/// severities.
pub fn render(report: &AuditReport, layout: &Layout, out: &mut impl Write) -> io::Result<()> {
    // Text from outside is printed escaped (see `AuditReport::escaped`).
    let report = &report.escaped();
    let paint = Paint(layout.color);
    let width = layout.width;
    let one_scope = if report.listeners.is_empty() {
        writeln!(out, "No listeners found.")?;
        false
    } else {
        listener_table(report, layout, paint, out)?
    };

    let code_width = report
        .listeners
        .iter()
        .flat_map(|l| &l.findings)
        .map(|f| f.code.code().len())
        .max()
        .unwrap_or(0);
    // Messages hang under their first word, after the severity (8) and the code; in a narrow
    // layout, where that leaves less than `MIN_MESSAGE` columns, they start on the next line.
    const MIN_MESSAGE: usize = 50;
    let hanging = " ".repeat(2 + 8 + 1 + code_width + 2);
    let below = width < hanging.len() + MIN_MESSAGE;
    for l in report.listeners.iter().filter(|l| !l.findings.is_empty()) {
        writeln!(out)?;
        let label = l.label();
        let shown = if one_scope {
            short_label(l)
        } else {
            label.clone()
        };
        writeln!(out, "{shown} — {}", paint.verdict(l.verdict, l.worst()))?;
        for f in &l.findings {
            // The heading names the listener; the message need not say it again.
            let message = [label.as_str(), short_label(l).as_str()]
                .iter()
                .find_map(|prefix| f.message.strip_prefix(prefix))
                .map_or(f.message.as_str(), |rest| {
                    rest.trim_start_matches([':', ' '])
                });
            let first = format!(
                "  {} {:<code_width$}  ",
                paint.severity(f.severity),
                f.code.code()
            );
            if below {
                writeln!(out, "{}", first.trim_end())?;
                write_wrapped(out, message, "      ", "      ", width)?;
            } else {
                write_wrapped(out, message, &first, &hanging, width)?;
            }
            if let Some(exception) = &f.exception {
                let state = if exception.expired {
                    "exception EXPIRED on"
                } else {
                    "accepted risk until"
                };
                let text = format!("({state} {}: {})", exception.expires, exception.reason);
                write_wrapped(out, &text, "      ", "       ", width)?;
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
            write_wrapped(out, &failure.to_string(), "  ", "    ", width)?;
        }
    }

    if let Some(diff) = &report.diff {
        writeln!(out)?;
        let heading = if diff.first_run {
            format!(
                "No previous report at {} (a first run): every finding is new",
                diff.previous
            )
        } else {
            format!(
                "Since {}: {} new, {} resolved, {} other change{}",
                diff.previous,
                diff.new.len(),
                diff.resolved.len(),
                diff.changes.len(),
                if diff.changes.len() == 1 { "" } else { "s" }
            )
        };
        write_wrapped(out, &heading, "", "  ", width)?;
        // A listener still in the report is named as in the table; one gone, by its id.
        let listener = |id: &str| {
            report.listeners.iter().find(|l| l.id == id).map_or_else(
                || id.to_string(),
                |l| if one_scope { short_label(l) } else { l.label() },
            )
        };
        for c in &diff.changes {
            let what = match (c.before.is_empty(), c.after.is_empty()) {
                (true, _) => format!("now {}", c.after),
                (false, true) => format!("{} no longer", c.before),
                (false, false) => format!("{} -> {}", c.before, c.after),
            };
            let text = format!("{} {} {what}", listener(&c.listener), c.kind.as_str());
            write_wrapped(out, &text, "  ~ ", "      ", width)?;
        }
        for (sign, changes) in [("+", &diff.new), ("-", &diff.resolved)] {
            for f in changes {
                let text = format!(
                    "{} {} {} {}",
                    listener(&f.listener),
                    f.severity,
                    f.code,
                    f.subject
                );
                write_wrapped(out, &text, &format!("  {sign} "), "      ", width)?;
            }
        }
    }

    writeln!(out)?;
    // What to do about unreachable listeners, once (their findings say only what failed).
    let unreachable = report
        .listeners
        .iter()
        .filter(|l| {
            l.findings
                .iter()
                .any(|f| f.code == FindingCode::ProbeFailed && f.subject == UNREACHABLE_SUBJECT)
        })
        .count();
    if unreachable > 0 {
        let text = format!(
            "{unreachable} listener{} could not be reached from here. An internal load balancer \
             answers only inside its VPC: audit it from there (`--scheme internal --vpc ID` picks \
             its listeners), or check the configuration only with --no-probe.",
            if unreachable == 1 { "" } else { "s" }
        );
        write_wrapped(out, &text, "", "", width)?;
    }
    let findings: Vec<String> = Severity::ALL
        .iter()
        .rev()
        .map(|s| (s, report.findings_at(*s)))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    let summary = format!(
        "{} listener{}: {} compliant, {} drift, {} baseline, {} unverified{}{}. Findings: {}.{}",
        report.listeners.len(),
        if report.listeners.len() == 1 { "" } else { "s" },
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
    );
    write_wrapped(out, &summary, "", "", width)
}

/// `web-prod HTTPS:443`: the label without the account and region the heading gives.
fn short_label(l: &ListenerResult) -> String {
    format!("{} {}:{}", l.load_balancer, l.protocol, l.port)
}

/// The heading, the listener table and its notes; whether the heading names the one account and
/// region of every listener.
fn listener_table(
    report: &AuditReport,
    layout: &Layout,
    paint: Paint,
    out: &mut impl Write,
) -> io::Result<bool> {
    const VERDICT: &str = "Verdict";
    let mut columns = vec![
        Column::new("Account").unless_uniform(),
        Column::new("Region").unless_uniform(),
        Column::new("Load balancer").flexible(),
        Column::new("Type").unless_uniform(),
        Column::new("Listener"),
        Column::new("Declared policy").flexible(),
        Column::new(VERDICT),
        Column::new("Findings").right(),
    ];
    // `--negotiation-errors`: the load balancer's CloudWatch count, on its TLS listeners.
    if let Some(hours) = report.negotiation_errors_hours {
        columns.push(Column::new(format!("TLS errors ({hours}h)")).right());
    }
    let mut grid = Grid::new(columns);
    grid.keep_whole(6);
    grid.abbreviate(5, short_policy, SHORT_POLICY_NOTE);
    // How a Classic policy is declared (`reference …`, `default (no policy attached)`) is a note
    // below the table: the policy column stays as narrow as the names.
    let mut notes = Notes::default();
    for l in &report.listeners {
        let policy = match l.declared_policy.as_deref().map(split_policy_label) {
            None => "-".to_string(),
            Some((name, None)) => name.to_string(),
            Some((name, Some(detail))) => format!("{name} {}", notes.mark(detail)),
        };
        let mut row = vec![
            l.account.clone(),
            l.region.clone(),
            l.load_balancer.clone(),
            type_abbreviation(l.lb_type).to_string(),
            format!("{}:{}", l.protocol, l.port),
            policy,
            l.verdict.as_str().to_string(),
            l.findings.len().to_string(),
        ];
        if report.negotiation_errors_hours.is_some() {
            row.push(
                l.negotiation_errors
                    .map_or("-".to_string(), |n| n.to_string()),
            );
        }
        grid.push(row);
    }
    let fitted = grid.fit(layout);
    let one_scope = ["Account", "Region"]
        .iter()
        .all(|name| fitted.heading.iter().any(|(n, _)| n == name));
    if !fitted.heading.is_empty() {
        writeln!(out, "{}", heading_line(&fitted.heading))?;
    }
    if let Some(table) = &fitted.table {
        let mut lines = table_lines(table);
        if paint.0 {
            let mut listeners = report.listeners.iter();
            paint_column(&mut lines, VERDICT, |word| {
                let l = listeners.next()?;
                (word == l.verdict.as_str()).then(|| paint.verdict(l.verdict, l.worst()))
            });
        }
        write_lines(&lines, out)?;
    }
    notes.write(out, layout.width)?;
    for note in &fitted.abbreviated {
        write_wrapped(out, note, "", "  ", layout.width)?;
    }
    Ok(one_scope)
}
