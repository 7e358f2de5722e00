//! `audit --diff`: what changed since a previous report, matched on listener, code and subject.
//! The previous report is read by its format (`report::audit::json::read_previous`); the
//! comparison is here.

use std::collections::HashSet;

use crate::finding::{Category, FindingCode, Verdict};
use crate::model::audit::{AuditReport, ChangedFinding, DiffSummary, ProbeStatus};

/// One finding of a previous JSON report, as `--diff` matches it (on listener, code and subject).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousFinding {
    /// The listener id.
    pub listener: String,
    /// The listener's account.
    pub account: String,
    /// The listener's region.
    pub region: String,
    /// The finding code.
    pub code: String,
    /// Its subject.
    pub subject: String,
    /// Its severity, as written.
    pub severity: String,
    /// Its message, as written.
    pub message: String,
}

/// What changed since a previous report: findings present now and not before (`new`), and
/// findings present before that this run checked again and did not find (`resolved`). Matches on
/// listener id, code and subject. A finding this run could not check again is neither: its
/// listener is unverified now, or was not probed now and the finding needs a probe, or is gone
/// with its account or region unreadable.
pub fn diff(
    previous: &[PreviousFinding],
    report: &AuditReport,
    previous_path: &str,
) -> DiffSummary {
    let before: HashSet<(&str, &str, &str)> = previous
        .iter()
        .map(|p| (p.listener.as_str(), p.code.as_str(), p.subject.as_str()))
        .collect();
    let now: HashSet<(&str, &str, &str)> = report
        .listeners
        .iter()
        .flat_map(|l| {
            l.findings
                .iter()
                .map(move |f| (l.id.as_str(), f.code.code(), f.subject.as_str()))
        })
        .collect();
    let new = report
        .listeners
        .iter()
        .flat_map(|l| l.findings.iter().map(move |f| (l, f)))
        .filter(|(l, f)| !before.contains(&(l.id.as_str(), f.code.code(), f.subject.as_str())))
        .map(|(l, f)| ChangedFinding {
            listener: l.id.clone(),
            code: f.code.code().to_string(),
            subject: f.subject.clone(),
            message: f.message.clone(),
            severity: f.severity.as_str().to_string(),
        })
        .collect();
    let mut seen = HashSet::new();
    let resolved = previous
        .iter()
        .filter(|p| {
            let key = (p.listener.as_str(), p.code.as_str(), p.subject.as_str());
            !now.contains(&key) && seen.insert(key) && checked_again(p, report)
        })
        .map(|p| ChangedFinding {
            listener: p.listener.clone(),
            code: p.code.clone(),
            subject: p.subject.clone(),
            message: p.message.clone(),
            severity: p.severity.clone(),
        })
        .collect();
    DiffSummary {
        previous: previous_path.to_string(),
        new,
        resolved,
    }
}

/// Whether this run was in a position to see the previous finding again.
fn checked_again(p: &PreviousFinding, report: &AuditReport) -> bool {
    match report.listeners.iter().find(|l| l.id == p.listener) {
        // Counted again only when this run read CloudWatch for the listener.
        Some(l) if p.code == FindingCode::NegotiationErrors.code() => {
            l.negotiation_errors.is_some()
        }
        Some(l) => {
            let probed = matches!(l.probe, ProbeStatus::Probed { .. });
            l.verdict != Verdict::Unverified && (probed || !needs_probe(&p.code))
        }
        None => !report
            .failures
            .iter()
            .any(|f| f.account == p.account && f.region.as_ref().is_none_or(|r| *r == p.region)),
    }
}

/// Findings that only a probe establishes (an unknown code, from a newer elbtls, counts as one).
fn needs_probe(code: &str) -> bool {
    match code.parse::<FindingCode>() {
        Ok(code) => {
            code.category() == Category::Drift
                || matches!(
                    code,
                    FindingCode::ProbeFailed
                        | FindingCode::CertificateExpired
                        | FindingCode::CertificateExpiring
                        | FindingCode::CertificateKeyTooSmall
                )
        }
        Err(_) => true,
    }
}
