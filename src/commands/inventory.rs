//! `elbtls inventory`: reads the accounts, resolves every listener's declared policy against the
//! catalogue, and reports one row per listener.

use std::io::Write;

use crate::aws;
use crate::catalogue::{Catalogue, Policy, from_classic_attributes};
use crate::cli::{InventoryArgs, InventoryFormat};
use crate::exit::Exit;
use crate::model::LoadBalancerType;
use crate::model::inventory::{
    CLASSIC_DEFAULT_POLICY, DeclaredPolicy, Inventory, InventoryReport, Listener, PolicyStatus,
    ResolvedPolicy,
};
use crate::report::inventory::{csv, json, table};

pub(super) fn run(
    catalogue: &Catalogue,
    args: &InventoryArgs,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    let options = args.validate()?;
    let inventory = runtime()?.block_on(aws::inventory(&options))?;
    let report = resolve(inventory, catalogue);
    match args.format {
        InventoryFormat::Table => table::render(&report, out)?,
        InventoryFormat::Json => json::render(&report, out)?,
        InventoryFormat::Csv => csv::render(&report, out)?,
    }
    if report.inventory.is_complete() {
        Ok(Exit::Success)
    } else {
        if args.format != InventoryFormat::Table {
            // The table lists the failures itself; JSON has them in `failures`, CSV nowhere.
            for failure in &report.inventory.failures {
                eprintln!(
                    "warning: incomplete: {}",
                    crate::text::escape(&failure.to_string())
                );
            }
        }
        Ok(Exit::Incomplete)
    }
}

/// The runtime AWS calls run on (2 worker threads: the work is waiting on the network).
pub(super) fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Resolves every listener's declared policy against the catalogue.
pub fn resolve(inventory: Inventory, catalogue: &Catalogue) -> InventoryReport {
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

fn known(name: &str, detail: Option<String>, policy: &Policy) -> ResolvedPolicy {
    ResolvedPolicy {
        name: Some(name.to_string()),
        detail,
        status: PolicyStatus::Known,
        reason: None,
        protocols: policy.protocols.iter().map(ToString::to_string).collect(),
        cipher_count: Some(policy.ciphers.len()),
    }
}

fn unknown(name: Option<&str>, detail: Option<String>, reason: String) -> ResolvedPolicy {
    ResolvedPolicy {
        name: name.map(str::to_string),
        detail,
        status: PolicyStatus::PolicyUnknown,
        reason: Some(reason),
        protocols: Vec::new(),
        cipher_count: None,
    }
}

/// The Classic attribute naming a predefined base policy.
const REFERENCE_ATTRIBUTE: &str = "Reference-Security-Policy";

fn reference_of(attributes: &[(String, String)]) -> Option<&str> {
    attributes
        .iter()
        .find(|(k, _)| k == REFERENCE_ATTRIBUTE)
        .map(|(_, v)| v.as_str())
}

/// A listener's declared policy, resolved against the catalogue.
pub enum PolicyLookup {
    /// The listener does not terminate TLS.
    NotTls,
    /// A policy the catalogue (or the Classic attributes) define.
    Known {
        /// The declared name.
        name: String,
        /// Classic detail: predefined, default, reference X, custom.
        detail: Option<String>,
        /// The policy.
        policy: Box<Policy>,
    },
    /// A declaration that cannot be resolved.
    Unknown {
        /// The declared name, if any.
        name: Option<String>,
        /// Classic detail.
        detail: Option<String>,
        /// Why.
        reason: String,
    },
}

/// Resolves what `listener` declares.
pub fn policy_of(
    lb_type: LoadBalancerType,
    listener: &Listener,
    catalogue: &Catalogue,
) -> PolicyLookup {
    let lookup = |name: &str, detail: Option<String>| match catalogue.get(name, lb_type) {
        Ok(policy) => PolicyLookup::Known {
            name: name.to_string(),
            detail,
            policy: Box::new(policy.clone()),
        },
        Err(e) => PolicyLookup::Unknown {
            name: Some(name.to_string()),
            detail,
            reason: e.to_string(),
        },
    };
    match &listener.declared {
        DeclaredPolicy::None => PolicyLookup::NotTls,
        DeclaredPolicy::Named { name } => {
            let detail = (lb_type == LoadBalancerType::Classic).then(|| "predefined".to_string());
            lookup(name, detail)
        }
        DeclaredPolicy::ClassicDefault => lookup(
            CLASSIC_DEFAULT_POLICY,
            Some("default (no policy attached)".to_string()),
        ),
        DeclaredPolicy::ClassicAttributes { name, attributes } => {
            let reference = reference_of(attributes);
            match from_classic_attributes(name, attributes, catalogue) {
                Ok(resolved) => {
                    let has_flags = attributes.iter().any(|(k, _)| k != REFERENCE_ATTRIBUTE);
                    let detail = match reference {
                        // The copy AWS attaches for a predefined policy carries its own name.
                        Some(reference) if reference == name => "predefined".to_string(),
                        Some(reference) if !has_flags => format!("reference {reference}"),
                        Some(reference) => format!("custom (based on {reference})"),
                        None => "custom".to_string(),
                    };
                    PolicyLookup::Known {
                        name: name.clone(),
                        detail: Some(detail),
                        policy: Box::new(resolved.policy),
                    }
                }
                Err(e) => PolicyLookup::Unknown {
                    name: Some(name.clone()),
                    detail: reference.map(|r| format!("reference {r}")),
                    reason: e.to_string(),
                },
            }
        }
        DeclaredPolicy::Unreadable { name, reason } => PolicyLookup::Unknown {
            name: name.clone(),
            detail: None,
            reason: reason.clone(),
        },
    }
}

/// What the inventory says about one listener's policy.
pub fn resolve_listener(
    lb_type: LoadBalancerType,
    listener: &Listener,
    catalogue: &Catalogue,
) -> ResolvedPolicy {
    match policy_of(lb_type, listener, catalogue) {
        PolicyLookup::NotTls => ResolvedPolicy {
            name: None,
            detail: listener
                .redirects_to_https
                .and_then(|r| r.then(|| "redirects to HTTPS".to_string())),
            status: PolicyStatus::NotApplicable,
            reason: None,
            protocols: Vec::new(),
            cipher_count: None,
        },
        PolicyLookup::Known {
            name,
            detail,
            policy,
        } => known(&name, detail, &policy),
        PolicyLookup::Unknown {
            name,
            detail,
            reason,
        } => unknown(name.as_deref(), detail, reason),
    }
}
