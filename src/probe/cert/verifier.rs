//! The rustls certificate verifier of the certificate handshakes: it records the chain, checks
//! it against the web PKI, and lets the handshake go on whatever the check says.

use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::model::certificate::{SignatureFamily, Trust};

/// The roots of Mozilla's program, parsed once.
pub(super) static WEB_PKI_ROOTS: LazyLock<Arc<RootCertStore>> = LazyLock::new(|| {
    Arc::new(RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    })
});

impl SignatureFamily {
    /// The schemes offered in `signature_algorithms`. P-521 and Ed448 are offered although ring
    /// cannot check them, so that a server holding such a key still shows its certificate.
    fn schemes(self) -> Vec<SignatureScheme> {
        match self {
            Self::Ecdsa => vec![
                SignatureScheme::ECDSA_NISTP256_SHA256,
                SignatureScheme::ECDSA_NISTP384_SHA384,
                SignatureScheme::ECDSA_NISTP521_SHA512,
                SignatureScheme::ED25519,
                SignatureScheme::ED448,
            ],
            Self::Rsa => vec![
                SignatureScheme::RSA_PSS_SHA256,
                SignatureScheme::RSA_PSS_SHA384,
                SignatureScheme::RSA_PSS_SHA512,
                SignatureScheme::RSA_PKCS1_SHA256,
                SignatureScheme::RSA_PKCS1_SHA384,
                SignatureScheme::RSA_PKCS1_SHA512,
            ],
        }
    }

    /// The rustls (ring) provider restricted to the TLS 1.2 suites this family can authenticate
    /// (all TLS 1.3 suites stay).
    pub(super) fn provider(self) -> CryptoProvider {
        let algorithm = match self {
            Self::Ecdsa => rustls::SignatureAlgorithm::ECDSA,
            Self::Rsa => rustls::SignatureAlgorithm::RSA,
        };
        let mut provider = rustls::crypto::ring::default_provider();
        provider
            .cipher_suites
            .retain(|suite| suite.usable_for_signature_algorithm(algorithm));
        provider
    }
}

/// What a verifier saw: the chain as sent, and how the web PKI check went.
#[derive(Debug)]
pub(super) struct Presented {
    pub(super) ders: Vec<CertificateDer<'static>>,
    pub(super) trust: Trust,
    pub(super) name_matches: Option<bool>,
}

/// Records the presented chain and checks it against the web PKI roots, but accepts it whatever
/// the outcome: the prober reads the certificate and closes, sending nothing that needs trust.
#[derive(Debug)]
pub(super) struct RecordingVerifier {
    web_pki: Arc<WebPkiServerVerifier>,
    algorithms: WebPkiSupportedAlgorithms,
    schemes: Vec<SignatureScheme>,
    name_given: bool,
    presented: Mutex<Option<Presented>>,
}

impl RecordingVerifier {
    /// `family`: the schemes to offer, one family's or (`None`) both.
    pub(super) fn new(
        family: Option<SignatureFamily>,
        name_given: bool,
        roots: Arc<RootCertStore>,
    ) -> Result<Self, String> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let web_pki = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|error| format!("cannot build the web PKI verifier: {error}"))?;
        Ok(Self {
            web_pki,
            algorithms: provider.signature_verification_algorithms,
            schemes: match family {
                Some(family) => family.schemes(),
                None => [SignatureFamily::Ecdsa, SignatureFamily::Rsa]
                    .into_iter()
                    .flat_map(SignatureFamily::schemes)
                    .collect(),
            },
            name_given,
            presented: Mutex::new(None),
        })
    }

    pub(super) fn take_presented(&self) -> Option<Presented> {
        self.presented
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Whether the leaf is valid for `server_name`, checked alone (no path, no dates), when the
    /// caller gave a name; `None` when it gave none or the leaf cannot be read for the check.
    fn name_check(
        &self,
        end_entity: &CertificateDer<'_>,
        server_name: &ServerName<'_>,
    ) -> Option<bool> {
        if !self.name_given {
            return None;
        }
        let parsed = ParsedCertificate::try_from(end_entity).ok()?;
        match rustls::client::verify_server_name(&parsed, server_name) {
            Ok(()) => Some(true),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Some(false),
            Err(_) => None,
        }
    }

    /// Checks the signature when ring can; a scheme it cannot check (P-521, Ed448) is accepted,
    /// since nothing sent over the connection depends on it.
    fn check_signature(
        &self,
        dss: &DigitallySignedStruct,
        verify: impl FnOnce() -> Result<HandshakeSignatureValid, rustls::Error>,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if self.algorithms.supported_schemes().contains(&dss.scheme) {
            verify()
        } else {
            Ok(HandshakeSignatureValid::assertion())
        }
    }
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let checked = self.web_pki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        );
        // webpki checks the path first and the name last, so a name error means a good path.
        // A chain that fails the path check is still checked against the name on its own: a
        // self-signed or expired certificate can also be for the wrong host, and both are said.
        let (trust, name_matches) = match checked {
            Ok(_) => (Trust::Trusted, self.name_given.then_some(true)),
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => (Trust::Trusted, self.name_given.then_some(false)),
            Err(rustls::Error::InvalidCertificate(error)) => (
                Trust::Untrusted {
                    reason: untrusted_reason(&error),
                },
                self.name_check(end_entity, server_name),
            ),
            Err(error) => (
                Trust::Untrusted {
                    reason: error.to_string(),
                },
                self.name_check(end_entity, server_name),
            ),
        };
        let ders = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|der| der.clone().into_owned())
            .collect();
        *self
            .presented
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Presented {
            ders,
            trust,
            name_matches,
        });
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.check_signature(dss, || {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
        })
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.check_signature(dss, || {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
        })
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.schemes.clone()
    }
}

/// Words for why a chain is not trusted (rustls prints most of these as Rust debug names).
fn untrusted_reason(error: &CertificateError) -> String {
    match error {
        CertificateError::UnknownIssuer => "unknown issuer: no path to a web PKI root".to_string(),
        CertificateError::Expired => "certificate expired".to_string(),
        CertificateError::NotValidYet => "certificate not valid yet".to_string(),
        CertificateError::BadSignature => "bad signature in the chain".to_string(),
        CertificateError::Revoked => "certificate revoked".to_string(),
        CertificateError::BadEncoding => "certificate badly encoded".to_string(),
        CertificateError::InvalidPurpose => "certificate not valid for TLS servers".to_string(),
        CertificateError::UnsupportedSignatureAlgorithmContext { .. }
        | CertificateError::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => {
            "signature algorithm not supported by the verifier".to_string()
        }
        CertificateError::Other(other) => match other.to_string().as_str() {
            "CaUsedAsEndEntity" => "a CA certificate is used as the server certificate".to_string(),
            "EndEntityUsedAsCa" => "a server certificate is used as a CA".to_string(),
            text => text.to_string(),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::probe::cert::parse::parse_certificate;
    use crate::probe::cert::parse::tests::RSA_LEAF;

    const TEST_CA: &[u8] = include_bytes!("../testdata/test_ca.der");

    /// Runs the verifier on the RSA leaf (signed by the test CA) a day into its validity.
    fn verify_rsa_leaf(roots: RootCertStore, name: &str, name_given: bool) -> Presented {
        let verifier =
            RecordingVerifier::new(Some(SignatureFamily::Rsa), name_given, Arc::new(roots))
                .unwrap();
        let not_before = parse_certificate(RSA_LEAF).unwrap().not_before_unix;
        let now = UnixTime::since_unix_epoch(Duration::from_secs(
            u64::try_from(not_before + 86_400).unwrap(),
        ));
        let name = ServerName::try_from(name.to_string()).unwrap();
        let leaf = CertificateDer::from(RSA_LEAF);
        assert!(
            verifier
                .verify_server_cert(&leaf, &[], &name, &[], now)
                .is_ok()
        );
        verifier.take_presented().unwrap()
    }

    fn test_ca_roots() -> RootCertStore {
        let mut roots = RootCertStore::empty();
        roots.add(CertificateDer::from(TEST_CA)).unwrap();
        roots
    }

    #[test]
    fn verifier_records_a_trusted_chain_and_a_matching_name() {
        let presented = verify_rsa_leaf(test_ca_roots(), "www.rsa.elbtls.test", true);
        assert_eq!(presented.trust, Trust::Trusted);
        assert_eq!(presented.name_matches, Some(true));
        assert_eq!(presented.ders, [CertificateDer::from(RSA_LEAF)]);
    }

    #[test]
    fn verifier_keeps_trust_apart_from_a_name_mismatch() {
        let presented = verify_rsa_leaf(test_ca_roots(), "other.elbtls.test", true);
        assert_eq!(presented.trust, Trust::Trusted);
        assert_eq!(presented.name_matches, Some(false));
        // Without a name from the caller the probe checks the address, and says nothing.
        let presented = verify_rsa_leaf(test_ca_roots(), "192.0.2.1", false);
        assert_eq!(presented.trust, Trust::Trusted);
        assert_eq!(presented.name_matches, None);
    }

    #[test]
    fn verifier_accepts_but_marks_an_unknown_issuer() {
        let web_pki = RootCertStore::clone(&WEB_PKI_ROOTS);
        let presented = verify_rsa_leaf(web_pki, "www.rsa.elbtls.test", true);
        assert_eq!(
            presented.trust,
            Trust::Untrusted {
                reason: "unknown issuer: no path to a web PKI root".to_string()
            }
        );
        assert_eq!(presented.name_matches, Some(true));
    }

    #[test]
    fn verifier_reports_a_wrong_name_on_an_untrusted_chain_too() {
        let web_pki = RootCertStore::clone(&WEB_PKI_ROOTS);
        let presented = verify_rsa_leaf(web_pki.clone(), "other.elbtls.test", true);
        assert!(!presented.trust.is_trusted());
        assert_eq!(presented.name_matches, Some(false));
        // Without a name from the caller, still nothing is said.
        let presented = verify_rsa_leaf(web_pki, "192.0.2.1", false);
        assert_eq!(presented.name_matches, None);
    }
}
