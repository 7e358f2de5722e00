//! Drift: what a listener really accepts against what its policy declares.

use std::fmt;

use crate::catalogue::{Catalogue, Fit, Policy};
use crate::finding::FindingCode;
use crate::model::observed::Observed;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// The kind of a difference. The `code` is stable: reports, baselines and `--diff` key on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DifferenceCode {
    /// The listener accepts a protocol version its policy does not enable.
    ProtocolNotInPolicy,
    /// The listener accepts a cipher suite its policy does not enable.
    CipherNotInPolicy,
    /// The listener accepts a key-exchange group its policy does not list.
    GroupNotInPolicy,
    /// A protocol the policy enables was refused.
    DeclaredProtocolNotOffered,
    /// A cipher the policy enables (and the certificates allow) was refused.
    DeclaredCipherNotOffered,
    /// A group the policy lists was refused.
    DeclaredGroupNotOffered,
    /// The server's cipher preference differs from the policy's priority.
    CipherOrderDiffers,
}

impl DifferenceCode {
    /// Every code.
    pub const ALL: [Self; 7] = [
        Self::ProtocolNotInPolicy,
        Self::CipherNotInPolicy,
        Self::GroupNotInPolicy,
        Self::DeclaredProtocolNotOffered,
        Self::DeclaredCipherNotOffered,
        Self::DeclaredGroupNotOffered,
        Self::CipherOrderDiffers,
    ];

    /// The stable kebab-case code: its finding's.
    pub fn code(self) -> &'static str {
        FindingCode::from(self).code()
    }

    /// Whether the listener accepts *more* than declared (the account's word is wrong in the
    /// dangerous direction).
    pub fn is_excess(self) -> bool {
        matches!(
            self,
            Self::ProtocolNotInPolicy | Self::CipherNotInPolicy | Self::GroupNotInPolicy
        )
    }
}

impl From<DifferenceCode> for FindingCode {
    fn from(code: DifferenceCode) -> Self {
        match code {
            DifferenceCode::ProtocolNotInPolicy => Self::ProtocolNotInPolicy,
            DifferenceCode::CipherNotInPolicy => Self::CipherNotInPolicy,
            DifferenceCode::GroupNotInPolicy => Self::GroupNotInPolicy,
            DifferenceCode::DeclaredProtocolNotOffered => Self::DeclaredProtocolNotOffered,
            DifferenceCode::DeclaredCipherNotOffered => Self::DeclaredCipherNotOffered,
            DifferenceCode::DeclaredGroupNotOffered => Self::DeclaredGroupNotOffered,
            DifferenceCode::CipherOrderDiffers => Self::CipherOrderDiffers,
        }
    }
}

impl fmt::Display for DifferenceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// What a difference is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A protocol version.
    Protocol(ProtocolVersion),
    /// A cipher suite, and the versions under which the difference was seen.
    Cipher {
        /// The suite.
        suite: CipherSuite,
        /// The versions concerned.
        versions: Vec<ProtocolVersion>,
    },
    /// A key-exchange group.
    Group(NamedGroup),
    /// The cipher order under one version.
    Order {
        /// The version.
        version: ProtocolVersion,
        /// The policy's served priority, restricted to the suites compared.
        declared: Vec<CipherSuite>,
        /// The server's preference (empty when the server does not enforce one).
        observed: Vec<CipherSuite>,
        /// The pairs the server ranks the other way round: `(a, b)` means the server prefers `a`
        /// to `b` where the policy ranks `b` first.
        inverted: Vec<(CipherSuite, CipherSuite)>,
    },
}

impl fmt::Display for Subject {
    /// The protocol, suite (OpenSSL name where it has one), group, or the version whose order
    /// differs: what reports and `--diff` key a finding on.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Protocol(v) => v.fmt(f),
            Self::Cipher { suite, .. } => suite.fmt(f),
            Self::Group(g) => g.fmt(f),
            Self::Order { version, .. } => version.fmt(f),
        }
    }
}

/// One difference between a policy and what was observed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Difference {
    /// The kind.
    pub code: DifferenceCode,
    /// What it is about.
    pub subject: Subject,
    /// One sentence for people.
    pub message: String,
}

fn versions_text(versions: &[ProtocolVersion]) -> String {
    let names: Vec<String> = versions.iter().map(ToString::to_string).collect();
    names.join(", ")
}

/// The order a server running `policy` applies: the served order where the catalogue records
/// one (what s2n-tls really serves, when it differs from AWS's published priority), else the
/// published priority.
fn served_priority(policy: &Policy) -> Vec<CipherSuite> {
    policy.served_priority().iter().map(|c| c.suite).collect()
}

/// The pairs `observed` ranks differently from `declared` (both hold the same suites), fewest
/// words first: each suite the server moved up, with the suites it overtook.
fn inversions(
    observed: &[CipherSuite],
    declared: &[CipherSuite],
) -> Vec<(CipherSuite, CipherSuite)> {
    let rank = |s: &CipherSuite| declared.iter().position(|d| d == s).unwrap_or(usize::MAX);
    let mut pairs = Vec::new();
    for (i, a) in observed.iter().enumerate() {
        for b in &observed[i + 1..] {
            if rank(a) > rank(b) {
                pairs.push((*a, *b));
            }
        }
    }
    pairs
}

/// "A before B and C; D before E": the inverted pairs grouped by the suite the server moved up,
/// at most four groups, then how many more.
fn pairs_text(pairs: &[(CipherSuite, CipherSuite)]) -> String {
    const SHOWN: usize = 4;
    let mut groups: Vec<(CipherSuite, Vec<CipherSuite>)> = Vec::new();
    for (a, b) in pairs {
        match groups.iter_mut().find(|(first, _)| first == a) {
            Some((_, overtaken)) => overtaken.push(*b),
            None => groups.push((*a, vec![*b])),
        }
    }
    let mut text: Vec<String> = groups
        .iter()
        .take(SHOWN)
        .map(|(a, overtaken)| {
            let names: Vec<String> = overtaken.iter().map(ToString::to_string).collect();
            format!("{a} before {}", names.join(" and "))
        })
        .collect();
    if groups.len() > SHOWN {
        text.push(format!("and {} more", groups.len() - SHOWN));
    }
    text.join("; ")
}

/// Compares `policy` with what was `observed`.
///
/// Excess (accepted but not declared) is reported only for complete policies. Declared suites the
/// presented certificates make impossible (ECDSA suites on an RSA-only listener) are never reported
/// missing, nor are ciphers of a version that was refused altogether (that is one
/// `declared-protocol-not-offered`).
pub fn drift(policy: &Policy, observed: &Observed) -> Vec<Difference> {
    let mut out = Vec::new();
    let accepted_versions = observed.accepted_versions();

    // Protocols.
    for version in &accepted_versions {
        if policy.complete && !policy.allows_protocol(*version) {
            out.push(Difference {
                code: DifferenceCode::ProtocolNotInPolicy,
                subject: Subject::Protocol(*version),
                message: format!("accepts {version}, which {} does not enable", policy.name),
            });
        }
    }
    for version in &policy.protocols {
        let refused = observed
            .protocol(*version)
            .is_some_and(|p| matches!(p.support, crate::model::observed::Support::Rejected));
        if refused {
            out.push(Difference {
                code: DifferenceCode::DeclaredProtocolNotOffered,
                subject: Subject::Protocol(*version),
                message: format!("refuses {version}, which {} enables", policy.name),
            });
        }
    }

    // Ciphers accepted but not in the policy.
    if policy.complete {
        for suite in observed.accepted_suites() {
            if !policy.allows_cipher(suite) {
                // The versions that can negotiate it by the book; s2n-tls's version fallback
                // (a TLS 1.2 suite under TLS 1.0, offered nothing else) is not named, unless
                // that is the only way it was seen.
                let all: Vec<ProtocolVersion> = accepted_versions
                    .iter()
                    .copied()
                    .filter(|v| observed.accepts(*v, suite))
                    .collect();
                let valid: Vec<ProtocolVersion> = all
                    .iter()
                    .copied()
                    .filter(|v| suite.info().is_none_or(|info| info.usable_with(*v)))
                    .collect();
                let versions = if valid.is_empty() { all } else { valid };
                out.push(Difference {
                    code: DifferenceCode::CipherNotInPolicy,
                    message: format!(
                        "accepts {suite} ({}) under {}, which {} does not enable",
                        suite.iana_name(),
                        versions_text(&versions),
                        policy.name
                    ),
                    subject: Subject::Cipher { suite, versions },
                });
            }
        }
    }

    // Declared ciphers refused under a version that is both declared and accepted.
    for cipher in &policy.ciphers {
        let Some(info) = cipher.info() else { continue };
        if !observed.can_observe(info.required_certificate()) {
            continue;
        }
        let missing: Vec<ProtocolVersion> = accepted_versions
            .iter()
            .copied()
            .filter(|v| policy.allows_protocol(*v) && info.usable_with(*v))
            .filter(|v| observed.protocol(*v).is_some_and(|p| p.complete))
            .filter(|v| !observed.accepts(*v, cipher.suite))
            .collect();
        if !missing.is_empty() {
            out.push(Difference {
                code: DifferenceCode::DeclaredCipherNotOffered,
                message: format!(
                    "refuses {} under {}, which {} enables",
                    cipher.name,
                    versions_text(&missing),
                    policy.name
                ),
                subject: Subject::Cipher {
                    suite: cipher.suite,
                    versions: missing,
                },
            });
        }
    }

    // Cipher order, per accepted version where the policy enforces its priority. Only suites a
    // client could be choosing between count: those valid for the version (s2n-tls's fallback to
    // a suite of a higher version happens only when nothing valid is offered) and in the policy.
    // The presented certificates already limit what was accepted.
    if policy.server_order {
        let priority = served_priority(policy);
        for p in observed
            .protocols
            .iter()
            .filter(|p| p.support.is_accepted())
        {
            let observed_order: Vec<CipherSuite> = p
                .within_version()
                .into_iter()
                .filter(|s| priority.contains(s))
                .collect();
            if observed_order.len() < 2 {
                continue;
            }
            let declared: Vec<CipherSuite> = priority
                .iter()
                .copied()
                .filter(|s| observed_order.contains(s))
                .collect();
            match p.server_order {
                Some(true) if declared != observed_order => {
                    let inverted = inversions(&observed_order, &declared);
                    out.push(Difference {
                        code: DifferenceCode::CipherOrderDiffers,
                        message: format!(
                            "under {} prefers {}, where {} ranks them the other way round",
                            p.version,
                            pairs_text(&inverted),
                            policy.name
                        ),
                        subject: Subject::Order {
                            version: p.version,
                            declared,
                            observed: observed_order,
                            inverted,
                        },
                    });
                }
                Some(false) => out.push(Difference {
                    code: DifferenceCode::CipherOrderDiffers,
                    message: format!(
                        "under {} follows the client's cipher order, where {} enforces the server's",
                        p.version, policy.name
                    ),
                    subject: Subject::Order {
                        version: p.version,
                        declared,
                        observed: Vec::new(),
                        inverted: Vec::new(),
                    },
                }),
                _ => {}
            }
        }
    }

    // Groups, when both sides are known.
    if let (Some(declared), true) = (&policy.groups, observed.groups.known()) {
        let seen = observed.groups.all();
        if policy.complete {
            for group in seen.iter().filter(|g| !declared.contains(g)) {
                out.push(Difference {
                    code: DifferenceCode::GroupNotInPolicy,
                    subject: Subject::Group(*group),
                    message: format!("accepts group {group}, which {} does not list", policy.name),
                });
            }
        }
        // A group is expected only where it was probed: TLS 1.3 groups (hybrids, x25519) when TLS 1.3
        // was probed; classical curves when either was.
        let tls13_probed = observed.groups.tls13.is_some();
        for group in declared.iter().filter(|g| !seen.contains(g)) {
            let needs_tls13 = group.is_post_quantum();
            if needs_tls13 && !tls13_probed {
                continue;
            }
            out.push(Difference {
                code: DifferenceCode::DeclaredGroupNotOffered,
                subject: Subject::Group(*group),
                message: format!("refuses group {group}, which {} lists", policy.name),
            });
        }
    }
    out
}

/// How well a catalogue policy matches an observation.
#[derive(Clone, Debug)]
pub struct PolicyMatch<'c> {
    /// The policy.
    pub policy: &'c Policy,
    /// The differences; empty for an exact match.
    pub differences: Vec<Difference>,
}

/// Ranks every policy of `catalogue` by how well it explains `observed`, best first: "which ELB
/// policy is this endpoint running?". A policy that cannot have produced the observation
/// ([`crate::catalogue::Fit`]: a protocol it does not enable, a suite none of its protocols can
/// carry, a suite or group a complete policy does not list) ranks after every policy that can,
/// whatever the difference counts; among the rest, fewer weighted differences (excess 4, absence
/// 2, order 1; a partly known policy pays [`crate::catalogue::Fit::PARTIAL_PENALTY`]), then
/// complete policies, then the name.
pub fn rank_policies<'c>(
    catalogue: &'c Catalogue,
    observed: &Observed,
) -> Vec<(PolicyMatch<'c>, Fit)> {
    let weight = |d: &Difference| match d.code {
        c if c.is_excess() => 4,
        DifferenceCode::CipherOrderDiffers => 1,
        _ => 2,
    };
    let mut ranked: Vec<_> = catalogue
        .policies()
        .iter()
        .map(|policy| {
            let differences = drift(policy, observed);
            let fit = policy.fit(observed);
            let key = fit.rank_key(policy, differences.iter().map(weight).sum::<u32>());
            (
                key,
                PolicyMatch {
                    policy,
                    differences,
                },
                fit,
            )
        })
        .collect();
    ranked.sort_by_key(|(key, _, _)| *key);
    ranked
        .into_iter()
        .map(|(_, found, fit)| (found, fit))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LoadBalancerType;
    use crate::model::observed::{GroupObservation, ProtocolObservation, Support};

    fn catalogue() -> Catalogue {
        Catalogue::builtin().unwrap()
    }

    #[test]
    fn every_difference_is_a_distinct_drift_finding_code() {
        let mut codes: Vec<&str> = DifferenceCode::ALL.iter().map(|d| d.code()).collect();
        for d in DifferenceCode::ALL {
            assert_eq!(
                FindingCode::from(d).category(),
                crate::finding::Category::Drift
            );
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), DifferenceCode::ALL.len());
    }

    fn suites(names: &[&str]) -> Vec<CipherSuite> {
        names
            .iter()
            .map(|n| CipherSuite::from_name(n).unwrap())
            .collect()
    }

    fn accepted(version: ProtocolVersion, ciphers: Vec<CipherSuite>) -> ProtocolObservation {
        ProtocolObservation {
            version,
            support: Support::Accepted,
            ciphers,
            server_order: Some(true),
            complete: true,
        }
    }

    fn rejected(version: ProtocolVersion) -> ProtocolObservation {
        ProtocolObservation {
            version,
            support: Support::Rejected,
            ciphers: Vec::new(),
            server_order: None,
            complete: true,
        }
    }

    const TLS13: [&str; 3] = [
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ];
    // The RSA suites of ELBSecurityPolicy-TLS13-1-2-2021-06, in its order.
    const RSA12: [&str; 4] = [
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-SHA384",
    ];

    /// What an RSA-only listener running TLS13-1-2-2021-06 shows.
    fn tls13_1_2_rsa_listener() -> Observed {
        Observed {
            protocols: vec![
                rejected(ProtocolVersion::SSLV3),
                rejected(ProtocolVersion::TLSV1_0),
                rejected(ProtocolVersion::TLSV1_1),
                accepted(ProtocolVersion::TLSV1_2, suites(&RSA12)),
                accepted(ProtocolVersion::TLSV1_3, suites(&TLS13)),
            ],
            groups: GroupObservation {
                tls13: Some(vec![
                    NamedGroup::X25519,
                    NamedGroup::SECP256R1,
                    NamedGroup::SECP384R1,
                    NamedGroup::SECP521R1,
                ]),
                tls12: None,
            },
            certificates: Vec::new(),
            warnings: Vec::new(),
            ..Observed::default()
        }
    }

    fn codes(differences: &[Difference]) -> Vec<&'static str> {
        differences.iter().map(|d| d.code.code()).collect()
    }

    #[test]
    fn an_exact_listener_has_no_drift_and_ecdsa_suites_are_not_missed_without_an_ecdsa_cert() {
        let catalogue = catalogue();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        assert_eq!(drift(policy, &tls13_1_2_rsa_listener()), []);
    }

    #[test]
    fn reports_an_extra_protocol_and_an_extra_cbc_suite() {
        let catalogue = catalogue();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut observed = tls13_1_2_rsa_listener();
        observed.protocols[1] =
            accepted(ProtocolVersion::TLSV1_0, suites(&["ECDHE-RSA-AES128-SHA"]));
        observed.protocols[3]
            .ciphers
            .push(suites(&["ECDHE-RSA-AES128-SHA"])[0]);
        let differences = drift(policy, &observed);
        assert_eq!(
            codes(&differences),
            ["protocol-not-in-policy", "cipher-not-in-policy"]
        );
        assert_eq!(
            differences[1].subject,
            Subject::Cipher {
                suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
                versions: vec![ProtocolVersion::TLSV1_0, ProtocolVersion::TLSV1_2]
            }
        );
    }

    #[test]
    fn reports_refused_protocols_ciphers_and_groups() {
        let catalogue = catalogue();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut observed = tls13_1_2_rsa_listener();
        observed.protocols[4] = rejected(ProtocolVersion::TLSV1_3);
        observed.protocols[3].ciphers.pop();
        observed.groups.tls13 = None;
        observed.groups.tls12 = Some(vec![NamedGroup::SECP256R1, NamedGroup::SECP384R1]);
        let differences = drift(policy, &observed);
        assert_eq!(
            codes(&differences),
            [
                "declared-protocol-not-offered",
                "declared-cipher-not-offered",
                "declared-group-not-offered",
                "declared-group-not-offered"
            ]
        );
        assert!(
            differences[1]
                .message
                .contains("ECDHE-RSA-AES256-SHA384 under TLSv1.2")
        );
    }

    #[test]
    fn reports_a_different_order_and_a_client_ordered_server() {
        let catalogue = catalogue();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut observed = tls13_1_2_rsa_listener();
        observed.protocols[3].ciphers.swap(0, 2);
        let differences = drift(policy, &observed);
        assert_eq!(codes(&differences), ["cipher-order-differs"]);
        observed.protocols[3].server_order = Some(false);
        let differences = drift(policy, &observed);
        assert_eq!(codes(&differences), ["cipher-order-differs"]);
        assert!(differences[0].message.contains("client's cipher order"));
    }

    #[test]
    fn extra_groups_are_reported_and_incomplete_policies_report_no_excess() {
        let catalogue = catalogue();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut observed = tls13_1_2_rsa_listener();
        observed
            .groups
            .tls13
            .as_mut()
            .unwrap()
            .push(NamedGroup::X25519MLKEM768);
        assert_eq!(codes(&drift(policy, &observed)), ["group-not-in-policy"]);

        let partial = catalogue
            .get("ELBSecurityPolicy-2014-01", LoadBalancerType::Classic)
            .unwrap();
        assert!(!partial.complete);
        let excess = drift(partial, &tls13_1_2_rsa_listener());
        assert!(excess.iter().all(|d| !d.code.is_excess()), "{excess:?}");
    }

    #[test]
    fn ranks_the_running_policy_first() {
        let catalogue = catalogue();
        let ranked = rank_policies(&catalogue, &tls13_1_2_rsa_listener());
        let (first, fit) = &ranked[0];
        assert_eq!(first.policy.name, "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert!(first.differences.is_empty());
        assert!(fit.possible() && fit.groups_checked);
        // The PQ twin differs only by its hybrid groups.
        let (pq, _) = ranked
            .iter()
            .find(|(m, _)| m.policy.name == "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09")
            .unwrap();
        assert!(
            pq.differences
                .iter()
                .all(|d| d.code == DifferenceCode::DeclaredGroupNotOffered)
        );
    }

    /// An RSA-only 2016-08 listener on s2n-tls, as probed: under TLS 1.0 the suites valid for it
    /// in the server's order, then — offered nothing else — the TLS 1.2-only ones it settles for.
    fn policy_2016_08_rsa_listener_on_s2n(policy: &Policy) -> Observed {
        let tls12: Vec<CipherSuite> = policy
            .ciphers_for(ProtocolVersion::TLSV1_2)
            .map(|c| c.suite)
            .filter(|s| !s.info().unwrap().iana_name.contains("ECDSA"))
            .collect();
        let mut tls10: Vec<CipherSuite> = tls12
            .iter()
            .copied()
            .filter(|s| s.info().unwrap().usable_with(ProtocolVersion::TLSV1_0))
            .collect();
        tls10.extend(
            tls12
                .iter()
                .filter(|s| !s.info().unwrap().usable_with(ProtocolVersion::TLSV1_0)),
        );
        Observed {
            protocols: vec![
                rejected(ProtocolVersion::SSLV3),
                accepted(ProtocolVersion::TLSV1_0, tls10.clone()),
                accepted(ProtocolVersion::TLSV1_1, tls10),
                accepted(ProtocolVersion::TLSV1_2, tls12),
                rejected(ProtocolVersion::TLSV1_3),
            ],
            groups: GroupObservation {
                tls13: None,
                tls12: Some(vec![NamedGroup::SECP256R1, NamedGroup::SECP384R1]),
            },
            ..Observed::default()
        }
    }

    #[test]
    fn suites_accepted_only_by_version_fallback_are_neither_drift_nor_order() {
        let catalogue = catalogue();
        let policy = catalogue
            .get("ELBSecurityPolicy-2016-08", LoadBalancerType::Application)
            .unwrap();
        let observed = policy_2016_08_rsa_listener_on_s2n(policy);
        let tls10 = observed.protocol(ProtocolVersion::TLSV1_0).unwrap();
        assert!(
            tls10
                .beyond_version()
                .contains(&CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
        );
        assert_eq!(drift(policy, &observed), []);
    }

    #[test]
    fn an_order_difference_names_the_inverted_pairs() {
        let catalogue = catalogue();
        let policy = catalogue
            .get("ELBSecurityPolicy-2016-08", LoadBalancerType::Application)
            .unwrap();
        let mut observed = policy_2016_08_rsa_listener_on_s2n(policy);
        let tls12 = &mut observed.protocols[3].ciphers;
        let a = tls12
            .iter()
            .position(|s| *s == CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA)
            .unwrap();
        let b = tls12
            .iter()
            .position(|s| *s == CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)
            .unwrap();
        let moved = tls12.remove(b);
        tls12.insert(a, moved);
        let differences = drift(policy, &observed);
        assert_eq!(codes(&differences), ["cipher-order-differs"]);
        let Subject::Order { inverted, .. } = &differences[0].subject else {
            panic!("{differences:?}")
        };
        assert_eq!(
            inverted,
            &[(
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
            )]
        );
        assert!(
            differences[0]
                .message
                .contains("ECDHE-RSA-AES256-GCM-SHA384 before ECDHE-RSA-AES128-SHA"),
            "{}",
            differences[0].message
        );
    }

    #[test]
    fn difference_codes_are_unique() {
        let mut codes: Vec<&str> = DifferenceCode::ALL.iter().map(|c| c.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), DifferenceCode::ALL.len());
    }
}
