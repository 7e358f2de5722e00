//! What a server's certificates say: the facts a probe reads from each certificate of the chain
//! a server presents, and what they imply for the audit (which suites can ever be observed).
//!
//! Pure data: produced by `probe::cert`, read by `compare` and `report`. Nothing here does I/O.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::tls::{CipherSuite, ProtocolVersion, RequiredCertificate};

/// Seconds in a day, for expiry arithmetic (UTC has no leap seconds in Unix time).
const SECONDS_PER_DAY: i64 = 86_400;

/// The algorithm of a certificate's public key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum KeyAlgorithm {
    /// RSA (`rsaEncryption`, and RSASSA-PSS keys).
    Rsa,
    /// An elliptic-curve key (`id-ecPublicKey`).
    Ec {
        /// The named curve: `P-256`, `P-384`, `P-521`, `secp256k1`, or the curve's OID when it
        /// has no name here (`explicit` when the parameters are spelled out instead of named).
        curve: String,
    },
    /// Ed25519 (RFC 8410).
    Ed25519,
    /// Ed448 (RFC 8410).
    Ed448,
    /// DSA (`id-dsa`).
    Dsa,
    /// Any other algorithm (DH, GOST, …).
    Other {
        /// The algorithm's short name, or its dotted OID.
        name: String,
    },
}

impl KeyAlgorithm {
    /// Whether a leaf with this key lets a server negotiate suites that need `required`.
    ///
    /// `Rsa` needs an RSA key and `Dsa` a DSA key. `Ec` (the `ECDHE_ECDSA` suites) is satisfied by
    /// an EC key and also by Ed25519/Ed448, which RFC 8422 allows in those suites. `Any` (TLS 1.3)
    /// and `None` (anonymous, PSK) need no particular key. Static DH and GOST keys are not
    /// recognised here, so `Dh` and `Gost` are never satisfied (no load balancer serves them).
    pub fn satisfies(&self, required: RequiredCertificate) -> bool {
        match required {
            RequiredCertificate::None | RequiredCertificate::Any => true,
            RequiredCertificate::Rsa => matches!(self, Self::Rsa),
            RequiredCertificate::Ec => {
                matches!(self, Self::Ec { .. } | Self::Ed25519 | Self::Ed448)
            }
            RequiredCertificate::Dsa => matches!(self, Self::Dsa),
            RequiredCertificate::Dh | RequiredCertificate::Gost => false,
        }
    }
}

impl fmt::Display for KeyAlgorithm {
    /// `RSA`, `EC P-256`, `Ed25519`, `Ed448`, `DSA`, or the other algorithm's name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa => f.write_str("RSA"),
            Self::Ec { curve } => write!(f, "EC {curve}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Ed448 => f.write_str("Ed448"),
            Self::Dsa => f.write_str("DSA"),
            Self::Other { name } => f.write_str(name),
        }
    }
}

/// Which kinds of certificate requirement a server holding leaves with these keys can satisfy:
/// the suites needing any other kind can never be observed at that server, whatever its policy
/// says (an RSA-only listener never negotiates an `ECDHE_ECDSA` suite).
///
/// `Any` and `None` are always included, even for an empty set.
pub fn observable_requirements<'a>(
    leaf_keys: impl IntoIterator<Item = &'a KeyAlgorithm>,
) -> BTreeSet<RequiredCertificate> {
    const ALL: [RequiredCertificate; 7] = [
        RequiredCertificate::None,
        RequiredCertificate::Any,
        RequiredCertificate::Rsa,
        RequiredCertificate::Ec,
        RequiredCertificate::Dsa,
        RequiredCertificate::Dh,
        RequiredCertificate::Gost,
    ];
    let keys: Vec<&KeyAlgorithm> = leaf_keys.into_iter().collect();
    ALL.into_iter()
        .filter(|&required| {
            matches!(
                required,
                RequiredCertificate::None | RequiredCertificate::Any
            ) || keys.iter().any(|key| key.satisfies(required))
        })
        .collect()
}

/// A certificate's subject public key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PublicKeyInfo {
    /// The key algorithm (and curve).
    pub algorithm: KeyAlgorithm,
    /// The key size in bits: the RSA modulus or DSA `p` length, the curve's field size; 0 when
    /// unknown.
    pub bits: u32,
}

/// The algorithm a certificate was signed with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignatureAlgorithm {
    /// The OpenSSL-style short name (`sha256WithRSAEncryption`, `ecdsa-with-SHA384`,
    /// `rsassa-pss`, `ed25519`), or the dotted OID when the name is unknown.
    pub name: String,
    /// The dotted OID (`1.2.840.113549.1.1.11`).
    pub oid: String,
}

/// The facts read from one X.509 certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    /// The subject distinguished name, RFC 4514 style (`CN=example.com, O=Example`).
    pub subject: String,
    /// The issuer distinguished name, same format.
    pub issuer: String,
    /// The subject alternative names, in certificate order: DNS names as they are
    /// (`*.example.com`), IP addresses as text (`192.0.2.1`), others prefixed (`email:…`,
    /// `URI:…`).
    pub sans: Vec<String>,
    /// The serial number in lowercase hex, without the DER sign byte.
    pub serial_hex: String,
    /// Start of validity, RFC 3339 UTC (`2025-01-31T12:00:00Z`).
    pub not_before: String,
    /// Start of validity, Unix seconds.
    pub not_before_unix: i64,
    /// End of validity (inclusive), RFC 3339 UTC.
    pub not_after: String,
    /// End of validity, Unix seconds.
    pub not_after_unix: i64,
    /// The subject public key.
    pub key: PublicKeyInfo,
    /// The issuer's signature algorithm.
    pub signature_algorithm: SignatureAlgorithm,
    /// SHA-256 of the DER, lowercase hex without separators.
    pub sha256_fingerprint_hex: String,
    /// Whether basicConstraints marks it as a CA.
    pub is_ca: bool,
    /// Whether the issuer name equals the subject name (the signature itself is not checked).
    pub self_signed: bool,
}

/// Whole days from `from_unix` to `to_unix`, rounded down (negative when `to` is earlier). The one
/// date difference of the program: `probe` and `audit` count the days of a certificate with it,
/// so they always say the same.
pub fn whole_days(from_unix: i64, to_unix: i64) -> i64 {
    (to_unix - from_unix).div_euclid(SECONDS_PER_DAY)
}

impl CertificateInfo {
    /// Whole days from `now_unix` until the end of validity; negative once expired.
    pub fn days_until_expiry(&self, now_unix: i64) -> i64 {
        whole_days(now_unix, self.not_after_unix)
    }

    /// Whole days since the end of validity (0 on the day it ended); negative before.
    pub fn days_since_expiry(&self, now_unix: i64) -> i64 {
        whole_days(self.not_after_unix, now_unix)
    }

    /// When the leaf expires or expired, in words, as every report says it: `today`, `1 day ago`,
    /// `N days ago` once expired; `within a day`, `in 1 day`, `in N days` before.
    pub fn expiry_words(&self, now_unix: i64) -> String {
        if self.expired(now_unix) {
            match self.days_since_expiry(now_unix) {
                0 => "today".to_string(),
                1 => "1 day ago".to_string(),
                n => format!("{n} days ago"),
            }
        } else {
            match self.days_until_expiry(now_unix) {
                0 => "within a day".to_string(),
                1 => "in 1 day".to_string(),
                n => format!("in {n} days"),
            }
        }
    }

    /// Whether `now_unix` is past the end of validity.
    pub fn expired(&self, now_unix: i64) -> bool {
        now_unix > self.not_after_unix
    }

    /// Whether `now_unix` is before the start of validity.
    pub fn not_yet_valid(&self, now_unix: i64) -> bool {
        now_unix < self.not_before_unix
    }
}

/// Whether a chain leads to a trusted root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Trust {
    /// It chains to a root of the web PKI (Mozilla's root program, as shipped by `webpki-roots`)
    /// and is valid now.
    Trusted,
    /// The check ran and failed.
    Untrusted {
        /// Why (`unknown issuer`, `certificate expired: …`).
        reason: String,
    },
    /// The chain was not checked (read from a plaintext TLS ≤ 1.2 Certificate message, or the
    /// check could not run).
    NotChecked,
}

impl Trust {
    /// Whether the chain is trusted.
    pub fn is_trusted(&self) -> bool {
        matches!(self, Self::Trusted)
    }
}

/// One certificate chain as a server presented it, leaf first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateChain {
    /// The leaf's key algorithm (the key that decides which suites the server can negotiate).
    pub leaf_key: KeyAlgorithm,
    /// The certificates in the order they were sent; the first is the leaf.
    pub certificates: Vec<CertificateInfo>,
    /// Whether the chain leads to a web PKI root (the server name is checked separately, in
    /// `name_matches`).
    pub trust: Trust,
    /// Whether the leaf is valid for the server name the probe was given; `None` when no name was
    /// given or the check did not run.
    pub name_matches: Option<bool>,
    /// The protocol version of the handshake that presented the chain, when it completed.
    #[serde(serialize_with = "display_option")]
    pub negotiated_version: Option<ProtocolVersion>,
    /// The cipher suite of that handshake, when it completed.
    #[serde(serialize_with = "display_option")]
    pub negotiated_suite: Option<CipherSuite>,
}

impl CertificateChain {
    /// The leaf certificate, if the chain has any certificate.
    pub fn leaf(&self) -> Option<&CertificateInfo> {
        self.certificates.first()
    }

    /// Whole days from `now_unix` until the leaf expires (negative once expired); `None` for a
    /// chain without certificates.
    pub fn days_until_expiry(&self, now_unix: i64) -> Option<i64> {
        self.leaf().map(|leaf| leaf.days_until_expiry(now_unix))
    }

    /// Whether the leaf has expired at `now_unix` (false for a chain without certificates).
    pub fn expired(&self, now_unix: i64) -> bool {
        self.leaf().is_some_and(|leaf| leaf.expired(now_unix))
    }
}

/// The family of signature schemes a certificate handshake offered, to make a server holding
/// several certificates present each of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureFamily {
    /// ECDSA (and EdDSA) schemes, and the `ECDHE_ECDSA` suites for TLS 1.2.
    Ecdsa,
    /// RSA PKCS#1 and PSS schemes, and the `ECDHE_RSA` suites for TLS 1.2.
    Rsa,
}

impl fmt::Display for SignatureFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Ecdsa => "ECDSA",
            Self::Rsa => "RSA",
        })
    }
}

/// How one certificate handshake ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The server presented a chain.
    Presented {
        /// The leaf's SHA-256 fingerprint (lowercase hex), to find it in `chains`.
        leaf_sha256: String,
    },
    /// The server refused with an alert: it holds no certificate usable with the offered
    /// schemes. An answer, not an error.
    NoCertificateOfThatType {
        /// The alert it sent (`HandshakeFailure`).
        alert: String,
    },
    /// The handshake failed for another reason (refused, timed out, reset, not TLS).
    Failed {
        /// The failure as seen (refused, timed out, reset, not TLS), in words.
        reason: String,
    },
}

/// One certificate handshake and its outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CertificateAttempt {
    /// The signature schemes offered.
    pub offered: SignatureFamily,
    /// What came of it.
    pub outcome: AttemptOutcome,
}

/// Everything the certificate handshakes with one endpoint found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CertificateReport {
    /// The chains presented, one per distinct leaf (an ECDSA and an RSA one when the server holds
    /// both), in the order found.
    pub chains: Vec<CertificateChain>,
    /// One entry per handshake attempted.
    pub attempts: Vec<CertificateAttempt>,
    /// TCP connections opened.
    pub connections: u32,
    /// Failures, each naming the endpoint and the handshake; a server without a certificate of
    /// one type is not an error.
    pub errors: Vec<String>,
    /// The handshakes that ended without the server's answer (connect failure, timeout, reset, a
    /// chain too large or too malformed to take in), with the reason: whatever certificate the
    /// server holds for that family is unknown. A refusal by alert is an answer, not listed here.
    #[serde(skip)]
    pub unanswered: Vec<(SignatureFamily, String)>,
}

impl CertificateReport {
    /// The requirement kinds the presented leaves satisfy (see [`observable_requirements`]).
    pub fn observable_requirements(&self) -> BTreeSet<RequiredCertificate> {
        observable_requirements(self.chains.iter().map(|chain| &chain.leaf_key))
    }
}

fn display_option<T: fmt::Display, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.collect_str(value),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn certificate(not_before_unix: i64, not_after_unix: i64) -> CertificateInfo {
        CertificateInfo {
            subject: "CN=example.test".into(),
            issuer: "CN=example.test".into(),
            sans: vec!["example.test".into()],
            serial_hex: "01".into(),
            not_before: String::new(),
            not_before_unix,
            not_after: String::new(),
            not_after_unix,
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
        }
    }

    fn chain(leaf: CertificateInfo) -> CertificateChain {
        CertificateChain {
            leaf_key: leaf.key.algorithm.clone(),
            certificates: vec![leaf],
            trust: Trust::NotChecked,
            name_matches: None,
            negotiated_version: Some(ProtocolVersion::TLSV1_3),
            negotiated_suite: Some(CipherSuite(0x1301)),
        }
    }

    #[test]
    fn days_until_expiry_counts_whole_days_and_goes_negative() {
        let chain = chain(certificate(0, 10 * SECONDS_PER_DAY));
        assert_eq!(chain.days_until_expiry(0), Some(10));
        assert_eq!(chain.days_until_expiry(SECONDS_PER_DAY / 2), Some(9));
        assert_eq!(chain.days_until_expiry(10 * SECONDS_PER_DAY), Some(0));
        assert_eq!(chain.days_until_expiry(10 * SECONDS_PER_DAY + 1), Some(-1));
        assert!(!chain.expired(10 * SECONDS_PER_DAY));
        assert!(chain.expired(10 * SECONDS_PER_DAY + 1));
    }

    #[test]
    fn days_are_counted_the_same_way_both_sides_of_expiry() {
        let leaf = certificate(0, 10 * SECONDS_PER_DAY);
        let after = |days: f64| 10 * SECONDS_PER_DAY + (days * SECONDS_PER_DAY as f64) as i64;
        // A day and a half after expiry is one whole day ago, not two.
        assert_eq!(leaf.days_since_expiry(after(1.5)), 1);
        assert_eq!(leaf.expiry_words(after(1.5)), "1 day ago");
        assert_eq!(leaf.expiry_words(after(0.5)), "today");
        assert_eq!(leaf.expiry_words(after(3.0)), "3 days ago");
        assert_eq!(leaf.expiry_words(after(-0.5)), "within a day");
        assert_eq!(leaf.expiry_words(after(-1.5)), "in 1 day");
        assert_eq!(leaf.expiry_words(0), "in 10 days");
        assert_eq!(whole_days(0, -1), -1);
    }

    #[test]
    fn a_chain_without_certificates_has_no_expiry() {
        let mut chain = chain(certificate(0, 1));
        chain.certificates.clear();
        assert_eq!(chain.days_until_expiry(0), None);
        assert!(!chain.expired(100));
    }

    #[test]
    fn rsa_only_server_never_shows_ecdsa_suites() {
        let observable = observable_requirements([&KeyAlgorithm::Rsa]);
        assert!(observable.contains(&RequiredCertificate::Rsa));
        assert!(observable.contains(&RequiredCertificate::Any));
        assert!(observable.contains(&RequiredCertificate::None));
        assert!(!observable.contains(&RequiredCertificate::Ec));
    }

    #[test]
    fn dual_certificate_server_shows_both() {
        let ec = KeyAlgorithm::Ec {
            curve: "P-256".into(),
        };
        let observable = observable_requirements([&KeyAlgorithm::Rsa, &ec]);
        assert!(observable.contains(&RequiredCertificate::Rsa));
        assert!(observable.contains(&RequiredCertificate::Ec));
        assert!(!observable.contains(&RequiredCertificate::Dsa));
    }

    #[test]
    fn eddsa_leaf_satisfies_ecdsa_suites_and_empty_set_only_any_and_none() {
        assert!(KeyAlgorithm::Ed25519.satisfies(RequiredCertificate::Ec));
        assert!(!KeyAlgorithm::Ed25519.satisfies(RequiredCertificate::Rsa));
        let none: [&KeyAlgorithm; 0] = [];
        assert_eq!(
            observable_requirements(none),
            BTreeSet::from([RequiredCertificate::None, RequiredCertificate::Any])
        );
    }

    #[test]
    fn serialises_key_trust_and_negotiated_values_readably() {
        let json = serde_json::to_value(chain(certificate(0, 1))).unwrap();
        assert_eq!(json["leaf_key"], serde_json::json!({"type": "rsa"}));
        assert_eq!(json["trust"], serde_json::json!({"status": "not_checked"}));
        assert_eq!(json["negotiated_version"], "TLSv1.3");
        assert_eq!(
            serde_json::to_value(KeyAlgorithm::Ec {
                curve: "P-384".into()
            })
            .unwrap(),
            serde_json::json!({"type": "ec", "curve": "P-384"})
        );
    }
}
