//! Probing one endpoint from start to end: resolve, scan, fetch certificates, assemble the
//! [`Observation`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cert::{fetch_certificates, parse_certificate};
use super::conn::Network;
use super::scan::scan;
use super::target::{ResolveOverride, SniChoice, Target, resolve};
use crate::model::certificate::{CertificateChain, Trust};
use crate::model::observed::{Endpoint, Observation, Observed, ProbeOutcome};

/// How to probe.
#[derive(Clone, Debug)]
pub struct ProbeOptions {
    /// Which server name to send.
    pub sni: SniChoice,
    /// `--resolve` overrides.
    pub overrides: Vec<ResolveOverride>,
    /// Timeout of each connect and each answer.
    pub timeout: Duration,
    /// Most handshakes in flight at once to one endpoint.
    pub max_connections: usize,
    /// Whether to fetch the certificate chains with full handshakes.
    pub certificates: bool,
    /// The cipher order the endpoint is expected to prefer (its declared policy's, or a typical
    /// ELB order). Only a speed-up: the enumeration speculates along it and stays exact when it
    /// is wrong.
    pub suite_hint: Vec<crate::tls::CipherSuite>,
}

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            sni: SniChoice::FromHost,
            overrides: Vec::new(),
            timeout: Duration::from_secs(5),
            max_connections: 4,
            certificates: true,
            suite_hint: Vec::new(),
        }
    }
}

/// Probes `target`. Never fails: an endpoint that cannot be reached or does not speak TLS is an
/// [`Observation`] that says so.
pub async fn probe(target: &Target, options: &ProbeOptions) -> Observation {
    let started = Instant::now();
    let sni = options.sni.for_target(target);
    let mut endpoint = Endpoint {
        host: target.host.clone(),
        port: target.port,
        address: None,
        sni: sni.clone(),
    };
    let addresses = match resolve(target, &options.overrides).await {
        Ok(addresses) => addresses,
        Err(reason) => {
            return Observation {
                endpoint,
                outcome: ProbeOutcome::Unreachable { reason },
                connections: 0,
                duration: started.elapsed(),
            };
        }
    };
    let address = addresses[0];
    endpoint.address = Some(address);
    let network = Arc::new(Network::new(
        address,
        sni.clone(),
        options.timeout,
        options.max_connections,
    ));

    let certificates = options.certificates.then(|| {
        let network = Arc::clone(&network);
        let sni = sni.clone();
        let timeout = options.timeout;
        tokio::spawn(async move {
            // The two certificate handshakes count against the connection cap like any other.
            let _slot = network.slot().await;
            let _second = network.slot().await;
            let report = fetch_certificates(address, sni.as_deref(), timeout).await;
            network.count_connections(report.connections);
            report
        })
    });

    let result = scan(Arc::clone(&network), options.suite_hint.clone()).await;
    let mut warnings = result.warnings;
    let mut chains: Vec<CertificateChain> = Vec::new();
    if let Some(task) = certificates {
        match task.await {
            Ok(report) => {
                chains = report.chains;
                if chains.is_empty() {
                    warnings.extend(report.errors);
                }
            }
            Err(e) => warnings.push(format!("certificate handshakes failed: {e}")),
        }
    }
    // A server only TLS ≤ 1.2 stacks that rustls refuses (TLS 1.0/1.1) still showed its chain in
    // plaintext.
    if chains.is_empty() && !result.plaintext_certificates.is_empty() {
        match plaintext_chain(&result.plaintext_certificates) {
            Ok(chain) => chains.push(chain),
            Err(e) => warnings.push(e),
        }
    }

    let outcome = if let Some(reason) = result.unreachable {
        ProbeOutcome::Unreachable { reason }
    } else if let Some(reason) = result.not_tls {
        ProbeOutcome::Failed {
            reason: format!("does not speak TLS: {reason}"),
        }
    } else if let Some(reason) = result.failed {
        ProbeOutcome::Failed { reason }
    } else {
        ProbeOutcome::Completed(Observed {
            protocols: result.protocols,
            groups: result.groups,
            certificates: chains,
            warnings,
        })
    };
    Observation {
        endpoint,
        outcome,
        connections: network.connections(),
        duration: started.elapsed(),
    }
}

fn plaintext_chain(ders: &[Vec<u8>]) -> Result<CertificateChain, String> {
    let mut certificates = Vec::new();
    for der in ders {
        certificates.push(
            parse_certificate(der).map_err(|e| format!("cannot read the certificate sent: {e}"))?,
        );
    }
    let leaf_key = certificates
        .first()
        .map(|leaf| leaf.key.algorithm.clone())
        .ok_or_else(|| "the server sent an empty certificate chain".to_string())?;
    Ok(CertificateChain {
        leaf_key,
        certificates,
        trust: Trust::NotChecked,
        name_matches: None,
        negotiated_version: None,
        negotiated_suite: None,
    })
}
