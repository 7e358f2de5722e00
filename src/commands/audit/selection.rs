//! What the audit says when its filters select no listener: a run that audits nothing because of
//! a typo in `--name` must not look like a clean one.

use std::collections::BTreeSet;

use crate::cli::AuditFilters;
use crate::model::inventory::{FailureReason, Inventory, ScopeFailure};

/// A `no-match` failure when `filters` left no listener to audit; `read` is how many load
/// balancers were read before filtering. `None` without filters: an account with no load
/// balancer is not an error.
pub(super) fn nothing_selected(
    filters: &AuditFilters,
    inventory: &Inventory,
    read: usize,
) -> Option<ScopeFailure> {
    let flags = filters.describe()?;
    if inventory
        .load_balancers
        .iter()
        .any(|lb| !lb.listeners.is_empty())
    {
        return None;
    }
    let accounts: BTreeSet<&str> = inventory
        .scopes
        .iter()
        .map(|s| s.account.as_str())
        .collect();
    let regions: BTreeSet<&str> = inventory.scopes.iter().map(|s| s.region.as_str()).collect();
    let pairs = inventory.scopes.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let matched = inventory.load_balancers.len();
    let message = if matched == 0 {
        format!(
            "no load balancer matched {flags} ({read} load balancer{} were read in {pairs} \
             account/region pair{}): nothing was audited. Check the filters: --name is matched \
             against the whole name (`*` is the wildcard), every --tag KEY=VALUE must match",
            plural(read),
            plural(pairs)
        )
    } else {
        format!(
            "the {matched} load balancer{} matching {flags} have no listener: nothing was audited",
            plural(matched)
        )
    };
    Some(ScopeFailure {
        account: match accounts.len() {
            1 => accounts.first().map_or("", |a| a).to_string(),
            _ => "every account".to_string(),
        },
        region: (regions.len() == 1).then(|| regions.first().map_or("", |r| r).to_string()),
        resource: Some("filters".to_string()),
        reason: FailureReason::NoMatch,
        message,
    })
}
