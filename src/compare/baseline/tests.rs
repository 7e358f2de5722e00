//! Every baseline rule, every baseline code, and the policy suggestion.

use super::*;
use crate::baseline::{PolicyPattern, preset};
use crate::finding::{Category, Severity};
use crate::model::certificate::{CertificateInfo, PublicKeyInfo, SignatureAlgorithm, Trust};
use crate::model::inventory::DeclaredPolicy;
use crate::model::observed::{GroupObservation, ProtocolObservation};

const LABEL: &str = "my-alb HTTPS:443 (123456789012/eu-west-1)";
const NOW: i64 = 1_750_000_000;
const SECONDS_PER_DAY: i64 = 86_400;

fn catalogue() -> Catalogue {
    Catalogue::builtin().unwrap()
}

fn policy(name: &str) -> Policy {
    catalogue()
        .get(name, LoadBalancerType::Application)
        .unwrap()
        .clone()
}

fn suites(names: &[&str]) -> Vec<CipherSuite> {
    names
        .iter()
        .map(|n| CipherSuite::from_name(n).unwrap())
        .collect()
}

fn protocol(version: ProtocolVersion, support: Support, ciphers: &[&str]) -> ProtocolObservation {
    ProtocolObservation {
        version,
        support,
        ciphers: suites(ciphers),
        server_order: Some(true),
        complete: true,
    }
}

/// A drifted listener: TLS 1.0 with a CBC/SHA-1/RSA suite, TLS 1.2 GCM, TLS 1.3 with classical
/// groups only.
fn legacy_listener() -> Observed {
    Observed {
        protocols: vec![
            protocol(ProtocolVersion::SSLV3, Support::Rejected, &[]),
            protocol(ProtocolVersion::TLSV1_0, Support::Accepted, &["AES128-SHA"]),
            protocol(ProtocolVersion::TLSV1_1, Support::Accepted, &["AES128-SHA"]),
            protocol(
                ProtocolVersion::TLSV1_2,
                Support::Accepted,
                &["ECDHE-RSA-AES128-GCM-SHA256", "AES128-SHA", "DES-CBC3-SHA"],
            ),
            protocol(
                ProtocolVersion::TLSV1_3,
                Support::Accepted,
                &["TLS_AES_128_GCM_SHA256"],
            ),
        ],
        groups: GroupObservation {
            tls13: Some(vec![NamedGroup::X25519, NamedGroup::SECP256R1]),
            tls12: None,
        },
        certificates: Vec::new(),
        warnings: Vec::new(),
        ..Observed::default()
    }
}

/// A listener that satisfies `strict`: TLS 1.2 AEAD/ECDHE, TLS 1.3 with a hybrid group.
fn clean_listener() -> Observed {
    Observed {
        protocols: vec![
            protocol(ProtocolVersion::TLSV1_0, Support::Rejected, &[]),
            protocol(ProtocolVersion::TLSV1_1, Support::Rejected, &[]),
            protocol(
                ProtocolVersion::TLSV1_2,
                Support::Accepted,
                &["ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"],
            ),
            protocol(
                ProtocolVersion::TLSV1_3,
                Support::Accepted,
                &["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384"],
            ),
        ],
        groups: GroupObservation {
            tls13: Some(vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519]),
            tls12: Some(vec![NamedGroup::X25519]),
        },
        certificates: vec![chain(
            "CN=good.example",
            KeyAlgorithm::Rsa,
            4096,
            NOW + 365 * SECONDS_PER_DAY,
        )],
        warnings: Vec::new(),
        ..Observed::default()
    }
}

fn chain(
    subject: &str,
    algorithm: KeyAlgorithm,
    bits: u32,
    not_after_unix: i64,
) -> CertificateChain {
    let leaf = CertificateInfo {
        subject: subject.into(),
        issuer: "CN=Test CA".into(),
        sans: Vec::new(),
        serial_hex: "01".into(),
        not_before: "2024-01-01T00:00:00Z".into(),
        not_before_unix: 0,
        not_after: format!("@{not_after_unix}"),
        not_after_unix,
        key: PublicKeyInfo {
            algorithm: algorithm.clone(),
            bits,
        },
        signature_algorithm: SignatureAlgorithm {
            name: "sha256WithRSAEncryption".into(),
            oid: "1.2.840.113549.1.1.11".into(),
        },
        sha256_fingerprint_hex: "00".into(),
        is_ca: false,
        self_signed: false,
    };
    CertificateChain {
        leaf_key: algorithm,
        certificates: vec![leaf],
        trust: Trust::NotChecked,
        name_matches: None,
        negotiated_version: None,
        negotiated_suite: None,
    }
}

fn http_listener(redirects_to_https: Option<bool>) -> Listener {
    Listener {
        arn: None,
        port: 80,
        protocol: "HTTP".into(),
        declared: DeclaredPolicy::None,
        certificates: Vec::new(),
        alpn_policy: Vec::new(),
        mutual_tls: None,
        redirects_to_https,
    }
}

fn codes(findings: &[Finding]) -> Vec<(&'static str, &str)> {
    findings
        .iter()
        .map(|f| (f.code.code(), f.subject.as_str()))
        .collect()
}

#[test]
fn a_listener_meeting_strict_has_no_finding() {
    let strict = preset("strict").unwrap();
    assert_eq!(check_observed(&strict, &clean_listener(), LABEL, NOW), []);
    let pq = policy("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09");
    assert_eq!(check_declared(&strict, &pq, LABEL), []);
}

#[test]
fn observed_protocols_below_the_minimum_give_one_finding_naming_them_all() {
    let modern = preset("modern").unwrap();
    let target = Target::new(LABEL).suggesting(Some("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"));
    let findings = check_observed(&modern, &legacy_listener(), target, NOW);
    let protocol: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.code == FindingCode::ProtocolBelowMinimum)
        .collect();
    assert_eq!(protocol.len(), 1);
    assert_eq!(protocol[0].subject, "TLSv1");
    assert_eq!(protocol[0].severity, Severity::High);
    assert_eq!(
        protocol[0].message,
        format!(
            "{LABEL} accepts TLSv1 and TLSv1.1, below the baseline minimum TLSv1.2: move it to \
             ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09 or stricter"
        )
    );
}

#[test]
fn weak_ciphers_give_one_finding_per_banned_class_and_per_uncovered_name() {
    let mut baseline = Baseline::empty("t");
    baseline.banned_classes = vec![
        SuiteProperty::Cbc,
        SuiteProperty::TripleDes,
        SuiteProperty::Rc4,
    ];
    baseline.banned_ciphers = suites(&["AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256"]);
    let findings = check_observed(&baseline, &legacy_listener(), LABEL, NOW);
    assert_eq!(
        codes(&findings),
        [
            ("weak-cipher-allowed", "cbc"),
            ("weak-cipher-allowed", "3des"),
            // AES128-SHA is already reported under `cbc`.
            ("weak-cipher-allowed", "ECDHE-RSA-AES128-GCM-SHA256"),
        ]
    );
    assert_eq!(
        findings[0].message,
        format!(
            "{LABEL} accepts 2 suites of the banned class `cbc` (AES128-SHA, DES-CBC3-SHA): move \
             it to a policy without CBC-mode suites"
        )
    );
    assert!(
        findings[2]
            .message
            .ends_with("ECDHE-RSA-AES128-GCM-SHA256, a suite the baseline bans by name: move it to a policy without ECDHE-RSA-AES128-GCM-SHA256"),
        "{}",
        findings[2].message
    );
}

#[test]
fn no_forward_secrecy_lists_the_static_suites() {
    let mut baseline = Baseline::empty("t");
    baseline.require_forward_secrecy = true;
    let findings = check_observed(&baseline, &legacy_listener(), LABEL, NOW);
    assert_eq!(codes(&findings), [("no-forward-secrecy", "")]);
    assert!(
        findings[0]
            .message
            .contains("accepts 2 suites without forward secrecy (AES128-SHA, DES-CBC3-SHA)"),
        "{}",
        findings[0].message
    );
    assert!(check_observed(&baseline, &clean_listener(), LABEL, NOW).is_empty());
}

#[test]
fn post_quantum_is_judged_from_tls13_groups_and_never_guessed() {
    let mut baseline = Baseline::empty("t");
    baseline.require_post_quantum = true;
    let classical = check_observed(&baseline, &legacy_listener(), LABEL, NOW);
    assert_eq!(codes(&classical), [("no-post-quantum", "")]);
    assert!(
        classical[0]
            .message
            .contains("accepts only classical key exchange (x25519, secp256r1)"),
        "{}",
        classical[0].message
    );

    let mut unprobed = legacy_listener();
    unprobed.groups.tls13 = None;
    assert!(check_observed(&baseline, &unprobed, LABEL, NOW).is_empty());

    let mut undetermined = legacy_listener();
    undetermined.protocols[4].support = Support::Unknown("timed out".into());
    assert!(check_observed(&baseline, &undetermined, LABEL, NOW).is_empty());

    let mut no_tls13 = legacy_listener();
    no_tls13.protocols[4] = protocol(ProtocolVersion::TLSV1_3, Support::Rejected, &[]);
    no_tls13.groups.tls13 = None;
    let findings = check_observed(&baseline, &no_tls13, LABEL, NOW);
    assert_eq!(codes(&findings), [("no-post-quantum", "")]);
    assert!(
        findings[0]
            .message
            .contains("accepts no TLS 1.3, so no post-quantum key exchange")
    );
}

#[test]
fn declared_checks_cover_protocols_classes_forward_secrecy_and_post_quantum() {
    let strict = preset("strict").unwrap();
    let legacy = policy("ELBSecurityPolicy-2016-08");
    let findings = check_declared(&strict, &legacy, LABEL);
    let found = codes(&findings);
    for expected in [
        ("policy-not-allowed", "ELBSecurityPolicy-2016-08"),
        ("protocol-below-minimum", "TLSv1"),
        ("weak-cipher-allowed", "cbc"),
        ("weak-cipher-allowed", "sha1"),
        ("weak-cipher-allowed", "rsa-key-transport"),
        ("no-forward-secrecy", ""),
        ("no-post-quantum", ""),
    ] {
        assert!(found.contains(&expected), "{expected:?} not in {found:?}");
    }
    assert!(findings[1].message.starts_with(&format!(
        "{LABEL} declares ELBSecurityPolicy-2016-08, which enables TLSv1 and TLSv1.1, below"
    )));
    let pq = findings
        .iter()
        .find(|f| f.code == FindingCode::NoPostQuantum)
        .unwrap();
    assert!(
        pq.message.contains("which enables no TLS 1.3"),
        "{}",
        pq.message
    );
    // The check gives the code's default; `compare::audit` applies the preset's override.
    assert_eq!(pq.severity, FindingCode::NoPostQuantum.severity());
    assert_eq!(
        strict.severity_of(FindingCode::NoPostQuantum),
        Severity::High,
        "strict raises no-post-quantum"
    );

    // TLS 1.3 with classical groups only.
    let classical = check_declared(
        &strict,
        &policy("ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
        LABEL,
    );
    assert_eq!(codes(&classical), [("no-post-quantum", "")]);

    // Unknown groups: nothing said about post-quantum.
    let mut unknown = policy("ELBSecurityPolicy-TLS13-1-2-Res-2021-06");
    unknown.groups = None;
    assert!(check_declared(&strict, &unknown, LABEL).is_empty());
}

#[test]
fn policy_name_rules_give_policy_not_allowed_and_not_fips() {
    let mut baseline = preset("fips").unwrap();
    baseline.allowed_policies = vec![PolicyPattern::new("ELBSecurityPolicy-TLS13-*")];
    baseline.denied_policies = vec![PolicyPattern::new("*-1-0-*")];
    let target = Target::new(LABEL).suggesting(Some("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"));

    let legacy = check_policy(&baseline, &policy("ELBSecurityPolicy-2016-08"), target);
    assert_eq!(
        codes(&legacy),
        [
            ("policy-not-allowed", "ELBSecurityPolicy-2016-08"),
            ("not-fips", "ELBSecurityPolicy-2016-08")
        ]
    );
    assert_eq!(
        legacy[0].message,
        format!(
            "{LABEL} declares ELBSecurityPolicy-2016-08, which is not among the baseline's allowed \
             policies (ELBSecurityPolicy-TLS13-*): move it to ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04 or stricter"
        )
    );
    assert!(
        legacy[1]
            .message
            .contains("is not a FIPS policy, but the baseline requires FIPS")
    );

    let denied = check_policy(
        &baseline,
        &policy("ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04"),
        LABEL,
    );
    assert_eq!(
        codes(&denied),
        [(
            "policy-not-allowed",
            "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04"
        )]
    );
    assert!(
        denied[0]
            .message
            .contains("which the baseline denies (`*-1-0-*`)")
    );

    assert!(
        check_policy(
            &baseline,
            &policy("ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"),
            LABEL
        )
        .is_empty()
    );
}

#[test]
fn certificates_expired_expiring_and_small_keys() {
    let modern = preset("modern").unwrap();
    let chains = [
        chain(
            "CN=old.example",
            KeyAlgorithm::Rsa,
            2048,
            NOW - 3 * SECONDS_PER_DAY,
        ),
        chain(
            "CN=soon.example",
            KeyAlgorithm::Rsa,
            2048,
            NOW + 10 * SECONDS_PER_DAY + 5,
        ),
        chain(
            "CN=weak.example",
            KeyAlgorithm::Rsa,
            1024,
            NOW + 90 * SECONDS_PER_DAY,
        ),
        chain(
            "CN=curve.example",
            KeyAlgorithm::Ec {
                curve: "P-224".into(),
            },
            224,
            NOW + 90 * SECONDS_PER_DAY,
        ),
        chain(
            "CN=fine.example",
            KeyAlgorithm::Ec {
                curve: "P-256".into(),
            },
            256,
            NOW + 31 * SECONDS_PER_DAY,
        ),
    ];
    let findings = check_certificates(&modern, &chains, LABEL, NOW);
    assert_eq!(
        codes(&findings),
        [
            ("certificate-expired", "CN=old.example"),
            ("certificate-expiring", "CN=soon.example"),
            ("certificate-key-too-small", "CN=weak.example"),
            ("certificate-key-too-small", "CN=curve.example"),
        ]
    );
    assert_eq!(findings[0].severity, Severity::Critical);
    assert!(
        findings[0].message.contains("which expired 3 days ago"),
        "{}",
        findings[0].message
    );
    assert!(
        findings[1].message.contains("expires in 10 days"),
        "{}",
        findings[1].message
    );
    assert!(
        findings[1]
            .message
            .contains("within the baseline's 30-day warning: renew it")
    );
    assert!(
        findings[2]
            .message
            .contains("with a 1024-bit RSA key, below the baseline minimum of 2048 bits"),
        "{}",
        findings[2].message
    );

    // Expiry is reported under any baseline; the other thresholds only when set.
    let empty = Baseline::empty("t");
    assert_eq!(
        codes(&check_certificates(&empty, &chains, LABEL, NOW)),
        [("certificate-expired", "CN=old.example")]
    );
}

#[test]
fn certificates_sharing_a_subject_get_distinct_subjects() {
    let modern = preset("modern").unwrap();
    let soon = NOW + SECONDS_PER_DAY;
    let chains = [
        chain("CN=dual.example", KeyAlgorithm::Rsa, 2048, soon),
        chain(
            "CN=dual.example",
            KeyAlgorithm::Ec {
                curve: "P-256".into(),
            },
            256,
            soon,
        ),
    ];
    let findings = check_observed(
        &modern,
        &Observed {
            certificates: chains.to_vec(),
            ..Observed::default()
        },
        LABEL,
        NOW,
    );
    assert_eq!(
        codes(&findings),
        [
            ("certificate-expiring", "CN=dual.example [RSA]"),
            ("certificate-expiring", "CN=dual.example [EC P-256]"),
        ]
    );
}

#[test]
fn plaintext_listeners_without_a_redirect() {
    let modern = preset("modern").unwrap();
    let label = "my-alb HTTP:80 (123456789012/eu-west-1)";
    let bare = check_plaintext(&modern, &http_listener(Some(false)), label);
    assert_eq!(codes(&bare), [("plaintext-listener", "")]);
    assert!(bare[0].message.starts_with(label));
    assert!(
        bare[0]
            .message
            .contains("make its default action a redirect to HTTPS")
    );
    let classic = check_plaintext(&modern, &http_listener(None), label);
    assert!(
        classic[0]
            .message
            .contains("Classic load balancers cannot redirect")
    );
    assert!(check_plaintext(&modern, &http_listener(Some(true)), label).is_empty());
    assert!(check_plaintext(&Baseline::empty("t"), &http_listener(Some(false)), label).is_empty());
    let mut https = http_listener(None);
    https.protocol = "HTTPS".into();
    assert!(check_plaintext(&modern, &https, label).is_empty());
}

#[test]
fn every_baseline_code_is_produced_by_some_rule() {
    let mut baseline = preset("strict").unwrap();
    baseline.require_fips = true;
    let legacy = policy("ELBSecurityPolicy-2016-08");
    let mut observed = legacy_listener();
    observed.certificates = vec![
        chain("CN=old", KeyAlgorithm::Rsa, 1024, NOW - 1),
        chain("CN=soon", KeyAlgorithm::Rsa, 4096, NOW + SECONDS_PER_DAY),
    ];
    let mut findings = check_declared(&baseline, &legacy, LABEL);
    findings.extend(check_observed(&baseline, &observed, LABEL, NOW));
    findings.extend(check_plaintext(
        &baseline,
        &http_listener(Some(false)),
        LABEL,
    ));
    for code in FindingCode::ALL
        .iter()
        .filter(|c| c.category() == Category::Baseline)
    {
        assert!(
            findings.iter().any(|f| f.code == *code),
            "no rule produced {code}"
        );
    }
    assert!(
        findings
            .iter()
            .all(|f| f.code.category() == Category::Baseline)
    );
    assert!(findings.iter().all(|f| f.message.starts_with(LABEL)));
}

#[test]
fn suggests_the_most_compatible_policy_that_meets_the_baseline() {
    let catalogue = catalogue();
    let name =
        |b: &str, lb| suggest_policy(&preset(b).unwrap(), &catalogue, lb).map(|p| p.name.clone());
    assert_eq!(
        name("modern", LoadBalancerType::Application).as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
    );
    assert_eq!(
        name("strict", LoadBalancerType::Network).as_deref(),
        Some("ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09")
    );
    let fips = name("fips", LoadBalancerType::Application).unwrap();
    assert!(fips.contains("FIPS"), "{fips}");
    // No Classic policy is TLS 1.2+ without CBC.
    assert_eq!(name("modern", LoadBalancerType::Classic), None);
    // Every suggestion passes the declared checks of its baseline.
    for b in ["modern", "strict", "fips"] {
        let baseline = preset(b).unwrap();
        let suggested =
            suggest_policy(&baseline, &catalogue, LoadBalancerType::Application).unwrap();
        assert!(
            check_declared(&baseline, suggested, LABEL).is_empty(),
            "{b}"
        );
    }
}
