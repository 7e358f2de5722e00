//! The scheduled-run recipes in `examples/` are files people copy, so they are checked like code:
//!
//! - the IAM policy allows exactly the AWS actions elbtls calls — derived from the source (every
//!   AWS SDK operation the code sends, named as the SDK crate names it, under the crate's signing
//!   name; the CloudWatch call signed by hand; the role assumed for `--role-arn`), so a new call
//!   without a policy entry, or an entry nothing calls, fails here;
//! - the GitHub Actions workflow parses (PyYAML from the test venv) and wires OIDC, the audit, the
//!   SARIF upload and the previous report for `--diff` together;
//! - every `elbtls` command in the recipes uses flags the binary has, and the shell scripts pass
//!   `bash -n`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::support::moto::venv_python;

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The text between `start` and the next `"` after each occurrence of `start`.
fn quoted_after<'a>(text: &'a str, start: &str) -> Vec<&'a str> {
    text.match_indices(start)
        .filter_map(|(at, _)| {
            let rest = &text[at + start.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// The IAM service prefix of a SigV4 signing name, where the two differ.
fn iam_prefix(signing_name: &str) -> &str {
    match signing_name {
        "monitoring" => "cloudwatch",
        other => other,
    }
}

/// One AWS SDK crate elbtls depends on: its IAM prefix and its operations, by the name of the
/// fluent method that starts each (`describe_ssl_policies` → `DescribeSSLPolicies`).
struct SdkCrate {
    name: String,
    prefix: String,
    operations: BTreeMap<String, String>,
}

/// The `aws-sdk-*` crates elbtls depends on, read from their sources (`cargo metadata` says where).
fn sdk_crates() -> Vec<SdkCrate> {
    // Only this platform's packages: the others (Windows-only crates) need not be downloaded,
    // and on a fresh machine they are not.
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("run rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .expect("rustc -vV names the host");
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", &host])
        .arg("--manifest-path")
        .arg(repo_root().join("Cargo.toml"))
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo metadata");
    assert!(output.status.success(), "cargo metadata failed");
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let elbtls = packages.iter().find(|p| p["name"] == "elbtls").unwrap();
    let resolved = &metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == elbtls["id"])
        .unwrap()["deps"];
    let mut crates = Vec::new();
    for dep in resolved.as_array().unwrap() {
        let package = packages.iter().find(|p| p["id"] == dep["pkg"]).unwrap();
        let name = package["name"].as_str().unwrap();
        if !name.starts_with("aws-sdk-") {
            continue;
        }
        let root = Path::new(package["manifest_path"].as_str().unwrap())
            .parent()
            .unwrap()
            .join("src");
        let config = read(&root.join("config.rs"));
        let signing: BTreeSet<&str> = quoted_after(&config, "SigningName::from_static(\"")
            .into_iter()
            .collect();
        assert_eq!(signing.len(), 1, "{name}: signing names {signing:?}");
        let mut operations = BTreeMap::new();
        for entry in std::fs::read_dir(root.join("operation")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let method = path.file_stem().unwrap().to_str().unwrap().to_string();
            let text = read(&path);
            let names: BTreeSet<&str> = quoted_after(&text, ".operation_name(\"")
                .into_iter()
                .collect();
            assert_eq!(
                names.len(),
                1,
                "{}: operation names {names:?}",
                path.display()
            );
            operations.insert(method, names.first().unwrap().to_string());
        }
        assert!(!operations.is_empty(), "{name}: no operations found");
        crates.push(SdkCrate {
            name: name.to_string(),
            prefix: iam_prefix(signing.first().unwrap()).to_string(),
            operations,
        });
    }
    crates
}

/// `.METHOD(` calls in `source` that are followed by `.send()` in the same statement.
fn sent_calls<'a>(source: &str, methods: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for method in methods {
        for (at, _) in source.match_indices(&format!(".{method}(")) {
            let statement = &source[at..];
            let statement = &statement[..statement.find(';').unwrap_or(statement.len())];
            if statement.contains(".send()") {
                found.insert(method.to_string());
            }
        }
    }
    found
}

/// JSON-protocol targets (`GraniteServiceVersion20100801.GetMetricData`) in string literals:
/// a service id holding a date, a dot, an operation.
fn json_targets(source: &str) -> Vec<(String, String)> {
    source
        .split('"')
        .filter_map(|literal| {
            let (service, operation) = literal.split_once('.')?;
            let has_date = service
                .as_bytes()
                .windows(8)
                .any(|w| w.iter().all(u8::is_ascii_digit));
            let is_name = |s: &str| {
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            };
            (has_date
                && is_name(service)
                && is_name(operation)
                && operation.starts_with(|c: char| c.is_ascii_uppercase()))
            .then(|| (service.to_string(), operation.to_string()))
        })
        .collect()
}

/// What `aws_config` may be used for without making an AWS call of its own: configuration types,
/// the default chain (whose calls fetch credentials: not the policy's business), and the one
/// provider elbtls builds itself (`AssumeRoleProvider`, for `--role-arn`).
const AWS_CONFIG_ITEMS: &[&str] = &[
    "SdkConfig",
    "BehaviorVersion",
    "Region",
    "defaults",
    "sts::AssumeRoleProvider",
];

/// Every AWS action (`service:Operation`) the code under `src/` calls, with where it was seen.
fn called_actions() -> BTreeMap<String, BTreeSet<String>> {
    let crates = sdk_crates();
    let names: BTreeSet<&str> = crates.iter().map(|c| c.name.as_str()).collect();
    assert!(
        names.contains("aws-sdk-elasticloadbalancingv2") && names.contains("aws-sdk-sts"),
        "the SDK crates were not found: {names:?}"
    );
    let mut actions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let src = repo_root().join("src");
    for file in rust_files(&src) {
        let source = read(&file);
        let shown = file
            .strip_prefix(repo_root())
            .unwrap()
            .display()
            .to_string();
        let mut add = |action: String| {
            actions.entry(action).or_default().insert(shown.clone());
        };

        let methods: BTreeSet<&str> = crates
            .iter()
            .flat_map(|c| c.operations.keys().map(String::as_str))
            .collect();
        for method in sent_calls(&source, methods.into_iter()) {
            let owners: BTreeSet<String> = crates
                .iter()
                .filter_map(|c| {
                    c.operations
                        .get(&method)
                        .map(|op| format!("{}:{op}", c.prefix))
                })
                .collect();
            assert_eq!(
                owners.len(),
                1,
                "{shown}: `.{method}()` is an operation of several services ({owners:?}): \
                 tell them apart here"
            );
            add(owners.into_iter().next().unwrap());
        }

        // Operations signed by hand (`aws::json_rpc`) are declared where they are made, as an
        // `Rpc { signing_name: "…", target: … }` with the JSON target in the same file, or a
        // REST-JSON `Rest { signing_name: "…", operation: "…", … }`.
        if source.contains("signing_name: \"") {
            let signing: BTreeSet<&str> = quoted_after(&source, "signing_name: \"")
                .into_iter()
                .collect();
            let mut targets = json_targets(&source);
            targets.extend(
                quoted_after(&source, "operation: \"")
                    .into_iter()
                    // `operation: "organizations:ListAccounts"` in an error names an action.
                    .filter(|op| op.bytes().all(|b| b.is_ascii_alphanumeric()))
                    .map(|op| (String::new(), op.to_string())),
            );
            assert!(
                signing.len() == 1 && !targets.is_empty(),
                "{shown} makes hand-signed calls: expected one signing name (`signing_name: \
                 \"…\"`) and its JSON targets, found {signing:?} and {targets:?}"
            );
            let prefix = iam_prefix(signing.first().unwrap());
            for (_, operation) in targets {
                add(format!("{prefix}:{operation}"));
            }
        }

        if source.contains("AssumeRoleProvider::builder") {
            add("sts:AssumeRole".to_string());
        }
        for (at, _) in source.match_indices("aws_config::") {
            let path = &source[at + "aws_config::".len()..];
            let items: Vec<&str> = if let Some(group) = path.strip_prefix('{') {
                group[..group.find('}').unwrap()]
                    .split(',')
                    .map(str::trim)
                    .collect()
            } else {
                let end = path
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(path.len());
                let item = path[..end].trim_end_matches("::");
                // `Region::new` names the type.
                vec![item.strip_suffix("::new").unwrap_or(item)]
            };
            for item in items {
                assert!(
                    AWS_CONFIG_ITEMS.contains(&item),
                    "{shown} uses aws_config::{item}: if it calls AWS, teach this test its \
                     action; else add it to AWS_CONFIG_ITEMS"
                );
            }
        }
    }
    actions
}

/// The actions an IAM policy document allows.
fn policy_actions(policy: &Value) -> BTreeMap<String, Value> {
    assert_eq!(policy["Version"], "2012-10-17");
    let mut actions = BTreeMap::new();
    for statement in policy["Statement"].as_array().unwrap() {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        assert!(statement.get("NotAction").is_none() && statement.get("NotResource").is_none());
        let listed = match &statement["Action"] {
            Value::String(action) => vec![action.clone()],
            Value::Array(list) => list
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
            other => panic!("Action: {other}"),
        };
        for action in listed {
            assert!(!action.contains('*'), "no wildcard actions: {action}");
            let previous = actions.insert(action.clone(), statement["Resource"].clone());
            assert!(previous.is_none(), "{action} is listed twice");
        }
    }
    actions
}

#[test]
fn the_iam_policy_allows_exactly_the_actions_elbtls_calls() {
    let called = called_actions();
    let policy: Value = serde_json::from_str(&read(
        &repo_root().join("examples/iam/elbtls-readonly.json"),
    ))
    .expect("examples/iam/elbtls-readonly.json is JSON");
    let allowed = policy_actions(&policy);

    let missing: Vec<String> = called
        .iter()
        .filter(|(action, _)| !allowed.contains_key(*action))
        .map(|(action, files)| format!("{action} (called in {files:?})"))
        .collect();
    let unused: Vec<&String> = allowed
        .keys()
        .filter(|a| !called.contains_key(*a))
        .collect();
    assert!(
        missing.is_empty() && unused.is_empty(),
        "examples/iam/elbtls-readonly.json must allow exactly what elbtls calls.\n\
         called but not allowed: {missing:#?}\nallowed but never called: {unused:#?}"
    );

    // What the derivation found today, so a broken derivation cannot pass unseen.
    for action in [
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeSSLPolicies",
        "elasticloadbalancing:DescribeLoadBalancerPolicies",
        "cloudwatch:GetMetricData",
        "securityhub:BatchImportFindings",
        "securityhub:GetFindings",
        "sts:GetCallerIdentity",
        "sts:AssumeRole",
        "account:ListRegions",
    ] {
        assert!(
            called.contains_key(action),
            "{action} not derived: {called:#?}"
        );
    }

    // Least privilege: reads on every resource, roles assumed only by name, and one write: the
    // findings `audit --security-hub` imports.
    for (action, resource) in &allowed {
        let operation = action.split_once(':').unwrap().1;
        if action == "securityhub:BatchImportFindings" {
            continue;
        }
        if action == "sts:AssumeRole" {
            let role = resource.as_str().unwrap();
            assert!(
                role.starts_with("arn:aws:iam::") && role.contains(":role/"),
                "{role}"
            );
        } else {
            assert!(
                ["Describe", "List", "Get"]
                    .iter()
                    .any(|p| operation.starts_with(p)),
                "{action} is not a read"
            );
        }
    }
}

#[test]
fn the_derivation_finds_sent_calls_and_json_targets() {
    let source = "let page = client\n    .describe_listeners()\n    .listener_arns(arn)\n    .send()\n    .await;\n\
                  let n = list.describe_tags_count(); let x = other.list_regions().len();";
    let found = sent_calls(source, ["describe_listeners", "list_regions"].into_iter());
    assert_eq!(found, BTreeSet::from(["describe_listeners".to_string()]));
    assert_eq!(
        json_targets(
            r#"const TARGET: &str = "GraniteServiceVersion20100801.GetMetricData"; let v = "1.2";"#
        ),
        [(
            "GraniteServiceVersion20100801".to_string(),
            "GetMetricData".to_string()
        )]
    );
}

#[test]
fn the_trust_policy_is_for_github_oidc() {
    let trust: Value = serde_json::from_str(&read(
        &repo_root().join("examples/iam/github-oidc-trust.json"),
    ))
    .unwrap();
    let statement = &trust["Statement"][0];
    assert_eq!(statement["Action"], "sts:AssumeRoleWithWebIdentity");
    let condition = &statement["Condition"]["StringEquals"];
    assert_eq!(
        condition["token.actions.githubusercontent.com:aud"],
        "sts.amazonaws.com"
    );
    assert!(
        condition["token.actions.githubusercontent.com:sub"]
            .as_str()
            .unwrap()
            .starts_with("repo:")
    );
}

/// The workflow as JSON, parsed by PyYAML (YAML 1.1 reads the key `on` as true: put it back).
fn workflow() -> Value {
    let path = repo_root().join("examples/github-actions/elbtls-nightly.yml");
    let mut document = yaml_documents(&path).remove(0);
    let map = document.as_object_mut().expect("the workflow is a mapping");
    if let Some(on) = map.remove("true") {
        map.insert("on".to_string(), on);
    }
    document
}

fn steps(workflow: &Value) -> &Vec<Value> {
    workflow["jobs"]["audit"]["steps"].as_array().unwrap()
}

/// The position and the step that uses `action` (`owner/repo[/path]`, any version).
fn step_using<'a>(steps: &'a [Value], action: &str) -> (usize, &'a Value) {
    steps
        .iter()
        .enumerate()
        .find(|(_, s)| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.split('@').next() == Some(action))
        })
        .unwrap_or_else(|| panic!("no step uses {action}"))
}

/// Shell lines with their `\` continuations joined.
fn joined_lines(script: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        match line.trim_end().strip_suffix('\\') {
            Some(head) => current.push_str(head),
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    lines
}

/// Each `elbtls` command line in `script`, as words (quotes removed).
fn elbtls_commands(script: &str) -> Vec<Vec<String>> {
    joined_lines(script)
        .into_iter()
        .filter(|l| l.trim_start().starts_with("elbtls "))
        .map(|l| {
            l.split_whitespace()
                .take_while(|w| !w.starts_with("||") && !w.starts_with('#'))
                .map(|w| w.trim_matches('"').to_string())
                .collect()
        })
        .collect()
}

/// The value after `flag` in `words`.
fn flag_value<'a>(words: &'a [String], flag: &str) -> Option<&'a str> {
    words
        .iter()
        .position(|w| w == flag)
        .map(|i| words[i + 1].as_str())
}

/// The file an `elbtls audit` command writes the `format` report to: `-o FORMAT=FILE`
/// (`--output FORMAT=FILE`), or `--format FORMAT --output FILE`.
fn output_of(words: &[String], format: &str) -> Option<String> {
    let prefix = format!("{format}=");
    let mut plain = None;
    for output in words
        .windows(2)
        .filter(|w| w[0] == "-o" || w[0] == "--output")
        .map(|w| w[1].as_str())
    {
        if let Some(file) = output.strip_prefix(&prefix) {
            return Some(file.trim_matches('"').to_string());
        }
        if !output.contains('=') {
            plain = Some(output.to_string());
        }
    }
    plain.filter(|_| flag_value(words, "--format") == Some(format))
}

/// Checks every flag (and `--format` value) of an `elbtls` command against the binary's help.
fn assert_known_flags(words: &[String], origin: &str) {
    // `report merge|render` is two words deep.
    let depth = if words[1] == "report" { 2 } else { 1 };
    let subcommand = &words[1..=depth].join(" ");
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(&words[1..=depth])
        .arg("--help")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{origin}: `elbtls {subcommand}` is no command"
    );
    let help = String::from_utf8(output.stdout).unwrap();
    let known: BTreeSet<&str> = help
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| w.starts_with('-') && w.len() > 1)
        .collect();
    for word in words.iter().filter(|w| w.starts_with('-') && w.len() > 1) {
        let flag = word.split('=').next().unwrap();
        assert!(
            known.contains(flag),
            "{origin}: elbtls {subcommand} has no {flag}"
        );
    }
    let formats = flag_value(words, "--format").into_iter().chain(
        words
            .windows(2)
            .filter(|w| w[0] == "-o" || w[0] == "--output")
            .filter_map(|w| w[1].split_once('=').map(|(format, _)| format)),
    );
    for format in formats {
        assert!(
            // `--help` lists the values as `- NAME: description`.
            help.contains(&format!("\n          - {format}:")),
            "{origin}: elbtls {subcommand} has no format {format}"
        );
    }
}

fn bash_syntax_ok(script: &str, origin: &str) {
    let Ok(mut child) = Command::new("bash")
        .arg("-n")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    else {
        eprintln!("bash is not installed: {origin} was not syntax-checked");
        return;
    };
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{origin}: bash -n: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn the_workflow_runs_nightly_with_oidc_and_uploads_sarif() {
    let workflow = workflow();
    let cron = workflow["on"]["schedule"][0]["cron"].as_str().unwrap();
    assert_eq!(cron.split_whitespace().count(), 5, "{cron}");
    assert!(cron.ends_with("* * *"), "every night: {cron}");
    let permissions = &workflow["permissions"];
    assert_eq!(permissions["id-token"], "write");
    assert_eq!(permissions["security-events"], "write");
    assert_eq!(permissions["contents"], "read");

    let steps = steps(&workflow);
    for step in steps {
        assert!(
            step["uses"].is_string() != step["run"].is_string(),
            "a step either uses an action or runs a script: {step}"
        );
        if let Some(uses) = step["uses"].as_str() {
            assert!(uses.contains('@'), "{uses}: pin a version");
        }
        if let Some(script) = step["run"].as_str() {
            // Expressions go through `env:`, never into a script (GitHub's script-injection advice).
            assert!(!script.contains("${{"), "{script}");
            bash_syntax_ok(script, &format!("step `{}`", step["name"]));
        }
    }

    let (credentials_at, credentials) = step_using(steps, "aws-actions/configure-aws-credentials");
    assert!(credentials["with"]["role-to-assume"].is_string());
    assert!(
        credentials["with"].get("aws-access-key-id").is_none(),
        "OIDC, no stored keys"
    );

    let (audit_at, audit) = steps
        .iter()
        .enumerate()
        .find(|(_, s)| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("elbtls audit"))
        })
        .expect("a step runs elbtls audit");
    assert!(credentials_at < audit_at);
    let script = audit["run"].as_str().unwrap();
    let commands = elbtls_commands(script);
    assert_eq!(
        commands.len(),
        1,
        "one probe run for every report: {commands:?}"
    );
    let command = &commands[0];
    assert_known_flags(command, "the workflow");
    let output_of = |format: &str| {
        output_of(command, format)
            .unwrap_or_else(|| panic!("the audit writes no {format} report: {command:?}"))
    };

    let (upload_at, upload) = step_using(steps, "github/codeql-action/upload-sarif");
    assert!(audit_at < upload_at);
    assert_eq!(
        upload["with"]["sarif_file"].as_str(),
        Some(output_of("sarif").as_str())
    );
    assert!(upload["if"].as_str().unwrap().contains("always()"));

    // Tonight's JSON report is cached where tomorrow's run restores it from, and --diff reads it.
    let json = output_of("json");
    let (restore_at, restore) = step_using(steps, "actions/cache/restore");
    let (save_at, save) = step_using(steps, "actions/cache/save");
    assert!(restore_at < audit_at && audit_at < save_at);
    assert_eq!(restore["with"]["path"].as_str(), Some(json.as_str()));
    assert_eq!(save["with"]["path"].as_str(), Some(json.as_str()));
    let prefix = restore["with"]["restore-keys"].as_str().unwrap();
    assert!(save["with"]["key"].as_str().unwrap().starts_with(prefix));
    let previous = flag_value(command, "--diff").expect("the audit compares with --diff");
    assert!(
        script.contains(&format!("mv {json} {previous}")),
        "the restored report is what --diff reads: {script}"
    );
}

#[test]
fn the_eventbridge_container_runs_a_checked_script() {
    let dir = repo_root().join("examples/eventbridge");
    let dockerfile = read(&dir.join("Dockerfile"));
    assert!(dockerfile.contains("cargo build --release --locked --bin elbtls"));
    let copied = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("COPY examples/"))
        .expect("the Dockerfile copies the task's script");
    let script_path = repo_root()
        .join("examples")
        .join(copied.split_whitespace().next().unwrap());
    let script = read(&script_path);
    assert!(script.starts_with("#!/bin/bash\n"));
    bash_syntax_ok(&script, "run-audit.sh");
    let commands = elbtls_commands(&script);
    assert_eq!(
        commands.len(),
        1,
        "one probe run for every report: {commands:?}"
    );
    let command = &commands[0];
    assert_known_flags(command, "run-audit.sh");
    assert!(flag_value(command, "--diff").is_some());
    for format in ["json", "sarif"] {
        let file = output_of(command, format).unwrap_or_else(|| panic!("no {format} report"));
        let name = file.rsplit('/').next().unwrap();
        assert!(
            script.contains("for report in elbtls.json elbtls.sarif") && script.contains(name),
            "run-audit.sh stores {file} in S3"
        );
    }
    assert!(read(&dir.join("README.md")).contains("../iam/elbtls-readonly.json"));
}

#[test]
fn the_readme_points_to_the_recipes() {
    let readme = read(&repo_root().join("README.md"));
    for path in [
        "examples/github-actions/elbtls-nightly.yml",
        "examples/eventbridge/README.md",
        "examples/iam/elbtls-readonly.json",
        "examples/kubernetes/elbtls-indexed-job.yaml",
        "examples/aws-batch/README.md",
        "examples/step-functions/state-machine.json",
    ] {
        assert!(
            readme.contains(&format!("]({path})")),
            "README does not link {path}"
        );
        assert!(repo_root().join(path).exists(), "{path}");
    }
}

/// The YAML documents of a file, as JSON (PyYAML in the test venv).
fn yaml_documents(path: &Path) -> Vec<Value> {
    const TO_JSON: &str = r#"
import json, sys
try:
    import yaml
except ImportError:
    sys.exit("PyYAML is not installed in this venv: run ./scripts/test")
print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1])))))
"#;
    let output = Command::new(venv_python())
        .arg("-c")
        .arg(TO_JSON)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{} does not parse: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Issue 13: the Kubernetes recipe is an Indexed Job whose parts match `--shard-count`, each
/// writing a report the merge Job then reads from the same volume.
#[test]
fn the_kubernetes_recipe_splits_the_audit_and_merges_it() {
    let path = repo_root().join("examples/kubernetes/elbtls-indexed-job.yaml");
    let docs = yaml_documents(&path);
    assert_eq!(docs.len(), 2, "an audit Job and a merge Job");
    let (audit, merge) = (&docs[0], &docs[1]);
    assert_eq!(audit["kind"], "Job");
    assert_eq!(audit["spec"]["completionMode"], "Indexed");
    let parts = audit["spec"]["completions"].as_u64().unwrap();
    assert_eq!(audit["spec"]["parallelism"].as_u64(), Some(parts));
    let script = |job: &Value| {
        job["spec"]["template"]["spec"]["containers"][0]["args"][0]
            .as_str()
            .unwrap()
            .to_string()
    };
    let claim = |job: &Value| job["spec"]["template"]["spec"]["volumes"][0].clone();
    assert_eq!(
        claim(audit),
        claim(merge),
        "one volume for the parts and the merge"
    );

    let audit_script = script(audit);
    bash_syntax_ok(&audit_script, "the audit Job");
    let commands = elbtls_commands(&audit_script);
    assert_eq!(commands.len(), 1, "{audit_script}");
    let words = &commands[0];
    assert_known_flags(words, "the audit Job");
    assert_eq!(flag_value(words, "--shard"), Some("auto"));
    assert_eq!(
        flag_value(words, "--shard-count"),
        Some(parts.to_string().as_str())
    );
    let part = output_of(words, "json").expect("each part writes JSON");
    assert!(part.contains("${JOB_COMPLETION_INDEX}"), "{part}");

    let merge_script = script(merge);
    bash_syntax_ok(&merge_script, "the merge Job");
    let commands = elbtls_commands(&merge_script);
    let words = &commands[0];
    assert_eq!(words[1..3], ["report", "merge"]);
    assert_known_flags(words, "the merge Job");
    let pattern = part.replace("${JOB_COMPLETION_INDEX}", "*");
    assert!(
        words.contains(&pattern),
        "the merge reads {pattern}: {words:?}"
    );
}

/// The AWS Batch array job: each child one part (`AWS_BATCH_JOB_ARRAY_INDEX`), its report to S3;
/// the README's merge commands are real elbtls commands.
#[test]
fn the_aws_batch_recipe_runs_one_part_per_array_child() {
    let path = repo_root().join("examples/aws-batch/job-definition.json");
    let definition: Value = serde_json::from_str(&read(&path)).unwrap();
    let container = &definition["containerProperties"];
    let command = container["command"].as_array().unwrap();
    assert_eq!(command[..2], [json!("/bin/sh"), json!("-c")]);
    let script = command[2].as_str().unwrap();
    bash_syntax_ok(script, "the Batch job definition");
    let words = &elbtls_commands(&script.replace("; ", "\n").replace("&& ", "\n"))[0];
    assert_known_flags(words, "the Batch job definition");
    assert_eq!(flag_value(words, "--shard"), Some("auto"));
    let parts = flag_value(words, "--shard-count").unwrap();
    let variable = parts.trim_start_matches('$');
    assert!(
        container["environment"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == variable),
        "--shard-count {parts} names a variable the definition sets"
    );
    assert!(script.contains("$AWS_BATCH_JOB_ARRAY_INDEX"), "{script}");

    let readme = read(&repo_root().join("examples/aws-batch/README.md"));
    let mut merged = false;
    for block in readme.split("```sh").skip(1) {
        let block = block.split("```").next().unwrap();
        bash_syntax_ok(block, "examples/aws-batch/README.md");
        for words in elbtls_commands(block) {
            assert_known_flags(&words, "examples/aws-batch/README.md");
            merged |= words[1..3] == ["report", "merge"];
        }
    }
    assert!(merged, "the README merges the parts");
}

/// Every state a Step Functions state machine names exists, recursively.
fn assert_states_connected(machine: &Value, origin: &str) {
    let states = machine["States"].as_object().unwrap();
    let start = machine["StartAt"].as_str().unwrap();
    assert!(states.contains_key(start), "{origin}: StartAt {start}");
    for (name, state) in states {
        if let Some(next) = state["Next"].as_str() {
            assert!(states.contains_key(next), "{origin}: {name} → {next}");
        } else {
            assert_eq!(
                state["End"], true,
                "{origin}: {name} neither ends nor goes on"
            );
        }
        if let Some(processor) = state.get("ItemProcessor") {
            assert_states_connected(processor, &format!("{origin} / {name}"));
        }
    }
}

/// The Step Functions recipe: a Distributed Map over the accounts, one audit task each, then the
/// merge; every elbtls command in it is a real one.
#[test]
fn the_step_functions_recipe_maps_the_accounts_and_merges() {
    let path = repo_root().join("examples/step-functions/state-machine.json");
    let machine: Value = serde_json::from_str(&read(&path)).unwrap();
    assert_states_connected(&machine, "state-machine.json");
    let map = &machine["States"]["AuditEachAccount"];
    assert_eq!(map["Type"], "Map");
    assert_eq!(
        map["ItemProcessor"]["ProcessorConfig"]["Mode"],
        "DISTRIBUTED"
    );
    assert_eq!(map["Next"], "MergeReports");
    let text = read(&path);
    let mut seen = Vec::new();
    for (at, _) in text.match_indices("States.Format('") {
        let template = &text[at + "States.Format('".len()..];
        let template = &template[..template.find("',").unwrap()];
        let script = template.replace("{}", "X");
        bash_syntax_ok(&script, "state-machine.json");
        for words in elbtls_commands(&script.replace("; ", "\n").replace("&& ", "\n")) {
            assert_known_flags(&words, "state-machine.json");
            seen.push(words[1].clone());
        }
    }
    assert_eq!(
        seen,
        ["audit", "report"],
        "one audit per account, then the merge"
    );
}
