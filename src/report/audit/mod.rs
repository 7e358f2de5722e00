//! The audit report's formats, each its own file; each sees only [`AuditReport`] (in
//! `model::audit`, re-exported here).

pub mod asff;
pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod ocsf;
pub mod read;
pub mod sarif;
pub mod table;

#[cfg(test)]
mod escape_tests;
#[cfg(test)]
mod negotiation_tests;
#[cfg(test)]
mod sample;
#[cfg(test)]
mod table_tests;

use crate::finding::{Acceptance, Finding};
use crate::model::inventory::ScopeFailure;

pub use crate::model::audit::{
    AuditReport, ChangeKind, ChangedFinding, DiffSummary, LeafCertificate, ListenerChange,
    ListenerResult, ProbeStatus,
};

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
                    declared_policy_name: optional(&l.declared_policy_name),
                    declared_policy_origin: optional(&l.declared_policy_origin),
                    verdict: l.verdict,
                    findings: l
                        .findings
                        .iter()
                        .map(|f| Finding {
                            subject: text(&f.subject),
                            message: text(&f.message),
                            exception: f.exception.as_ref().map(|e| Acceptance {
                                reason: text(&e.reason),
                                expires: text(&e.expires),
                                expired: e.expired,
                            }),
                            ..f.clone()
                        })
                        .collect(),
                    probe: match &l.probe {
                        ProbeStatus::Probed {
                            protocols,
                            ciphers,
                            certificates,
                            leaf_certificates,
                            connections,
                        } => ProbeStatus::Probed {
                            protocols: protocols.iter().map(text).collect(),
                            ciphers: ciphers
                                .iter()
                                .map(|(v, c)| (text(v), c.iter().map(text).collect()))
                                .collect(),
                            certificates: certificates.iter().map(text).collect(),
                            leaf_certificates: leaf_certificates
                                .iter()
                                .map(|c| LeafCertificate {
                                    sha256: text(&c.sha256),
                                    subject: text(&c.subject),
                                    not_after: text(&c.not_after),
                                    not_after_unix: c.not_after_unix,
                                })
                                .collect(),
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
                changes: d
                    .changes
                    .iter()
                    .map(|c| ListenerChange {
                        listener: text(&c.listener),
                        kind: c.kind,
                        before: text(&c.before),
                        after: text(&c.after),
                    })
                    .collect(),
                first_run: d.first_run,
            }),
            negotiation_errors_hours: self.negotiation_errors_hours,
        }
    }
}
