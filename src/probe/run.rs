//! Probing one endpoint from start to end: resolve, scan, fetch certificates, assemble the
//! [`Observation`].

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod certificates;

use super::cert::parse_certificate;
use super::conn::Network;
use super::scan::{Guide, scan};
use super::target::{ResolveOverride, SniChoice, Target, resolve};
use crate::model::certificate::{CertificateChain, KeyAlgorithm, SignatureFamily, Trust};
use crate::model::observed::{Endpoint, Observation, Observed, ProbeOutcome, Support};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};
use certificates::{Certificates, Prober};

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
    /// What the endpoint is expected to accept (its declared policy, what a sibling listener
    /// showed, the usual ELB policies). Only a speed-up: the enumeration makes offers ahead of the
    /// answers along it and stays exact when it is wrong.
    pub guide: Guide,
    /// Probe every address the name resolves to (a load balancer has a node per zone, and a policy
    /// change rolls out node by node), not only the first.
    pub all_addresses: bool,
    /// The most time one endpoint may take, all handshakes included. When it passes, the handshakes
    /// still to make are not made and the observation is partial (and says so).
    pub deadline: Duration,
}

/// The default of [`ProbeOptions::deadline`] (and of `--deadline`).
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(60);

/// Time allowed past the deadline for the work in flight to wind down before the probe is
/// abandoned outright (every step is bounded by the deadline already; this is a backstop).
const DEADLINE_GRACE: Duration = Duration::from_secs(5);

impl Default for ProbeOptions {
    fn default() -> Self {
        Self {
            sni: SniChoice::FromHost,
            overrides: Vec::new(),
            timeout: Duration::from_secs(5),
            max_connections: 4,
            certificates: true,
            guide: Guide::default(),
            all_addresses: false,
            deadline: DEFAULT_DEADLINE,
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
    endpoint.address = Some(addresses[0]);
    let probed: Vec<SocketAddr> = if options.all_addresses {
        addresses
    } else {
        vec![addresses[0]]
    };
    let deadline = started + options.deadline;
    let mut tasks = tokio::task::JoinSet::new();
    for (index, address) in probed.iter().copied().enumerate() {
        let (sni, options) = (sni.clone(), options.clone());
        tasks.spawn(async move {
            let seconds = options.deadline.as_secs_f64();
            let work = probe_address(address, sni, &options, deadline);
            let limit = deadline.saturating_duration_since(Instant::now()) + DEADLINE_GRACE;
            let result = match tokio::time::timeout(limit, work).await {
                Ok(result) => result,
                Err(_) => (
                    ProbeOutcome::Failed {
                        reason: format!(
                            "{address}: the probe did not end within the endpoint deadline of \
                             {seconds} s"
                        ),
                    },
                    0,
                ),
            };
            (index, result)
        });
    }
    let mut results: Vec<(usize, (ProbeOutcome, u32))> = tasks.join_all().await;
    results.sort_by_key(|(index, _)| *index);
    let connections = results.iter().map(|(_, (_, n))| n).sum();
    let outcomes: Vec<(SocketAddr, ProbeOutcome)> = probed
        .into_iter()
        .zip(results.into_iter().map(|(_, (outcome, _))| outcome))
        .collect();
    Observation {
        endpoint,
        outcome: combine(outcomes),
        connections,
        duration: started.elapsed(),
    }
}

/// Probes one address; returns the outcome and the connections it took.
async fn probe_address(
    address: SocketAddr,
    sni: Option<String>,
    options: &ProbeOptions,
    deadline: Instant,
) -> (ProbeOutcome, u32) {
    let deadline_seconds = options.deadline.as_secs_f64();
    let network = Arc::new(Network::new(
        address,
        sni.clone(),
        options.timeout,
        options.max_connections,
        deadline,
        deadline_seconds,
    ));

    let certificates = options
        .certificates
        .then(|| Certificates::start(Arc::clone(&network), address, sni.clone(), deadline_seconds));
    let prober = Arc::new(Prober {
        network: Arc::clone(&network),
        certificates: certificates.clone(),
    });
    let result = scan(prober, options.guide.clone()).await;
    let mut warnings = result.warnings;
    let mut gaps = result.gaps;
    let mut chains: Vec<CertificateChain> = Vec::new();
    let mut certificates_unread: Vec<String> = Vec::new();
    let mut unanswered: Vec<(SignatureFamily, String)> = Vec::new();
    if let Some(certificates) = certificates {
        // Suites prove no certificate kind under TLS 1.3: then each kind the first handshake did
        // not show is asked for (unless no version answered at all).
        let answered =
            result.unreachable.is_none() && result.not_tls.is_none() && result.failed.is_none();
        if answered && certificates.asked().is_empty() {
            certificates.need(SignatureFamily::Rsa);
            certificates.need(SignatureFamily::Ecdsa);
        }
        let (reports, failures) = certificates.finish().await;
        certificates_unread = failures;
        let mut errors = Vec::new();
        for report in reports {
            for chain in report.chains {
                let leaf =
                    |c: &CertificateChain| c.leaf().map(|l| l.sha256_fingerprint_hex.clone());
                if !chains.iter().any(|known| leaf(known) == leaf(&chain)) {
                    chains.push(chain);
                }
            }
            unanswered.extend(report.unanswered);
            errors.extend(report.errors);
        }
        // RSA first, as the two handshakes of old listed them.
        chains.sort_by_key(|chain| !matches!(chain.leaf_key, KeyAlgorithm::Rsa));
        if chains.is_empty() {
            warnings.extend(errors);
        }
    }
    // What the hand-built TLS ≤ 1.2 handshakes read in plaintext: the chain of a server rustls
    // refuses (TLS 1.0/1.1), or one too large for rustls.
    if !result.plaintext_certificates.is_empty() {
        match plaintext_chain(&result.plaintext_certificates) {
            Ok(chain) => {
                let leaf =
                    |c: &CertificateChain| c.leaf().map(|l| l.sha256_fingerprint_hex.clone());
                if !chains.iter().any(|known| leaf(known) == leaf(&chain)) {
                    chains.push(chain);
                }
            }
            Err(e) => warnings.push(e),
        }
    }
    if options.certificates {
        // A family whose handshake got no answer is unread unless a chain of that family was
        // seen anyway (in plaintext).
        for (family, reason) in unanswered {
            let kind = match family {
                SignatureFamily::Rsa => RequiredCertificate::Rsa,
                SignatureFamily::Ecdsa => RequiredCertificate::Ec,
            };
            // A family no accepted suite needs is missing evidence only when nothing at all was
            // read: a server without such a certificate may simply close the connection (s2n-tls,
            // which ALB and NLB run, does so without an alert).
            let needed = result.protocols.iter().any(|p| {
                p.support.is_accepted()
                    && p.within_version().iter().any(|suite| {
                        suite
                            .info()
                            .is_some_and(|info| info.required_certificate() == kind)
                    })
            });
            let read = chains.iter().any(|chain| chain.leaf_key.satisfies(kind));
            if !read && (needed || chains.is_empty()) {
                certificates_unread.push(format!("{family} certificate handshake: {reason}"));
            }
        }
        if chains.is_empty() && certificates_unread.is_empty() {
            certificates_unread
                .push("the server presented no certificate that could be read".to_string());
        }
    }
    if network.deadline_hit() {
        let gap = format!(
            "the endpoint deadline of {deadline_seconds} s passed before the probe ended: what \
             is listed was seen, the rest was not probed (raise --deadline)"
        );
        warnings.push(gap.clone());
        gaps.push(gap);
    }
    let retried = network.retried();
    if retried > 0 {
        warnings.push(format!(
            "{retried} offer(s) were made again after the server closed or reset the connection \
             without answering; the retries were answered"
        ));
    }
    warnings.extend(
        certificates_unread
            .iter()
            .map(|reason| format!("certificates not verified: {reason}")),
    );

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
            gaps,
            certificates_unread,
            ..Observed::default()
        })
    };
    (outcome, network.connections())
}

/// One node's acceptance: (version, suites) for accepted versions, and groups, sorted.
fn signature(observed: &Observed) -> (Vec<(ProtocolVersion, Vec<CipherSuite>)>, Vec<NamedGroup>) {
    let protocols = observed
        .protocols
        .iter()
        .filter(|p| p.support.is_accepted())
        .map(|p| {
            let mut suites = p.ciphers.clone();
            suites.sort();
            (p.version, suites)
        })
        .collect();
    let mut groups = observed.groups.all();
    groups.sort();
    (protocols, groups)
}

/// What `node` accepts that `first` does not, and the reverse, in words.
fn disagreement(first: (&SocketAddr, &Observed), node: (&SocketAddr, &Observed)) -> Option<String> {
    let describe = |a: &Observed, b: &Observed| -> Vec<String> {
        let mut extra = Vec::new();
        for p in a.protocols.iter().filter(|p| p.support.is_accepted()) {
            if !b.accepted_versions().contains(&p.version) {
                extra.push(p.version.to_string());
                continue;
            }
            for suite in &p.ciphers {
                if !b.accepts(p.version, *suite) {
                    extra.push(format!("{suite} under {}", p.version));
                }
            }
        }
        let b_groups = b.groups.all();
        extra.extend(
            a.groups
                .all()
                .into_iter()
                .filter(|g| !b_groups.contains(g))
                .map(|g| format!("group {g}")),
        );
        extra
    };
    if signature(first.1) == signature(node.1) {
        return None;
    }
    let more = describe(node.1, first.1);
    let less = describe(first.1, node.1);
    let mut parts = Vec::new();
    if !more.is_empty() {
        parts.push(format!(
            "accepts {} that {} does not",
            more.join(", "),
            first.0
        ));
    }
    if !less.is_empty() {
        parts.push(format!(
            "refuses {} that {} accepts",
            less.join(", "),
            first.0
        ));
    }
    if parts.is_empty() {
        parts.push(format!("prefers another order than {}", first.0));
    }
    Some(format!("node {} {}", node.0, parts.join("; ")))
}

/// One outcome for all the nodes probed: the first completed node's observation, with every
/// other node's acceptance added (the listener accepts what any node accepts), the disagreements
/// named, and the nodes that could not be probed recorded.
fn combine(outcomes: Vec<(SocketAddr, ProbeOutcome)>) -> ProbeOutcome {
    let completed: Vec<(&SocketAddr, &Observed)> = outcomes
        .iter()
        .filter_map(|(a, o)| match o {
            ProbeOutcome::Completed(observed) => Some((a, observed)),
            _ => None,
        })
        .collect();
    let Some(&(first_address, first)) = completed.first() else {
        // No node answered: the first one's failure says why.
        return outcomes
            .into_iter()
            .next()
            .map(|(_, o)| o)
            .expect("at least one address is probed");
    };
    if outcomes.len() == 1 {
        return ProbeOutcome::Completed(first.clone());
    }
    let mut merged = first.clone();
    merged.nodes = outcomes.iter().map(|(a, _)| a.to_string()).collect();
    for (address, outcome) in &outcomes {
        match outcome {
            ProbeOutcome::Unreachable { reason } | ProbeOutcome::Failed { reason } => {
                merged.failed_nodes.push(format!("{address}: {reason}"));
            }
            ProbeOutcome::Completed(_) => {}
        }
    }
    for &(address, other) in &completed[1..] {
        if let Some(text) = disagreement((first_address, first), (address, other)) {
            merged.node_disagreements.push(text);
        }
        for p in other.protocols.iter().filter(|p| p.support.is_accepted()) {
            match merged.protocols.iter_mut().find(|m| m.version == p.version) {
                Some(m) => {
                    if !m.support.is_accepted() {
                        m.support = Support::Accepted;
                        m.server_order = p.server_order;
                    }
                    for suite in &p.ciphers {
                        if !m.ciphers.contains(suite) {
                            m.ciphers.push(*suite);
                        }
                    }
                    m.complete &= p.complete;
                }
                None => merged.protocols.push(p.clone()),
            }
        }
        for (mine, theirs) in [
            (&mut merged.groups.tls13, &other.groups.tls13),
            (&mut merged.groups.tls12, &other.groups.tls12),
        ] {
            if let Some(theirs) = theirs {
                let mine = mine.get_or_insert_with(Vec::new);
                for g in theirs {
                    if !mine.contains(g) {
                        mine.push(*g);
                    }
                }
            }
        }
        for chain in &other.certificates {
            if !merged.certificates.contains(chain) {
                merged.certificates.push(chain.clone());
            }
        }
        merged.warnings.extend(other.warnings.iter().cloned());
        merged.gaps.extend(other.gaps.iter().cloned());
        merged
            .certificates_unread
            .extend(other.certificates_unread.iter().cloned());
    }
    merged.protocols.sort_by_key(|p| p.version);
    ProbeOutcome::Completed(merged)
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
