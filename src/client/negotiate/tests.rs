use super::*;
use crate::catalogue::Catalogue;
use crate::client::DescriptionSource;
use crate::model::LoadBalancerType;
use crate::model::observed::{GroupObservation, ProtocolObservation, Support};

use ProtocolVersion as V;

fn suites(names: &[&str]) -> Vec<CipherSuite> {
    names
        .iter()
        .map(|n| CipherSuite::from_name(n).unwrap_or_else(|| panic!("{n} is in the registry")))
        .collect()
}

fn groups(names: &[&str]) -> Vec<NamedGroup> {
    names
        .iter()
        .map(|n| NamedGroup::from_name(n).unwrap_or_else(|| panic!("{n} is a group")))
        .collect()
}

fn client(
    versions: &[ProtocolVersion],
    suite_names: &[&str],
    group_names: &[&str],
) -> ClientDescription {
    ClientDescription {
        name: "test".into(),
        source: DescriptionSource::OpenSsl {
            cipher_string: "test".into(),
        },
        versions: versions.to_vec(),
        suites: suites(suite_names),
        groups: groups(group_names),
        signature_algorithms: Vec::new(),
        server_name: None,
        alpn: Vec::new(),
    }
}

fn policy(name: &str) -> ServerSide {
    let catalogue = Catalogue::builtin().unwrap();
    ServerSide::from_policy(catalogue.get(name, LoadBalancerType::Application).unwrap())
}

fn failure(n: Negotiation) -> FailureReason {
    match n {
        Negotiation::Failure(reason) => reason,
        other => panic!("expected a failure, got {other:?}"),
    }
}

fn success(n: Negotiation) -> (ProtocolVersion, String, Option<String>) {
    match n {
        Negotiation::Success {
            version,
            suite,
            group,
        } => (version, suite.to_string(), group.map(|g| g.to_string())),
        other => panic!("expected a success, got {other:?}"),
    }
}

const TLS13_1_2: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

#[test]
fn a_tls_1_1_client_is_told_the_policy_needs_tls_1_2() {
    let c = client(
        &[V::TLSV1_0, V::TLSV1_1],
        &["ECDHE-RSA-AES128-SHA"],
        &["P-256"],
    );
    let reason = failure(negotiate(&c, &policy(TLS13_1_2)));
    assert_eq!(reason.code(), "no-common-version");
    assert_eq!(
        reason.to_string(),
        "client's highest version is TLS 1.1; the policy needs TLS 1.2"
    );
}

#[test]
fn a_tls_1_3_only_client_is_told_the_policy_stops_at_tls_1_2() {
    let c = client(&[V::TLSV1_3], &["TLS_AES_128_GCM_SHA256"], &["x25519"]);
    let reason = failure(negotiate(&c, &policy("ELBSecurityPolicy-2016-08")));
    assert_eq!(
        reason.to_string(),
        "client's lowest version is TLS 1.3; the policy allows at most TLS 1.2"
    );
    let nothing = client(&[], &["AES128-SHA"], &[]);
    assert_eq!(
        failure(negotiate(&nothing, &policy(TLS13_1_2))).to_string(),
        "the client offers no protocol version"
    );
}

#[test]
fn versions_with_a_gap_are_named_both_sides() {
    let mut server = policy("ELBSecurityPolicy-2016-08");
    server.protocols = vec![V::TLSV1_0, V::TLSV1_2];
    let c = client(&[V::TLSV1_1], &["AES128-SHA"], &[]);
    assert_eq!(
        failure(negotiate(&c, &server)).to_string(),
        "no version in common: the client offers TLS 1.1, the policy allows TLS 1.0, TLS 1.2"
    );
}

#[test]
fn no_common_cipher_names_what_the_client_offers() {
    let c = client(&[V::TLSV1_2], &["AES128-SHA", "DES-CBC3-SHA"], &["P-256"]);
    let reason = failure(negotiate(&c, &policy(TLS13_1_2)));
    assert_eq!(reason.code(), "no-common-cipher");
    assert_eq!(
        reason.to_string(),
        "no common cipher under TLS 1.2: the client offers only AES128-SHA/DES-CBC3-SHA, the \
         policy allows none of them"
    );
    // A long list is counted and cut short.
    let many = client(
        &[V::TLSV1_2],
        &[
            "AES128-SHA",
            "AES256-SHA",
            "DES-CBC3-SHA",
            "RC4-SHA",
            "RC4-MD5",
        ],
        &[],
    );
    assert_eq!(
        failure(negotiate(&many, &policy(TLS13_1_2))).to_string(),
        "no common cipher under TLS 1.2: the client offers 5 suites \
         (AES128-SHA/AES256-SHA/DES-CBC3-SHA/RC4-SHA/…), the policy allows none of them"
    );
}

#[test]
fn tls13_without_tls13_suites_is_no_common_cipher() {
    let c = client(
        &[V::TLSV1_2, V::TLSV1_3],
        &["ECDHE-RSA-AES128-GCM-SHA256"],
        &["x25519"],
    );
    let reason = failure(negotiate(
        &c,
        &policy("ELBSecurityPolicy-TLS13-1-3-2021-06"),
    ));
    assert_eq!(
        reason.to_string(),
        "no common cipher: the client offers no suite defined for TLS 1.3, the version it agrees \
         on with the policy"
    );
}

#[test]
fn ecdsa_only_common_suites_need_an_ecdsa_certificate() {
    let c = client(
        &[V::TLSV1_2],
        &[
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-ECDSA-AES256-GCM-SHA384",
        ],
        &["P-256"],
    );
    let reason = failure(negotiate(&c, &policy(TLS13_1_2)));
    assert_eq!(reason.code(), "certificate-missing");
    assert_eq!(
        reason.to_string(),
        "the policy's suites that this client offers under TLS 1.2 \
         (ECDHE-ECDSA-AES128-GCM-SHA256/ECDHE-ECDSA-AES256-GCM-SHA384) need an ECDSA certificate \
         the listener does not have"
    );
    // With an ECDSA certificate the same client succeeds.
    let both =
        policy(TLS13_1_2).with_certificates(&[RequiredCertificate::Rsa, RequiredCertificate::Ec]);
    let (_, suite, group) = success(negotiate(&c, &both));
    assert_eq!(suite, "ECDHE-ECDSA-AES128-GCM-SHA256");
    assert_eq!(group.as_deref(), Some("secp256r1"));
}

#[test]
fn no_common_group_under_tls13_and_tls12() {
    let rfc9151 = policy("ELBSecurityPolicy-TLS13-1-2-RFC9151-FIPS-2023-07");
    let tls13 = client(
        &[V::TLSV1_3],
        &["TLS_AES_256_GCM_SHA384"],
        &["x25519", "P-256"],
    );
    let reason = failure(negotiate(&tls13, &rfc9151));
    assert_eq!(reason.code(), "no-common-group");
    assert_eq!(
        reason.to_string(),
        "no common group under TLS 1.3: the client offers only x25519/secp256r1, the policy \
         accepts only secp384r1"
    );
    let tls12 = client(&[V::TLSV1_2], &["ECDHE-RSA-AES256-GCM-SHA384"], &["P-256"]);
    assert_eq!(
        failure(negotiate(&tls12, &rfc9151)).to_string(),
        "no common curve for ECDHE under TLS 1.2: the client offers only secp256r1, the policy \
         accepts only secp384r1"
    );
    let no_groups = client(&[V::TLSV1_3], &["TLS_AES_256_GCM_SHA384"], &[]);
    assert_eq!(
        failure(negotiate(&no_groups, &rfc9151)).to_string(),
        "no common group under TLS 1.3: the client sends no usable supported groups, the policy \
         accepts secp384r1"
    );
}

#[test]
fn reason_codes_are_unique_kebab_case() {
    let mut codes = FailureReason::CODES.to_vec();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), FailureReason::CODES.len());
    assert!(
        codes
            .iter()
            .all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
    );
}

#[test]
fn server_order_picks_the_policys_first_common_suite() {
    // The client prefers AES256; the policy ranks ECDHE-RSA-AES128-GCM-SHA256 first.
    let c = client(
        &[V::TLSV1_2],
        &["ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256"],
        &["secp384r1", "P-256"],
    );
    let (version, suite, group) = success(negotiate(&c, &policy(TLS13_1_2)));
    assert_eq!(version, V::TLSV1_2);
    assert_eq!(suite, "ECDHE-RSA-AES128-GCM-SHA256");
    // The curve follows the server's order too (x25519 is not offered, secp256r1 comes next).
    assert_eq!(group.as_deref(), Some("secp256r1"));

    let mut client_order = policy(TLS13_1_2);
    client_order.server_order = false;
    let (_, suite, group) = success(negotiate(&c, &client_order));
    assert_eq!(suite, "ECDHE-RSA-AES256-GCM-SHA384");
    assert_eq!(group.as_deref(), Some("secp384r1"));
}

#[test]
fn tls13_uses_the_clients_key_share_when_the_server_accepts_it() {
    let server = policy(TLS13_1_2); // x25519, secp256r1, secp384r1, secp521r1
    let p256_first = client(
        &[V::TLSV1_2, V::TLSV1_3],
        &["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"],
        &["P-256", "x25519"],
    );
    let (version, suite, group) = success(negotiate(&p256_first, &server));
    assert_eq!(version, V::TLSV1_3);
    assert_eq!(suite, "TLS_AES_128_GCM_SHA256", "server order");
    assert_eq!(group.as_deref(), Some("secp256r1"), "no HelloRetryRequest");

    // A first group the server lacks: HelloRetryRequest for the server's preferred common group.
    let x448_first = client(
        &[V::TLSV1_3],
        &["TLS_AES_128_GCM_SHA256"],
        &["x448", "P-384", "x25519"],
    );
    assert_eq!(
        success(negotiate(&x448_first, &server)).2.as_deref(),
        Some("x25519")
    );

    // A post-quantum first group comes with a classical key share, which a non-PQ policy takes;
    // a PQ policy prefers the hybrid.
    let browser = client(
        &[V::TLSV1_3],
        &["TLS_AES_128_GCM_SHA256"],
        &["X25519MLKEM768", "secp384r1", "x25519"],
    );
    assert_eq!(
        success(negotiate(&browser, &server)).2.as_deref(),
        Some("secp384r1")
    );
    let pq = policy("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09");
    assert_eq!(
        success(negotiate(&browser, &pq)).2.as_deref(),
        Some("X25519MLKEM768")
    );
}

#[test]
fn a_client_without_supported_groups_gets_the_servers_default_curve() {
    let c = client(&[V::TLSV1_0], &["ECDHE-RSA-AES128-SHA"], &[]);
    let (version, suite, group) = success(negotiate(&c, &policy("ELBSecurityPolicy-2016-08")));
    assert_eq!(
        (version, suite.as_str()),
        (V::TLSV1_0, "ECDHE-RSA-AES128-SHA")
    );
    assert_eq!(group.as_deref(), Some("secp256r1"));
}

#[test]
fn ecdhe_without_a_shared_curve_falls_back_to_rsa_key_transport() {
    let c = client(
        &[V::TLSV1_2],
        &["ECDHE-RSA-AES128-GCM-SHA256", "AES128-GCM-SHA256"],
        &["secp521r1"],
    );
    let (_, suite, group) = success(negotiate(&c, &policy("ELBSecurityPolicy-2016-08")));
    assert_eq!(suite, "AES128-GCM-SHA256");
    assert_eq!(group, None);
}

#[test]
fn unknown_groups_are_assumed() {
    let mut server = policy("ELBSecurityPolicy-2016-08");
    server.groups = None;
    assert!(!server.groups_known());
    let c = client(
        &[V::TLSV1_2],
        &["ECDHE-RSA-AES128-GCM-SHA256"],
        &["secp384r1"],
    );
    assert_eq!(
        success(negotiate(&c, &server)).2.as_deref(),
        Some("secp384r1")
    );
}

#[test]
fn a_probed_listener_is_judged_by_what_it_accepted() {
    let ecdhe_gcm = CipherSuite::from_name("ECDHE-RSA-AES128-GCM-SHA256").unwrap();
    let aes_cbc = CipherSuite::from_name("AES128-SHA").unwrap();
    let observed = Observed {
        protocols: vec![
            ProtocolObservation {
                version: V::TLSV1_1,
                support: Support::Rejected,
                ciphers: Vec::new(),
                server_order: None,
                complete: true,
            },
            ProtocolObservation {
                version: V::TLSV1_2,
                support: Support::Accepted,
                ciphers: vec![ecdhe_gcm, aes_cbc],
                server_order: Some(true),
                complete: true,
            },
        ],
        groups: GroupObservation {
            tls13: None,
            tls12: Some(vec![NamedGroup::SECP384R1]),
        },
        ..Observed::default()
    };
    let server = ServerSide::from_observed(&observed);
    assert_eq!(server.kind, ServerKind::Listener);
    assert_eq!(server.protocols, [V::TLSV1_2]);
    assert_eq!(server.certificates, [RequiredCertificate::Rsa]);
    let old = client(&[V::TLSV1_0, V::TLSV1_1], &["AES128-SHA"], &[]);
    assert_eq!(
        failure(negotiate(&old, &server)).to_string(),
        "client's highest version is TLS 1.1; the listener needs TLS 1.2"
    );
    // secp256r1 only: the ECDHE suite needs secp384r1 here, so AES128-SHA is what is left.
    let c = client(
        &[V::TLSV1_2],
        &["ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA"],
        &["P-256"],
    );
    assert_eq!(success(negotiate(&c, &server)).1, "AES128-SHA");
}

#[test]
fn an_ecdsa_certificate_needs_its_curve_offered_under_tls12() {
    let both = policy("ELBSecurityPolicy-FS-1-2-Res-2020-10")
        .with_certificates(&[RequiredCertificate::Rsa, RequiredCertificate::Ec]);
    let ecdsa_only = client(
        &[V::TLSV1_2],
        &["ECDHE-ECDSA-AES128-GCM-SHA256"],
        &["secp521r1"],
    );
    let reason = failure(negotiate(&ecdsa_only, &both));
    assert_eq!(reason.code(), "certificate-curve");
    assert_eq!(
        reason.to_string(),
        "the suites this client shares with the policy under TLS 1.2 need the listener's ECDSA \
         certificate, which is on secp256r1, a curve the client does not offer (it offers only \
         secp521r1)"
    );
    // With an RSA suite too, the RSA certificate is used (what OpenSSL does).
    let mixed = client(
        &[V::TLSV1_2],
        &[
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256",
        ],
        &["secp384r1"],
    );
    assert_eq!(
        success(negotiate(&mixed, &both)).1,
        "ECDHE-RSA-AES128-GCM-SHA256"
    );
    // On a P-384 certificate the ECDSA suite is fine.
    let p384 = both.with_ecdsa_curves(&[NamedGroup::SECP384R1]);
    assert_eq!(
        success(negotiate(&mixed, &p384)).1,
        "ECDHE-ECDSA-AES128-GCM-SHA256"
    );
}
