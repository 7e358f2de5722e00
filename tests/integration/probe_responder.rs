//! `elbtls probe` against servers Debian's OpenSSL cannot be: a responder of our own
//! (`support::responder`) answers each ClientHello as a server running an ELB policy would —
//! Classic policies with 3DES, RC4 and SSL 3.0, ELBv2 policies with the ML-KEM hybrid groups —
//! and as broken endpoints do. The real binary probes it; the assertions are exact.
//!
//! Only 127.0.0.1 is ever bound or connected to.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::responder::{KeyType, Mode, PolicyConfig, Responder, ResponderGuard};
use elbtls::model::LoadBalancerType;
use elbtls::tls::{CipherSuite, ProtocolVersion};
use serde_json::Value;

/// The per-step timeout given to the prober, in seconds.
const TIMEOUT_SECS: u64 = 2;

/// What one `elbtls probe` run printed and returned.
struct Run {
    endpoint: Value,
    exit: i32,
    elapsed: Duration,
}

fn probe(responder: &ResponderGuard, extra: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["probe", &responder.target(), "--format", "json"])
        .args(["--no-certificates", "--timeout", &TIMEOUT_SECS.to_string()])
        .args(extra)
        .output()
        .expect("run elbtls");
    let elapsed = started.elapsed();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout {} stderr {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert_eq!(document["schema_version"], 1);
    Run {
        endpoint: document["endpoints"][0].clone(),
        exit: output.status.code().expect("exit code"),
        elapsed,
    }
}

/// The JSON `connections` equals what the responder accepted; returns it.
fn connections_match(responder: &ResponderGuard, run: &Run, case: &str) -> usize {
    let reported = run.endpoint["connections"].as_u64().expect("connections") as usize;
    let accepted = responder.wait_for_accepted(reported, Duration::from_secs(2));
    println!(
        "{case}: {reported} connections reported, {accepted} accepted, {:.2} s",
        run.elapsed.as_secs_f64()
    );
    assert_eq!(reported, accepted, "{case}: connections");
    reported
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// `(version, openssl names of its ciphers, server_order)` of every accepted version.
fn accepted(endpoint: &Value) -> Vec<(String, Vec<String>, Value)> {
    endpoint["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .map(|p| {
            assert_eq!(p["complete"], true, "{p}");
            let ciphers = p["ciphers"]
                .as_array()
                .expect("ciphers")
                .iter()
                .map(|c| c["openssl_name"].as_str().expect("openssl name").to_owned())
                .collect();
            (
                p["version"].as_str().expect("version").to_owned(),
                ciphers,
                p["server_order"].clone(),
            )
        })
        .collect()
}

fn group_names(groups: &Value) -> Vec<String> {
    groups
        .as_array()
        .unwrap_or_else(|| panic!("not probed: {groups}"))
        .iter()
        .map(|g| g["name"].as_str().expect("group name").to_owned())
        .collect()
}

fn codes(policy: &Value) -> Vec<String> {
    policy["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_owned())
        .collect()
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn assert_clean(responder: &ResponderGuard, run: &Run) {
    assert_eq!(run.endpoint["status"], "ok", "{}", run.endpoint);
    assert_eq!(run.endpoint["warnings"], Value::Array(vec![]));
    assert_eq!(run.endpoint["undetermined_protocols"], Value::Array(vec![]));
    assert_eq!(responder.problems(), Vec::<String>::new());
}

/// The RSA suites of Classic ELBSecurityPolicy-2015-05 under TLS 1.2, in its order.
const CLASSIC_2015_05_TLS12: [&str; 13] = [
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-SHA256",
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES256-SHA",
    "AES128-GCM-SHA256",
    "AES128-SHA256",
    "AES128-SHA",
    "AES256-GCM-SHA384",
    "AES256-SHA256",
    "AES256-SHA",
    "DES-CBC3-SHA",
];

/// … and under TLS 1.0 and 1.1 (no GCM, no SHA-256 MACs).
const CLASSIC_2015_05_TLS10: [&str; 5] = [
    "ECDHE-RSA-AES128-SHA",
    "ECDHE-RSA-AES256-SHA",
    "AES128-SHA",
    "AES256-SHA",
    "DES-CBC3-SHA",
];

fn classic_2015_05() -> ResponderGuard {
    Responder::start(PolicyConfig::from_catalogue(
        "ELBSecurityPolicy-2015-05",
        LoadBalancerType::Classic,
        KeyType::Rsa,
    ))
}

#[test]
fn classic_2015_05_with_3des_is_seen_exactly() {
    let responder = classic_2015_05();
    let run = probe(&responder, &[]);
    assert_clean(&responder, &run);
    assert_eq!(run.exit, 0);
    let e = &run.endpoint;
    assert_eq!(
        accepted(e),
        [
            (
                "TLSv1".into(),
                names(&CLASSIC_2015_05_TLS10),
                Value::Bool(true)
            ),
            (
                "TLSv1.1".into(),
                names(&CLASSIC_2015_05_TLS10),
                Value::Bool(true)
            ),
            (
                "TLSv1.2".into(),
                names(&CLASSIC_2015_05_TLS12),
                Value::Bool(true)
            ),
        ]
    );
    assert_eq!(strings(&e["refused_protocols"]), ["SSLv3", "TLSv1.3"]);
    assert_eq!(e["groups"]["tls13"], Value::Null);
    assert_eq!(
        group_names(&e["groups"]["tls12"]),
        ["secp256r1", "secp384r1"]
    );
    // The RSA certificate, read from the plaintext TLS ≤ 1.2 flight.
    assert_eq!(e["certificates"][0]["leaf_key"]["type"], "rsa");

    let connections = connections_match(&responder, &run, "2015-05");
    let suites = 2 * CLASSIC_2015_05_TLS10.len() + CLASSIC_2015_05_TLS12.len();
    let versions = 5;
    // The least a full enumeration takes: every suite once (the first of each version found by
    // version detection), one refusal ending each version's elimination; the first curve comes
    // with the TLS 1.2 version offer, the second with a suite offer, and one refusal ends them.
    // The server order is proven by the order found, so no extra check.
    let least = suites + versions + 3 - 3 + 1;
    // Without --policy the chains guess along the likely ELB policies, none of which is this
    // one: at most a few wasted offers at the end of each of the 3 chains.
    println!("2015-05 without a hint: {connections} connections (least {least})");
    assert!((least..=least + 9).contains(&connections), "{connections}");

    // Told the policy, the speculation follows its exact order: nothing is wasted.
    let responder = classic_2015_05();
    let run = probe(
        &responder,
        &["--policy", "ELBSecurityPolicy-2015-05", "--type", "classic"],
    );
    let connections = connections_match(&responder, &run, "2015-05 with its policy");
    println!("2015-05 with its policy as the hint: {connections} connections");
    assert_eq!(connections, least);
    assert_eq!(run.exit, 0, "{:#}", run.endpoint["policy"]);
}

#[test]
fn policy_auto_names_classic_2015_05_first() {
    let responder = classic_2015_05();
    let run = probe(&responder, &["--policy", "auto"]);
    assert_clean(&responder, &run);
    assert_eq!(run.exit, 0);
    let ranking: Vec<(String, String, Vec<String>)> = run.endpoint["policy_matches"]
        .as_array()
        .expect("policy_matches")
        .iter()
        .map(|m| {
            let name = m["name"].as_str().unwrap().to_owned();
            (name, m["kind"].as_str().unwrap().to_owned(), codes(m))
        })
        .collect();
    let entry = |name: &str, kind: &str, codes: &[&str]| (name.into(), kind.into(), names(codes));
    assert_eq!(
        ranking,
        [
            entry("ELBSecurityPolicy-2015-05", "classic", &[]),
            // The same suites, protocols and order: the probe cannot tell them apart, and the
            // ranking breaks the tie by name.
            entry("ELBSecurityPolicy-TLS-1-0-2015-04", "elbv2", &[]),
            entry(
                "ELBSecurityPolicy-2015-03",
                "classic",
                &["declared-cipher-not-offered"]
            ),
            // Partly known policies with a few refusals still could be running here; the ELBv2
            // 2015-05 and Classic 2016-08 (no 3DES) cannot, as the server accepts
            // DES-CBC3-SHA, so they rank after every policy that can (issue 9, item 6).
            entry(
                "ELBSecurityPolicy-2014-10",
                "classic",
                &["declared-cipher-not-offered", "declared-cipher-not-offered"]
            ),
            entry(
                "ELBSecurityPolicy-2014-01",
                "classic",
                &[
                    "declared-protocol-not-offered",
                    "declared-cipher-not-offered",
                    "declared-cipher-not-offered"
                ]
            ),
        ]
    );
    let matches = &run.endpoint["policy_matches"];
    // Classic 2015-05's groups are unknown: no difference, but not an exact match.
    assert_eq!(matches[0]["matches"], true);
    assert_eq!(matches[0]["groups_checked"], false);
    assert_eq!(matches[0]["exact"], false);
    // ELBv2 TLS-1-0-2015-04 lists its groups, and the server offers exactly those.
    assert_eq!(matches[1]["groups_checked"], true);
    assert_eq!(matches[1]["exact"], true);
    assert!(
        matches
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["possible"] == true),
        "{matches:#}"
    );
    connections_match(&responder, &run, "2015-05 --policy auto");
}

#[test]
fn openssl_default_sample_policy_serves_sslv3_and_rc4_in_client_order() {
    let responder = Responder::start(PolicyConfig::from_catalogue(
        "ELBSample-OpenSSLDefaultCipherPolicy",
        LoadBalancerType::Classic,
        KeyType::Rsa,
    ));
    let run = probe(&responder, &[]);
    assert_clean(&responder, &run);
    assert_eq!(run.exit, 0);
    // No server order: found in the order offered, which is code-point order.
    let suites = names(&[
        "RC4-MD5",
        "RC4-SHA",
        "DES-CBC3-SHA",
        "AES128-SHA",
        "AES256-SHA",
    ]);
    assert_eq!(
        accepted(&run.endpoint),
        [
            ("SSLv3".into(), suites.clone(), Value::Bool(false)),
            ("TLSv1".into(), suites, Value::Bool(false)),
        ]
    );
    assert_eq!(
        strings(&run.endpoint["refused_protocols"]),
        ["TLSv1.1", "TLSv1.2", "TLSv1.3"]
    );
    // No ECDHE suite, no TLS 1.3: no groups to probe.
    assert_eq!(run.endpoint["groups"]["tls12"], Value::Null);
    assert_eq!(run.endpoint["groups"]["tls13"], Value::Null);
    connections_match(&responder, &run, "ELBSample-OpenSSLDefaultCipherPolicy");
}

const PQ: &str = "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09";

#[test]
fn post_quantum_policy_groups_are_found_in_server_order() {
    let responder = Responder::start(PolicyConfig::from_catalogue(
        PQ,
        LoadBalancerType::Application,
        KeyType::Rsa,
    ));
    let run = probe(&responder, &["--policy", PQ]);
    assert_clean(&responder, &run);
    let e = &run.endpoint;
    assert_eq!(
        accepted(e),
        [
            (
                "TLSv1.2".into(),
                names(&[
                    "ECDHE-RSA-AES128-GCM-SHA256",
                    "ECDHE-RSA-AES128-SHA256",
                    "ECDHE-RSA-AES256-GCM-SHA384",
                    "ECDHE-RSA-AES256-SHA384",
                ]),
                Value::Bool(true)
            ),
            (
                "TLSv1.3".into(),
                names(&[
                    "TLS_AES_128_GCM_SHA256",
                    "TLS_AES_256_GCM_SHA384",
                    "TLS_CHACHA20_POLY1305_SHA256",
                ]),
                Value::Bool(true)
            ),
        ]
    );
    assert_eq!(
        strings(&e["refused_protocols"]),
        ["SSLv3", "TLSv1", "TLSv1.1"]
    );
    assert_eq!(
        group_names(&e["groups"]["tls13"]),
        // The catalogue's order, which is s2n-tls's preference: the ML-KEM hybrids first.
        [
            "X25519MLKEM768",
            "SecP256r1MLKEM768",
            "SecP384r1MLKEM1024",
            "x25519",
            "secp256r1",
            "secp384r1",
            "secp521r1",
        ]
    );
    assert_eq!(
        group_names(&e["groups"]["tls12"]),
        ["x25519", "secp256r1", "secp384r1", "secp521r1"]
    );
    assert_eq!(e["policy"]["name"], PQ);
    assert_eq!(e["policy"]["matches"], true);
    assert_eq!(codes(&e["policy"]), Vec::<String>::new());
    assert_eq!(run.exit, 0);
    connections_match(&responder, &run, "TLS13-1-2-PQ-2025-09");

    // The classical policy of the same family does not list the three hybrids.
    let run = probe(
        &responder,
        &["--policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"],
    );
    let policy = &run.endpoint["policy"];
    assert_eq!(policy["matches"], false);
    assert_eq!(codes(policy), ["group-not-in-policy"; 3]);
    let messages: Vec<&str> = policy["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        messages,
        ["X25519MLKEM768", "SecP256r1MLKEM768", "SecP384r1MLKEM1024"].map(|g| format!(
            "accepts group {g}, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not list"
        ))
    );
    assert_eq!(run.exit, 1);
}

/// A TLS 1.3-only policy whose one group has no key share in the probe's hellos (RFC 9151:
/// P-384 only). The probe must list every group so the server can ask for P-384 with a
/// HelloRetryRequest; it used to offer only X25519 and P-256 and read the alert as "TLS 1.3
/// refused" (s2n-tls, which ALB and NLB run, refused the same way).
#[test]
fn tls13_only_rfc9151_policy_answers_with_a_retry_for_p384() {
    const RFC9151: &str = "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07";
    let responder = Responder::start(PolicyConfig::from_catalogue(
        RFC9151,
        LoadBalancerType::Application,
        KeyType::Ecdsa,
    ));
    let run = probe(&responder, &["--policy", RFC9151]);
    assert_clean(&responder, &run);
    let e = &run.endpoint;
    assert_eq!(
        accepted(e),
        [(
            "TLSv1.3".into(),
            names(&["TLS_AES_256_GCM_SHA384"]),
            Value::Null
        )]
    );
    assert_eq!(group_names(&e["groups"]["tls13"]), ["secp384r1"]);
    assert_eq!(codes(&e["policy"]), Vec::<String>::new());
    assert_eq!(run.exit, 0);
}

#[test]
fn drift_from_classic_2016_08_is_exactly_sslv3_and_rc4() {
    let mut config = PolicyConfig::from_catalogue(
        "ELBSecurityPolicy-2016-08",
        LoadBalancerType::Classic,
        KeyType::Rsa,
    );
    config.versions.insert(0, ProtocolVersion::SSLV3);
    config
        .suites
        .push(CipherSuite::from_name("RC4-SHA").unwrap());
    let responder = Responder::start(config);
    let run = probe(
        &responder,
        &["--policy", "ELBSecurityPolicy-2016-08", "--type", "classic"],
    );
    assert_clean(&responder, &run);
    let policy = &run.endpoint["policy"];
    assert_eq!(policy["kind"], "classic");
    assert_eq!(
        codes(policy),
        ["protocol-not-in-policy", "cipher-not-in-policy"]
    );
    let differences = policy["differences"].as_array().unwrap();
    assert_eq!(
        differences[0]["message"],
        "accepts SSLv3, which ELBSecurityPolicy-2016-08 does not enable"
    );
    assert_eq!(
        differences[1]["message"],
        "accepts RC4-SHA (TLS_RSA_WITH_RC4_128_SHA) under SSLv3, TLSv1, TLSv1.1, TLSv1.2, \
         which ELBSecurityPolicy-2016-08 does not enable"
    );
    assert_eq!(run.exit, 1);
    // SSL 3.0 in the server's order: the policy's two SSL 3.0 suites, then RC4.
    assert_eq!(
        accepted(&run.endpoint)[0],
        (
            "SSLv3".into(),
            names(&["AES128-SHA", "AES256-SHA", "RC4-SHA"]),
            Value::Bool(true)
        )
    );
    connections_match(&responder, &run, "drifted 2016-08");
}

#[test]
fn plain_http_on_the_port_is_an_error_naming_what_answered() {
    let responder = Responder::start_mode(Mode::Garbage);
    let run = probe(&responder, &[]);
    let e = &run.endpoint;
    assert_eq!(e["status"], "error");
    let error = e["error"].as_str().expect("an error message");
    assert!(error.contains("\"HTTP/1.1 400 Bad Request\""), "{error}");
    assert_eq!(e["protocols"], Value::Array(vec![]));
    assert_eq!(e["refused_protocols"], Value::Array(vec![]));
    assert_eq!(run.exit, 3);
    assert_eq!(connections_match(&responder, &run, "garbage"), 5);
}

#[test]
fn a_silent_endpoint_is_an_error_not_an_endpoint_that_accepts_nothing() {
    let responder = Responder::start_mode(Mode::Silent);
    let run = probe(
        &responder,
        &["--policy", "ELBSecurityPolicy-2016-08", "--type", "classic"],
    );
    let e = &run.endpoint;
    assert_eq!(e["status"], "error", "{e}");
    let error = e["error"].as_str().expect("an error message");
    assert!(
        error.contains(&format!("no complete answer within {TIMEOUT_SECS} s")),
        "{error}"
    );
    assert_eq!(e["refused_protocols"], Value::Array(vec![]));
    // Never compared with the policy: nothing was seen to compare.
    assert_eq!(e["policy"], Value::Null);
    assert_eq!(run.exit, 3);
    assert_eq!(connections_match(&responder, &run, "silent"), 5);
    // Five version probes, at most four at a time (--max-connections 4): two rounds of timeouts.
    assert!(
        run.elapsed < Duration::from_secs(2 * TIMEOUT_SECS + 2),
        "{:?}",
        run.elapsed
    );
}

/// An endpoint that hangs up on every ClientHello without a byte cannot be told from a non-TLS
/// endpoint: it is reported as a failed probe (unverified, exit 3), never as a TLS endpoint that
/// refuses everything, and a `--policy` comparison is not made.
#[test]
fn an_endpoint_that_hangs_up_on_every_hello_is_a_failed_probe() {
    let responder = Responder::start_mode(Mode::ResetAfterHello);
    let run = probe(&responder, &[]);
    let e = &run.endpoint;
    assert_eq!(e["status"], "error", "{e}");
    assert!(
        e["error"]
            .as_str()
            .unwrap()
            .contains("closed every connection without a TLS answer"),
        "{e}"
    );
    assert_eq!(e["protocols"], Value::Array(vec![]));
    assert_eq!(run.exit, 3);
    // Each hang-up is retried twice before it counts (a reset before any byte may be transient).
    assert_eq!(
        connections_match(&responder, &run, "reset after hello"),
        3 * 5
    );
    let run = probe(
        &responder,
        &["--policy", "ELBSecurityPolicy-2016-08", "--type", "classic"],
    );
    assert_eq!(run.endpoint["policy"], Value::Null);
    assert_eq!(run.exit, 3);
}
