//! The audit report: what `elbtls audit` found, per listener, plus what could not be read. Each
//! output format is its own file and sees only this.

pub mod csv;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod table;

#[cfg(test)]
mod escape_tests;
#[cfg(test)]
mod negotiation_tests;
#[cfg(test)]
mod sample;

use crate::finding::{Finding, Severity, Verdict};
use crate::model::LoadBalancerType;
use crate::model::inventory::{Scheme, ScopeFailure};

/// How the listener's live behaviour was established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeStatus {
    /// Probed completely.
    Probed {
        /// Versions accepted (AWS spelling).
        protocols: Vec<String>,
        /// TCP connections used.
        connections: u32,
    },
    /// Probed, but the probe failed or was incomplete (the `probe-failed` finding says why).
    Failed,
    /// Not probed: `--no-probe`, or the listener does not terminate TLS.
    Skipped,
}

/// One listener's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerResult {
    /// A stable identifier: the listener ARN, or `classic:ACCOUNT:REGION:NAME:PORT` for Classic
    /// listeners (which have no ARN). `--diff` matches findings on it.
    pub id: String,
    /// The account id.
    pub account: String,
    /// The region.
    pub region: String,
    /// The load balancer's name.
    pub load_balancer: String,
    /// Its type.
    pub lb_type: LoadBalancerType,
    /// Its scheme.
    pub scheme: Scheme,
    /// Its DNS name.
    pub dns_name: Option<String>,
    /// The listener port.
    pub port: u16,
    /// The listener protocol (`HTTPS`, `TLS`, `SSL`, `HTTP`, …).
    pub protocol: String,
    /// The declared policy, as a label (`ELBSecurityPolicy-2016-08`, `my-custom (custom)`,
    /// `ELBSecurityPolicy-2016-08 (Classic default)`); `None` for listeners without TLS.
    pub declared_policy: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The findings, worst first.
    pub findings: Vec<Finding>,
    /// How the behaviour was established.
    pub probe: ProbeStatus,
    /// The load balancer's CloudWatch `ClientTLSNegotiationErrorCount` over the report's
    /// window (`audit --negotiation-errors`), on TLS listeners of ALBs and NLBs; `None` when not
    /// asked, for Classic, or when the region's metrics could not be read.
    pub negotiation_errors: Option<u64>,
}

impl ListenerResult {
    /// `lb-name HTTPS:443 (account/region)`: how messages name the listener.
    pub fn label(&self) -> String {
        format!(
            "{} {}:{} ({}/{})",
            self.load_balancer, self.protocol, self.port, self.account, self.region
        )
    }

    /// The worst severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// One finding that appeared or disappeared since the previous report (`--diff`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedFinding {
    /// The listener id.
    pub listener: String,
    /// The finding code.
    pub code: String,
    /// Its subject.
    pub subject: String,
    /// Its message (from the report it appears in).
    pub message: String,
    /// Its severity.
    pub severity: String,
}

/// What changed since a previous report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffSummary {
    /// The previous report's file.
    pub previous: String,
    /// Findings present now but not before.
    pub new: Vec<ChangedFinding>,
    /// Findings present before but not now.
    pub resolved: Vec<ChangedFinding>,
}

/// The whole audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// When the audit ran (RFC 3339, UTC).
    pub generated_at: String,
    /// The elbtls version.
    pub tool_version: String,
    /// The baseline applied (`modern`, a file path), if any.
    pub baseline: Option<String>,
    /// Whether listeners were probed.
    pub probed: bool,
    /// Every listener, in account/region/load balancer/port order.
    pub listeners: Vec<ListenerResult>,
    /// Accounts and regions that could not be read: the audit is incomplete.
    pub failures: Vec<ScopeFailure>,
    /// Findings new and resolved since `--diff PREVIOUS`.
    pub diff: Option<DiffSummary>,
    /// The window of `--negotiation-errors`, in hours, when it was given.
    pub negotiation_errors_hours: Option<u32>,
}

impl AuditReport {
    /// The report with every text that came from outside (names and messages from AWS, certificate
    /// subjects in findings, the previous report of `--diff`) passed through [`crate::text::escape`]:
    /// what the table, CSV, JUnit and SARIF renderers print, so no control character, line break or
    /// bidirectional override reaches a terminal or a report raw. JSON keeps the text as read.
    pub fn escaped(&self) -> AuditReport {
        let text = |s: &String| crate::text::escape(s).into_owned();
        let optional = |s: &Option<String>| s.as_ref().map(text);
        let changed = |c: &ChangedFinding| ChangedFinding {
            listener: text(&c.listener),
            code: text(&c.code),
            subject: text(&c.subject),
            message: text(&c.message),
            severity: text(&c.severity),
        };
        AuditReport {
            generated_at: text(&self.generated_at),
            tool_version: text(&self.tool_version),
            baseline: optional(&self.baseline),
            probed: self.probed,
            listeners: self
                .listeners
                .iter()
                .map(|l| ListenerResult {
                    id: text(&l.id),
                    account: text(&l.account),
                    region: text(&l.region),
                    load_balancer: text(&l.load_balancer),
                    lb_type: l.lb_type,
                    scheme: l.scheme,
                    dns_name: optional(&l.dns_name),
                    port: l.port,
                    protocol: text(&l.protocol),
                    declared_policy: optional(&l.declared_policy),
                    verdict: l.verdict,
                    findings: l
                        .findings
                        .iter()
                        .map(|f| Finding {
                            subject: text(&f.subject),
                            message: text(&f.message),
                            ..f.clone()
                        })
                        .collect(),
                    probe: match &l.probe {
                        ProbeStatus::Probed {
                            protocols,
                            connections,
                        } => ProbeStatus::Probed {
                            protocols: protocols.iter().map(text).collect(),
                            connections: *connections,
                        },
                        other => other.clone(),
                    },
                    negotiation_errors: l.negotiation_errors,
                })
                .collect(),
            failures: self
                .failures
                .iter()
                .map(|f| ScopeFailure {
                    account: text(&f.account),
                    region: optional(&f.region),
                    resource: optional(&f.resource),
                    reason: f.reason,
                    message: text(&f.message),
                })
                .collect(),
            diff: self.diff.as_ref().map(|d| DiffSummary {
                previous: text(&d.previous),
                new: d.new.iter().map(changed).collect(),
                resolved: d.resolved.iter().map(changed).collect(),
            }),
            negotiation_errors_hours: self.negotiation_errors_hours,
        }
    }

    /// Listeners per verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.listeners
            .iter()
            .filter(|l| l.verdict == verdict)
            .count()
    }

    /// Findings at each severity.
    pub fn findings_at(&self, severity: Severity) -> usize {
        self.listeners
            .iter()
            .flat_map(|l| &l.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether anything could not be verified (a listener, a region or an account).
    pub fn incomplete(&self) -> bool {
        !self.failures.is_empty()
            || self
                .listeners
                .iter()
                .any(|l| l.verdict == Verdict::Unverified)
    }
}
