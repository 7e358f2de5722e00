//! The certificates a server presents: read from DER ([`parse_certificate`]) and fetched live
//! with full rustls handshakes ([`fetch_certificates`]), TLS 1.3 included.
//!
//! A server may hold an RSA and an ECDSA certificate (ALB does) and picks one by the client's
//! signature algorithms, so [`fetch_certificates`] makes two handshakes: one offering only ECDSA
//! (and EdDSA) schemes and suites, one offering only RSA ones. A single-certificate server answers
//! one and refuses the other with an alert, which is recorded as "no certificate of that type".
//!
//! rustls speaks only TLS 1.3 and the TLS 1.2 ECDHE AEAD suites, and (with ring) has no P-521 key
//! exchange, so servers limited to older versions, RSA key transport, CBC suites or a P-521 key
//! under TLS 1.2 show nothing here: the hand-built handshakes read their plaintext Certificate
//! message with [`parse_certificate`] instead.

mod parse;
mod verifier;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::ServerCertVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{AlertDescription, ClientConfig};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use crate::model::certificate::{
    AttemptOutcome, CertificateAttempt, CertificateChain, CertificateReport, KeyAlgorithm,
    SignatureFamily,
};
use crate::tls::{CipherSuite, ProtocolVersion};
pub use parse::{CertError, parse_certificate};
use verifier::{Presented, RecordingVerifier, WEB_PKI_ROOTS};

/// The end of one certificate handshake.
struct Handshake {
    /// The schemes offered: one family's, or (`None`) both.
    family: Option<SignatureFamily>,
    connected: bool,
    presented: Option<Presented>,
    negotiated: Option<(ProtocolVersion, CipherSuite)>,
    failure: Option<Failure>,
}

enum Failure {
    /// The server refused with this alert: no certificate for the offered schemes.
    NoCertificate(AlertDescription),
    /// The server refused with another alert (a version or suite rustls offers that it does not
    /// speak): an answer, though not a certificate.
    Refused(String),
    /// No answer: connect failure, timeout, reset, or a flight rustls could not take in.
    Other(String),
}

/// The name the handshakes send and check: `server_name`, or the address itself when none is
/// given; an invalid name is an error naming it.
fn server_name_for(
    addr: SocketAddr,
    server_name: Option<&str>,
) -> Result<ServerName<'static>, String> {
    match server_name {
        None => Ok(ServerName::IpAddress(addr.ip().into())),
        Some(name) => ServerName::try_from(name.to_string())
            .map_err(|error| format!("{addr}: `{name}` is not a valid server name: {error}")),
    }
}

/// Fetches the certificate chains `addr` presents, with two rustls handshakes (TLS 1.2 and 1.3,
/// one offering ECDSA schemes, one RSA) made concurrently.
///
/// `server_name` is sent as SNI and checked against the leaf; `None` or an IP address sends no SNI.
/// Each connect and each handshake is bounded by `timeout`. Failures (refused, timed out, reset,
/// not TLS) end up in [`CertificateReport::errors`]; this function never panics.
pub async fn fetch_certificates(
    addr: SocketAddr,
    server_name: Option<&str>,
    timeout: Duration,
) -> CertificateReport {
    let mut report = CertificateReport::default();
    let name = match server_name_for(addr, server_name) {
        Ok(name) => name,
        Err(error) => {
            report.errors.push(error);
            return report;
        }
    };
    let name_given = server_name.is_some();
    let (rsa, ecdsa) = tokio::join!(
        handshake(
            addr,
            name.clone(),
            name_given,
            Some(SignatureFamily::Rsa),
            timeout
        ),
        handshake(
            addr,
            name,
            name_given,
            Some(SignatureFamily::Ecdsa),
            timeout
        ),
    );
    for handshake in [rsa, ecdsa] {
        record(&mut report, addr, handshake);
    }
    let refused_both = report.chains.is_empty()
        && !report.attempts.is_empty()
        && report.attempts.iter().all(|attempt| {
            matches!(
                attempt.outcome,
                AttemptOutcome::NoCertificateOfThatType { .. }
            )
        });
    if refused_both {
        report.errors.push(format!(
            "{addr}: refused both the RSA and the ECDSA handshake: no TLS 1.3 and no TLS 1.2 \
             ECDHE suite, or a key rustls cannot use under TLS 1.2 (P-521); the hand-built \
             probes still read such servers' certificates"
        ));
    }
    report
}

/// One certificate handshake offering `family`'s signature schemes (and, under TLS 1.2, its
/// suites), or with `None` both families': the server then presents the certificate it prefers.
/// Recorded as [`fetch_certificates`] records each of its two; a handshake offering both families
/// is recorded under the family of the certificate presented (an alert refusing it names no
/// family, so it is only an error).
pub async fn fetch_certificate(
    addr: SocketAddr,
    server_name: Option<&str>,
    timeout: Duration,
    family: Option<SignatureFamily>,
) -> CertificateReport {
    let mut report = CertificateReport::default();
    let name = match server_name_for(addr, server_name) {
        Ok(name) => name,
        Err(error) => {
            report.errors.push(error);
            return report;
        }
    };
    let done = handshake(addr, name, server_name.is_some(), family, timeout).await;
    record(&mut report, addr, done);
    report
}

/// Checks a chain the server sent in plaintext in a TLS ≤ 1.2 handshake (`ders`, leaf first) as
/// a certificate handshake offering `family` checks the one presented: trust against the web PKI
/// roots, and the name. Recorded like such a handshake that negotiated `negotiated`, without a
/// connection: the chain is the one the server presents for `family`'s suites.
pub fn check_plaintext_chain(
    addr: SocketAddr,
    server_name: Option<&str>,
    family: SignatureFamily,
    ders: &[Vec<u8>],
    negotiated: (ProtocolVersion, CipherSuite),
) -> CertificateReport {
    let mut report = CertificateReport::default();
    let name = match server_name_for(addr, server_name) {
        Ok(name) => name,
        Err(error) => {
            report.errors.push(error);
            return report;
        }
    };
    let mut result = Handshake {
        family: Some(family),
        connected: false,
        presented: None,
        negotiated: Some(negotiated),
        failure: None,
    };
    let Some((leaf, intermediates)) = ders.split_first() else {
        result.failure = Some(Failure::Other("an empty certificate chain".to_string()));
        record(&mut report, addr, result);
        return report;
    };
    match RecordingVerifier::new(
        Some(family),
        server_name.is_some(),
        Arc::clone(&WEB_PKI_ROOTS),
    ) {
        Ok(verifier) => {
            let intermediates: Vec<CertificateDer<'_>> = intermediates
                .iter()
                .map(|der| CertificateDer::from(der.as_slice()))
                .collect();
            // The verifier records the chain and its trust; it never refuses one.
            let _ = verifier.verify_server_cert(
                &CertificateDer::from(leaf.as_slice()),
                &intermediates,
                &name,
                &[],
                UnixTime::now(),
            );
            result.presented = verifier.take_presented();
        }
        Err(reason) => result.failure = Some(Failure::Other(reason)),
    }
    record(&mut report, addr, result);
    report
}

async fn handshake(
    addr: SocketAddr,
    name: ServerName<'static>,
    name_given: bool,
    family: Option<SignatureFamily>,
    timeout: Duration,
) -> Handshake {
    let mut result = Handshake {
        family,
        connected: false,
        presented: None,
        negotiated: None,
        failure: None,
    };
    let verifier = match RecordingVerifier::new(family, name_given, Arc::clone(&WEB_PKI_ROOTS)) {
        Ok(verifier) => Arc::new(verifier),
        Err(reason) => {
            result.failure = Some(Failure::Other(reason));
            return result;
        }
    };
    let provider = match family {
        Some(family) => family.provider(),
        None => rustls::crypto::ring::default_provider(),
    };
    let config = match ClientConfig::builder_with_provider(Arc::new(provider))
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
    {
        Ok(builder) => builder
            .dangerous()
            .with_custom_certificate_verifier(verifier.clone())
            .with_no_client_auth(),
        Err(error) => {
            result.failure = Some(Failure::Other(format!("rustls configuration: {error}")));
            return result;
        }
    };
    let tcp = match tokio::time::timeout(timeout, TcpStream::connect(addr)).await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(error)) => {
            result.failure = Some(Failure::Other(format!("connect: {error}")));
            return result;
        }
        Err(_) => {
            result.failure = Some(Failure::Other(format!(
                "connect: timed out after {timeout:?}"
            )));
            return result;
        }
    };
    result.connected = true;
    let connector = TlsConnector::from(Arc::new(config));
    match tokio::time::timeout(timeout, connector.connect(name, tcp)).await {
        Ok(Ok(stream)) => {
            let connection = stream.get_ref().1;
            result.negotiated = connection
                .protocol_version()
                .zip(connection.negotiated_cipher_suite())
                .map(|(version, suite)| {
                    (
                        ProtocolVersion(u16::from(version)),
                        CipherSuite(u16::from(suite.suite())),
                    )
                });
        }
        Ok(Err(error)) => result.failure = Some(classify(&error)),
        Err(_) => {
            result.failure = Some(Failure::Other(format!(
                "TLS handshake: no answer within {timeout:?}"
            )));
        }
    }
    result.presented = verifier.take_presented();
    result
}

fn classify(error: &std::io::Error) -> Failure {
    let rustls_error = error
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::AlertReceived(
            alert @ (AlertDescription::HandshakeFailure | AlertDescription::InsufficientSecurity),
        )) => Failure::NoCertificate(*alert),
        Some(rustls::Error::AlertReceived(alert)) => {
            Failure::Refused(format!("TLS handshake: the server sent alert {alert:?}"))
        }
        Some(other) => Failure::Other(format!("TLS handshake: {other}")),
        None => Failure::Other(format!("TLS handshake: {error}")),
    }
}

/// Adds one handshake's result to the report: its chain (unless already seen), its attempt, and
/// its error, if any.
fn record(report: &mut CertificateReport, addr: SocketAddr, handshake: Handshake) {
    let offered = handshake.family;
    let label = match offered {
        Some(family) => format!("{family} handshake"),
        None => "certificate handshake".to_string(),
    };
    // What an unanswered handshake leaves unknown: its family's certificate (of a handshake
    // offering both, nothing in particular).
    let unanswered = |report: &mut CertificateReport, reason: &str| {
        if let Some(family) = offered {
            report.unanswered.push((family, reason.to_string()));
        }
    };
    if handshake.connected {
        report.connections += 1;
    }
    let mut family = offered;
    let outcome = match (handshake.presented, handshake.failure) {
        // A chain was presented even if the handshake failed later (a scheme we could not
        // check, a certificate of the other type): it is still what the server holds.
        (Some(presented), _) => {
            match chain_from(
                presented,
                handshake.negotiated,
                &mut report.errors,
                addr,
                &label,
            ) {
                Some(chain) => {
                    family = family.or(match chain.leaf_key {
                        KeyAlgorithm::Rsa => Some(SignatureFamily::Rsa),
                        KeyAlgorithm::Ec { .. } | KeyAlgorithm::Ed25519 | KeyAlgorithm::Ed448 => {
                            Some(SignatureFamily::Ecdsa)
                        }
                        _ => None,
                    });
                    let leaf_sha256 = chain
                        .leaf()
                        .map(|leaf| leaf.sha256_fingerprint_hex.clone())
                        .unwrap_or_default();
                    let seen = report.chains.iter().any(|known| {
                        known.leaf().map(|leaf| &leaf.sha256_fingerprint_hex) == Some(&leaf_sha256)
                    });
                    if !seen {
                        report.chains.push(chain);
                    }
                    AttemptOutcome::Presented { leaf_sha256 }
                }
                None => {
                    let reason = "the leaf certificate could not be read".to_string();
                    unanswered(report, &reason);
                    AttemptOutcome::Failed { reason }
                }
            }
        }
        (None, Some(Failure::NoCertificate(alert))) => {
            if offered.is_none() {
                report.errors.push(format!(
                    "{addr} ({label}): refused with alert {alert:?}: no certificate for RSA or \
                     ECDSA schemes"
                ));
            }
            AttemptOutcome::NoCertificateOfThatType {
                alert: format!("{alert:?}"),
            }
        }
        (None, Some(Failure::Refused(reason))) => {
            report.errors.push(format!("{addr} ({label}): {reason}"));
            AttemptOutcome::Failed { reason }
        }
        (None, Some(Failure::Other(reason))) => {
            report.errors.push(format!("{addr} ({label}): {reason}"));
            unanswered(report, &reason);
            AttemptOutcome::Failed { reason }
        }
        (None, None) => {
            let reason = "the handshake completed without a certificate".to_string();
            report.errors.push(format!("{addr} ({label}): {reason}"));
            unanswered(report, &reason);
            AttemptOutcome::Failed { reason }
        }
    };
    if let Some(family) = family {
        report.attempts.push(CertificateAttempt {
            offered: family,
            outcome,
        });
    }
}

/// Parses a presented chain. Certificates that cannot be read are reported and left out; without
/// a readable leaf there is no chain.
fn chain_from(
    presented: Presented,
    negotiated: Option<(ProtocolVersion, CipherSuite)>,
    errors: &mut Vec<String>,
    addr: SocketAddr,
    label: &str,
) -> Option<CertificateChain> {
    let mut certificates = Vec::with_capacity(presented.ders.len());
    for (index, der) in presented.ders.iter().enumerate() {
        match parse_certificate(der) {
            Ok(info) => certificates.push(info),
            Err(error) => {
                errors.push(format!(
                    "{addr} ({label}): certificate {index} of the chain: {error}"
                ));
                if index == 0 {
                    return None;
                }
            }
        }
    }
    let leaf_key = certificates.first()?.key.algorithm.clone();
    Some(CertificateChain {
        leaf_key,
        certificates,
        trust: presented.trust,
        name_matches: presented.name_matches,
        negotiated_version: negotiated.map(|(version, _)| version),
        negotiated_suite: negotiated.map(|(_, suite)| suite),
    })
}
