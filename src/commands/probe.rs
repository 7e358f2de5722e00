//! `elbtls probe`.

use std::io::Write;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::catalogue::Catalogue;
use crate::cli::{Format, PolicyChoice, ValidProbe};
use crate::compare::{drift, rank_policies};
use crate::exit::Exit;
use crate::model::observed::{Observation, ProbeOutcome};
use crate::probe::run::{ProbeOptions, probe};
use crate::report::probe::{Comparison, EndpointReport, json, table};

/// Endpoints probed at the same time (each with its own connection cap).
const PARALLEL_ENDPOINTS: usize = 8;

pub(super) fn run(
    catalogue: &Catalogue,
    config: &ValidProbe,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    // Resolve --policy before any traffic: a typo is a usage error, not a wasted probe.
    let policy = match &config.policy {
        PolicyChoice::Named(name) => {
            Some(super::policies::resolve(catalogue, name, config.lb_type)?)
        }
        _ => None,
    };
    // The enumeration speculates along the policy's order (or a typical ELB order).
    let mut config_options = config.options.clone();
    config_options.suite_hint = catalogue.cipher_hint(policy);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let observations = runtime.block_on(probe_all(config, &config_options));

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
                matches: rank_policies(catalogue, observed),
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
        Format::Table => table::render(&reports, out)?,
        Format::Json => json::render(&reports, out)?,
    }
    Ok(exit)
}

async fn probe_all(config: &ValidProbe, options: &ProbeOptions) -> Vec<Observation> {
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
