//! The audit report formats read by other programs, checked by other programs: the SARIF log is
//! validated against the official SARIF 2.1.0 JSON schema (`tests/data/sarif-schema-2.1.0.json`)
//! with Python's `jsonschema`, the ASFF findings against the ASFF field rules
//! (`tests/data/asff-finding.schema.json`) and botocore's own Security Hub model (the parameter
//! validation boto3 runs before BatchImportFindings), the OCSF records against the OCSF 1.3.0
//! Detection Finding schema (`tests/data/ocsf-1.3.0-detection-finding.schema.json`), and the JUnit
//! XML is parsed with Python's `xml.etree`, all from the project's `.venv` (created by
//! `scripts/test`; `ELBTLS_TEST_VENV` overrides it).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use elbtls::finding::{Finding, FindingCode, Severity, Verdict};
use elbtls::model::LoadBalancerType;
use elbtls::model::inventory::{FailureReason, Scheme, ScopeFailure};
use elbtls::report::audit::{
    AuditReport, ChangeKind, ChangedFinding, DiffSummary, ListenerChange, ListenerResult,
    ProbeStatus, asff, junit, ocsf, sarif,
};
use serde_json::Value;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn venv_python() -> PathBuf {
    let venv = std::env::var_os("ELBTLS_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run ./scripts/test, which creates .venv (with jsonschema)",
        python.display()
    );
    python
}

/// Runs a Python script from the venv with `input` on stdin; returns (success, stdout + stderr).
fn python(script: &str, args: &[&str], input: &[u8]) -> (bool, String) {
    let mut child = Command::new(venv_python())
        .arg("-c")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the venv's python");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

const VALIDATE_SARIF: &str = r#"
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit("jsonschema is not installed in this venv: run ./scripts/test")
with open(sys.argv[1]) as f:
    schema = json.load(f)
document = json.load(sys.stdin)
validator = jsonschema.validators.validator_for(schema)
validator.check_schema(schema)
errors = list(validator(schema, format_checker=validator.FORMAT_CHECKER).iter_errors(document))
for error in errors:
    print("/".join(map(str, error.absolute_path)) + ": " + error.message)
print(validator.__name__, len(errors), "errors")
sys.exit(1 if errors else 0)
"#;

const PARSE_JUNIT: &str = r#"
import json, sys
import xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
cases = []
for suite in root.findall("testsuite"):
    counted = {k: 0 for k in ("failure", "error", "skipped")}
    members = suite.findall("testcase")
    for case in members:
        children = [c for c in case if c.tag in counted]
        assert len(children) <= 1, case.attrib
        outcome = children[0].tag if children else "passed"
        if children:
            counted[outcome] += 1
        cases.append({
            "suite": suite.get("name"),
            "classname": case.get("classname"),
            "name": case.get("name"),
            "outcome": outcome,
            "type": children[0].get("type") if children else None,
            "message": children[0].get("message") if children else None,
            "text": children[0].text if children else None,
        })
    assert int(suite.get("tests")) == len(members), suite.attrib
    for element, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        assert int(suite.get(attribute)) == counted[element], (element, suite.attrib)
print(json.dumps({
    "root": root.tag,
    "tests": int(root.get("tests")),
    "failures": int(root.get("failures")),
    "errors": int(root.get("errors")),
    "skipped": int(root.get("skipped")),
    "cases": cases,
}))
"#;

fn listener(
    name: &str,
    port: u16,
    protocol: &str,
    policy: Option<&str>,
    findings: Vec<Finding>,
    probe: ProbeStatus,
) -> ListenerResult {
    ListenerResult {
        id: format!(
            "arn:aws:elasticloadbalancing:us-west-2:111122223333:listener/app/{name}/0123456789abcdef/{port}"
        ),
        account: "111122223333".to_string(),
        region: "us-west-2".to_string(),
        load_balancer: name.to_string(),
        lb_type: LoadBalancerType::Application,
        scheme: Scheme::Unknown,
        dns_name: None,
        port,
        protocol: protocol.to_string(),
        declared_policy: policy.map(str::to_string),
        declared_policy_name: policy.map(str::to_string),
        declared_policy_origin: policy.map(|_| "listener".to_string()),
        verdict: Verdict::of(&findings),
        findings,
        probe,
        negotiation_errors: None,
    }
}

fn report() -> AuditReport {
    let probed = || ProbeStatus::Probed {
        protocols: vec!["TLSv1.2".to_string()],
        ciphers: vec![(
            "TLSv1.2".to_string(),
            vec!["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".to_string()],
        )],
        certificates: vec!["ab".repeat(32)],
        leaf_certificates: Vec::new(),
        connections: 9,
    };
    let policy = Some("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let every_code = FindingCode::ALL
        .iter()
        .map(|&code| {
            Finding::new(
                code,
                code.code(),
                format!("<{}> & \"{}\"", code, code.description()),
            )
        })
        .collect();
    AuditReport {
        generated_at: "2025-02-01T00:00:00Z".to_string(),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        baseline: None,
        probed: true,
        listeners: vec![
            listener("ok", 443, "HTTPS", policy, Vec::new(), probed()),
            listener(
                "drifted",
                443,
                "HTTPS",
                policy,
                vec![Finding::new(
                    FindingCode::CipherOrderDiffers,
                    "",
                    "drifted HTTPS:443 prefers AES-256 first, the policy AES-128",
                )],
                probed(),
            ),
            listener(
                "weak",
                8443,
                "HTTPS",
                policy,
                vec![Finding::new(FindingCode::NotFips, "", "weak HTTPS:8443: not a FIPS policy")],
                probed(),
            ),
            listener(
                "silent",
                443,
                "HTTPS",
                policy,
                vec![Finding::new(FindingCode::ProbeFailed, "refused", "silent HTTPS:443 refused the connection")],
                ProbeStatus::Failed,
            ),
            listener("plain", 80, "HTTP", None, Vec::new(), ProbeStatus::Skipped),
            listener("everything", 443, "HTTPS", policy, every_code, probed()),
        ],
        failures: vec![
            ScopeFailure {
                account: "444455556666".to_string(),
                region: None,
                resource: None,
                reason: FailureReason::AssumeRoleFailed,
                message: "AssumeRole on arn:aws:iam::444455556666:role/audit failed: AccessDenied".to_string(),
            },
            ScopeFailure {
                account: "111122223333".to_string(),
                region: Some("us-west-2".to_string()),
                resource: Some("arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/gone/1".to_string()),
                reason: FailureReason::Throttled,
                message: "Rate exceeded".to_string(),
            },
        ],
        diff: Some(DiffSummary {
            previous: "previous.json".to_string(),
            new: vec![ChangedFinding {
                listener: "arn:aws:elasticloadbalancing:us-west-2:111122223333:listener/app/weak/0123456789abcdef/8443".to_string(),
                code: "not-fips".to_string(),
                subject: String::new(),
                message: "weak HTTPS:8443: not a FIPS policy".to_string(),
                severity: "high".to_string(),
            }],
            resolved: Vec::new(),
            changes: vec![ListenerChange {
                listener: "arn:aws:elasticloadbalancing:us-west-2:111122223333:listener/app/weak/0123456789abcdef/8443".to_string(),
                kind: ChangeKind::CipherAccepted,
                before: String::new(),
                after: "TLSv1.2 TLS_RSA_WITH_AES_128_CBC_SHA".to_string(),
            }],
            first_run: false,
        }),
        negotiation_errors_hours: None,
    }
}

fn validate_sarif(document: &[u8]) -> (bool, String) {
    let schema = repo_root().join("tests/data/sarif-schema-2.1.0.json");
    python(VALIDATE_SARIF, &[schema.to_str().unwrap()], document)
}

fn render_sarif(report: &AuditReport) -> Vec<u8> {
    let mut out = Vec::new();
    sarif::render(report, &mut out).unwrap();
    out
}

#[test]
fn sarif_log_is_valid_against_the_official_schema() {
    let document = render_sarif(&report());
    let (valid, output) = validate_sarif(&document);
    assert!(valid, "SARIF log does not validate:\n{output}");
    assert!(output.contains("Draft4Validator 0 errors"), "{output}");

    let log: Value = serde_json::from_slice(&document).unwrap();
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        run["results"].as_array().unwrap().len(),
        3 + FindingCode::ALL.len()
    );
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    assert_eq!(
        run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let probe_failed = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "probe-failed")
        .unwrap();
    assert_eq!(
        probe_failed["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "aws/111122223333/us-west-2/application/silent/443"
    );
}

/// GitHub code scanning's needs, beyond the schema: every rule says what it means and how to fix
/// it, and links to the README; every result sits on a line and ranks as its level says.
fn assert_fit_for_code_scanning(log: &Value) {
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), FindingCode::ALL.len());
    for (rule, code) in rules.iter().zip(FindingCode::ALL) {
        assert_eq!(rule["id"], code.code());
        assert_eq!(rule["shortDescription"]["text"], code.description());
        let full = rule["fullDescription"]["text"].as_str().unwrap();
        assert!(full.len() > code.description().len(), "{full}");
        let help = &rule["help"];
        let remediation = code.remediation();
        assert!(
            help["markdown"]
                .as_str()
                .unwrap()
                .contains(remediation.advice),
            "{}: {help}",
            code
        );
        assert!(!help["text"].as_str().unwrap().is_empty());
        if let Some(commands) = remediation.commands {
            assert!(
                help["markdown"]
                    .as_str()
                    .unwrap()
                    .contains(commands.script())
            );
        }
        assert_eq!(
            rule["helpUri"].as_str().unwrap(),
            sarif::help_uri().unwrap()
        );
    }
    let overrides = &run["invocations"][0]["ruleConfigurationOverrides"];
    for result in run["results"].as_array().unwrap() {
        let physical = &result["locations"][0]["physicalLocation"];
        assert!(physical["artifactLocation"]["uri"].is_string());
        assert_eq!(physical["region"]["startLine"], 1);
        let severity: Severity = result["properties"]["severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(result["level"], sarif::level(severity), "{result}");
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(rule["id"], result["ruleId"]);
        // What GitHub ranks the alert by (the rule's) agrees with the result's own.
        assert_eq!(
            rule["properties"]["security-severity"], result["properties"]["security-severity"],
            "{result}"
        );
        let code: FindingCode = result["ruleId"].as_str().unwrap().parse().unwrap();
        let overridden = overrides
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["descriptor"]["id"] == code.code());
        if severity == code.severity() {
            assert!(overridden.is_none(), "{overridden:?}");
        } else {
            let overridden = overridden.expect("a changed severity is an override");
            assert_eq!(overridden["configuration"]["level"], result["level"]);
        }
    }
}

#[test]
fn sarif_rules_and_results_are_fit_for_code_scanning() {
    let log: Value = serde_json::from_slice(&render_sarif(&report())).unwrap();
    assert_fit_for_code_scanning(&log);
    assert!(log["runs"][0]["invocations"][0]["ruleConfigurationOverrides"].is_null());
}

#[test]
fn baseline_severities_are_valid_and_rank_results_as_their_level() {
    // A baseline's `[severity]` table raises `not-fips` and `negotiation-errors` to critical and
    // lowers `cipher-order-differs` to info.
    let mut raised = report();
    raised.baseline = Some("acme.toml".to_string());
    for finding in raised.listeners.iter_mut().flat_map(|l| &mut l.findings) {
        finding.severity = match finding.code {
            FindingCode::NotFips | FindingCode::NegotiationErrors => Severity::Critical,
            FindingCode::CipherOrderDiffers => Severity::Info,
            _ => finding.severity,
        };
    }
    let document = render_sarif(&raised);
    let (valid, output) = validate_sarif(&document);
    assert!(valid, "SARIF log does not validate:\n{output}");
    let log: Value = serde_json::from_slice(&document).unwrap();
    assert_fit_for_code_scanning(&log);

    let run = &log["runs"][0];
    let rule = |code: &str| {
        run["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == code)
            .unwrap()
    };
    assert_eq!(rule("not-fips")["properties"]["security-severity"], "9.5");
    assert_eq!(
        rule("negotiation-errors")["properties"]["security-severity"],
        "9.5"
    );
    assert!(rule("cipher-order-differs")["properties"]["security-severity"].is_null());
    // Defaults stay what the code says; the run's change is an override.
    assert_eq!(rule("not-fips")["defaultConfiguration"]["level"], "error");
    assert_eq!(
        rule("negotiation-errors")["defaultConfiguration"]["level"],
        "note"
    );
    let overridden: Vec<&str> = run["invocations"][0]["ruleConfigurationOverrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["descriptor"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        overridden,
        ["cipher-order-differs", "not-fips", "negotiation-errors"]
    );
}

#[test]
fn accepted_risks_are_valid_suppressions() {
    let mut accepted = report();
    for listener in &mut accepted.listeners {
        for finding in &mut listener.findings {
            finding.exception = Some(elbtls::finding::Acceptance {
                reason: format!("<{}> accepted & \"reviewed\"", listener.load_balancer),
                expires: "2099-12-31".to_string(),
                expired: listener.load_balancer == "weak",
            });
        }
    }
    let document = render_sarif(&accepted);
    let (valid, output) = validate_sarif(&document);
    assert!(valid, "SARIF log does not validate:\n{output}");
    let log: Value = serde_json::from_slice(&document).unwrap();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let expired = result["properties"]["exception"]["expired"]
            .as_bool()
            .unwrap();
        if expired {
            assert!(result["suppressions"].is_null(), "{result}");
        } else {
            assert_eq!(result["suppressions"][0]["status"], "accepted");
            assert_eq!(result["suppressions"][0]["kind"], "external");
        }
    }
}

#[test]
fn the_readme_lists_every_finding_code_where_help_uri_points() {
    let uri = sarif::help_uri().expect("Cargo.toml names the repository");
    let anchor = uri.split_once('#').unwrap().1;
    assert_eq!(anchor, sarif::HELP_ANCHOR);
    let readme = std::fs::read_to_string(repo_root().join("README.md")).unwrap();
    // GitHub's anchor for a heading: lower case, spaces as hyphens.
    let (_, section) = readme
        .split_once("\n## Finding codes\n")
        .expect("README has a `## Finding codes` section");
    let section = section.split("\n## ").next().unwrap();
    assert_eq!("finding codes".replace(' ', "-"), anchor);
    for code in FindingCode::ALL {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| `{}` |", code.code())))
            .unwrap_or_else(|| panic!("no row for `{code}` in README's Finding codes"));
        let remediation = code.remediation();
        assert!(
            row.contains(&format!(
                "| {} | {} | {} |",
                match code.category() {
                    elbtls::finding::Category::Drift => "drift",
                    elbtls::finding::Category::Baseline => "baseline",
                    elbtls::finding::Category::Unverified => "unverified",
                    elbtls::finding::Category::Traffic => "traffic",
                },
                code.severity(),
                remediation.advice
            )),
            "README row for `{code}` differs from the registry:\n{row}\nexpected advice: {}",
            remediation.advice
        );
        if let Some(commands) = remediation.commands {
            assert!(
                row.contains(commands.title()),
                "README row for `{code}` should name the commands \"{}\"",
                commands.title()
            );
        }
    }
    for commands in elbtls::finding::Commands::ALL {
        assert!(
            section.contains(&format!("```sh\n{}\n```", commands.script())),
            "README's Finding codes lacks the commands \"{}\" as the registry has them:\n{}",
            commands.title(),
            commands.script()
        );
    }
}

#[test]
fn an_empty_complete_audit_is_valid_and_successful() {
    let mut empty = report();
    empty.listeners.clear();
    empty.failures.clear();
    empty.diff = None;
    let document = render_sarif(&empty);
    let (valid, output) = validate_sarif(&document);
    assert!(valid, "{output}");
    let log: Value = serde_json::from_slice(&document).unwrap();
    assert_eq!(
        log["runs"][0]["invocations"][0]["executionSuccessful"],
        true
    );
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_validator_rejects_a_broken_log() {
    let mut log: Value = serde_json::from_slice(&render_sarif(&report())).unwrap();
    log["runs"][0]["results"][0]["level"] = "fatal".into();
    log["runs"][0]["tool"]["driver"]
        .as_object_mut()
        .unwrap()
        .remove("name");
    let (valid, output) = validate_sarif(&serde_json::to_vec(&log).unwrap());
    assert!(!valid, "{output}");
    assert!(output.contains("runs/0/results/0/level"), "{output}");
    assert!(output.contains("'name' is a required property"), "{output}");
}

/// Validates each JSON document of a list (stdin: a JSON array) against the schema in argv[1].
const VALIDATE_EACH: &str = r#"
import json, sys
import jsonschema
with open(sys.argv[1]) as f:
    schema = json.load(f)
documents = json.load(sys.stdin)
validator = jsonschema.validators.validator_for(schema)
validator.check_schema(schema)
errors = 0
for index, document in enumerate(documents):
    for error in validator(schema, format_checker=validator.FORMAT_CHECKER).iter_errors(document):
        errors += 1
        print(f"{index}: " + "/".join(map(str, error.absolute_path)) + ": " + error.message)
print(validator.__name__, len(documents), "documents", errors, "errors")
sys.exit(1 if errors else 0)
"#;

/// botocore's validation of BatchImportFindings input (types, required members, enumerations,
/// list sizes) on the findings of stdin, 100 a call.
const BOTOCORE_IMPORT: &str = r#"
import json, sys
import botocore.session
from botocore.validate import ParamValidator
model = botocore.session.get_session().get_service_model("securityhub")
shape = model.operation_model("BatchImportFindings").input_shape
findings = json.load(sys.stdin)
failed = 0
for start in range(0, len(findings), 100):
    report = ParamValidator().validate({"Findings": findings[start:start + 100]}, shape)
    if report.has_errors():
        failed += 1
        print(report.generate_report())
print("botocore", len(findings), "findings", failed, "failed batches")
sys.exit(1 if failed else 0)
"#;

fn validate_each(schema: &str, documents: &[Value]) -> (bool, String) {
    let schema = repo_root().join("tests/data").join(schema);
    python(
        VALIDATE_EACH,
        &[schema.to_str().unwrap()],
        &serde_json::to_vec(documents).unwrap(),
    )
}

fn asff_findings(report: &AuditReport) -> Vec<Value> {
    let mut out = Vec::new();
    asff::render(report, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

fn ocsf_records(report: &AuditReport) -> Vec<Value> {
    let mut out = Vec::new();
    ocsf::render(report, &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

/// A report whose texts are as long as AWS allows them to be, to push every ASFF length limit.
fn long_report() -> AuditReport {
    let mut long = report();
    for l in &mut long.listeners {
        l.load_balancer = format!("{}-{}", l.load_balancer, "n".repeat(26));
        for f in &mut l.findings {
            f.subject = format!("CN={}", "s".repeat(700));
            f.message = "m \u{1b}[31m ".repeat(400);
        }
    }
    long
}

#[test]
fn asff_findings_follow_the_field_rules_and_botocores_model() {
    for report in [report(), long_report()] {
        let findings = asff_findings(&report);
        let listener_findings: usize = report.listeners.iter().map(|l| l.findings.len()).sum();
        assert_eq!(findings.len(), listener_findings + report.failures.len());
        let (valid, output) = validate_each("asff-finding.schema.json", &findings);
        assert!(valid, "ASFF findings break the field rules:\n{output}");
        assert!(output.contains("Draft7Validator"), "{output}");
        let (valid, output) = python(
            BOTOCORE_IMPORT,
            &[],
            &serde_json::to_vec(&findings).unwrap(),
        );
        assert!(valid, "botocore refuses the findings:\n{output}");
        let ids: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f["Id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), findings.len(), "stable ids are unique");
    }
    // Every code's finding, with its severity mapped and its remediation.
    let findings = asff_findings(&report());
    for &code in FindingCode::ALL {
        let finding = findings
            .iter()
            .find(|f| {
                f["GeneratorId"] == format!("elbtls/{code}")
                    && f["ProductFields"]["elbtls/listener"]
                        .as_str()
                        .is_some_and(|l| l.contains("/everything/"))
            })
            .unwrap_or_else(|| panic!("no ASFF finding for {code}"));
        let label = match code.severity() {
            Severity::Info => "INFORMATIONAL",
            Severity::Low => "LOW",
            Severity::Medium => "MEDIUM",
            Severity::High => "HIGH",
            Severity::Critical => "CRITICAL",
        };
        assert_eq!(finding["Severity"]["Label"], label, "{code}");
        assert!(
            finding["Remediation"]["Recommendation"]["Url"]
                .as_str()
                .unwrap()
                .ends_with("#finding-codes")
        );
    }
    // The unreadable account (AssumeRole failed) is a finding too, never silently absent.
    assert!(
        findings
            .iter()
            .any(|f| f["GeneratorId"] == "elbtls/inventory-failed"
                && f["AwsAccountId"] == "444455556666")
    );
}

#[test]
fn ocsf_records_are_valid_detection_findings() {
    for report in [report(), long_report()] {
        let records = ocsf_records(&report);
        let (valid, output) = validate_each("ocsf-1.3.0-detection-finding.schema.json", &records);
        assert!(valid, "OCSF records do not validate:\n{output}");
        let findings: usize = report.listeners.iter().map(|l| l.findings.len()).sum();
        let resolved = report.diff.as_ref().map_or(0, |d| d.resolved.len());
        assert_eq!(records.len(), findings + report.failures.len() + resolved);
    }
    let records = ocsf_records(&report());
    // With --diff: the new finding is created, the others updated.
    let activity = |code: &str, listener: &str| {
        records
            .iter()
            .find(|r| {
                r["unmapped"]["code"] == code
                    && r["unmapped"]["listener"]
                        .as_str()
                        .is_some_and(|l| l.contains(listener))
            })
            .map(|r| r["activity_name"].clone())
    };
    assert_eq!(activity("not-fips", "/weak/"), Some("Create".into()));
    assert_eq!(
        activity("cipher-order-differs", "/drifted/"),
        Some("Update".into())
    );
    for r in &records {
        assert_eq!(r["cloud"]["provider"], "AWS");
        assert_eq!(r["metadata"]["product"]["name"], "elbtls");
    }
}

#[test]
fn the_asff_and_ocsf_validators_reject_broken_documents() {
    let mut finding = asff_findings(&report()).remove(0);
    finding["Title"] = Value::from("t".repeat(257));
    finding["Types"] = serde_json::json!(["Checks/Whatever"]);
    finding.as_object_mut().unwrap().remove("Resources");
    let (valid, output) = validate_each("asff-finding.schema.json", &[finding]);
    assert!(!valid, "{output}");
    assert!(output.contains("0: Title"), "{output}");
    assert!(output.contains("0: Types/0"), "{output}");
    assert!(
        output.contains("'Resources' is a required property"),
        "{output}"
    );

    let mut record = ocsf_records(&report()).remove(0);
    record["type_uid"] = Value::from(200403);
    record["severity_id"] = Value::from(7);
    record.as_object_mut().unwrap().remove("cloud");
    record["finding_info"]
        .as_object_mut()
        .unwrap()
        .remove("uid");
    let (valid, output) = validate_each("ocsf-1.3.0-detection-finding.schema.json", &[record]);
    assert!(!valid, "{output}");
    for expected in [
        "0: type_uid",
        "0: severity_id",
        "'cloud' is a required property",
        "'uid' is a required property",
    ] {
        assert!(output.contains(expected), "{expected}: {output}");
    }
}

#[test]
fn junit_xml_parses_with_one_test_per_listener_and_failure() {
    let mut out = Vec::new();
    junit::render(&report(), &mut out).unwrap();
    let (ok, output) = python(PARSE_JUNIT, &[], &out);
    assert!(ok, "JUnit XML does not parse:\n{output}");
    let parsed: Value = serde_json::from_str(&output).unwrap();
    assert_eq!(parsed["root"], "testsuites");
    assert_eq!(parsed["tests"], 8);
    assert_eq!(parsed["failures"], 3);
    assert_eq!(parsed["errors"], 3);
    assert_eq!(parsed["skipped"], 1);

    let cases = parsed["cases"].as_array().unwrap();
    let outcome = |classname: &str| {
        let case = cases.iter().find(|c| c["classname"] == classname).unwrap();
        (case["outcome"].as_str().unwrap(), case["type"].as_str())
    };
    assert_eq!(outcome("ok"), ("passed", None));
    assert_eq!(
        outcome("drifted"),
        ("failure", Some("cipher-order-differs"))
    );
    assert_eq!(outcome("weak"), ("failure", Some("not-fips")));
    assert_eq!(outcome("silent"), ("error", Some("probe-failed")));
    assert_eq!(outcome("plain"), ("skipped", None));
    assert_eq!(
        outcome("everything"),
        ("failure", Some("certificate-expired"))
    );
    assert_eq!(
        outcome("444455556666 (every region)"),
        ("error", Some("assume-role-failed"))
    );
    assert_eq!(
        outcome("arn:aws:elasticloadbalancing:us-west-2:111122223333:loadbalancer/app/gone/1"),
        ("error", Some("throttled"))
    );

    // Every finding is listed, with markup and quotes intact after parsing.
    let everything = cases
        .iter()
        .find(|c| c["classname"] == "everything")
        .unwrap();
    let text = everything["text"].as_str().unwrap();
    assert_eq!(text.lines().count(), FindingCode::ALL.len());
    assert!(
        text.contains("<plaintext-listener> & \"An HTTP listener does not redirect to HTTPS.\""),
        "{text}"
    );
    assert_eq!(everything["name"], "HTTPS:443");
    assert_eq!(everything["suite"], "111122223333/us-west-2");
}
