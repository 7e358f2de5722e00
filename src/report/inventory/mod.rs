//! Output of `elbtls inventory`: one file per format, one row per listener.

pub mod csv;
pub mod json;
pub mod table;
#[cfg(test)]
mod table_tests;

use crate::model::inventory::{Listener, LoadBalancer, ResolvedPolicy};

/// The "Detail" cell: how the policy is declared, and `policy-unknown` when it did not resolve.
pub fn detail_label(policy: &ResolvedPolicy) -> String {
    use crate::model::inventory::PolicyStatus;
    match (&policy.detail, policy.status) {
        (Some(detail), PolicyStatus::PolicyUnknown) => format!("{detail}, policy-unknown"),
        (None, PolicyStatus::PolicyUnknown) => "policy-unknown".to_string(),
        (Some(detail), _) => detail.clone(),
        (None, _) => String::new(),
    }
}

/// The cells of a CSV row, in column order.
pub fn row_cells(lb: &LoadBalancer, listener: &Listener, policy: &ResolvedPolicy) -> [String; 10] {
    [
        lb.scope.account.clone(),
        lb.scope.region.clone(),
        lb.name.clone(),
        lb.lb_type.to_string(),
        lb.scheme.to_string(),
        listener.port.to_string(),
        listener.protocol.clone(),
        policy.name.clone().unwrap_or_default(),
        detail_label(policy),
        listener.certificates.len().to_string(),
    ]
}
