//! DER X.509 certificates to [`CertificateInfo`]: the facts the audit reports, read without
//! checking any signature.

use std::net::{Ipv4Addr, Ipv6Addr};

use x509_parser::certificate::X509Certificate;
use x509_parser::der_parser::der::parse_der_integer;
use x509_parser::extensions::GeneralName;
use x509_parser::objects::{oid_registry, oid2sn};
use x509_parser::oid_registry::Oid;
use x509_parser::prelude::FromDer;
use x509_parser::public_key::RSAPublicKey;
use x509_parser::time::ASN1Time;

use crate::model::certificate::{CertificateInfo, KeyAlgorithm, PublicKeyInfo, SignatureAlgorithm};

/// A certificate that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// The bytes are not a DER X.509 certificate.
    #[error("not a DER X.509 certificate: {0}")]
    Malformed(String),
    /// A valid certificate followed by other bytes.
    #[error("{0} bytes follow the DER certificate")]
    TrailingData(usize),
}

/// Reads the facts of one DER-encoded X.509 certificate. Never panics, whatever the bytes.
pub fn parse_certificate(der: &[u8]) -> Result<CertificateInfo, CertError> {
    let (rest, cert) =
        X509Certificate::from_der(der).map_err(|error| CertError::Malformed(error.to_string()))?;
    if !rest.is_empty() {
        return Err(CertError::TrailingData(rest.len()));
    }
    let validity = cert.validity();
    let signature_oid = &cert.signature_algorithm.algorithm;
    Ok(CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        sans: subject_alternative_names(&cert)?,
        serial_hex: hex(strip_leading_zeros(cert.raw_serial())),
        not_before: rfc3339(&validity.not_before),
        not_before_unix: validity.not_before.timestamp(),
        not_after: rfc3339(&validity.not_after),
        not_after_unix: validity.not_after.timestamp(),
        key: public_key(&cert),
        signature_algorithm: SignatureAlgorithm {
            name: oid_name(signature_oid),
            oid: signature_oid.to_id_string(),
        },
        sha256_fingerprint_hex: hex(ring::digest::digest(&ring::digest::SHA256, der).as_ref()),
        is_ca: cert.is_ca(),
        self_signed: cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

fn subject_alternative_names(cert: &X509Certificate<'_>) -> Result<Vec<String>, CertError> {
    let Some(extension) = cert
        .subject_alternative_name()
        .map_err(|error| CertError::Malformed(format!("subjectAltName: {error}")))?
    else {
        return Ok(Vec::new());
    };
    Ok(extension
        .value
        .general_names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DNSName(dns) => Some((*dns).to_string()),
            GeneralName::IPAddress(bytes) => Some(ip_text(bytes)),
            GeneralName::RFC822Name(email) => Some(format!("email:{email}")),
            GeneralName::URI(uri) => Some(format!("URI:{uri}")),
            GeneralName::DirectoryName(dn) => Some(format!("DirName:{dn}")),
            _ => None,
        })
        .collect())
}

fn ip_text(bytes: &[u8]) -> String {
    if let Ok(octets) = <[u8; 4]>::try_from(bytes) {
        Ipv4Addr::from(octets).to_string()
    } else if let Ok(octets) = <[u8; 16]>::try_from(bytes) {
        Ipv6Addr::from(octets).to_string()
    } else {
        format!("IP:{}", hex(bytes))
    }
}

fn public_key(cert: &X509Certificate<'_>) -> PublicKeyInfo {
    const RSA: &str = "1.2.840.113549.1.1.1";
    const RSA_PSS: &str = "1.2.840.113549.1.1.10";
    const EC: &str = "1.2.840.10045.2.1";
    const ED25519: &str = "1.3.101.112";
    const ED448: &str = "1.3.101.113";
    const DSA: &str = "1.2.840.10040.4.1";

    let spki = cert.public_key();
    let key_bytes: &[u8] = &spki.subject_public_key.data;
    let parameters = spki.algorithm.parameters.as_ref();
    let (algorithm, bits) = match spki.algorithm.algorithm.to_id_string().as_str() {
        RSA | RSA_PSS => {
            let bits =
                RSAPublicKey::from_der(key_bytes).map_or(0, |(_, key)| bit_length(key.modulus));
            (KeyAlgorithm::Rsa, bits)
        }
        EC => {
            let (curve, curve_bits) = match parameters.and_then(|p| Oid::try_from(p.clone()).ok()) {
                Some(oid) => curve(&oid),
                None => ("explicit".to_string(), None),
            };
            // An uncompressed point is 04 || X || Y, each coordinate the field size.
            let point_bits = key_bytes.len().saturating_sub(1) / 2 * 8;
            let bits = curve_bits.unwrap_or(u32::try_from(point_bits).unwrap_or(0));
            (KeyAlgorithm::Ec { curve }, bits)
        }
        ED25519 => (KeyAlgorithm::Ed25519, 256),
        ED448 => (KeyAlgorithm::Ed448, 448),
        DSA => {
            // Dss-Parms ::= SEQUENCE { p, q, g }: the size of p is the key size.
            let bits = parameters
                .and_then(|p| parse_der_integer(p.data).ok())
                .and_then(|(_, p)| p.as_slice().ok().map(bit_length))
                .unwrap_or(0);
            (KeyAlgorithm::Dsa, bits)
        }
        _ => {
            let bits = spki.parsed().map_or(0, |key| key.key_size());
            let name = oid_name(&spki.algorithm.algorithm);
            (
                KeyAlgorithm::Other { name },
                u32::try_from(bits).unwrap_or(0),
            )
        }
    };
    PublicKeyInfo { algorithm, bits }
}

/// The usual name and field size of a named curve.
fn curve(oid: &Oid<'_>) -> (String, Option<u32>) {
    let (name, bits) = match oid.to_id_string().as_str() {
        "1.2.840.10045.3.1.7" => ("P-256", 256),
        "1.3.132.0.34" => ("P-384", 384),
        "1.3.132.0.35" => ("P-521", 521),
        "1.3.132.0.10" => ("secp256k1", 256),
        "1.2.840.10045.3.1.1" => ("P-192", 192),
        "1.3.132.0.33" => ("P-224", 224),
        "1.3.36.3.3.2.8.1.1.7" => ("brainpoolP256r1", 256),
        "1.3.36.3.3.2.8.1.1.11" => ("brainpoolP384r1", 384),
        "1.3.36.3.3.2.8.1.1.13" => ("brainpoolP512r1", 512),
        other => return (other.to_string(), None),
    };
    (name.to_string(), Some(bits))
}

fn oid_name(oid: &Oid<'_>) -> String {
    oid2sn(oid, oid_registry()).map_or_else(|_| oid.to_id_string(), str::to_string)
}

/// The number of significant bits of a big-endian unsigned integer.
fn bit_length(bytes: &[u8]) -> u32 {
    match strip_leading_zeros(bytes) {
        [first, rest @ ..] if *first != 0 => {
            u32::try_from(rest.len() * 8).unwrap_or(u32::MAX) + (8 - first.leading_zeros())
        }
        _ => 0,
    }
}

/// Drops the zero bytes in front of a DER integer's magnitude, keeping at least one byte.
fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first_significant = bytes.iter().position(|&b| b != 0);
    match first_significant {
        Some(index) => &bytes[index..],
        None => &bytes[bytes.len().saturating_sub(1)..],
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn rfc3339(time: &ASN1Time) -> String {
    let t = time.to_datetime();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(in crate::probe::cert) const RSA_LEAF: &[u8] =
        include_bytes!("../testdata/rsa2048_leaf.der");
    const ECDSA_LEAF: &[u8] = include_bytes!("../testdata/ecdsa_p256_leaf.der");
    const EXPIRED_P384: &[u8] = include_bytes!("../testdata/expired_p384.der");

    #[test]
    fn reads_rsa_leaf_signed_by_a_ca() {
        let info = parse_certificate(RSA_LEAF).unwrap();
        assert_eq!(info.subject, "CN=rsa.elbtls.test, O=elbtls tests");
        assert_eq!(info.issuer, "CN=elbtls Test CA, O=elbtls tests");
        assert_eq!(
            info.sans,
            [
                "rsa.elbtls.test",
                "*.rsa.elbtls.test",
                "127.0.0.1",
                "email:ops@elbtls.test"
            ]
        );
        assert_eq!(info.serial_hex, "c0ffee");
        assert_eq!(info.not_before, "2026-11-27T06:29:48Z");
        assert_eq!(info.not_after, "2036-11-24T06:29:48Z");
        assert_eq!(info.not_after_unix - info.not_before_unix, 3650 * 86_400);
        assert_eq!(
            info.key,
            PublicKeyInfo {
                algorithm: KeyAlgorithm::Rsa,
                bits: 2048
            }
        );
        assert_eq!(info.signature_algorithm.name, "sha256WithRSAEncryption");
        assert_eq!(info.signature_algorithm.oid, "1.2.840.113549.1.1.11");
        assert_eq!(
            info.sha256_fingerprint_hex,
            "b53400f268ff12928c3d4b6137baedc7467174195c75ddd42ceb89b04c4069ea"
        );
        assert!(!info.is_ca);
        assert!(!info.self_signed);
    }

    #[test]
    fn reads_self_signed_ecdsa_leaf() {
        let info = parse_certificate(ECDSA_LEAF).unwrap();
        assert_eq!(info.subject, "CN=ecdsa.elbtls.test");
        assert_eq!(info.issuer, info.subject);
        assert_eq!(info.sans, ["ecdsa.elbtls.test"]);
        assert_eq!(info.serial_hex, "2a");
        assert_eq!(
            info.key.algorithm,
            KeyAlgorithm::Ec {
                curve: "P-256".to_string()
            }
        );
        assert_eq!(info.key.bits, 256);
        assert_eq!(info.signature_algorithm.name, "ecdsa-with-SHA384");
        assert!(info.self_signed);
        assert_eq!(
            info.sha256_fingerprint_hex,
            "d21dce40864b8b8f90dbd132766d82bf294bed0d9f306acaa7de396c94d8b7c8"
        );
    }

    #[test]
    fn reads_an_expired_p384_certificate() {
        let info = parse_certificate(EXPIRED_P384).unwrap();
        assert_eq!(info.subject, "CN=expired.elbtls.test");
        assert_eq!(info.key.bits, 384);
        assert_eq!(info.not_before, "2020-01-01T00:00:00Z");
        assert_eq!(info.not_after, "2020-01-02T00:00:00Z");
        assert_eq!(info.not_after_unix, 1_577_923_200);
        assert!(info.expired(1_577_923_201));
        assert!(!info.expired(1_577_923_200));
        assert!(info.not_yet_valid(1_577_836_799));
        assert_eq!(info.days_until_expiry(1_577_923_200 + 3 * 86_400), -3);
    }

    #[test]
    fn bit_length_ignores_sign_byte_and_leading_zeros() {
        assert_eq!(bit_length(&[0x00, 0x80, 0x00]), 16);
        assert_eq!(bit_length(&[0x00, 0x00, 0x01]), 1);
        assert_eq!(bit_length(&[0x00]), 0);
        assert_eq!(bit_length(&[]), 0);
    }

    #[test]
    fn rejects_garbage_and_every_truncation_without_panicking() {
        assert!(matches!(
            parse_certificate(b"not a certificate"),
            Err(CertError::Malformed(_))
        ));
        assert!(parse_certificate(&[]).is_err());
        for len in 0..RSA_LEAF.len() {
            assert!(parse_certificate(&RSA_LEAF[..len]).is_err(), "length {len}");
        }
    }

    #[test]
    fn rejects_trailing_bytes() {
        let mut der = RSA_LEAF.to_vec();
        der.extend_from_slice(&[0, 0, 0]);
        assert_eq!(parse_certificate(&der), Err(CertError::TrailingData(3)));
    }
}
