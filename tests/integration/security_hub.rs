//! `audit --security-hub` against moto's Security Hub (moto 5.2.5 emulates BatchImportFindings —
//! an import with a known `Id` updates that finding — and GetFindings, without applying its
//! filters): import, rerun (updated, not duplicated), archive what is gone, leave other products'
//! findings and what a filtered run did not check alone, `--security-hub-region`. Refused findings
//! and batch sizes against a stub Security Hub on loopback (moto refuses nothing elbtls sends).
//!
//! The audits run with `--no-probe` and a baseline: the findings then depend on the declared
//! policies only (moto's fixtures), with no TLS server to start.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::support::TempDir;
use crate::support::aws_stub::AwsStub;
use crate::support::moto::{Moto, elbtls, elbtls_at, fresh, stderr};

fn audit(moto: &Moto, dir: &TempDir, name: &str, extra: &[&str]) -> (Output, Value) {
    let json_path = dir.path().join(format!("{name}.json"));
    let mut args = vec![
        "audit".to_string(),
        "--no-probe".to_string(),
        "--baseline".to_string(),
        "modern".to_string(),
        "--security-hub".to_string(),
        "-o".to_string(),
        format!("json={}", json_path.display()),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = elbtls_at(&moto.endpoint(), &args);
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "audit {args:?}: exit {code:?}\n{}",
        stderr(&output)
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    (output, report)
}

/// Every finding moto's Security Hub holds in `region`, by Id.
fn hub(moto: &Moto, region: &str) -> BTreeMap<String, Value> {
    moto.fixture(&["securityhub-findings", region])["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["Id"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

/// The ids elbtls gives a JSON report's findings (README: `elbtls/LISTENER-ID/CODE[/SUBJECT]`).
fn ids(report: &Value) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for l in report["listeners"].as_array().unwrap() {
        for f in l["findings"].as_array().unwrap() {
            let subject = f["subject"].as_str().unwrap();
            let mut id = format!(
                "elbtls/{}/{}",
                l["id"].as_str().unwrap(),
                f["code"].as_str().unwrap()
            );
            if !subject.is_empty() {
                id = format!("{id}/{subject}");
            }
            ids.insert(id);
        }
    }
    ids
}

fn active(hub: &BTreeMap<String, Value>) -> BTreeSet<String> {
    hub.iter()
        .filter(|(_, f)| f["RecordState"] == "ACTIVE")
        .map(|(id, _)| id.clone())
        .collect()
}

fn listener_id(report: &Value, lb: &str) -> String {
    report["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["load_balancer"] == lb && l["protocol"] != "HTTP")
        .unwrap_or_else(|| panic!("no TLS listener of {lb}"))["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn imports_updates_and_archives_in_moto() {
    let moto = fresh();
    let dir = TempDir::new("security-hub");
    let made = moto.fixture(&["audit", "8443"]);
    // alb-drifted declares a policy with TLS 1.0 and CBC suites: findings under `modern`.
    let (first, report) = {
        let listed = elbtls_at(
            &moto.endpoint(),
            &["audit", "--no-probe", "--format", "json"],
        );
        let drifted = listener_id(&crate::support::moto::json(&listed), "alb-drifted");
        moto.fixture(&[
            "set-policy",
            &drifted,
            "ELBSecurityPolicy-TLS13-1-0-2021-06",
        ]);
        assert!(made["dns"]["alb-drifted"].is_string());
        let foreign = moto.fixture(&["securityhub-foreign", "us-east-1"]);
        assert_eq!(foreign["failed"], 0);
        audit(&moto, &dir, "first", &[])
    };

    // First run: every finding of the report, and nothing else of elbtls's, in the listener's
    // account and region.
    let expected = ids(&report);
    let drifted = listener_id(&report, "alb-drifted");
    assert!(
        expected
            .iter()
            .any(|id| id.starts_with(&format!("elbtls/{drifted}/"))),
        "the modern baseline finds TLS 1.0 on alb-drifted: {report:#}"
    );
    let held = hub(&moto, "us-east-1");
    let elbtls: BTreeSet<String> = held
        .keys()
        .filter(|id| id.starts_with("elbtls/"))
        .cloned()
        .collect();
    assert_eq!(elbtls, expected, "{}", stderr(&first));
    assert!(
        stderr(&first).contains(&format!(
            "Security Hub: {} findings imported (0 updated)",
            expected.len()
        )),
        "{}",
        stderr(&first)
    );
    for id in &expected {
        let finding = &held[id];
        assert_eq!(finding["RecordState"], "ACTIVE");
        assert_eq!(
            finding["ProductArn"],
            "arn:aws:securityhub:us-east-1:123456789012:product/123456789012/default"
        );
        assert_eq!(finding["AwsAccountId"], "123456789012");
        let resource = &finding["Resources"][0];
        assert!(
            ["AwsElbv2LoadBalancer", "AwsElbLoadBalancer"]
                .contains(&resource["Type"].as_str().unwrap()),
            "{resource}"
        );
    }
    let first_created: BTreeMap<String, Value> = expected
        .iter()
        .map(|id| (id.clone(), held[id]["CreatedAt"].clone()))
        .collect();

    // A rerun a second later updates the same findings: no duplicate, CreatedAt kept.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let (second, report) = audit(&moto, &dir, "second", &[]);
    assert_eq!(ids(&report), expected);
    let held = hub(&moto, "us-east-1");
    assert_eq!(held.len(), expected.len() + 1, "no duplicates");
    assert!(
        stderr(&second).contains(&format!("({} updated)", expected.len())),
        "{}",
        stderr(&second)
    );
    for id in &expected {
        assert_eq!(held[id]["CreatedAt"], first_created[id], "{id}");
        assert_eq!(held[id]["UpdatedAt"], report["generated_at"], "{id}");
    }

    // alb-drifted moves to a TLS 1.2, AEAD-only policy: its findings are archived. alb-exact is
    // deleted: its findings go too (the run read the whole region). The other tool's finding stays.
    moto.fixture(&[
        "set-policy",
        &drifted,
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    ]);
    moto.fixture(&["delete-lb", "us-east-1", "alb-exact"]);
    let (third, report) = audit(&moto, &dir, "third", &[]);
    let now = ids(&report);
    let gone: BTreeSet<String> = expected.difference(&now).cloned().collect();
    assert!(
        !now.iter()
            .any(|id| id.starts_with(&format!("elbtls/{drifted}/"))),
        "{now:?}"
    );
    assert!(
        gone.iter()
            .any(|id| id.starts_with(&format!("elbtls/{drifted}/"))),
        "{gone:?}"
    );
    assert!(gone.iter().any(|id| id.contains("/alb-exact/")), "{gone:?}");
    let held = hub(&moto, "us-east-1");
    assert_eq!(
        active(&held)
            .into_iter()
            .filter(|id| id.starts_with("elbtls/"))
            .collect::<BTreeSet<_>>(),
        now
    );
    for id in &gone {
        assert_eq!(held[id]["RecordState"], "ARCHIVED", "{id}");
    }
    assert_eq!(held["other-tool/finding-1"]["RecordState"], "ACTIVE");
    assert!(
        stderr(&third).contains(&format!("{} archived (gone since)", gone.len())),
        "{}",
        stderr(&third)
    );

    // A filtered run checks only alb-drifted: the others' findings are left active, not archived.
    let (filtered, report) = audit(&moto, &dir, "filtered", &["--name", "alb-drifted"]);
    let held = hub(&moto, "us-east-1");
    let still: BTreeSet<String> = active(&held)
        .into_iter()
        .filter(|id| id.starts_with("elbtls/"))
        .collect();
    assert_eq!(still, now, "{}", stderr(&filtered));
    assert!(ids(&report).is_subset(&now));
    assert!(
        stderr(&filtered).contains(&format!(
            "{} left active (not checked again)",
            now.len() - ids(&report).len()
        )),
        "{}",
        stderr(&filtered)
    );
}

/// The number in `elbtls: Security Hub: … N archived (gone since) …`.
fn archived_count(output: &Output) -> usize {
    let text = stderr(output);
    let line = text
        .lines()
        .find(|l| l.contains("archived (gone since)"))
        .unwrap_or_else(|| panic!("no Security Hub line: {text}"));
    let before = &line[..line.find(" archived (gone since)").unwrap()];
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

#[test]
fn each_part_of_a_sharded_run_archives_what_was_its_own() {
    // The parts of a split run (`--shard K/N`, issue 13) each import their own findings; a
    // listener that disappeared was in exactly one part, and that part, which read all of its
    // own load balancers, archives its findings. The other parts leave them alone.
    let moto = fresh();
    let dir = TempDir::new("security-hub-shards");
    moto.fixture(&["audit", "8443"]);
    let listed = elbtls_at(
        &moto.endpoint(),
        &["audit", "--no-probe", "--format", "json"],
    );
    let drifted = listener_id(&crate::support::moto::json(&listed), "alb-drifted");
    // TLS 1.0 and CBC suites: findings under `modern`.
    moto.fixture(&[
        "set-policy",
        &drifted,
        "ELBSecurityPolicy-TLS13-1-0-2021-06",
    ]);
    let (_, whole) = audit(&moto, &dir, "whole", &[]);
    let before = ids(&whole);
    let of_gone: BTreeSet<String> = before
        .iter()
        .filter(|id| id.starts_with(&format!("elbtls/{drifted}/")))
        .cloned()
        .collect();
    assert!(
        !of_gone.is_empty(),
        "alb-drifted has findings under `modern`: {whole:#}"
    );
    assert!(
        before.len() > of_gone.len(),
        "other listeners have findings: {whole:#}"
    );

    moto.fixture(&["delete-lb", "us-east-1", "alb-drifted"]);
    let (one, part1) = audit(&moto, &dir, "part1", &["--shard", "1/2"]);
    let (two, part2) = audit(&moto, &dir, "part2", &["--shard", "2/2"]);
    let now: BTreeSet<String> = ids(&part1).union(&ids(&part2)).cloned().collect();
    assert_eq!(
        now,
        before
            .difference(&of_gone)
            .cloned()
            .collect::<BTreeSet<_>>(),
        "the two parts together report what the whole run did, without alb-drifted"
    );
    let held = hub(&moto, "us-east-1");
    for id in &of_gone {
        assert_eq!(held[id]["RecordState"], "ARCHIVED", "{id}");
    }
    let still: BTreeSet<String> = active(&held)
        .into_iter()
        .filter(|id| id.starts_with("elbtls/"))
        .collect();
    assert_eq!(still, now);
    // Archived by one part only: the other left them for it.
    let counts = (archived_count(&one), archived_count(&two));
    assert!(
        counts == (of_gone.len(), 0) || counts == (0, of_gone.len()),
        "{counts:?}, {} findings of alb-drifted\n{}\n{}",
        of_gone.len(),
        stderr(&one),
        stderr(&two)
    );
}

#[test]
fn an_aggregation_region_takes_every_finding() {
    let moto = fresh();
    let dir = TempDir::new("security-hub-region");
    moto.fixture(&["audit", "8443"]);
    let (_, report) = audit(
        &moto,
        &dir,
        "aggregated",
        &["--security-hub-region", "eu-west-1"],
    );
    let held = hub(&moto, "eu-west-1");
    assert_eq!(held.keys().cloned().collect::<BTreeSet<_>>(), ids(&report));
    for finding in held.values() {
        assert_eq!(
            finding["ProductArn"],
            "arn:aws:securityhub:eu-west-1:123456789012:product/123456789012/default"
        );
        // The resource keeps its own region.
        assert_eq!(finding["Resources"][0]["Region"], "us-east-1");
    }
    assert!(hub(&moto, "us-east-1").is_empty());

    let bad = elbtls_at(
        &moto.endpoint(),
        &["audit", "--security-hub", "--security-hub-region", "Europe"],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("--security-hub-region `Europe`"),
        "{}",
        stderr(&bad)
    );
    let alone = elbtls_at(
        &moto.endpoint(),
        &["audit", "--security-hub-region", "eu-west-1"],
    );
    assert_eq!(alone.status.code(), Some(2), "{}", stderr(&alone));
}

#[test]
fn refused_findings_and_failed_calls_are_reported_and_make_the_run_incomplete() {
    let moto = fresh();
    let made = moto.fixture(&["bulk", "110", "us-east-1"]);
    assert!(made["listeners"].as_u64().unwrap() > 100);
    // A stub Security Hub: GetFindings finds nothing; BatchImportFindings refuses the first finding
    // of every batch.
    let batches: Arc<Mutex<Vec<usize>>> = Arc::default();
    let seen = Arc::clone(&batches);
    let stub = AwsStub::start(move |request| {
        let body: Value = serde_json::from_str(&request.body).unwrap_or(Value::Null);
        match request.path.as_str() {
            "/findings" => (
                200,
                "application/json",
                json!({ "Findings": [] }).to_string(),
            ),
            "/findings/import" => {
                let findings = body["Findings"].as_array().cloned().unwrap_or_default();
                seen.lock().unwrap().push(findings.len());
                let first = findings[0]["Id"].as_str().unwrap_or("").to_string();
                (
                    200,
                    "application/json",
                    json!({ "FailedCount": 1, "SuccessCount": findings.len() - 1,
                            "FailedFindings": [{ "Id": first, "ErrorCode": "InvalidInput",
                                                 "ErrorMessage": "Title is too long" }] })
                    .to_string(),
                )
            }
            _ => (404, "application/json", "{}".to_string()),
        }
    });
    let endpoint = moto.endpoint();
    let hub_endpoint = stub.endpoint();
    // The same audit, with Security Hub calls going to `hub`.
    let audit_into = |hub: &str| {
        elbtls(
            &[
                "audit",
                "--no-probe",
                "--baseline",
                "fips",
                "--security-hub",
                "--fail-on",
                "critical",
                "--format",
                "json",
            ],
            &[
                ("AWS_ENDPOINT_URL", endpoint.as_str()),
                ("AWS_ENDPOINT_URL_SECURITYHUB", hub),
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
                ("AWS_REGION", "us-east-1"),
            ],
        )
    };
    let output = audit_into(&hub_endpoint);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let total = ids(&report).len();
    let batches = batches.lock().unwrap().clone();
    assert!(batches.len() >= 2, "{batches:?}");
    assert!(batches.iter().all(|n| *n <= 100), "{batches:?}");
    assert_eq!(batches.iter().sum::<usize>(), total);
    // Every refusal is named; the report is complete, the import is not: exit 3.
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{err}");
    assert_eq!(
        err.matches("findings refused").count(),
        batches.len(),
        "{err}"
    );
    assert!(err.contains("InvalidInput Title is too long"), "{err}");
    assert!(
        err.contains(&format!("{} findings imported", total - batches.len())),
        "{err}"
    );
    assert!(err.contains(&format!("{} FAILED", batches.len())), "{err}");
    assert_eq!(report["summary"]["incomplete"], false);

    // Security Hub not answering at all: the run still ends, with the report, exit 3.
    let output = audit_into("http://127.0.0.1:9");
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(serde_json::from_slice::<Value>(&output.stdout).is_ok());
    assert!(
        stderr(&output).contains("GetFindings"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("BatchImportFindings batch 1 of"),
        "{}",
        stderr(&output)
    );
}
