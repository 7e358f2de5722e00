//! What a person sees when AWS credentials cannot be had: one line naming the cause and the fix
//! (an unknown profile and the files read, an expired SSO session, the instance metadata service
//! refusing, an endpoint that cannot be reached), the provider's whole chain only with `-v`, and
//! nothing but errors with `-q`. Every file is made by the test; the only traffic is to loopback
//! (the instance metadata endpoint is a local server, an expired SSO token fails before any call).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::TempDir;

/// `elbtls ARGS` with HOME = `home` and nothing of this machine's AWS setup.
fn elbtls(home: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_elbtls"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run elbtls")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A HOME whose `~/.aws/config` holds `config`.
fn home_with(config: &str) -> TempDir {
    let home = TempDir::new("creds");
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    home
}

const CONFIG: &str = "[default]\nregion = eu-west-1\n\n[profile prod]\nregion = eu-west-1\n";

#[test]
fn an_unknown_profile_names_the_files_read_and_the_profiles_they_define() {
    let home = home_with(CONFIG);
    for (args, env, origin) in [
        (
            vec!["inventory", "--profile", "nosuch"],
            vec![],
            "--profile nosuch",
        ),
        (
            vec!["inventory"],
            vec![("AWS_PROFILE", "nosuch")],
            "AWS_PROFILE nosuch",
        ),
    ] {
        let out = elbtls(home.path(), &args, &env);
        let text = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{text}");
        assert_eq!(text.lines().count(), 1, "one line: {text}");
        assert!(
            text.starts_with(&format!("error: {origin}: no such profile in ")),
            "{text}"
        );
        assert!(
            text.contains(".aws/config (profiles default, prod)"),
            "{text}"
        );
        assert!(text.contains(".aws/credentials (missing)"), "{text}");
        assert!(text.contains("`aws configure --profile nosuch`"), "{text}");
    }
}

/// An SSO profile (sso-session form) whose cached token expired and cannot be refreshed, as the
/// AWS CLI leaves it in `~/.aws/sso/cache/` (file named by the SHA-1 of the session name).
fn expired_sso_home() -> TempDir {
    let home = home_with(
        "[profile corp]\nsso_session = corp\nsso_account_id = 111111111111\n\
         sso_role_name = Audit\nregion = eu-west-1\n\n[sso-session corp]\n\
         sso_start_url = https://corp.example.test/start\nsso_region = eu-west-1\n\
         sso_registration_scopes = sso:account:access\n",
    );
    let cache = home.path().join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    let digest = sha1_hex(b"corp");
    std::fs::write(
        cache.join(format!("{digest}.json")),
        r#"{"accessToken":"expired","expiresAt":"2020-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.example.test/start"}"#,
    )
    .unwrap();
    home
}

/// SHA-1 in hex, by the `sha1sum` every Debian has (the test needs it for one file name).
fn sha1_hex(data: &[u8]) -> String {
    let mut child = Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha1sum");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..40].to_string()
}

#[test]
fn an_expired_sso_session_says_to_log_in_and_shows_the_chain_only_with_verbose() {
    let home = expired_sso_home();
    let out = elbtls(home.path(), &["inventory", "--profile", "corp"], &[]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_eq!(
        text.trim_end(),
        "error: could not load AWS credentials (profile corp): the SSO session has expired; run \
         `aws sso login --profile corp`, then run elbtls again"
    );

    let verbose = elbtls(home.path(), &["-v", "inventory", "--profile", "corp"], &[]);
    let log = stderr(&verbose);
    assert_eq!(verbose.status.code(), Some(2), "{log}");
    assert!(log.contains("the credential chain failed"), "{log}");
    assert!(
        log.contains("the SSO token has expired and cannot be refreshed"),
        "the provider's own words with -v: {log}"
    );
    assert!(
        log.lines()
            .last()
            .is_some_and(|l| l.contains("aws sso login --profile corp")),
        "{log}"
    );
}

/// A metadata service that refuses everything, as a proxy or a locked-down instance does.
fn refusing_metadata_service() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0_u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\nConnection: close\r\n\r\nForbidden",
            );
        }
    });
    port
}

#[test]
fn a_refusing_instance_metadata_service_is_named_not_dumped() {
    let home = TempDir::new("creds-imds");
    let endpoint = format!("http://127.0.0.1:{}", refusing_metadata_service());
    let out = elbtls(
        home.path(),
        &["inventory", "--region", "eu-west-1"],
        &[
            ("AWS_EC2_METADATA_DISABLED", "false"),
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint),
        ],
    );
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("the instance metadata service (IMDS) gave no credentials"),
        "{text}"
    );
    assert!(!text.contains("Response {"), "no debug dump: {text}");
    assert!(!text.contains("StatusCode("), "no debug dump: {text}");
}

#[test]
fn no_credentials_at_all_lists_the_ways_to_provide_them() {
    let home = TempDir::new("creds-none");
    let out = elbtls(home.path(), &["inventory", "--region", "eu-west-1"], &[]);
    let text = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.starts_with("error: no AWS credentials found"),
        "{text}"
    );
    assert!(text.contains("AWS_ACCESS_KEY_ID"), "{text}");
    assert!(text.contains("aws sso login"), "{text}");
}

#[test]
fn an_unreachable_endpoint_is_named() {
    let home = TempDir::new("creds-unreachable");
    // A port nothing listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let out = elbtls(
        home.path(),
        &["inventory", "--region", "eu-west-1"],
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL", &endpoint),
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains(&format!("unreachable: {endpoint}: cannot connect")),
        "{text}"
    );
    assert!(!text.contains("DispatchFailure"), "{text}");
}

#[test]
fn quiet_leaves_only_errors_on_stderr() {
    let home = TempDir::new("creds-quiet");
    // A name both APIs define: the command notes which one it shows.
    let args = ["policies", "show", "ELBSecurityPolicy-2016-08"];
    let noted = elbtls(home.path(), &args, &[]);
    assert!(stderr(&noted).starts_with("note: "), "{}", stderr(&noted));
    let quiet = elbtls(home.path(), &["-q", args[0], args[1], args[2]], &[]);
    assert_eq!(quiet.status.code(), Some(0));
    assert_eq!(stderr(&quiet), "");
    assert_eq!(quiet.stdout, noted.stdout);

    let both = elbtls(home.path(), &["-q", "-v", "policies", "list"], &[]);
    assert_eq!(both.status.code(), Some(2));
    assert!(
        stderr(&both).contains("cannot be used with"),
        "{}",
        stderr(&both)
    );
}
