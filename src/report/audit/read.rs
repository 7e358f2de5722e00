//! Reading a saved `elbtls audit --format json` report back into an [`AuditReport`], whole, so
//! that any format can be rendered from it (`elbtls report render`) and partial reports of a
//! sharded run can be merged (`elbtls report merge`) without touching AWS. The inverse of
//! [`super::json::render`]: rendering what was read gives the same document.
//!
//! The reader is strict where a wrong value would change a verdict (unknown finding codes,
//! severities, verdicts, failure reasons are errors naming where they are) and says which file and
//! field is at fault; fields an older report lacks read as absent.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::json::SCHEMA_VERSION;
use super::{AuditReport, ChangeKind, ChangedFinding, DiffSummary, ListenerChange, ListenerResult};
use crate::finding::{Acceptance, Finding, FindingCode, Severity, Verdict};
use crate::model::LoadBalancerType;
use crate::model::audit::{LeafCertificate, ProbeStatus};
use crate::model::inventory::{FailureReason, Scheme, ScopeFailure};

#[derive(Deserialize)]
struct Document {
    schema_version: u32,
    generated_at: String,
    tool_version: String,
    baseline: Option<String>,
    probed: bool,
    listeners: Vec<Listener>,
    failures: Vec<Failure>,
    diff: Option<Diff>,
    #[serde(default)]
    negotiation_errors_hours: Option<u32>,
}

#[derive(Deserialize)]
struct Listener {
    id: String,
    account: String,
    region: String,
    load_balancer: String,
    #[serde(rename = "type")]
    lb_type: String,
    scheme: String,
    dns_name: Option<String>,
    port: u16,
    protocol: String,
    declared_policy: Option<String>,
    #[serde(default)]
    declared_policy_name: Option<String>,
    #[serde(default)]
    declared_policy_origin: Option<String>,
    verdict: String,
    probe: Probe,
    findings: Vec<FindingJson>,
    #[serde(default)]
    negotiation_errors: Option<u64>,
}

#[derive(Deserialize)]
struct Probe {
    status: String,
    protocols: Option<Vec<String>>,
    #[serde(default)]
    ciphers: Option<BTreeMap<String, Vec<String>>>,
    #[serde(default)]
    certificates: Option<Vec<String>>,
    #[serde(default)]
    leaf_certificates: Option<Vec<LeafJson>>,
    connections: Option<u32>,
}

#[derive(Deserialize)]
struct LeafJson {
    sha256: String,
    subject: String,
    not_after: String,
}

#[derive(Deserialize)]
struct FindingJson {
    code: String,
    severity: String,
    subject: String,
    message: String,
    #[serde(default)]
    exception: Option<ExceptionJson>,
}

#[derive(Deserialize)]
struct ExceptionJson {
    reason: String,
    expires: String,
    expired: bool,
}

#[derive(Deserialize)]
struct Failure {
    account: String,
    region: Option<String>,
    resource: Option<String>,
    reason: String,
    message: String,
}

#[derive(Deserialize)]
struct Diff {
    previous: String,
    #[serde(default)]
    first_run: bool,
    new: Vec<Changed>,
    resolved: Vec<Changed>,
    #[serde(default)]
    changes: Vec<Change>,
}

#[derive(Deserialize)]
struct Changed {
    listener: String,
    code: String,
    subject: String,
    severity: String,
    message: String,
}

#[derive(Deserialize)]
struct Change {
    listener: String,
    kind: String,
    before: String,
    after: String,
}

/// Reads a whole audit report. The error says what is wrong and where (`listeners[3].findings[0]:
/// unknown finding code `x``); the caller adds the file name.
pub fn read_report(text: &str) -> Result<AuditReport, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not valid JSON ({e})"))?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(n) if n == u64::from(SCHEMA_VERSION) => {}
        Some(n) => {
            return Err(format!(
                "`schema_version` is {n}, and this elbtls reads version {SCHEMA_VERSION}"
            ));
        }
        None => {
            return Err(
                "not an `elbtls audit --format json` report: no `schema_version`".to_string(),
            );
        }
    }
    let doc: Document = serde_json::from_value(value)
        .map_err(|e| format!("not an `elbtls audit --format json` report: {e}"))?;
    debug_assert_eq!(doc.schema_version, SCHEMA_VERSION);
    let listeners = doc
        .listeners
        .into_iter()
        .enumerate()
        .map(|(i, l)| listener(l).map_err(|e| format!("listeners[{i}]{e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let failures = doc
        .failures
        .into_iter()
        .enumerate()
        .map(|(i, f)| failure(f).map_err(|e| format!("failures[{i}]{e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let diff = doc.diff.map(diff).transpose()?;
    Ok(AuditReport {
        generated_at: doc.generated_at,
        tool_version: doc.tool_version,
        baseline: doc.baseline,
        probed: doc.probed,
        listeners,
        failures,
        diff,
        negotiation_errors_hours: doc.negotiation_errors_hours,
    })
}

fn listener(l: Listener) -> Result<ListenerResult, String> {
    let lb_type = l
        .lb_type
        .parse::<LoadBalancerType>()
        .map_err(|e| format!(".type: {e}"))?;
    let scheme = match l.scheme.as_str() {
        "internet-facing" => Scheme::InternetFacing,
        "internal" => Scheme::Internal,
        "unknown" => Scheme::Unknown,
        other => return Err(format!(".scheme: unknown scheme `{other}`")),
    };
    let verdict = verdict(&l.verdict).ok_or_else(|| format!(".verdict: `{}`", l.verdict))?;
    let probe = match l.probe.status.as_str() {
        "probed" => ProbeStatus::Probed {
            protocols: l.probe.protocols.unwrap_or_default(),
            ciphers: l.probe.ciphers.unwrap_or_default().into_iter().collect(),
            certificates: l.probe.certificates.unwrap_or_default(),
            leaf_certificates: l
                .probe
                .leaf_certificates
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(k, c)| {
                    let not_after_unix = crate::clock::parse_rfc3339(&c.not_after).ok_or_else(|| {
                        format!(
                            ".probe.leaf_certificates[{k}].not_after: `{}` is not an RFC 3339 UTC \
                             time such as 2026-03-01T23:59:59Z",
                            crate::text::escape(&c.not_after)
                        )
                    })?;
                    Ok(LeafCertificate {
                        sha256: c.sha256,
                        subject: c.subject,
                        not_after: c.not_after,
                        not_after_unix,
                    })
                })
                .collect::<Result<_, String>>()?,
            connections: l.probe.connections.unwrap_or_default(),
        },
        "failed" => ProbeStatus::Failed,
        "skipped" => ProbeStatus::Skipped,
        other => return Err(format!(".probe.status: unknown status `{other}`")),
    };
    let findings = l
        .findings
        .into_iter()
        .enumerate()
        .map(|(j, f)| finding(f).map_err(|e| format!(".findings[{j}]{e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ListenerResult {
        id: l.id,
        account: l.account,
        region: l.region,
        load_balancer: l.load_balancer,
        lb_type,
        scheme,
        dns_name: l.dns_name,
        port: l.port,
        protocol: l.protocol,
        declared_policy: l.declared_policy,
        declared_policy_name: l.declared_policy_name,
        declared_policy_origin: l.declared_policy_origin,
        verdict,
        findings,
        probe,
        negotiation_errors: l.negotiation_errors,
    })
}

fn verdict(text: &str) -> Option<Verdict> {
    [
        Verdict::Compliant,
        Verdict::Baseline,
        Verdict::Unverified,
        Verdict::Drift,
        Verdict::Unchecked,
    ]
    .into_iter()
    .find(|v| v.as_str() == text)
}

fn finding(f: FindingJson) -> Result<Finding, String> {
    let code = f.code.parse::<FindingCode>().map_err(|_| {
        format!(
            ".code: unknown finding code `{}` (a report from a newer elbtls?)",
            f.code
        )
    })?;
    let severity = f
        .severity
        .parse::<Severity>()
        .map_err(|e| format!(".severity: {e}"))?;
    Ok(Finding {
        code,
        severity,
        subject: f.subject,
        message: f.message,
        exception: f.exception.map(|e| Acceptance {
            reason: e.reason,
            expires: e.expires,
            expired: e.expired,
        }),
    })
}

fn failure(f: Failure) -> Result<ScopeFailure, String> {
    let reason = [
        FailureReason::AccessDenied,
        FailureReason::RegionNotEnabled,
        FailureReason::InvalidCredentials,
        FailureReason::AssumeRoleFailed,
        FailureReason::Unreachable,
        FailureReason::Throttled,
        FailureReason::ServiceError,
        FailureReason::InvalidResponse,
        FailureReason::NoMatch,
        FailureReason::Other,
    ]
    .into_iter()
    .find(|r| r.code() == f.reason)
    .ok_or_else(|| format!(".reason: unknown reason `{}`", f.reason))?;
    Ok(ScopeFailure {
        account: f.account,
        region: f.region,
        resource: f.resource,
        reason,
        message: f.message,
    })
}

fn diff(d: Diff) -> Result<DiffSummary, String> {
    let changed = |c: Changed| ChangedFinding {
        listener: c.listener,
        code: c.code,
        subject: c.subject,
        message: c.message,
        severity: c.severity,
    };
    let changes = d
        .changes
        .into_iter()
        .map(|c| {
            let kind = [
                ChangeKind::DeclaredPolicy,
                ChangeKind::Certificate,
                ChangeKind::ProtocolAccepted,
                ChangeKind::CipherAccepted,
            ]
            .into_iter()
            .find(|k| k.as_str() == c.kind)
            .ok_or_else(|| format!("diff.changes: unknown kind `{}`", c.kind))?;
            Ok(ListenerChange {
                listener: c.listener,
                kind,
                before: c.before,
                after: c.after,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(DiffSummary {
        previous: d.previous,
        new: d.new.into_iter().map(changed).collect(),
        resolved: d.resolved.into_iter().map(changed).collect(),
        changes,
        first_run: d.first_run,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{json, sample};
    use super::*;

    fn rendered(report: &AuditReport) -> String {
        let mut out = Vec::new();
        json::render(report, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn reads_back_what_it_wrote() {
        let report = sample::report();
        let text = rendered(&report);
        let read = read_report(&text).unwrap();
        assert_eq!(rendered(&read), text);
        assert_eq!(read.listeners, report.listeners);
    }

    #[test]
    fn names_what_is_wrong_and_where() {
        let text = rendered(&sample::report());
        let bad = text.replacen(
            "\"protocol-not-in-policy\"",
            "\"protocol-from-the-future\"",
            1,
        );
        let error = read_report(&bad).unwrap_err();
        assert!(
            error.contains(".findings[0].code: unknown finding code `protocol-from-the-future`"),
            "{error}"
        );
        assert!(
            read_report("{}")
                .unwrap_err()
                .contains("no `schema_version`")
        );
        assert!(
            read_report("[1,")
                .unwrap_err()
                .starts_with("not valid JSON")
        );
        let bad_date = text.replacen("2025-02-26T23:59:59Z", "26/02/2025", 1);
        assert_eq!(
            read_report(&bad_date).unwrap_err(),
            "listeners[1].probe.leaf_certificates[0].not_after: `26/02/2025` is not an RFC 3339 \
             UTC time such as 2026-03-01T23:59:59Z"
        );
    }

    #[test]
    fn a_report_of_an_older_version_has_no_leaf_certificates() {
        let mut doc: serde_json::Value =
            serde_json::from_str(&rendered(&sample::report())).unwrap();
        for l in doc["listeners"].as_array_mut().unwrap() {
            l["probe"]
                .as_object_mut()
                .unwrap()
                .remove("leaf_certificates");
        }
        let read = read_report(&doc.to_string()).unwrap();
        let ProbeStatus::Probed {
            leaf_certificates,
            certificates,
            ..
        } = &read.listeners[1].probe
        else {
            panic!("{:?}", read.listeners[1].probe)
        };
        assert!(leaf_certificates.is_empty());
        assert_eq!(certificates.len(), 1);
    }
}
