//! `elbtls client check|matrix|profiles`: resolve the server (a policy, a probed listener, a
//! listener's declared policy), describe the client(s), negotiate, rank, report, decide the exit
//! code.

use std::borrow::Cow;
use std::io::Write;

use anyhow::bail;

use crate::aws::listener::ListenerByArn;
use crate::catalogue::{Catalogue, Declaration, Policy};
use crate::cli::{
    CheckArgs, CheckTarget, ClientCommand, Format, MatrixArgs, ProfilesArgs, TypeArg,
    certificate_kinds, ecdsa_curves,
};
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

pub(super) fn run(
    catalogue: &Catalogue,
    command: ClientCommand,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    match command {
        ClientCommand::Check(args) => check(catalogue, &args, out),
        ClientCommand::Matrix(args) => matrix(catalogue, &args, out),
        ClientCommand::Profiles(args) => profiles(&args, out),
        ClientCommand::Logs(args) => super::client_logs::run(catalogue, &args.validate()?, out),
    }
}

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

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Resolves `--policy`, `--arn` or `--listener` (probing it). `Ok(None)`: the listener could not
/// be probed (already reported on stderr).
fn resolve_server<'c>(
    catalogue: &'c Catalogue,
    args: &CheckArgs,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<Resolved<'c>>> {
    let certificates = certificate_kinds(&args.certificates);
    let curves = declared_curves(&args.certificates);
    let declared = |policy: &Policy| listener_under(policy, &certificates, &curves);
    Ok(Some(match args.target()? {
        CheckTarget::Policy(name) => {
            let policy = super::policies::resolve(catalogue, &name, args.lb_type)?;
            let server = declared(policy);
            notes.extend(assumed_groups_note(&server, "the policy's"));
            Resolved {
                lb_type: lb_type_for(policy, args.lb_type),
                server,
                label: ServerLabel::Policy(policy),
            }
        }
        CheckTarget::Arn { arn, options } => {
            let found =
                runtime()?.block_on(crate::aws::listener::describe_listener(&options, &arn))?;
            let policy = declared_policy(catalogue, &arn, &found)?;
            let server = declared(&policy);
            notes.extend(assumed_groups_note(&server, "the policy's"));
            Resolved {
                server,
                label: ServerLabel::Arn { arn, policy },
                lb_type: found.lb_type,
            }
        }
        CheckTarget::Listener { target, options } => {
            let observation = runtime()?.block_on(crate::probe::run::probe(&target, &options));
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
                lb_type: args
                    .lb_type
                    .map_or(LoadBalancerType::Application, Into::into),
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

/// The curves of the declared ECDSA certificates (P-256 unless `ecdsa-p384` says otherwise).
fn declared_curves(args: &[crate::cli::CertificateArg]) -> Vec<crate::tls::NamedGroup> {
    let curves = ecdsa_curves(args);
    if curves.is_empty() {
        vec![crate::tls::NamedGroup::SECP256R1]
    } else {
        curves
    }
}

/// The load-balancer type whose policies are ranked: `--type`, else the policy's own first type.
fn lb_type_for(policy: &Policy, arg: Option<TypeArg>) -> LoadBalancerType {
    arg.map(Into::into)
        .or_else(|| policy.load_balancer_types.first().copied())
        .unwrap_or(LoadBalancerType::Application)
}

fn profile_of<'p>(client: &ClientDescription, profiles: &'p [Profile]) -> Option<&'p Profile> {
    match &client.source {
        DescriptionSource::Profile { name, .. } => profiles.iter().find(|p| &p.name == name),
        _ => None,
    }
}

fn check(catalogue: &Catalogue, args: &CheckArgs, out: &mut impl Write) -> anyhow::Result<Exit> {
    // Every usage error before any traffic or waiting.
    args.client.validate()?;
    args.target()?;
    let mut notes = Vec::new();
    let Some(resolved) = resolve_server(catalogue, args, &mut notes)? else {
        return Ok(Exit::Incomplete);
    };
    let clients = args.client.describe()?;
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
    match args.output.format {
        Format::Table => table::check(&reports, out)?,
        Format::Json => json::check(&reports, out)?,
    }
    Ok(if reports.iter().all(|r| r.negotiation.is_success()) {
        Exit::Success
    } else {
        Exit::Findings
    })
}

fn matrix(catalogue: &Catalogue, args: &MatrixArgs, out: &mut impl Write) -> anyhow::Result<Exit> {
    let (first, second) = match (&args.policy, &args.from, &args.to) {
        (Some(policy), None, None) => (policy, None),
        (None, Some(from), Some(to)) => (from, Some(to)),
        _ => bail!("give --policy NAME, or --from NAME --to NAME"),
    };
    let first = super::policies::resolve(catalogue, first, args.lb_type)?;
    let second = second
        .map(|name| super::policies::resolve(catalogue, name, args.lb_type))
        .transpose()?;
    let all = profile::builtin()?;
    let chosen: Vec<&Profile> = if args.profiles.is_empty() {
        all.iter().collect()
    } else {
        args.profiles
            .iter()
            .map(|name| profile::find(&all, name))
            .collect::<Result<_, _>>()?
    };
    let certificates = certificate_kinds(&args.certificates);
    let curves = declared_curves(&args.certificates);
    let server = |policy: &Policy| listener_under(policy, &certificates, &curves);
    let (first_server, second_server) = (server(first), second.map(server));
    let rows: Vec<MatrixRow<'_>> = chosen
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
        certificates,
        rows,
    };
    match args.output.format {
        Format::Table => table::matrix(&report, out)?,
        Format::Json => json::matrix(&report, out)?,
    }
    Ok(if report.count(Change::Breaks) > 0 {
        Exit::Findings
    } else {
        Exit::Success
    })
}

fn profiles(args: &ProfilesArgs, out: &mut impl Write) -> anyhow::Result<Exit> {
    let all = profile::builtin()?;
    match &args.name {
        Some(name) => {
            let found = profile::find(&all, name)?;
            match args.output.format {
                Format::Table => table::profile(found, out)?,
                Format::Json => json::profiles(&[found], out)?,
            }
        }
        None => {
            let list: Vec<&Profile> = all.iter().collect();
            match args.output.format {
                Format::Table => table::profiles(&list, out)?,
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
