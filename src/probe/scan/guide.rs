//! Guesses: what an endpoint is expected to accept, used only to choose which offers to make
//! before the answers are in. A guess never becomes a result: every offer made along it is
//! checked against the answers, and a wrong guess costs connections, never exactness.
//!
//! A [`Profile`] is one server the endpoint might be: a policy's served order, or what a sibling
//! listener (same declared policy, same load balancer) showed. A [`Guide`] holds them in order of
//! likelihood. After each round of answers the first profile still consistent with everything
//! seen so far (the versions accepted, the suites and groups found in order, the certificate kinds
//! proven) says what comes next; a profile the server has contradicted is never followed again.

use std::sync::Arc;

use crate::model::observed::{GroupObservation, ProtocolObservation};
use crate::tls::{CipherSuite, GroupKind, NamedGroup, ProtocolVersion, RequiredCertificate};

/// One server the endpoint might be.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The versions it accepts, oldest first.
    pub versions: Vec<ProtocolVersion>,
    /// Per accepted version, the suites in the order the server picks them: first those valid for
    /// the version, then (s2n-tls's fallback) those that need a higher one.
    pub suites: Vec<(ProtocolVersion, Vec<CipherSuite>)>,
    /// TLS 1.3 groups in the server's order.
    pub tls13_groups: Vec<NamedGroup>,
    /// TLS ≤ 1.2 curves in the server's order.
    pub tls12_groups: Vec<NamedGroup>,
    /// Seen on a live server (every list exact, fallback suites included), not read from a policy.
    pub observed: bool,
    /// The policy it was read from (empty when observed). Profiles of one name (a policy's
    /// served and published orders, its ELBv2 and Classic entries) are guessed along only as far
    /// as they agree.
    pub name: String,
}

impl Profile {
    /// A profile from a policy's description: its versions, its suites in the served order (all
    /// versions mixed, as policies list them) and its groups in preference order.
    ///
    /// Under TLS ≤ 1.2 the suites that need a higher version are listed after the valid ones: a
    /// server that settles for them (s2n-tls) does so in the same order. They are only guessed
    /// once the server has shown such a fallback, since OpenSSL never does it.
    pub fn from_policy(
        versions: &[ProtocolVersion],
        suites: &[CipherSuite],
        groups: &[NamedGroup],
    ) -> Self {
        let mut versions = versions.to_vec();
        versions.sort();
        versions.dedup();
        let per_version = versions
            .iter()
            .map(|&version| {
                let defined =
                    |s: &CipherSuite| s.info().map(|i| (i.is_tls13(), i.usable_with(version)));
                let list: Vec<CipherSuite> = if version == ProtocolVersion::TLSV1_3 {
                    suites
                        .iter()
                        .copied()
                        .filter(|s| defined(s) == Some((true, true)))
                        .collect()
                } else {
                    let valid = suites.iter().filter(|s| defined(s) == Some((false, true)));
                    let beyond = suites.iter().filter(|s| {
                        defined(s) == Some((false, false))
                            && s.info().is_some_and(|i| i.min_version > version)
                    });
                    valid.chain(beyond).copied().collect()
                };
                (version, list)
            })
            .collect();
        let tls13_groups = groups
            .iter()
            .copied()
            .filter(|g| g.info().is_some_and(|i| i.tls13))
            .collect();
        let tls12_groups = groups.iter().copied().filter(|g| is_curve(*g)).collect();
        Self {
            versions,
            suites: per_version,
            tls13_groups,
            tls12_groups,
            observed: false,
            name: String::new(),
        }
    }

    /// The same profile, read from the policy `name`.
    pub fn named(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// What a server was seen to accept: the accepted versions with their suites in the order
    /// found, and the groups.
    pub fn observed(protocols: &[ProtocolObservation], groups: &GroupObservation) -> Self {
        let accepted: Vec<&ProtocolObservation> = protocols
            .iter()
            .filter(|p| p.support.is_accepted())
            .collect();
        Self {
            versions: accepted.iter().map(|p| p.version).collect(),
            suites: accepted
                .iter()
                .map(|p| (p.version, p.ciphers.clone()))
                .collect(),
            tls13_groups: groups.tls13.clone().unwrap_or_default(),
            tls12_groups: groups.tls12.clone().unwrap_or_default(),
            observed: true,
            name: String::new(),
        }
    }

    fn suites_of(&self, version: ProtocolVersion) -> Option<&[CipherSuite]> {
        self.suites
            .iter()
            .find(|(v, _)| *v == version)
            .map(|(_, list)| list.as_slice())
    }

    /// The versions it expects accepted, and its first suite per version, for a round of offers
    /// made before any answer (see [`Guide::confident`]).
    pub(super) fn expects(&self, version: ProtocolVersion) -> bool {
        self.versions.contains(&version)
    }
}

/// Whether `group` is a TLS ≤ 1.2 ECDHE curve.
pub(super) fn is_curve(group: NamedGroup) -> bool {
    group
        .info()
        .is_some_and(|i| matches!(i.kind, GroupKind::Ec | GroupKind::EcBinary | GroupKind::Sm2))
}

/// The profiles to guess from, most likely first.
#[derive(Clone, Debug, Default)]
pub struct Guide {
    /// A profile ahead of the others, alone trusted (what a sibling listener showed).
    lead: Option<Arc<Profile>>,
    profiles: Arc<[Profile]>,
    /// How many of the first profiles are trusted (without a lead).
    trusted: usize,
}

impl Guide {
    /// Profiles in order of likelihood; none at all makes every offer wait for the answer before it.
    ///
    /// The first `trusted` profiles are what the endpoint is declared to be (its policy, named
    /// with `--policy` or by the load balancer, in its served and its published order), or what a
    /// sibling listener showed. Every round goes as deep as they agree (with an observed profile
    /// the first round already makes every offer that verifies it); along the others each round
    /// guesses at most a few offers ahead.
    pub fn new(profiles: Vec<Profile>, trusted: usize) -> Self {
        Self {
            lead: None,
            trusted: trusted.min(profiles.len()),
            profiles: profiles.into(),
        }
    }

    /// The same guide with `first` in front, alone trusted (see [`Guide::new`]). The other
    /// profiles are shared, not copied.
    pub fn led_by(&self, first: Profile) -> Self {
        Self {
            lead: Some(Arc::new(first)),
            profiles: Arc::clone(&self.profiles),
            trusted: 1,
        }
    }

    /// Whether there is nothing to guess from.
    pub fn is_empty(&self) -> bool {
        self.lead.is_none() && self.profiles.is_empty()
    }

    /// Every profile, most likely first.
    fn all(&self) -> impl Iterator<Item = &Profile> {
        self.lead.as_deref().into_iter().chain(self.profiles.iter())
    }

    /// The first trusted profile, if any.
    pub(super) fn confident(&self) -> Option<&Profile> {
        if self.trusted == 0 {
            return None;
        }
        self.all().next()
    }

    /// What comes next for one version, given what its enumeration found so far.
    pub(super) fn predict(&self, seen: &Seen<'_>) -> Prediction {
        let mut prediction = Prediction::default();
        let consistent_versions = |p: &Profile| {
            seen.accepted_versions.is_empty() || p.versions.as_slice() == seen.accepted_versions
        };
        // Every profile's continuation, for those the answers have not ruled out.
        let continuations = self
            .all()
            .enumerate()
            .filter(|(_, p)| consistent_versions(p))
            .filter_map(|(index, p)| continuation(p, seen).map(|c| (index, p.name.as_str(), c)));
        let mut first: Option<Agreed<'_>> = None;
        for (index, name, (next, end)) in continuations {
            match &mut first {
                None => {
                    first = Some(Agreed {
                        index,
                        name,
                        next,
                        end,
                    });
                }
                // Trusted profiles that disagree (a policy's served and published orders), or
                // likely ones of one name: only as far as they agree.
                Some(agreed)
                    if (agreed.index < self.trusted && index < self.trusted)
                        || (agreed.index >= self.trusted
                            && !name.is_empty()
                            && agreed.name == name) =>
                {
                    let common = agreed
                        .next
                        .iter()
                        .zip(&next)
                        .take_while(|(a, b)| a == b)
                        .count();
                    agreed.end =
                        agreed.end && end && common == agreed.next.len() && common == next.len();
                    agreed.next.truncate(common);
                }
                Some(_) => break,
            }
        }
        if let Some(agreed) = first {
            prediction.suites = agreed.next;
            prediction.suites_end = agreed.end;
            prediction.trusted = agreed.index < self.trusted;
        }
        if let Some(found_groups) = seen.found_groups {
            for profile in self.all().filter(|p| consistent_versions(p)) {
                let list = if seen.version == ProtocolVersion::TLSV1_3 {
                    &profile.tls13_groups
                } else {
                    &profile.tls12_groups
                };
                if list.is_empty() || !list.starts_with(found_groups) {
                    continue;
                }
                prediction.groups = list[found_groups.len()..].to_vec();
                break;
            }
        }
        prediction
    }
}

/// The continuation profiles agree on so far, and the first of them.
struct Agreed<'a> {
    index: usize,
    name: &'a str,
    next: Vec<CipherSuite>,
    end: bool,
}

/// What `profile` expects after the suites found (and whether a refusal comes after it), when
/// they are consistent with it for some set of certificate kinds.
fn continuation(profile: &Profile, seen: &Seen<'_>) -> Option<(Vec<CipherSuite>, bool)> {
    let list = profile.suites_of(seen.version)?;
    for kinds in KIND_SETS {
        if !seen
            .proven
            .iter()
            .all(|k| !is_paired(*k) || kinds.contains(k))
        {
            continue;
        }
        let filtered: Vec<CipherSuite> = list
            .iter()
            .copied()
            .filter(|s| servable(*s, kinds, seen.proven))
            .collect();
        if !filtered.starts_with(seen.found) {
            continue;
        }
        let rest = &filtered[seen.found.len()..];
        let valid = |s: &CipherSuite| s.info().is_some_and(|i| i.usable_with(seen.version));
        let crossed = seen.found.iter().any(|s| !valid(s));
        // A policy does not say whether its server settles for suites of a higher version
        // (s2n-tls does, OpenSSL does not): guess up to that point only, until seen.
        let stop = if profile.observed || crossed {
            rest.len()
        } else {
            rest.iter().position(|s| !valid(s)).unwrap_or(rest.len())
        };
        return Some((rest[..stop].to_vec(), stop == rest.len()));
    }
    None
}

/// The certificate kinds a server may hold, most likely first: both (RSA and ECDSA), RSA alone,
/// ECDSA alone.
const KIND_SETS: [&[RequiredCertificate]; 3] = [
    &[RequiredCertificate::Rsa, RequiredCertificate::Ec],
    &[RequiredCertificate::Rsa],
    &[RequiredCertificate::Ec],
];

/// The kinds [`KIND_SETS`] decides between.
fn is_paired(kind: RequiredCertificate) -> bool {
    matches!(kind, RequiredCertificate::Rsa | RequiredCertificate::Ec)
}

/// Whether a server holding certificates of `kinds` (and of every kind `proven`) can pick `suite`.
fn servable(
    suite: CipherSuite,
    kinds: &[RequiredCertificate],
    proven: &[RequiredCertificate],
) -> bool {
    match suite.info().map(|i| i.required_certificate()) {
        Some(RequiredCertificate::Any | RequiredCertificate::None) => true,
        Some(kind) if is_paired(kind) => kinds.contains(&kind),
        Some(kind) => proven.contains(&kind),
        None => false,
    }
}

/// What one version's enumeration has found, for [`Guide::predict`].
pub(super) struct Seen<'a> {
    pub version: ProtocolVersion,
    /// Every version the server accepts (empty: not known yet).
    pub accepted_versions: &'a [ProtocolVersion],
    /// Suites found, in the server's order.
    pub found: &'a [CipherSuite],
    /// Certificate kinds the server was seen to use (any version).
    pub proven: &'a [RequiredCertificate],
    /// Groups found in order, when this version's enumeration looks for groups.
    pub found_groups: Option<&'a [NamedGroup]>,
}

/// The expected continuation of one version's enumeration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Prediction {
    /// The next suites the server should pick, in order.
    pub suites: Vec<CipherSuite>,
    /// After them the server should refuse (no more suites); false when nothing is known past them.
    pub suites_end: bool,
    /// The next groups, in order (after them none should be left).
    pub groups: Vec<NamedGroup>,
    /// The prediction comes from the guide's trusted first profile.
    pub trusted: bool,
}
