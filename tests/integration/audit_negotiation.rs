//! `elbtls audit --negotiation-errors` against moto_server: CloudWatch data points put by the
//! fixture (`tests/aws_fixtures.py negotiation-errors`) come back summed per load balancer over
//! the window, and a CloudWatch that cannot be reached makes the run incomplete, never fatal.

use crate::support;

use crate::support::moto::{elbtls_at, fresh, json, stderr, stdout};
use serde_json::Value;

fn listener<'a>(doc: &'a Value, lb: &str) -> &'a Value {
    doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["load_balancer"] == lb)
        .unwrap_or_else(|| panic!("no listener of {lb} in {doc:#}"))
}

fn codes(listener: &Value) -> Vec<&str> {
    listener["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

#[test]
fn counts_client_tls_negotiation_errors_per_load_balancer() {
    let moto = fresh();
    moto.fixture(&["negotiation-errors"]);
    let endpoint = moto.endpoint();
    let args = [
        "audit",
        "--no-probe",
        "--negotiation-errors",
        "--format",
        "json",
    ];
    let output = elbtls_at(&endpoint, &args);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let doc = json(&output);
    assert_eq!(doc["negotiation_errors_hours"], 24);
    assert_eq!(doc["failures"], serde_json::json!([]));

    // 5 + 7 in the last day; the 100 of thirty hours ago is outside the window.
    let failing = listener(&doc, "alb-failing");
    assert_eq!(failing["negotiation_errors"], 12);
    assert_eq!(codes(failing), ["negotiation-errors"]);
    let finding = &failing["findings"][0];
    assert_eq!(finding["severity"], "info");
    assert_eq!(finding["category"], "traffic");
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("12 client TLS negotiation errors in the last 24 h"),
        "{finding}"
    );
    // Traffic is reported, not judged: the listener still complies with its policy.
    assert_eq!(failing["verdict"], "compliant");

    let nlb = listener(&doc, "nlb-failing");
    assert_eq!(nlb["negotiation_errors"], 3);
    let quiet = listener(&doc, "alb-quiet");
    assert_eq!(quiet["negotiation_errors"], 0);
    assert!(codes(quiet).is_empty());
    // Classic load balancers publish no such metric.
    let classic = listener(&doc, "clb");
    assert!(classic.get("negotiation_errors").is_none(), "{classic}");

    // A narrower window sees only the last half hour.
    let output = elbtls_at(
        &endpoint,
        &[
            "audit",
            "--no-probe",
            "--negotiation-errors",
            "--hours",
            "1",
            "--format",
            "json",
        ],
    );
    let doc = json(&output);
    assert_eq!(listener(&doc, "alb-failing")["negotiation_errors"], 7);
    assert_eq!(listener(&doc, "nlb-failing")["negotiation_errors"], 0);

    // The table gets its column only when asked.
    let table = stdout(&elbtls_at(
        &endpoint,
        &[
            "audit",
            "--no-probe",
            "--negotiation-errors",
            "--color",
            "never",
        ],
    ));
    assert!(table.contains("TLS errors (24h)"), "{table}");
    let plain = stdout(&elbtls_at(
        &endpoint,
        &["audit", "--no-probe", "--color", "never"],
    ));
    assert!(!plain.contains("TLS errors"), "{plain}");

    // Without the flag, the JSON has no trace of it (the published shape is unchanged).
    let output = elbtls_at(&endpoint, &["audit", "--no-probe", "--format", "json"]);
    let doc = json(&output);
    assert!(doc.get("negotiation_errors_hours").is_none());
    assert!(
        listener(&doc, "alb-failing")
            .get("negotiation_errors")
            .is_none()
    );
}

#[test]
fn an_unreachable_cloudwatch_is_a_failure_not_an_error() {
    let moto = fresh();
    moto.fixture(&["negotiation-errors"]);
    let closed = support::moto::free_port();
    let output = support::moto::elbtls(
        &[
            "audit",
            "--no-probe",
            "--negotiation-errors",
            "--format",
            "json",
        ],
        &[
            ("AWS_ENDPOINT_URL", &moto.endpoint()),
            (
                "AWS_ENDPOINT_URL_CLOUDWATCH",
                &format!("http://127.0.0.1:{closed}"),
            ),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    // Exit 3: the run is incomplete; the report is still written.
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    let doc = json(&output);
    let failures = doc["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0]["resource"], "cloudwatch:GetMetricData");
    assert_eq!(failures[0]["region"], "us-east-1");
    assert_eq!(failures[0]["reason"], "unreachable");
    assert!(
        listener(&doc, "alb-failing")
            .get("negotiation_errors")
            .is_none()
    );
    assert_eq!(doc["summary"]["incomplete"], true);
}

/// Issue 11: a CloudWatch answer that is not a `GetMetricData` result (here a JSON object without
/// `MetricDataResults`) used to read as zero negotiation errors everywhere: a silent pass.
#[test]
fn an_unexpected_cloudwatch_answer_is_a_failure_not_zero_errors() {
    let moto = fresh();
    moto.fixture(&["negotiation-errors"]);
    let cloudwatch = support::aws_stub::AwsStub::start(|_| {
        (
            200,
            "application/x-amz-json-1.0",
            "{\"Messages\": []}".to_string(),
        )
    });
    let output = support::moto::elbtls(
        &[
            "audit",
            "--no-probe",
            "--negotiation-errors",
            "--format",
            "json",
        ],
        &[
            ("AWS_ENDPOINT_URL", &moto.endpoint()),
            ("AWS_ENDPOINT_URL_CLOUDWATCH", &cloudwatch.endpoint()),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(!cloudwatch.requests().is_empty(), "CloudWatch was asked");
    let doc = json(&output);
    let failures = doc["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0]["resource"], "cloudwatch:GetMetricData");
    assert_eq!(failures[0]["reason"], "invalid-response");
    assert!(
        failures[0]["message"]
            .as_str()
            .unwrap()
            .contains("MetricDataResults"),
        "{failures:?}"
    );
    assert!(
        listener(&doc, "alb-failing")
            .get("negotiation_errors")
            .is_none()
    );
}

#[test]
fn hours_must_be_in_cloudwatchs_range_and_need_the_flag() {
    let output = support::moto::elbtls(&["audit", "--negotiation-errors", "--hours", "0"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("--hours 0"), "{}", stderr(&output));
    let output = support::moto::elbtls(&["audit", "--hours", "6"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--negotiation-errors"),
        "{}",
        stderr(&output)
    );
}
