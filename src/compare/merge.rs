//! `elbtls report merge`: partial audit reports (one per shard, account or VPC) into one. Pure.
//!
//! - A listener seen in several inputs keeps the best evidence: a completed probe over a failed
//!   one over none. Two inputs with equal evidence that disagree (findings, verdict or probe) are
//!   a conflict: the newer report (its `generated_at`) is kept and the conflict is named.
//! - Failures are carried over (an account or region one input could not read stays unread in
//!   the merge: another input reading other load balancers there does not cover it), duplicates
//!   once.
//! - Inputs judged by different baselines, or counting negotiation errors over different windows,
//!   cannot be merged: the error names them.
//! - `--diff` summaries are per run and are left out (a note says so).

use crate::model::audit::{AuditReport, ListenerResult, ProbeStatus};

/// One input: its name (the file, as given) and the report read from it.
pub type Input = (String, AuditReport);

/// The merged report, and what a person should know about how it was made.
#[derive(Debug)]
pub struct Merged {
    /// The report.
    pub report: AuditReport,
    /// Duplicates dropped, conflicts resolved, summaries left out.
    pub notes: Vec<String>,
}

/// How much a listener's entry knows: a completed probe over a failed one over none.
fn evidence(listener: &ListenerResult) -> u8 {
    match listener.probe {
        ProbeStatus::Probed { .. } => 2,
        ProbeStatus::Failed => 1,
        ProbeStatus::Skipped => 0,
    }
}

/// Merges `inputs` (at least one). `Err` names the inputs that cannot be merged and why.
pub fn merge(inputs: Vec<Input>) -> Result<Merged, String> {
    let Some((first_name, first)) = inputs.first() else {
        return Err("no report to merge".to_string());
    };
    for (name, report) in &inputs[1..] {
        if report.baseline != first.baseline {
            return Err(format!(
                "{first_name} was judged by baseline {} and {name} by {}: merge reports of one \
                 baseline",
                first.baseline.as_deref().unwrap_or("(none)"),
                report.baseline.as_deref().unwrap_or("(none)")
            ));
        }
        if report.negotiation_errors_hours != first.negotiation_errors_hours {
            return Err(format!(
                "{first_name} and {name} count negotiation errors over different windows \
                 (--hours): merge reports of one window"
            ));
        }
    }
    let mut notes = Vec::new();
    let newest = inputs
        .iter()
        .map(|(_, r)| r.generated_at.clone())
        .max()
        .unwrap_or_default();
    let mut merged = AuditReport {
        generated_at: newest,
        tool_version: first.tool_version.clone(),
        baseline: first.baseline.clone(),
        probed: inputs.iter().all(|(_, r)| r.probed),
        listeners: Vec::new(),
        failures: Vec::new(),
        diff: None,
        negotiation_errors_hours: first.negotiation_errors_hours,
    };
    if inputs.iter().any(|(_, r)| r.diff.is_some()) {
        notes.push(
            "the inputs' --diff summaries are left out: diff the merged report against the \
             previous merged one"
                .to_string(),
        );
    }
    // Where each kept listener came from, for naming conflicts.
    let mut sources: Vec<(String, String)> = Vec::new();
    let mut duplicates = 0;
    for (name, report) in &inputs {
        for listener in &report.listeners {
            match merged.listeners.iter().position(|l| l.id == listener.id) {
                None => {
                    merged.listeners.push(listener.clone());
                    sources.push((name.clone(), report.generated_at.clone()));
                }
                Some(at) => {
                    let kept = &merged.listeners[at];
                    let (kept_name, kept_time) = &sources[at];
                    if kept == listener {
                        duplicates += 1;
                    } else if evidence(listener) != evidence(kept) {
                        if evidence(listener) > evidence(kept) {
                            merged.listeners[at] = listener.clone();
                            sources[at] = (name.clone(), report.generated_at.clone());
                        }
                    } else {
                        let newer = report.generated_at > *kept_time;
                        notes.push(format!(
                            "{}: {kept_name} and {name} disagree ({} vs {}); kept {}, the newer",
                            listener.id,
                            kept.verdict,
                            listener.verdict,
                            if newer { name } else { kept_name }
                        ));
                        if newer {
                            merged.listeners[at] = listener.clone();
                            sources[at] = (name.clone(), report.generated_at.clone());
                        }
                    }
                }
            }
        }
        for failure in &report.failures {
            if !merged.failures.contains(failure) {
                merged.failures.push(failure.clone());
            }
        }
    }
    if duplicates > 0 {
        notes.push(format!(
            "{duplicates} listener{} found identical in several inputs, kept once",
            if duplicates == 1 { "" } else { "s" }
        ));
    }
    merged.listeners.sort_by(|a, b| {
        (&a.account, &a.region, &a.load_balancer, a.port, &a.id).cmp(&(
            &b.account,
            &b.region,
            &b.load_balancer,
            b.port,
            &b.id,
        ))
    });
    Ok(Merged {
        report: merged,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Finding, FindingCode, Verdict};
    use crate::model::LoadBalancerType;
    use crate::model::inventory::{FailureReason, Scheme, ScopeFailure};

    fn listener(id: &str, probe: ProbeStatus, findings: Vec<Finding>) -> ListenerResult {
        ListenerResult {
            id: id.to_string(),
            account: "111".into(),
            region: "eu-west-1".into(),
            load_balancer: id.to_string(),
            lb_type: LoadBalancerType::Application,
            scheme: Scheme::Internal,
            dns_name: None,
            port: 443,
            protocol: "HTTPS".into(),
            declared_policy: Some("P".into()),
            declared_policy_name: Some("P".into()),
            declared_policy_origin: Some("listener".into()),
            verdict: Verdict::of(&findings),
            findings,
            probe,
            negotiation_errors: None,
        }
    }

    fn report(at: &str, listeners: Vec<ListenerResult>) -> AuditReport {
        AuditReport {
            generated_at: at.to_string(),
            tool_version: "0.1.0".into(),
            baseline: Some("modern".into()),
            probed: true,
            listeners,
            failures: Vec::new(),
            diff: None,
            negotiation_errors_hours: None,
        }
    }

    fn probed() -> ProbeStatus {
        ProbeStatus::Probed {
            protocols: vec!["TLSv1.2".into()],
            ciphers: Vec::new(),
            certificates: Vec::new(),
            leaf_certificates: Vec::new(),
            connections: 9,
        }
    }

    #[test]
    fn keeps_the_best_evidence_names_conflicts_and_carries_failures() {
        let failed = || {
            listener(
                "b",
                ProbeStatus::Failed,
                vec![Finding::new(
                    FindingCode::ProbeFailed,
                    "timeout",
                    "b timed out",
                )],
            )
        };
        let mut shard1 = report(
            "2026-12-01T00:00:00Z",
            vec![listener("a", probed(), Vec::new()), failed()],
        );
        shard1.failures.push(ScopeFailure {
            account: "222".into(),
            region: None,
            resource: None,
            reason: FailureReason::AssumeRoleFailed,
            message: "denied".into(),
        });
        let drift = vec![Finding::new(FindingCode::ProtocolNotInPolicy, "TLSv1", "a")];
        let shard2 = report(
            "2026-12-01T00:05:00Z",
            vec![
                listener("b", probed(), Vec::new()),
                listener("a", probed(), drift),
                listener("c", ProbeStatus::Skipped, Vec::new()),
            ],
        );
        let merged = merge(vec![
            ("s1.json".into(), shard1),
            ("s2.json".into(), shard2.clone()),
            ("s2-again.json".into(), shard2),
        ])
        .unwrap();
        let ids: Vec<(&str, Verdict)> = merged
            .report
            .listeners
            .iter()
            .map(|l| (l.id.as_str(), l.verdict))
            .collect();
        // b: the completed probe wins over the failed one, whatever the order; a: a conflict,
        // the newer report (s2) wins and is named.
        assert_eq!(
            ids,
            [
                ("a", Verdict::Drift),
                ("b", Verdict::Compliant),
                ("c", Verdict::Compliant)
            ]
        );
        assert_eq!(merged.report.failures.len(), 1, "carried over, once");
        assert_eq!(merged.report.generated_at, "2026-12-01T00:05:00Z");
        let notes = merged.notes.join("\n");
        assert!(
            notes.contains("a: s1.json and s2.json disagree (compliant vs drift); kept s2.json"),
            "{notes}"
        );
        assert!(
            notes.contains("3 listeners found identical in several inputs, kept once"),
            "{notes}"
        );
    }

    #[test]
    fn refuses_reports_of_different_baselines() {
        let mut other = report("t", Vec::new());
        other.baseline = Some("strict".into());
        let error = merge(vec![
            ("a.json".into(), report("t", Vec::new())),
            ("b.json".into(), other),
        ])
        .unwrap_err();
        assert!(
            error.contains("a.json was judged by baseline modern and b.json by strict"),
            "{error}"
        );
    }
}
