//! From a listener's declared policy and what a probe saw, to findings: drift, and the reasons a
//! listener stays unverified. Pure: the audit command gathers the inputs, this decides.

use super::drift::{Difference, DifferenceCode, drift};
use super::finding::{Finding, FindingCode};
use crate::catalogue::Policy;
use crate::model::observed::{Observation, Observed, ProbeOutcome};

/// What a listener's declared policy resolved to.
#[derive(Clone, Debug)]
pub enum Declared<'a> {
    /// A policy the catalogue knows (or a Classic custom policy built from its attributes).
    Known(&'a Policy),
    /// A name the catalogue does not know, or a policy that could not be read.
    Unknown {
        /// The declared name, if any.
        name: Option<String>,
        /// Why it could not be resolved.
        reason: String,
    },
}

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
pub fn drift_findings(label: &str, policy: &Policy, observed: &Observed) -> Vec<Finding> {
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
pub fn probe_failure(label: &str, observation: &Observation) -> Option<Finding> {
    let endpoint = observation.endpoint.label();
    match &observation.outcome {
        ProbeOutcome::Unreachable { reason } => Some(Finding::new(
            FindingCode::ProbeFailed,
            "unreachable",
            format!(
                "{label} could not be reached at {endpoint}: {reason} (an internal load balancer \
                 needs a probe from inside its network; --no-probe checks the configuration only)"
            ),
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
pub fn certificate_failure(label: &str, observation: &Observation) -> Option<Finding> {
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

/// Every drift and verification finding for one TLS listener. `observation` is `None` when the
/// listener was not probed (`--no-probe`): then only `policy-unknown` can come out of here.
pub fn assess(
    label: &str,
    declared: &Declared<'_>,
    observation: Option<&Observation>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Declared::Unknown { name, reason } = declared {
        findings.push(Finding::new(
            FindingCode::PolicyUnknown,
            name.clone().unwrap_or_default(),
            format!(
                "{label} declares {}, which cannot be checked: {reason}",
                name.as_deref()
                    .map_or_else(|| "a policy".to_string(), |n| format!("`{n}`"))
            ),
        ));
    }
    if let Some(observation) = observation {
        findings.extend(probe_failure(label, observation));
        findings.extend(certificate_failure(label, observation));
        if let ProbeOutcome::Completed(observed) = &observation.outcome {
            for text in &observed.node_disagreements {
                findings.push(Finding::new(
                    FindingCode::NodesDisagree,
                    text.split_whitespace().nth(1).unwrap_or_default(),
                    format!(
                        "{label}: {text}: a policy change still rolling out, or something in front of \
                         some nodes; probe again, and check each zone"
                    ),
                ));
            }
        }
        if let (Declared::Known(policy), ProbeOutcome::Completed(observed)) =
            (declared, &observation.outcome)
        {
            findings.extend(drift_findings(label, policy, observed));
        }
    }
    findings
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::catalogue::Catalogue;
    use crate::model::LoadBalancerType;
    use crate::model::observed::{Endpoint, ProtocolObservation, Support};
    use crate::tls::{CipherSuite, ProtocolVersion};

    fn observation(outcome: ProbeOutcome) -> Observation {
        Observation {
            endpoint: Endpoint {
                host: "lb.example.com".into(),
                port: 443,
                address: None,
                sni: Some("lb.example.com".into()),
            },
            outcome,
            connections: 10,
            duration: Duration::from_millis(30),
        }
    }

    fn tls12_only(ciphers: &[&str]) -> Observed {
        Observed {
            protocols: vec![
                ProtocolObservation {
                    version: ProtocolVersion::TLSV1_2,
                    support: Support::Accepted,
                    ciphers: ciphers
                        .iter()
                        .map(|n| CipherSuite::from_name(n).unwrap())
                        .collect(),
                    server_order: Some(true),
                    complete: true,
                },
                ProtocolObservation {
                    version: ProtocolVersion::TLSV1_3,
                    support: Support::Rejected,
                    ciphers: vec![],
                    server_order: None,
                    complete: true,
                },
            ],
            ..Observed::default()
        }
    }

    fn codes(findings: &[Finding]) -> Vec<&'static str> {
        findings.iter().map(|f| f.code.code()).collect()
    }

    #[test]
    fn nodes_that_disagree_are_a_finding_naming_the_node() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS-1-2-2017-01",
                LoadBalancerType::Application,
            )
            .unwrap();
        let mut observed = tls12_only(&["ECDHE-RSA-AES128-GCM-SHA256"]);
        observed.nodes = vec!["10.0.1.5:443".into(), "10.0.2.9:443".into()];
        observed.node_disagreements =
            vec!["node 10.0.2.9:443 accepts TLSv1 that 10.0.1.5:443 does not".into()];
        let findings = assess(
            "web HTTPS:443 (111/eu-west-1)",
            &Declared::Known(policy),
            Some(&observation(ProbeOutcome::Completed(observed))),
        );
        let node = findings
            .iter()
            .find(|f| f.code == FindingCode::NodesDisagree)
            .expect("a nodes-disagree finding");
        assert_eq!(node.subject, "10.0.2.9:443");
        assert!(node.message.contains("accepts TLSv1"), "{}", node.message);
    }

    #[test]
    fn an_unknown_policy_is_policy_unknown() {
        let declared = Declared::Unknown {
            name: Some("ELBSecurityPolicy-Future".into()),
            reason: "not in the catalogue".into(),
        };
        let findings = assess("lb HTTPS:443 (1/eu-west-1)", &declared, None);
        assert_eq!(codes(&findings), ["policy-unknown"]);
        assert!(findings[0].message.contains("`ELBSecurityPolicy-Future`"));
    }

    #[test]
    fn unreachable_failed_and_incomplete_probes_are_probe_failed() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-TLS-1-2-2017-01",
                LoadBalancerType::Application,
            )
            .unwrap();
        let declared = Declared::Known(policy);
        for (outcome, subject) in [
            (
                ProbeOutcome::Unreachable {
                    reason: "connection timed out".into(),
                },
                "unreachable",
            ),
            (
                ProbeOutcome::Failed {
                    reason: "does not speak TLS".into(),
                },
                "failed",
            ),
        ] {
            let findings = assess("lb", &declared, Some(&observation(outcome)));
            assert_eq!(codes(&findings), ["probe-failed"]);
            assert_eq!(findings[0].subject, subject);
        }
        let mut partial = tls12_only(&["ECDHE-RSA-AES128-GCM-SHA256"]);
        partial.protocols[0].complete = false;
        partial
            .warnings
            .push("TLSv1.2: cipher enumeration broke off".into());
        let findings = assess(
            "lb",
            &declared,
            Some(&observation(ProbeOutcome::Completed(partial))),
        );
        assert!(codes(&findings).contains(&"probe-failed"), "{findings:?}");
    }

    #[test]
    fn a_completed_probe_yields_drift_findings_naming_the_listener() {
        let catalogue = Catalogue::builtin().unwrap();
        let policy = catalogue
            .get(
                "ELBSecurityPolicy-FS-1-2-Res-2020-10",
                LoadBalancerType::Application,
            )
            .unwrap();
        let observed = tls12_only(&[
            "ECDHE-RSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
            "AES128-SHA",
        ]);
        let findings = assess(
            "web HTTPS:443 (111/eu-west-1)",
            &Declared::Known(policy),
            Some(&observation(ProbeOutcome::Completed(observed))),
        );
        assert_eq!(codes(&findings), ["cipher-not-in-policy"]);
        assert_eq!(findings[0].subject, "AES128-SHA");
        assert!(
            findings[0]
                .message
                .starts_with("web HTTPS:443 (111/eu-west-1) accepts AES128-SHA")
        );
    }
}
