//! The enumeration logic, independent of sockets: which offers to make and what the answers mean.
//!
//! A [`Handshaker`] turns an [`Offer`] into an [`Answer`] (the network one builds a ClientHello and
//! reads the ServerHello; unit tests use a model server). Versions are probed in parallel; then,
//! per accepted version, suites are enumerated by elimination — offer every candidate, remove the
//! one the server picked, repeat — which takes accepted+1 handshakes and, against a server that
//! enforces its order, yields that order. Groups are enumerated the same way (TLS 1.3 through
//! HelloRetryRequest with no key share, TLS 1.2 through the ServerKeyExchange curve).

use std::future::Future;
use std::sync::Arc;

use tokio::task::JoinSet;

use crate::model::observed::{GroupObservation, ProtocolObservation, Support};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};

/// One ClientHello's worth of choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The version offered: the legacy version for ≤ TLS 1.2, `supported_versions = [1.3]` for 1.3.
    pub version: ProtocolVersion,
    /// Cipher suites, in this order.
    pub suites: Vec<CipherSuite>,
    /// `supported_groups`.
    pub groups: Vec<NamedGroup>,
    /// TLS 1.3 key shares to send (empty: make the server name its group in a HelloRetryRequest).
    pub key_shares: Vec<NamedGroup>,
    /// Read on past the ServerHello to the ServerKeyExchange (TLS ≤ 1.2 group probing) and the
    /// Certificate message.
    pub read_flight: bool,
}

/// Why a handshake did not tell anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No TCP connection (refused, unreachable, connect timeout).
    Connect(String),
    /// Connected, but no answer in time.
    Timeout(String),
    /// The peer sent something that is not a TLS server's answer.
    Garbage(String),
    /// The connection broke midway (reset, or closed after part of an answer).
    Io(String),
    /// The server answered with something no correct server sends to this offer: a suite, group
    /// or version that was not offered, a HelloRetryRequest naming a group already shared.
    Violation(String),
    /// The endpoint's overall deadline passed before this handshake could end.
    Deadline(String),
}

impl Failure {
    /// A sentence for people.
    pub fn reason(&self) -> &str {
        match self {
            Self::Connect(r)
            | Self::Timeout(r)
            | Self::Garbage(r)
            | Self::Io(r)
            | Self::Violation(r)
            | Self::Deadline(r) => r,
        }
    }
}

/// What the server did with an [`Offer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A ServerHello.
    Hello {
        /// The negotiated version (from supported_versions when present).
        version: ProtocolVersion,
        /// The chosen suite.
        suite: CipherSuite,
        /// The key-exchange group: the TLS 1.3 key_share, or the TLS ≤ 1.2 ServerKeyExchange curve
        /// when the flight was read.
        group: Option<NamedGroup>,
        /// DER certificates of a TLS ≤ 1.2 Certificate message, when the flight was read.
        certificates: Vec<Vec<u8>>,
    },
    /// A TLS 1.3 HelloRetryRequest.
    Retry {
        /// The chosen suite.
        suite: CipherSuite,
        /// The group the server asks for.
        group: Option<NamedGroup>,
    },
    /// The server refused the offer: an alert, or a ServerHello of another version.
    Refused(String),
    /// The server closed or reset the connection without sending a single TLS byte. Some stacks
    /// refuse this way; a non-TLS endpoint does the same, so an endpoint that only ever hangs up
    /// is not taken to "refuse everything".
    HungUp(String),
    /// Nothing could be learned from this attempt.
    Failed(Failure),
}

/// Makes handshakes. The network implementation bounds its own concurrency.
pub trait Handshaker: Send + Sync + 'static {
    /// Sends `offer` and reports the answer.
    fn handshake(&self, offer: Offer) -> impl Future<Output = Answer> + Send;
}

/// The candidate suites for a version: every suite of the registry defined for it (TLS ≤ 1.2 hellos
/// offer every non-1.3 suite, since servers negotiate suites outside their nominal range), without
/// signalling values.
pub fn candidate_suites(version: ProtocolVersion) -> Vec<CipherSuite> {
    CipherSuite::registry()
        .iter()
        .filter(|info| !info.is_signalling())
        .filter(|info| {
            if version == ProtocolVersion::TLSV1_3 {
                info.is_tls13()
            } else {
                !info.is_tls13()
            }
        })
        .map(|info| info.suite)
        .collect()
}

/// The candidate groups for a version: TLS 1.3 groups (including FFDHE and the ML-KEM hybrids) for
/// 1.3, elliptic curves for ≤ 1.2.
pub fn candidate_groups(version: ProtocolVersion) -> Vec<NamedGroup> {
    use crate::tls::GroupKind;
    NamedGroup::registry()
        .iter()
        .filter(|info| {
            if version == ProtocolVersion::TLSV1_3 {
                info.tls13 && info.kind != GroupKind::Obsolete
            } else {
                matches!(
                    info.kind,
                    GroupKind::Ec | GroupKind::EcBinary | GroupKind::Sm2
                )
            }
        })
        .map(|info| info.group)
        .collect()
}

/// Key shares sent in TLS 1.3 suite probes: the two groups nearly every server accepts.
pub const DEFAULT_KEY_SHARES: [NamedGroup; 2] = [NamedGroup::X25519, NamedGroup::SECP256R1];

fn base_offer(version: ProtocolVersion, suites: Vec<CipherSuite>) -> Offer {
    let tls13 = version == ProtocolVersion::TLSV1_3;
    Offer {
        version,
        suites,
        // Every group, not only those with a key share: a server whose policy allows none of
        // the shared ones (an RFC 9151 or CNSA policy: P-384 only) then names its group in a
        // HelloRetryRequest instead of failing the handshake (s2n-tls gives up when
        // `supported_groups` holds nothing it allows).
        groups: candidate_groups(version),
        key_shares: if tls13 {
            DEFAULT_KEY_SHARES.to_vec()
        } else {
            Vec::new()
        },
        read_flight: false,
    }
}

/// The first accepted suite of a version, as version detection found it.
struct VersionResult {
    version: ProtocolVersion,
    support: Support,
    first: Option<CipherSuite>,
    certificates: Vec<Vec<u8>>,
    /// The failure, when the attempt failed to connect at all.
    connect_failure: Option<Failure>,
    garbage: Option<Failure>,
    /// The server hung up without a TLS byte.
    hung_up: bool,
}

async fn detect_version<H: Handshaker>(h: Arc<H>, version: ProtocolVersion) -> VersionResult {
    let mut offer = base_offer(version, candidate_suites(version));
    offer.read_flight = version != ProtocolVersion::TLSV1_3;
    let answer = h.handshake(offer).await;
    let mut result = VersionResult {
        version,
        support: Support::Rejected,
        first: None,
        certificates: Vec::new(),
        connect_failure: None,
        garbage: None,
        hung_up: false,
    };
    match answer {
        Answer::Hello {
            version: v,
            suite,
            certificates,
            ..
        } if v == version => {
            result.support = Support::Accepted;
            result.first = Some(suite);
            result.certificates = certificates;
        }
        Answer::Retry { suite, .. } if version == ProtocolVersion::TLSV1_3 => {
            result.support = Support::Accepted;
            result.first = Some(suite);
        }
        Answer::Hello { .. } | Answer::Retry { .. } | Answer::Refused(_) => {}
        Answer::HungUp(_) => result.hung_up = true,
        Answer::Failed(failure) => {
            result.support = Support::Unknown(failure.reason().to_string());
            match failure {
                Failure::Connect(_) => result.connect_failure = Some(failure),
                Failure::Garbage(_) => result.garbage = Some(failure),
                _ => {}
            }
        }
    }
    result
}

/// What an answer says about one version's suite probe.
enum Pick {
    /// The server chose this suite under the probed version.
    Suite(CipherSuite),
    /// It refused, or answered with another version.
    Refused,
    /// The attempt failed.
    Failed(Failure),
}

fn pick(answer: Answer, version: ProtocolVersion) -> Pick {
    match answer {
        Answer::Hello {
            version: v, suite, ..
        } if v == version => Pick::Suite(suite),
        Answer::Retry { suite, .. } if version == ProtocolVersion::TLSV1_3 => Pick::Suite(suite),
        Answer::Hello { .. } | Answer::Retry { .. } | Answer::Refused(_) | Answer::HungUp(_) => {
            Pick::Refused
        }
        Answer::Failed(failure) => Pick::Failed(failure),
    }
}

/// How many offers one suite chain may have in flight when it speculates (see [`enumerate_suites`]).
const SPECULATION_WIDTH: usize = 4;

/// Enumerates the suites of an accepted version by elimination, starting from the suite version
/// detection found, then settles whether the server enforces its order. Returns the observation and
/// a warning when the enumeration broke off.
///
/// Elimination is sequential by nature: each offer leaves out what the server picked before. To
/// shorten the chain, it speculates with `hint` (the order the server is expected to prefer, e.g.
/// the declared policy's): next to the offer of every remaining suite it sends, at once, the offers
/// that also leave out the next 1, 2, 3 hinted suites. Each answer is used only if every hinted
/// suite it left out was confirmed in that order, so a wrong hint costs connections, never
/// correctness; a right one advances up to [`SPECULATION_WIDTH`] suites per round trip.
async fn enumerate_suites<H: Handshaker>(
    h: Arc<H>,
    version: ProtocolVersion,
    first: CipherSuite,
    hint: Arc<Vec<CipherSuite>>,
) -> (ProtocolObservation, Option<String>) {
    let mut found = vec![first];
    let mut remaining: Vec<CipherSuite> = candidate_suites(version)
        .into_iter()
        .filter(|s| *s != first)
        .collect();
    let mut warning = None;
    // Hinted suites still worth guessing: those defined for this version. A hinted suite the server
    // passed over (it picked one hinted later) is dropped: under the hinted order it is not
    // accepted; and when it needed a certificate kind the server never showed (an ECDSA suite on an
    // RSA-only listener), every suite needing that kind is dropped too.
    let mut plausible: Vec<CipherSuite> = hint
        .iter()
        .copied()
        .filter(|s| s.info().is_some_and(|i| i.usable_with(version)))
        .collect();
    let kind_of = |s: &CipherSuite| s.info().map(|i| i.required_certificate());
    let mut missing_kinds: Vec<RequiredCertificate> = Vec::new();
    'rounds: while !remaining.is_empty() {
        if let Some(last) = found.last()
            && let Some(at) = plausible.iter().position(|s| s == last)
        {
            for passed in plausible.drain(..=at) {
                if let Some(kind) = kind_of(&passed)
                    && !matches!(kind, RequiredCertificate::Any | RequiredCertificate::None)
                    && !found.iter().any(|f| kind_of(f) == Some(kind))
                    && !missing_kinds.contains(&kind)
                {
                    missing_kinds.push(kind);
                }
            }
        }
        let guesses: Vec<CipherSuite> = plausible
            .iter()
            .copied()
            .filter(|s| remaining.contains(s))
            .filter(|s| kind_of(s).is_some_and(|kind| !missing_kinds.contains(&kind)))
            .take(SPECULATION_WIDTH - 1)
            .collect();
        let mut offers = JoinSet::new();
        for skip in 0..=guesses.len() {
            let offer: Vec<CipherSuite> = remaining
                .iter()
                .copied()
                .filter(|s| !guesses[..skip].contains(s))
                .collect();
            if offer.is_empty() {
                break;
            }
            let h = Arc::clone(&h);
            offers.spawn(async move { (skip, h.handshake(base_offer(version, offer)).await) });
        }
        let mut answers: Vec<(usize, Answer)> = offers.join_all().await;
        answers.sort_by_key(|(skip, _)| *skip);
        for (skip, answer) in answers {
            // Valid only if the `skip` hinted suites it left out were the server's next choices.
            if found.len() < skip || found[found.len() - skip..] != guesses[..skip] {
                break;
            }
            match pick(answer, version) {
                Pick::Suite(suite) if remaining.contains(&suite) => {
                    found.push(suite);
                    remaining.retain(|s| *s != suite);
                    // A suite that needs another version: s2n-tls settles for one only when the
                    // offer holds nothing valid for this version, so no hinted suite left is
                    // accepted — guessing them again would cost a wasted offer every round.
                    if suite.info().is_some_and(|i| !i.usable_with(version)) {
                        plausible.clear();
                    }
                    if guesses.get(skip) != Some(&suite) {
                        continue 'rounds;
                    }
                }
                Pick::Suite(suite) => {
                    // A suite that was not offered: the server ignores the offer. Stop rather than
                    // loop.
                    warning = Some(format!(
                        "{version}: the server chose {suite}, which was not offered; enumeration stopped"
                    ));
                    break 'rounds;
                }
                Pick::Refused => break 'rounds,
                Pick::Failed(failure) => {
                    warning = Some(format!(
                        "{version}: cipher enumeration broke off after {} suites: {}",
                        found.len(),
                        failure.reason()
                    ));
                    break 'rounds;
                }
            }
        }
    }
    let complete = warning.is_none();
    // A server that follows the client's order always picks the lowest code point left (offers
    // list the candidates in code-point order), so any other sequence proves a server order.
    let ascending = found.windows(2).all(|w| w[0] < w[1]);
    let server_order = if found.len() < 2 {
        None
    } else if !ascending {
        Some(true)
    } else {
        let reversed: Vec<CipherSuite> = found.iter().rev().copied().collect();
        match pick(h.handshake(base_offer(version, reversed)).await, version) {
            Pick::Suite(suite) if suite == found[0] => Some(true),
            Pick::Suite(suite) if Some(&suite) == found.last() => Some(false),
            _ => None,
        }
    };
    let observation = ProtocolObservation {
        version,
        support: Support::Accepted,
        ciphers: found,
        server_order,
        complete,
    };
    (observation, warning)
}

/// Enumerates TLS 1.3 groups: offer every remaining group in `supported_groups` with no key share;
/// the HelloRetryRequest names the server's choice.
async fn enumerate_tls13_groups<H: Handshaker>(
    h: Arc<H>,
    suites: Vec<CipherSuite>,
) -> Result<Vec<NamedGroup>, String> {
    let mut remaining = candidate_groups(ProtocolVersion::TLSV1_3);
    let mut found = Vec::new();
    while !remaining.is_empty() {
        let offer = Offer {
            version: ProtocolVersion::TLSV1_3,
            suites: suites.clone(),
            groups: remaining.clone(),
            key_shares: Vec::new(),
            read_flight: false,
        };
        match h.handshake(offer).await {
            Answer::Retry {
                group: Some(group), ..
            }
            | Answer::Hello {
                group: Some(group), ..
            } if remaining.contains(&group) => {
                found.push(group);
                remaining.retain(|g| *g != group);
            }
            Answer::Retry { .. }
            | Answer::Hello { .. }
            | Answer::Refused(_)
            | Answer::HungUp(_) => {
                break;
            }
            Answer::Failed(failure) => {
                return Err(format!(
                    "TLS 1.3 group enumeration broke off: {}",
                    failure.reason()
                ));
            }
        }
    }
    Ok(found)
}

/// Enumerates TLS ≤ 1.2 ECDHE curves through the ServerKeyExchange, offering only the ECDHE suites
/// the server accepted.
async fn enumerate_tls12_groups<H: Handshaker>(
    h: Arc<H>,
    version: ProtocolVersion,
    ecdhe_suites: Vec<CipherSuite>,
) -> Result<Vec<NamedGroup>, String> {
    let mut remaining = candidate_groups(version);
    let mut found = Vec::new();
    while !remaining.is_empty() {
        let offer = Offer {
            version,
            suites: ecdhe_suites.clone(),
            groups: remaining.clone(),
            key_shares: Vec::new(),
            read_flight: true,
        };
        match h.handshake(offer).await {
            Answer::Hello {
                group: Some(group), ..
            } if remaining.contains(&group) => {
                found.push(group);
                remaining.retain(|g| *g != group);
            }
            Answer::Hello { .. }
            | Answer::Retry { .. }
            | Answer::Refused(_)
            | Answer::HungUp(_) => {
                break;
            }
            Answer::Failed(failure) => {
                return Err(format!(
                    "{version} curve enumeration broke off: {}",
                    failure.reason()
                ));
            }
        }
    }
    Ok(found)
}

/// The versions probed, oldest first.
pub const PROBED_VERSIONS: [ProtocolVersion; 5] = [
    ProtocolVersion::SSLV3,
    ProtocolVersion::TLSV1_0,
    ProtocolVersion::TLSV1_1,
    ProtocolVersion::TLSV1_2,
    ProtocolVersion::TLSV1_3,
];

/// Everything the handshake part of a probe found.
#[derive(Debug, Default)]
pub struct ScanResult {
    /// One entry per probed version, oldest first.
    pub protocols: Vec<ProtocolObservation>,
    /// The key-exchange groups accepted and refused, per version.
    pub groups: GroupObservation,
    /// DER certificates seen in plaintext TLS ≤ 1.2 handshakes (newest version first).
    pub plaintext_certificates: Vec<Vec<u8>>,
    /// Problems that make part of the result uncertain.
    pub warnings: Vec<String>,
    /// Parts that could not be determined besides the per-version results (a group enumeration
    /// that broke off): each makes the observation incomplete. Also among `warnings`.
    pub gaps: Vec<String>,
    /// Set when every version detection failed to connect: the endpoint is unreachable.
    pub unreachable: Option<String>,
    /// Set when every version detection got garbage: the endpoint does not speak TLS.
    pub not_tls: Option<String>,
    /// Set when no version was accepted and some attempts failed (timeouts, resets): nothing can
    /// be said about the endpoint.
    pub failed: Option<String>,
}

/// Runs the whole enumeration against `h`.
pub async fn scan<H: Handshaker>(h: Arc<H>, hint: Vec<CipherSuite>) -> ScanResult {
    let hint = Arc::new(hint);
    // 1. Every version at once.
    let mut detections = JoinSet::new();
    for version in PROBED_VERSIONS {
        detections.spawn(detect_version(Arc::clone(&h), version));
    }
    let mut results: Vec<VersionResult> = detections.join_all().await;
    results.sort_by_key(|r| r.version);

    let mut out = ScanResult::default();
    if let Some(failure) = results.iter().find_map(|r| r.connect_failure.clone())
        && results.iter().all(|r| r.connect_failure.is_some())
    {
        out.unreachable = Some(failure.reason().to_string());
        return out;
    }
    if results.iter().all(|r| !r.support.is_accepted()) {
        if let Some(garbage) = results.iter().find_map(|r| r.garbage.clone()) {
            out.not_tls = Some(garbage.reason().to_string());
            return out;
        }
        if results.iter().all(|r| r.hung_up) {
            out.failed = Some(
                "the endpoint closed every connection without a TLS answer (not a TLS server, or \
                 one that refuses every offer silently)"
                    .to_string(),
            );
            return out;
        }
        // Nothing accepted and some attempts failed: the endpoint could not be probed, which is
        // not the same as "accepts nothing".
        if let Some(reason) = results.iter().find_map(|r| match &r.support {
            Support::Unknown(reason) => Some(reason.clone()),
            _ => None,
        }) {
            out.failed = Some(format!("no protocol version could be determined: {reason}"));
            return out;
        }
    }
    for r in results.iter().rev() {
        if out.plaintext_certificates.is_empty() && !r.certificates.is_empty() {
            out.plaintext_certificates = r.certificates.clone();
        }
    }

    // 2. Suites per accepted version, and groups, all at once (each chain is sequential).
    let mut suite_chains = JoinSet::new();
    for r in &results {
        if let (Support::Accepted, Some(first)) = (&r.support, r.first) {
            suite_chains.spawn(enumerate_suites(
                Arc::clone(&h),
                r.version,
                first,
                Arc::clone(&hint),
            ));
        }
    }
    let tls13 = results
        .iter()
        .find(|r| r.version == ProtocolVersion::TLSV1_3 && r.support.is_accepted())
        .map(|_| candidate_suites(ProtocolVersion::TLSV1_3));
    let tls13_groups = tls13.map(|suites| {
        let h = Arc::clone(&h);
        tokio::spawn(async move { enumerate_tls13_groups(h, suites).await })
    });

    // TLS ≤ 1.2 curves, at the same time: under the newest such version accepted, offering every
    // ECDHE suite of the registry (the ServerKeyExchange names the curve).
    let tls12_groups = results
        .iter()
        .rev()
        .find(|r| {
            r.version < ProtocolVersion::TLSV1_3
                && r.version > ProtocolVersion::SSLV3
                && r.support.is_accepted()
        })
        .map(|r| {
            let ecdhe: Vec<CipherSuite> = candidate_suites(r.version)
                .into_iter()
                .filter(|s| {
                    s.info()
                        .is_some_and(|i| i.kx == crate::tls::KeyExchange::Ecdhe)
                })
                .collect();
            let (h, version) = (Arc::clone(&h), r.version);
            tokio::spawn(async move { enumerate_tls12_groups(h, version, ecdhe).await })
        });

    let mut protocols: Vec<ProtocolObservation> = Vec::new();
    for (observation, warning) in suite_chains.join_all().await {
        out.warnings.extend(warning);
        protocols.push(observation);
    }
    if let Some(task) = tls12_groups {
        match task.await {
            Ok(Ok(groups)) if groups.is_empty() => {} // no ECDHE at all: nothing to report
            Ok(Ok(groups)) => out.groups.tls12 = Some(groups),
            Ok(Err(gap)) => out.gaps.push(gap),
            Err(e) => out
                .gaps
                .push(format!("TLS 1.2 curve enumeration failed: {e}")),
        }
    }
    if let Some(task) = tls13_groups {
        match task.await {
            Ok(Ok(groups)) => out.groups.tls13 = Some(groups),
            Ok(Err(gap)) => out.gaps.push(gap),
            Err(e) => out
                .gaps
                .push(format!("TLS 1.3 group enumeration failed: {e}")),
        }
    }
    out.warnings.extend(out.gaps.iter().cloned());

    // 3. One entry per version, oldest first.
    for r in results {
        match protocols.iter().position(|p| p.version == r.version) {
            Some(i) => out.protocols.push(protocols.swap_remove(i)),
            None => {
                if let Support::Unknown(reason) = &r.support {
                    out.warnings
                        .push(format!("{}: could not be determined: {reason}", r.version));
                }
                out.protocols.push(ProtocolObservation {
                    version: r.version,
                    support: r.support,
                    ciphers: Vec::new(),
                    server_order: None,
                    complete: true,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
