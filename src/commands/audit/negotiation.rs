//! `audit --negotiation-errors`: puts each load balancer's CloudWatch
//! `ClientTLSNegotiationErrorCount` on its TLS listeners, with a `negotiation-errors` finding
//! when clients failed. The count is the load balancer's (CloudWatch has no per-listener
//! dimension), so a load balancer with several TLS listeners shows it on each.

use std::collections::HashMap;

use super::Row;
use crate::compare::{Finding, FindingCode};
use crate::report::audit::ListenerResult;

/// Annotates `listeners`, which are in `rows` order.
pub(super) fn annotate(
    rows: &[Row<'_>],
    listeners: &mut [ListenerResult],
    counts: &HashMap<String, u64>,
    hours: u32,
) {
    for (row, result) in rows.iter().zip(listeners.iter_mut()) {
        if !row.listener.terminates_tls() {
            continue;
        }
        let Some(&count) = row.lb.arn.as_ref().and_then(|arn| counts.get(arn)) else {
            continue;
        };
        result.negotiation_errors = Some(count);
        if count == 0 {
            continue;
        }
        let shared = row
            .lb
            .listeners
            .iter()
            .filter(|l| l.terminates_tls())
            .count();
        result
            .findings
            .push(finding(&result.label(), count, hours, shared));
        result.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.code.cmp(&b.code))
        });
    }
}

fn finding(label: &str, count: u64, hours: u32, tls_listeners: usize) -> Finding {
    let scope = if tls_listeners > 1 {
        format!(" (the load balancer's {tls_listeners} TLS listeners together)")
    } else {
        String::new()
    };
    Finding::new(
        FindingCode::NegotiationErrors,
        "",
        format!(
            "{label}: {count} client TLS negotiation error{} in the last {hours} h{scope} \
             (CloudWatch ClientTLSNegotiationErrorCount); find which clients with `elbtls client \
             check` (--capture, --client-hello) or the load balancer's connection logs.",
            if count == 1 { "" } else { "s" }
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::finding;
    use crate::compare::{FindingCode, Severity};

    #[test]
    fn the_finding_says_how_many_over_what_window() {
        let f = finding("web HTTPS:443 (1/eu-west-1)", 42, 24, 2);
        assert_eq!(f.code, FindingCode::NegotiationErrors);
        assert_eq!(f.severity, Severity::Info);
        assert!(f.subject.is_empty());
        assert!(
            f.message.starts_with(
                "web HTTPS:443 (1/eu-west-1): 42 client TLS negotiation errors in the last 24 h \
                 (the load balancer's 2 TLS listeners together)"
            ),
            "{}",
            f.message
        );
        assert!(
            finding("x", 1, 6, 1)
                .message
                .contains("1 client TLS negotiation error in")
        );
    }
}
