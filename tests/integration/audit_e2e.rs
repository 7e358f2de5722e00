//! `elbtls audit` end to end: moto_server holds two ALBs, an NLB and a Classic LB; `--resolve` maps
//! their DNS names to loopback addresses where the ALB and NLB listeners are served by s2n-tls
//! (`elbemu`, what ALB and NLB run) — one exactly as declared, one serving a weaker policy (TLS 1.0
//! and 1.1, CBC suites), one without its policy's ML-KEM hybrids — and the Classic listener's
//! address never answers.

use crate::support;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::Output;

use crate::support::elbemu::Emulator;
use crate::support::moto::{elbtls_at, fresh, json, stderr, stdout};
use crate::support::{KeyKind, TempDir, make_cert};
use serde_json::Value;

pub(crate) struct World {
    _dir: TempDir,
    _servers: Vec<Emulator>,
    _silent: TcpListener,
    resolve: Vec<String>,
}

/// A port free on 127.0.0.2–.5 (tried by binding each).
pub(crate) fn shared_port() -> u16 {
    'search: for _ in 0..50 {
        let port = support::free_port();
        for last in 2..=5u8 {
            if TcpListener::bind((Ipv4Addr::new(127, 0, 0, last), port)).is_err() {
                continue 'search;
            }
        }
        return port;
    }
    panic!("no port free on 127.0.0.2-5");
}

pub(crate) fn world(dns: &Value, port: u16) -> World {
    let dir = TempDir::new("audit-e2e");
    let at = |last: u8| SocketAddr::from((Ipv4Addr::new(127, 0, 0, last), port));
    let cert = make_cert(dir.path(), KeyKind::Rsa2048);
    let cert = format!("{}:{}", cert.cert.display(), cert.key.display());
    let serve = |policy: &str, last: u8| Emulator::start_at(policy, &[&cert], at(last));
    let servers = vec![
        serve("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09", 2),
        serve("ELBSecurityPolicy-TLS13-1-0-PQ-2025-09", 3),
        serve("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04", 4),
    ];
    let silent = TcpListener::bind(at(5)).expect("bind the silent listener");
    let resolve = [
        ("alb-exact", 2),
        ("alb-drifted", 3),
        ("nlb-classical", 4),
        ("clb-dead", 5),
    ]
    .iter()
    .map(|(name, last)| format!("{}:{port}:127.0.0.{last}", dns[*name].as_str().unwrap()))
    .collect();
    World {
        _dir: dir,
        _servers: servers,
        _silent: silent,
        resolve,
    }
}

pub(crate) fn audit(endpoint: &str, world: &World, extra: &[&str]) -> Output {
    let mut args = vec!["audit", "--timeout", "1"];
    for r in &world.resolve {
        args.extend(["--resolve", r.as_str()]);
    }
    args.extend(extra);
    elbtls_at(endpoint, &args)
}

fn listener<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["load_balancer"] == name && l["protocol"] != "HTTP")
        .unwrap_or_else(|| panic!("no TLS listener of {name}: {doc:#}"))
}

fn codes(listener: &Value) -> Vec<String> {
    listener["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A listener's findings as sorted (code, subject) pairs.
fn findings(listener: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = listener["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

fn sorted(pairs: Vec<(&str, &str)>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = pairs
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// The JSON report without what changes from run to run (times, random ARNs, ports).
fn stable(doc: &Value, port: u16) -> String {
    let mut doc = doc.clone();
    doc["generated_at"] = Value::from("<time>");
    for l in doc["listeners"].as_array_mut().unwrap() {
        l["id"] = Value::from("<id>");
        if l["probe"]["connections"].is_number() {
            l["probe"]["connections"] = Value::from("<n>");
        }
        // The emulators' certificates are made afresh for each run.
        if let Some(list) = l["probe"]["certificates"].as_array_mut() {
            for fingerprint in list {
                *fingerprint = Value::from("<sha256>");
            }
        }
        if let Some(list) = l["probe"]["leaf_certificates"].as_array_mut() {
            for leaf in list {
                leaf["sha256"] = Value::from("<sha256>");
                leaf["not_after"] = Value::from("<time>");
            }
        }
    }
    serde_json::to_string_pretty(&doc)
        .unwrap()
        .replace(&format!(":{port}"), ":<port>")
        .replace(&format!("\"port\": {port}"), "\"port\": \"<port>\"")
}

#[test]
fn audits_exact_drifted_classical_and_dead_listeners() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);

    let output = audit(&moto.endpoint(), &world, &["--format", "json"]);
    let doc = json(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "high findings exit 1: {}",
        stderr(&output)
    );
    assert_eq!(doc["schema_version"], 1);

    let exact = listener(&doc, "alb-exact");
    assert_eq!(exact["verdict"], "compliant", "{exact:#}");
    assert!(codes(exact).is_empty());

    // Served TLS13-1-0-PQ under the name TLS13-1-2-Res-PQ, RSA certificate: exactly the two
    // old protocols and the ten RSA-usable suites TLS13-1-0-PQ has beyond it.
    let drifted = listener(&doc, "alb-drifted");
    assert_eq!(drifted["verdict"], "drift");
    let mut expected = vec![
        ("protocol-not-in-policy", "TLSv1"),
        ("protocol-not-in-policy", "TLSv1.1"),
    ];
    for suite in [
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES128-SHA",
        "ECDHE-RSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA",
        "AES128-GCM-SHA256",
        "AES128-SHA256",
        "AES128-SHA",
        "AES256-GCM-SHA384",
        "AES256-SHA256",
        "AES256-SHA",
    ] {
        expected.push(("cipher-not-in-policy", suite));
    }
    assert_eq!(findings(drifted), sorted(expected), "{drifted:#}");

    // Served TLS13-1-2-FIPS-2023-04 under the name TLS13-1-2-FIPS-PQ: its three ML-KEM hybrids
    // are missing, nothing else.
    let classical = listener(&doc, "nlb-classical");
    assert_eq!(classical["verdict"], "drift");
    assert_eq!(
        findings(classical),
        sorted(vec![
            ("declared-group-not-offered", "X25519MLKEM768"),
            ("declared-group-not-offered", "SecP256r1MLKEM768"),
            ("declared-group-not-offered", "SecP384r1MLKEM1024"),
        ]),
        "{classical:#}"
    );

    let dead = listener(&doc, "clb-dead");
    assert_eq!(dead["verdict"], "unverified", "{dead:#}");
    assert_eq!(codes(dead), ["probe-failed"]);
    assert_eq!(
        dead["declared_policy"],
        "clb-dead-policy (reference ELBSecurityPolicy-TLS-1-2-2017-01)"
    );

    // Without a baseline the HTTP listener has nothing to say.
    let http = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["protocol"] == "HTTP")
        .unwrap();
    assert_eq!(http["verdict"], "compliant");
    insta::assert_snapshot!("audit_json", stable(&doc, port));

    // The table, uncoloured (not a terminal).
    let table = audit(&moto.endpoint(), &world, &[]);
    assert_eq!(table.status.code(), Some(1));
    let text = stdout(&table).replace(&format!(":{port}"), ":<port>");
    assert!(
        text.contains("5 listeners: 2 compliant, 2 drift, 0 baseline, 1 unverified"),
        "{text}"
    );
    assert!(!text.contains('\x1b'), "no colour off a terminal");
    insta::assert_snapshot!("audit_table", text);

    // Nothing at or above critical: the run is still incomplete (the dead listener), so 3.
    let output = audit(
        &moto.endpoint(),
        &world,
        &["--fail-on", "critical", "--format", "csv"],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}

#[test]
fn baseline_no_probe_filters_output_file_and_diff() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let dir = TempDir::new("audit-out");
    let first = dir.path().join("first.json");

    // Configuration only, against the modern baseline: the HTTP listener without a redirect is
    // plaintext; nothing is probed, so nothing is unverified.
    let output = audit(
        &moto.endpoint(),
        &world,
        &[
            "--no-probe",
            "--baseline",
            "modern",
            "--format",
            "json",
            "--output",
            first.to_str().unwrap(),
        ],
    );
    assert!(output.stdout.is_empty(), "the report goes to the file");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&first).unwrap()).unwrap();
    assert_eq!(doc["probed"], false);
    let http = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["protocol"] == "HTTP")
        .unwrap();
    assert_eq!(codes(http), ["plaintext-listener"], "{http:#}");
    assert!(
        doc["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["verdict"] != "unverified")
    );
    assert_eq!(
        output.status.code(),
        Some(1),
        "plaintext-listener is high: {}",
        stderr(&output)
    );
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("first.json")]);

    // Filters: only the NLB, probed this time; --diff against the first report.
    let output = audit(
        &moto.endpoint(),
        &world,
        &[
            "--type",
            "network",
            "--tag",
            "env=dev",
            "--format",
            "json",
            "--diff",
            first.to_str().unwrap(),
        ],
    );
    let doc = json(&output);
    let names: Vec<&str> = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["load_balancer"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["nlb-classical"]);
    let new: Vec<&str> = doc["diff"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        new,
        [
            "declared-group-not-offered",
            "declared-group-not-offered",
            "declared-group-not-offered"
        ],
        "{:#}",
        doc["diff"]
    );

    // --name with a wildcard.
    let output = audit(
        &moto.endpoint(),
        &world,
        &["--no-probe", "--name", "alb-*", "--format", "csv"],
    );
    let text = stdout(&output);
    assert!(
        text.contains("alb-exact") && text.contains("alb-drifted"),
        "{text}"
    );
    assert!(
        !text.contains("nlb-classical") && !text.contains("clb-dead"),
        "{text}"
    );

    // Name patterns ignore case, like a baseline's policy patterns (issue 11).
    let output = audit(
        &moto.endpoint(),
        &world,
        &["--no-probe", "--name", "ALB-EX*", "--format", "csv"],
    );
    let text = stdout(&output);
    assert!(text.contains("alb-exact"), "{text}");
    assert!(!text.contains("alb-drifted"), "{text}");
}

/// The severity each finding of `code` on `listener` has.
fn severities<'a>(listener: &'a Value, code: &str) -> Vec<&'a str> {
    listener["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["severity"].as_str().unwrap())
        .collect()
}

/// A baseline's `[severity]` table applies to every code, drift and probe codes included (issue
/// 11: it used to reach only the baseline's own codes), and findings are ordered by the
/// severity they end up with.
#[test]
fn baseline_severity_overrides_reach_drift_and_probe_findings() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let dir = TempDir::new("audit-severity");
    let baseline = dir.path().join("severity.toml");
    std::fs::write(
        &baseline,
        "# No rule switched on: only the overrides.\n\
         [severity]\n\
         protocol-not-in-policy = \"critical\"\n\
         cipher-not-in-policy = \"info\"\n\
         declared-group-not-offered = \"high\"\n\
         probe-failed = \"low\"\n",
    )
    .unwrap();
    let output = audit(
        &moto.endpoint(),
        &world,
        &[
            "--baseline",
            baseline.to_str().unwrap(),
            "--fail-on",
            "critical",
            "--format",
            "json",
        ],
    );
    let doc = json(&output);
    // Without the overrides nothing is critical and the dead listener makes the run exit 3.
    assert_eq!(
        output.status.code(),
        Some(1),
        "a critical finding: {}",
        stderr(&output)
    );

    let drifted = listener(&doc, "alb-drifted");
    assert_eq!(
        severities(drifted, "protocol-not-in-policy"),
        ["critical", "critical"],
        "{drifted:#}"
    );
    assert_eq!(severities(drifted, "cipher-not-in-policy"), ["info"; 10]);
    let order: Vec<&str> = drifted["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    let mut by_severity = order.clone();
    by_severity.sort_by_key(|s| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|x| x == s)
    });
    assert_eq!(order, by_severity, "worst first: {drifted:#}");
    assert_eq!(drifted["verdict"], "drift");

    let classical = listener(&doc, "nlb-classical");
    assert_eq!(
        severities(classical, "declared-group-not-offered"),
        ["high"; 3],
        "{classical:#}"
    );
    let dead = listener(&doc, "clb-dead");
    assert_eq!(severities(dead, "probe-failed"), ["low"], "{dead:#}");
    assert_eq!(dead["verdict"], "unverified");
}

#[test]
fn sarif_and_junit_reports_carry_every_listener() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let sarif = json(&audit(&moto.endpoint(), &world, &["--format", "sarif"]));
    assert_eq!(sarif["version"], "2.1.0");
    let rules: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    for code in [
        "protocol-not-in-policy",
        "cipher-not-in-policy",
        "declared-group-not-offered",
        "probe-failed",
    ] {
        assert!(rules.contains(&code), "{code} in {rules:?}");
    }
    let junit = stdout(&audit(&moto.endpoint(), &world, &["--format", "junit"]));
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert_eq!(junit.matches("<testcase ").count(), 5, "{junit}");
    assert_eq!(junit.matches("<failure ").count(), 2, "{junit}");
    assert_eq!(junit.matches("<error ").count(), 1, "{junit}");
}

#[test]
fn bad_audit_input_is_a_usage_error_naming_it() {
    let moto = fresh();
    let dir = TempDir::new("audit-bad");
    let bad_baseline = dir.path().join("baseline.toml");
    std::fs::write(&bad_baseline, "min_protocol = \"TLSv1.9\"\n").unwrap();
    let not_json = dir.path().join("previous.json");
    std::fs::write(&not_json, "yesterday").unwrap();
    for (args, needle) in [
        (vec!["audit", "--baseline", "moderne"], "moderne"),
        (
            vec!["audit", "--baseline", bad_baseline.to_str().unwrap()],
            "baseline.toml:1",
        ),
        (vec!["audit", "--fail-on", "urgent"], "--fail-on"),
        (vec!["audit", "--tag", "env"], "--tag `env`"),
        (
            vec!["audit", "--diff", not_json.to_str().unwrap()],
            "previous.json",
        ),
        (vec!["audit", "--resolve", "x"], "--resolve"),
        (vec!["audit", "--region", "mars-1"], "mars-1"),
    ] {
        let output = elbtls_at(&moto.endpoint(), &args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(needle),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

/// The nightly job: configuration-only runs writing JSON, SARIF and JUnit at once, `--diff`
/// against the previous night (missing on the first), `--fail-on-new`, and a declared policy
/// changed between two runs. Also: `--no-probe` without a baseline judges nothing, and says so.
#[test]
fn nightly_runs_diff_fail_on_new_and_several_outputs() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let dir = TempDir::new("nightly");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    // Nothing checked: not compliant, and not a pass.
    let output = audit(
        &moto.endpoint(),
        &world,
        &["--no-probe", "--format", "json"],
    );
    let doc = json(&output);
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("--no-probe without --baseline judges nothing"),
        "{}",
        stderr(&output)
    );
    let verdicts: Vec<&str> = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["verdict"].as_str().unwrap())
        .collect();
    assert!(verdicts.iter().all(|v| *v == "unchecked"), "{verdicts:?}");
    assert_eq!(doc["summary"]["unchecked"], verdicts.len());

    // First night: no previous report; every finding is new, and --fail-on-new fails on them.
    let night = |previous: &str, json_out: &str| {
        audit(
            &moto.endpoint(),
            &world,
            &[
                "--no-probe",
                "--baseline",
                "modern",
                "--diff",
                &path(previous),
                "--fail-on-new",
                "-o",
                &format!("json={}", path(json_out)),
                "-o",
                &format!("sarif={}", path("night.sarif")),
                "-o",
                &format!("junit={}", path("night.xml")),
            ],
        )
    };
    let first = night("night-0.json", "night-1.json");
    let text = stderr(&first);
    assert_eq!(first.status.code(), Some(1), "{text}");
    assert!(first.stdout.is_empty(), "the reports go to the files");
    assert!(
        text.contains("no previous report yet (a first run)"),
        "{text}"
    );
    let summary = text.lines().last().unwrap();
    assert!(
        summary.starts_with("elbtls: ")
            && summary.contains("night-1.json (json)")
            && summary.contains("night.sarif (sarif)")
            && summary.contains("night.xml (junit)"),
        "{summary}"
    );
    let doc1: Value =
        serde_json::from_str(&std::fs::read_to_string(path("night-1.json")).unwrap()).unwrap();
    assert_eq!(doc1["diff"]["first_run"], true);
    let findings: usize = doc1["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["findings"].as_array().unwrap().len())
        .sum();
    assert!(findings > 0);
    assert_eq!(doc1["diff"]["new"].as_array().unwrap().len(), findings);
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(path("night.sarif")).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        std::fs::read_to_string(path("night.xml"))
            .unwrap()
            .starts_with("<?xml")
    );

    // Second night, nothing changed: the same findings are known, so --fail-on-new passes.
    let second = night("night-1.json", "night-2.json");
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let doc2: Value =
        serde_json::from_str(&std::fs::read_to_string(path("night-2.json")).unwrap()).unwrap();
    assert_eq!(doc2["diff"]["first_run"], false);
    assert_eq!(doc2["diff"]["new"], serde_json::json!([]));
    assert_eq!(doc2["diff"]["changes"], serde_json::json!([]));

    // Third night: the exact ALB was moved to an older policy. The move itself is reported,
    // with the findings it brings.
    let alb = listener(&doc2, "alb-exact");
    let arn = alb["id"].as_str().unwrap();
    let before = alb["declared_policy_name"].as_str().unwrap().to_string();
    moto.fixture(&["set-policy", arn, "ELBSecurityPolicy-2016-08"]);
    let third = night("night-2.json", "night-3.json");
    let doc3: Value =
        serde_json::from_str(&std::fs::read_to_string(path("night-3.json")).unwrap()).unwrap();
    let changes = doc3["diff"]["changes"].as_array().unwrap();
    assert_eq!(
        changes,
        &[serde_json::json!({
            "listener": arn,
            "kind": "declared-policy",
            "before": before,
            "after": "ELBSecurityPolicy-2016-08",
        })],
        "{doc3:#}"
    );
    assert_eq!(
        listener(&doc3, "alb-exact")["declared_policy_origin"],
        "listener"
    );
    let new_codes: Vec<&str> = doc3["diff"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        !new_codes.is_empty(),
        "a weaker policy breaks the baseline: {doc3:#}"
    );
    assert_eq!(third.status.code(), Some(1), "{}", stderr(&third));
}

/// Baseline exceptions end to end: accepted findings stay in the report, marked, and do not fail
/// the run; an expired exception is said and its findings fail again; one that covers nothing is
/// noted.
#[test]
fn baseline_exceptions_accept_risk_until_they_expire() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let dir = TempDir::new("exceptions");
    let run = |baseline: &str| {
        let file = dir.path().join("baseline.toml");
        std::fs::write(&file, baseline).unwrap();
        let file = file.to_str().unwrap().to_string();
        audit(
            &moto.endpoint(),
            &world,
            &["--no-probe", "--baseline", &file, "--format", "json"],
        )
    };
    let plain = run("extends = \"modern\"\n");
    assert_eq!(plain.status.code(), Some(1), "{}", stderr(&plain));
    let doc = json(&plain);
    let mut codes: Vec<String> = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["findings"].as_array().unwrap().iter())
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    codes.sort();
    codes.dedup();
    let quoted: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
    let with_exception = |expires: &str| {
        format!(
            "extends = \"modern\"\n\n[[exception]]\nload_balancer = \"*\"\ncodes = [{}]\n\
             reason = \"accepted by the CISO until the migration\"\nexpires = {expires}\n\n\
             [[exception]]\nload_balancer = \"gone-*\"\ncodes = [\"not-fips\"]\n\
             reason = \"decommissioned\"\nexpires = 2099-01-01\n",
            quoted.join(", ")
        )
    };

    let accepted = run(&with_exception("2099-12-31"));
    let text = stderr(&accepted);
    assert_eq!(accepted.status.code(), Some(0), "{text}");
    assert!(
        text.contains("covers no finding of this run"),
        "the stale one is noted: {text}"
    );
    let doc = json(&accepted);
    let findings: Vec<&Value> = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["findings"].as_array().unwrap().iter())
        .collect();
    assert!(!findings.is_empty(), "accepted findings stay in the report");
    for f in &findings {
        assert_eq!(f["exception"]["expired"], false, "{f}");
        assert_eq!(
            f["exception"]["reason"],
            "accepted by the CISO until the migration"
        );
    }

    let expired = run(&with_exception("2020-01-01"));
    let text = stderr(&expired);
    assert_eq!(expired.status.code(), Some(1), "{text}");
    assert!(text.contains("expired on 2020-01-01"), "{text}");
    let doc = json(&expired);
    let marked = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| l["findings"].as_array().unwrap().iter())
        .all(|f| f["exception"]["expired"] == true);
    assert!(marked, "{doc:#}");
}

/// `report merge` and `report render`: two partial audits (by load balancer name) merged give
/// the listeners, findings and verdicts of one whole audit; rendered from the saved JSON, every
/// format comes out without AWS; what cannot be merged is named.
#[test]
fn partial_reports_merge_into_the_whole_and_render_in_any_format() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let dir = TempDir::new("merge");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let part = |name: &str, filters: &[&str], baseline: &str| {
        let mut args = vec!["--no-probe", "--baseline", baseline, "-o"];
        let target = format!("json={}", path(name));
        args.push(&target);
        args.extend(filters);
        audit(&moto.endpoint(), &world, &args)
    };
    let whole = part("whole.json", &[], "modern");
    part("alb.json", &["--name", "alb-*"], "modern");
    part(
        "rest.json",
        &["--name", "nlb-*", "--name", "clb-*"],
        "modern",
    );

    let merged = elbtls_at(
        &moto.endpoint(),
        &[
            "report",
            "merge",
            &path("alb.json"),
            &path("rest.json"),
            "-o",
            &path("all.json"),
        ],
    );
    assert_eq!(
        merged.status.code(),
        whole.status.code(),
        "{}",
        stderr(&merged)
    );
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(path(name)).unwrap()).unwrap()
    };
    let (all, whole_doc) = (read("all.json"), read("whole.json"));
    assert_eq!(all["listeners"], whole_doc["listeners"]);
    assert_eq!(all["summary"], whole_doc["summary"]);
    assert!(all["listeners"].as_array().unwrap().len() >= 4);

    // Rendered from the file: the same table the audit printed, and SARIF, without AWS (no
    // endpoint given at all).
    let table = support::moto::elbtls(
        &["report", "render", &path("whole.json"), "--color", "never"],
        &[],
    );
    let printed = audit(
        &moto.endpoint(),
        &world,
        &["--no-probe", "--baseline", "modern", "--color", "never"],
    );
    assert_eq!(stdout(&table), stdout(&printed));
    assert_eq!(table.status.code(), printed.status.code());
    let sarif = support::moto::elbtls(
        &["report", "render", &path("all.json"), "--format", "sarif"],
        &[],
    );
    assert_eq!(json(&sarif)["version"], "2.1.0");

    // What cannot be merged or read is named.
    part("strict.json", &["--name", "alb-*"], "strict");
    let mixed = support::moto::elbtls(
        &["report", "merge", &path("alb.json"), &path("strict.json")],
        &[],
    );
    assert_eq!(mixed.status.code(), Some(2));
    assert!(
        stderr(&mixed).contains("was judged by baseline modern and"),
        "{}",
        stderr(&mixed)
    );
    std::fs::write(path("not.json"), "{\"load_balancers\": []}").unwrap();
    let foreign = support::moto::elbtls(&["report", "render", &path("not.json")], &[]);
    assert_eq!(foreign.status.code(), Some(2));
    assert!(
        stderr(&foreign).contains("not.json: not an `elbtls audit --format json` report"),
        "{}",
        stderr(&foreign)
    );
    let two = support::moto::elbtls(
        &["report", "render", &path("alb.json"), &path("rest.json")],
        &[],
    );
    assert_eq!(two.status.code(), Some(2));
    assert!(
        stderr(&two).contains("merge them first"),
        "{}",
        stderr(&two)
    );
    // --scheme and --vpc keep what a runner in one network can reach.
    let whole_doc = read("whole.json");
    for scheme in ["internet-facing", "internal"] {
        let output = audit(
            &moto.endpoint(),
            &world,
            &[
                "--no-probe",
                "--baseline",
                "modern",
                "--scheme",
                scheme,
                "--format",
                "json",
            ],
        );
        let doc = json(&output);
        let expected: Vec<&Value> = whole_doc["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["scheme"] == scheme)
            .collect();
        let got: Vec<&Value> = doc["listeners"].as_array().unwrap().iter().collect();
        assert_eq!(got, expected, "--scheme {scheme}");
        if expected.is_empty() {
            assert_eq!(doc["failures"][0]["reason"], "no-match", "{doc:#}");
        }
    }
    let alb = whole_doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["type"] == "application")
        .map(|l| l["load_balancer"].as_str().unwrap().to_string())
        .unwrap();
    let inventory = json(&elbtls_at(
        &moto.endpoint(),
        &["inventory", "--format", "json"],
    ));
    let vpc_id = inventory["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|lb| lb["name"] == alb.as_str())
        .and_then(|lb| lb["vpc_id"].as_str())
        .expect("an ALB has a VPC")
        .to_string();
    let in_vpc = json(&audit(
        &moto.endpoint(),
        &world,
        &[
            "--no-probe",
            "--baseline",
            "modern",
            "--vpc",
            &vpc_id,
            "--format",
            "json",
        ],
    ));
    assert!(
        in_vpc["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["load_balancer"] == alb.as_str())
    );
    let none = json(&audit(
        &moto.endpoint(),
        &world,
        &[
            "--no-probe",
            "--baseline",
            "modern",
            "--vpc",
            "vpc-none",
            "--format",
            "json",
        ],
    ));
    assert_eq!(none["listeners"], serde_json::json!([]));
}

/// A run split across three parallel processes (`--shard auto --shard-count 3`, the part from
/// JOB_COMPLETION_INDEX as a Kubernetes Indexed Job sets it), merged with `report merge`, gives
/// the same listeners, findings and verdicts as one whole run — probes included.
#[test]
fn three_shards_merged_equal_one_whole_run() {
    let moto = fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let world = world(&made["dns"], port);
    let dir = TempDir::new("shards");
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut base = vec!["audit".to_string(), "--timeout".into(), "1".into()];
    for r in &world.resolve {
        base.extend(["--resolve".to_string(), r.clone()]);
    }
    base.extend(["--baseline".into(), "modern".into()]);

    let calls = moto.api_calls();
    let whole = {
        let mut args = base.clone();
        args.extend(["-o".into(), format!("json={}", path("whole.json"))]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        elbtls_at(&moto.endpoint(), &args)
    };
    let (whole_calls, calls) = (moto.api_calls() - calls, moto.api_calls());
    let shards: Vec<std::thread::JoinHandle<Output>> = (0..3)
        .map(|index| {
            let mut args = base.clone();
            args.extend([
                "--shard".into(),
                "auto".into(),
                "--shard-count".into(),
                "3".into(),
                "-o".into(),
                format!("json={}", path(&format!("shard-{index}.json"))),
            ]);
            let endpoint = moto.endpoint();
            std::thread::spawn(move || {
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                support::moto::elbtls(
                    &args,
                    &[
                        ("AWS_ENDPOINT_URL", &endpoint),
                        ("AWS_ACCESS_KEY_ID", "testing"),
                        ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_REGION", "us-east-1"),
                        ("JOB_COMPLETION_INDEX", &index.to_string()),
                    ],
                )
            })
        })
        .collect();
    let mut parts = Vec::new();
    for (index, shard) in shards.into_iter().enumerate() {
        let output = shard.join().unwrap();
        assert!(
            stderr(&output).contains(&format!("--shard {}/3: ", index + 1)),
            "{}",
            stderr(&output)
        );
        parts.push(path(&format!("shard-{index}.json")));
    }
    // Each part lists every load balancer but reads the listeners, certificates and policies of
    // its own only: the three make the per-load-balancer calls once in all, not three times.
    let parts_calls = moto.api_calls() - calls;
    assert!(
        parts_calls < 2 * whole_calls,
        "three parts made {parts_calls} API calls, one whole run {whole_calls}"
    );
    let mut args = vec!["report", "merge"];
    args.extend(parts.iter().map(String::as_str));
    let all = path("all.json");
    args.extend(["-o", &all]);
    let merged = support::moto::elbtls(&args, &[]);
    assert_eq!(
        merged.status.code(),
        whole.status.code(),
        "{}",
        stderr(&merged)
    );

    let read = |file: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
    };
    // Connection counts and certificate fingerprints depend on timing and not on the split; the
    // rest must be equal.
    let comparable = |doc: Value| -> Vec<Value> {
        doc["listeners"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l["probe"]["connections"] = Value::Null;
                l
            })
            .collect()
    };
    let (sharded, unsharded) = (read(&all), read(&path("whole.json")));
    assert_eq!(comparable(sharded.clone()), comparable(unsharded.clone()));
    assert_eq!(sharded["summary"], unsharded["summary"]);
    // Each load balancer was audited by exactly one part.
    let counts: Vec<usize> = parts
        .iter()
        .map(|p| read(p)["listeners"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        counts.iter().sum::<usize>(),
        unsharded["listeners"].as_array().unwrap().len(),
        "{counts:?}"
    );
}

#[test]
fn listeners_declaring_one_policy_are_each_proven_and_cost_their_connections() {
    // Six load balancers (four ALBs declaring TLS13-1-2-2021-06, two Classic declaring
    // TLS-1-2-2017-01), every listener answered by one s2n-tls TLS-1-2-2017-01 server. The first
    // listener of each declared policy is probed first; the others guess along what it showed
    // (a verify-first plan), and must still come out exactly as a probe of their own.
    let moto = fresh();
    let dir = TempDir::new("audit-siblings");
    let cert = make_cert(dir.path(), KeyKind::Rsa2048);
    let cert = format!("{}:{}", cert.cert.display(), cert.key.display());
    let server = Emulator::start("ELBSecurityPolicy-TLS-1-2-2017-01", &[&cert]);
    let port: u16 = server.target().rsplit(':').next().unwrap().parse().unwrap();
    moto.fixture(&["bulk", "6", "us-east-1", &port.to_string()]);
    let resolve = format!("*:{port}:127.0.0.1");
    let output = elbtls_at(
        &moto.endpoint(),
        &[
            "audit",
            "--timeout",
            "2",
            "--resolve",
            &resolve,
            "--format",
            "json",
        ],
    );
    let doc = json(&output);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let tls: Vec<&Value> = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["protocol"] != "HTTP")
        .collect();
    assert_eq!(tls.len(), 6);
    // Compared with one probe of the server, told nothing.
    let probe = elbtls_at(
        &moto.endpoint(),
        &[
            "probe",
            &server.target(),
            "--format",
            "json",
            "--timeout",
            "2",
        ],
    );
    let alone = json(&probe)["endpoints"][0].clone();
    let alone_connections = alone["connections"].as_u64().unwrap();
    for declared in [
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS-1-2-2017-01",
    ] {
        let family: Vec<&&Value> = tls
            .iter()
            .filter(|l| l["declared_policy"].as_str().unwrap().contains(declared))
            .collect();
        assert!(family.len() >= 2, "{declared}: {}", family.len());
        for l in &family {
            assert_eq!(l["probe"]["status"], "probed", "{l:#}");
            assert_eq!(
                l["probe"]["protocols"],
                serde_json::json!(["TLSv1.2"]),
                "{l:#}"
            );
            // Every listener of the family has the same findings as the first.
            assert_eq!(findings(l), findings(family[0]), "{declared}");
            // What each listener cost is in the report; guessing along a sibling never costs
            // more than a probe told nothing.
            let connections = l["probe"]["connections"].as_u64().unwrap();
            assert!(
                (1..=alone_connections).contains(&connections),
                "{declared}: {connections} connections, alone {alone_connections}"
            );
        }
    }
    let declared_tls13 = tls
        .iter()
        .find(|l| l["declared_policy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06")
        .unwrap();
    assert!(codes(declared_tls13).contains(&"declared-protocol-not-offered".to_string()));
    drop(server);
}
