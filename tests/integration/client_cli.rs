//! `elbtls client check|matrix|profiles` run as a binary: outputs, JSON documents, exit codes and
//! usage errors; `--listener` against a real `openssl s_server` on loopback, and `--arn` against
//! moto_server on loopback.

use crate::support;

use std::process::{Command, Output};

use crate::support::moto::{elbtls_at, fresh, listener};
use crate::support::{KeyKind, TempDir, cert_args, make_cert, openssl_server, policy_args};
use elbtls::catalogue::Catalogue;
use elbtls::model::LoadBalancerType;
use serde_json::Value;

const TLS13_1_2: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";
const TLS13_RES: &str = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

fn elbtls(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(args)
        .output()
        .expect("run elbtls")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(output), stderr(output)))
}

#[test]
fn profiles_lists_every_profile_and_shows_one_in_full() {
    let output = elbtls(&["client", "profiles"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for name in [
        "java-8",
        "java-17",
        "openssl-3",
        "python-3",
        "dotnet-win7",
        "ios-12",
        "chrome",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    assert!(text.contains("21 profiles"), "{text}");

    let doc = json(&elbtls(&["client", "profiles", "--format", "json"]));
    assert_eq!(doc["schema_version"], 1);
    let profiles = doc["profiles"].as_array().unwrap();
    assert_eq!(profiles.len(), 21);
    let java8 = profiles.iter().find(|p| p["name"] == "java-8").unwrap();
    assert_eq!(
        java8["versions"],
        serde_json::json!(["TLSv1", "TLSv1.1", "TLSv1.2"])
    );
    assert!(java8["source"].as_str().unwrap().contains("Java 8u161"));
    assert!(java8["confidence"].is_string());

    let one = elbtls(&["client", "profiles", "java-8"]);
    let text = stdout(&one);
    assert_eq!(one.status.code(), Some(0));
    assert!(
        text.contains("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
        "{text}"
    );
    assert!(text.contains("Source:"), "{text}");
}

#[test]
fn check_explains_a_failure_in_one_sentence_and_exits_1() {
    let output = elbtls(&[
        "client",
        "check",
        "--profile",
        "dotnet-win7",
        "--policy",
        TLS13_1_2,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains(
            "Result:  FAILS — client's highest version is TLS 1.0; the policy needs TLS 1.2"
        ),
        "{text}"
    );
    // The policies it can use are all TLS 1.0 ones, strictest first.
    assert!(
        text.contains("Policies this client can use, strictest first"),
        "{text}"
    );
    // (At 100 columns `ELBSecurityPolicy-` is shortened to `…`, as a note says.)
    assert!(text.contains("TLS13-1-0-2021-06"), "{text}");
    assert!(!text.contains("TLS-1-2-2017-01"), "{text}");

    let doc = json(&elbtls(&[
        "client",
        "check",
        "--profile",
        "dotnet-win7",
        "--policy",
        TLS13_1_2,
        "--format",
        "json",
    ]));
    assert_eq!(doc["schema_version"], 1);
    let check = &doc["checks"][0];
    assert_eq!(check["result"]["success"], false);
    assert_eq!(check["result"]["reason"]["code"], "no-common-version");
    assert_eq!(check["client"]["source"]["kind"], "profile");
    assert_eq!(check["server"]["policy"]["name"], TLS13_1_2);
    assert_eq!(check["server"]["certificates"], serde_json::json!(["RSA"]));
    let usable = check["usable_policies"].as_array().unwrap();
    assert!(!usable.is_empty());
    assert!(usable.iter().all(|u| u["negotiates"]["success"] == true));
    assert!(
        usable
            .iter()
            .all(|u| u["policy"]["protocols"][0] == "TLSv1")
    );
}

#[test]
fn check_succeeds_with_server_order_and_exits_0() {
    let doc = json(&elbtls(&[
        "client",
        "check",
        "--profile",
        "java-8",
        "--policy",
        TLS13_RES,
        "--format",
        "json",
    ]));
    let result = &doc["checks"][0]["result"];
    assert_eq!(result["success"], true, "{doc:#}");
    assert_eq!(result["version"], "TLSv1.2");
    // Java 8 prefers AES256-CBC suites; the policy's order puts ECDHE-RSA-AES128-GCM-SHA256 first.
    assert_eq!(result["suite"]["name"], "ECDHE-RSA-AES128-GCM-SHA256");
    assert_eq!(result["suite"]["code"], "0xC02F");
    assert_eq!(result["group"], "secp256r1");
    let output = elbtls(&[
        "client",
        "check",
        "--profile",
        "chrome",
        "--policy",
        TLS13_RES,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("Result:  OK — TLS 1.3, TLS_AES_128_GCM_SHA256"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn an_ecdsa_certificate_changes_the_verdict() {
    let rsa_only = elbtls(&[
        "client",
        "check",
        "--profile",
        "dotnet-win2012r2",
        "--policy",
        TLS13_RES,
    ]);
    assert_eq!(rsa_only.status.code(), Some(1));
    assert!(
        stdout(&rsa_only).contains("need an ECDSA certificate the listener does not have"),
        "{}",
        stdout(&rsa_only)
    );
    let both = elbtls(&[
        "client",
        "check",
        "--profile",
        "dotnet-win2012r2",
        "--policy",
        TLS13_RES,
        "--certificates",
        "rsa,ecdsa",
    ]);
    assert_eq!(both.status.code(), Some(0), "{}", stdout(&both));
    assert!(
        stdout(&both).contains("ECDHE-ECDSA-AES256-GCM-SHA384"),
        "{}",
        stdout(&both)
    );
}

#[test]
fn matrix_against_one_policy_lists_every_profile() {
    let output = elbtls(&["client", "matrix", "--policy", TLS13_1_2]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("Why they fail:"), "{text}");
    assert!(
        text.contains("  dotnet-win7: client's highest version is TLS 1.0"),
        "{text}"
    );
    assert!(
        text.contains("20 of 21 profiles connect, 1 fail."),
        "{text}"
    );

    let doc = json(&elbtls(&[
        "client", "matrix", "--policy", TLS13_1_2, "--format", "json",
    ]));
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["policy"]["name"], TLS13_1_2);
    assert_eq!(doc["rows"].as_array().unwrap().len(), 21);
    assert_eq!(doc["summary"]["success"], 20);
    assert_eq!(doc["summary"]["failure"], 1);
}

#[test]
fn matrix_from_to_names_who_breaks_and_exits_1() {
    let args = [
        "client",
        "matrix",
        "--from",
        "ELBSecurityPolicy-2016-08",
        "--to",
        TLS13_RES,
    ];
    let output = elbtls(&args);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("What breaks, and why:"), "{text}");
    assert!(
        text.contains(
            "  dotnet-win7: client's highest version is TLS 1.0; the policy needs TLS 1.2"
        ),
        "{text}"
    );
    assert!(
        text.contains("dotnet-win2012r2: the policy's suites"),
        "{text}"
    );
    assert!(
        text.contains("21 profiles: 19 keep working, 2 break, 0 start working, 0 still fail."),
        "{text}"
    );
    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let doc = json(&elbtls(&json_args));
    assert_eq!(doc["from"]["name"], "ELBSecurityPolicy-2016-08");
    assert_eq!(doc["summary"]["breaks"], 2);
    let row = doc["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["profile"] == "dotnet-win7")
        .unwrap();
    assert_eq!(row["change"], "breaks");
    assert_eq!(row["from"]["success"], true);
    assert_eq!(row["to"]["reason"]["code"], "no-common-version");

    // Loosening breaks nobody: exit 0.
    let loosen = elbtls(&["client", "matrix", "--from", TLS13_RES, "--to", TLS13_1_2]);
    assert_eq!(loosen.status.code(), Some(0), "{}", stdout(&loosen));
    // --profile narrows the matrix.
    let doc = json(&elbtls(&[
        "client",
        "matrix",
        "--policy",
        TLS13_1_2,
        "--profile",
        "java-8,go",
        "--format",
        "json",
    ]));
    assert_eq!(doc["rows"].as_array().unwrap().len(), 2);
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    for (args, expected) in [
        (
            vec![
                "client",
                "check",
                "--profile",
                "jav-17",
                "--policy",
                TLS13_1_2,
            ],
            "unknown client profile `jav-17`; did you mean",
        ),
        (
            vec![
                "client",
                "check",
                "--profile",
                "java-17",
                "--policy",
                "ELBSecurityPolicy-TLS13-1-2-2021-6",
            ],
            "unknown policy `ELBSecurityPolicy-TLS13-1-2-2021-6`",
        ),
        (
            vec!["client", "check", "--policy", TLS13_1_2],
            "describe the client with one of",
        ),
        (
            vec![
                "client",
                "check",
                "--profile",
                "go",
                "--openssl",
                "DEFAULT",
                "--policy",
                TLS13_1_2,
            ],
            "--profile and --openssl describe the client twice",
        ),
        (
            vec!["client", "check", "--profile", "go"],
            "say what to check against",
        ),
        (
            vec![
                "client",
                "check",
                "--profile",
                "go",
                "--policy",
                TLS13_1_2,
                "--listener",
                "127.0.0.1:1",
            ],
            "give only one of --policy, --listener and --arn",
        ),
        (
            vec![
                "client",
                "check",
                "--profile",
                "go",
                "--arn",
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/my-clb",
            ],
            "Classic listeners have no ARN",
        ),
        (
            vec!["client", "matrix", "--policy", "nope"],
            "unknown policy `nope`",
        ),
        (
            vec!["client", "matrix"],
            "give --policy NAME, or --from NAME --to NAME",
        ),
        (
            vec!["client", "profiles", "pyton-3"],
            "did you mean `python-3`?",
        ),
        // The client modules say what is wrong; the command line names the flag and its value.
        (
            vec![
                "client",
                "check",
                "--client-hello",
                "/nonexistent/hello.bin",
                "--policy",
                TLS13_1_2,
            ],
            "error: --client-hello /nonexistent/hello.bin: cannot read the file: ",
        ),
        (
            vec![
                "client",
                "check",
                "--openssl",
                "NOPE",
                "--policy",
                TLS13_1_2,
            ],
            "error: --openssl \"NOPE\": `NOPE` is not a cipher or alias",
        ),
        (
            vec![
                "client",
                "check",
                "--openssl",
                "HIGH",
                "--min-version",
                "TLSv1.2",
                "--max-version",
                "TLSv1",
                "--policy",
                TLS13_1_2,
            ],
            "--min-version TLSv1.2 is above --max-version TLSv1",
        ),
    ] {
        let output = elbtls(&args);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    }
}

#[test]
fn check_a_probed_listener_against_what_it_really_accepts() {
    let policy = Catalogue::builtin()
        .unwrap()
        .get(TLS13_RES, LoadBalancerType::Application)
        .unwrap()
        .clone();
    let dir = TempDir::new("client-cli");
    let mut args = policy_args(&policy);
    args.extend(cert_args(&make_cert(dir.path(), KeyKind::Rsa2048)));
    let server = openssl_server(dir.path(), &args);
    let target = server.addr.to_string();

    let output = elbtls(&[
        "client",
        "check",
        "--profile",
        "dotnet-win2012r2",
        "--listener",
        &target,
        "--timeout",
        "3",
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}{}", stderr(&output));
    assert!(
        text.contains(&format!("Server:  listener {target} as probed")),
        "{text}"
    );
    // A probe sees only what the RSA certificate allows: the ECDSA suites are never accepted.
    assert!(
        text.contains(
            "Result:  FAILS — no common cipher under TLS 1.2: the client offers 26 suites \
             (ECDHE-RSA-AES256-SHA384/ECDHE-RSA-AES128-SHA256/ECDHE-RSA-AES256-SHA/\
             ECDHE-RSA-AES128-SHA/…), the listener allows none of them"
        ),
        "{text}"
    );

    let doc = json(&elbtls(&[
        "client",
        "check",
        "--profile",
        "java-17",
        "--listener",
        &target,
        "--timeout",
        "3",
        "--format",
        "json",
    ]));
    let check = &doc["checks"][0];
    assert_eq!(check["server"]["kind"], "listener");
    assert_eq!(check["server"]["certificates"], serde_json::json!(["RSA"]));
    assert_eq!(check["result"]["version"], "TLSv1.3");
    // The probe found the listener's order: TLS_AES_128_GCM_SHA256 first, though Java prefers 256.
    assert_eq!(check["result"]["suite"]["name"], "TLS_AES_128_GCM_SHA256");
    assert_eq!(check["result"]["group"], "x25519");
    drop(server);

    // A closed port: the listener could not be checked (exit 3), never a verdict.
    let port = support::free_port();
    let closed = elbtls(&[
        "client",
        "check",
        "--profile",
        "go",
        "--listener",
        &format!("127.0.0.1:{port}"),
        "--timeout",
        "2",
    ]);
    assert_eq!(closed.status.code(), Some(3), "{}", stderr(&closed));
    assert!(
        stderr(&closed).contains("could not probe"),
        "{}",
        stderr(&closed)
    );
}

#[test]
fn check_a_listener_arn_against_its_declared_policy() {
    let moto = fresh();
    moto.fixture(&["standard"]);
    let inventory = support::moto::json(&elbtls_at(
        &moto.endpoint(),
        &["inventory", "--region", "us-east-1", "--format", "json"],
    ));
    let arn = listener(&inventory, "alb-web", 443)["arn"]
        .as_str()
        .expect("the listener's ARN")
        .to_string();
    // The default credentials and region come from the environment; the region from the ARN.
    let output = elbtls_at(
        &moto.endpoint(),
        &["client", "check", "--profile", "dotnet-win7", "--arn", &arn],
    );
    let text = support::moto::stdout(&output);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{text}{}",
        support::moto::stderr(&output)
    );
    assert!(text.contains(&format!("Server:  listener {arn}")), "{text}");
    assert!(text.contains(&format!("declares {TLS13_1_2}")), "{text}");
    assert!(
        text.contains("client's highest version is TLS 1.0; the policy needs TLS 1.2"),
        "{text}"
    );
    let doc = support::moto::json(&elbtls_at(
        &moto.endpoint(),
        &[
            "client",
            "check",
            "--profile",
            "chrome",
            "--arn",
            &arn,
            "--format",
            "json",
        ],
    ));
    assert_eq!(doc["checks"][0]["server"]["kind"], "arn");
    assert_eq!(doc["checks"][0]["server"]["policy"]["name"], TLS13_1_2);
    assert_eq!(doc["checks"][0]["result"]["success"], true);
    assert_eq!(doc["checks"][0]["load_balancer_type"], "application");
}

#[test]
fn openssl_settings_and_client_hello_files_are_clients_too() {
    let output = elbtls(&[
        "client",
        "check",
        "--openssl",
        "DEFAULT",
        "--max-version",
        "TLSv1.1",
        "--policy",
        TLS13_1_2,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("client's highest version is TLS 1.1; the policy needs TLS 1.2"),
        "{}",
        stdout(&output)
    );
    let hello = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/client_hello/openssl-3.0-default.hex"
    );
    let doc = json(&elbtls(&[
        "client",
        "check",
        "--client-hello",
        hello,
        "--policy",
        TLS13_RES,
        "--format",
        "json",
    ]));
    let check = &doc["checks"][0];
    assert_eq!(check["client"]["source"]["kind"], "file");
    assert_eq!(check["result"]["version"], "TLSv1.3");
    assert_eq!(check["result"]["suite"]["name"], "TLS_AES_128_GCM_SHA256");
}
