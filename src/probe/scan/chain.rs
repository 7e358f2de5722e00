//! One version's enumeration, pure: which offers to make next ([`Chain::plan`]) and what their
//! answers prove ([`Chain::absorb`]).
//!
//! Suites are found by elimination: an offer of every suite not found yet is answered with the
//! server's favourite among them. Groups the same way, in the same offers where that is sound: a
//! TLS 1.3 offer without key shares is answered with a HelloRetryRequest naming the server's
//! favourite among the groups offered, and a TLS ≤ 1.2 ECDHE answer names its curve in the
//! ServerKeyExchange. So one offer can leave out the suites *and* the groups found so far, and its
//! answer gives the next of each.
//!
//! Speculation: an offer may also leave out the next suites and groups a [`Prediction`] expects.
//! Its answer counts only if those were found, in that order; otherwise it is dropped (a wasted
//! connection, never a wrong result). So one round of offers can confirm a whole predicted order.
//!
//! Two refusals end a version: one of an offer of every suite left *with every group* (no suite
//! is left), one of an offer of accepted suites with the groups left (no group is left). A
//! refusal of an offer that leaves out both proves neither, and is not repeated.
//!
//! TLS ≤ 1.2 has two traps, both handled here. Offered no curve it accepts, a server skips its
//! ECDHE suites and picks a later one, so an answer to an offer narrowed in curves is taken as
//! the next suite only when it names a curve (ECDHE was possible). And an OpenSSL server picks an
//! ECDSA suite only when the client offers its certificate's curve: narrowed offers always keep
//! the curves of the ECDSA certificates seen, and when such a certificate turns up later, the
//! suites found through offers without its curve are enumerated again.

use crate::model::certificate::KeyAlgorithm;
use crate::model::observed::{ProtocolObservation, Support};
use crate::probe::cert::parse_certificate;
use crate::tls::{CipherSuite, KeyExchange, NamedGroup, ProtocolVersion, RequiredCertificate};

use super::guide::{Prediction, Seen};
use super::{Answer, Failure, Offer, candidate_groups, candidate_suites};

/// Groups being enumerated under one version.
#[derive(Clone, Debug)]
struct Groups {
    found: Vec<NamedGroup>,
    remaining: Vec<NamedGroup>,
    done: bool,
    /// Why the enumeration broke off.
    gap: Option<String>,
}

/// One version's enumeration.
#[derive(Clone, Debug)]
pub(super) struct Chain {
    pub(super) version: ProtocolVersion,
    found: Vec<CipherSuite>,
    /// Candidates not found yet, in code-point order.
    remaining: Vec<CipherSuite>,
    suites_done: bool,
    /// Set when the enumeration broke off; says why.
    warning: Option<String>,
    groups: Option<Groups>,
    /// Curves of the ECDSA certificates seen (TLS ≤ 1.2).
    ecdsa_curves: Vec<NamedGroup>,
    /// Suites found through offers narrowed in curves (TLS ≤ 1.2): index in `found`, curves offered.
    narrowed: Vec<(usize, Vec<NamedGroup>)>,
    /// (suite offered first, suite picked) of offers listing accepted suites in reverse order.
    order_evidence: Vec<(CipherSuite, CipherSuite)>,
    /// Whether an offer of the found suites in reverse order was made for the order alone.
    order_checked: bool,
    /// (suites found, groups found) when an offer narrowed in both was refused: not repeated.
    ambiguous: Option<(usize, usize)>,
    /// Certificate kinds this version's answers proved, not yet reported.
    new_kinds: Vec<RequiredCertificate>,
    /// Every kind proven here.
    kinds: Vec<RequiredCertificate>,
    /// The first plaintext chain of each kind (TLS ≤ 1.2), with the suite, not yet reported.
    new_chains: Vec<(RequiredCertificate, Vec<Vec<u8>>, CipherSuite)>,
}

/// An offer and what its answer can prove.
#[derive(Clone, Debug)]
pub(super) struct Planned {
    pub(super) offer: Offer,
    /// A suite step: the predicted suites it leaves out. Its answer is the next suite if these
    /// were found, in this order, after the `base` suites.
    suites_skipped: Option<Vec<CipherSuite>>,
    /// A group step (alone, or within a suite step): the predicted groups it leaves out.
    groups_skipped: Option<Vec<NamedGroup>>,
    /// The offer lists every candidate group.
    all_groups: bool,
    /// An offer of the found suites in reverse order, made to settle the server order.
    order_check: bool,
    /// Suites and groups found when it was planned.
    base: (usize, usize),
    /// Sort key: how far ahead of the answers it guesses.
    depth: usize,
}

impl Planned {
    /// Whether its answer may be the next suite.
    pub(super) fn is_suite_step(&self) -> bool {
        self.suites_skipped.is_some()
    }
}

/// What an answer says, for this version.
enum Picked {
    Suite {
        suite: CipherSuite,
        group: Option<NamedGroup>,
        certificates: Vec<Vec<u8>>,
    },
    Refused,
    Failed(Failure),
}

fn picked(answer: Answer, version: ProtocolVersion) -> Picked {
    match answer {
        Answer::Hello {
            version: v,
            suite,
            group,
            certificates,
        } if v == version => Picked::Suite {
            suite,
            group,
            certificates,
        },
        Answer::Retry { suite, group } if version == ProtocolVersion::TLSV1_3 => Picked::Suite {
            suite,
            group,
            certificates: Vec::new(),
        },
        Answer::Hello { .. } | Answer::Retry { .. } | Answer::Refused(_) | Answer::HungUp(_) => {
            Picked::Refused
        }
        Answer::Failed(failure) => Picked::Failed(failure),
    }
}

fn ecdhe(suite: CipherSuite) -> bool {
    suite.info().is_some_and(|i| i.kx == KeyExchange::Ecdhe)
}

/// The offer every step of `version` is built on.
pub(super) fn offer(
    version: ProtocolVersion,
    suites: Vec<CipherSuite>,
    groups: Vec<NamedGroup>,
) -> Offer {
    Offer {
        version,
        suites,
        groups,
        // None: a TLS 1.3 server names its group in a HelloRetryRequest.
        key_shares: Vec::new(),
        // TLS ≤ 1.2: the ServerKeyExchange names the curve, the Certificate the key.
        read_flight: version < ProtocolVersion::TLSV1_3,
    }
}

impl Chain {
    /// A version not probed yet. `groups`: whether its groups are enumerated too.
    pub(super) fn new(version: ProtocolVersion, groups: bool) -> Self {
        Self {
            version,
            found: Vec::new(),
            remaining: candidate_suites(version),
            suites_done: false,
            warning: None,
            groups: groups.then(|| Groups {
                found: Vec::new(),
                remaining: candidate_groups(version),
                done: false,
                gap: None,
            }),
            ecdsa_curves: Vec::new(),
            narrowed: Vec::new(),
            order_evidence: Vec::new(),
            order_checked: false,
            ambiguous: None,
            new_kinds: Vec::new(),
            kinds: Vec::new(),
            new_chains: Vec::new(),
        }
    }

    /// Stops enumerating groups under this version (another one does it).
    pub(super) fn drop_groups(&mut self) {
        self.groups = None;
    }

    /// What was found, for [`super::guide::Guide::predict`].
    pub(super) fn seen<'a>(
        &'a self,
        accepted_versions: &'a [ProtocolVersion],
        proven: &'a [RequiredCertificate],
    ) -> Seen<'a> {
        Seen {
            version: self.version,
            accepted_versions,
            found: &self.found,
            proven,
            found_groups: self.groups.as_ref().map(|g| g.found.as_slice()),
        }
    }

    /// How many suites were found so far.
    pub(super) fn found_count(&self) -> usize {
        self.found.len()
    }

    /// Plaintext chains of kinds proven since the last call: (kind, DER chain, suite).
    pub(super) fn take_new_chains(
        &mut self,
    ) -> Vec<(RequiredCertificate, Vec<Vec<u8>>, CipherSuite)> {
        std::mem::take(&mut self.new_chains)
    }

    /// Certificate kinds proven since the last call.
    pub(super) fn take_new_kinds(&mut self) -> Vec<RequiredCertificate> {
        std::mem::take(&mut self.new_kinds)
    }

    fn groups_open(&self) -> bool {
        self.groups.as_ref().is_some_and(|g| !g.done)
    }

    fn suites_open(&self) -> bool {
        !self.suites_done && self.warning.is_none()
    }

    /// The server order, when the suites found settle it (`None`: not known yet, or unknowable).
    fn order_known(&self) -> Option<Option<bool>> {
        if self.found.len() < 2 {
            return Some(None);
        }
        // A server that follows the client's order picks the lowest code point left (offers list
        // the candidates in code-point order), so any other sequence proves a server order.
        if !self.found.windows(2).all(|w| w[0] < w[1]) {
            return Some(Some(true));
        }
        for &(first, picked) in &self.order_evidence {
            if first != self.found[0] && self.found.contains(&first) && self.found.contains(&picked)
            {
                if picked == self.found[0] {
                    return Some(Some(true));
                }
                if picked == first {
                    return Some(Some(false));
                }
            }
        }
        self.order_checked.then_some(None)
    }

    /// Whether nothing is left to offer.
    pub(super) fn is_done(&self) -> bool {
        !self.suites_open()
            && !self.groups_open()
            && (self.warning.is_some() || self.order_known().is_some())
    }

    /// The offers of the next round: the exact next step, and as far ahead as `prediction` goes
    /// (at most `cap` offers in all, when given).
    pub(super) fn plan(&self, prediction: &Prediction, cap: Option<usize>) -> Vec<Planned> {
        let version = self.version;
        let tls13 = version == ProtocolVersion::TLSV1_3;
        let full_groups = candidate_groups(version);
        let base = (
            self.found.len(),
            self.groups.as_ref().map_or(0, |g| g.found.len()),
        );
        let mut out: Vec<Planned> = Vec::new();
        // The predictions still possible: suites not found yet, without repeats.
        let hs = usable_prefix(&prediction.suites, &self.remaining);
        let suites_end = prediction.suites_end && hs.len() == prediction.suites.len();
        let qs = match &self.groups {
            Some(g) => usable_prefix(&prediction.groups, &g.remaining),
            None => Vec::new(),
        };
        // Groups carried so far (past `qs.len()`: the version's first offer asked the unknown one).
        let mut carried = 0usize;
        if self.suites_open() {
            for t in 0..=hs.len() {
                let suites: Vec<CipherSuite> = self
                    .remaining
                    .iter()
                    .copied()
                    .filter(|s| !hs[..t].contains(s))
                    .collect();
                if suites.is_empty() {
                    break;
                }
                let next = hs.get(t).copied();
                let mut groups = full_groups.clone();
                let mut groups_skipped = None;
                // Only a predicted group rides along: were the groups left all refused, the
                // refusal would not tell the suites were, and every offer guessing further
                // ahead would be lost with it.
                if let Some(g) = self.groups.as_ref().filter(|g| !g.done)
                    && (carried < qs.len() || (carried == 0 && g.found.is_empty()))
                {
                    let skip = &qs[..carried];
                    let narrowed: Vec<NamedGroup> = g
                        .remaining
                        .iter()
                        .copied()
                        .filter(|q| !skip.contains(q))
                        .collect();
                    let whole = narrowed == full_groups;
                    let allowed = whole
                        || (!narrowed.is_empty()
                            && self.ambiguous != Some((base.0 + t, base.1 + carried))
                            && if tls13 {
                                // The offer that should prove the suites all found needs them all.
                                next.is_some() || !suites_end
                            } else {
                                next.is_some_and(ecdhe)
                                    && self.ecdsa_curves.iter().all(|k| narrowed.contains(k))
                            });
                    if allowed {
                        groups = narrowed;
                        groups_skipped = Some(skip.to_vec());
                        carried += 1;
                    }
                }
                let all_groups = groups == full_groups;
                out.push(Planned {
                    offer: offer(version, suites, groups),
                    suites_skipped: Some(hs[..t].to_vec()),
                    groups_skipped,
                    all_groups,
                    order_check: false,
                    base,
                    depth: t,
                });
            }
        }
        // Group predictions the suite steps did not carry, and the next unknown group (or, when
        // the prediction ends, the refusal that proves none is left), each in an offer of its own.
        if let Some(g) = self.groups.as_ref().filter(|g| !g.done)
            && carried <= qs.len()
        {
            for u in carried..=qs.len() {
                let skip = &qs[..u];
                let groups: Vec<NamedGroup> = g
                    .remaining
                    .iter()
                    .copied()
                    .filter(|q| !skip.contains(q))
                    .collect();
                if groups.is_empty() {
                    break;
                }
                let suites = if tls13 {
                    // Suites the server accepts, in reverse order: the answer also tells whether it
                    // follows its own order (it picks the first found) or the client's.
                    let mut known: Vec<CipherSuite> = self.found.clone();
                    known.extend(hs.iter().copied().filter(|s| !self.found.contains(s)));
                    if known.is_empty() {
                        known = candidate_suites(version);
                    }
                    known.reverse();
                    known
                } else {
                    candidate_suites(version)
                        .into_iter()
                        .filter(|s| ecdhe(*s))
                        .collect()
                };
                out.push(Planned {
                    offer: offer(version, suites, groups),
                    suites_skipped: None,
                    groups_skipped: Some(skip.to_vec()),
                    all_groups: false,
                    order_check: false,
                    base,
                    depth: u,
                });
            }
        }
        if out.is_empty()
            && self.warning.is_none()
            && self.order_known().is_none()
            && !self.order_checked
        {
            let mut reversed = self.found.clone();
            reversed.reverse();
            out.push(Planned {
                offer: offer(version, reversed, full_groups),
                suites_skipped: None,
                groups_skipped: None,
                all_groups: true,
                order_check: true,
                base,
                depth: 0,
            });
        }
        out.sort_by_key(|p| p.depth);
        if let Some(cap) = cap {
            out.truncate(cap.max(1));
        }
        out
    }

    /// Takes in one round's answers (each with the offer it answers); returns whether anything
    /// was learnt.
    pub(super) fn absorb(&mut self, mut answers: Vec<(Planned, Answer)>) -> bool {
        let before = self.progress_mark();
        let version = self.version;
        let tls13 = version == ProtocolVersion::TLSV1_3;
        // Suite steps in the order they guess ahead, then group steps likewise: each answer is
        // judged against what the ones before it found.
        answers.sort_by_key(|(p, _)| (p.suites_skipped.is_none(), p.depth));
        for (planned, answer) in answers {
            let picked = picked(answer, version);
            if let Picked::Suite {
                suite,
                certificates,
                ..
            } = &picked
            {
                self.note_certificate(*suite, certificates);
            }
            if let Some(skipped) = &planned.suites_skipped
                && self.suites_open()
                && follows(&self.found, planned.base.0, skipped)
            {
                match &picked {
                    Picked::Suite { suite, group, .. } => {
                        let narrowed = !planned.all_groups;
                        // Narrowed in curves, a TLS ≤ 1.2 server may have skipped ECDHE suites
                        // for want of a curve: only an ECDHE answer shows it did not.
                        let sound = tls13
                            || !narrowed
                            || group.is_some_and(|g| planned.offer.groups.contains(&g));
                        if !sound {
                            // Not taken, and not asked that way again.
                            let groups_at = planned.base.1
                                + planned.groups_skipped.as_ref().map_or(0, Vec::len);
                            self.ambiguous = Some((self.found.len(), groups_at));
                        } else if self.remaining.contains(suite) {
                            self.found.push(*suite);
                            self.remaining.retain(|s| s != suite);
                            if narrowed && !tls13 {
                                self.narrowed
                                    .push((self.found.len() - 1, planned.offer.groups.clone()));
                            }
                        }
                    }
                    Picked::Refused if planned.all_groups => self.suites_done = true,
                    Picked::Refused => {
                        let groups_at =
                            planned.base.1 + planned.groups_skipped.as_ref().map_or(0, Vec::len);
                        self.ambiguous = Some((self.found.len(), groups_at));
                    }
                    Picked::Failed(failure) => {
                        self.warning = Some(format!(
                            "{version}: cipher enumeration broke off after {} suites: {}",
                            self.found.len(),
                            failure.reason()
                        ));
                    }
                }
            }
            if let Some(skipped) = &planned.groups_skipped
                && let Some(groups) = self.groups.as_mut()
                && !groups.done
                && follows(&groups.found, planned.base.1, skipped)
            {
                let alone = planned.suites_skipped.is_none();
                match &picked {
                    Picked::Suite {
                        group: Some(group), ..
                    } if groups.remaining.contains(group)
                        && planned.offer.groups.contains(group) =>
                    {
                        groups.found.push(*group);
                        groups.remaining.retain(|g| g != group);
                    }
                    Picked::Suite { .. } => {}
                    Picked::Refused if alone => groups.done = true,
                    Picked::Refused => {}
                    Picked::Failed(failure) if alone => {
                        groups.gap = Some(if tls13 {
                            format!("TLS 1.3 group enumeration broke off: {}", failure.reason())
                        } else {
                            format!(
                                "{version} curve enumeration broke off: {}",
                                failure.reason()
                            )
                        });
                        groups.done = true;
                    }
                    Picked::Failed(_) => {}
                }
            }
            if let Picked::Suite { suite, .. } = &picked {
                if planned.order_check {
                    self.order_checked = true;
                }
                if (planned.order_check || (tls13 && planned.suites_skipped.is_none()))
                    && let Some(first) = planned.offer.suites.first()
                {
                    self.order_evidence.push((*first, *suite));
                }
            } else if planned.order_check {
                self.order_checked = true;
            }
        }
        self.recheck_narrowed();
        if self.remaining.is_empty() {
            self.suites_done = true;
        }
        if let Some(groups) = self.groups.as_mut()
            && groups.remaining.is_empty()
        {
            groups.done = true;
        }
        self.progress_mark() != before
    }

    fn progress_mark(&self) -> Mark {
        Mark {
            suites: self.found.len(),
            suites_done: self.suites_done,
            broken: self.warning.is_some(),
            groups: self.groups.as_ref().map_or(0, |g| g.found.len()),
            groups_done: self.groups.as_ref().is_some_and(|g| g.done),
            ambiguous: self.ambiguous,
            order: (self.order_evidence.len(), self.order_checked),
        }
    }

    /// Records the certificate kind `suite` proves, and the curve of an ECDSA certificate.
    fn note_certificate(&mut self, suite: CipherSuite, certificates: &[Vec<u8>]) {
        let Some(kind) = suite.info().map(|i| i.required_certificate()) else {
            return;
        };
        if !matches!(kind, RequiredCertificate::Any | RequiredCertificate::None)
            && !self.kinds.contains(&kind)
        {
            self.kinds.push(kind);
            self.new_kinds.push(kind);
            if !certificates.is_empty() {
                self.new_chains.push((kind, certificates.to_vec(), suite));
            }
        }
        if kind != RequiredCertificate::Ec || self.version == ProtocolVersion::TLSV1_3 {
            return;
        }
        let curves: Vec<NamedGroup> = match certificates.first().map(|der| parse_certificate(der)) {
            Some(Ok(leaf)) => match &leaf.key.algorithm {
                KeyAlgorithm::Ec { curve } => NamedGroup::from_name(curve).into_iter().collect(),
                // Ed25519/Ed448 keys name no curve in supported_groups.
                KeyAlgorithm::Ed25519 | KeyAlgorithm::Ed448 => Vec::new(),
                _ => Vec::new(),
            },
            // Unread: any curve an ECDSA certificate is commonly on.
            _ => vec![
                NamedGroup::SECP256R1,
                NamedGroup::SECP384R1,
                NamedGroup::SECP521R1,
            ],
        };
        for curve in curves {
            if !self.ecdsa_curves.contains(&curve) {
                self.ecdsa_curves.push(curve);
            }
        }
    }

    /// Suites found through offers that lacked the curve of an ECDSA certificate seen since may
    /// have come before an ECDSA suite the server could not pick then: found again.
    fn recheck_narrowed(&mut self) {
        let Some(&(from, _)) = self
            .narrowed
            .iter()
            .find(|(_, offered)| !self.ecdsa_curves.iter().all(|k| offered.contains(k)))
        else {
            return;
        };
        self.remaining.extend(self.found.drain(from..));
        self.remaining.sort();
        self.narrowed.retain(|(index, _)| *index < from);
        self.suites_done = false;
        self.ambiguous = None;
    }

    /// The observation, and the groups found (`None` when not enumerated here), with the gap
    /// when the group enumeration broke off.
    pub(super) fn finish(self) -> Finished {
        let server_order = self.order_known().flatten();
        let complete = self.warning.is_none();
        let groups = self.groups.map(|g| (g.found, g.gap));
        Finished {
            observation: ProtocolObservation {
                version: self.version,
                support: Support::Accepted,
                ciphers: self.found,
                server_order,
                complete,
            },
            warning: self.warning,
            groups,
        }
    }

    /// Stops with a warning (no progress for a whole round: the server answers inconsistently).
    pub(super) fn give_up(&mut self, why: &str) {
        if self.warning.is_none() && self.suites_open() {
            self.warning = Some(format!(
                "{}: cipher enumeration broke off after {} suites: {why}",
                self.version,
                self.found.len()
            ));
        }
        if let Some(groups) = self.groups.as_mut()
            && !groups.done
        {
            groups.gap = Some(format!(
                "{} group enumeration broke off: {why}",
                self.version
            ));
            groups.done = true;
        }
        self.order_checked = true;
    }
}

/// How far a chain has come, to tell a round that learnt nothing.
#[derive(PartialEq, Eq)]
struct Mark {
    suites: usize,
    suites_done: bool,
    broken: bool,
    groups: usize,
    groups_done: bool,
    ambiguous: Option<(usize, usize)>,
    order: (usize, bool),
}

/// A finished version.
pub(super) struct Finished {
    pub(super) observation: ProtocolObservation,
    pub(super) warning: Option<String>,
    pub(super) groups: Option<(Vec<NamedGroup>, Option<String>)>,
}

/// Whether `found` is `base` items followed by exactly `skipped`.
fn follows<T: PartialEq>(found: &[T], base: usize, skipped: &[T]) -> bool {
    found.len() == base + skipped.len() && found[base..] == *skipped
}

/// The longest prefix of `predicted` made of distinct members of `open`.
fn usable_prefix<T: Copy + PartialEq>(predicted: &[T], open: &[T]) -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for item in predicted {
        if !open.contains(item) || out.contains(item) {
            break;
        }
        out.push(*item);
    }
    out
}
