//! The ELB listener emulator (`elbemu/`, s2n-tls serving one ELB security policy) for integration
//! tests: built once per test binary, started on a free loopback port it picks itself, killed on
//! drop.
//!
//! Nothing here talks to anything but 127.0.0.1.

use std::io::{BufRead, BufReader, Read};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// How long an emulator gets to generate its certificates and print its listening line.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// The emulator binary: `$ELBEMU` if set, else `elbemu` built (once per test binary) with
/// `cargo build -p elbemu --locked` into the target directory this test binary lives in.
pub fn elbemu_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("ELBEMU") {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "ELBEMU={} is not a file: unset it or point it at a built elbemu",
                path.display()
            );
            return path;
        }
        // target/<profile>/elbtls: the emulator goes next to it.
        let elbtls = Path::new(env!("CARGO_BIN_EXE_elbtls"));
        let profile_dir = elbtls.parent().expect("the binary's directory");
        let target_dir = profile_dir.parent().expect("the target directory");
        let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        command
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["build", "-p", "elbemu", "--locked", "-q", "--target-dir"])
            .arg(target_dir)
            // Cargo gives test processes elbtls's OUT_DIR; s2n-tls-sys's build script reruns
            // (a minute of C) whenever OUT_DIR changes, so the nested build must not see it.
            .env_remove("OUT_DIR");
        if profile_dir.file_name().is_some_and(|n| n == "release") {
            command.arg("--release");
        }
        let output = command.output().expect("run cargo build -p elbemu");
        assert!(
            output.status.success(),
            "cargo build -p elbemu failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let binary = profile_dir.join(format!("elbemu{}", std::env::consts::EXE_SUFFIX));
        assert!(binary.is_file(), "{} was not built", binary.display());
        binary
    })
}

/// A running emulator, killed (and reaped) on drop.
pub struct Emulator {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its start-up line: `listening ADDR policy NAME certs KIND,...`.
    pub banner: String,
}

impl Emulator {
    /// Starts `elbemu --policy POLICY --port 0 --bind 127.0.0.1` with `--cert` for each of `certs`
    /// (`rsa`, `ecdsa`, `both`, `CERT.pem:KEY.pem`) and waits for its listening line. Panics
    /// with the emulator's stderr if it does not start.
    pub fn start(policy: &str, certs: &[&str]) -> Self {
        Self::start_with(policy, certs, &[]).unwrap_or_else(|stderr| {
            panic!("elbemu --policy {policy} {certs:?} did not start: {stderr}")
        })
    }

    /// As [`Emulator::start`] with more arguments; `Err` with its stderr (and exit status) if it
    /// exits before listening.
    pub fn start_with(policy: &str, certs: &[&str], extra: &[&str]) -> Result<Self, String> {
        Self::spawn(policy, certs, extra, "127.0.0.1", 0)
    }

    /// As [`Emulator::start`], listening on `addr` (another loopback address, a chosen port:
    /// a load balancer's listener port reached through `--resolve`).
    pub fn start_at(policy: &str, certs: &[&str], addr: SocketAddr) -> Self {
        Self::spawn(policy, certs, &[], &addr.ip().to_string(), addr.port()).unwrap_or_else(
            |stderr| panic!("elbemu --policy {policy} at {addr} did not start: {stderr}"),
        )
    }

    fn spawn(
        policy: &str,
        certs: &[&str],
        extra: &[&str],
        bind: &str,
        port: u16,
    ) -> Result<Self, String> {
        let mut command = Command::new(elbemu_binary());
        command.args([
            "--policy",
            policy,
            "--port",
            &port.to_string(),
            "--bind",
            bind,
        ]);
        for cert in certs {
            command.args(["--cert", cert]);
        }
        let mut child = command
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start elbemu");
        let stdout = child.stdout.take().expect("elbemu stdout");
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            // Keep draining so the emulator never blocks on a full pipe.
            drain(reader);
        });
        let line = rx.recv_timeout(STARTUP_TIMEOUT).unwrap_or_default();
        let addr = line
            .strip_prefix("listening ")
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|addr| addr.parse().ok());
        match addr {
            Some(addr) => {
                // stderr is read only on failure; after start it goes nowhere useful, so drain it.
                if let Some(stderr) = child.stderr.take() {
                    thread::spawn(move || drain(BufReader::new(stderr)));
                }
                Ok(Self {
                    child,
                    addr,
                    banner: line.trim_end().to_string(),
                })
            }
            None => {
                let _ = child.kill();
                let status = child.wait().ok();
                let mut stderr = String::new();
                if let Some(mut err) = child.stderr.take() {
                    let _ = err.read_to_string(&mut stderr);
                }
                Err(format!("{status:?}: {stdout}{stderr}", stdout = line))
            }
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn target(&self) -> String {
        self.addr.to_string()
    }
}

fn drain<R: Read>(mut reader: R) {
    let mut sink = [0u8; 4096];
    while matches!(reader.read(&mut sink), Ok(n) if n > 0) {}
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `elbemu ARGS` run to completion: (exit code, stdout, stderr).
pub fn run_elbemu(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(elbemu_binary())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("run elbemu");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
