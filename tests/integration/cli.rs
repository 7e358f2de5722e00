//! The `elbtls` binary: snapshots of `policies show`/`diff`/`list`, and every error case of the
//! catalogue commands (exit code and a message naming the input at fault).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn elbtls(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(args)
        .env_remove("ELBTLS_CATALOGUE")
        // Tables fit 100 columns, the width for a pipe (the snapshots), whatever the terminal.
        .env_remove("COLUMNS")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Runs and expects success; returns stdout.
fn ok(args: &[&str]) -> String {
    let output = elbtls(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    stdout(&output)
}

/// Runs and expects exit code 2 with nothing on stdout; returns stderr.
fn usage_error(args: &[&str]) -> String {
    let output = elbtls(args);
    assert_eq!(
        output.status.code(),
        Some(2),
        "{args:?}: {}",
        stdout(&output)
    );
    assert!(
        output.stdout.is_empty(),
        "{args:?} printed to stdout: {}",
        stdout(&output)
    );
    stderr(&output)
}

/// A fresh directory under the system temp dir holding `files`.
fn catalogue_dir(files: &[(&str, &str)]) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "elbtls-cli-test-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
    dir
}

fn path(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

const USER_POLICY: &str = r#"
# A policy AWS published "yesterday".
[[policy]]
name = "ELBSecurityPolicy-TLS13-1-3-2099-01"
load_balancer_types = ["application"]
protocols = ["TLSv1.3"]
server_order = true
ciphers = ["TLS_AES_256_GCM_SHA384"]
groups = ["X25519MLKEM768"]
groups_source = ["my notes"]
confidence = "one-source"
sources = ["my notes"]
"#;

#[test]
fn show_table_snapshot() {
    insta::assert_snapshot!(ok(&[
        "policies",
        "show",
        "ELBSecurityPolicy-TLS13-1-2-2021-06"
    ]));
}

#[test]
fn show_classic_table_snapshot() {
    insta::assert_snapshot!(ok(&[
        "policies",
        "show",
        "ELBSecurityPolicy-2015-05",
        "--type",
        "classic"
    ]));
}

#[test]
fn show_json_snapshot() {
    let out = ok(&[
        "policies",
        "show",
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(value["schema_version"], 1);
    insta::assert_snapshot!(out);
}

#[test]
fn diff_table_snapshot() {
    insta::assert_snapshot!(ok(&[
        "policies",
        "diff",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    ]));
}

#[test]
fn diff_of_classic_policies_with_unknown_groups_snapshot() {
    insta::assert_snapshot!(ok(&[
        "policies",
        "diff",
        "ELBSample-ELBDefaultCipherPolicy",
        "ELBSecurityPolicy-2015-03",
        "--type",
        "classic"
    ]));
}

#[test]
fn diff_json_snapshot() {
    let out = ok(&[
        "policies",
        "diff",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(
        value["ciphers"]["removed"][0]["name"],
        "TLS_CHACHA20_POLY1305_SHA256"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn diff_reports_a_changed_cipher_order() {
    let swapped = r#"
[[policy]]
name = "Swapped-Res"
load_balancer_types = ["application"]
protocols = ["TLSv1.2", "TLSv1.3"]
server_order = true
ciphers = [
  "TLS_AES_256_GCM_SHA384",
  "TLS_AES_128_GCM_SHA256",
  "TLS_CHACHA20_POLY1305_SHA256",
  "ECDHE-ECDSA-AES128-GCM-SHA256",
  "ECDHE-RSA-AES128-GCM-SHA256",
  "ECDHE-ECDSA-AES256-GCM-SHA384",
  "ECDHE-RSA-AES256-GCM-SHA384",
]
confidence = "one-source"
sources = ["test"]
"#;
    let dir = catalogue_dir(&[("swapped.toml", swapped)]);
    let out = ok(&[
        "--catalogue",
        path(&dir),
        "policies",
        "diff",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "Swapped-Res",
    ]);
    insta::assert_snapshot!(out);
    let json = ok(&[
        "--catalogue",
        path(&dir),
        "policies",
        "diff",
        "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
        "Swapped-Res",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["ciphers"]["order_changed"], true);
    assert_eq!(value["ciphers"]["kept"], 7);
    assert_eq!(value["groups"]["known"], false);
    assert_eq!(value["identical"], false);
}

#[test]
fn diff_of_a_policy_with_itself_is_empty() {
    let out = ok(&[
        "policies",
        "diff",
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-2016-08",
    ]);
    assert!(out.contains("No difference"), "{out}");
}

#[test]
fn list_snapshot_and_type_filter() {
    // 60 policies, of which the three CNSA2-INTEROP ones are unpublished and listed only on request.
    let all = ok(&["policies", "list"]);
    assert!(all.contains("57 policies"), "{all}");
    assert!(!all.contains("CNSA2"), "{all}");
    let with_unpublished = ok(&["policies", "list", "--include-unpublished"]);
    assert!(
        with_unpublished.contains("60 policies"),
        "{with_unpublished}"
    );
    // At 100 columns the longest names break after a hyphen; the name and its mark stay together.
    assert!(
        with_unpublished.contains("ELBSecurityPolicy-TLS13-1-3-CNSA2-INTEROP1-FIPS-  TLS 1.3")
            && with_unpublished.contains("\nPQ-2026-07 (unpublished)\n"),
        "{with_unpublished}"
    );
    insta::assert_snapshot!(ok(&["policies", "list", "--type", "classic"]));
    let json = ok(&["policies", "list", "--type", "network", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["schema_version"], 1);
    let policies = value["policies"].as_array().unwrap();
    assert_eq!(policies.len(), 46);
    assert!(policies.iter().all(|p| p["kind"] == "elbv2"));
    assert!(policies.iter().all(|p| p["engine"] == "s2n-tls"));
}

#[test]
fn show_names_the_engine_the_served_order_and_an_unpublished_policy() {
    let shown = ok(&["policies", "show", "ELBSecurityPolicy-2016-08"]);
    assert!(shown.contains("TLS engine:       s2n-tls"), "{shown}");
    assert!(
        shown.contains(
            "Served order:     s2n-tls serves ECDHE-ECDSA-AES256-SHA before ECDHE-RSA-AES256-SHA"
        ),
        "{shown}"
    );
    let json = ok(&[
        "policies",
        "show",
        "ELBSecurityPolicy-2016-08",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let served = value["policy"]["served_ciphers"].as_array().unwrap();
    assert_eq!(served[10], "ECDHE-ECDSA-AES256-SHA");
    assert_eq!(served[11], "ECDHE-RSA-AES256-SHA");
    assert_eq!(value["policy"]["served_source"][0], "S25");

    // Unpublished: `show` still works without --include-unpublished and says so.
    let name = "ELBSecurityPolicy-TLS13-1-2-CNSA2-INTEROP2-FIPS-PQ-2026-07";
    let shown = ok(&["policies", "show", name]);
    assert!(shown.contains("Published:        no"), "{shown}");
    let json = ok(&["policies", "show", name, "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["policy"]["published"], false);
}

#[test]
fn ambiguous_name_shows_elbv2_and_says_how_to_get_classic() {
    let output = elbtls(&["policies", "show", "ELBSecurityPolicy-2016-08"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("(elbv2)"));
    assert!(
        stderr(&output).contains("--type classic"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unknown_policy_is_a_usage_error_with_suggestions() {
    let err = usage_error(&["policies", "show", "ELBSecurityPolicy-TLS13-1-2-2021-6"]);
    assert!(
        err.contains("unknown policy `ELBSecurityPolicy-TLS13-1-2-2021-6`"),
        "{err}"
    );
    assert!(err.contains("did you mean"), "{err}");
    assert!(err.contains("ELBSecurityPolicy-TLS13-1-2-2021-06"), "{err}");

    let err = usage_error(&[
        "policies",
        "diff",
        "ELBSecurityPolicy-2016-08",
        "no-such-policy",
    ]);
    assert!(err.contains("unknown policy `no-such-policy`"), "{err}");
    assert!(err.contains("elbtls policies list"), "{err}");
}

#[test]
fn policy_of_the_wrong_api_is_unknown_for_that_type() {
    let err = usage_error(&[
        "policies",
        "show",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "--type",
        "classic",
    ]);
    assert!(err.contains("for classic load balancers"), "{err}");
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let err = usage_error(&["policies", "list", "--type", "gateway"]);
    assert!(err.contains("--type"), "{err}");
    let err = usage_error(&["policies", "list", "--format", "yaml"]);
    assert!(err.contains("yaml"), "{err}");
    usage_error(&["policies"]);
}

#[test]
fn help_and_version_exit_zero() {
    let help = ok(&["--help"]);
    assert!(help.contains("Exit codes"), "{help}");
    assert!(ok(&["policies", "show", "--help"]).contains("--type"));
    assert!(ok(&["--version"]).starts_with("elbtls "));
}

#[test]
fn user_catalogue_adds_policies_on_top_of_the_builtin_one() {
    let dir = catalogue_dir(&[("new.toml", USER_POLICY)]);
    let list = ok(&[
        "--catalogue",
        path(&dir),
        "policies",
        "list",
        "--type",
        "application",
    ]);
    assert!(
        list.contains("ELBSecurityPolicy-TLS13-1-3-2099-01"),
        "{list}"
    );
    assert!(list.contains("ELBSecurityPolicy-2016-08"), "{list}");
    let show = ok(&[
        "policies",
        "show",
        "ELBSecurityPolicy-TLS13-1-3-2099-01",
        "--catalogue",
        path(&dir),
    ]);
    assert!(show.contains("user catalogue"), "{show}");
    assert!(show.contains("Post-quantum: yes"), "{show}");
}

#[test]
fn user_catalogue_replaces_a_builtin_policy_of_the_same_name() {
    let replacement = USER_POLICY.replace(
        "ELBSecurityPolicy-TLS13-1-3-2099-01",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
    );
    let dir = catalogue_dir(&[("override.toml", &replacement)]);
    let json = ok(&[
        "--catalogue",
        path(&dir),
        "policies",
        "show",
        "ELBSecurityPolicy-TLS13-1-3-2021-06",
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["policy"]["cipher_count"], 1);
    assert!(
        value["policy"]["origin"]
            .as_str()
            .unwrap()
            .starts_with("user:")
    );
}

#[test]
fn catalogue_only_drops_the_builtin_policies() {
    let dir = catalogue_dir(&[("new.toml", USER_POLICY)]);
    let list = ok(&[
        "--catalogue",
        path(&dir),
        "--catalogue-only",
        "policies",
        "list",
    ]);
    assert!(list.contains("1 policies"), "{list}");
    let err = usage_error(&[
        "--catalogue",
        path(&dir),
        "--catalogue-only",
        "policies",
        "show",
        "ELBSecurityPolicy-2016-08",
    ]);
    assert!(err.contains("unknown policy"), "{err}");
}

#[test]
fn catalogue_from_the_environment() {
    let dir = catalogue_dir(&[("new.toml", USER_POLICY)]);
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["policies", "show", "ELBSecurityPolicy-TLS13-1-3-2099-01"])
        .env("ELBTLS_CATALOGUE", &dir)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn unknown_cipher_in_a_user_catalogue_names_file_line_and_the_nearest_name() {
    let bad = USER_POLICY.replace("TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES128-GCM-SHA265");
    let dir = catalogue_dir(&[("bad.toml", &bad)]);
    let err = usage_error(&["--catalogue", path(&dir), "policies", "list"]);
    let file = dir.join("bad.toml");
    // The cipher is on line 8 of the file.
    let expected = format!(
        "{}:8: policy `ELBSecurityPolicy-TLS13-1-3-2099-01`: unknown cipher `ECDHE-RSA-AES128-GCM-SHA265`; did you mean `ECDHE-RSA-AES128-GCM-SHA256`?",
        file.display()
    );
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn every_problem_of_a_user_catalogue_is_reported() {
    let bad = USER_POLICY
        .replace("\"TLSv1.3\"]", "\"TLSv1.4\"]")
        .replace("X25519MLKEM768", "X25519MLKEM769")
        .replace("one-source", "trust-me");
    let dir = catalogue_dir(&[("bad.toml", &bad)]);
    let err = usage_error(&["--catalogue", path(&dir), "policies", "list"]);
    assert!(err.contains("bad.toml:6: policy `ELBSecurityPolicy-TLS13-1-3-2099-01`: unknown protocol version `TLSv1.4`"), "{err}");
    assert!(err.contains("bad.toml:9: policy `ELBSecurityPolicy-TLS13-1-3-2099-01`: unknown group `X25519MLKEM769`; did you mean `X25519MLKEM768`?"), "{err}");
    assert!(err.contains("bad.toml:11: policy `ELBSecurityPolicy-TLS13-1-3-2099-01`: unknown confidence `trust-me`"), "{err}");
}

#[test]
fn malformed_toml_and_unknown_keys_name_file_and_line() {
    let dir = catalogue_dir(&[(
        "broken.toml",
        "[[policy]]\nname = \"x\"\nprotocols = [\"TLSv1.2\"\n",
    )]);
    let err = usage_error(&["--catalogue", path(&dir), "policies", "list"]);
    assert!(err.contains("broken.toml:"), "{err}");

    let typo = USER_POLICY.replace("server_order", "server_ordre");
    let dir = catalogue_dir(&[("typo.toml", &typo)]);
    let err = usage_error(&["--catalogue", path(&dir), "policies", "list"]);
    assert!(err.contains("typo.toml:7:"), "{err}");
    assert!(err.contains("server_ordre"), "{err}");
}

#[test]
fn duplicate_policies_and_bad_directories_are_rejected() {
    let dir = catalogue_dir(&[("a.toml", USER_POLICY), ("b.toml", USER_POLICY)]);
    let err = usage_error(&["--catalogue", path(&dir), "policies", "list"]);
    assert!(err.contains("defined twice"), "{err}");

    let err = usage_error(&[
        "--catalogue",
        "/nonexistent/elbtls-policies",
        "policies",
        "list",
    ]);
    assert!(
        err.contains("/nonexistent/elbtls-policies: not a directory"),
        "{err}"
    );

    let empty = catalogue_dir(&[("README.txt", "no policies here")]);
    let err = usage_error(&["--catalogue", path(&empty), "policies", "list"]);
    assert!(err.contains("holds no *.toml file"), "{err}");
}

#[test]
fn sslv2_only_and_signalling_ciphers_are_refused_with_a_reason() {
    let bad = USER_POLICY.replace(
        "\"TLS_AES_256_GCM_SHA384\"",
        "\"DES-CBC3-MD5\", \"TLS_FALLBACK_SCSV\"",
    );
    let dir = catalogue_dir(&[("bad.toml", &bad)]);
    let err = usage_error(&["--catalogue", path(&dir), "policies", "list"]);
    assert!(err.contains("SSL 2.0-only cipher"), "{err}");
    assert!(err.contains("signalling value"), "{err}");
}

/// `--shard` and the new filters are checked before any AWS call.
#[test]
fn shard_and_scope_flags_are_checked_first() {
    for (args, env, expected) in [
        (
            vec!["audit", "--shard", "5/4"],
            vec![],
            "give K/N with 1 ≤ K ≤ N",
        ),
        (
            vec!["audit", "--shard", "0/4"],
            vec![],
            "give K/N with 1 ≤ K ≤ N",
        ),
        (
            vec!["audit", "--shard", "auto"],
            vec![],
            "give the number of parts with --shard-count N",
        ),
        (
            vec!["audit", "--shard", "auto", "--shard-count", "3"],
            vec![],
            "neither JOB_COMPLETION_INDEX",
        ),
        (
            vec!["audit", "--shard", "auto", "--shard-count", "3"],
            vec![("AWS_BATCH_JOB_ARRAY_INDEX", "3")],
            "part 3 of 3 does not exist",
        ),
        (
            vec!["audit", "--shard", "1/2", "--shard-count", "3"],
            vec![],
            "--shard-count goes with --shard auto",
        ),
        (
            vec!["audit", "--scheme", "public"],
            vec![],
            "invalid value 'public'",
        ),
    ] {
        let output = crate::support::moto::elbtls(&args, &env);
        let text = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {text}");
        assert!(text.contains(expected), "{args:?}: {text}");
    }
}

/// `COLUMNS` sets the width the tables fit (a pipe gets 100 columns otherwise; anything but a
/// number is ignored): narrower, the IANA names go first; wider, they come back.
#[test]
fn tables_fit_the_columns_variable() {
    let at = |columns: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
            .args([
                "policies",
                "diff",
                "ELBSecurityPolicy-2016-08",
                "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
            ])
            .env_remove("ELBTLS_CATALOGUE")
            .env("COLUMNS", columns)
            .output()
            .expect("the binary runs");
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        stdout(&output)
    };
    let widest = |text: &str| text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    let narrow = at("80");
    assert!(widest(&narrow) <= 80, "{narrow}");
    assert!(!narrow.contains("IANA name"), "{narrow}");
    let wide = at("200");
    assert!(
        wide.contains("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
        "{wide}"
    );
    assert_eq!(
        at("wide"),
        ok(&[
            "policies",
            "diff",
            "ELBSecurityPolicy-2016-08",
            "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
        ])
    );
}
