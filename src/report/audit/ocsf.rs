//! OCSF 1.3.0 Detection Finding records (class 2004, category Findings), one JSON object a line:
//! one per finding of every listener, one per account or region that could not be read, and, with
//! `--diff`, one `Close` record per finding resolved since the previous report.
//!
//! `finding_info.uid` is the finding's stable id (the same as the ASFF `Id`,
//! `elbtls/LISTENER-ID/CODE[/SUBJECT]`), so a SIEM can follow one finding from run to run;
//! `activity_id` is `Create` (new, or every finding without `--diff`), `Update` (seen before) or
//! `Close` (resolved). The records follow the `cloud` profile. The tests validate them against
//! `tests/data/ocsf-1.3.0-detection-finding.schema.json`, derived from the OCSF schema 1.3.0.

use std::collections::{BTreeSet, HashMap};
use std::io::{self, Write};

use serde_json::{Map, Value, json};

use super::asff::{
    INVENTORY_FAILED, advice_text, category_name, failure_account, failure_id, finding_id,
    finding_title, load_balancer_arn, partition, resource_type,
};
use super::{AuditReport, ChangedFinding, ListenerResult};
use crate::finding::{Finding, FindingCode, Severity};
use crate::model::inventory::ScopeFailure;

/// The OCSF schema version the records declare.
pub const OCSF_VERSION: &str = "1.3.0";
/// Detection Finding.
pub const CLASS_UID: u32 = 2004;
/// Findings.
pub const CATEGORY_UID: u32 = 2;

/// A finding's activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Activity {
    Create = 1,
    Update = 2,
    Close = 3,
}

impl Activity {
    fn name(self) -> &'static str {
        match self {
            Self::Create => "Create",
            Self::Update => "Update",
            Self::Close => "Close",
        }
    }
}

/// `severity_id` and its caption.
fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Info => (1, "Informational"),
        Severity::Low => (2, "Low"),
        Severity::Medium => (3, "Medium"),
        Severity::High => (4, "High"),
        Severity::Critical => (5, "Critical"),
    }
}

/// `status_id` and its caption.
fn status(activity: Activity, accepted: bool) -> (u8, &'static str) {
    match (activity, accepted) {
        (Activity::Close, _) => (4, "Resolved"),
        (_, true) => (3, "Suppressed"),
        (Activity::Create, false) => (1, "New"),
        (Activity::Update, false) => (2, "In Progress"),
    }
}

/// Milliseconds since the epoch of `2025-01-15T03:00:00Z` (the report's `generated_at`).
fn unix_millis(rfc3339: &str) -> Option<i64> {
    let (date, time) = rfc3339.split_once('T')?;
    let time = time.strip_suffix('Z')?;
    let mut parts = time.splitn(3, ':');
    let hours: i64 = parts.next()?.parse().ok()?;
    let minutes: i64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next()?.parse().ok()?;
    if !(0..24).contains(&hours) || !(0..60).contains(&minutes) || !(0.0..61.0).contains(&seconds) {
        return None;
    }
    let midnight = crate::clock::end_of_day(date)? - 86_399;
    Some((midnight + hours * 3600 + minutes * 60) * 1000 + (seconds * 1000.0).round() as i64)
}

/// Writes one record a line.
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    for record in records(report) {
        serde_json::to_writer(&mut *out, &record)?;
        writeln!(out)?;
    }
    Ok(())
}

/// Every record of `report`.
pub fn records(report: &AuditReport) -> Vec<Value> {
    let report = &report.escaped();
    let time = unix_millis(&report.generated_at)
        .unwrap_or_else(|| crate::clock::now_unix().saturating_mul(1000));
    let new: Option<BTreeSet<(&str, &str, &str)>> = report.diff.as_ref().map(|d| {
        d.new
            .iter()
            .map(|c| (c.listener.as_str(), c.code.as_str(), c.subject.as_str()))
            .collect()
    });
    let mut out = Vec::new();
    for l in &report.listeners {
        for f in &l.findings {
            let activity = match &new {
                Some(new) if !new.contains(&(l.id.as_str(), f.code.code(), f.subject.as_str())) => {
                    Activity::Update
                }
                _ => Activity::Create,
            };
            out.push(listener_record(report, l, f, activity, time));
        }
    }
    for failure in &report.failures {
        if let Some(record) = failure_record(report, failure, time) {
            out.push(record);
        }
    }
    if let Some(diff) = &report.diff {
        let listeners: HashMap<&str, &ListenerResult> = report
            .listeners
            .iter()
            .map(|l| (l.id.as_str(), l))
            .collect();
        for resolved in &diff.resolved {
            if let Some(record) = resolved_record(report, resolved, &listeners, time) {
                out.push(record);
            }
        }
    }
    out
}

fn metadata(report: &AuditReport, code: &str) -> Value {
    let mut product = json!({
        "name": "elbtls",
        "vendor_name": "elbtls",
        "version": report.tool_version,
    });
    if let Some(url) = super::sarif::help_uri() {
        product["url_string"] = json!(url.split('#').next().unwrap_or(&url));
    }
    json!({
        "version": OCSF_VERSION,
        "product": product,
        "profiles": ["cloud"],
        "event_code": code,
        "log_name": "elbtls audit",
    })
}

#[allow(clippy::too_many_arguments)]
fn record(
    report: &AuditReport,
    activity: Activity,
    severity_of: Severity,
    accepted: bool,
    time: i64,
    code: &str,
    info: Value,
    cloud: Value,
    resources: Value,
    remediation: Value,
    message: &str,
    unmapped: Map<String, Value>,
) -> Value {
    let (severity_id, severity_name) = severity(severity_of);
    let (status_id, status_name) = status(activity, accepted);
    json!({
        "activity_id": activity as u8,
        "activity_name": activity.name(),
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": CLASS_UID * 100 + activity as u32,
        "type_name": format!("Detection Finding: {}", activity.name()),
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status_name,
        "time": time,
        "message": message,
        "metadata": metadata(report, code),
        "cloud": cloud,
        "finding_info": info,
        "resources": resources,
        "remediation": remediation,
        "unmapped": unmapped,
    })
}

fn cloud(account: &str, region: &str) -> Value {
    json!({
        "provider": "AWS",
        "account": { "uid": account, "type_id": 10, "type": "AWS Account" },
        "region": region,
    })
}

fn analytic(code: &str) -> Value {
    json!({ "uid": code, "name": code, "type_id": 1, "type": "Rule" })
}

fn remediation(code: FindingCode) -> Value {
    let mut remediation = json!({ "desc": advice_text(code) });
    if let Some(url) = super::sarif::help_uri() {
        remediation["references"] = json!([url]);
    }
    remediation
}

fn listener_resource(l: &ListenerResult) -> Value {
    let mut data = json!({
        "listener": l.id,
        "protocol": l.protocol,
        "port": l.port,
        "verdict": l.verdict.as_str(),
    });
    if let Some(policy) = &l.declared_policy {
        data["declared_policy"] = json!(policy);
    }
    if let Some(dns) = &l.dns_name {
        data["dns_name"] = json!(dns);
    }
    json!([{
        "uid": load_balancer_arn(l),
        "name": l.load_balancer,
        "type": resource_type(l.lb_type),
        "region": l.region,
        "cloud_partition": partition(&l.region),
        "data": data,
    }])
}

fn listener_record(
    report: &AuditReport,
    l: &ListenerResult,
    f: &Finding,
    activity: Activity,
    time: i64,
) -> Value {
    let code = f.code.code();
    let title = finding_title(l, f);
    let info = json!({
        "uid": finding_id(&l.id, code, &f.subject),
        "title": title,
        "desc": f.code.description(),
        "types": [category_name(f.code.category()), code],
        "created_time": time,
        "analytic": analytic(code),
    });
    let mut unmapped = Map::new();
    unmapped.insert("code".to_string(), json!(code));
    unmapped.insert(
        "category".to_string(),
        json!(category_name(f.code.category())),
    );
    unmapped.insert("subject".to_string(), json!(f.subject));
    unmapped.insert("listener".to_string(), json!(l.id));
    if let Some(exception) = &f.exception {
        unmapped.insert(
            "exception".to_string(),
            json!({ "reason": exception.reason, "expires": exception.expires,
                    "expired": exception.expired }),
        );
    }
    record(
        report,
        activity,
        f.severity,
        f.is_accepted(),
        time,
        code,
        info,
        cloud(&l.account, &l.region),
        listener_resource(l),
        remediation(f.code),
        &f.message,
        unmapped,
    )
}

fn failure_record(report: &AuditReport, failure: &ScopeFailure, time: i64) -> Option<Value> {
    let account = failure_account(failure)?;
    let scope = match &failure.region {
        Some(r) => format!("{account}/{r}"),
        None => account.clone(),
    };
    let info = json!({
        "uid": failure_id(failure, &account),
        "title": format!("{INVENTORY_FAILED}: {scope} could not be read ({})", failure.reason.code()),
        "desc": "An account or region could not be read: its listeners were not audited, and \
                 their findings are missing from this run, not resolved.",
        "types": ["unverified", INVENTORY_FAILED],
        "created_time": time,
        "analytic": analytic(INVENTORY_FAILED),
    });
    let mut resource = json!({
        "uid": format!("AWS::::Account:{account}"),
        "name": account,
        "type": "AwsAccount",
    });
    if let Some(r) = &failure.region {
        resource["region"] = json!(r);
        resource["cloud_partition"] = json!(partition(r));
    }
    let mut unmapped = Map::new();
    unmapped.insert("code".to_string(), json!(INVENTORY_FAILED));
    unmapped.insert("reason".to_string(), json!(failure.reason.code()));
    if let Some(r) = &failure.resource {
        unmapped.insert("resource".to_string(), json!(r));
    }
    let mut cloud = json!({
        "provider": "AWS",
        "account": { "uid": account, "type_id": 10, "type": "AWS Account" },
    });
    if let Some(r) = &failure.region {
        cloud["region"] = json!(r);
    }
    Some(record(
        report,
        Activity::Create,
        Severity::Medium,
        false,
        time,
        INVENTORY_FAILED,
        info,
        cloud,
        json!([resource]),
        json!({ "desc": "Give the audit role read access to this account and region (see the \
                         example IAM policy), or audit from where it can be reached; then run the \
                         audit again." }),
        &failure.message,
        unmapped,
    ))
}

/// `(account, region)` of a listener id: an ELBv2 ARN or `classic:ACCOUNT:REGION:NAME:PORT`.
fn scope_of_id(id: &str) -> Option<(String, String)> {
    let parts: Vec<&str> = id.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, _, region, account, _] => Some((account.to_string(), region.to_string())),
        ["classic", account, region, ..] => Some((account.to_string(), region.to_string())),
        _ => None,
    }
}

fn resolved_record(
    report: &AuditReport,
    resolved: &ChangedFinding,
    listeners: &HashMap<&str, &ListenerResult>,
    time: i64,
) -> Option<Value> {
    let code: FindingCode = resolved.code.parse().ok()?;
    let severity_of = resolved.severity.parse().unwrap_or(code.severity());
    let listener = listeners.get(resolved.listener.as_str());
    let (account, region) = match listener {
        Some(l) => (l.account.clone(), l.region.clone()),
        None => scope_of_id(&resolved.listener)?,
    };
    let resources = match listener {
        Some(l) => listener_resource(l),
        None => json!([{ "uid": resolved.listener, "type": "AwsElbListener",
                         "region": region, "cloud_partition": partition(&region) }]),
    };
    let info = json!({
        "uid": finding_id(&resolved.listener, &resolved.code, &resolved.subject),
        "title": format!("{}: resolved", resolved.code),
        "desc": code.description(),
        "types": [category_name(code.category()), resolved.code],
        "created_time": time,
        "analytic": analytic(&resolved.code),
    });
    let mut unmapped = Map::new();
    unmapped.insert("code".to_string(), json!(resolved.code));
    unmapped.insert("subject".to_string(), json!(resolved.subject));
    unmapped.insert("listener".to_string(), json!(resolved.listener));
    Some(record(
        report,
        Activity::Close,
        severity_of,
        false,
        time,
        &resolved.code,
        info,
        cloud(&account, &region),
        resources,
        remediation(code),
        &format!(
            "resolved since {}: {}",
            report.diff.as_ref().map_or("", |d| d.previous.as_str()),
            resolved.message
        ),
        unmapped,
    ))
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn rendered() -> Vec<Value> {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    #[test]
    fn one_record_a_line_per_finding_failure_and_resolved_finding() {
        let report = sample::report();
        let records = rendered();
        let findings: usize = report.listeners.iter().map(|l| l.findings.len()).sum();
        let resolved = report.diff.as_ref().unwrap().resolved.len();
        assert_eq!(records.len(), findings + report.failures.len() + resolved);
        for r in &records {
            assert_eq!(r["class_uid"], 2004);
            assert_eq!(r["category_uid"], 2);
            assert_eq!(
                r["type_uid"].as_u64().unwrap(),
                2004 * 100 + r["activity_id"].as_u64().unwrap()
            );
            assert_eq!(r["metadata"]["version"], OCSF_VERSION);
            assert_eq!(r["time"], 1_736_910_000_000_i64);
        }
    }

    #[test]
    fn activities_follow_the_diff() {
        let records = rendered();
        let activity = |uid: &str| {
            records
                .iter()
                .find(|r| r["finding_info"]["uid"] == uid)
                .map(|r| r["activity_name"].clone())
        };
        let new = finding_id(
            sample::NLB_TLS,
            "cipher-not-in-policy",
            "ECDHE-RSA-AES128-SHA",
        );
        let seen = finding_id(sample::NLB_TLS, "protocol-not-in-policy", "TLSv1");
        let gone = finding_id(
            sample::ALB_HTTPS,
            "certificate-expiring",
            "CN=www.example.com",
        );
        assert_eq!(activity(&new), Some(json!("Create")));
        assert_eq!(activity(&seen), Some(json!("Update")));
        assert_eq!(activity(&gone), Some(json!("Close")));
        let closed = records
            .iter()
            .find(|r| r["finding_info"]["uid"] == gone)
            .unwrap();
        assert_eq!(closed["status"], "Resolved");
        assert_eq!(closed["cloud"]["account"]["uid"], "123456789012");
    }

    #[test]
    fn reads_report_times() {
        assert_eq!(unix_millis("1970-01-01T00:00:01Z"), Some(1000));
        assert_eq!(unix_millis("2025-01-15T03:00:00Z"), Some(1_736_910_000_000));
        assert_eq!(unix_millis("2025-01-15"), None);
        assert_eq!(unix_millis("2025-01-15T25:00:00Z"), None);
    }
}
