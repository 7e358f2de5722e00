//! `audit --diff`: what changed since a previous report, matched on listener, code and subject.
//! The previous report is read by its format (`report::audit::json::read_previous`); the
//! comparison is here.

use std::collections::HashSet;

use crate::finding::{Category, FindingCode, Verdict};
use crate::model::audit::{
    AuditReport, ChangeKind, ChangedFinding, DiffSummary, ListenerChange, ProbeStatus,
};

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

/// What `--diff` reads from a previous report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Previous {
    /// Its findings.
    pub findings: Vec<PreviousFinding>,
    /// What it says of each listener.
    pub listeners: Vec<PreviousListener>,
}

/// What a previous report says about one listener beyond its findings; `None` where it said
/// nothing (an older report, or a listener it did not probe), so nothing is compared there.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreviousListener {
    /// The listener id.
    pub id: String,
    /// The declared policy's name (`Some(None)`: the listener declared none).
    pub declared_policy_name: Option<Option<String>>,
    /// The versions accepted.
    pub protocols: Option<Vec<String>>,
    /// The suites accepted by version.
    pub ciphers: Option<Vec<(String, Vec<String>)>>,
    /// The leaf certificates' SHA-256 fingerprints.
    pub certificates: Option<Vec<String>>,
}

/// The summary of a first run (`--diff` names a file that does not exist yet): every finding is
/// new, nothing is resolved or changed.
pub fn first_run(report: &AuditReport, previous_path: &str) -> DiffSummary {
    let mut summary = diff(&Previous::default(), report, previous_path);
    summary.first_run = true;
    summary
}

/// What changed since a previous report: findings present now and not before (`new`), and
/// findings present before that this run checked again and did not find (`resolved`). Matches on
/// listener id, code and subject. A finding this run could not check again is neither: its
/// listener is unverified now, or was not probed now and the finding needs a probe, or is gone
/// with its account or region unreadable.
pub fn diff(previous: &Previous, report: &AuditReport, previous_path: &str) -> DiffSummary {
    let changes = listener_changes(&previous.listeners, report);
    let previous = &previous.findings;
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
        changes,
        first_run: false,
    }
}

/// How each listener seen in both reports changed: its declared policy, and — when both runs
/// probed it — its certificates and the versions and suites it newly accepts.
fn listener_changes(previous: &[PreviousListener], report: &AuditReport) -> Vec<ListenerChange> {
    let mut changes = Vec::new();
    for now in &report.listeners {
        let Some(before) = previous.iter().find(|p| p.id == now.id) else {
            continue;
        };
        let change = |kind, before: String, after: String| ListenerChange {
            listener: now.id.clone(),
            kind,
            before,
            after,
        };
        if let Some(declared) = &before.declared_policy_name
            && *declared != now.declared_policy_name
        {
            let shown = |name: &Option<String>| name.clone().unwrap_or_else(|| "(none)".into());
            changes.push(change(
                ChangeKind::DeclaredPolicy,
                shown(declared),
                shown(&now.declared_policy_name),
            ));
        }
        let ProbeStatus::Probed {
            protocols,
            ciphers,
            certificates,
            ..
        } = &now.probe
        else {
            continue;
        };
        if let Some(old) = &before.certificates
            && !old.is_empty()
            && !certificates.is_empty()
            && old != certificates
        {
            changes.push(change(
                ChangeKind::Certificate,
                old.join(", "),
                certificates.join(", "),
            ));
        }
        if let Some(old) = &before.protocols {
            for version in protocols.iter().filter(|v| !old.contains(v)) {
                changes.push(change(
                    ChangeKind::ProtocolAccepted,
                    String::new(),
                    version.clone(),
                ));
            }
        }
        if let Some(old) = &before.ciphers {
            for (version, suites) in ciphers {
                // A version newly accepted is reported as such, not suite by suite.
                let Some((_, old_suites)) = old.iter().find(|(v, _)| v == version) else {
                    continue;
                };
                for suite in suites.iter().filter(|s| !old_suites.contains(s)) {
                    changes.push(change(
                        ChangeKind::CipherAccepted,
                        String::new(),
                        format!("{version} {suite}"),
                    ));
                }
            }
        }
    }
    changes
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LoadBalancerType;
    use crate::model::audit::ListenerResult;
    use crate::model::inventory::Scheme;

    fn probed(id: &str, ciphers: &[(&str, &[&str])], certificate: &str) -> ListenerResult {
        ListenerResult {
            id: id.to_string(),
            account: "111".into(),
            region: "eu-west-1".into(),
            load_balancer: "web".into(),
            lb_type: LoadBalancerType::Application,
            scheme: Scheme::InternetFacing,
            dns_name: None,
            port: 443,
            protocol: "HTTPS".into(),
            declared_policy: Some("P".into()),
            declared_policy_name: Some("P".into()),
            declared_policy_origin: Some("listener".into()),
            verdict: Verdict::Compliant,
            findings: Vec::new(),
            probe: ProbeStatus::Probed {
                protocols: ciphers.iter().map(|(v, _)| v.to_string()).collect(),
                ciphers: ciphers
                    .iter()
                    .map(|(v, s)| (v.to_string(), s.iter().map(|s| s.to_string()).collect()))
                    .collect(),
                certificates: vec![certificate.to_string()],
                leaf_certificates: Vec::new(),
                connections: 10,
            },
            negotiation_errors: None,
        }
    }

    fn report(listeners: Vec<ListenerResult>) -> AuditReport {
        AuditReport {
            generated_at: String::new(),
            tool_version: String::new(),
            baseline: None,
            probed: true,
            listeners,
            failures: Vec::new(),
            diff: None,
            negotiation_errors_hours: None,
        }
    }

    fn previous_of(report: &AuditReport) -> PreviousListener {
        let l = &report.listeners[0];
        let ProbeStatus::Probed {
            protocols,
            ciphers,
            certificates,
            ..
        } = &l.probe
        else {
            unreachable!()
        };
        PreviousListener {
            id: l.id.clone(),
            declared_policy_name: Some(l.declared_policy_name.clone()),
            protocols: Some(protocols.clone()),
            ciphers: Some(ciphers.clone()),
            certificates: Some(certificates.clone()),
        }
    }

    #[test]
    fn reports_new_versions_and_suites_and_a_new_certificate() {
        let before = report(vec![probed("L", &[("TLSv1.2", &["A"])], "aa")]);
        let now = report(vec![probed(
            "L",
            &[("TLSv1.1", &["A"]), ("TLSv1.2", &["A", "B"])],
            "bb",
        )]);
        let changes = listener_changes(&[previous_of(&before)], &now);
        let seen: Vec<(ChangeKind, &str, &str)> = changes
            .iter()
            .map(|c| (c.kind, c.before.as_str(), c.after.as_str()))
            .collect();
        assert_eq!(
            seen,
            [
                (ChangeKind::Certificate, "aa", "bb"),
                (ChangeKind::ProtocolAccepted, "", "TLSv1.1"),
                (ChangeKind::CipherAccepted, "", "TLSv1.2 B"),
            ]
        );
        // An older report without these fields compares nothing.
        let bare = PreviousListener {
            id: "L".into(),
            ..PreviousListener::default()
        };
        assert!(listener_changes(&[bare], &now).is_empty());
    }
}
