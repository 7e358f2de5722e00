//! `elbtls probe`.

use std::io::Write;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::catalogue::{Catalogue, Origin, Policy};
use crate::cli::{Format, PolicyChoice, ProbeJob};
use crate::compare::{drift, rank_policies};
use crate::exit::Exit;
use crate::model::observed::{Observation, Observed, ProbeOutcome};
use crate::probe::run::{ProbeOptions, probe};
use crate::probe::scan::{Guide, Profile};
use crate::report::probe::{AutoMatch, Comparison, EndpointReport, json, table};
use crate::tls::CipherSuite;

/// Endpoints probed at the same time (each with its own connection cap).
const PARALLEL_ENDPOINTS: usize = 8;

pub(super) fn run(
    catalogue: &Catalogue,
    config: &ProbeJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    // Resolve --policy before any traffic: a typo is a usage error, not a wasted probe.
    let policy = match &config.policy {
        PolicyChoice::Named(name) => {
            Some(super::policies::resolve(catalogue, name, config.lb_type)?)
        }
        _ => None,
    };
    // The enumeration guesses ahead along the policy (or the usual ELB policies).
    let mut config_options = config.options.clone();
    config_options.guide = guide(catalogue, policy);
    let observations = super::runtime()?.block_on(probe_all(config, &config_options));

    let mut exit = Exit::Success;
    let mut reports = Vec::new();
    for observation in observations {
        let comparison = match (&observation.outcome, &config.policy) {
            (ProbeOutcome::Completed(observed), PolicyChoice::Named(_)) => {
                let policy = policy.expect("resolved above");
                let differences = drift(policy, observed);
                if !differences.is_empty() {
                    exit = Exit::Findings;
                }
                Some(Comparison::Policy {
                    policy,
                    differences,
                })
            }
            (ProbeOutcome::Completed(observed), PolicyChoice::Auto) => Some(Comparison::Auto {
                matches: rank_for_auto(catalogue, observed),
            }),
            _ => None,
        };
        let complete = match &observation.outcome {
            ProbeOutcome::Completed(observed) => observed.is_complete(),
            _ => false,
        };
        if !complete && exit == Exit::Success {
            exit = Exit::Incomplete;
        }
        reports.push(EndpointReport {
            observation,
            comparison,
        });
    }
    match config.format {
        Format::Table => table::render(&reports, &crate::terminal::layout(false), out)?,
        Format::Json => json::render(&reports, out)?,
    }
    Ok(exit)
}

/// `--policy auto`: every listed policy (unpublished ones only with `--include-unpublished`),
/// ranked by [`rank_policies`].
fn rank_for_auto<'c>(catalogue: &'c Catalogue, observed: &Observed) -> Vec<AutoMatch<'c>> {
    rank_policies(catalogue, observed)
        .into_iter()
        .map(|(found, fit)| AutoMatch { found, fit })
        .collect()
}

/// What a probe guesses along: the declared policy first and trusted, when there is one, then the
/// policies listeners most often run. A policy whose served order differs from its published one
/// comes in both (served first: ALB and NLB serve it; an OpenSSL server configured from the
/// published list serves the other), and the policies of other load balancer kinds that bear the
/// declared name are trusted alike: guesses go only as far as all of them agree. A custom Classic
/// policy's attributes need not list its ciphers in the order served: the predefined policy it
/// references is trusted instead, and its own list is only likely.
pub(super) fn guide(catalogue: &Catalogue, declared: Option<&Policy>) -> Guide {
    let (namesakes, custom): (Vec<&Policy>, Option<&Policy>) = match declared {
        Some(policy) => match &policy.origin {
            Origin::ClassicCustom { reference } => (
                reference
                    .as_deref()
                    .map(|r| catalogue.find_all(r))
                    .unwrap_or_default(),
                Some(policy),
            ),
            _ => {
                let mut all = vec![policy];
                all.extend(
                    catalogue
                        .find_all(&policy.name)
                        .into_iter()
                        .filter(|other| !std::ptr::eq(*other, policy)),
                );
                (all, None)
            }
        },
        None => (Vec::new(), None),
    };
    let is_namesake = |p: &Policy| namesakes.iter().any(|n| std::ptr::eq(*n, p));
    let rest: Vec<&Policy> = catalogue
        .likely_policies(None)
        .into_iter()
        .filter(|p| !is_namesake(p))
        .collect();
    let mut profiles = Vec::new();
    let mut trusted = 0;
    for policy in namesakes.iter().copied().chain(custom).chain(rest) {
        let groups = policy.groups.as_deref().unwrap_or_default();
        let mut orders = vec![policy.served_priority()];
        if policy.served_order_differs() {
            orders.push(&policy.ciphers);
        }
        for order in orders {
            let suites: Vec<CipherSuite> = order.iter().map(|c| c.suite).collect();
            profiles
                .push(Profile::from_policy(&policy.protocols, &suites, groups).named(&policy.name));
            if is_namesake(policy) {
                trusted += 1;
            }
        }
    }
    Guide::new(profiles, trusted)
}

async fn probe_all(config: &ProbeJob, options: &ProbeOptions) -> Vec<Observation> {
    let limit = Arc::new(Semaphore::new(PARALLEL_ENDPOINTS));
    let mut tasks = JoinSet::new();
    for (index, target) in config.targets.iter().enumerate() {
        let target = target.clone();
        let options = options.clone();
        let limit = Arc::clone(&limit);
        tasks.spawn(async move {
            let _slot = limit.acquire().await;
            (index, probe(&target, &options).await)
        });
    }
    let mut results: Vec<(usize, Observation)> = tasks.join_all().await;
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, o)| o).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::observed::{GroupObservation, ProtocolObservation};
    use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

    fn protocol(version: ProtocolVersion, ciphers: &[&str]) -> ProtocolObservation {
        ProtocolObservation::named(version, ciphers)
    }

    /// An OpenSSL server with an RSA certificate running a TLS 1.0-1.3 policy close to
    /// ELBSecurityPolicy-TLS13-1-0-2021-06 (issue 9, item 6).
    fn like_tls13_1_0() -> Observed {
        const OLD: [&str; 6] = [
            "ECDHE-RSA-AES128-SHA",
            "ECDHE-RSA-AES256-SHA",
            "AES128-SHA",
            "AES256-SHA",
            "AES128-GCM-SHA256",
            "AES256-GCM-SHA384",
        ];
        let tls12 = [
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-SHA256",
            "ECDHE-RSA-AES128-SHA",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-RSA-AES256-SHA384",
            "ECDHE-RSA-AES256-SHA",
            "AES128-GCM-SHA256",
            "AES128-SHA256",
            "AES128-SHA",
            "AES256-GCM-SHA384",
            "AES256-SHA256",
            "AES256-SHA",
        ];
        Observed {
            protocols: vec![
                protocol(ProtocolVersion::SSLV3, &[]),
                protocol(ProtocolVersion::TLSV1_0, &OLD[..4]),
                protocol(ProtocolVersion::TLSV1_1, &OLD[..4]),
                protocol(ProtocolVersion::TLSV1_2, &tls12),
                protocol(
                    ProtocolVersion::TLSV1_3,
                    &[
                        "TLS_AES_128_GCM_SHA256",
                        "TLS_AES_256_GCM_SHA384",
                        "TLS_CHACHA20_POLY1305_SHA256",
                    ],
                ),
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
            ..Observed::default()
        }
    }

    /// The same listener as an OpenSSL server shows it (issue 9, item 6): OpenSSL's own TLS 1.3
    /// order, its TLS 1.2 order (AES-256 first) and no P-521. Before the fix, the partly known
    /// Classic 2014-10 (no TLS 1.3) ranked first, with 2011-08 and 2014-01 next.
    fn openssl_close_to_tls13_1_0() -> Observed {
        let suites = |names: &[&str]| -> Vec<CipherSuite> {
            names
                .iter()
                .map(|n| CipherSuite::from_name(n).unwrap())
                .collect()
        };
        let mut observed = like_tls13_1_0();
        observed.protocols[4].ciphers = suites(&[
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
        ]);
        observed.protocols[3].ciphers.swap(0, 3);
        observed.groups.tls13 = Some(vec![
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::SECP384R1,
        ]);
        observed
    }

    fn names<'a>(ranked: &'a [AutoMatch<'_>]) -> Vec<&'a str> {
        ranked
            .iter()
            .map(|m| m.found.policy.name.as_str())
            .collect()
    }

    #[test]
    fn auto_never_ranks_a_policy_without_tls13_above_one_with_it() {
        let catalogue = Catalogue::builtin().unwrap();
        let observed = openssl_close_to_tls13_1_0();
        let ranked = rank_for_auto(&catalogue, &observed);
        let first_impossible = ranked.iter().position(|m| !m.fit.possible()).unwrap();
        assert!(
            ranked[first_impossible..].iter().all(|m| !m.fit.possible()),
            "an impossible policy ranks among possible ones: {:?}",
            names(&ranked)
        );
        for classic in [
            "ELBSecurityPolicy-2014-10",
            "ELBSecurityPolicy-2011-08",
            "ELBSecurityPolicy-2014-01",
        ] {
            let at = ranked
                .iter()
                .position(|m| m.found.policy.name == classic)
                .unwrap();
            assert!(
                at >= first_impossible,
                "{classic} at {at}: {:?}",
                names(&ranked)
            );
        }
        assert!(
            ranked[0]
                .found
                .policy
                .allows_protocol(ProtocolVersion::TLSV1_3),
            "{:?}",
            &names(&ranked)[..5]
        );
        assert_eq!(
            ranked[0].found.policy.name,
            "ELBSecurityPolicy-TLS13-1-0-2021-06"
        );
        assert!(!ranked[0].is_exact());
        // The listener exactly as the policy says: an exact match, its groups checked.
        let exact = rank_for_auto(&catalogue, &like_tls13_1_0());
        assert_eq!(
            exact[0].found.policy.name,
            "ELBSecurityPolicy-TLS13-1-0-2021-06"
        );
        assert!(exact[0].is_exact(), "{:?}", exact[0].found.differences);
    }

    #[test]
    fn auto_without_group_information_checks_no_groups_and_still_ranks_the_policy_first() {
        let catalogue = Catalogue::builtin().unwrap();
        let mut observed = like_tls13_1_0();
        // Nothing learnt about groups: no policy's groups can be checked, and a policy whose
        // groups the catalogue knows still ranks by its differences alone.
        observed.groups = GroupObservation::default();
        let ranked = rank_for_auto(&catalogue, &observed);
        assert!(ranked.iter().all(|m| !m.fit.groups_checked));
        assert_eq!(
            ranked[0].found.policy.name,
            "ELBSecurityPolicy-TLS13-1-0-2021-06"
        );
        // No difference, but no group check either: not an exact match.
        assert!(ranked[0].found.differences.is_empty());
        assert!(!ranked[0].is_exact());
    }

    #[test]
    fn auto_leaves_out_unpublished_policies_unless_included() {
        let mut catalogue = Catalogue::builtin().unwrap();
        let observed = like_tls13_1_0();
        let cnsa2 =
            |ranked: &[AutoMatch<'_>]| ranked.iter().any(|m| m.found.policy.name.contains("CNSA2"));
        assert!(!cnsa2(&rank_for_auto(&catalogue, &observed)));
        catalogue.include_unpublished();
        assert!(cnsa2(&rank_for_auto(&catalogue, &observed)));
    }
}
