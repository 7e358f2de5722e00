//! The certificates the emulator serves: generated (a test CA and a leaf signed by it, RSA or
//! ECDSA) or read from PEM files.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384,
    PKCS_RSA_SHA256, PKCS_RSA_SHA384, RsaKeySize, SanType,
};
use s2n_tls::cert_chain::{self, CertificateChain};

/// One `--cert` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertArg {
    /// A generated RSA certificate.
    Rsa,
    /// A generated ECDSA certificate.
    Ecdsa,
    /// Both generated certificates.
    Both,
    /// A certificate chain and its key, PEM files.
    Files {
        /// The chain, leaf first.
        cert: PathBuf,
        /// The private key.
        key: PathBuf,
    },
}

impl FromStr for CertArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "rsa" => Ok(Self::Rsa),
            "ecdsa" => Ok(Self::Ecdsa),
            "both" => Ok(Self::Both),
            _ => match s.split_once(':') {
                Some((cert, key)) if !cert.is_empty() && !key.is_empty() => Ok(Self::Files {
                    cert: cert.into(),
                    key: key.into(),
                }),
                _ => Err(format!(
                    "`{s}` is not a certificate: use rsa, ecdsa, both, or CERT.pem:KEY.pem"
                )),
            },
        }
    }
}

/// A key type to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA.
    Rsa,
    /// ECDSA.
    Ecdsa,
}

/// How strong generated keys are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strength {
    /// RSA 2048 / ECDSA P-256, signed with SHA-256: what ACM issues by default.
    Normal,
    /// RSA 3072 / ECDSA P-384, signed with SHA-384: what the RFC 9151 / CNSA policies require.
    Strong,
}

/// What a generated certificate is, for the start-up line (`rsa2048`, `ecdsa-p384`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Generated {
    /// Key type.
    pub kind: KeyKind,
    /// Key size.
    pub strength: Strength,
}

impl fmt::Display for Generated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.kind, self.strength) {
            (KeyKind::Rsa, Strength::Normal) => "rsa2048",
            (KeyKind::Rsa, Strength::Strong) => "rsa3072",
            (KeyKind::Ecdsa, Strength::Normal) => "ecdsa-p256",
            (KeyKind::Ecdsa, Strength::Strong) => "ecdsa-p384",
        })
    }
}

/// A generated leaf with the test CA that signed it, as PEM.
pub struct GeneratedChain {
    /// What was generated.
    pub what: Generated,
    /// Leaf then CA certificate.
    pub chain_pem: String,
    /// The leaf's private key (PKCS#8).
    pub key_pem: String,
    /// The CA certificate alone, for clients to trust.
    pub ca_pem: String,
}

impl GeneratedChain {
    /// The chain as s2n-tls loads it.
    pub fn to_s2n(&self) -> Result<CertificateChain<'static>, s2n_tls::error::Error> {
        s2n_chain(self.chain_pem.as_bytes(), self.key_pem.as_bytes())
    }
}

/// A certificate chain and key for s2n-tls, built on its own (so an RSA and an ECDSA chain can
/// both be loaded into one config with `load_chain`).
pub fn s2n_chain(
    chain_pem: &[u8],
    key_pem: &[u8],
) -> Result<CertificateChain<'static>, s2n_tls::error::Error> {
    let mut builder = cert_chain::Builder::new()?;
    builder.load_pem(chain_pem, key_pem)?;
    builder.build()
}

fn key_pair(kind: KeyKind, strength: Strength) -> Result<KeyPair, rcgen::Error> {
    match (kind, strength) {
        (KeyKind::Rsa, Strength::Normal) => {
            KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)
        }
        (KeyKind::Rsa, Strength::Strong) => {
            KeyPair::generate_rsa_for(&PKCS_RSA_SHA384, RsaKeySize::_3072)
        }
        (KeyKind::Ecdsa, Strength::Normal) => KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256),
        (KeyKind::Ecdsa, Strength::Strong) => KeyPair::generate_for(&PKCS_ECDSA_P384_SHA384),
    }
}

/// A test CA (`CN=elbemu test CA`) and a leaf for `name` (a DNS name, or an IP address) signed by
/// it, both of `kind` and `strength`, valid from yesterday for 90 days.
pub fn generate(
    kind: KeyKind,
    strength: Strength,
    name: &str,
) -> Result<GeneratedChain, rcgen::Error> {
    let now = time::OffsetDateTime::now_utc();
    let not_before = now - time::Duration::days(1);
    let not_after = now + time::Duration::days(90);

    let ca_key = key_pair(kind, strength)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
    let mut ca_dn = DistinguishedName::new();
    ca_dn.push(DnType::CommonName, "elbemu test CA");
    ca_dn.push(DnType::OrganizationName, "elbtls");
    ca_params.distinguished_name = ca_dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    ca_params.not_before = not_before;
    ca_params.not_after = not_after;
    let ca_cert = ca_params.self_signed(&ca_key)?;
    let issuer = Issuer::new(ca_params, ca_key);

    let leaf_key = key_pair(kind, strength)?;
    let mut leaf_params = CertificateParams::new(Vec::<String>::new())?;
    leaf_params.subject_alt_names = vec![match name.parse::<std::net::IpAddr>() {
        Ok(ip) => SanType::IpAddress(ip),
        Err(_) => SanType::DnsName(name.try_into()?),
    }];
    let mut leaf_dn = DistinguishedName::new();
    leaf_dn.push(DnType::CommonName, name);
    leaf_params.distinguished_name = leaf_dn;
    leaf_params.is_ca = IsCa::ExplicitNoCa;
    leaf_params.key_usages = match kind {
        KeyKind::Rsa => vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ],
        KeyKind::Ecdsa => vec![KeyUsagePurpose::DigitalSignature],
    };
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    leaf_params.not_before = not_before;
    leaf_params.not_after = not_after;
    let leaf_cert = leaf_params.signed_by(&leaf_key, &issuer)?;

    Ok(GeneratedChain {
        what: Generated { kind, strength },
        chain_pem: format!("{}{}", leaf_cert.pem(), ca_cert.pem()),
        key_pem: leaf_key.serialize_pem(),
        ca_pem: ca_cert.pem(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cert_arguments_parse() {
        assert_eq!("rsa".parse::<CertArg>(), Ok(CertArg::Rsa));
        assert_eq!("both".parse::<CertArg>(), Ok(CertArg::Both));
        assert_eq!(
            "a.pem:b.key".parse::<CertArg>(),
            Ok(CertArg::Files {
                cert: "a.pem".into(),
                key: "b.key".into()
            })
        );
        let err = "dsa".parse::<CertArg>().unwrap_err();
        assert!(err.contains("CERT.pem:KEY.pem"), "{err}");
    }

    #[test]
    fn generated_chains_load_into_s2n() {
        for kind in [KeyKind::Rsa, KeyKind::Ecdsa] {
            let chain = generate(kind, Strength::Normal, "localhost").unwrap();
            assert_eq!(chain.chain_pem.matches("BEGIN CERTIFICATE").count(), 2);
            chain.to_s2n().unwrap();
        }
    }
}
