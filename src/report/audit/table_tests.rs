//! The audit table at 80, 100 and 200 columns: the sample keeps one row per line and no line
//! past 100 columns at 100; uniform columns move to the heading; verdicts are coloured only when
//! asked for.

use super::sample::{self, NLB_TLS};
use super::{AuditReport, table};
use crate::finding::Verdict;
use crate::report::layout::Layout;

fn rendered(report: &AuditReport, layout: &Layout) -> String {
    let mut out = Vec::new();
    table::render(report, layout, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// The sample with every listener in one region, as most single-account audits are.
fn one_region() -> AuditReport {
    let mut report = sample::report();
    for l in &mut report.listeners {
        l.region = "us-east-1".to_string();
    }
    report
}

fn too_long(text: &str, width: usize) -> Vec<&str> {
    text.lines().filter(|l| l.chars().count() > width).collect()
}

/// Whether `line` is the table row of this load balancer's listener.
fn is_row(line: &str, load_balancer: &str, listener: &str) -> bool {
    (line.starts_with(&format!("{load_balancer} ")) || line.contains(&format!(" {load_balancer} ")))
        && line.contains(&format!(" {listener} "))
}

/// The table's row of each listener is one line holding its name, listener and verdict.
fn assert_one_line_per_row(report: &AuditReport, text: &str) {
    for l in &report.listeners {
        let listener = format!("{}:{}", l.protocol, l.port);
        // The table ends at the first blank line.
        let table = text.split("\n\n").next().unwrap();
        let rows: Vec<&str> = table
            .lines()
            .filter(|line| is_row(line, &l.load_balancer, &listener))
            .collect();
        assert_eq!(rows.len(), 1, "{}: {rows:?}\n{text}", l.load_balancer);
        assert!(rows[0].contains(l.verdict.as_str()), "{}", rows[0]);
    }
}

#[test]
fn at_100_columns_every_row_is_one_line_and_no_line_is_longer() {
    for report in [sample::report(), one_region()] {
        let text = rendered(&report, &Layout::plain(100));
        assert_eq!(too_long(&text, 100), Vec::<&str>::new(), "\n{text}");
        assert_one_line_per_row(&report, &text);
        // Nothing is lost: every finding code and every verdict is there.
        for l in &report.listeners {
            for f in &l.findings {
                assert!(text.contains(f.code.code()), "{}", f.code.code());
            }
        }
    }
}

#[test]
fn at_80_columns() {
    let text = rendered(&sample::report(), &Layout::plain(80));
    assert_eq!(too_long(&text, 80), Vec::<&str>::new(), "\n{text}");
    insta::assert_snapshot!("audit_table_80", text);
}

#[test]
fn at_200_columns() {
    let report = sample::report();
    let text = rendered(&report, &Layout::plain(200));
    assert_one_line_per_row(&report, &text);
    insta::assert_snapshot!("audit_table_200", text);
}

#[test]
fn one_account_and_region_move_to_the_heading() {
    let text = rendered(&one_region(), &Layout::plain(100));
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("Account 123456789012 · Region us-east-1")
    );
    let header = lines.next().unwrap();
    assert!(header.starts_with("Load balancer  Type"), "{header}");
    assert!(!header.contains("Account") && !header.contains("Region"));
    // The findings' headings need not repeat them either.
    assert!(text.contains("\napi-nlb TLS:8443 — drift\n"), "{text}");

    // Two regions: the region stays a column, the account goes up.
    let text = rendered(&sample::report(), &Layout::plain(100));
    assert!(text.starts_with("Account 123456789012\nRegion "), "{text}");
    assert!(
        text.contains("\napi-nlb TLS:8443 (123456789012/us-east-1) — drift\n"),
        "{text}"
    );
}

#[test]
fn a_classic_policy_detail_is_a_note_under_the_table() {
    let text = rendered(&sample::report(), &Layout::plain(100));
    let row = text
        .lines()
        .find(|l| is_row(l, "legacy-elb", "SSL:443"))
        .unwrap();
    assert!(row.contains(" ELBSecurityPolicy-2016-08 [1] "), "{row}");
    assert!(text.contains("\n[1] Classic default\n"), "{text}");
}

#[test]
fn verdicts_are_coloured_by_the_worst_finding_only_when_asked() {
    let report = sample::report();
    let plain = rendered(&report, &Layout::plain(100));
    assert!(!plain.contains('\x1b'), "{plain}");

    let text = rendered(&report, &Layout::colored(100, true));
    let row = |name: &str, listener: &str| {
        text.lines()
            .find(|l| is_row(l, name, listener))
            .unwrap()
            .to_string()
    };
    // High findings: red; none: green; could not be probed: magenta.
    assert!(row("api-nlb", "TLS:8443").contains("\x1b[31mdrift\x1b[0m"));
    assert!(row("web-prod", "HTTPS:443").contains("\x1b[32mcompliant\x1b[0m"));
    assert!(row("internal-app", "HTTPS:443").contains("\x1b[35munverified\x1b[0m"));
    // A baseline listener whose worst finding is medium: yellow.
    let legacy = report
        .listeners
        .iter()
        .find(|l| l.verdict == Verdict::Baseline)
        .unwrap();
    assert_eq!(legacy.worst(), Some(crate::finding::Severity::Medium));
    assert!(row("legacy-elb", "SSL:443").contains("\x1b[33mbaseline\x1b[0m"));
    // The colours do not move the columns: without the codes the lines are the plain ones.
    let stripped: String = {
        let mut out = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            if c == '\x1b' {
                chars.by_ref().find(|c| *c == 'm');
            } else {
                out.push(c);
            }
        }
        out
    };
    assert_eq!(stripped, plain);
}

#[test]
fn the_diff_names_listeners_as_the_table_does() {
    let text = rendered(&sample::report(), &Layout::plain(100));
    assert!(
        text.contains("  + api-nlb TLS:8443 (123456789012/us-east-1) high cipher-not-in-policy"),
        "{text}"
    );
    assert!(!text.contains(NLB_TLS), "{text}");
}

/// What to do about unreachable listeners is said once, after the table, however many there are.
#[test]
fn unreachable_listeners_get_their_advice_once() {
    use crate::finding::{Finding, FindingCode};
    let mut report = one_region();
    let text = rendered(&report, &Layout::plain(100));
    assert!(!text.contains("could not be reached from here"), "{text}");
    let mut made = 0;
    for l in report
        .listeners
        .iter_mut()
        .filter(|l| l.protocol != "HTTP")
        .take(2)
    {
        l.findings.push(Finding::new(
            FindingCode::ProbeFailed,
            crate::finding::UNREACHABLE_SUBJECT,
            format!(
                "{} could not be reached at x:443: connection timed out",
                l.load_balancer
            ),
        ));
        made += 1;
    }
    assert_eq!(made, 2);
    let text = rendered(&report, &Layout::plain(100));
    assert_eq!(
        text.matches("could not be reached from here").count(),
        1,
        "{text}"
    );
    assert!(
        text.contains("2 listeners could not be reached from here"),
        "{text}"
    );
    assert!(text.contains("--no-probe"), "{text}");
}
