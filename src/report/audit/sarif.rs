//! `elbtls audit --format sarif`: SARIF 2.1.0, for code-scanning dashboards.
//!
//! One run. Every finding code is a rule, with its description, its remediation (`help`, from
//! [`FindingCode::remediation`]) and a link to the README's "Finding codes" section; every finding
//! is a result whose level follows its severity. GitHub ranks alerts by the rule's
//! `security-severity` only, so a rule carries the severity its code has in this run (a baseline's
//! `[severity]` table applies to every finding of a code), each result carries its own as well,
//! and a severity that differs from the code's default is a `ruleConfigurationOverrides` entry.
//!
//! A finding a baseline `[[exception]]` accepts is a result with an `external` suppression of
//! status `accepted` (its reason and expiry the justification), SARIF's word for accepted risk
//! (viewers hide such results by default); once the exception has expired, the suppression is gone
//! and the result counts again (`properties.exception` says which, in both cases).
//!
//! A listener is not a file, but GitHub code scanning requires each result to have a
//! `physicalLocation` whose `artifactLocation.uri` it accepts: a scheme (`aws://`, `https://`) or a
//! colon in the first path segment (an ARN) makes it reject the whole upload. So the listener is
//! named by a relative URI, `aws/ACCOUNT/REGION/TYPE/LOAD-BALANCER/PORT` (each segment
//! percent-encoded) with `startLine` 1 (GitHub shows an alert on a line), and by a logical location
//! carrying the listener id. Accounts and regions that
//! could not be read are run-level `toolExecutionNotifications`, and make `executionSuccessful`
//! false, as does any unverified listener.

use std::fmt::Write as _;
use std::io::{self, Write};

use ring::digest;
use serde::Serialize;

use super::json::category_label;
use super::{AuditReport, ListenerResult};
use crate::finding::{Finding, FindingCode, Remediation, Severity};
use crate::model::inventory::ScopeFailure;

/// The schema every document names.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The key of each result's `partialFingerprints`: a SHA-256 of listener id, code and subject.
pub const FINGERPRINT_KEY: &str = "elbtls/v1";

/// The README section every rule's `helpUri` points to (its GitHub anchor).
pub const HELP_ANCHOR: &str = "finding-codes";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    results: Vec<SarifResult<'a>>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: String,
    short_description: Text<'static>,
    full_description: OwnedText,
    help: Help,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct OwnedText {
    text: String,
}

/// A rule's `help`: a `multiformatMessageString` (plain text, and Markdown for viewers that render
/// it, as GitHub does).
#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

/// A `configurationOverride`: this run's level for one rule.
#[derive(Serialize)]
struct ConfigurationOverride {
    descriptor: RuleReference,
    configuration: OverrideConfiguration,
}

#[derive(Serialize)]
struct RuleReference {
    id: &'static str,
    index: usize,
}

#[derive(Serialize)]
struct OverrideConfiguration {
    level: &'static str,
    properties: OverrideProperties,
}

#[derive(Serialize)]
struct OverrideProperties {
    severity: &'static str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: [&'static str; 2],
    /// GitHub code scanning ranks security alerts by this (0.1–10, as a string): the severity the
    /// code has in this run.
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rule_configuration_overrides: Vec<ConfigurationOverride>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    properties: FailureProperties<'a>,
}

#[derive(Serialize)]
struct FailureProperties<'a> {
    account: &'a str,
    region: Option<&'a str>,
    resource: Option<&'a str>,
    reason: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline_state: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
    properties: ResultProperties<'a>,
}

/// An accepted risk: a baseline exception that covers the result and has not expired.
#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

#[derive(Serialize)]
struct ExceptionProperties<'a> {
    reason: &'a str,
    expires: &'a str,
    expired: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

/// Where in the "file" the result is: its first line (a listener has no lines, but GitHub places
/// every alert on one).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    name: String,
    fully_qualified_name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Fingerprints {
    #[serde(rename = "elbtls/v1")]
    v1: String,
}

#[derive(Serialize)]
struct ResultProperties<'a> {
    severity: &'static str,
    /// The finding's own, as its rule's in this run (GitHub reads only the rule's).
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    category: &'static str,
    verdict: &'static str,
    subject: &'a str,
    declared_policy: Option<&'a str>,
    dns_name: Option<&'a str>,
    /// With `--negotiation-errors`: the load balancer's CloudWatch count.
    #[serde(skip_serializing_if = "Option::is_none")]
    negotiation_errors: Option<u64>,
    /// The baseline exception that covers the finding, expired or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<ExceptionProperties<'a>>,
}

#[derive(Serialize)]
struct RunProperties<'a> {
    generated_at: &'a str,
    baseline: Option<&'a str>,
    probed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    negotiation_errors_hours: Option<u32>,
}

/// SARIF's level for a severity: critical and high are errors, medium a warning, low and info
/// notes.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
        Severity::Info => None,
    }
}

/// `protocol-not-in-policy` → `ProtocolNotInPolicy`, SARIF's readable rule name.
fn rule_name(code: &str) -> String {
    code.split('-')
        .flat_map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase())
                .into_iter()
                .chain(chars)
        })
        .collect()
}

/// `description` + what the family means + the default severity: a rule's `fullDescription`.
fn full_description(code: FindingCode) -> String {
    format!(
        "{} {} Default severity: {}.",
        code.description(),
        code.category().explanation().replace('`', ""),
        code.severity()
    )
}

const PLACEHOLDERS: &str = "Capitalised words are placeholders: the result's message names the \
    listener and, for a baseline finding, a policy that meets the baseline.";

/// The rule's `help`: what the code means, what to do, and the commands that do it.
fn help(code: FindingCode, help_uri: Option<&str>) -> Help {
    let Remediation { advice, commands } = code.remediation();
    let mut text = format!(
        "{}\n\nWhat to do: {}",
        code.description(),
        advice.replace('`', "")
    );
    let mut markdown = format!("{}\n\n**What to do.** {advice}", code.description());
    if let Some(commands) = commands {
        let script = commands.script();
        let _ = write!(text, "\n\n{} ({PLACEHOLDERS}):\n", commands.title());
        for line in script.lines() {
            let _ = write!(text, "\n    {line}");
        }
        let _ = write!(
            markdown,
            "\n\n**{}.** {PLACEHOLDERS}\n\n```sh\n{script}\n```",
            commands.title()
        );
    }
    if let Some(uri) = help_uri {
        let _ = write!(text, "\n\nEvery code: {uri}");
        let _ = write!(markdown, "\n\n[Every finding code]({uri})");
    }
    Help { text, markdown }
}

fn rule(code: FindingCode, severity: Severity, help_uri: Option<&str>) -> Rule {
    Rule {
        id: code.code(),
        name: rule_name(code.code()),
        short_description: Text {
            text: code.description(),
        },
        full_description: OwnedText {
            text: full_description(code),
        },
        help: help(code, help_uri),
        help_uri: help_uri.map(str::to_string),
        default_configuration: Configuration {
            level: level(code.severity()),
        },
        properties: RuleProperties {
            tags: ["security", category_label(code.category())],
            security_severity: security_severity(severity),
        },
    }
}

fn rule_index(code: FindingCode) -> usize {
    FindingCode::ALL
        .iter()
        .position(|c| *c == code)
        .expect("every finding code is in FindingCode::ALL")
}

/// The severity each code has in this run, in [`FindingCode::ALL`] order: its findings' (a
/// baseline's `[severity]` table gives every finding of a code the same; should they differ, the
/// worst), else its default.
fn run_severities(report: &AuditReport) -> Vec<Severity> {
    let mut severities: Vec<Option<Severity>> = vec![None; FindingCode::ALL.len()];
    for finding in report.listeners.iter().flat_map(|l| &l.findings) {
        let slot = &mut severities[rule_index(finding.code)];
        *slot = (*slot).max(Some(finding.severity));
    }
    FindingCode::ALL
        .iter()
        .zip(severities)
        .map(|(code, severity)| severity.unwrap_or_else(|| code.severity()))
        .collect()
}

/// A `ruleConfigurationOverrides` entry for each code whose severity in this run is not its
/// default.
fn overrides(severities: &[Severity]) -> Vec<ConfigurationOverride> {
    FindingCode::ALL
        .iter()
        .zip(severities)
        .enumerate()
        .filter(|(_, (code, severity))| code.severity() != **severity)
        .map(|(index, (code, &severity))| ConfigurationOverride {
            descriptor: RuleReference {
                id: code.code(),
                index,
            },
            configuration: OverrideConfiguration {
                level: level(severity),
                properties: OverrideProperties {
                    severity: severity.as_str(),
                    security_severity: security_severity(severity),
                },
            },
        })
        .collect()
}

/// Keeps RFC 3986 unreserved characters and percent-encodes every other byte, so a segment never
/// holds `/`, `:` or a space.
fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The relative URI that names a listener: `aws/ACCOUNT/REGION/TYPE/LOAD-BALANCER/PORT`.
pub fn listener_uri(listener: &ListenerResult) -> String {
    let port = listener.port.to_string();
    let segments = [
        listener.account.as_str(),
        &listener.region,
        listener.lb_type.as_str(),
        &listener.load_balancer,
        &port,
    ];
    let mut uri = String::from("aws");
    for segment in segments {
        uri.push('/');
        uri.push_str(&encode_segment(segment));
    }
    uri
}

/// The stable identity of a finding across runs: SHA-256 of listener id, code and subject.
pub fn fingerprint(listener_id: &str, code: &str, subject: &str) -> String {
    let mut context = digest::Context::new(&digest::SHA256);
    for part in [listener_id, code, subject] {
        context.update(part.as_bytes());
        context.update(&[0]);
    }
    let mut hex = String::with_capacity(64);
    for byte in context.finish().as_ref() {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

fn result<'a>(report: &AuditReport, l: &'a ListenerResult, f: &'a Finding) -> SarifResult<'a> {
    let baseline_state = report.diff.as_ref().map(|d| {
        let is_new = d
            .new
            .iter()
            .any(|c| c.listener == l.id && c.code == f.code.code() && c.subject == f.subject);
        if is_new { "new" } else { "unchanged" }
    });
    SarifResult {
        rule_id: f.code.code(),
        rule_index: rule_index(f.code),
        level: level(f.severity),
        message: Text { text: &f.message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: listener_uri(l),
                },
                region: Region { start_line: 1 },
            },
            logical_locations: [LogicalLocation {
                name: format!("{} {}:{}", l.load_balancer, l.protocol, l.port),
                fully_qualified_name: &l.id,
                kind: "resource",
            }],
        }],
        partial_fingerprints: Fingerprints {
            v1: fingerprint(&l.id, f.code.code(), &f.subject),
        },
        baseline_state,
        suppressions: f
            .exception
            .iter()
            .filter(|e| !e.expired)
            .map(|e| Suppression {
                kind: "external",
                status: "accepted",
                justification: format!(
                    "baseline exception until {} (UTC): {}",
                    e.expires, e.reason
                ),
            })
            .collect(),
        properties: ResultProperties {
            severity: f.severity.as_str(),
            security_severity: security_severity(f.severity),
            category: category_label(f.code.category()),
            verdict: l.verdict.as_str(),
            subject: &f.subject,
            declared_policy: l.declared_policy.as_deref(),
            dns_name: l.dns_name.as_deref(),
            negotiation_errors: l.negotiation_errors,
            exception: f.exception.as_ref().map(|e| ExceptionProperties {
                reason: &e.reason,
                expires: &e.expires,
                expired: e.expired,
            }),
        },
    }
}

fn notification(f: &ScopeFailure) -> Notification<'_> {
    Notification {
        level: "error",
        message: Text { text: &f.message },
        properties: FailureProperties {
            account: &f.account,
            region: f.region.as_deref(),
            resource: f.resource.as_deref(),
            reason: f.reason.code(),
        },
    }
}

/// Where to read about elbtls, from `Cargo.toml` (`repository`, else `homepage`); none until the
/// package names one.
fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
        .into_iter()
        .find(|uri| !uri.is_empty())
}

/// Where the README explains every finding code and its remediation: the repository's front
/// page (its README) at the "Finding codes" heading.
pub fn help_uri() -> Option<String> {
    information_uri().map(|uri| format!("{}#{HELP_ANCHOR}", uri.trim_end_matches('/')))
}

/// Writes the SARIF log.
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    // Text from outside is printed escaped (see `AuditReport::escaped`).
    let report = &report.escaped();
    let results = report
        .listeners
        .iter()
        .flat_map(|l| l.findings.iter().map(move |f| result(report, l, f)))
        .collect();
    let severities = run_severities(report);
    let help_uri = help_uri();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "elbtls",
                    version: &report.tool_version,
                    information_uri: information_uri(),
                    rules: FindingCode::ALL
                        .iter()
                        .zip(&severities)
                        .map(|(&code, &severity)| rule(code, severity, help_uri.as_deref()))
                        .collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: !report.incomplete(),
                tool_execution_notifications: report.failures.iter().map(notification).collect(),
                rule_configuration_overrides: overrides(&severities),
            }],
            results,
            properties: RunProperties {
                generated_at: &report.generated_at,
                baseline: report.baseline.as_deref(),
                probed: report.probed,
                negotiation_errors_hours: report.negotiation_errors_hours,
            },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::super::sample::{self, NLB_TLS};
    use super::*;
    use serde_json::Value;

    fn rendered() -> Value {
        let mut out = Vec::new();
        render(&sample::report(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn one_rule_per_code_with_its_default_level() {
        let log = rendered();
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        assert_eq!(rules.len(), FindingCode::ALL.len());
        let expired = rules
            .iter()
            .find(|r| r["id"] == "certificate-expired")
            .unwrap();
        assert_eq!(expired["name"], "CertificateExpired");
        assert_eq!(expired["defaultConfiguration"]["level"], "error");
        assert_eq!(
            expired["properties"]["tags"],
            serde_json::json!(["security", "baseline"])
        );
        assert_eq!(expired["properties"]["security-severity"], "9.5");
        let order = rules
            .iter()
            .find(|r| r["id"] == "cipher-order-differs")
            .unwrap();
        assert_eq!(order["defaultConfiguration"]["level"], "note");
    }

    #[test]
    fn one_result_per_finding_located_at_its_listener() {
        let log = rendered();
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), 4);
        let unverified = &results[0];
        assert_eq!(unverified["ruleId"], "probe-failed");
        assert_eq!(unverified["level"], "warning");
        assert_eq!(
            unverified["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "aws/123456789012/eu-west-1/application/internal-app/443"
        );
        let drift = &results[2];
        assert_eq!(drift["ruleId"], "cipher-not-in-policy");
        assert_eq!(drift["level"], "error");
        assert_eq!(drift["baselineState"], "new");
        assert_eq!(results[1]["baselineState"], "unchanged");
        let rule = &run["tool"]["driver"]["rules"][drift["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], "cipher-not-in-policy");
        let logical = &drift["locations"][0]["logicalLocations"][0];
        assert_eq!(logical["fullyQualifiedName"], NLB_TLS);
        assert_eq!(logical["name"], "api-nlb TLS:8443");
        assert_eq!(
            drift["partialFingerprints"][FINGERPRINT_KEY],
            fingerprint(NLB_TLS, "cipher-not-in-policy", "ECDHE-RSA-AES128-SHA")
        );
    }

    #[test]
    fn failures_are_notifications_and_the_run_is_unsuccessful() {
        let log = rendered();
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0]["level"], "error");
        assert_eq!(notes[0]["properties"]["reason"], "access-denied");

        let mut complete = sample::report();
        complete.failures.clear();
        complete.listeners.retain(|l| {
            !l.findings
                .iter()
                .any(|f| f.code == FindingCode::ProbeFailed)
        });
        let mut out = Vec::new();
        render(&complete, &mut out).unwrap();
        let log: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            log["runs"][0]["invocations"][0]["executionSuccessful"],
            true
        );
    }

    #[test]
    fn listener_uris_are_relative_and_safe() {
        let mut l = sample::report().listeners.remove(0);
        l.account = "arn:aws:iam::1:role/audit role".to_string();
        let uri = listener_uri(&l);
        assert_eq!(
            uri,
            "aws/arn%3Aaws%3Aiam%3A%3A1%3Arole%2Faudit%20role/eu-west-1/application/internal-app/443"
        );
        assert!(
            uri.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-._~%/".contains(&b))
        );
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_eq!(fingerprint("a", "b", "c").len(), 64);
        assert_ne!(fingerprint("ab", "c", ""), fingerprint("a", "bc", ""));
        assert_eq!(fingerprint("a", "b", "c"), fingerprint("a", "b", "c"));
    }

    #[test]
    fn rules_explain_the_code_and_how_to_fix_it() {
        let log = rendered();
        let rules = log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        for rule in rules {
            let code: FindingCode = rule["id"].as_str().unwrap().parse().unwrap();
            let full = rule["fullDescription"]["text"].as_str().unwrap();
            assert!(full.starts_with(code.description()), "{full}");
            assert!(full.ends_with(&format!("Default severity: {}.", code.severity())));
            let advice = code.remediation().advice;
            let markdown = rule["help"]["markdown"].as_str().unwrap();
            assert!(markdown.contains(advice), "{markdown}");
            assert!(!rule["help"]["text"].as_str().unwrap().contains('`'));
            assert_eq!(
                rule["helpUri"],
                "https://github.com/elbtls/elbtls#finding-codes"
            );
        }
        let drift = &rules[rule_index(FindingCode::ProtocolNotInPolicy)];
        let markdown = drift["help"]["markdown"].as_str().unwrap();
        assert!(
            markdown.contains(
                "```sh\n# ALB, NLB\naws elbv2 modify-listener --listener-arn LISTENER-ARN --ssl-policy POLICY\n"
            ),
            "{markdown}"
        );
        assert!(markdown.contains("aws elb set-load-balancer-policies-of-listener"));
        let text = drift["help"]["text"].as_str().unwrap();
        assert!(
            text.contains(
                "\n    aws elbv2 modify-listener --listener-arn LISTENER-ARN --ssl-policy POLICY\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn results_sit_on_line_one_with_their_own_security_severity() {
        let log = rendered();
        for result in log["runs"][0]["results"].as_array().unwrap() {
            let physical = &result["locations"][0]["physicalLocation"];
            assert_eq!(physical["region"]["startLine"], 1);
            let severity: Severity = result["properties"]["severity"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(result["level"], level(severity));
            assert_eq!(
                result["properties"]["security-severity"].as_str(),
                security_severity(severity)
            );
        }
        assert!(log["runs"][0]["invocations"][0]["ruleConfigurationOverrides"].is_null());
    }

    #[test]
    fn a_raised_severity_raises_the_rule_and_is_an_override() {
        let mut report = sample::report();
        for finding in report.listeners.iter_mut().flat_map(|l| &mut l.findings) {
            if finding.code == FindingCode::WeakCipherAllowed {
                finding.severity = Severity::Critical;
            }
        }
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let log: Value = serde_json::from_slice(&out).unwrap();
        let run = &log["runs"][0];
        let index = rule_index(FindingCode::WeakCipherAllowed);
        let rule = &run["tool"]["driver"]["rules"][index];
        assert_eq!(rule["defaultConfiguration"]["level"], "warning");
        assert_eq!(rule["properties"]["security-severity"], "9.5");
        let result = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["ruleId"] == "weak-cipher-allowed")
            .unwrap();
        assert_eq!(result["level"], "error");
        assert_eq!(result["properties"]["security-severity"], "9.5");
        assert_eq!(
            run["invocations"][0]["ruleConfigurationOverrides"],
            serde_json::json!([{
                "descriptor": { "id": "weak-cipher-allowed", "index": index },
                "configuration": {
                    "level": "error",
                    "properties": { "severity": "critical", "security-severity": "9.5" }
                }
            }])
        );
        // A code without findings keeps its default.
        let order = &run["tool"]["driver"]["rules"][rule_index(FindingCode::CipherOrderDiffers)];
        assert_eq!(order["properties"]["security-severity"], "3.0");
    }

    #[test]
    fn accepted_risks_are_suppressed_until_their_exception_expires() {
        let mut report = sample::report();
        let findings = report.listeners.iter_mut().flat_map(|l| &mut l.findings);
        let mut findings: Vec<&mut Finding> = findings.collect();
        findings[0].exception = Some(crate::finding::Acceptance {
            reason: "legacy clients until the migration".to_string(),
            expires: "2099-12-31".to_string(),
            expired: false,
        });
        findings[1].exception = Some(crate::finding::Acceptance {
            reason: "old".to_string(),
            expires: "2000-01-01".to_string(),
            expired: true,
        });
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let log: Value = serde_json::from_slice(&out).unwrap();
        let results = log["runs"][0]["results"].as_array().unwrap();
        assert_eq!(
            results[0]["suppressions"],
            serde_json::json!([{
                "kind": "external",
                "status": "accepted",
                "justification": "baseline exception until 2099-12-31 (UTC): legacy clients until the migration"
            }])
        );
        assert_eq!(results[0]["properties"]["exception"]["expired"], false);
        assert!(results[1]["suppressions"].is_null());
        assert_eq!(results[1]["properties"]["exception"]["expired"], true);
        assert!(results[2]["suppressions"].is_null());
        assert!(results[2]["properties"]["exception"].is_null());
    }

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("no-forward-secrecy"), "NoForwardSecrecy");
        assert_eq!(rule_name("not-fips"), "NotFips");
    }
}
