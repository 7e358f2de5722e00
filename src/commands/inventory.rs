//! `elbtls inventory`: reads the accounts, resolves every listener's declared policy against the
//! catalogue, and reports one row per listener.

use std::io::Write;

use crate::aws;
use crate::catalogue::{Catalogue, Declaration};
use crate::cli::{InventoryFormat, InventoryJob};
use crate::exit::Exit;
use crate::model::LoadBalancerType;
use crate::model::inventory::{Inventory, InventoryReport, Listener, PolicyStatus, ResolvedPolicy};
use crate::report::inventory::{csv, json, table};

pub(super) fn run(
    catalogue: &Catalogue,
    job: &InventoryJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    let inventory = super::runtime()?.block_on(aws::inventory(&job.aws))?;
    let report = resolve(inventory, catalogue);
    match job.format {
        InventoryFormat::Table => table::render(&report, &crate::terminal::layout(false), out)?,
        InventoryFormat::Json => json::render(&report, out)?,
        InventoryFormat::Csv => csv::render(&report, out)?,
    }
    if report.inventory.is_complete() {
        Ok(Exit::Success)
    } else {
        if job.format != InventoryFormat::Table {
            // The table lists the failures itself; JSON has them in `failures`, CSV nowhere.
            for failure in &report.inventory.failures {
                super::say::warning(format_args!(
                    "incomplete: {}",
                    crate::text::escape(&failure.to_string())
                ));
            }
        }
        Ok(Exit::Incomplete)
    }
}

/// Resolves every listener's declared policy against the catalogue.
pub(super) fn resolve(inventory: Inventory, catalogue: &Catalogue) -> InventoryReport {
    let policies = inventory
        .load_balancers
        .iter()
        .map(|lb| {
            lb.listeners
                .iter()
                .map(|listener| resolve_listener(lb.lb_type, listener, catalogue))
                .collect()
        })
        .collect();
    InventoryReport {
        inventory,
        policies,
    }
}

/// What the inventory says about one listener's policy.
pub(super) fn resolve_listener(
    lb_type: LoadBalancerType,
    listener: &Listener,
    catalogue: &Catalogue,
) -> ResolvedPolicy {
    match catalogue.resolve(lb_type, &listener.declared) {
        Declaration::NotTls => ResolvedPolicy {
            name: None,
            detail: listener
                .redirects_to_https
                .and_then(|r| r.then(|| "redirects to HTTPS".to_string())),
            status: PolicyStatus::NotApplicable,
            reason: None,
            protocols: Vec::new(),
            cipher_count: None,
        },
        Declaration::Known {
            name,
            detail,
            policy,
        } => ResolvedPolicy {
            name: Some(name),
            detail,
            status: PolicyStatus::Known,
            reason: None,
            protocols: policy.protocols.iter().map(ToString::to_string).collect(),
            cipher_count: Some(policy.ciphers.len()),
        },
        Declaration::Unknown {
            name,
            detail,
            reason,
        } => ResolvedPolicy {
            name,
            detail,
            status: PolicyStatus::PolicyUnknown,
            reason: Some(reason),
            protocols: Vec::new(),
            cipher_count: None,
        },
    }
}
