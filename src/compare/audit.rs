//! The audit of one listener: its declared policy, what a probe saw (or why nothing was seen),
//! the baseline and CloudWatch's negotiation errors in; its findings and verdict out. Every check
//! the audit runs is decided here, the baseline's `[severity]` table is applied here to every
//! finding at once, and the findings are sorted here. The `audit` command only gathers the inputs
//! (AWS, probes, CloudWatch) and reports. Pure: no I/O, not async; the clock is a parameter.

use std::collections::HashMap;

use super::assess::{
    certificate_failure, drift_findings, negotiation_errors, nodes_disagree, policy_unknown,
    probe_failure,
};
use super::baseline::{
    Target, check_declared, check_observed, check_plaintext, check_policy, suggest_policy,
};
use crate::baseline::Baseline;
use crate::catalogue::{Catalogue, Declaration};
use crate::finding::{Acceptance, Finding, FindingCode, Verdict};
use crate::model::LoadBalancerType;
use crate::model::inventory::{Listener, LoadBalancer};
use crate::model::observed::{Observation, ProbeOutcome};

/// How a listener is audited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// It terminates TLS or declares a policy: probed, compared with its declared policy and
    /// judged by the baseline.
    Tls,
    /// Plain HTTP: only the baseline's redirect rule applies.
    Plaintext,
}

/// How `listener` is audited; `None` for a listener that carries neither TLS nor web traffic
/// (TCP, UDP, GENEVE), which the audit leaves out.
pub fn kind(listener: &Listener, declared: &Declaration<'_>) -> Option<Kind> {
    if !matches!(declared, Declaration::NotTls) || listener.terminates_tls() {
        Some(Kind::Tls)
    } else if listener.protocol.eq_ignore_ascii_case("HTTP") {
        Some(Kind::Plaintext)
    } else {
        None
    }
}

/// What probing the listener gave.
#[derive(Clone, Copy, Debug)]
pub enum Probe<'a> {
    /// Not probed (`--no-probe`): the declared configuration is all there is.
    Skipped,
    /// Not probed: the load balancer has no DNS name to probe.
    NoAddress,
    /// Probed: completely, in part or not at all, as the observation says.
    Done(&'a Observation),
}

impl<'a> Probe<'a> {
    fn observation(self) -> Option<&'a Observation> {
        match self {
            Self::Done(observation) => Some(observation),
            Self::Skipped | Self::NoAddress => None,
        }
    }
}

/// CloudWatch's `ClientTLSNegotiationErrorCount` for the listener's load balancer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NegotiationErrors {
    /// Failed client negotiations in the window.
    pub count: u64,
    /// The window, in hours.
    pub hours: u32,
}

/// Everything gathered about one listener.
#[derive(Clone, Copy, Debug)]
pub struct Evidence<'a> {
    /// Names the listener at the start of every message (`web HTTPS:443 (111/eu-west-1)`).
    pub label: &'a str,
    /// Its load balancer.
    pub load_balancer: &'a LoadBalancer,
    /// The listener.
    pub listener: &'a Listener,
    /// Its declared policy, resolved ([`Catalogue::resolve`]).
    pub declared: &'a Declaration<'a>,
    /// What probing it gave.
    pub probe: Probe<'a>,
    /// Its load balancer's negotiation errors, when CloudWatch was asked and answered.
    pub negotiation: Option<NegotiationErrors>,
}

/// What every listener is judged against.
#[derive(Clone, Debug)]
pub struct Rules<'a> {
    baseline: Option<&'a Baseline>,
    /// Whether the run checks nothing (no probe, no baseline, no CloudWatch counts).
    nothing_checked: bool,
    /// The policy baseline findings suggest, by load-balancer type (none: no policy fits).
    suggestions: HashMap<LoadBalancerType, &'a str>,
    now_unix: i64,
}

impl<'a> Rules<'a> {
    /// The baseline (if any), with the policy to suggest for each load-balancer type picked from
    /// `catalogue` once; certificates are judged at `now_unix`.
    pub fn new(baseline: Option<&'a Baseline>, catalogue: &'a Catalogue, now_unix: i64) -> Self {
        let suggestions = baseline
            .map(|baseline| {
                LoadBalancerType::ALL
                    .iter()
                    .filter_map(|t| {
                        suggest_policy(baseline, catalogue, *t).map(|p| (*t, p.name.as_str()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            baseline,
            nothing_checked: false,
            suggestions,
            now_unix,
        }
    }

    /// For a run that checks nothing (`--no-probe`, no baseline, no `--negotiation-errors`): a
    /// listener without findings is `unchecked`, not compliant.
    pub fn checking_nothing(mut self) -> Self {
        self.nothing_checked = true;
        self
    }
}

/// One listener's audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assessment {
    /// The findings, worst first (then by code).
    pub findings: Vec<Finding>,
    /// The verdict they give.
    pub verdict: Verdict,
    /// The negotiation-error count to show on the listener: its load balancer's, on a listener
    /// that terminates TLS.
    pub negotiation_errors: Option<u64>,
}

/// Audits one listener: drift and verification findings for a TLS listener, the baseline's
/// rules (on what a completed probe saw, else on the declared policy), the redirect rule for a
/// plaintext one, and its negotiation errors; then the baseline's severities, one sort, the
/// verdict.
pub fn audit(evidence: &Evidence<'_>, rules: &Rules<'_>) -> Assessment {
    let Evidence {
        label,
        load_balancer,
        listener,
        declared,
        probe,
        negotiation,
    } = *evidence;
    let baseline = rules.baseline;
    let mut findings: Vec<Finding> = Vec::new();
    match kind(listener, declared) {
        None => {}
        Some(Kind::Plaintext) => {
            if let Some(baseline) = baseline {
                findings.extend(check_plaintext(baseline, listener, label));
            }
        }
        Some(Kind::Tls) => {
            if let Probe::NoAddress = probe {
                findings.push(Finding::new(
                    FindingCode::ProbeFailed,
                    "no-dns-name",
                    format!("{label} has no DNS name to probe"),
                ));
            }
            match declared {
                Declaration::Known { .. } => {}
                Declaration::Unknown { name, reason, .. } => {
                    findings.push(policy_unknown(label, name.as_deref(), reason));
                }
                Declaration::NotTls => findings.push(policy_unknown(
                    label,
                    None,
                    "the listener terminates TLS but declares no policy",
                )),
            }
            let observation = probe.observation();
            let observed = observation.and_then(|o| match &o.outcome {
                ProbeOutcome::Completed(observed) => Some(observed),
                _ => None,
            });
            if let Some(observation) = observation {
                findings.extend(probe_failure(label, observation));
                findings.extend(certificate_failure(label, observation));
            }
            if let Some(observed) = observed {
                for text in &observed.node_disagreements {
                    findings.push(nodes_disagree(label, text));
                }
                if let Some(policy) = declared.policy() {
                    findings.extend(drift_findings(label, policy, observed));
                }
            }
            if let Some(baseline) = baseline {
                let suggestion = rules.suggestions.get(&load_balancer.lb_type).copied();
                let target = Target::new(label).suggesting(suggestion);
                match (declared.policy(), observed) {
                    // Probed: the baseline judges what the listener really accepts, and the
                    // declared policy's name (FIPS and allowed policies cannot be observed).
                    (policy, Some(observed)) => {
                        if let Some(policy) = policy {
                            findings.extend(check_policy(baseline, policy, target));
                        }
                        findings.extend(check_observed(baseline, observed, target, rules.now_unix));
                    }
                    // Not probed (or the probe failed): the declared configuration is all there is.
                    (Some(policy), None) => {
                        findings.extend(check_declared(baseline, policy, target));
                    }
                    (None, None) => {}
                }
            }
        }
    }
    // CloudWatch counts per load balancer: each of its TLS listeners shows the count.
    let negotiation = negotiation.filter(|_| listener.terminates_tls());
    if let Some(NegotiationErrors { count, hours }) = negotiation
        && count > 0
    {
        let shared = load_balancer
            .listeners
            .iter()
            .filter(|l| l.terminates_tls())
            .count();
        findings.push(negotiation_errors(label, count, hours, shared));
    }
    if let Some(baseline) = baseline {
        let id = load_balancer.listener_id(listener);
        for finding in &mut findings {
            finding.severity = baseline.severity_of(finding.code);
            finding.exception = baseline
                .exceptions
                .iter()
                .filter(|e| e.covers(&id, &load_balancer.name, finding.code))
                // Of several, the one that runs longest.
                .max_by_key(|e| e.expires_unix)
                .map(|e| Acceptance {
                    reason: e.reason.clone(),
                    expires: e.expires.clone(),
                    expired: e.expires_unix < rules.now_unix,
                });
        }
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.code.cmp(&b.code))
    });
    let verdict = match Verdict::of(&findings) {
        // Nothing was judged: no probe, no baseline, no traffic counts (only that the policy
        // is known).
        Verdict::Compliant if rules.nothing_checked => Verdict::Unchecked,
        verdict => verdict,
    };
    Assessment {
        verdict,
        findings,
        negotiation_errors: negotiation.map(|n| n.count),
    }
}

#[cfg(test)]
mod tests;
