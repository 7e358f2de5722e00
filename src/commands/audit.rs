//! `elbtls audit`: inventory → declared policies → live probes → findings → report → exit code.

mod probing;
mod selection;

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use anyhow::Context as _;

use crate::aws;
use crate::baseline;
use crate::catalogue::{Catalogue, Declaration};
use crate::cli::{AuditFilters, AuditFormat, AuditJob};
use crate::compare::{self, Evidence, Kind, NegotiationErrors, Probe, Rules};
use crate::exit::Exit;
use crate::finding::Verdict;
use crate::model::audit::LeafCertificate;
use crate::model::inventory::{Listener, LoadBalancer};
use crate::model::observed::{Observation, ProbeOutcome, Support};
use crate::report::audit::{
    AuditReport, ListenerResult, ProbeStatus, asff, csv, html, json, junit, ocsf, sarif, table,
};
use crate::report::output::OutputFile;

pub(super) fn run(
    catalogue: &Catalogue,
    job: &AuditJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    // The flags were checked into `job`; what needs the catalogue or a file is checked now,
    // still before the first AWS call or probe.
    let mut options = job.aws.clone();
    // Each part reads in full only its own load balancers.
    options.part = job.shard.map(|s| (s.index, s.count));
    let filters = &job.filters;
    let baseline = match &job.baseline {
        Some(arg) => Some(
            baseline::resolve_with(arg, catalogue).with_context(|| format!("--baseline {arg}"))?,
        ),
        None => None,
    };
    // `None`: no --diff; `Some(None)`: the first run (no previous report yet).
    let previous = match &job.diff {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => {
                Some(Some(json::read_previous(&text).map_err(|e| {
                    anyhow::anyhow!("--diff {}: {e}", path.display())
                })?))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                super::say::note(format_args!(
                    "--diff {}: no previous report yet (a first run): every finding counts as new",
                    path.display()
                ));
                Some(None)
            }
            Err(e) => {
                return Err(anyhow::Error::new(e).context(format!(
                    "--diff {}: cannot read the previous report",
                    path.display()
                )));
            }
        },
        None => None,
    };
    // A report that cannot be written is found now, not after the whole audit.
    let outputs = job
        .outputs
        .iter()
        .map(|(format, path)| Ok((*format, OutputFile::check(path)?)))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let checks_nothing =
        job.probe.is_none() && baseline.is_none() && job.negotiation_hours.is_none();
    if checks_nothing {
        super::say::warning(
            "nothing is checked but that each declared policy is known: --no-probe without \
             --baseline judges nothing (verdict `unchecked`, exit 3); add --baseline PRESET|FILE \
             (for example --baseline modern) or drop --no-probe",
        );
    }

    let runtime = super::runtime()?;
    for note in runtime.block_on(aws::expand_organization(&mut options))? {
        super::say::note(note);
    }
    let options = &options;
    let mut planner = probing::Planner::new(catalogue);
    // The probes start while the inventory is read: each load balancer as soon as its listeners
    // are (see probing).
    let (inventory, mut probing) = runtime.block_on(async {
        let Some(probe_options) = &job.probe else {
            return (aws::inventory(options).await, None);
        };
        let mut probing = probing::Probing::new(probe_options, job.concurrency);
        let (sink, mut read) = tokio::sync::mpsc::unbounded_channel();
        let inventory = aws::inventory_streaming(options, Some(sink));
        let plan = async {
            while let Some(lb) = read.recv().await {
                if probing::in_run(&lb, filters, job.shard) {
                    for listener in &lb.listeners {
                        if let Some(planned) = planner.plan(&lb, listener) {
                            probing.add(planned);
                        }
                    }
                }
            }
        };
        let (inventory, ()) = tokio::join!(inventory, plan);
        (inventory, Some(probing))
    });
    let mut inventory = inventory?;
    let read = inventory.load_balancers.len() + inventory.outside_part.len();
    inventory.load_balancers.retain(|lb| selected(lb, filters));
    // Load balancers of the other parts (listed, their listeners not read) that the filters
    // select: they are audited there.
    let selected_elsewhere = std::mem::take(&mut inventory.outside_part)
        .iter()
        .filter(|lb| selected(lb, filters))
        .count();
    if selected_elsewhere == 0
        && let Some(failure) = selection::nothing_selected(filters, &inventory, read)
    {
        if job.format != AuditFormat::Table {
            super::say::warning(format_args!("incomplete: {failure}"));
        }
        inventory.failures.push(failure);
    }
    // The shard is taken after the filters: an empty part of a small account is no failure.
    if let Some(shard) = job.shard {
        let before = inventory.load_balancers.len() + selected_elsewhere;
        inventory
            .load_balancers
            .retain(|lb| lb.shard(shard.count) == shard.index);
        super::say::note(format_args!(
            "--shard {}/{}: {} of the {before} selected load balancers",
            shard.index + 1,
            shard.count,
            inventory.load_balancers.len()
        ));
    }
    // `--negotiation-errors`: a region CloudWatch cannot answer for is a failure, not an error.
    let negotiation = job.negotiation_hours.map(|hours| {
        runtime.block_on(aws::cloudwatch::negotiation_errors(
            options,
            &inventory.load_balancers,
            hours,
        ))
    });
    if let Some(found) = &negotiation {
        inventory.failures.extend(found.failures.iter().cloned());
    }

    // Resolve every listener's declared policy; every TLS endpoint the stream did not plan yet
    // is probed now.
    let mut rows: Vec<Row<'_>> = Vec::new();
    // Probes are spawned on the runtime.
    let in_runtime = runtime.enter();
    for lb in &inventory.load_balancers {
        for listener in &lb.listeners {
            let declared = catalogue.resolve(lb.lb_type, &listener.declared);
            // TCP, UDP, GENEVE: no TLS, no plaintext web traffic.
            if let Some(kind) = compare::audit::kind(listener, &declared) {
                if kind == Kind::Tls
                    && let Some(probing) = &mut probing
                    && let Some(planned) = planner.plan(lb, listener)
                {
                    probing.add(planned);
                }
                rows.push(Row {
                    lb,
                    listener,
                    declared,
                    kind,
                });
            }
        }
    }
    drop(in_runtime);
    let observations = match probing {
        Some(probing) => runtime.block_on(probing.finish()),
        None => HashMap::new(),
    };

    let now = crate::clock::now_unix();
    let mut rules = Rules::new(baseline.as_ref(), catalogue, now);
    if checks_nothing {
        rules = rules.checking_nothing();
    }
    let negotiation_errors = |lb: &LoadBalancer| {
        let found = negotiation.as_ref()?;
        let count = *found.counts.get(lb.arn.as_ref()?)?;
        Some(NegotiationErrors {
            count,
            hours: job.negotiation_hours?,
        })
    };
    let mut listeners: Vec<ListenerResult> = rows
        .iter()
        .map(|row| {
            let probe = if job.probe.is_none() {
                Some(Probe::Skipped)
            } else {
                match probing::endpoint(row.lb, row.listener) {
                    Some(target) => observations.get(&probing::key(&target)).map(Probe::Done),
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
        probed: job.probe.is_some(),
        listeners,
        failures: inventory.failures.clone(),
        diff: None,
        negotiation_errors_hours: job.negotiation_hours,
    };
    if let (Some(previous), Some(path)) = (&previous, &job.diff) {
        let shown = path.display().to_string();
        report.diff = Some(match previous {
            Some(previous) => compare::diff::diff(previous, &report, &shown),
            None => compare::diff::first_run(&report, &shown),
        });
    }

    // Security Hub first: its failures are said before the report, and decide the exit code.
    let hub_failed = match &job.security_hub {
        Some(hub) => {
            let coverage = asff::Coverage {
                complete: complete_pairs(&inventory),
                every_load_balancer: filters.describe().is_none(),
                part: job.shard.map(|s| (s.index, s.count)),
            };
            let outcome = runtime.block_on(security_hub(
                options,
                &report,
                hub.region.as_deref(),
                &coverage,
            ));
            for failure in &outcome.failures {
                super::say::warning(format_args!(
                    "Security Hub {}{}: {} ({})",
                    crate::text::escape(&failure.account),
                    failure
                        .region
                        .as_deref()
                        .map_or_else(String::new, |r| format!("/{r}")),
                    crate::text::escape(&failure.message),
                    failure.reason.code()
                ));
            }
            super::say::line(format!(
                "elbtls: Security Hub: {} finding{} imported ({} updated) in {} account/region{}, \
                 {} archived (gone since), {} left active (not checked again){}",
                outcome.imported,
                if outcome.imported == 1 { "" } else { "s" },
                outcome.updated,
                outcome.targets,
                if outcome.targets == 1 { "" } else { "s" },
                outcome.archived,
                outcome.kept,
                if outcome.failures.is_empty() {
                    String::new()
                } else {
                    format!("; {} FAILED (see above)", outcome.failures.len())
                }
            ));
            !outcome.failures.is_empty()
        }
        None => false,
    };

    if outputs.is_empty() {
        render(&report, job.format, job.color, false, out)?;
    } else {
        for (format, file) in &outputs {
            file.write(|w| render(&report, *format, false, true, w))?;
        }
        super::say::line(summary_line(&report, &job.outputs));
    }

    if let Some(baseline) = &baseline {
        exception_notes(baseline, &report, now);
    }

    // Accepted risks (live baseline exceptions) never fail the run.
    let fails = |f: &crate::finding::Finding| f.severity >= job.fail_on && !f.is_accepted();
    let failing = if job.fail_on_new {
        let new: std::collections::HashSet<(&str, &str, &str)> = report
            .diff
            .iter()
            .flat_map(|d| &d.new)
            .map(|c| (c.listener.as_str(), c.code.as_str(), c.subject.as_str()))
            .collect();
        report.listeners.iter().any(|l| {
            l.findings.iter().any(|f| {
                fails(f) && new.contains(&(l.id.as_str(), f.code.code(), f.subject.as_str()))
            })
        })
    } else {
        report.listeners.iter().flat_map(|l| &l.findings).any(fails)
    };
    Ok(if failing {
        Exit::Findings
    } else if report.incomplete() || hub_failed {
        Exit::Incomplete
    } else {
        Exit::Success
    })
}

/// The account/region pairs read without any failure (of the inventory, a load balancer, or
/// CloudWatch): only there may Security Hub findings of vanished listeners be archived.
fn complete_pairs(
    inventory: &crate::model::inventory::Inventory,
) -> std::collections::BTreeSet<(String, String)> {
    inventory
        .scopes
        .iter()
        .filter(|scope| {
            !inventory.failures.iter().any(|f| {
                f.account == scope.account && f.region.as_deref().is_none_or(|r| r == scope.region)
            })
        })
        .map(|scope| (scope.account.clone(), scope.region.clone()))
        .collect()
}

/// `--security-hub`: the report's ASFF findings, grouped by account and Security Hub region (with
/// every completely read pair, so findings gone from it are found), imported; earlier findings
/// archived as [`asff::ArchivePlan`] allows.
async fn security_hub(
    options: &aws::Options,
    report: &AuditReport,
    hub_region: Option<&str>,
    coverage: &asff::Coverage,
) -> aws::securityhub::SyncOutcome {
    let mut groups = aws::securityhub::Groups::new();
    for (account, region) in &coverage.complete {
        groups
            .entry((account.clone(), hub_region.unwrap_or(region).to_string()))
            .or_default();
    }
    for finding in asff::findings(report, hub_region) {
        let key = (
            finding["AwsAccountId"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            finding["Region"].as_str().unwrap_or_default().to_string(),
        );
        groups.entry(key).or_default().push(finding);
    }
    // The plan reads the ids as the findings carry them (escaped).
    let plan = asff::ArchivePlan::new(report.escaped(), coverage.clone());
    let now = crate::clock::rfc3339(crate::clock::now_unix());
    let archive = Arc::new(move |old: &serde_json::Value| {
        plan.may_archive(old).then(|| asff::archived(old, &now))
    });
    aws::securityhub::sync(options, groups, archive).await
}

/// Tells about the baseline's exceptions that need a person: expired ones (their findings count
/// again) and ones that covered nothing in this run (stale, or mistyped).
fn exception_notes(baseline: &baseline::Baseline, report: &AuditReport, now: i64) {
    for exception in &baseline.exceptions {
        let covered = report.listeners.iter().any(|l| {
            l.findings
                .iter()
                .any(|f| exception.covers(&l.id, &l.load_balancer, f.code))
        });
        if exception.expires_unix < now && covered {
            super::say::warning(format_args!(
                "the exception at {} expired on {}: the findings it covered count again",
                exception.origin, exception.expires
            ));
        } else if !covered {
            super::say::note(format_args!(
                "the exception at {} covers no finding of this run (resolved, or mistyped?)",
                exception.origin
            ));
        }
    }
}

/// One listener on its way into the report.
struct Row<'i> {
    lb: &'i LoadBalancer,
    listener: &'i Listener,
    declared: Declaration<'i>,
    kind: Kind,
}

fn selected(lb: &LoadBalancer, filters: &AuditFilters) -> bool {
    (filters.schemes.is_empty() || filters.schemes.contains(&lb.scheme))
        && (filters.vpcs.is_empty() || lb.vpc_id.as_ref().is_some_and(|v| filters.vpcs.contains(v)))
        && selected_by_name_tag_type_arn(lb, filters)
}

fn selected_by_name_tag_type_arn(lb: &LoadBalancer, filters: &AuditFilters) -> bool {
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
                    || lb.arn.is_some() && lb.arn == load_balancer_of_listener(arn)
                    || lb
                        .listeners
                        .iter()
                        .any(|l| l.arn.as_deref() == Some(arn.as_str()))
            }))
}

/// The ARN of the load balancer of an ELBv2 listener ARN
/// (`arn:…:listener/app/NAME/LB-ID/LISTENER-ID` → `arn:…:loadbalancer/app/NAME/LB-ID`), so that
/// `--arn LISTENER` selects a load balancer whose listeners were not read (another `--shard`).
fn load_balancer_of_listener(arn: &str) -> Option<String> {
    let (head, path) = arn.split_once(":listener/")?;
    let (lb_path, _listener_id) = path.rsplit_once('/')?;
    Some(format!("{head}:loadbalancer/{lb_path}"))
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
        id: lb.listener_id(listener),
        account: lb.scope.account.clone(),
        region: lb.scope.region.clone(),
        load_balancer: lb.name.clone(),
        lb_type: lb.lb_type,
        scheme: lb.scheme,
        dns_name: lb.dns_name.clone(),
        port: listener.port,
        protocol: listener.protocol.clone(),
        declared_policy: if tls { row.declared.label() } else { None },
        declared_policy_name: row
            .declared
            .name_and_origin()
            .filter(|_| tls)
            .map(|(name, _)| name.to_string()),
        declared_policy_origin: row
            .declared
            .name_and_origin()
            .filter(|_| tls)
            .map(|(_, origin)| origin.to_string()),
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
            let accepted = || {
                observed
                    .protocols
                    .iter()
                    .filter(|p| p.support == Support::Accepted)
            };
            let mut certificates: Vec<String> = observed
                .certificates
                .iter()
                .filter_map(|chain| chain.leaf())
                .map(|leaf| leaf.sha256_fingerprint_hex.clone())
                .collect();
            certificates.sort();
            certificates.dedup();
            let mut leaf_certificates: Vec<LeafCertificate> = observed
                .certificates
                .iter()
                .filter_map(|chain| chain.leaf())
                .map(|leaf| LeafCertificate {
                    sha256: leaf.sha256_fingerprint_hex.clone(),
                    subject: leaf.subject.clone(),
                    not_after: leaf.not_after.clone(),
                    not_after_unix: leaf.not_after_unix,
                })
                .collect();
            leaf_certificates.sort_by(|a, b| a.sha256.cmp(&b.sha256));
            leaf_certificates.dedup_by(|a, b| a.sha256 == b.sha256);
            ProbeStatus::Probed {
                protocols: accepted().map(|p| p.version.to_string()).collect(),
                ciphers: accepted()
                    .map(|p| {
                        (
                            p.version.to_string(),
                            p.ciphers.iter().map(|c| c.iana_name()).collect(),
                        )
                    })
                    .collect(),
                certificates,
                leaf_certificates,
                connections: observation.connections,
            }
        }
        _ => ProbeStatus::Failed,
    }
}

/// `elbtls: 23 listeners: 20 compliant, 2 drift, 1 unverified; wrote audit.json (json), …`:
/// what stderr says when the report went to files.
pub(super) fn summary_line(
    report: &AuditReport,
    outputs: &[(AuditFormat, std::path::PathBuf)],
) -> String {
    let counts: Vec<String> = [
        Verdict::Compliant,
        Verdict::Drift,
        Verdict::Baseline,
        Verdict::Unverified,
        Verdict::Unchecked,
    ]
    .into_iter()
    .map(|v| (v, report.count(v)))
    .filter(|(_, n)| *n > 0)
    .map(|(v, n)| format!("{n} {v}"))
    .collect();
    let files: Vec<String> = outputs
        .iter()
        .map(|(format, path)| {
            format!(
                "{} ({})",
                crate::text::escape(&path.display().to_string()),
                format.name()
            )
        })
        .collect();
    format!(
        "elbtls: {} listener{}{}{}; wrote {}",
        report.listeners.len(),
        if report.listeners.len() == 1 { "" } else { "s" },
        if counts.is_empty() { "" } else { ": " },
        counts.join(", "),
        files.join(", ")
    )
}

/// Renders `report` in `format`; a table is laid out for the terminal, or for a file
/// (`to_file`: `COLUMNS` or 100 columns, never the terminal's width).
pub(super) fn render(
    report: &AuditReport,
    format: AuditFormat,
    color: bool,
    to_file: bool,
    out: &mut impl Write,
) -> io::Result<()> {
    match format {
        AuditFormat::Table => {
            let layout = if to_file {
                crate::terminal::file_layout(color)
            } else {
                crate::terminal::layout(color)
            };
            table::render(report, &layout, out)
        }
        AuditFormat::Json => json::render(report, out),
        AuditFormat::Csv => csv::render(report, out),
        AuditFormat::Sarif => sarif::render(report, out),
        AuditFormat::Junit => junit::render(report, out),
        AuditFormat::Html => html::render(report, out),
        AuditFormat::Asff => asff::render(report, out),
        AuditFormat::Ocsf => ocsf::render(report, out),
    }
}

#[cfg(test)]
mod tests {
    use super::load_balancer_of_listener;

    #[test]
    fn finds_the_load_balancer_of_a_listener_arn() {
        assert_eq!(
            load_balancer_of_listener(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
            )
            .as_deref(),
            Some(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
            )
        );
        assert_eq!(
            load_balancer_of_listener(
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
            ),
            None
        );
    }
}
