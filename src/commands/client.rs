//! `elbtls client check|matrix|profiles`: resolve the server (a policy, a probed listener, a
//! listener's declared policy), describe the client(s), negotiate, rank, report, decide the exit
//! code.

use std::borrow::Cow;
use std::io::Write;

use anyhow::{Context as _, bail};

use crate::aws::listener::ListenerByArn;
use crate::catalogue::{Catalogue, Declaration, Policy};
use crate::cli::{CheckJob, CheckTarget, Format, MatrixJob, ProfilesJob, source_flag};
use crate::client::negotiate::{ASSUMED_GROUPS, ServerSide, negotiate};
use crate::client::profile::{self, Profile};
use crate::client::rank::{listener_under, usable_policies};
use crate::client::{ClientDescription, DescriptionSource};
use crate::exit::Exit;
use crate::model::LoadBalancerType;
use crate::model::observed::ProbeOutcome;
use crate::report::client::{
    Change, CheckReport, MatrixReport, MatrixRow, ServerLabel, json, table,
};

/// The server a check runs against, resolved.
struct Resolved<'c> {
    server: ServerSide,
    label: ServerLabel<'c>,
    lb_type: LoadBalancerType,
}

fn assumed_groups_note(server: &ServerSide, whose: &str) -> Option<String> {
    (!server.groups_known()).then(|| {
        let names: Vec<String> = ASSUMED_GROUPS.iter().map(ToString::to_string).collect();
        format!(
            "{whose} key-exchange groups are not known; {} were assumed",
            names.join(", ")
        )
    })
}

/// Resolves `--policy`, `--arn` or `--listener` (probing it). `Ok(None)`: the listener could not
/// be probed (already reported on stderr).
fn resolve_server<'c>(
    catalogue: &'c Catalogue,
    job: &CheckJob,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<Resolved<'c>>> {
    let declared = |policy: &Policy| listener_under(policy, &job.certificates, &job.curves);
    Ok(Some(match &job.server {
        CheckTarget::Policy(name) => {
            let policy = super::policies::resolve(catalogue, name, job.lb_type)?;
            let server = declared(policy);
            notes.extend(assumed_groups_note(&server, "the policy's"));
            Resolved {
                lb_type: lb_type_for(policy, job.lb_type),
                server,
                label: ServerLabel::Policy(policy),
            }
        }
        CheckTarget::Arn { arn, options } => {
            let found = super::runtime()?
                .block_on(crate::aws::listener::describe_listener(options, arn))?;
            let policy = declared_policy(catalogue, arn, &found)?;
            let server = declared(&policy);
            notes.extend(assumed_groups_note(&server, "the policy's"));
            Resolved {
                server,
                label: ServerLabel::Arn {
                    arn: arn.clone(),
                    policy,
                },
                lb_type: found.lb_type,
            }
        }
        CheckTarget::Listener { target, options } => {
            let observation = super::runtime()?.block_on(crate::probe::run::probe(target, options));
            let label = observation.endpoint.label();
            let observed = match observation.outcome {
                ProbeOutcome::Completed(observed) => observed,
                ProbeOutcome::Unreachable { reason } | ProbeOutcome::Failed { reason } => {
                    eprintln!(
                        "error: could not probe {}: {}",
                        crate::text::escape(&label),
                        crate::text::escape(&reason)
                    );
                    return Ok(None);
                }
            };
            if !observed.is_complete() {
                notes.push(format!(
                    "the probe of {label} is incomplete ({}): the listener may accept more than \
                     was seen",
                    if observed.warnings.is_empty() {
                        "some handshakes could not be completed".to_string()
                    } else {
                        observed.warnings.join("; ")
                    }
                ));
            }
            let server = ServerSide::from_observed(&observed);
            notes.extend(assumed_groups_note(&server, "the listener's"));
            Resolved {
                server,
                label: ServerLabel::Listener(label),
                lb_type: job.lb_type.unwrap_or(LoadBalancerType::Application),
            }
        }
    }))
}

/// The policy the listener read by `--arn` declares, as the catalogue resolves it (a Classic
/// custom policy is built from its attributes, never looked up again by name).
fn declared_policy<'c>(
    catalogue: &'c Catalogue,
    arn: &str,
    found: &ListenerByArn,
) -> anyhow::Result<Cow<'c, Policy>> {
    match catalogue.resolve(found.lb_type, &found.listener.declared) {
        Declaration::Known { policy, .. } => Ok(policy),
        Declaration::NotTls => bail!(
            "--arn {arn}: a {} listener on port {} does not terminate TLS, so no security \
             policy applies",
            found.listener.protocol,
            found.listener.port
        ),
        Declaration::Unknown { name, reason, .. } => bail!(
            "--arn {arn}: its policy {} cannot be resolved: {reason} (add it with \
             --catalogue DIR, or check the listener with --listener HOST:PORT)",
            name.as_deref().unwrap_or("(none)")
        ),
    }
}

/// The load-balancer type whose policies are ranked: `--type`, else the policy's own first type.
fn lb_type_for(policy: &Policy, lb_type: Option<LoadBalancerType>) -> LoadBalancerType {
    lb_type
        .or_else(|| policy.load_balancer_types.first().copied())
        .unwrap_or(LoadBalancerType::Application)
}

fn profile_of<'p>(client: &ClientDescription, profiles: &'p [Profile]) -> Option<&'p Profile> {
    match &client.source {
        DescriptionSource::Profile { name, .. } => profiles.iter().find(|p| &p.name == name),
        _ => None,
    }
}

/// `elbtls client check`: the server first (a listener may not answer), then the client (a
/// capture waits for it).
pub(super) fn check(
    catalogue: &Catalogue,
    job: &CheckJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    let mut notes = Vec::new();
    let Some(resolved) = resolve_server(catalogue, job, &mut notes)? else {
        return Ok(Exit::Incomplete);
    };
    let clients = super::runtime()?
        .block_on(crate::client::describe(&job.client, |line| {
            super::say::line(line);
        }))
        .with_context(|| source_flag(&job.client))?;
    let profiles = profile::builtin()?;
    let certificates = resolved.server.certificates.clone();
    let curves = resolved.server.ecdsa_curves.clone();
    let reports: Vec<CheckReport<'_>> = clients
        .iter()
        .map(|client| CheckReport {
            client,
            profile: profile_of(client, &profiles),
            server: resolved.label.clone(),
            certificates: certificates.clone(),
            negotiation: negotiate(client, &resolved.server),
            usable: usable_policies(client, catalogue, resolved.lb_type, &certificates, &curves),
            lb_type: resolved.lb_type,
            notes: notes.clone(),
        })
        .collect();
    match job.format {
        Format::Table => table::check(&reports, &crate::terminal::layout(false), out)?,
        Format::Json => json::check(&reports, out)?,
    }
    Ok(if reports.iter().all(|r| r.negotiation.is_success()) {
        Exit::Success
    } else {
        Exit::Findings
    })
}

/// `elbtls client matrix`.
pub(super) fn matrix(
    catalogue: &Catalogue,
    job: &MatrixJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    let first = super::policies::resolve(catalogue, &job.first, job.lb_type)?;
    let second = job
        .second
        .as_deref()
        .map(|name| super::policies::resolve(catalogue, name, job.lb_type))
        .transpose()?;
    let server = |policy: &Policy| listener_under(policy, &job.certificates, &job.curves);
    let (first_server, second_server) = (server(first), second.map(server));
    let rows: Vec<MatrixRow<'_>> = job
        .profiles
        .iter()
        .map(|profile| {
            let client = profile.describe();
            MatrixRow {
                profile,
                first: negotiate(&client, &first_server),
                second: second_server.as_ref().map(|s| negotiate(&client, s)),
            }
        })
        .collect();
    let report = MatrixReport {
        first,
        second,
        certificates: job.certificates.clone(),
        rows,
    };
    match job.format {
        Format::Table => table::matrix(&report, &crate::terminal::layout(false), out)?,
        Format::Json => json::matrix(&report, out)?,
    }
    Ok(if report.count(Change::Breaks) > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

/// `elbtls client profiles`.
pub(super) fn profiles(job: &ProfilesJob, out: &mut impl Write) -> anyhow::Result<Exit> {
    match &job.profile {
        Some(found) => match job.format {
            Format::Table => table::profile(found, &crate::terminal::layout(false), out)?,
            Format::Json => json::profiles(&[found], out)?,
        },
        None => {
            let list: Vec<&Profile> = job.all.iter().collect();
            match job.format {
                Format::Table => table::profiles(&list, &crate::terminal::layout(false), out)?,
                Format::Json => json::profiles(&list, out)?,
            }
        }
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::listener::ListenerArn;
    use crate::model::inventory::{DeclaredPolicy, Listener};

    fn found(lb_type: LoadBalancerType, declared: DeclaredPolicy) -> ListenerByArn {
        ListenerByArn {
            arn: ListenerArn {
                region: "eu-west-1".into(),
                account: "111".into(),
                lb_type,
                load_balancer: "web".into(),
                load_balancer_arn: "arn:aws:elasticloadbalancing:eu-west-1:111:loadbalancer/web"
                    .into(),
            },
            lb_type,
            dns_name: None,
            listener: Listener {
                arn: None,
                port: 443,
                protocol: "SSL".into(),
                declared,
                certificates: Vec::new(),
                alpn_policy: Vec::new(),
                mutual_tls: None,
                redirects_to_https: None,
            },
        }
    }

    /// Issue 11: the declared policy was resolved, then looked up again by name, which no
    /// catalogue has for a Classic custom policy. (`--arn` refuses Classic ARNs before any AWS
    /// call, so the CLI never got this far with one; the resolution is still one path now.)
    #[test]
    fn a_classic_custom_policy_is_used_as_resolved() {
        let catalogue = Catalogue::builtin().unwrap();
        let custom = found(
            LoadBalancerType::Classic,
            DeclaredPolicy::ClassicAttributes {
                name: "my-custom".into(),
                attributes: vec![
                    ("Protocol-TLSv1.2".into(), "true".into()),
                    ("ECDHE-RSA-AES128-GCM-SHA256".into(), "true".into()),
                ],
            },
        );
        assert!(
            catalogue
                .get("my-custom", LoadBalancerType::Classic)
                .is_err()
        );
        let policy = declared_policy(&catalogue, "arn", &custom).unwrap();
        assert_eq!(policy.name, "my-custom");
        assert_eq!(policy.ciphers.len(), 1);

        let named = found(
            LoadBalancerType::Application,
            DeclaredPolicy::Named {
                name: "ELBSecurityPolicy-TLS13-1-2-2021-06".into(),
            },
        );
        assert!(matches!(
            declared_policy(&catalogue, "arn", &named).unwrap(),
            Cow::Borrowed(_)
        ));
        let plain = found(LoadBalancerType::Application, DeclaredPolicy::None);
        let err = declared_policy(&catalogue, "ARN", &plain).unwrap_err();
        assert!(
            err.to_string()
                .contains("--arn ARN: a SSL listener on port 443 does not terminate TLS"),
            "{err}"
        );
    }
}
