//! The drift and verification findings of one listener, and its CloudWatch negotiation errors:
//! how each is worded. Which of them a listener gets is decided in [`super::audit()`].

use super::drift::{Difference, DifferenceCode, drift};
use crate::catalogue::Policy;
use crate::finding::{Finding, FindingCode};
use crate::model::observed::{Observation, Observed, ProbeOutcome};

fn subject(difference: &Difference) -> String {
    difference.subject.to_string()
}

fn advice(code: DifferenceCode) -> &'static str {
    match code {
        DifferenceCode::ProtocolNotInPolicy
        | DifferenceCode::CipherNotInPolicy
        | DifferenceCode::GroupNotInPolicy => {
            "the listener does not behave as the account declares; find what answers on this port"
        }
        DifferenceCode::DeclaredProtocolNotOffered
        | DifferenceCode::DeclaredCipherNotOffered
        | DifferenceCode::DeclaredGroupNotOffered => {
            "clients that rely on it fail; check the listener's policy and the catalogue entry"
        }
        DifferenceCode::CipherOrderDiffers => {
            "clients may negotiate weaker suites than declared; re-apply the policy"
        }
    }
}

/// The drift findings for a listener whose policy is known and whose probe completed.
pub(super) fn drift_findings(label: &str, policy: &Policy, observed: &Observed) -> Vec<Finding> {
    drift(policy, observed)
        .into_iter()
        .map(|d| {
            Finding::new(
                d.code.into(),
                subject(&d),
                format!("{label} {}: {}", d.message, advice(d.code)),
            )
        })
        .collect()
}

/// Why a probe could not vouch for a listener, as a `probe-failed` finding; `None` when it can.
pub(super) fn probe_failure(label: &str, observation: &Observation) -> Option<Finding> {
    let endpoint = observation.endpoint.label();
    match &observation.outcome {
        ProbeOutcome::Unreachable { reason } => Some(Finding::new(
            FindingCode::ProbeFailed,
            crate::finding::UNREACHABLE_SUBJECT,
            // What to do about it is the same for every such listener: the table says it once
            // (see `report::audit::table`), the other formats per code (`FindingCode::remediation`).
            format!("{label} could not be reached at {endpoint}: {reason}"),
        )),
        ProbeOutcome::Failed { reason } => Some(Finding::new(
            FindingCode::ProbeFailed,
            "failed",
            format!("{label} could not be probed at {endpoint}: {reason}"),
        )),
        ProbeOutcome::Completed(observed) if !observed.handshakes_complete() => Some(Finding::new(
            FindingCode::ProbeFailed,
            "incomplete",
            format!(
                "{label} was probed only in part at {endpoint} ({}); rerun with a longer \
                 --timeout or --deadline",
                observed.warnings.join("; ")
            ),
        )),
        ProbeOutcome::Completed(_) => None,
    }
}

/// Why the certificate checks cannot vouch for a listener, as a `certificate-unverified` finding;
/// `None` when every certificate it may present was read (or the probe did not complete, which
/// `probe-failed` already says).
pub(super) fn certificate_failure(label: &str, observation: &Observation) -> Option<Finding> {
    let ProbeOutcome::Completed(observed) = &observation.outcome else {
        return None;
    };
    if observed.certificates_complete() {
        return None;
    }
    Some(Finding::new(
        FindingCode::CertificateUnverified,
        "certificates",
        format!(
            "{label}: the certificates presented at {} could not all be read ({}); expiry, key \
             size and trust are not verified: probe again, and check the listener's certificates",
            observation.endpoint.label(),
            observed.certificates_unread.join("; ")
        ),
    ))
}

/// `policy-unknown`: the declared policy (`name`, if it could be read) cannot be resolved.
pub(super) fn policy_unknown(label: &str, name: Option<&str>, reason: &str) -> Finding {
    Finding::new(
        FindingCode::PolicyUnknown,
        name.unwrap_or_default(),
        format!(
            "{label} declares {}, which cannot be checked: {reason}",
            name.map_or_else(|| "a policy".to_string(), |n| format!("`{n}`"))
        ),
    )
}

/// `nodes-disagree`, from one of [`Observed::node_disagreements`] (`node ADDRESS accepts …`).
pub(super) fn nodes_disagree(label: &str, text: &str) -> Finding {
    Finding::new(
        FindingCode::NodesDisagree,
        text.split_whitespace().nth(1).unwrap_or_default(),
        format!(
            "{label}: {text}: a policy change still rolling out, or something in front of \
             some nodes; probe again, and check each zone"
        ),
    )
}

/// `negotiation-errors`: `count` failed client negotiations in the last `hours`, on a load
/// balancer with `tls_listeners` TLS listeners (CloudWatch has no per-listener dimension, so the
/// count is shared).
pub(super) fn negotiation_errors(
    label: &str,
    count: u64,
    hours: u32,
    tls_listeners: usize,
) -> Finding {
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
    use super::negotiation_errors;
    use crate::finding::{FindingCode, Severity};

    #[test]
    fn the_negotiation_finding_says_how_many_over_what_window() {
        let f = negotiation_errors("web HTTPS:443 (1/eu-west-1)", 42, 24, 2);
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
            negotiation_errors("x", 1, 6, 1)
                .message
                .contains("1 client TLS negotiation error in")
        );
    }
}
