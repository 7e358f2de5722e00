//! `elbtls audit --format json`, and reading such a report back for `--diff`. The published shape
//! lives here, in its own types, so refactoring the model does not change it; `SCHEMA_VERSION`
//! changes only when a field is removed or changes meaning.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::Value;

use super::{AuditReport, ChangedFinding, ListenerResult, ProbeStatus};
use crate::compare::diff::{Previous, PreviousFinding, PreviousListener};
use crate::finding::{Category, Finding, Severity, Verdict};
use crate::model::inventory::ScopeFailure;

/// Version of the JSON document written by `elbtls audit` (and the one `--diff` reads).
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    generated_at: &'a str,
    tool_version: &'a str,
    baseline: Option<&'a str>,
    probed: bool,
    summary: Summary,
    listeners: Vec<Listener<'a>>,
    failures: Vec<Failure<'a>>,
    diff: Option<Diff<'a>>,
    /// Present only with `--negotiation-errors`.
    #[serde(skip_serializing_if = "Option::is_none")]
    negotiation_errors_hours: Option<u32>,
}

#[derive(Serialize)]
struct Summary {
    listeners: usize,
    compliant: usize,
    drift: usize,
    baseline: usize,
    unverified: usize,
    unchecked: usize,
    incomplete: bool,
    findings: FindingCounts,
}

#[derive(Serialize)]
struct FindingCounts {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    info: usize,
}

#[derive(Serialize)]
struct Listener<'a> {
    id: &'a str,
    account: &'a str,
    region: &'a str,
    load_balancer: &'a str,
    #[serde(rename = "type")]
    lb_type: &'static str,
    scheme: &'static str,
    dns_name: Option<&'a str>,
    port: u16,
    protocol: &'a str,
    declared_policy: Option<&'a str>,
    declared_policy_name: Option<&'a str>,
    declared_policy_origin: Option<&'a str>,
    verdict: &'static str,
    probe: Probe<'a>,
    findings: Vec<FindingJson<'a>>,
    /// Present only with `--negotiation-errors`, on ALB and NLB TLS listeners.
    #[serde(skip_serializing_if = "Option::is_none")]
    negotiation_errors: Option<u64>,
}

#[derive(Serialize)]
struct Probe<'a> {
    /// `probed`, `failed` or `skipped`.
    status: &'static str,
    /// `null` unless probed.
    protocols: Option<&'a [String]>,
    /// Accepted suites (IANA names) by version; `null` unless probed.
    ciphers: Option<BTreeMap<&'a str, &'a [String]>>,
    /// SHA-256 fingerprints of the leaf certificates presented; `null` unless probed.
    certificates: Option<&'a [String]>,
    /// The leaf certificates presented (fingerprint, subject, end of validity); `null` unless
    /// probed.
    leaf_certificates: Option<Vec<LeafJson<'a>>>,
    connections: Option<u32>,
}

#[derive(Serialize)]
struct LeafJson<'a> {
    sha256: &'a str,
    subject: &'a str,
    not_after: &'a str,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    code: &'static str,
    category: &'static str,
    severity: &'static str,
    subject: &'a str,
    message: &'a str,
    /// Present when a baseline exception covers the finding.
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<ExceptionJson<'a>>,
}

#[derive(Serialize)]
struct ExceptionJson<'a> {
    reason: &'a str,
    expires: &'a str,
    /// `false`: accepted risk (neither the verdict nor the exit code counts it); `true`: the
    /// exception has expired and the finding counts again.
    expired: bool,
}

#[derive(Serialize)]
struct Failure<'a> {
    account: &'a str,
    region: Option<&'a str>,
    resource: Option<&'a str>,
    reason: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct Diff<'a> {
    previous: &'a str,
    first_run: bool,
    new: Vec<Changed<'a>>,
    resolved: Vec<Changed<'a>>,
    changes: Vec<ChangeJson<'a>>,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    listener: &'a str,
    kind: &'static str,
    before: &'a str,
    after: &'a str,
}

#[derive(Serialize)]
struct Changed<'a> {
    listener: &'a str,
    code: &'a str,
    subject: &'a str,
    severity: &'a str,
    message: &'a str,
}

/// `drift`, `baseline` or `unverified`: how every format names a finding's family.
pub(super) fn category_label(category: Category) -> &'static str {
    match category {
        Category::Drift => "drift",
        Category::Baseline => "baseline",
        Category::Unverified => "unverified",
        Category::Traffic => "traffic",
    }
}

/// Writes the report.
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(report))?;
    writeln!(out)
}

fn document(report: &AuditReport) -> Document<'_> {
    Document {
        schema_version: SCHEMA_VERSION,
        generated_at: &report.generated_at,
        tool_version: &report.tool_version,
        baseline: report.baseline.as_deref(),
        probed: report.probed,
        summary: Summary {
            listeners: report.listeners.len(),
            compliant: report.count(Verdict::Compliant),
            drift: report.count(Verdict::Drift),
            baseline: report.count(Verdict::Baseline),
            unverified: report.count(Verdict::Unverified),
            unchecked: report.count(Verdict::Unchecked),
            incomplete: report.incomplete(),
            findings: FindingCounts {
                critical: report.findings_at(Severity::Critical),
                high: report.findings_at(Severity::High),
                medium: report.findings_at(Severity::Medium),
                low: report.findings_at(Severity::Low),
                info: report.findings_at(Severity::Info),
            },
        },
        listeners: report.listeners.iter().map(listener).collect(),
        failures: report.failures.iter().map(failure).collect(),
        diff: report.diff.as_ref().map(|d| Diff {
            previous: &d.previous,
            first_run: d.first_run,
            new: d.new.iter().map(changed).collect(),
            resolved: d.resolved.iter().map(changed).collect(),
            changes: d
                .changes
                .iter()
                .map(|c| ChangeJson {
                    listener: &c.listener,
                    kind: c.kind.as_str(),
                    before: &c.before,
                    after: &c.after,
                })
                .collect(),
        }),
        negotiation_errors_hours: report.negotiation_errors_hours,
    }
}

fn listener(l: &ListenerResult) -> Listener<'_> {
    let probe = match &l.probe {
        ProbeStatus::Probed {
            protocols,
            ciphers,
            certificates,
            leaf_certificates,
            connections,
        } => Probe {
            status: "probed",
            protocols: Some(protocols),
            ciphers: Some(
                ciphers
                    .iter()
                    .map(|(v, c)| (v.as_str(), c.as_slice()))
                    .collect(),
            ),
            certificates: Some(certificates),
            leaf_certificates: Some(
                leaf_certificates
                    .iter()
                    .map(|c| LeafJson {
                        sha256: &c.sha256,
                        subject: &c.subject,
                        not_after: &c.not_after,
                    })
                    .collect(),
            ),
            connections: Some(*connections),
        },
        ProbeStatus::Failed => Probe {
            status: "failed",
            protocols: None,
            ciphers: None,
            certificates: None,
            leaf_certificates: None,
            connections: None,
        },
        ProbeStatus::Skipped => Probe {
            status: "skipped",
            protocols: None,
            ciphers: None,
            certificates: None,
            leaf_certificates: None,
            connections: None,
        },
    };
    Listener {
        id: &l.id,
        account: &l.account,
        region: &l.region,
        load_balancer: &l.load_balancer,
        lb_type: l.lb_type.as_str(),
        scheme: l.scheme.as_str(),
        dns_name: l.dns_name.as_deref(),
        port: l.port,
        protocol: &l.protocol,
        declared_policy: l.declared_policy.as_deref(),
        declared_policy_name: l.declared_policy_name.as_deref(),
        declared_policy_origin: l.declared_policy_origin.as_deref(),
        verdict: l.verdict.as_str(),
        probe,
        findings: l.findings.iter().map(finding).collect(),
        negotiation_errors: l.negotiation_errors,
    }
}

fn finding(f: &Finding) -> FindingJson<'_> {
    FindingJson {
        code: f.code.code(),
        category: category_label(f.code.category()),
        severity: f.severity.as_str(),
        subject: &f.subject,
        message: &f.message,
        exception: f.exception.as_ref().map(|e| ExceptionJson {
            reason: &e.reason,
            expires: &e.expires,
            expired: e.expired,
        }),
    }
}

fn failure(f: &ScopeFailure) -> Failure<'_> {
    Failure {
        account: &f.account,
        region: f.region.as_deref(),
        resource: f.resource.as_deref(),
        reason: f.reason.code(),
        message: &f.message,
    }
}

fn changed(c: &ChangedFinding) -> Changed<'_> {
    Changed {
        listener: &c.listener,
        code: &c.code,
        subject: &c.subject,
        severity: &c.severity,
        message: &c.message,
    }
}

/// Reads the findings of a previous `elbtls audit --format json` report. The error says what is
/// wrong and where (`listeners[3].findings[0]: missing `code``); the caller adds the file name.
pub fn read_previous(text: &str) -> Result<Previous, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    let not_audit = "not an `elbtls audit --format json` report";
    let Some(doc) = doc.as_object() else {
        return Err(format!("{not_audit}: the document is not a JSON object"));
    };
    match doc.get("schema_version") {
        None => return Err(format!("{not_audit}: no `schema_version`")),
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(SCHEMA_VERSION) => {}
            Some(n) => {
                return Err(format!(
                    "`schema_version` is {n}, and this elbtls reads version {SCHEMA_VERSION}: \
                     diff against a report written by the same elbtls version"
                ));
            }
            None => return Err(format!("`schema_version` is {v}, not a number")),
        },
    }
    let Some(listeners) = doc.get("listeners").and_then(Value::as_array) else {
        return Err(format!(
            "{not_audit}: no `listeners` array (is it a `probe` or `inventory` report?)"
        ));
    };
    let mut findings = Vec::new();
    let mut facts = Vec::new();
    for (i, listener) in listeners.iter().enumerate() {
        let at = format!("listeners[{i}]");
        let id = string(listener, "id", &at)?;
        facts.push(previous_listener(listener, &id));
        let account = string(listener, "account", &at)?;
        let region = string(listener, "region", &at)?;
        let Some(list) = listener.get("findings").and_then(Value::as_array) else {
            return Err(format!("{at}: no `findings` array"));
        };
        for (j, f) in list.iter().enumerate() {
            let at = format!("{at}.findings[{j}]");
            findings.push(PreviousFinding {
                listener: id.clone(),
                account: account.clone(),
                region: region.clone(),
                code: string(f, "code", &at)?,
                subject: string(f, "subject", &at)?,
                severity: string(f, "severity", &at)?,
                message: string(f, "message", &at)?,
            });
        }
    }
    Ok(Previous {
        findings,
        listeners: facts,
    })
}

/// What a previous report says about one listener beyond its findings. Fields that report did
/// not have (older versions) or did not fill (not probed) are `None`: nothing is compared there.
fn previous_listener(listener: &Value, id: &str) -> PreviousListener {
    let strings = |value: &Value| -> Option<Vec<String>> {
        value.as_array().map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
    };
    let probe = &listener["probe"];
    PreviousListener {
        id: id.to_string(),
        declared_policy_name: listener
            .get("declared_policy_name")
            .map(|v| v.as_str().map(str::to_string)),
        protocols: strings(&probe["protocols"]),
        ciphers: probe["ciphers"].as_object().map(|by_version| {
            by_version
                .iter()
                .map(|(version, list)| (version.clone(), strings(list).unwrap_or_default()))
                .collect()
        }),
        certificates: strings(&probe["certificates"]),
    }
}

fn string(value: &Value, key: &str, at: &str) -> Result<String, String> {
    match value.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Err(format!("{at}.{key} is {other}, not a string")),
        None if value.is_object() => Err(format!("{at}: missing `{key}`")),
        None => Err(format!("{at} is not an object")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, ALB_HTTPS, NLB_TLS};
    use super::*;
    use crate::compare::diff::diff;

    fn findings_only(findings: &[PreviousFinding]) -> Previous {
        Previous {
            findings: findings.to_vec(),
            listeners: Vec::new(),
        }
    }

    fn rendered(report: &AuditReport) -> String {
        let mut out = Vec::new();
        render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn renders_the_documented_document() {
        insta::assert_snapshot!(rendered(&sample::report()));
    }

    #[test]
    fn summary_counts_verdicts_and_severities() {
        let doc: Value = serde_json::from_str(&rendered(&sample::report())).unwrap();
        let summary = &doc["summary"];
        assert_eq!(summary["listeners"], 5);
        assert_eq!(summary["compliant"], 2);
        assert_eq!(summary["drift"], 1);
        assert_eq!(summary["baseline"], 1);
        assert_eq!(summary["unverified"], 1);
        assert_eq!(summary["incomplete"], true);
        assert_eq!(summary["findings"]["high"], 2);
        assert_eq!(summary["findings"]["medium"], 2);
        assert_eq!(doc["listeners"][1]["findings"][0]["category"], "drift");
        assert_eq!(doc["listeners"][0]["probe"]["protocols"], Value::Null);
    }

    #[test]
    fn reads_back_what_it_writes() {
        let report = sample::report();
        let previous = read_previous(&rendered(&report)).unwrap();
        assert_eq!(previous.findings.len(), 4);
        assert_eq!(previous.findings[1].listener, NLB_TLS);
        assert_eq!(previous.findings[1].code, "protocol-not-in-policy");
        assert_eq!(previous.findings[1].subject, "TLSv1");
        assert_eq!(previous.findings[1].severity, "high");
        assert_eq!(previous.findings[1].region, "us-east-1");
        let same = diff(&previous, &report, "prev.json");
        assert!(same.new.is_empty() && same.resolved.is_empty(), "{same:?}");
    }

    #[test]
    fn refuses_what_is_not_a_version_1_audit_report() {
        let err = |text: &str| read_previous(text).unwrap_err();
        assert!(err("{").starts_with("not valid JSON"));
        assert!(err("[]").contains("not a JSON object"));
        assert!(err("{}").contains("no `schema_version`"));
        assert!(err(r#"{"schema_version": 2, "listeners": []}"#).contains("is 2"));
        assert!(err(r#"{"schema_version": "1"}"#).contains("not a number"));
        assert!(err(r#"{"schema_version": 1, "endpoints": []}"#).contains("no `listeners` array"));
        let missing_code = r#"{"schema_version": 1, "listeners": [{"id": "x", "account": "a",
            "region": "r", "findings": [{"subject": "", "severity": "high", "message": ""}]}]}"#;
        assert_eq!(
            err(missing_code),
            "listeners[0].findings[0]: missing `code`"
        );
        let bad_id = r#"{"schema_version": 1, "listeners": [{"id": 7}]}"#;
        assert_eq!(err(bad_id), "listeners[0].id is 7, not a string");
    }

    fn previous(listener: &str, code: &str, subject: &str) -> PreviousFinding {
        PreviousFinding {
            listener: listener.to_string(),
            account: "123456789012".to_string(),
            region: "us-east-1".to_string(),
            code: code.to_string(),
            subject: subject.to_string(),
            severity: "medium".to_string(),
            message: format!("{code} {subject}"),
        }
    }

    #[test]
    fn diff_matches_on_listener_code_and_subject() {
        let report = sample::report();
        let before = [
            previous(NLB_TLS, "protocol-not-in-policy", "TLSv1"),
            // Same code, another subject: the CBC suite is new, this one is resolved.
            previous(NLB_TLS, "cipher-not-in-policy", "AES128-SHA"),
            previous(NLB_TLS, "cipher-not-in-policy", "AES128-SHA"),
            previous(ALB_HTTPS, "weak-cipher-allowed", "CBC"),
        ];
        let d = diff(&findings_only(&before), &report, "prev.json");
        assert_eq!(d.previous, "prev.json");
        let new: Vec<_> = d
            .new
            .iter()
            .map(|c| (c.code.as_str(), c.subject.as_str()))
            .collect();
        assert_eq!(
            new,
            [
                ("probe-failed", "timeout"),
                ("cipher-not-in-policy", "ECDHE-RSA-AES128-SHA"),
                ("weak-cipher-allowed", "CBC"),
            ]
        );
        let resolved: Vec<_> = d
            .resolved
            .iter()
            .map(|c| (c.listener.as_str(), c.code.as_str(), c.subject.as_str()))
            .collect();
        assert_eq!(
            resolved,
            [
                (NLB_TLS, "cipher-not-in-policy", "AES128-SHA"),
                (ALB_HTTPS, "weak-cipher-allowed", "CBC"),
            ]
        );
        assert_eq!(d.resolved[0].message, "cipher-not-in-policy AES128-SHA");
    }

    #[test]
    fn a_finding_not_checked_again_is_not_resolved() {
        let mut report = sample::report();
        let internal = sample::INTERNAL_HTTPS;
        let mut gone = previous("arn:gone", "not-fips", "");
        gone.account = "210987654321".to_string();
        gone.region = "ap-southeast-2".to_string();
        let deleted = previous("arn:deleted", "not-fips", "");
        let before = [
            // The listener is unverified now.
            previous(internal, "cipher-not-in-policy", "RC4-SHA"),
            // Its region could not be read this time.
            gone,
            // Its load balancer was deleted: resolved.
            deleted,
        ];
        let d = diff(&findings_only(&before), &report, "prev.json");
        let resolved: Vec<_> = d.resolved.iter().map(|c| c.listener.as_str()).collect();
        assert_eq!(resolved, ["arn:deleted"]);

        // A run without probes cannot resolve drift, but can resolve configuration findings.
        let https = report
            .listeners
            .iter_mut()
            .find(|l| l.id == ALB_HTTPS)
            .unwrap();
        https.probe = ProbeStatus::Skipped;
        let before = [
            previous(ALB_HTTPS, "cipher-order-differs", ""),
            previous(ALB_HTTPS, "certificate-expiring", "CN=www.example.com"),
            previous(ALB_HTTPS, "policy-not-allowed", "ELBSecurityPolicy-2016-08"),
            previous(ALB_HTTPS, "some-future-code", ""),
        ];
        let d = diff(&findings_only(&before), &report, "prev.json");
        let resolved: Vec<_> = d.resolved.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(resolved, ["policy-not-allowed"]);
    }
}
