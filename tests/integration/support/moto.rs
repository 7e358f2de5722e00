//! A real AWS API server on loopback for the inventory tests: `moto_server` from the project's
//! `.venv` (created by `scripts/test`), one per test binary on a free port, reset between tests
//! and killed when the test process ends. Fixtures are made with boto3 by `tests/aws_fixtures.py`.
//!
//! Nothing here talks to anything but 127.0.0.1.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long moto gets to answer its first request.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python of the test venv (`ELBTLS_TEST_VENV` overrides `.venv`).
pub fn venv_python() -> PathBuf {
    let venv = std::env::var_os("ELBTLS_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join(".venv"));
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run ./scripts/test, which creates .venv with moto and boto3",
        python.display()
    );
    python
}

/// A running `moto_server`.
pub struct Moto {
    child: Child,
    // Held so that moto's stdin closes, and its watchdog thread exits it, when this process ends
    // (a `static` is never dropped).
    _stdin: ChildStdin,
    port: u16,
    log: PathBuf,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on loopback that nobody was using a moment ago (see [`super::free_port`]).
pub fn free_port() -> u16 {
    super::free_port()
}

// moto exits when its stdin closes, i.e. when the test process that started it goes away.
const LAUNCHER: &str = "\
import os, sys, threading
from moto.server import main
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
main(sys.argv[1:])
";

impl Moto {
    fn start() -> Self {
        let port = free_port();
        let log =
            std::env::temp_dir().join(format!("elbtls-moto-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log).expect("create the moto log");
        let mut child = Command::new(venv_python())
            .args(["-c", LAUNCHER, "-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::piped())
            .stdout(log_file.try_clone().expect("clone log handle"))
            .stderr(log_file)
            .spawn()
            .expect("start moto_server");
        let stdin = child.stdin.take().expect("moto stdin");
        let moto = Self {
            child,
            _stdin: stdin,
            port,
            log,
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while http(port, "GET", "/moto-api/").is_none_or(|status| status != 200) {
            assert!(
                Instant::now() < deadline,
                "moto_server did not answer on 127.0.0.1:{port}; its log: {}",
                std::fs::read_to_string(&moto.log).unwrap_or_default()
            );
            thread::sleep(Duration::from_millis(100));
        }
        moto
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs `tests/aws_fixtures.py ENDPOINT ARGS…` and returns what it printed (JSON).
    pub fn fixture(&self, args: &[&str]) -> serde_json::Value {
        let output = Command::new(venv_python())
            .arg(repo_root().join("tests/aws_fixtures.py"))
            .arg(self.endpoint())
            .args(args)
            .output()
            .expect("run tests/aws_fixtures.py");
        assert!(
            output.status.success(),
            "aws_fixtures.py {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("fixture output is JSON")
    }

    /// How many API calls (POSTs) moto has answered so far.
    pub fn api_calls(&self) -> usize {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"POST /"))
            .count()
    }
}

/// Sends a bodiless request to moto and returns the status code.
fn http(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

/// The binary's moto, started on first use.
fn server() -> &'static Mutex<Moto> {
    static SERVER: OnceLock<Mutex<Moto>> = OnceLock::new();
    SERVER.get_or_init(|| Mutex::new(Moto::start()))
}

/// The shared moto, emptied (`POST /moto-api/reset`), for one test at a time.
pub fn fresh() -> MutexGuard<'static, Moto> {
    let moto = server()
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    assert_eq!(
        http(moto.port, "POST", "/moto-api/reset"),
        Some(200),
        "moto reset failed"
    );
    moto
}

/// Runs the built `elbtls` with a clean environment: no credentials or profiles from the machine,
/// no instance metadata, one attempt per call, and `env` on top.
pub fn elbtls(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = std::env::temp_dir().join(format!("elbtls-empty-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).expect("create an empty HOME");
    let mut command = Command::new(env!("CARGO_BIN_EXE_elbtls"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run elbtls")
}

/// `elbtls` against `endpoint` with moto's test credentials.
pub fn elbtls_at(endpoint: &str, args: &[&str]) -> Output {
    elbtls(
        args,
        &[
            ("AWS_ENDPOINT_URL", endpoint),
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_REGION", "us-east-1"),
        ],
    )
}

// ---- Reading the binary's output ------------------------------------------------------------

/// What the run printed on stdout.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What the run printed on stderr.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// CSV rows without the two ARN columns (moto makes them up at random).
pub fn csv_rows(output: &std::process::Output) -> Vec<String> {
    stdout(output)
        .lines()
        .skip(1)
        .map(|line| line.split(',').take(12).collect::<Vec<_>>().join(","))
        .collect()
}

/// stdout as JSON; the panic shows what was printed instead.
pub fn json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", stdout(output), stderr(output)))
}

/// The listener on `port` of load balancer `lb` in an inventory JSON document.
pub fn listener<'a>(doc: &'a Value, lb: &str, port: u64) -> &'a Value {
    doc["load_balancers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == lb)
        .unwrap_or_else(|| panic!("no load balancer {lb}"))["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["port"] == port)
        .unwrap_or_else(|| panic!("no listener {lb}:{port}"))
}
