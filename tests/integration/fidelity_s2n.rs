//! Fidelity to what ALB and NLB run. They terminate TLS with s2n-tls, which serves AWS's ELB
//! policies under their AWS names; `elbemu` (this repository's emulator) is s2n-tls serving one.
//!
//! - Every policy that both s2n-tls and the catalogue name, served with an RSA certificate, an
//!   ECDSA one and both, probed with `--policy NAME`: the probe completes and reports **no
//!   difference** — protocols, suites, order and groups (the ML-KEM hybrids included).
//! - The other way round: an emulator serving a weaker policy than the one declared shows exactly
//!   the protocol, cipher and group drift between the two.
//!
//! Certificates are made once per test binary with the `openssl` CLI; RFC 9151, CNSA and
//! TLS13-1-3-FIPS policies get RSA 3072 / ECDSA P-384, which s2n-tls requires for them.

use std::collections::BTreeSet;
use std::process::Command;
use std::sync::OnceLock;

use crate::support::elbemu::{Emulator, run_elbemu};
use crate::support::{CertFiles, KeyKind, TempDir, make_cert};
use elbtls::catalogue::{Catalogue, Policy};
use elbtls::model::LoadBalancerType;
use elbtls::tls::{CipherSuite, ProtocolVersion, RequiredCertificate};
use serde_json::Value;

struct Certs {
    _dir: TempDir,
    rsa2048: CertFiles,
    rsa3072: CertFiles,
    p256: CertFiles,
    p384: CertFiles,
}

fn certs() -> &'static Certs {
    static CERTS: OnceLock<Certs> = OnceLock::new();
    CERTS.get_or_init(|| {
        let dir = TempDir::new("fidelity-certs");
        Certs {
            rsa2048: make_cert(dir.path(), KeyKind::Rsa2048),
            rsa3072: make_cert(dir.path(), KeyKind::Rsa3072),
            p256: make_cert(dir.path(), KeyKind::EcdsaP256),
            p384: make_cert(dir.path(), KeyKind::EcdsaP384),
            _dir: dir,
        }
    })
}

/// The certificate kinds a listener can hold.
#[derive(Clone, Copy, Debug)]
enum Kind {
    Rsa,
    Ecdsa,
    Both,
}

/// Policies whose s2n-tls definition rejects RSA 2048 and P-256 certificates.
fn needs_strong_keys(policy: &str) -> bool {
    ["RFC9151", "CNSA", "TLS13-1-3-FIPS"]
        .iter()
        .any(|marker| policy.contains(marker))
}

/// `--cert CERT.pem:KEY.pem` values for `kind` certificates suited to `policy`.
fn served_certs(policy: &str, kind: Kind) -> Vec<String> {
    let c = certs();
    let (rsa, ecdsa) = if needs_strong_keys(policy) {
        (&c.rsa3072, &c.p384)
    } else {
        (&c.rsa2048, &c.p256)
    };
    let arg = |f: &CertFiles| format!("{}:{}", f.cert.display(), f.key.display());
    match kind {
        Kind::Rsa => vec![arg(rsa)],
        Kind::Ecdsa => vec![arg(ecdsa)],
        Kind::Both => vec![arg(rsa), arg(ecdsa)],
    }
}

fn start(policy: &str, kind: Kind) -> Emulator {
    let certs = served_certs(policy, kind);
    let certs: Vec<&str> = certs.iter().map(String::as_str).collect();
    Emulator::start(policy, &certs)
}

fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::builtin().expect("the built-in catalogue loads"))
}

fn elbv2(name: &str) -> &'static Policy {
    catalogue()
        .get(name, LoadBalancerType::Application)
        .or_else(|_| catalogue().get(name, LoadBalancerType::Network))
        .unwrap_or_else(|e| panic!("{name} is an ELBv2 policy of the catalogue: {e}"))
}

/// Every ELBv2 policy of the catalogue that s2n-tls also serves.
fn shared_policies() -> Vec<String> {
    let (code, listed, stderr) = run_elbemu(&["--list-policies"]);
    assert_eq!(code, Some(0), "elbemu --list-policies: {stderr}");
    let served: Vec<String> = listed.lines().map(str::to_owned).collect();
    let shared: Vec<String> = served
        .into_iter()
        .filter(|name| {
            catalogue()
                .get(name, LoadBalancerType::Application)
                .or_else(|_| catalogue().get(name, LoadBalancerType::Network))
                .is_ok()
        })
        .collect();
    // The emulator knows about fifty ELB names; the catalogue all but its internal ones.
    assert!(
        shared.len() >= 40,
        "only {} shared: {shared:?}",
        shared.len()
    );
    shared
}

/// `elbtls probe` of the emulator as JSON (the one endpoint), and the exit code.
fn probe(emulator: &Emulator, policy: &str) -> (Value, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["probe", &emulator.target(), "--format", "json"])
        .args(["--timeout", "10", "--policy", policy])
        .output()
        .expect("run elbtls");
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (
        document["endpoints"][0].clone(),
        output.status.code().expect("exit code"),
    )
}

/// What is wrong with the probe of `policy` served with `kind` certificates (empty: nothing).
fn fidelity_problems(policy: &str, kind: Kind) -> Vec<String> {
    let emulator = start(policy, kind);
    let (endpoint, exit) = probe(&emulator, policy);
    let mut problems = Vec::new();
    let at = format!("{policy} ({kind:?})");
    if endpoint["status"] != "ok" {
        problems.push(format!(
            "{at}: status {} {}",
            endpoint["status"], endpoint["error"]
        ));
        return problems;
    }
    if endpoint["complete"] != true {
        problems.push(format!(
            "{at}: incomplete, warnings {}",
            endpoint["warnings"]
        ));
    }
    let groups = &endpoint["groups"];
    if groups["tls13"].is_null() && groups["tls12"].is_null() {
        problems.push(format!("{at}: no group was probed"));
    }
    for difference in endpoint["policy"]["differences"]
        .as_array()
        .into_iter()
        .flatten()
    {
        problems.push(format!(
            "{at}: {} {}",
            difference["code"], difference["message"]
        ));
    }
    if exit != 0 {
        problems.push(format!("{at}: exit {exit}"));
    }
    problems
}

fn assert_faithful(kind: Kind) {
    // A few emulators at a time: each probe is mostly waiting on loopback round trips.
    let policies = shared_policies();
    let problems: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = policies
            .chunks(policies.len().div_ceil(4))
            .map(|chunk| {
                scope.spawn(move || {
                    chunk
                        .iter()
                        .flat_map(|policy| fidelity_problems(policy, kind))
                        .collect::<Vec<String>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a fidelity worker"))
            .collect()
    });
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_shared_policy_with_an_rsa_certificate_shows_no_difference() {
    assert_faithful(Kind::Rsa);
}

#[test]
fn every_shared_policy_with_an_ecdsa_certificate_shows_no_difference() {
    assert_faithful(Kind::Ecdsa);
}

#[test]
fn every_shared_policy_with_both_certificates_shows_no_difference() {
    assert_faithful(Kind::Both);
}

/// The `(code, subject)` pairs of a probe's differences.
fn drift_of(endpoint: &Value) -> BTreeSet<(String, String)> {
    endpoint["policy"]["differences"]
        .as_array()
        .expect("differences")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["subject"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The drift a listener serving `served` under the name `declared` must show, from the two
/// catalogue entries: protocols and suites (usable with an RSA certificate) in one and not the
/// other, and groups likewise.
fn expected_drift(declared: &Policy, served: &Policy) -> BTreeSet<(String, String)> {
    let mut expected = BTreeSet::new();
    for v in &served.protocols {
        if !declared.allows_protocol(*v) {
            expected.insert(("protocol-not-in-policy".to_owned(), v.to_string()));
        }
    }
    for v in &declared.protocols {
        if !served.allows_protocol(*v) {
            expected.insert(("declared-protocol-not-offered".to_owned(), v.to_string()));
        }
    }
    let rsa_usable = |suite: CipherSuite| {
        suite.info().is_some_and(|i| {
            matches!(
                i.required_certificate(),
                RequiredCertificate::None | RequiredCertificate::Any | RequiredCertificate::Rsa
            )
        })
    };
    for c in served.ciphers.iter().filter(|c| rsa_usable(c.suite)) {
        if !declared.allows_cipher(c.suite) {
            expected.insert(("cipher-not-in-policy".to_owned(), c.suite.to_string()));
        }
    }
    let both_versions = |suite: CipherSuite| {
        declared
            .protocols
            .iter()
            .any(|v| served.allows_protocol(*v) && suite.info().is_some_and(|i| i.usable_with(*v)))
    };
    for c in declared
        .ciphers
        .iter()
        .filter(|c| rsa_usable(c.suite) && both_versions(c.suite))
    {
        if !served.allows_cipher(c.suite) {
            expected.insert((
                "declared-cipher-not-offered".to_owned(),
                c.suite.to_string(),
            ));
        }
    }
    let (Some(declared_groups), Some(served_groups)) = (&declared.groups, &served.groups) else {
        panic!("both policies list their groups")
    };
    for g in served_groups
        .iter()
        .filter(|g| !declared_groups.contains(g))
    {
        expected.insert(("group-not-in-policy".to_owned(), g.to_string()));
    }
    for g in declared_groups
        .iter()
        .filter(|g| !served_groups.contains(g))
    {
        expected.insert(("declared-group-not-offered".to_owned(), g.to_string()));
    }
    expected
}

/// Serves `served` while the account says `declared`; the probe must report exactly the
/// difference between the two, and exit 1 (differences found).
fn assert_exact_drift(declared: &str, served: &str) -> BTreeSet<(String, String)> {
    let emulator = start(served, Kind::Rsa);
    let (endpoint, exit) = probe(&emulator, declared);
    assert_eq!(endpoint["status"], "ok", "{endpoint}");
    assert_eq!(endpoint["complete"], true, "{endpoint}");
    let expected = expected_drift(elbv2(declared), elbv2(served));
    assert!(!expected.is_empty(), "{declared} and {served} differ");
    assert_eq!(
        drift_of(&endpoint),
        expected,
        "{declared} served as {served}"
    );
    assert_eq!(exit, 1);
    expected
}

#[test]
fn a_tls10_policy_behind_a_tls12_name_shows_exactly_the_old_protocols() {
    let drift = assert_exact_drift(
        "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
        "ELBSecurityPolicy-2016-08",
    );
    assert!(drift.contains(&("protocol-not-in-policy".into(), "TLSv1".into())));
}

#[test]
fn a_cbc_policy_behind_a_restricted_name_shows_exactly_the_extra_suites() {
    let drift = assert_exact_drift(
        "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-0-PQ-2025-09",
    );
    assert!(
        drift.iter().any(|(code, _)| code == "cipher-not-in-policy"),
        "{drift:?}"
    );
}

#[test]
fn a_classical_policy_behind_a_post_quantum_name_shows_exactly_the_missing_hybrids() {
    let drift = assert_exact_drift(
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    );
    assert!(
        drift
            .iter()
            .any(|(code, group)| code == "declared-group-not-offered" && group.contains("MLKEM")),
        "{drift:?}"
    );
}

#[test]
fn a_post_quantum_policy_behind_a_classical_name_shows_exactly_the_extra_hybrids() {
    let drift = assert_exact_drift(
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-PQ-2025-09",
    );
    assert!(
        drift
            .iter()
            .any(|(code, group)| code == "group-not-in-policy" && group.contains("MLKEM")),
        "{drift:?}"
    );
}

#[test]
fn version_fallback_is_a_fact_of_the_listener_not_drift() {
    // 2016-08 under TLS 1.0: offered only TLS 1.2 suites, s2n-tls settles for one of them.
    let policy = "ELBSecurityPolicy-2016-08";
    let emulator = start(policy, Kind::Rsa);
    let (endpoint, exit) = probe(&emulator, policy);
    assert_eq!(exit, 0, "{endpoint}");
    let tls10 = endpoint["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["version"] == ProtocolVersion::TLSV1_0.to_string())
        .expect("TLSv1 accepted");
    let beyond: Vec<&str> = tls10["beyond_version"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        beyond.contains(&"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{beyond:?}"
    );
}
