//! The enumeration logic, independent of sockets: which offers to make and what the answers mean.
//!
//! A [`Handshaker`] turns an [`Offer`] into an [`Answer`] (the network one builds a ClientHello and
//! reads the ServerHello; unit tests use a model server). Every version is probed at once with an
//! offer of every suite and every group; its answer is also the first suite, group and certificate
//! kind found. Then, per accepted version and all versions at once, suites are enumerated by
//! elimination — offer every candidate, remove the one the server picked, repeat — which takes
//! accepted+1 handshakes and, against a server that enforces its order, yields that order. Groups
//! are found in the same offers (TLS 1.3 through HelloRetryRequests, with no key share; TLS ≤ 1.2
//! through the ServerKeyExchange curve, under the newest such version): see [`chain`].
//!
//! Each round of a version makes the exact next offer and, along what a [`Guide`] predicts, the
//! offers that follow it if the prediction is right ([`chain`] checks every answer against what
//! the ones before it found, so a wrong guess only costs a connection).

mod chain;
pub mod guide;

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::task::JoinSet;

use crate::model::observed::{GroupObservation, ProtocolObservation, Support};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};
use chain::{Chain, Finished, Planned};
use guide::Prediction;
pub use guide::{Guide, Profile};

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

    /// Told once per kind (RSA, ECDSA, …) as soon as an accepted suite proves the server holds a
    /// certificate of that kind, so that its chain can be fetched while the enumeration goes on.
    fn certificate_kind_proven(&self, _kind: RequiredCertificate) {}

    /// Told once per kind, before [`Handshaker::certificate_kind_proven`], the chain (DER, leaf
    /// first) a TLS ≤ 1.2 answer negotiating `suite` under `version` carried in plaintext.
    fn certificate_seen(
        &self,
        _kind: RequiredCertificate,
        _chain: &[Vec<u8>],
        _version: ProtocolVersion,
        _suite: CipherSuite,
    ) {
    }
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

/// Offers the first round after the version offers may make ahead of the answers when the guess
/// is not trusted (see [`Guide::new`]): the guess has just agreed with every version's answer
/// (which versions are accepted, and the first suite each picked), so it goes as far as one
/// round of the 24 connections `probe` allows at once can take, for a TLS 1.2 chain of a policy
/// as long as 2016-08's (nginx, 50 ms RTT: 0.33 -> 0.23 s, no connection more on any bench server).
pub const FIRST_SPECULATION_WIDTH: usize = 16;

/// Offers a round may make ahead of an untrusted guess after a round that proved a guess wrong.
pub const SPECULATION_WIDTH: usize = 6;

/// The furthest an untrusted guess goes, after rounds that proved it right.
const MAX_SPECULATION_WIDTH: usize = 48;

/// What the first offer of a version said.
struct VersionResult {
    version: ProtocolVersion,
    support: Support,
    certificates: Vec<Vec<u8>>,
    /// The failure, when the attempt failed to connect at all.
    connect_failure: Option<Failure>,
    garbage: Option<Failure>,
    /// The server hung up without a TLS byte.
    hung_up: bool,
}

fn version_result(version: ProtocolVersion, answer: &Answer) -> VersionResult {
    let mut result = VersionResult {
        version,
        support: Support::Rejected,
        certificates: Vec::new(),
        connect_failure: None,
        garbage: None,
        hung_up: false,
    };
    match answer {
        Answer::Hello {
            version: v,
            certificates,
            ..
        } if *v == version => {
            result.support = Support::Accepted;
            result.certificates.clone_from(certificates);
        }
        Answer::Retry { .. } if version == ProtocolVersion::TLSV1_3 => {
            result.support = Support::Accepted;
        }
        Answer::Hello { .. } | Answer::Retry { .. } | Answer::Refused(_) => {}
        Answer::HungUp(_) => result.hung_up = true,
        Answer::Failed(failure) => {
            result.support = Support::Unknown(failure.reason().to_string());
            match failure {
                Failure::Connect(_) => result.connect_failure = Some(failure.clone()),
                Failure::Garbage(_) => result.garbage = Some(failure.clone()),
                _ => {}
            }
        }
    }
    result
}

/// Makes every planned offer at once; the answers come back in the planned order.
async fn make_all<H: Handshaker>(h: &Arc<H>, planned: Vec<Planned>) -> Vec<(Planned, Answer)> {
    let mut offers = JoinSet::new();
    for (index, p) in planned.iter().enumerate() {
        let (h, offer) = (Arc::clone(h), p.offer.clone());
        offers.spawn(async move { (index, h.handshake(offer).await) });
    }
    let mut answers: Vec<(usize, Answer)> = offers.join_all().await;
    answers.sort_by_key(|(index, _)| *index);
    planned
        .into_iter()
        .zip(answers.into_iter().map(|(_, answer)| answer))
        .collect()
}

/// Certificate kinds proven so far by any version, shared by the chains.
type Kinds = Arc<Mutex<Vec<RequiredCertificate>>>;

fn report_kinds<H: Handshaker>(h: &H, kinds: &Kinds, chain: &mut Chain) {
    for (kind, ders, suite) in chain.take_new_chains() {
        h.certificate_seen(kind, &ders, chain.version, suite);
    }
    for kind in chain.take_new_kinds() {
        let mut known = kinds.lock().unwrap_or_else(PoisonError::into_inner);
        if !known.contains(&kind) {
            known.push(kind);
            h.certificate_kind_proven(kind);
        }
    }
}

/// The first round of a version: the offer of every suite and group, and — when the guide is
/// trusted and expects the version — the offers that verify its prediction.
async fn first_round<H: Handshaker>(
    h: Arc<H>,
    guide: Arc<Guide>,
    kinds: Kinds,
    version: ProtocolVersion,
) -> (VersionResult, Chain) {
    let mut chain = Chain::new(version, version > ProtocolVersion::SSLV3);
    // Only what a sibling listener showed is worth offers before any answer: a policy cannot say
    // which of its TLS ≤ 1.2 suites the certificates allow, and a listener that does not run
    // its declared policy would waste every such offer of a version it refuses.
    let prediction = match guide.confident() {
        Some(profile) if profile.observed && profile.expects(version) => {
            guide.predict(&chain.seen(&[], &[]))
        }
        _ => Prediction::default(),
    };
    let planned = chain.plan(&prediction, None);
    let answers = make_all(&h, planned).await;
    let result = version_result(version, &answers[0].1);
    if result.support.is_accepted() {
        chain.absorb(answers);
        report_kinds(&*h, &kinds, &mut chain);
    }
    (result, chain)
}

/// The rounds of one accepted version, until it is done.
async fn run_chain<H: Handshaker>(
    h: Arc<H>,
    guide: Arc<Guide>,
    kinds: Kinds,
    mut chain: Chain,
    accepted: Arc<Vec<ProtocolVersion>>,
) -> Finished {
    let mut idle_rounds = 0;
    // An untrusted guess goes further ahead each round it was right, back to a narrow width when
    // not.
    let mut width = FIRST_SPECULATION_WIDTH;
    while !chain.is_done() {
        let proven = kinds.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let prediction = guide.predict(&chain.seen(&accepted, &proven));
        let cap = (!prediction.trusted).then_some(width);
        let planned = chain.plan(&prediction, cap);
        if planned.is_empty() {
            chain.give_up("nothing left to offer");
            break;
        }
        let suite_steps = planned.iter().filter(|p| p.is_suite_step()).count();
        let found_before = chain.found_count();
        let answers = make_all(&h, planned).await;
        let learnt = chain.absorb(answers);
        let all_right = chain.found_count() + 1 >= found_before + suite_steps;
        width = if all_right && suite_steps >= width / 2 {
            (width * 2).min(MAX_SPECULATION_WIDTH)
        } else {
            SPECULATION_WIDTH
        };
        if learnt {
            idle_rounds = 0;
        } else {
            idle_rounds += 1;
            if idle_rounds == 2 {
                chain.give_up("the server's answers contradict each other");
            }
        }
        report_kinds(&*h, &kinds, &mut chain);
    }
    chain.finish()
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

/// Runs the whole enumeration against `h`, guessing ahead along `guide`.
pub async fn scan<H: Handshaker>(h: Arc<H>, guide: Guide) -> ScanResult {
    let guide = Arc::new(guide);
    let kinds: Kinds = Arc::default();
    // 1. Every version at once.
    let mut firsts = JoinSet::new();
    for version in PROBED_VERSIONS {
        firsts.spawn(first_round(
            Arc::clone(&h),
            Arc::clone(&guide),
            Arc::clone(&kinds),
            version,
        ));
    }
    let mut firsts: Vec<(VersionResult, Chain)> = firsts.join_all().await;
    firsts.sort_by_key(|(r, _)| r.version);
    let results: Vec<&VersionResult> = firsts.iter().map(|(r, _)| r).collect();

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
    let accepted: Arc<Vec<ProtocolVersion>> = Arc::new(
        results
            .iter()
            .filter(|r| r.support.is_accepted())
            .map(|r| r.version)
            .collect(),
    );
    // TLS ≤ 1.2 curves under the newest such version accepted.
    let curve_version = accepted
        .iter()
        .copied()
        .filter(|v| *v > ProtocolVersion::SSLV3 && *v < ProtocolVersion::TLSV1_3)
        .max();

    // 2. Every accepted version's rounds, all at once.
    let mut chains = JoinSet::new();
    let mut others: Vec<VersionResult> = Vec::new();
    for (result, mut chain) in firsts {
        if !result.support.is_accepted() {
            others.push(result);
            continue;
        }
        if chain.version != ProtocolVersion::TLSV1_3 && Some(chain.version) != curve_version {
            chain.drop_groups();
        }
        chains.spawn(run_chain(
            Arc::clone(&h),
            Arc::clone(&guide),
            Arc::clone(&kinds),
            chain,
            Arc::clone(&accepted),
        ));
    }
    let mut finished: Vec<Finished> = chains.join_all().await;
    finished.sort_by_key(|f| f.observation.version);
    for f in &mut finished {
        out.warnings.extend(f.warning.take());
        let Some((groups, gap)) = f.groups.take() else {
            continue;
        };
        if let Some(gap) = gap {
            out.gaps.push(gap);
        } else if f.observation.version == ProtocolVersion::TLSV1_3 {
            out.groups.tls13 = Some(groups);
        } else if !groups.is_empty() {
            // No ECDHE at all: nothing to report.
            out.groups.tls12 = Some(groups);
        }
    }
    out.warnings.extend(out.gaps.iter().cloned());

    // 3. One entry per version, oldest first.
    for version in PROBED_VERSIONS {
        if let Some(i) = finished
            .iter()
            .position(|f| f.observation.version == version)
        {
            out.protocols.push(finished.swap_remove(i).observation);
            continue;
        }
        let Some(r) = others.iter().find(|r| r.version == version) else {
            continue;
        };
        if let Support::Unknown(reason) = &r.support {
            out.warnings
                .push(format!("{}: could not be determined: {reason}", r.version));
        }
        out.protocols.push(ProtocolObservation {
            version: r.version,
            support: r.support.clone(),
            ciphers: Vec::new(),
            server_order: None,
            complete: true,
        });
    }
    out
}

#[cfg(test)]
mod tests;
