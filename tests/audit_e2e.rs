//! `elbtls audit` end to end: moto_server holds an ALB, an NLB and a Classic LB; `--resolve` maps
//! their DNS names to loopback addresses where real `openssl s_server` processes run as their
//! policies would — one exactly, one drifted (TLS 1.0 and a CBC suite), one with another cipher
//! order — and one address where nothing ever answers.

mod support;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::{Command, Output};

use serde_json::Value;
use support::moto::{elbtls_at, fresh, json, stderr, stdout};
use support::{KeyKind, ServerGuard, TempDir, cert_args, make_cert};

/// TLS13-1-2-2021-06 as `openssl s_server` arguments, RSA suites in policy order.
const TLS13_1_2: [&str; 8] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA384",
];

fn server(dir: &TempDir, addr: SocketAddr, ciphers: &[&str], min: &str) -> ServerGuard {
    let cert = make_cert(dir.path(), KeyKind::Rsa2048);
    let mut command = Command::new("openssl");
    command
        .args([
            "s_server",
            "-accept",
            &addr.to_string(),
            "-www",
            "-serverpref",
        ])
        .args(["-cipher", &format!("{}:@SECLEVEL=0", ciphers.join(":"))])
        .args([
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
        ])
        .args([
            "-groups",
            "X25519:P-256:P-384:P-521",
            "-min_protocol",
            min,
            "-no_tls1_1",
        ])
        .args(cert_args(&cert));
    let log = dir.path().join(format!("s_server-{}.log", addr.ip()));
    ServerGuard::spawn(command, addr, log).expect("openssl s_server starts")
}

struct World {
    _dir: TempDir,
    _servers: Vec<ServerGuard>,
    _silent: TcpListener,
    resolve: Vec<String>,
}

/// A port free on 127.0.0.2–.5 (tried by binding each).
fn shared_port() -> u16 {
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

fn world(dns: &Value, port: u16) -> World {
    let dir = TempDir::new("audit-e2e");
    let at = |last: u8| SocketAddr::from((Ipv4Addr::new(127, 0, 0, last), port));
    let mut drifted: Vec<&str> = TLS13_1_2.to_vec();
    drifted.push("ECDHE-RSA-AES128-SHA");
    let mut reordered: Vec<&str> = TLS13_1_2.to_vec();
    reordered.swap(1, 5);
    let servers = vec![
        server(&dir, at(2), &TLS13_1_2, "TLSv1.2"),
        server(&dir, at(3), &drifted, "TLSv1"),
        server(&dir, at(4), &reordered, "TLSv1.2"),
    ];
    let silent = TcpListener::bind(at(5)).expect("bind the silent listener");
    let resolve = [
        ("alb-exact", 2),
        ("alb-drifted", 3),
        ("nlb-reordered", 4),
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

fn audit(endpoint: &str, world: &World, extra: &[&str]) -> Output {
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

/// The JSON report without what changes from run to run (times, random ARNs, ports).
fn stable(doc: &Value, port: u16) -> String {
    let mut doc = doc.clone();
    doc["generated_at"] = Value::from("<time>");
    for l in doc["listeners"].as_array_mut().unwrap() {
        l["id"] = Value::from("<id>");
        if l["probe"]["connections"].is_number() {
            l["probe"]["connections"] = Value::from("<n>");
        }
    }
    serde_json::to_string_pretty(&doc)
        .unwrap()
        .replace(&format!(":{port}"), ":<port>")
        .replace(&format!("\"port\": {port}"), "\"port\": \"<port>\"")
}

#[test]
fn audits_exact_drifted_reordered_and_dead_listeners() {
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

    let drifted = listener(&doc, "alb-drifted");
    assert_eq!(drifted["verdict"], "drift");
    assert_eq!(
        codes(drifted),
        ["protocol-not-in-policy", "cipher-not-in-policy"],
        "{drifted:#}"
    );
    assert_eq!(drifted["findings"][0]["subject"], "TLSv1");
    assert_eq!(drifted["findings"][1]["subject"], "ECDHE-RSA-AES128-SHA");

    let reordered = listener(&doc, "nlb-reordered");
    assert_eq!(reordered["verdict"], "drift");
    assert_eq!(codes(reordered), ["cipher-order-differs"], "{reordered:#}");

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
    assert_eq!(names, ["nlb-reordered"]);
    let new: Vec<&str> = doc["diff"]["new"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(new, ["cipher-order-differs"], "{:#}", doc["diff"]);

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
        !text.contains("nlb-reordered") && !text.contains("clb-dead"),
        "{text}"
    );
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
        "cipher-order-differs",
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
