//! The built-in presets. Built in code, not parsed, so naming one can never fail; the README's
//! "Baselines" section lists the same contents (`Baseline::to_toml` prints them).

use std::collections::BTreeMap;

use super::{Baseline, CertificateRules, PolicyPattern};
use crate::finding::{FindingCode, Severity};
use crate::tls::{ProtocolVersion, SuiteProperty};

/// A built-in baseline a user can name (`--baseline modern`) or extend (`extends = "modern"`).
#[derive(Clone, Copy, Debug)]
pub struct Preset {
    /// The name: `modern`, `strict`, `fips`.
    pub name: &'static str,
    /// One line for people.
    pub description: &'static str,
    build: fn() -> Baseline,
}

impl Preset {
    /// The baseline.
    pub fn baseline(&self) -> Baseline {
        let mut baseline = (self.build)();
        baseline.name = self.name.to_string();
        baseline.description = Some(self.description.to_string());
        baseline
    }
}

static PRESETS: [Preset; 3] = [
    Preset {
        name: "modern",
        description: "TLS 1.2 or newer; only AEAD suites with forward secrecy; RSA 2048+/EC 256+ \
                      certificates, warned 30 days before expiry; HTTP redirects to HTTPS",
        build: modern,
    },
    Preset {
        name: "strict",
        description: "modern, plus a TLS13-family policy with post-quantum key exchange; RSA \
                      3072+ certificates, warned 45 days before expiry; weak suites are high",
        build: strict,
    },
    Preset {
        name: "fips",
        description: "a FIPS policy (AWS-LC FIPS module), TLS 1.2 or newer, no cipher NIST \
                      SP 800-131A disallows; RSA 2048+/EC 256+ certificates; HTTPS redirects",
        build: fips,
    },
];

/// Every preset, in the order `elbtls baseline list` shows them.
pub fn presets() -> &'static [Preset] {
    &PRESETS
}

/// Every weakness class: CBC, SHA-1, MD5, RSA key transport, 3DES, DES, RC4, NULL, export,
/// anonymous.
fn every_weakness() -> Vec<SuiteProperty> {
    SuiteProperty::ALL
        .into_iter()
        .filter(|p| p.is_weakness())
        .collect()
}

fn modern() -> Baseline {
    Baseline {
        min_protocol: Some(ProtocolVersion::TLSV1_2),
        banned_classes: every_weakness(),
        require_forward_secrecy: true,
        certificate: CertificateRules {
            expiry_warning_days: 30,
            min_rsa_bits: 2048,
            min_ec_bits: 256,
        },
        require_https_redirect: true,
        ..Baseline::empty("modern")
    }
}

fn strict() -> Baseline {
    Baseline {
        allowed_policies: vec![PolicyPattern::new("ELBSecurityPolicy-TLS13-*")],
        require_post_quantum: true,
        certificate: CertificateRules {
            expiry_warning_days: 45,
            min_rsa_bits: 3072,
            min_ec_bits: 256,
        },
        severity: BTreeMap::from([
            (FindingCode::WeakCipherAllowed, Severity::High),
            (FindingCode::NoForwardSecrecy, Severity::High),
            (FindingCode::NoPostQuantum, Severity::High),
        ]),
        ..modern()
    }
}

fn fips() -> Baseline {
    Baseline {
        min_protocol: Some(ProtocolVersion::TLSV1_2),
        // CBC and HMAC-SHA1 remain FIPS-approved; PKCS#1 v1.5 RSA key transport is disallowed
        // after 2023 (SP 800-131A Rev. 2), 3DES after 2023, the rest never was approved.
        banned_classes: vec![
            SuiteProperty::Md5,
            SuiteProperty::RsaKeyTransport,
            SuiteProperty::TripleDes,
            SuiteProperty::Des,
            SuiteProperty::Rc4,
            SuiteProperty::NullCipher,
            SuiteProperty::Export,
            SuiteProperty::Anonymous,
        ],
        require_fips: true,
        certificate: CertificateRules {
            expiry_warning_days: 30,
            min_rsa_bits: 2048,
            min_ec_bits: 256,
        },
        require_https_redirect: true,
        ..Baseline::empty("fips")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::preset;
    use crate::catalogue::Catalogue;

    #[test]
    fn presets_have_unique_names_and_load_by_name() {
        let names: Vec<&str> = presets().iter().map(|p| p.name).collect();
        assert_eq!(names, ["modern", "strict", "fips"]);
        for p in presets() {
            let baseline = preset(p.name).unwrap();
            assert_eq!(baseline.name, p.name);
            assert_eq!(baseline.description.as_deref(), Some(p.description));
        }
        assert!(preset("lenient").is_none());
    }

    #[test]
    fn preset_contents_are_as_documented() {
        let modern = preset("modern").unwrap();
        assert_eq!(modern.min_protocol, Some(ProtocolVersion::TLSV1_2));
        let codes: Vec<&str> = modern.banned_classes.iter().map(|c| c.code()).collect();
        assert_eq!(
            codes,
            [
                "cbc",
                "sha1",
                "md5",
                "rsa-key-transport",
                "3des",
                "des",
                "rc4",
                "null",
                "export",
                "anonymous"
            ]
        );
        assert!(modern.require_forward_secrecy && modern.require_https_redirect);
        assert!(!modern.require_fips && !modern.require_post_quantum);
        assert_eq!(modern.certificate.min_rsa_bits, 2048);

        let strict = preset("strict").unwrap();
        assert!(strict.require_post_quantum && strict.require_forward_secrecy);
        assert_eq!(strict.certificate.min_rsa_bits, 3072);
        assert_eq!(
            strict.severity_of(FindingCode::WeakCipherAllowed),
            Severity::High
        );

        let fips = preset("fips").unwrap();
        assert!(fips.require_fips && !fips.require_forward_secrecy);
        assert!(!fips.banned_classes.contains(&SuiteProperty::Cbc));
    }

    #[test]
    fn presets_round_trip_through_their_toml_and_their_patterns_match_the_catalogue() {
        let catalogue = Catalogue::builtin().unwrap();
        for p in presets() {
            let baseline = p.baseline();
            let text = baseline.to_toml();
            let mut parsed = crate::baseline::parse(p.name, &text, &catalogue)
                .unwrap_or_else(|e| panic!("{e}\n{text}"));
            parsed.name = baseline.name.clone();
            assert_eq!(parsed, baseline, "{text}");
        }
    }
}
