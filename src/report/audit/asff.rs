//! AWS Security Finding Format (ASFF, `SchemaVersion` 2018-10-08): one finding per finding of
//! every listener, and one per account or region that could not be read, as AWS Security Hub's
//! `BatchImportFindings` takes them (`--format asff` writes them as one JSON array;
//! `audit --security-hub` imports them, see `aws::securityhub`).
//!
//! Each finding's `Id` is stable from run to run — `elbtls/LISTENER-ID/CODE[/SUBJECT]` — so a
//! rerun updates a finding instead of adding another, and a finding that disappeared can be
//! archived ([`ArchivePlan`] decides which may be). Field limits follow the AWS Security Hub API
//! reference (`AwsSecurityFinding`): `tests/data/asff-finding.schema.json` writes them down and the
//! tests validate every rendered finding against it.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::{self, Write};

use ring::digest;
use serde_json::{Map, Value, json};

use super::{AuditReport, ListenerResult, ProbeStatus};
use crate::finding::{Category, Finding, FindingCode, Severity, Verdict};
use crate::model::LoadBalancerType;
use crate::model::inventory::ScopeFailure;

/// The ASFF version every finding declares.
pub const SCHEMA_VERSION: &str = "2018-10-08";

/// What every elbtls `GeneratorId` starts with (`elbtls/CODE`).
pub const GENERATOR_PREFIX: &str = "elbtls/";

/// The `GeneratorId` code of a finding about an account or region that could not be read (not a
/// listener finding code: the listener findings of that scope are missing, not resolved).
pub const INVENTORY_FAILED: &str = "inventory-failed";

/// ASFF limits (AWS Security Hub API reference, `AwsSecurityFinding`).
const MAX_ID: usize = 512;
const MAX_TITLE: usize = 256;
const MAX_DESCRIPTION: usize = 1024;
const MAX_RECOMMENDATION: usize = 512;
/// `Resources[].Details.Other` values: "fewer than 1,024 characters".
const MAX_OTHER_VALUE: usize = 1023;
/// `ProductFields` values.
const MAX_PRODUCT_FIELD: usize = 2048;

/// `ProductFields` keys elbtls sets (and reads back from Security Hub to decide what to archive).
mod field {
    pub(super) const KIND: &str = "elbtls/kind";
    pub(super) const CODE: &str = "elbtls/code";
    pub(super) const CATEGORY: &str = "elbtls/category";
    pub(super) const LISTENER: &str = "elbtls/listener";
    pub(super) const ACCOUNT: &str = "elbtls/account";
    pub(super) const REGION: &str = "elbtls/region";
    pub(super) const SUBJECT: &str = "elbtls/subject";
    pub(super) const VERDICT: &str = "elbtls/verdict";
    pub(super) const EXCEPTION: &str = "elbtls/exception";
}

/// Writes the findings as one JSON array (what `aws securityhub batch-import-findings
/// --findings file://…` takes, 100 at a time).
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &findings(report, None))?;
    writeln!(out)
}

/// Every ASFF finding of `report`: the findings of each listener, then one per account or region
/// that could not be read. `hub_region` is the Security Hub region they go to
/// (`--security-hub-region`); `None`: each in its listener's region.
pub fn findings(report: &AuditReport, hub_region: Option<&str>) -> Vec<Value> {
    // Text from outside is written escaped (see `AuditReport::escaped`): consoles show it.
    let report = &report.escaped();
    let mut out: Vec<Value> = report
        .listeners
        .iter()
        .flat_map(|l| {
            l.findings
                .iter()
                .map(move |f| listener_finding(report, l, f, hub_region))
        })
        .collect();
    out.extend(
        report
            .failures
            .iter()
            .filter_map(|f| failure_finding(report, f, hub_region)),
    );
    out
}

/// A finding's one-line title, the same in ASFF and OCSF: code, load balancer, listener and, when
/// the finding is about one thing, that thing (`TLS-VERSION-WEAK: web HTTPS:443 (TLSv1.0)`).
pub fn finding_title(l: &ListenerResult, f: &Finding) -> String {
    let code = f.code.code();
    if f.subject.is_empty() {
        format!("{code}: {} {}:{}", l.load_balancer, l.protocol, l.port)
    } else {
        format!(
            "{code}: {} {}:{} ({})",
            l.load_balancer, l.protocol, l.port, f.subject
        )
    }
}

/// The stable id of a listener finding: `elbtls/LISTENER-ID/CODE` and `/SUBJECT` when there is
/// one; a subject that would make it longer than ASFF's 512 characters is replaced by its SHA-256.
pub fn finding_id(listener_id: &str, code: &str, subject: &str) -> String {
    let mut id = format!("{GENERATOR_PREFIX}{listener_id}/{code}");
    if !subject.is_empty() {
        if id.len() + 1 + subject.len() <= MAX_ID {
            id.push('/');
            id.push_str(subject);
        } else {
            id.push_str("/sha256:");
            id.push_str(&sha256_hex(subject));
        }
    }
    truncate(&id, MAX_ID)
}

/// The stable id of an inventory failure: `elbtls/inventory/ACCOUNT/REGION|all-regions[/RESOURCE]`.
pub fn failure_id(failure: &ScopeFailure, account: &str) -> String {
    let mut id = format!(
        "{GENERATOR_PREFIX}inventory/{account}/{}",
        failure.region.as_deref().unwrap_or("all-regions")
    );
    if let Some(resource) = &failure.resource {
        if id.len() + 1 + resource.len() <= MAX_ID {
            id.push('/');
            id.push_str(resource);
        } else {
            id.push_str("/sha256:");
            id.push_str(&sha256_hex(resource));
        }
    }
    truncate(&id, MAX_ID)
}

fn sha256_hex(text: &str) -> String {
    let mut hex = String::with_capacity(64);
    for byte in digest::digest(&digest::SHA256, text.as_bytes()).as_ref() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

/// `aws`, `aws-cn` or `aws-us-gov`, from a region code.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The default product ARN of an account's own findings in a region:
/// `arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default`.
pub fn product_arn(region: &str, account: &str) -> String {
    format!(
        "arn:{}:securityhub:{region}:{account}:product/{account}/default",
        partition(region)
    )
}

/// The Security Hub resource type of a load balancer.
pub fn resource_type(lb_type: LoadBalancerType) -> &'static str {
    match lb_type {
        LoadBalancerType::Classic => "AwsElbLoadBalancer",
        _ => "AwsElbv2LoadBalancer",
    }
}

/// The load balancer's ARN: from an ELBv2 listener ARN
/// (`…:listener/app/NAME/ID/LISTENER` → `…:loadbalancer/app/NAME/ID`), or built for a Classic one
/// (`arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/NAME`).
pub fn load_balancer_arn(listener: &ListenerResult) -> String {
    if let Some((head, path)) = listener.id.split_once(":listener/") {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.len() == 4 {
            return format!("{head}:loadbalancer/{}/{}/{}", parts[0], parts[1], parts[2]);
        }
        return listener.id.clone();
    }
    format!(
        "arn:{}:elasticloadbalancing:{}:{}:loadbalancer/{}",
        partition(&listener.region),
        listener.region,
        listener.account,
        listener.load_balancer
    )
}

/// The 12-digit account of a failure: its account, or the account of the role it names.
pub fn failure_account(failure: &ScopeFailure) -> Option<String> {
    let is_id = |s: &str| s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit());
    if is_id(&failure.account) {
        return Some(failure.account.clone());
    }
    // arn:aws:iam::111111111111:role/Audit
    let account = failure.account.split(':').nth(4)?;
    is_id(account).then(|| account.to_string())
}

/// `INFORMATIONAL`, `LOW`, `MEDIUM`, `HIGH`, `CRITICAL`.
pub fn severity_label(severity: Severity) -> &'static str {
    match severity {
        Severity::Info => "INFORMATIONAL",
        Severity::Low => "LOW",
        Severity::Medium => "MEDIUM",
        Severity::High => "HIGH",
        Severity::Critical => "CRITICAL",
    }
}

/// The ASFF finding type (`namespace/category/classifier`) of a family of findings.
pub fn finding_type(category: Option<Category>) -> &'static str {
    match category {
        Some(Category::Drift) => {
            "Software and Configuration Checks/AWS Security Best Practices/TLS Policy Drift"
        }
        Some(Category::Baseline) => {
            "Software and Configuration Checks/Industry and Regulatory Standards/TLS Baseline"
        }
        Some(Category::Unverified) => {
            "Software and Configuration Checks/AWS Security Best Practices/TLS Unverified"
        }
        Some(Category::Traffic) => {
            "Software and Configuration Checks/AWS Security Best Practices/TLS Negotiation Errors"
        }
        None => "Software and Configuration Checks/AWS Security Best Practices/Audit Incomplete",
    }
}

/// The category's name (`drift`, `baseline`, `unverified`, `traffic`).
pub fn category_name(category: Category) -> &'static str {
    match category {
        Category::Drift => "drift",
        Category::Baseline => "baseline",
        Category::Unverified => "unverified",
        Category::Traffic => "traffic",
    }
}

/// At most `max` characters of `text`, the last one `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

/// `text`, or `fallback` when it is blank (ASFF strings must hold a non-space character).
fn non_blank(text: &str, fallback: &str) -> String {
    if text.trim().is_empty() {
        fallback.to_string()
    } else {
        text.to_string()
    }
}

/// What to do about a code, in plain text (the advice without Markdown code spans).
pub fn advice_text(code: FindingCode) -> String {
    code.remediation().advice.replace('`', "")
}

fn listener_finding(
    report: &AuditReport,
    l: &ListenerResult,
    f: &Finding,
    hub_region: Option<&str>,
) -> Value {
    let region = hub_region.unwrap_or(&l.region);
    let code = f.code.code();
    let category = f.code.category();
    let title = finding_title(l, f);
    let severity = json!({
        "Label": severity_label(f.severity),
        "Original": f.severity.as_str(),
    });
    let types = json!([finding_type(Some(category))]);
    let mut other = Map::new();
    let mut put = |key: &str, value: &str| {
        if !value.trim().is_empty() {
            other.insert(key.to_string(), json!(truncate(value, MAX_OTHER_VALUE)));
        }
    };
    put("listener", &l.id);
    put("loadBalancerName", &l.load_balancer);
    put("protocol", &l.protocol);
    put("port", &l.port.to_string());
    put("declaredPolicy", l.declared_policy.as_deref().unwrap_or(""));
    put("verdict", l.verdict.as_str());
    put("dnsName", l.dns_name.as_deref().unwrap_or(""));
    put(
        "probe",
        match l.probe {
            ProbeStatus::Probed { .. } => "probed",
            ProbeStatus::Failed => "failed",
            ProbeStatus::Skipped => "skipped",
        },
    );
    let mut fields = Map::new();
    let mut field = |key: &str, value: &str| {
        if !value.is_empty() {
            fields.insert(key.to_string(), json!(truncate(value, MAX_PRODUCT_FIELD)));
        }
    };
    field(field::KIND, "listener");
    field(field::CODE, code);
    field(field::CATEGORY, category_name(category));
    field(field::LISTENER, &l.id);
    field(field::ACCOUNT, &l.account);
    field(field::REGION, &l.region);
    field(field::SUBJECT, &f.subject);
    field(field::VERDICT, l.verdict.as_str());
    if let Some(exception) = &f.exception {
        field(
            field::EXCEPTION,
            &format!(
                "{} (until {}{})",
                exception.reason,
                exception.expires,
                if exception.expired { ", expired" } else { "" }
            ),
        );
    }
    let mut finding = json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": finding_id(&l.id, code, &f.subject),
        "ProductArn": product_arn(region, &l.account),
        "ProductName": "elbtls",
        "CompanyName": "elbtls",
        "Region": region,
        "GeneratorId": format!("{GENERATOR_PREFIX}{code}"),
        "AwsAccountId": l.account,
        "Types": types,
        "CreatedAt": report.generated_at,
        "UpdatedAt": report.generated_at,
        "Severity": severity,
        "Title": truncate(&title, MAX_TITLE),
        "Description": truncate(&non_blank(&f.message, f.code.description()), MAX_DESCRIPTION),
        "Remediation": remediation(f.code),
        "ProductFields": fields,
        "Resources": [{
            "Type": resource_type(l.lb_type),
            "Id": load_balancer_arn(l),
            "Partition": partition(&l.region),
            "Region": l.region,
            "Details": { "Other": other },
        }],
        "FindingProviderFields": { "Severity": severity, "Types": types },
        "RecordState": "ACTIVE",
        // Only a new finding takes it: Security Hub keeps the workflow its users set.
        "Workflow": { "Status": if f.is_accepted() { "SUPPRESSED" } else { "NEW" } },
    });
    if let Some(url) = super::sarif::help_uri() {
        finding["SourceUrl"] = json!(url);
    }
    finding
}

fn remediation(code: FindingCode) -> Value {
    let mut recommendation = json!({ "Text": truncate(&advice_text(code), MAX_RECOMMENDATION) });
    if let Some(url) = super::sarif::help_uri() {
        recommendation["Url"] = json!(url);
    }
    json!({ "Recommendation": recommendation })
}

/// The region an inventory failure's finding goes to: `hub_region`, its own, or (for a whole
/// account) the region of one of that account's listeners in the report, else of any listener or
/// failure, else `us-east-1`.
fn failure_region<'r>(
    report: &'r AuditReport,
    failure: &'r ScopeFailure,
    account: &str,
    hub_region: Option<&'r str>,
) -> &'r str {
    hub_region
        .or(failure.region.as_deref())
        .or_else(|| {
            report
                .listeners
                .iter()
                .find(|l| l.account == account)
                .map(|l| l.region.as_str())
        })
        .or_else(|| report.listeners.first().map(|l| l.region.as_str()))
        .or_else(|| report.failures.iter().find_map(|f| f.region.as_deref()))
        .unwrap_or("us-east-1")
}

fn failure_finding(
    report: &AuditReport,
    failure: &ScopeFailure,
    hub_region: Option<&str>,
) -> Option<Value> {
    let account = failure_account(failure)?;
    let region = failure_region(report, failure, &account, hub_region);
    let scope = match &failure.region {
        Some(r) => format!("{account}/{r}"),
        None => account.clone(),
    };
    let what = failure
        .resource
        .as_deref()
        .map_or_else(String::new, |r| format!(" ({r})"));
    let title = format!(
        "{INVENTORY_FAILED}: {scope}{what} could not be read ({})",
        failure.reason.code()
    );
    let description = format!(
        "elbtls could not read {scope}{what}: {}. Its listeners were not audited: their \
         findings are missing from this run, not resolved.",
        failure.message
    );
    let severity = json!({ "Label": "MEDIUM", "Original": "medium" });
    let types = json!([finding_type(None)]);
    let mut fields = Map::new();
    fields.insert(field::KIND.to_string(), json!("inventory"));
    fields.insert(field::CODE.to_string(), json!(INVENTORY_FAILED));
    fields.insert(field::ACCOUNT.to_string(), json!(account));
    if let Some(r) = &failure.region {
        fields.insert(field::REGION.to_string(), json!(r));
    }
    let mut resource = json!({
        "Type": "AwsAccount",
        "Id": format!("AWS::::Account:{account}"),
        "Partition": partition(region),
    });
    if let Some(r) = &failure.region {
        resource["Region"] = json!(r);
    }
    Some(json!({
        "SchemaVersion": SCHEMA_VERSION,
        "Id": failure_id(failure, &account),
        "ProductArn": product_arn(region, &account),
        "ProductName": "elbtls",
        "CompanyName": "elbtls",
        "Region": region,
        "GeneratorId": format!("{GENERATOR_PREFIX}{INVENTORY_FAILED}"),
        "AwsAccountId": account,
        "Types": types,
        "CreatedAt": report.generated_at,
        "UpdatedAt": report.generated_at,
        "Severity": severity,
        "Title": truncate(&title, MAX_TITLE),
        "Description": truncate(&description, MAX_DESCRIPTION),
        "Remediation": { "Recommendation": { "Text": truncate(
            "Give the audit role read access to this account and region (see the example IAM \
             policy), or audit from where the account can be reached; then run the audit again.",
            MAX_RECOMMENDATION) } },
        "ProductFields": fields,
        "Resources": [resource],
        "FindingProviderFields": { "Severity": severity, "Types": types },
        "RecordState": "ACTIVE",
        "Workflow": { "Status": "NEW" },
    }))
}

/// What this run covered, for deciding which findings Security Hub still holds from earlier runs
/// may be archived because they are gone.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    /// Account/region pairs read completely (no failure of any kind in them).
    pub complete: BTreeSet<(String, String)>,
    /// Whether the run audited every load balancer of those pairs that it was asked to (no
    /// filter): only then does a listener missing from the report mean it is gone.
    pub every_load_balancer: bool,
    /// `--shard K/N` as (K-1, N): the run audited only the load balancers of that part, so a
    /// missing listener means it is gone only if it was of the part
    /// ([`crate::model::inventory::shard_of_listener_id`]).
    pub part: Option<(u32, u32)>,
}

impl Coverage {
    /// Whether the run would have reported `listener_id` had it still been there.
    fn would_report(&self, listener_id: &str) -> bool {
        self.every_load_balancer
            && self.part.is_none_or(|(part, parts)| {
                crate::model::inventory::shard_of_listener_id(listener_id, parts) == Some(part)
            })
    }
}

/// Decides which of the findings Security Hub holds (active, elbtls's, not in this run) this run
/// may archive: only what it checked again and found gone. Never a finding of an account or
/// region that was not read completely, of a listener that could not be verified this run, nor
/// one this run did not look for (a drift finding in a `--no-probe` run, a baseline finding in a
/// run without a baseline, a negotiation-error finding without `--negotiation-errors`).
pub struct ArchivePlan {
    report: AuditReport,
    coverage: Coverage,
    /// Listener id → index in `report.listeners`.
    listeners: HashMap<String, usize>,
}

impl ArchivePlan {
    /// The plan for `report` (escaped, as the findings carry its ids: see [`findings`]) and what
    /// the run covered.
    pub fn new(report: AuditReport, coverage: Coverage) -> Self {
        let listeners = report
            .listeners
            .iter()
            .enumerate()
            .map(|(i, l)| (l.id.clone(), i))
            .collect();
        Self {
            report,
            coverage,
            listeners,
        }
    }

    /// Whether `old`, an active elbtls finding this run did not produce, may be archived.
    pub fn may_archive(&self, old: &Value) -> bool {
        let fields = &old["ProductFields"];
        let text = |key: &str| fields[key].as_str();
        let (Some(account), Some(region)) = (text(field::ACCOUNT), text(field::REGION)) else {
            // An account-wide failure (no region): archived once every region of the account
            // that the run read was complete — here: when some pair of it was, and none failed.
            return text(field::KIND) == Some("inventory")
                && old["AwsAccountId"].as_str().is_some_and(|account| {
                    self.report
                        .failures
                        .iter()
                        .all(|f| failure_account(f).as_deref() != Some(account))
                        && self.coverage.complete.iter().any(|(a, _)| a == account)
                });
        };
        let complete = self
            .coverage
            .complete
            .contains(&(account.to_string(), region.to_string()));
        match text(field::KIND) {
            Some("inventory") => complete,
            Some("listener") => {
                let Some(listener_id) = text(field::LISTENER) else {
                    return false;
                };
                match self.listeners.get(listener_id) {
                    // Gone (deleted, no longer TLS): only a complete, unfiltered read that
                    // covered its load balancer (the whole run, or the part it belongs to) says so.
                    None => complete && self.coverage.would_report(listener_id),
                    Some(&index) => {
                        self.checked_again(&self.report.listeners[index], text(field::CODE))
                    }
                }
            }
            _ => false,
        }
    }

    /// Whether this run checked `listener` for findings of `code` again.
    fn checked_again(&self, listener: &ListenerResult, code: Option<&str>) -> bool {
        let Some(code) = code.and_then(|c| c.parse::<FindingCode>().ok()) else {
            return false;
        };
        let unverified = listener
            .findings
            .iter()
            .any(|f| f.code.category() == Category::Unverified);
        if unverified || listener.verdict == Verdict::Unchecked {
            return false;
        }
        let probed = matches!(listener.probe, ProbeStatus::Probed { .. });
        let certificate = matches!(
            code,
            FindingCode::CertificateExpired
                | FindingCode::CertificateExpiring
                | FindingCode::CertificateKeyTooSmall
                | FindingCode::CertificateUnverified
        );
        match code.category() {
            Category::Drift | Category::Unverified => probed,
            Category::Baseline if certificate => probed && self.report.baseline.is_some(),
            Category::Baseline => self.report.baseline.is_some(),
            Category::Traffic => self.report.negotiation_errors_hours.is_some(),
        }
    }
}

/// The finding `old` (as Security Hub returned it) archived at `now`: the fields ASFF requires,
/// `RecordState` `ARCHIVED` (Security Hub then sets a `NEW` or `NOTIFIED` workflow to
/// `RESOLVED`).
pub fn archived(old: &Value, now: &str) -> Value {
    let mut finding = Map::new();
    for key in [
        "SchemaVersion",
        "Id",
        "ProductArn",
        "GeneratorId",
        "AwsAccountId",
        "Types",
        "CreatedAt",
        "Severity",
        "Title",
        "Description",
        "Resources",
        "ProductFields",
        "Remediation",
        "Region",
        "ProductName",
        "CompanyName",
    ] {
        if let Some(value) = old.get(key) {
            finding.insert(key.to_string(), value.clone());
        }
    }
    finding.insert("UpdatedAt".to_string(), json!(now));
    finding.insert("RecordState".to_string(), json!("ARCHIVED"));
    Value::Object(finding)
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    fn rendered() -> Vec<Value> {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        serde_json::from_slice::<Vec<Value>>(&out).unwrap()
    }

    #[test]
    fn every_finding_and_failure_is_one_asff_finding() {
        let report = sample::report();
        let findings = rendered();
        let expected = report
            .listeners
            .iter()
            .map(|l| l.findings.len())
            .sum::<usize>()
            + report
                .failures
                .iter()
                .filter(|f| failure_account(f).is_some())
                .count();
        assert_eq!(findings.len(), expected);
        let ids: BTreeSet<&str> = findings.iter().map(|f| f["Id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), findings.len(), "ids are unique");
        for finding in &findings {
            assert_eq!(finding["SchemaVersion"], SCHEMA_VERSION);
            assert!(
                finding["GeneratorId"]
                    .as_str()
                    .unwrap()
                    .starts_with("elbtls/")
            );
            assert!(finding["Title"].as_str().unwrap().chars().count() <= MAX_TITLE);
            assert!(finding["Description"].as_str().unwrap().chars().count() <= MAX_DESCRIPTION);
            let account = finding["AwsAccountId"].as_str().unwrap();
            assert_eq!(
                finding["ProductArn"],
                product_arn(finding["Region"].as_str().unwrap(), account)
            );
        }
    }

    #[test]
    fn a_listener_finding_names_its_load_balancer_and_listener() {
        let findings = rendered();
        let finding = findings
            .iter()
            .find(|f| f["ProductFields"][field::LISTENER] == sample::NLB_TLS)
            .expect("a finding of the NLB listener");
        let resource = &finding["Resources"][0];
        assert_eq!(resource["Type"], "AwsElbv2LoadBalancer");
        assert_eq!(
            resource["Id"],
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/api-nlb/73e2d6bc24d8a067"
        );
        assert_eq!(resource["Details"]["Other"]["listener"], sample::NLB_TLS);
        let code = finding["ProductFields"][field::CODE].as_str().unwrap();
        assert_eq!(finding["GeneratorId"], format!("elbtls/{code}"));
        assert!(
            finding["Id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("elbtls/{}/{code}", sample::NLB_TLS))
        );
        let classic = findings
            .iter()
            .find(|f| f["ProductFields"][field::LISTENER] == sample::CLASSIC_SSL)
            .expect("a finding of the Classic listener");
        assert_eq!(classic["Resources"][0]["Type"], "AwsElbLoadBalancer");
        assert_eq!(
            classic["Resources"][0]["Id"],
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy-elb"
        );
    }

    #[test]
    fn ids_are_stable_and_bounded() {
        assert_eq!(
            finding_id(
                "arn:x:listener/app/a/1/2",
                "cipher-not-in-policy",
                "TLS_RSA"
            ),
            "elbtls/arn:x:listener/app/a/1/2/cipher-not-in-policy/TLS_RSA"
        );
        assert_eq!(finding_id("L", "probe-failed", ""), "elbtls/L/probe-failed");
        let long = "CN=".to_string() + &"x".repeat(600);
        let id = finding_id("L", "certificate-expiring", &long);
        assert!(id.len() <= MAX_ID && id.contains("/sha256:"), "{id}");
        assert_eq!(id, finding_id("L", "certificate-expiring", &long));
    }

    #[test]
    fn severities_map_to_asff_labels() {
        assert_eq!(severity_label(Severity::Info), "INFORMATIONAL");
        assert_eq!(severity_label(Severity::Critical), "CRITICAL");
        let label_of = |code: FindingCode| {
            rendered()
                .into_iter()
                .find(|f| f["GeneratorId"] == format!("elbtls/{code}"))
                .map(|f| f["Severity"]["Label"].clone())
        };
        assert_eq!(label_of(FindingCode::ProbeFailed), Some(json!("MEDIUM")));
    }

    #[test]
    fn a_hub_region_moves_every_finding_there() {
        for finding in findings(&sample::report(), Some("eu-central-1")) {
            assert_eq!(finding["Region"], "eu-central-1");
            assert!(
                finding["ProductArn"]
                    .as_str()
                    .unwrap()
                    .starts_with("arn:aws:securityhub:eu-central-1:")
            );
        }
    }

    fn old(kind: &str, listener: &str, code: &str, account: &str, region: &str) -> Value {
        json!({ "AwsAccountId": account, "ProductFields": {
            "elbtls/kind": kind, "elbtls/listener": listener, "elbtls/code": code,
            "elbtls/account": account, "elbtls/region": region } })
    }

    #[test]
    fn only_what_was_checked_again_is_archived() {
        let report = sample::report();
        let complete = BTreeSet::from([
            ("123456789012".to_string(), "us-east-1".to_string()),
            ("123456789012".to_string(), "eu-west-1".to_string()),
        ]);
        let whole = Coverage {
            complete: complete.clone(),
            every_load_balancer: true,
            part: None,
        };
        let plan = ArchivePlan::new(report.clone(), whole);
        let verified = report
            .listeners
            .iter()
            .find(|l| {
                matches!(l.probe, ProbeStatus::Probed { .. })
                    && !l
                        .findings
                        .iter()
                        .any(|f| f.code.category() == Category::Unverified)
                    && l.region == "us-east-1"
            })
            .expect("a verified listener in the sample");
        let unverified = report
            .listeners
            .iter()
            .find(|l| l.verdict == Verdict::Unverified)
            .expect("an unverified listener in the sample");
        let gone = "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/gone/1/2";
        let account = "123456789012";
        // A verified listener's vanished drift finding: resolved.
        assert!(plan.may_archive(&old(
            "listener",
            &verified.id,
            "protocol-not-in-policy",
            account,
            "us-east-1"
        )));
        // An unverified listener keeps what it had: nothing was seen.
        assert!(!plan.may_archive(&old(
            "listener",
            &unverified.id,
            "protocol-not-in-policy",
            account,
            &unverified.region
        )));
        // A listener gone from a complete, unfiltered read.
        assert!(plan.may_archive(&old("listener", gone, "not-fips", account, "us-east-1")));
        // …but not from a filtered one, nor from a region that failed.
        let filtered = Coverage {
            complete: complete.clone(),
            every_load_balancer: false,
            part: None,
        };
        assert!(
            !ArchivePlan::new(report.clone(), filtered).may_archive(&old(
                "listener",
                gone,
                "not-fips",
                account,
                "us-east-1"
            ))
        );
        // A part of a sharded run archives it only if it was of that part: exactly one of the
        // parts does.
        let parts = 3;
        let archived_by: Vec<u32> = (0..parts)
            .filter(|&part| {
                let coverage = Coverage {
                    complete: complete.clone(),
                    every_load_balancer: true,
                    part: Some((part, parts)),
                };
                ArchivePlan::new(report.clone(), coverage).may_archive(&old(
                    "listener",
                    gone,
                    "not-fips",
                    account,
                    "us-east-1",
                ))
            })
            .collect();
        assert_eq!(archived_by.len(), 1, "{archived_by:?}");
        assert!(!plan.may_archive(&old(
            "listener",
            "arn:aws:elasticloadbalancing:ap-south-1:123456789012:listener/app/x/1/2",
            "not-fips",
            account,
            "ap-south-1"
        )));
        // A traffic finding in a run without --negotiation-errors was not looked for.
        assert!(!plan.may_archive(&old(
            "listener",
            &verified.id,
            "negotiation-errors",
            account,
            "us-east-1"
        )));
        // An inventory failure of a region read completely now: resolved.
        assert!(plan.may_archive(&old(
            "inventory",
            "",
            INVENTORY_FAILED,
            account,
            "us-east-1"
        )));
        assert!(!plan.may_archive(&json!({ "ProductFields": {} })));
    }

    #[test]
    fn an_archived_finding_keeps_its_id_and_is_archived() {
        let finding = rendered().remove(0);
        let archived = archived(&finding, "2030-01-01T00:00:00Z");
        assert_eq!(archived["Id"], finding["Id"]);
        assert_eq!(archived["RecordState"], "ARCHIVED");
        assert_eq!(archived["UpdatedAt"], "2030-01-01T00:00:00Z");
        assert!(archived.get("Workflow").is_none());
    }
}
