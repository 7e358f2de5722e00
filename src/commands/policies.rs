//! `elbtls policies list|show|diff`.

use std::io::Write;

use anyhow::bail;

use crate::catalogue::{Catalogue, Policy, PolicyDiff};
use crate::cli::{Format, PoliciesJob};
use crate::exit::Exit;
use crate::model::LoadBalancerType;
use crate::report::policies::{json, table};

pub(super) fn run(
    catalogue: &Catalogue,
    job: &PoliciesJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    match job {
        PoliciesJob::List { lb_type, format } => {
            let mut policies: Vec<&Policy> = catalogue
                .policies()
                .iter()
                .filter(|p| lb_type.is_none_or(|t| p.applies_to(t)))
                .collect();
            // ELBv2 first, then Classic; by name within each, so the order is predictable.
            policies.sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
            match format {
                Format::Table => table::list(&policies, &crate::terminal::layout(false), out)?,
                Format::Json => json::list(&policies, out)?,
            }
        }
        PoliciesJob::Show {
            name,
            lb_type,
            format,
        } => {
            let policy = resolve(catalogue, name, *lb_type)?;
            match format {
                Format::Table => table::show(
                    policy,
                    catalogue.sources(),
                    &crate::terminal::layout(false),
                    out,
                )?,
                Format::Json => json::show(policy, catalogue.sources(), out)?,
            }
        }
        PoliciesJob::Diff {
            from,
            to,
            lb_type,
            format,
        } => {
            let from = resolve(catalogue, from, *lb_type)?;
            let to = resolve(catalogue, to, *lb_type)?;
            let diff = PolicyDiff::between(from, to);
            match format {
                Format::Table => table::diff(&diff, &crate::terminal::layout(false), out)?,
                Format::Json => json::diff(&diff, out)?,
            }
        }
    }
    Ok(Exit::Success)
}

/// Finds the policy a user means. With no `--type`, a name that exists for both ELBv2 and Classic
/// means the ELBv2 one, and a note on stderr says how to get the other.
pub(crate) fn resolve<'c>(
    catalogue: &'c Catalogue,
    name: &str,
    lb_type: Option<LoadBalancerType>,
) -> anyhow::Result<&'c Policy> {
    if let Some(lb_type) = lb_type {
        return Ok(catalogue.get(name, lb_type)?);
    }
    let found = catalogue.find_all(name);
    match found.as_slice() {
        [] => Err(catalogue.unknown(name, None).into()),
        [only] => Ok(only),
        [first, rest @ ..] => {
            let others: Vec<String> = rest
                .iter()
                .filter(|p| p.kind != first.kind)
                .map(|p| format!("--type {}", p.load_balancer_types[0]))
                .collect();
            if others.is_empty() {
                bail!("policy `{name}` is defined more than once in the catalogue");
            }
            super::say::note(format_args!(
                "`{}` exists for {} and classic load balancers; showing the {} one ({} for the other)",
                first.name,
                first.types_label(),
                first.kind,
                others.join(", ")
            ));
            Ok(first)
        }
    }
}
