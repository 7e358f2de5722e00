//! `elbtls audit`: inventory → declared policies → live probes → findings → report → exit code.

mod selection;

use std::collections::HashMap;
use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::aws;
use crate::baseline;
use crate::catalogue::{Catalogue, Declaration};
use crate::cli::{AuditArgs, AuditFilters, AuditFormat};
use crate::compare::{self, Evidence, Kind, NegotiationErrors, Probe, Rules};
use crate::exit::Exit;
use crate::finding::Verdict;
use crate::model::inventory::{Listener, LoadBalancer};
use crate::model::observed::{Observation, ProbeOutcome, Support};
use crate::probe::run::{ProbeOptions, probe};
use crate::probe::scan::{Guide, Profile};
use crate::probe::target::{SniChoice, Target};
use crate::report::audit::{
    AuditReport, ListenerResult, ProbeStatus, csv, json, junit, sarif, table,
};
use crate::report::output::OutputFile;

pub(super) fn run(
    catalogue: &Catalogue,
    args: &AuditArgs,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    // Every input is checked before the first AWS call or probe.
    let options = args.scope.validate()?;
    let fail_on = args.fail_on()?;
    let filters = args.filters()?;
    let overrides = args.overrides()?;
    args.check_limits()?;
    let baseline = match &args.baseline {
        Some(arg) => Some(
            baseline::resolve_with(arg, catalogue).with_context(|| format!("--baseline {arg}"))?,
        ),
        None => None,
    };
    let previous = match &args.diff {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| {
                format!("--diff {}: cannot read the previous report", path.display())
            })?;
            Some(
                json::read_previous(&text)
                    .map_err(|e| anyhow::anyhow!("--diff {}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    // A report that cannot be written is found now, not after the whole audit.
    let output = args.output.as_deref().map(OutputFile::check).transpose()?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let mut inventory = runtime.block_on(aws::inventory(&options))?;
    let read = inventory.load_balancers.len();
    inventory.load_balancers.retain(|lb| selected(lb, &filters));
    if let Some(failure) = selection::nothing_selected(&filters, &inventory, read) {
        if args.format != AuditFormat::Table {
            eprintln!("warning: incomplete: {failure}");
        }
        inventory.failures.push(failure);
    }
    // `--negotiation-errors`: a region CloudWatch cannot answer for is a failure, not an error.
    let negotiation = args.negotiation_errors.then(|| {
        runtime.block_on(aws::cloudwatch::negotiation_errors(
            &options,
            &inventory.load_balancers,
            args.hours,
        ))
    });
    if let Some(found) = &negotiation {
        inventory.failures.extend(found.failures.iter().cloned());
    }

    // Resolve every listener's declared policy, and gather the TLS endpoints to probe.
    let mut rows: Vec<Row<'_>> = Vec::new();
    for lb in &inventory.load_balancers {
        for listener in &lb.listeners {
            let declared = catalogue.resolve(lb.lb_type, &listener.declared);
            // TCP, UDP, GENEVE: no TLS, no plaintext web traffic.
            if let Some(kind) = compare::audit::kind(listener, &declared) {
                rows.push(Row {
                    lb,
                    listener,
                    declared,
                    kind,
                });
            }
        }
    }
    let probe_options = ProbeOptions {
        sni: SniChoice::FromHost,
        overrides,
        timeout: Duration::from_secs_f64(args.timeout),
        max_connections: args.max_connections,
        certificates: true,
        guide: Default::default(),
        all_addresses: args.all_addresses,
        deadline: Duration::from_secs_f64(args.deadline),
    };
    let observations = if args.no_probe {
        HashMap::new()
    } else {
        // Each probe guesses ahead along its listener's declared policy (see ProbeOptions::guide),
        // then along what the first listener declaring the same policy showed.
        let mut guides: HashMap<Option<&str>, Guide> = HashMap::new();
        let targets: Vec<Planned> = rows
            .iter()
            .filter(|r| r.kind == Kind::Tls)
            .filter_map(|r| {
                let target = endpoint(r.lb, r.listener)?;
                let declared = r.declared.policy();
                let guide = guides
                    .entry(declared.map(|p| p.name.as_str()))
                    .or_insert_with(|| super::probe::guide(catalogue, declared))
                    .clone();
                let family = match declared {
                    Some(policy) => format!("policy {}", policy.name),
                    None => format!("host {}", target.host),
                };
                Some(Planned {
                    target,
                    guide,
                    family,
                })
            })
            .collect();
        runtime.block_on(probe_all(targets, &probe_options, args.concurrency))
    };

    let now = crate::clock::now_unix();
    let rules = Rules::new(baseline.as_ref(), catalogue, now);
    let negotiation_errors = |lb: &LoadBalancer| {
        let found = negotiation.as_ref()?;
        let count = *found.counts.get(lb.arn.as_ref()?)?;
        Some(NegotiationErrors {
            count,
            hours: args.hours,
        })
    };
    let mut listeners: Vec<ListenerResult> = rows
        .iter()
        .map(|row| {
            let probe = if args.no_probe {
                Some(Probe::Skipped)
            } else {
                match endpoint(row.lb, row.listener) {
                    Some(target) => observations.get(&key(&target)).map(Probe::Done),
                    None => Some(Probe::NoAddress),
                }
            };
            listener_result(row, probe, negotiation_errors(row.lb), &rules)
        })
        .collect();
    listeners.sort_by(|a, b| {
        (&a.account, &a.region, &a.load_balancer, a.port).cmp(&(
            &b.account,
            &b.region,
            &b.load_balancer,
            b.port,
        ))
    });

    let mut report = AuditReport {
        generated_at: crate::clock::rfc3339(now),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        baseline: baseline.as_ref().map(|b| b.name.clone()),
        probed: !args.no_probe,
        listeners,
        failures: inventory.failures.clone(),
        diff: None,
        negotiation_errors_hours: args.negotiation_errors.then_some(args.hours),
    };
    if let (Some(previous), Some(path)) = (&previous, &args.diff) {
        report.diff = Some(json::diff(previous, &report, &path.display().to_string()));
    }

    match &output {
        Some(file) => file.write(|w| render(&report, args, w))?,
        None => render(&report, args, out)?,
    }

    let failing = report
        .listeners
        .iter()
        .flat_map(|l| &l.findings)
        .any(|f| f.severity >= fail_on);
    Ok(if failing {
        Exit::Findings
    } else if report.incomplete() {
        Exit::Incomplete
    } else {
        Exit::Success
    })
}

/// One listener on its way into the report.
struct Row<'i> {
    lb: &'i LoadBalancer,
    listener: &'i Listener,
    declared: Declaration<'i>,
    kind: Kind,
}

fn selected(lb: &LoadBalancer, filters: &AuditFilters) -> bool {
    (filters.names.is_empty()
        || filters
            .names
            .iter()
            .any(|p| crate::text::glob_matches(p, &lb.name)))
        && filters
            .tags
            .iter()
            .all(|t| lb.tags.get(&t.key) == Some(&t.value))
        && (filters.types.is_empty() || filters.types.contains(&lb.lb_type))
        && (filters.arns.is_empty()
            || filters.arns.iter().any(|arn| {
                lb.arn.as_deref() == Some(arn.as_str())
                    || lb
                        .listeners
                        .iter()
                        .any(|l| l.arn.as_deref() == Some(arn.as_str()))
            }))
}

fn endpoint(lb: &LoadBalancer, listener: &Listener) -> Option<Target> {
    let host = lb.dns_name.as_deref()?;
    Some(Target {
        host: host.trim_end_matches('.').to_ascii_lowercase(),
        port: listener.port,
    })
}

fn key(target: &Target) -> (String, u16) {
    (target.host.clone(), target.port)
}

/// A listener's endpoint on its way to a probe.
struct Planned {
    target: Target,
    guide: Guide,
    /// Listeners expected to be alike: the same declared policy (or, with none, the same host).
    family: String,
}

/// Probes every endpoint once. In each family the first endpoint is probed first; the others
/// then guess along what it showed (each still proves its own result, offer by offer).
async fn probe_all(
    targets: Vec<Planned>,
    options: &ProbeOptions,
    concurrency: usize,
) -> HashMap<(String, u16), Observation> {
    let mut unique: Vec<Planned> = Vec::new();
    for planned in targets {
        if !unique
            .iter()
            .any(|u| key(&u.target) == key(&planned.target))
        {
            unique.push(planned);
        }
    }
    let total = unique.len();
    let progress = Progress::new(total);
    let limit = Arc::new(Semaphore::new(concurrency));
    // Per family, what its first endpoint showed (`None` inside: nothing usable).
    let mut leaders: HashMap<String, watch::Sender<Option<Option<Profile>>>> = HashMap::new();
    let mut tasks = JoinSet::new();
    for planned in unique {
        let mut options = options.clone();
        let (lead, follow) = match leaders.get(&planned.family) {
            Some(sender) => (None, Some(sender.subscribe())),
            None => {
                let (sender, _) = watch::channel(None);
                let lead = sender.clone();
                leaders.insert(planned.family.clone(), sender);
                (Some(lead), None)
            }
        };
        let limit = Arc::clone(&limit);
        let progress = Arc::clone(&progress);
        tasks.spawn(async move {
            options.guide = planned.guide;
            if let Some(mut follow) = follow
                && let Ok(shown) = follow.wait_for(Option::is_some).await
                && let Some(Some(profile)) = shown.clone()
            {
                options.guide = options.guide.led_by(profile);
            }
            let observation = {
                let _slot = limit.acquire().await;
                probe(&planned.target, &options).await
            };
            if let Some(lead) = lead {
                let profile = match &observation.outcome {
                    ProbeOutcome::Completed(observed) => {
                        Some(Profile::observed(&observed.protocols, &observed.groups))
                    }
                    _ => None,
                };
                let _ = lead.send(Some(profile));
            }
            progress.tick();
            (key(&planned.target), observation)
        });
    }
    drop(leaders);
    let results = tasks.join_all().await;
    progress.finish();
    results.into_iter().collect()
}

/// A one-line progress counter on stderr, only when stderr is a terminal.
struct Progress {
    total: usize,
    done: AtomicUsize,
    shown: bool,
}

impl Progress {
    fn new(total: usize) -> Arc<Self> {
        let shown = io::stderr().is_terminal() && total > 0;
        Arc::new(Self {
            total,
            done: AtomicUsize::new(0),
            shown,
        })
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.shown {
            let mut err = io::stderr().lock();
            let _ = write!(err, "\rprobing listeners: {done}/{}", self.total);
            let _ = err.flush();
        }
    }

    fn finish(&self) {
        if self.shown {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
        }
    }
}

/// One listener's line in the report. `probe` is `None` for a listener that should have been
/// probed but has no observation.
fn listener_result(
    row: &Row<'_>,
    probe: Option<Probe<'_>>,
    negotiation: Option<NegotiationErrors>,
    rules: &Rules<'_>,
) -> ListenerResult {
    let (lb, listener) = (row.lb, row.listener);
    let tls = row.kind == Kind::Tls;
    let mut result = ListenerResult {
        id: listener.arn.clone().unwrap_or_else(|| {
            format!(
                "classic:{}:{}:{}:{}",
                lb.scope.account, lb.scope.region, lb.name, listener.port
            )
        }),
        account: lb.scope.account.clone(),
        region: lb.scope.region.clone(),
        load_balancer: lb.name.clone(),
        lb_type: lb.lb_type,
        scheme: lb.scheme,
        dns_name: lb.dns_name.clone(),
        port: listener.port,
        protocol: listener.protocol.clone(),
        declared_policy: if tls { row.declared.label() } else { None },
        verdict: Verdict::Compliant,
        findings: Vec::new(),
        probe: match probe {
            _ if !tls => ProbeStatus::Skipped,
            Some(Probe::Skipped) => ProbeStatus::Skipped,
            Some(Probe::Done(observation)) => probe_status(observation),
            Some(Probe::NoAddress) | None => ProbeStatus::Failed,
        },
        negotiation_errors: None,
    };
    let label = result.label();
    let assessment = compare::audit(
        &Evidence {
            label: &label,
            load_balancer: lb,
            listener,
            declared: &row.declared,
            probe: probe.unwrap_or(Probe::Skipped),
            negotiation,
        },
        rules,
    );
    result.findings = assessment.findings;
    result.verdict = assessment.verdict;
    result.negotiation_errors = assessment.negotiation_errors;
    result
}

fn probe_status(observation: &Observation) -> ProbeStatus {
    match &observation.outcome {
        // Certificates that could not be read are their own finding (`certificate-unverified`).
        ProbeOutcome::Completed(observed) if observed.handshakes_complete() => {
            ProbeStatus::Probed {
                protocols: observed
                    .protocols
                    .iter()
                    .filter(|p| p.support == Support::Accepted)
                    .map(|p| p.version.to_string())
                    .collect(),
                connections: observation.connections,
            }
        }
        _ => ProbeStatus::Failed,
    }
}

fn render(report: &AuditReport, args: &AuditArgs, out: &mut impl Write) -> io::Result<()> {
    match args.format {
        AuditFormat::Table => table::render(report, args.color(), out),
        AuditFormat::Json => json::render(report, out),
        AuditFormat::Csv => csv::render(report, out),
        AuditFormat::Sarif => sarif::render(report, out),
        AuditFormat::Junit => junit::render(report, out),
    }
}
