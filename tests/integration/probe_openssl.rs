//! `elbtls probe` against real `openssl s_server` processes on 127.0.0.1, each configured like an ELB
//! policy (its protocols, its ciphers in priority order with server preference, its groups), with
//! RSA, ECDSA or both certificates; plus a drifted server, a reordered one and dead endpoints.

use crate::support;

use std::process::{Command, Output};

use crate::support::{
    CertFiles, KeyKind, ServerGuard, TempDir, cert_args, make_cert, openssl_server, policy_args,
    second_cert_args,
};
use elbtls::catalogue::{Catalogue, Policy};
use elbtls::model::LoadBalancerType;
use elbtls::tls::{CipherSuite, ProtocolVersion, RequiredCertificate};
use serde_json::Value;

fn probe(args: &[&str]) -> (Output, Value) {
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .arg("probe")
        .args(args)
        .args(["--format", "json", "--timeout", "3"])
        .output()
        .expect("run elbtls");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output, json)
}

fn policy(name: &str) -> Policy {
    Catalogue::builtin()
        .unwrap()
        .get(name, LoadBalancerType::Application)
        .unwrap()
        .clone()
}

struct Served {
    _dir: TempDir,
    server: ServerGuard,
}

fn serve(policy: &Policy, certs: &[KeyKind], extra: &[&str]) -> Served {
    let dir = TempDir::new("probe-openssl");
    let files: Vec<CertFiles> = certs.iter().map(|k| make_cert(dir.path(), *k)).collect();
    let mut args = policy_args(policy);
    args.extend(cert_args(&files[0]));
    if let Some(second) = files.get(1) {
        args.extend(second_cert_args(second));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    let server = openssl_server(dir.path(), &args);
    Served { _dir: dir, server }
}

/// The policy's suites usable under `version` with the given certificate kinds, in policy order.
fn expected(
    policy: &Policy,
    version: ProtocolVersion,
    certs: &[RequiredCertificate],
) -> Vec<String> {
    policy
        .ciphers
        .iter()
        .filter(|c| {
            let info = c.info().unwrap();
            let cert = info.required_certificate();
            info.usable_with(version) && (cert == RequiredCertificate::Any || certs.contains(&cert))
        })
        .map(|c| format!("0x{:04X}", c.suite.0))
        .collect()
}

fn endpoint(json: &Value) -> &Value {
    &json["endpoints"][0]
}

/// Accepted versions, and per version the cipher codes in the order reported.
fn accepted(json: &Value) -> Vec<(String, Vec<String>)> {
    endpoint(json)["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let codes = p["ciphers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap().to_string())
                .collect();
            (p["version"].as_str().unwrap().to_string(), codes)
        })
        .collect()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

fn difference_codes(json: &Value) -> Vec<String> {
    endpoint(json)["policy"]["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn target(served: &Served) -> String {
    served.server.addr.to_string()
}

#[test]
fn tls13_1_2_2021_06_with_an_rsa_certificate() {
    let p = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let served = serve(&p, &[KeyKind::Rsa2048], &[]);
    let (output, json) = probe(&[&target(&served), "--policy", &p.name]);
    assert_eq!(output.status.code(), Some(0), "{json:#}");
    let rsa = [RequiredCertificate::Rsa];
    assert_eq!(
        accepted(&json),
        [
            (
                "TLSv1.2".to_string(),
                expected(&p, ProtocolVersion::TLSV1_2, &rsa)
            ),
            (
                "TLSv1.3".to_string(),
                vec!["0x1301".into(), "0x1302".into(), "0x1303".into()]
            ),
        ]
    );
    // Written out: the RSA suites of the policy, in its priority order.
    assert_eq!(
        expected(&p, ProtocolVersion::TLSV1_2, &rsa),
        ["0xC02F", "0xC027", "0xC030", "0xC028"]
    );
    let e = endpoint(&json);
    assert_eq!(
        e["refused_protocols"],
        serde_json::json!(["SSLv3", "TLSv1", "TLSv1.1"])
    );
    assert_eq!(e["protocols"][0]["server_order"], true);
    assert_eq!(
        names(&e["groups"]["tls13"]),
        ["x25519", "secp256r1", "secp384r1", "secp521r1"]
    );
    assert_eq!(e["policy"]["matches"], true, "{:#}", e["policy"]);
    assert_eq!(e["complete"], true);
    let chain = &e["certificates"][0];
    assert_eq!(chain["leaf_key"]["type"], "rsa");
    assert_eq!(
        chain["certificates"][0]["subject"],
        "CN=rsa2048.elbtls.test"
    );
    assert_eq!(chain["certificates"][0]["key"]["bits"], 2048);
    assert_eq!(e["certificates"].as_array().unwrap().len(), 1);
}

#[test]
fn tls13_1_2_2021_06_with_an_ecdsa_certificate() {
    let p = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let served = serve(&p, &[KeyKind::EcdsaP256], &[]);
    let (output, json) = probe(&[&target(&served), "--policy", &p.name]);
    assert_eq!(output.status.code(), Some(0), "{json:#}");
    assert_eq!(
        accepted(&json)[0].1,
        ["0xC02B", "0xC023", "0xC02C", "0xC024"],
        "the ECDSA suites of the policy, in order"
    );
    assert_eq!(endpoint(&json)["certificates"][0]["leaf_key"]["type"], "ec");
}

#[test]
fn policy_2016_08_with_rsa_serves_three_versions() {
    let p = policy("ELBSecurityPolicy-2016-08");
    let served = serve(&p, &[KeyKind::Rsa2048], &[]);
    let (output, json) = probe(&[&target(&served), "--policy", &p.name]);
    assert_eq!(output.status.code(), Some(0), "{json:#}");
    let rsa = [RequiredCertificate::Rsa];
    let versions = accepted(&json);
    assert_eq!(versions.len(), 3, "{versions:?}");
    for (name, version) in [
        ("TLSv1", ProtocolVersion::TLSV1_0),
        ("TLSv1.1", ProtocolVersion::TLSV1_1),
        ("TLSv1.2", ProtocolVersion::TLSV1_2),
    ] {
        let got = versions.iter().find(|(v, _)| v == name).unwrap();
        assert_eq!(got.1, expected(&p, version, &rsa), "{name}");
    }
    // TLS 1.0 written out: SHA-1 suites only, RSA ones, in policy order.
    assert_eq!(
        expected(&p, ProtocolVersion::TLSV1_0, &rsa),
        ["0xC013", "0xC014", "0x002F", "0x0035"]
    );
    assert_eq!(
        names(&endpoint(&json)["groups"]["tls12"]),
        ["secp256r1", "secp384r1"]
    );
    assert!(endpoint(&json)["groups"]["tls13"].is_null());
}

#[test]
fn fs_1_2_res_2020_10_with_both_certificates() {
    let p = policy("ELBSecurityPolicy-FS-1-2-Res-2020-10");
    let served = serve(&p, &[KeyKind::Rsa2048, KeyKind::EcdsaP256], &[]);
    let (output, json) = probe(&[&target(&served), "--policy", &p.name]);
    assert_eq!(output.status.code(), Some(0), "{json:#}");
    let all = expected(
        &p,
        ProtocolVersion::TLSV1_2,
        &[RequiredCertificate::Rsa, RequiredCertificate::Ec],
    );
    assert_eq!(all.len(), 4);
    assert_eq!(accepted(&json), [("TLSv1.2".to_string(), all)]);
    let mut keys: Vec<String> = endpoint(&json)["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["leaf_key"]["type"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    assert_eq!(keys, ["ec", "rsa"], "both certificates are seen");
    // One certificate handshake: the other chain came in plaintext with the TLS 1.2 answers,
    // and is checked as a handshake would check it.
    for chain in endpoint(&json)["certificates"].as_array().unwrap() {
        assert_ne!(chain["trust"]["status"], "not_checked", "{chain:#}");
        assert_eq!(chain["negotiated_version"], "TLSv1.2", "{chain:#}");
    }
    let (_, without) = probe(&[&target(&served), "--policy", &p.name, "--no-certificates"]);
    let connections = |json: &Value| endpoint(json)["connections"].as_u64().unwrap();
    assert_eq!(connections(&json), connections(&without) + 1);
}

#[test]
fn tls13_1_3_2021_06_only_tls13() {
    let p = policy("ELBSecurityPolicy-TLS13-1-3-2021-06");
    let served = serve(&p, &[KeyKind::EcdsaP384], &[]);
    let (output, json) = probe(&[&target(&served), "--policy", &p.name]);
    assert_eq!(output.status.code(), Some(0), "{json:#}");
    assert_eq!(
        accepted(&json),
        [(
            "TLSv1.3".to_string(),
            vec!["0x1301".into(), "0x1302".into(), "0x1303".into()]
        )]
    );
    assert_eq!(
        endpoint(&json)["certificates"][0]["leaf_key"]["curve"],
        "P-384"
    );
}

#[test]
fn a_drifted_server_shows_exactly_its_drift() {
    // TLS13-1-2-2021-06 plus TLS 1.0 and an extra CBC suite.
    let mut p = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let extra = CipherSuite::from_name("ECDHE-RSA-AES128-SHA").unwrap();
    p.protocols.insert(0, ProtocolVersion::TLSV1_0);
    p.ciphers.push(elbtls::catalogue::PolicyCipher {
        suite: extra,
        name: "ECDHE-RSA-AES128-SHA".into(),
    });
    let served = serve(&p, &[KeyKind::Rsa2048], &["-no_tls1_1"]);
    let (output, json) = probe(&[
        &target(&served),
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ]);
    assert_eq!(output.status.code(), Some(1), "drift exits 1: {json:#}");
    assert_eq!(
        difference_codes(&json),
        ["protocol-not-in-policy", "cipher-not-in-policy"]
    );
    let messages = &endpoint(&json)["policy"]["differences"];
    assert!(
        messages[0]["message"].as_str().unwrap().contains("TLSv1,"),
        "{messages:#}"
    );
    assert!(
        messages[1]["message"].as_str().unwrap().contains(
            "ECDHE-RSA-AES128-SHA (TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA) under TLSv1, TLSv1.2"
        ),
        "{messages:#}"
    );
    // --policy auto: TLS13-1-2-2021-06 cannot be running (TLS 1.0 is accepted), so a policy that
    // allows everything seen ranks first, however many of its suites are refused; the policy
    // the server was built from follows as the closest impossible one, saying why.
    let (_, auto) = probe(&[&target(&served), "--policy", "auto"]);
    let matches = endpoint(&auto)["policy_matches"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        matches[0]["name"], "ELBSecurityPolicy-TLS13-1-0-2021-06",
        "{matches:#?}"
    );
    assert_eq!(matches[0]["possible"], true);
    let built_from = matches
        .iter()
        .find(|m| m["name"] == "ELBSecurityPolicy-TLS13-1-2-2021-06")
        .unwrap_or_else(|| panic!("{matches:#?}"));
    assert_eq!(built_from["possible"], false);
    assert!(
        built_from["cannot"][0]
            .as_str()
            .unwrap()
            .contains("accepts TLSv1, which"),
        "{built_from:#}"
    );
    assert!(built_from["differences"].as_array().unwrap().len() <= 2);
}

#[test]
fn a_reordered_server_shows_a_different_cipher_order() {
    let mut p = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    // Put ECDHE-RSA-AES256-GCM-SHA384 first.
    let moved = p.ciphers.remove(8);
    p.ciphers.insert(3, moved);
    let served = serve(&p, &[KeyKind::Rsa2048], &[]);
    let (output, json) = probe(&[
        &target(&served),
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
    ]);
    assert_eq!(output.status.code(), Some(1), "{json:#}");
    assert_eq!(difference_codes(&json), ["cipher-order-differs"]);
    assert_eq!(accepted(&json)[0].1[0], "0xC030");
}

#[test]
fn policy_auto_names_the_running_policy_first() {
    let p = policy("ELBSecurityPolicy-FS-1-2-Res-2020-10");
    let served = serve(&p, &[KeyKind::Rsa2048, KeyKind::EcdsaP256], &[]);
    let (_, json) = probe(&[&target(&served), "--policy", "auto"]);
    let first = &endpoint(&json)["policy_matches"][0];
    assert_eq!(
        first["name"], "ELBSecurityPolicy-FS-1-2-Res-2020-10",
        "{json:#}"
    );
    assert_eq!(first["matches"], true);
}

#[test]
fn a_closed_port_is_unreachable_not_empty() {
    let port = support::free_port();
    let (output, json) = probe(&[&format!("127.0.0.1:{port}")]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(endpoint(&json)["status"], "unreachable");
    assert!(
        endpoint(&json)["error"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{json:#}"
    );
}

#[test]
fn a_silent_server_is_an_error_within_the_timeout() {
    let listener = support::silent_listener();
    let addr = listener.local_addr().unwrap();
    let started = std::time::Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args([
            "probe",
            &addr.to_string(),
            "--timeout",
            "1",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        started.elapsed().as_secs_f64() < 8.0,
        "took {:?}",
        started.elapsed()
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(3), "{json:#}");
    assert_eq!(endpoint(&json)["status"], "error", "{json:#}");
    assert!(endpoint(&json)["protocols"].as_array().unwrap().is_empty());
    drop(listener);
}

#[test]
fn a_table_report_and_several_endpoints_at_once() {
    let p = policy("ELBSecurityPolicy-TLS13-1-3-2021-06");
    let a = serve(&p, &[KeyKind::Rsa2048], &[]);
    let b = serve(&p, &[KeyKind::EcdsaP256], &[]);
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["probe", &target(&a), &target(&b), "--policy", &p.name])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert_eq!(
        text.matches("Policy ELBSecurityPolicy-TLS13-1-3-2021-06: matches")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("TLS_CHACHA20_POLY1305_SHA256"), "{text}");
}

#[test]
fn bad_targets_and_flags_are_usage_errors() {
    for args in [
        vec!["probe", "not a host"],
        vec!["probe", "127.0.0.1:0"],
        vec!["probe", "127.0.0.1:443", "--resolve", "nonsense"],
        vec!["probe", "127.0.0.1:443", "--timeout", "0"],
        vec!["probe", "127.0.0.1:443", "--max-connections", "500"],
        vec![
            "probe",
            "127.0.0.1:443",
            "--policy",
            "ELBSecurityPolicy-NOPE",
        ],
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
            .args(&args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
    }
}

#[test]
fn all_addresses_probes_every_node_and_names_the_one_that_disagrees() {
    use std::net::{Ipv4Addr, SocketAddr, TcpListener};
    // Two "nodes" of one load balancer on 127.0.0.2 and 127.0.0.3, same port: the second still runs
    // with TLS 1.0 and an extra CBC suite (a policy change half rolled out).
    let port = loop {
        let port = support::free_port();
        if [2u8, 3]
            .iter()
            .all(|last| TcpListener::bind((Ipv4Addr::new(127, 0, 0, *last), port)).is_ok())
        {
            break port;
        }
    };
    let p = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let mut drifted = p.clone();
    drifted.protocols.insert(0, ProtocolVersion::TLSV1_0);
    drifted.ciphers.push(elbtls::catalogue::PolicyCipher {
        suite: CipherSuite::from_name("ECDHE-RSA-AES128-SHA").unwrap(),
        name: "ECDHE-RSA-AES128-SHA".into(),
    });
    let dir = TempDir::new("probe-nodes");
    let cert = make_cert(dir.path(), KeyKind::Rsa2048);
    let node = |last: u8, policy: &Policy, extra: &[&str]| {
        let addr = SocketAddr::from((Ipv4Addr::new(127, 0, 0, last), port));
        let mut command = Command::new("openssl");
        command
            .args(["s_server", "-accept", &addr.to_string(), "-www"])
            .args(policy_args(policy))
            .args(cert_args(&cert))
            .args(extra);
        ServerGuard::spawn(command, addr, dir.path().join(format!("node-{last}.log")))
            .expect("node starts")
    };
    let _a = node(2, &p, &[]);
    let _b = node(3, &drifted, &["-no_tls1_1"]);
    let target = format!("lb.elbtls.test:{port}");
    let resolve = format!("lb.elbtls.test:{port}:127.0.0.2,127.0.0.3");

    // Only the first address: the listener looks exact.
    let (output, json) = probe(&[
        &target,
        "--resolve",
        &resolve,
        "--policy",
        &p.name,
        "--no-certificates",
    ]);
    assert_eq!(output.status.code(), Some(0), "{json:#}");

    // Every address: the second node's extras count, and the disagreement is named.
    let (output, json) = probe(&[
        &target,
        "--resolve",
        &resolve,
        "--all-addresses",
        "--policy",
        &p.name,
        "--no-certificates",
    ]);
    assert_eq!(output.status.code(), Some(1), "{json:#}");
    let e = endpoint(&json);
    assert_eq!(
        e["nodes"],
        serde_json::json!([format!("127.0.0.2:{port}"), format!("127.0.0.3:{port}")])
    );
    let disagreement = e["node_disagreements"][0].as_str().unwrap();
    assert!(
        disagreement.starts_with(&format!("node 127.0.0.3:{port} accepts TLSv1")),
        "{disagreement}"
    );
    assert!(
        disagreement.contains("ECDHE-RSA-AES128-SHA under TLSv1.2"),
        "{disagreement}"
    );
    assert_eq!(
        difference_codes(&json),
        ["protocol-not-in-policy", "cipher-not-in-policy"]
    );
}
