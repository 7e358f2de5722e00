//! PROVISIONAL (lead): the s2n-tls emulator for tests; replaced by the elbemu helper's module.
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use super::CertFiles;

/// A certificate to serve.
pub enum ServedCert<'a> {
    /// Files made by the test.
    Files(&'a CertFiles),
}

fn binary() -> PathBuf {
    PathBuf::from(std::env::var_os("ELBEMU").expect("ELBEMU"))
}

/// The ELB policy names the emulator serves.
pub fn policies() -> Vec<String> {
    let out = Command::new(binary())
        .arg("--list-policies")
        .output()
        .unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// A running emulator, killed on drop.
pub struct Emulator {
    child: Child,
    addr: String,
}

impl Emulator {
    /// Starts one.
    pub fn start(policy: &str, certs: &[ServedCert<'_>]) -> Self {
        let mut command = Command::new(binary());
        command.args(["--policy", policy, "--port", "0"]);
        for cert in certs {
            let ServedCert::Files(f) = cert;
            command
                .arg("--cert")
                .arg(format!("{}:{}", f.cert.display(), f.key.display()));
        }
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split_whitespace()
            .nth(1)
            .unwrap_or_else(|| panic!("{policy}: {line}"))
            .to_owned();
        Self { child, addr }
    }

    /// host:port.
    pub fn target(&self) -> String {
        self.addr.clone()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
