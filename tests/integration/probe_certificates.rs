//! `probe::cert::fetch_certificates` against real `openssl s_server`s on 127.0.0.1: RSA-only,
//! dual RSA + ECDSA, TLS 1.3-only and TLS 1.2-only servers, a closed port and a server that
//! never answers. Certificates are generated at test time with the `openssl` CLI.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::support::{
    CertSpec, KeyKind, TempDir, cert_args, closing_listener, free_port, make_cert, make_cert_with,
    openssl_server, second_cert_args, silent_listener,
};
use elbtls::model::certificate::{
    AttemptOutcome, CertificateChain, CertificateReport, KeyAlgorithm, SignatureFamily, Trust,
};
use elbtls::probe::cert::fetch_certificates;
use elbtls::tls::{CipherSuite, ProtocolVersion, RequiredCertificate};

const TIMEOUT: Duration = Duration::from_secs(5);

fn now_unix() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn chain_with_key(
    report: &CertificateReport,
    wanted: impl Fn(&KeyAlgorithm) -> bool,
) -> &CertificateChain {
    report
        .chains
        .iter()
        .find(|chain| wanted(&chain.leaf_key))
        .unwrap_or_else(|| panic!("no such chain in {report:#?}"))
}

fn outcome(report: &CertificateReport, family: SignatureFamily) -> &AttemptOutcome {
    &report
        .attempts
        .iter()
        .find(|attempt| attempt.offered == family)
        .unwrap_or_else(|| panic!("no {family} attempt in {report:#?}"))
        .outcome
}

fn p256() -> KeyAlgorithm {
    KeyAlgorithm::Ec {
        curve: "P-256".to_string(),
    }
}

#[tokio::test]
async fn rsa_only_server_presents_one_rsa_chain_with_exact_names() {
    let dir = TempDir::new("cert-rsa");
    let rsa = make_cert_with(
        dir.path(),
        &CertSpec {
            key: KeyKind::Rsa2048,
            common_name: "rsa.elbtls.test",
            sans: &[
                "DNS:rsa.elbtls.test",
                "DNS:*.rsa.elbtls.test",
                "IP:127.0.0.1",
            ],
            days: 30,
        },
    );
    let server = openssl_server(dir.path(), cert_args(&rsa));

    let report = fetch_certificates(server.addr, None, TIMEOUT).await;

    assert!(report.errors.is_empty(), "{report:#?}");
    assert_eq!(report.connections, 2);
    assert_eq!(report.chains.len(), 1, "{report:#?}");
    let chain = &report.chains[0];
    assert_eq!(chain.leaf_key, KeyAlgorithm::Rsa);
    assert_eq!(chain.certificates.len(), 1);
    let leaf = &chain.certificates[0];
    assert_eq!(leaf.key.algorithm, KeyAlgorithm::Rsa);
    assert_eq!(leaf.key.bits, 2048);
    assert_eq!(leaf.subject, "CN=rsa.elbtls.test");
    assert_eq!(leaf.issuer, "CN=rsa.elbtls.test");
    assert_eq!(
        leaf.sans,
        ["rsa.elbtls.test", "*.rsa.elbtls.test", "127.0.0.1"]
    );
    assert_eq!(leaf.signature_algorithm.name, "sha256WithRSAEncryption");
    assert!(leaf.self_signed);
    assert!(
        matches!(&chain.trust, Trust::Untrusted { reason } if reason.contains("unknown issuer")),
        "{:?}",
        chain.trust
    );
    assert_eq!(chain.name_matches, None, "no server name was given");
    assert_eq!(chain.negotiated_version, Some(ProtocolVersion::TLSV1_3));
    assert!(matches!(
        outcome(&report, SignatureFamily::Rsa),
        AttemptOutcome::Presented { .. }
    ));
    assert!(
        matches!(
            outcome(&report, SignatureFamily::Ecdsa),
            AttemptOutcome::NoCertificateOfThatType { .. }
        ),
        "{report:#?}"
    );
    let observable = report.observable_requirements();
    assert!(observable.contains(&RequiredCertificate::Rsa));
    assert!(!observable.contains(&RequiredCertificate::Ec));
}

#[tokio::test]
async fn server_name_is_checked_against_the_leaf() {
    let dir = TempDir::new("cert-name");
    let rsa = make_cert(dir.path(), KeyKind::Rsa2048);
    let server = openssl_server(dir.path(), cert_args(&rsa));

    let matching = fetch_certificates(server.addr, Some("rsa2048.elbtls.test"), TIMEOUT).await;
    let other = fetch_certificates(server.addr, Some("other.elbtls.test"), TIMEOUT).await;

    assert_eq!(matching.chains.len(), 1, "{matching:#?}");
    assert!(!matching.chains[0].trust.is_trusted());
    // A self-signed leaf fails the path check; the name is still checked on its own.
    assert_eq!(matching.chains[0].name_matches, Some(true));
    assert_eq!(other.chains.len(), 1, "{other:#?}");
    assert!(!other.chains[0].trust.is_trusted());
    assert_eq!(other.chains[0].name_matches, Some(false));
    assert_eq!(
        matching.chains[0].certificates[0].sha256_fingerprint_hex,
        other.chains[0].certificates[0].sha256_fingerprint_hex
    );
}

#[tokio::test]
async fn dual_certificate_server_reveals_both_rsa_and_ecdsa_chains() {
    let dir = TempDir::new("cert-dual");
    let rsa = make_cert(dir.path(), KeyKind::Rsa2048);
    let ecdsa = make_cert(dir.path(), KeyKind::EcdsaP256);
    let server = openssl_server(
        dir.path(),
        cert_args(&rsa).into_iter().chain(second_cert_args(&ecdsa)),
    );

    let report = fetch_certificates(server.addr, None, TIMEOUT).await;

    assert!(report.errors.is_empty(), "{report:#?}");
    assert_eq!(report.chains.len(), 2, "{report:#?}");
    let rsa_chain = chain_with_key(&report, |key| *key == KeyAlgorithm::Rsa);
    assert_eq!(rsa_chain.certificates[0].subject, "CN=rsa2048.elbtls.test");
    assert_eq!(rsa_chain.certificates[0].key.bits, 2048);
    let ec_chain = chain_with_key(&report, |key| *key == p256());
    assert_eq!(
        ec_chain.certificates[0].subject,
        "CN=ecdsa-p256.elbtls.test"
    );
    assert_eq!(ec_chain.certificates[0].sans, ["ecdsa-p256.elbtls.test"]);
    assert_eq!(ec_chain.certificates[0].key.bits, 256);
    let observable = report.observable_requirements();
    assert!(observable.contains(&RequiredCertificate::Rsa));
    assert!(observable.contains(&RequiredCertificate::Ec));
}

#[tokio::test]
async fn tls13_only_server_still_yields_the_chain() {
    let dir = TempDir::new("cert-tls13");
    let ecdsa = make_cert(dir.path(), KeyKind::EcdsaP256);
    let server = openssl_server(
        dir.path(),
        cert_args(&ecdsa).into_iter().chain(["-tls1_3".to_string()]),
    );

    let report = fetch_certificates(server.addr, None, TIMEOUT).await;

    assert!(report.errors.is_empty(), "{report:#?}");
    assert_eq!(report.chains.len(), 1, "{report:#?}");
    let chain = &report.chains[0];
    assert_eq!(chain.leaf_key, p256());
    assert_eq!(chain.negotiated_version, Some(ProtocolVersion::TLSV1_3));
    assert!(
        matches!(
            outcome(&report, SignatureFamily::Rsa),
            AttemptOutcome::NoCertificateOfThatType { .. }
        ),
        "{report:#?}"
    );
}

#[tokio::test]
async fn tls12_only_dual_server_yields_both_chains_over_matching_suites() {
    let dir = TempDir::new("cert-tls12");
    let rsa = make_cert(dir.path(), KeyKind::Rsa2048);
    let ecdsa = make_cert(dir.path(), KeyKind::EcdsaP256);
    let server = openssl_server(
        dir.path(),
        cert_args(&rsa)
            .into_iter()
            .chain(second_cert_args(&ecdsa))
            .chain(["-tls1_2".to_string()]),
    );

    let report = fetch_certificates(server.addr, None, TIMEOUT).await;

    assert!(report.errors.is_empty(), "{report:#?}");
    assert_eq!(report.chains.len(), 2, "{report:#?}");
    let versions: BTreeSet<_> = report
        .chains
        .iter()
        .map(|chain| chain.negotiated_version)
        .collect();
    assert_eq!(versions, BTreeSet::from([Some(ProtocolVersion::TLSV1_2)]));
    let suite_name = |chain: &CertificateChain| {
        chain
            .negotiated_suite
            .and_then(CipherSuite::info)
            .map(|info| info.iana_name.to_string())
            .unwrap_or_default()
    };
    let rsa_chain = chain_with_key(&report, |key| *key == KeyAlgorithm::Rsa);
    assert!(
        suite_name(rsa_chain).starts_with("TLS_ECDHE_RSA_"),
        "{rsa_chain:?}"
    );
    let ec_chain = chain_with_key(&report, |key| *key == p256());
    assert!(
        suite_name(ec_chain).starts_with("TLS_ECDHE_ECDSA_"),
        "{ec_chain:?}"
    );
}

#[tokio::test]
async fn short_lived_certificate_expires_in_about_a_day() {
    let dir = TempDir::new("cert-expiry");
    let rsa = make_cert_with(
        dir.path(),
        &CertSpec {
            key: KeyKind::Rsa2048,
            common_name: "short.elbtls.test",
            sans: &[],
            days: 1,
        },
    );
    let server = openssl_server(dir.path(), cert_args(&rsa));

    let report = fetch_certificates(server.addr, None, TIMEOUT).await;

    assert_eq!(report.chains.len(), 1, "{report:#?}");
    let chain = &report.chains[0];
    assert!(chain.certificates[0].sans.is_empty());
    let now = now_unix();
    // Valid for 86,400 s from its creation a moment ago (the same second, or one or two before).
    let days = chain.days_until_expiry(now);
    assert!(matches!(days, Some(0 | 1)), "{days:?}");
    assert_eq!(chain.days_until_expiry(now + 86_400 + 60), Some(-1));
    assert!(!chain.expired(now));
    assert!(chain.expired(now + 2 * 86_400));
}

#[tokio::test]
async fn closed_port_is_an_error_not_a_panic() {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));

    let report = fetch_certificates(addr, None, TIMEOUT).await;

    assert!(report.chains.is_empty());
    assert_eq!(report.connections, 0);
    assert_eq!(report.errors.len(), 2, "{report:#?}");
    assert!(
        report
            .errors
            .iter()
            .all(|e| e.contains(&addr.to_string()) && e.contains("connect")),
        "{report:#?}"
    );
    assert!(
        report
            .attempts
            .iter()
            .all(|a| matches!(a.outcome, AttemptOutcome::Failed { .. }))
    );
}

#[tokio::test]
async fn server_that_never_answers_times_out_within_the_timeout() {
    let listener = silent_listener();
    let addr = listener.local_addr().expect("listener address");
    let timeout = Duration::from_secs(1);

    let started = Instant::now();
    let report = fetch_certificates(addr, None, timeout).await;
    let elapsed = started.elapsed();

    assert!(
        elapsed < timeout + Duration::from_millis(800),
        "took {elapsed:?}"
    );
    assert!(report.chains.is_empty());
    assert_eq!(report.connections, 2);
    assert_eq!(report.errors.len(), 2, "{report:#?}");
    assert!(
        report.errors.iter().all(|e| e.contains("no answer within")),
        "{report:#?}"
    );
    drop(listener);
}

#[tokio::test]
async fn server_that_hangs_up_is_an_error() {
    let addr = closing_listener(2);

    let report = fetch_certificates(addr, None, TIMEOUT).await;

    assert!(report.chains.is_empty());
    assert_eq!(report.errors.len(), 2, "{report:#?}");
    assert!(
        report.errors.iter().all(|e| e.contains("TLS handshake")),
        "{report:#?}"
    );
}

#[tokio::test]
async fn invalid_server_name_is_reported_without_connecting() {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));

    let report = fetch_certificates(addr, Some("not a name!"), TIMEOUT).await;

    assert_eq!(report.connections, 0);
    assert_eq!(report.errors.len(), 1, "{report:#?}");
    assert!(report.errors[0].contains("not a valid server name"));
}

#[tokio::test]
async fn p384_p521_and_ed25519_leaves_are_read_over_tls13_and_tls12() {
    let dir = TempDir::new("cert-curves");
    // ring cannot check P-521 signatures: the handshake must still show the certificate.
    for (kind, expected, bits) in [
        (
            KeyKind::EcdsaP384,
            KeyAlgorithm::Ec {
                curve: "P-384".to_string(),
            },
            384,
        ),
        (
            KeyKind::EcdsaP521,
            KeyAlgorithm::Ec {
                curve: "P-521".to_string(),
            },
            521,
        ),
        (KeyKind::Ed25519, KeyAlgorithm::Ed25519, 256),
    ] {
        let files = make_cert(dir.path(), kind);
        // Under TLS 1.2 the certificate's curve must be a group the client offers, and rustls
        // (ring) has no P-521 key exchange: that case is left to the hand-built probes.
        let versions: &[&str] = if kind == KeyKind::EcdsaP521 {
            &["-tls1_3"]
        } else {
            &["-tls1_3", "-tls1_2"]
        };
        for version in versions {
            let server = openssl_server(
                dir.path(),
                cert_args(&files).into_iter().chain([version.to_string()]),
            );

            let report = fetch_certificates(server.addr, None, TIMEOUT).await;

            assert!(report.errors.is_empty(), "{kind:?} {version}: {report:#?}");
            assert_eq!(report.chains.len(), 1, "{kind:?} {version}: {report:#?}");
            let chain = &report.chains[0];
            assert_eq!(chain.leaf_key, expected, "{kind:?} {version}");
            assert_eq!(chain.certificates[0].key.bits, bits, "{kind:?} {version}");
            assert!(chain.negotiated_version.is_some(), "{kind:?} {version}");
            assert!(
                report
                    .observable_requirements()
                    .contains(&RequiredCertificate::Ec)
            );
        }
    }
}
