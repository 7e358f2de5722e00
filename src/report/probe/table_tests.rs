use super::*;
use crate::baseline::preset;
use crate::compare::baseline::check_certificates;
use crate::model::certificate::{CertificateInfo, PublicKeyInfo, SignatureAlgorithm};
use crate::tls::{CipherSuite, ProtocolVersion};

const NOT_AFTER: i64 = 1_790_000_000;

fn chain() -> CertificateChain {
    CertificateChain {
        leaf_key: KeyAlgorithm::Rsa,
        certificates: vec![CertificateInfo {
            subject: "CN=expired.elbtls.test".into(),
            issuer: "CN=expired.elbtls.test".into(),
            sans: vec!["expired.elbtls.test".into()],
            serial_hex: "01".into(),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_before_unix: NOT_AFTER - 90 * 86_400,
            not_after: "2026-09-21T12:53:20Z".into(),
            not_after_unix: NOT_AFTER,
            key: PublicKeyInfo {
                algorithm: KeyAlgorithm::Rsa,
                bits: 2048,
            },
            signature_algorithm: SignatureAlgorithm {
                name: "sha256WithRSAEncryption".into(),
                oid: "1.2.840.113549.1.1.11".into(),
            },
            sha256_fingerprint_hex: "00".into(),
            is_ca: false,
            self_signed: true,
        }],
        trust: Trust::Untrusted {
            reason: "certificate expired".into(),
        },
        name_matches: Some(false),
        negotiated_version: Some(ProtocolVersion::TLSV1_3),
        negotiated_suite: Some(CipherSuite(0x1301)),
    }
}

fn line(chain: &CertificateChain, now: i64) -> String {
    certificate_line(chain, now)
}

#[test]
fn probe_and_audit_count_the_days_since_expiry_alike() {
    let chain = chain();
    for (now, words) in [
        (NOT_AFTER + 86_400 * 3 / 2, "1 day ago"),
        (NOT_AFTER + 3_600, "today"),
        (NOT_AFTER + 86_400 * 5 + 1, "5 days ago"),
    ] {
        let probe = line(&chain, now);
        let audit = check_certificates(
            &preset("modern").unwrap(),
            std::slice::from_ref(&chain),
            "lb HTTPS:443 (1/r)",
            now,
        );
        assert!(probe.contains(&format!("({words})")), "{probe}");
        assert!(
            audit[0].message.contains(&format!("expired {words} ")),
            "{}",
            audit[0].message
        );
    }
}

#[test]
fn the_certificate_line_says_whether_the_name_matches() {
    let mut chain = chain();
    assert!(line(&chain, 0).contains("NAME MISMATCH"));
    chain.name_matches = Some(true);
    assert!(line(&chain, 0).contains("name matches"));
    chain.name_matches = None;
    assert!(!line(&chain, 0).contains("name"));
}

mod fitted {
    //! The probe table at 80, 100 and 200 columns, from one endpoint that accepts TLS 1.0
    //! besides TLS 1.2 and 1.3, compared with the policy it should run.

    use std::time::Duration;

    use super::chain;
    use crate::catalogue::Catalogue;
    use crate::compare::drift;
    use crate::model::LoadBalancerType;
    use crate::model::observed::{
        Endpoint, GroupObservation, Observation, Observed, ProbeOutcome, ProtocolObservation,
    };
    use crate::report::layout::Layout;
    use crate::report::probe::{Comparison, EndpointReport, table};
    use crate::tls::{NamedGroup, ProtocolVersion};

    const HOST: &str = "api-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com";
    const NOW: i64 = super::NOT_AFTER - 30 * 86_400;

    fn observed() -> Observed {
        use ProtocolVersion as V;
        Observed {
            protocols: vec![
                ProtocolObservation::named(V::SSLV3, &[]),
                ProtocolObservation::named(V::TLSV1_0, &["ECDHE-RSA-AES128-SHA", "AES128-SHA"]),
                ProtocolObservation::named(V::TLSV1_1, &[]),
                ProtocolObservation::named(
                    V::TLSV1_2,
                    &[
                        "ECDHE-RSA-AES128-GCM-SHA256",
                        "ECDHE-RSA-AES256-GCM-SHA384",
                        "ECDHE-RSA-AES128-SHA256",
                        "ECDHE-RSA-CHACHA20-POLY1305",
                        "AES128-SHA",
                    ],
                ),
                ProtocolObservation::named(
                    V::TLSV1_3,
                    &[
                        "TLS_AES_128_GCM_SHA256",
                        "TLS_AES_256_GCM_SHA384",
                        "TLS_CHACHA20_POLY1305_SHA256",
                    ],
                ),
            ],
            groups: GroupObservation {
                tls13: Some(vec![NamedGroup::X25519, NamedGroup::SECP256R1]),
                tls12: Some(vec![NamedGroup::SECP256R1, NamedGroup::SECP384R1]),
            },
            certificates: vec![chain()],
            ..Observed::default()
        }
    }

    fn rendered(width: usize) -> String {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Network,
            )
            .unwrap();
        let observed = observed();
        let differences = drift(policy, &observed);
        let report = EndpointReport {
            observation: Observation {
                endpoint: Endpoint {
                    host: HOST.to_string(),
                    port: 443,
                    address: Some("192.0.2.10:443".parse().unwrap()),
                    sni: Some(HOST.to_string()),
                },
                outcome: ProbeOutcome::Completed(observed),
                connections: 42,
                duration: Duration::from_millis(1234),
            },
            comparison: Some(Comparison::Policy {
                policy,
                differences,
            }),
        };
        let mut out = Vec::new();
        table::render_at(&[report], NOW, &Layout::plain(width), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn too_long(text: &str, width: usize) -> Vec<&str> {
        text.lines().filter(|l| l.chars().count() > width).collect()
    }

    /// The table's rows: from the line after its rule to the first line starting with a space.
    fn table_rows(text: &str) -> Vec<&str> {
        text.lines()
            .skip_while(|l| !l.starts_with('─'))
            .skip(1)
            .take_while(|l| !l.starts_with(' ') || l.trim_start().starts_with(char::is_numeric))
            .collect()
    }

    #[test]
    fn at_100_columns_every_suite_is_one_line_and_no_line_is_longer() {
        let text = rendered(100);
        assert_eq!(too_long(&text, 100), Vec::<&str>::new(), "\n{text}");
        let rows = table_rows(&text);
        assert_eq!(rows.len(), 2 + 5 + 3, "{rows:#?}\n{text}");
        for (row, code) in rows.iter().zip(["0x1301", "0x1302", "0x1303", "0xC02F"]) {
            assert!(row.contains(code), "{row}");
        }
        // Every difference is there.
        assert!(text.contains("protocol-not-in-policy"), "{text}");
        assert!(text.contains("cipher-not-in-policy"), "{text}");
    }

    #[test]
    fn at_80_columns() {
        let text = rendered(80);
        assert_eq!(too_long(&text, 80), Vec::<&str>::new(), "\n{text}");
        // The IANA names went; the OpenSSL names stayed.
        assert!(!text.contains("IANA name"), "{text}");
        insta::assert_snapshot!("probe_table_80", text);
    }

    #[test]
    fn at_200_columns() {
        let text = rendered(200);
        assert!(
            text.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
            "{text}"
        );
        insta::assert_snapshot!("probe_table_200", text);
    }
}
