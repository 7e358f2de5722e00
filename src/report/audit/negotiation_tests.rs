//! `audit --negotiation-errors` in every format: the count appears where each format keeps
//! per-listener properties, and a compliant listener with only a `traffic` finding still passes.

use serde_json::Value;

use super::sample::{self, ALB_HTTPS, NLB_TLS};
use super::{AuditReport, csv, json, junit, sarif, table};
use crate::finding::{Finding, FindingCode, Verdict};
use crate::report::layout::Layout;

/// The sample report as `--negotiation-errors --hours 6` would make it: 42 errors on the
/// compliant ALB listener (with its finding), 0 on the NLB, none known elsewhere.
fn report() -> AuditReport {
    let mut report = sample::report();
    report.negotiation_errors_hours = Some(6);
    for l in &mut report.listeners {
        if l.id == ALB_HTTPS {
            l.negotiation_errors = Some(42);
            l.findings.push(Finding::new(
                FindingCode::NegotiationErrors,
                "",
                "web-prod HTTPS:443: 42 client TLS negotiation errors in the last 6 h",
            ));
            assert_eq!(Verdict::of(&l.findings), Verdict::Compliant);
        } else if l.id == NLB_TLS {
            l.negotiation_errors = Some(0);
        }
    }
    report
}

fn rendered(render: impl Fn(&AuditReport, &mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    render(&report(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn json_carries_the_window_and_each_count() {
    let doc: Value = serde_json::from_str(&rendered(json::render)).unwrap();
    assert_eq!(doc["negotiation_errors_hours"], 6);
    let listener = |id: &str| {
        doc["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["id"] == id)
            .unwrap()
            .clone()
    };
    let alb = listener(ALB_HTTPS);
    assert_eq!(alb["negotiation_errors"], 42);
    assert_eq!(alb["verdict"], "compliant");
    assert_eq!(alb["findings"][0]["category"], "traffic");
    assert_eq!(listener(NLB_TLS)["negotiation_errors"], 0);
    assert!(
        listener(sample::CLASSIC_SSL)
            .get("negotiation_errors")
            .is_none()
    );
}

#[test]
fn the_table_gets_a_column() {
    let text = rendered(|r, o| table::render(r, &Layout::default(), o));
    assert!(text.contains("TLS errors (6h)"), "{text}");
    let alb_row = text
        .lines()
        .find(|l| l.contains("web-prod") && l.contains("HTTPS:443"))
        .unwrap();
    assert!(
        alb_row
            .trim_end()
            .trim_end_matches('│')
            .trim_end()
            .ends_with("42"),
        "{alb_row}"
    );
}

#[test]
fn csv_gets_a_last_column() {
    let text = rendered(csv::render);
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",declared_policy_name,negotiation_errors")
    );
    let alb = text
        .lines()
        .find(|l| l.contains(",web-prod,") && l.contains(",443,"))
        .unwrap();
    assert!(alb.ends_with(",42"), "{alb}");
    let failure = text
        .lines()
        .find(|l| l.contains(csv::SCOPE_FAILURE))
        .unwrap();
    assert!(failure.ends_with(','), "{failure}");
}

#[test]
fn junit_passes_the_compliant_listener_and_records_the_count() {
    let xml = rendered(junit::render);
    let case = xml
        .split("<testcase ")
        .find(|c| c.starts_with("classname=\"web-prod\" name=\"HTTPS:443\""))
        .unwrap();
    assert!(
        case.contains("<property name=\"negotiation_errors\" value=\"42\"/>"),
        "{case}"
    );
    assert!(
        !case.contains("<failure") && !case.contains("<error"),
        "{case}"
    );
    assert!(case.contains("</testcase>"), "{case}");
}

#[test]
fn sarif_has_the_rule_and_the_count_on_the_result() {
    let log: Value = serde_json::from_str(&rendered(sarif::render)).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["properties"]["negotiation_errors_hours"], 6);
    let rule = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "negotiation-errors")
        .unwrap();
    assert_eq!(rule["defaultConfiguration"]["level"], "note");
    assert_eq!(rule["properties"]["tags"][1], "traffic");
    let result = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "negotiation-errors")
        .unwrap();
    assert_eq!(result["properties"]["negotiation_errors"], 42);
}
