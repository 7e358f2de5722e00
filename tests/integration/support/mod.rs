//! Real servers on loopback for integration tests: scratch directories, certificates made with the
//! `openssl` CLI, `openssl s_server` (or any server command) killed on drop, free ports, and a
//! listener that never answers.
//!
//! Declared once in `main.rs` (all integration tests are modules of one test binary); test modules
//! `use crate::support`. Nothing here talks to anything but 127.0.0.1.

// A few helpers (`Rsa4096`, `Request::body`, an `addr` accessor) are unused today but part of the kit.
#![allow(dead_code)]

use std::ffi::{OsStr, OsString};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a server gets to start accepting connections.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(10);

/// A directory under the system temp dir, removed (with its contents) on drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    /// Creates a fresh directory whose name starts with `prefix`.
    pub fn new(prefix: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "elbtls-{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create a scratch directory");
        Self { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// A port on 127.0.0.1 that was free a moment ago, for a server started as another process.
///
/// Chosen below Linux's ephemeral range (32768–60999): a port the kernel handed out for port 0
/// is in that range, and between its release and the server's start another test's outgoing
/// connection may take it as its local port (seen as flaky "address in use" starts).
pub fn free_port() -> u16 {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let seed = std::process::id() as usize * 7919
        + SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos() as usize);
    for _ in 0..2000 {
        let offset = (seed + NEXT.fetch_add(1, Ordering::Relaxed) * 104_729) % 12_000;
        let port = 20_000 + offset as u16;
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return port;
        }
    }
    panic!("no free port on 127.0.0.1 between 20000 and 31999")
}

/// A listener that completes TCP handshakes (through the kernel's backlog) but never reads or
/// writes: a server that stalls. Connections stay open until it is dropped.
pub fn silent_listener() -> TcpListener {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0")
}

/// A listener that accepts `connections` connections and closes each at once, without a word,
/// then stops: a server that hangs up.
pub fn closing_listener(connections: usize) -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("listener address");
    thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            drop(stream);
        }
    });
    addr
}

/// A certificate's key type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// RSA, 2048 bits.
    Rsa2048,
    /// RSA, 3072 bits (the least RFC 9151 and CNSA policies take).
    Rsa3072,
    /// RSA, 4096 bits.
    Rsa4096,
    /// ECDSA on P-256.
    EcdsaP256,
    /// ECDSA on P-384.
    EcdsaP384,
    /// ECDSA on P-521.
    EcdsaP521,
    /// Ed25519.
    Ed25519,
}

impl KeyKind {
    fn openssl_args(self) -> &'static [&'static str] {
        match self {
            Self::Rsa2048 => &["-newkey", "rsa:2048"],
            Self::Rsa3072 => &["-newkey", "rsa:3072"],
            Self::Rsa4096 => &["-newkey", "rsa:4096"],
            Self::EcdsaP256 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
            Self::EcdsaP384 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
            Self::EcdsaP521 => &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521"],
            Self::Ed25519 => &["-newkey", "ed25519"],
        }
    }

    fn stem(self) -> &'static str {
        match self {
            Self::Rsa2048 => "rsa2048",
            Self::Rsa3072 => "rsa3072",
            Self::Rsa4096 => "rsa4096",
            Self::EcdsaP256 => "ecdsa-p256",
            Self::EcdsaP384 => "ecdsa-p384",
            Self::EcdsaP521 => "ecdsa-p521",
            Self::Ed25519 => "ed25519",
        }
    }
}

/// What to put in a self-signed certificate.
#[derive(Clone, Debug)]
pub struct CertSpec<'a> {
    /// The key type.
    pub key: KeyKind,
    /// The subject CN (the subject is `CN=<common_name>`, and so is the issuer).
    pub common_name: &'a str,
    /// subjectAltName entries in OpenSSL syntax (`DNS:a.test`, `IP:127.0.0.1`); none if empty.
    pub sans: &'a [&'a str],
    /// Validity in days from now.
    pub days: u32,
}

/// The files of a generated certificate.
#[derive(Clone, Debug)]
pub struct CertFiles {
    /// PEM certificate.
    pub cert: PathBuf,
    /// PEM private key (unencrypted).
    pub key: PathBuf,
}

/// A self-signed certificate of `kind` for `CN=<stem>.elbtls.test` with that name as its one
/// DNS SAN, valid 30 days, written into `dir`.
pub fn make_cert(dir: &Path, kind: KeyKind) -> CertFiles {
    let name = format!("{}.elbtls.test", kind.stem());
    let san = format!("DNS:{name}");
    make_cert_with(
        dir,
        &CertSpec {
            key: kind,
            common_name: &name,
            sans: &[&san],
            days: 30,
        },
    )
}

/// A self-signed certificate as `spec` says, written into `dir` (file names from the CN and key).
pub fn make_cert_with(dir: &Path, spec: &CertSpec<'_>) -> CertFiles {
    let stem = format!("{}-{}", spec.common_name, spec.key.stem());
    let files = CertFiles {
        cert: dir.join(format!("{stem}.pem")),
        key: dir.join(format!("{stem}.key")),
    };
    let mut command = Command::new("openssl");
    command
        .args(["req", "-x509", "-nodes", "-sha256"])
        .args(spec.key.openssl_args())
        .arg("-keyout")
        .arg(&files.key)
        .arg("-out")
        .arg(&files.cert)
        .args(["-days", &spec.days.to_string()])
        .args(["-subj", &format!("/CN={}", spec.common_name)])
        // `req -x509` marks certificates as CAs by default; a server certificate is not one.
        .args(["-addext", "basicConstraints=critical,CA:FALSE"]);
    if !spec.sans.is_empty() {
        command.args([
            "-addext",
            &format!("subjectAltName={}", spec.sans.join(",")),
        ]);
    }
    let output = command.output().expect("run openssl req");
    assert!(
        output.status.success(),
        "openssl req failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    files
}

/// A server process on loopback, killed (and reaped) on drop.
pub struct ServerGuard {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Its stdout and stderr.
    pub log: PathBuf,
}

impl ServerGuard {
    /// Starts `command` (already told to listen on `addr`, output going to `log`) and waits until
    /// `addr` accepts connections. `None` if the process exits first (the port was taken, say).
    pub fn spawn(mut command: Command, addr: SocketAddr, log: PathBuf) -> Option<Self> {
        let log_file = std::fs::File::create(&log).expect("create the server log");
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .spawn()
            .expect("start the server");
        let mut guard = Self { child, addr, log };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = guard.child.try_wait() {
                return None;
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Some(guard);
            }
            thread::sleep(Duration::from_millis(20));
        }
        panic!(
            "server on {addr} did not accept within {STARTUP_TIMEOUT:?}: {}",
            guard.log_text()
        );
    }

    /// What the server has written so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `openssl s_server -accept 127.0.0.1:<free port> -www <args>`, started and accepting; the log
/// goes into `dir`. Retries on another port if the chosen one was taken meanwhile.
pub fn openssl_server<S: AsRef<OsStr>>(
    dir: &Path,
    args: impl IntoIterator<Item = S>,
) -> ServerGuard {
    let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
    for attempt in 0..3 {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, free_port()));
        let mut command = Command::new("openssl");
        command
            .args(["s_server", "-accept", &addr.to_string(), "-www"])
            .args(&args);
        let log = dir.join(format!("s_server-{}-{attempt}.log", addr.port()));
        if let Some(guard) = ServerGuard::spawn(command, addr, log.clone()) {
            return guard;
        }
        eprintln!(
            "openssl s_server exited at start: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }
    panic!("openssl s_server {args:?} would not start");
}

/// The arguments serving one certificate (`-cert C -key K`).
pub fn cert_args(files: &CertFiles) -> Vec<String> {
    vec![
        "-cert".into(),
        files.cert.display().to_string(),
        "-key".into(),
        files.key.display().to_string(),
    ]
}

/// The arguments serving a second certificate (`-dcert C -dkey K`), as for a dual RSA + ECDSA
/// server.
pub fn second_cert_args(files: &CertFiles) -> Vec<String> {
    vec![
        "-dcert".into(),
        files.cert.display().to_string(),
        "-dkey".into(),
        files.key.display().to_string(),
    ]
}

/// The name `openssl s_server -groups` / `s_client -groups` (OpenSSL 3.0) takes for `group`, or
/// `None` when OpenSSL 3.0 has no such TLS group (the ML-KEM hybrids, GOST, SM2).
pub fn openssl_group_name(group: elbtls::tls::NamedGroup) -> Option<&'static str> {
    Some(match group.0 {
        0x001D => "X25519",
        0x001E => "X448",
        0x0017 => "P-256",
        0x0018 => "P-384",
        0x0019 => "P-521",
        0x0016 => "secp256k1",
        0x001A => "brainpoolP256r1",
        0x001B => "brainpoolP384r1",
        0x001C => "brainpoolP512r1",
        0x0009 => "sect283k1",
        0x000A => "sect283r1",
        0x000B => "sect409k1",
        0x000C => "sect409r1",
        0x000D => "sect571k1",
        0x000E => "sect571r1",
        0x0100 => "ffdhe2048",
        0x0101 => "ffdhe3072",
        0x0102 => "ffdhe4096",
        0x0103 => "ffdhe6144",
        0x0104 => "ffdhe8192",
        _ => return None,
    })
}

/// The `-min_protocol` / `-max_protocol` spelling of a version OpenSSL 3.0 can still serve.
pub fn openssl_version_name(v: elbtls::tls::ProtocolVersion) -> Option<&'static str> {
    use elbtls::tls::ProtocolVersion;
    Some(match v {
        ProtocolVersion::TLSV1_0 => "TLSv1",
        ProtocolVersion::TLSV1_1 => "TLSv1.1",
        ProtocolVersion::TLSV1_2 => "TLSv1.2",
        ProtocolVersion::TLSV1_3 => "TLSv1.3",
        _ => return None,
    })
}

/// `openssl s_server` arguments that make it run `policy`: its TLS ≤ 1.2 ciphers in order with
/// server preference, its TLS 1.3 suites, its groups and its protocol range. Panics on a group or
/// version OpenSSL 3.0 cannot serve (post-quantum policies, SSL 3.0).
pub fn policy_args(policy: &elbtls::catalogue::Policy) -> Vec<String> {
    let (tls13, legacy): (Vec<_>, Vec<_>) = policy
        .ciphers
        .iter()
        .partition(|c| c.info().unwrap().is_tls13());
    let legacy: Vec<&str> = legacy
        .iter()
        .map(|c| c.info().unwrap().openssl_name.unwrap())
        .collect();
    let tls13: Vec<&str> = tls13.iter().map(|c| c.info().unwrap().iana_name).collect();
    let groups: Vec<&str> = policy
        .groups
        .as_ref()
        .unwrap()
        .iter()
        .map(|g| {
            openssl_group_name(*g)
                .unwrap_or_else(|| panic!("no OpenSSL 3.0 name for group {g} of {}", policy.name))
        })
        .collect();
    let version = |v: Option<elbtls::tls::ProtocolVersion>| {
        let v = v.unwrap();
        openssl_version_name(v)
            .unwrap_or_else(|| panic!("OpenSSL 3.0 cannot serve {v} ({})", policy.name))
            .to_string()
    };
    let mut args = vec![
        "-serverpref".to_string(),
        "-cipher".into(),
        format!("{}:@SECLEVEL=0", legacy.join(":")),
        "-ciphersuites".into(),
        tls13.join(":"),
        "-groups".into(),
        groups.join(":"),
        "-min_protocol".into(),
        version(policy.min_protocol()),
        "-max_protocol".into(),
        version(policy.max_protocol()),
    ];
    if legacy.is_empty() {
        // OpenSSL needs a TLS ≤ 1.2 list even for a TLS 1.3-only server.
        args[2] = "DEFAULT".into();
    }
    args
}

pub mod aws_stub;
pub mod elbemu;
pub mod moto;
pub mod responder;
