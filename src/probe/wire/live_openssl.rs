//! Checks the codec against a real `openssl s_server` on 127.0.0.1 and (re)captures the
//! server answers kept in `testdata/`. Ignored by default because it starts processes:
//!
//! ```text
//! cargo test --lib probe::wire::live_openssl -- --ignored             # check only
//! ELBTLS_WRITE_CAPTURES=1 cargo test --lib probe::wire::live_openssl -- --ignored
//! ```
//!
//! Needs `openssl` (3.x) and, for the HTTP capture, `nginx` on the PATH. Connects to nothing but
//! the loopback servers it starts.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// A server process started by this test, killed (by its own handle) when dropped.
struct LocalServer {
    child: Child,
    port: u16,
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn start(program: &str, args: &[&str], dir: &Path, port: u16) -> LocalServer {
    let child = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {program}: {e}"));
    let server = LocalServer { child, port };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{program} did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    server
}

fn s_server(dir: &Path, extra: &[&str]) -> LocalServer {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let mut args = vec![
        "s_server", "-accept", &accept, "-cert", "c.pem", "-key", "k.pem", "-www",
    ];
    args.extend_from_slice(extra);
    start("openssl", &args, dir, port)
}

/// Sends `records` and returns what the server sends back until it pauses for 300 ms or closes.
fn exchange(port: u16, records: &[u8], half_close: bool) -> Vec<u8> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to the local server");
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    stream.write_all(records).unwrap();
    if half_close {
        stream.shutdown(Shutdown::Write).unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut received = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(_) if !received.is_empty() || Instant::now() > deadline => break,
            Err(_) => {}
        }
    }
    received
}

fn hello(version: ProtocolVersion, suites: &[CipherSuite]) -> ClientHelloSpec {
    let mut spec = ClientHelloSpec::new(version, [0x11; 32]);
    spec.cipher_suites = suites.to_vec();
    spec
}

fn expect_server_hello(received: &[u8], what: &str) -> ServerHello {
    match read_server_response(received) {
        Ok(Progress::Done(ServerResponse::ServerHello(hello))) => hello,
        other => panic!("{what}: expected a ServerHello, got {other:?}"),
    }
}

/// Every TLS ≤ 1.2 suite of the registry: the broadest offer a scanner makes.
fn registry_suites_up_to_tls12() -> Vec<CipherSuite> {
    CipherSuite::registry()
        .iter()
        .filter(|info| !info.is_tls13() && !info.is_signalling())
        .map(|info| info.suite)
        .collect()
}

struct Captures {
    dir: Option<PathBuf>,
}

impl Captures {
    fn save(&self, name: &str, bytes: &[u8]) {
        assert!(!bytes.is_empty(), "{name}: nothing received");
        if let Some(dir) = &self.dir {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
}

#[test]
#[ignore = "starts openssl s_server on 127.0.0.1; run with --ignored"]
fn real_openssl_server_answers_every_probe() {
    let work = std::env::temp_dir().join(format!("elbtls-wire-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-keyout", "k.pem", "-out", "c.pem", "-days", "1"])
        .current_dir(&work)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl req failed");
    let captures = Captures {
        dir: std::env::var_os("ELBTLS_WRITE_CAPTURES")
            .map(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("src/probe/wire/testdata")),
    };
    if let Some(dir) = &captures.dir {
        let status = Command::new("openssl")
            .args(["x509", "-in", "c.pem", "-outform", "DER", "-out"])
            .arg(dir.join("tls12_certificate.der"))
            .current_dir(&work)
            .status()
            .unwrap();
        assert!(status.success());
    }

    // A default OpenSSL 3 server: TLS 1.2 and 1.3.
    let modern = s_server(&work, &[]);
    let tls12 = hello(
        ProtocolVersion::TLSV1_2,
        &[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256],
    );
    let flight = exchange(modern.port, &tls12.build().unwrap(), false);
    let answer = expect_server_hello(&flight, "TLS 1.2");
    assert_eq!(answer.version, ProtocolVersion::TLSV1_2);
    assert!(
        matches!(read_certificate_chain(&flight), Ok(Progress::Done(Some(chain))) if chain.len() == 1)
    );
    captures.save("tls12_server_hello_flight.bin", &flight);

    let tls13_suites = [
        CipherSuite::TLS_AES_128_GCM_SHA256,
        CipherSuite::TLS_AES_256_GCM_SHA384,
        CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
    ];
    for group in [
        NamedGroup::X25519,
        NamedGroup::SECP256R1,
        NamedGroup::SECP384R1,
        NamedGroup::SECP521R1,
        NamedGroup::X448,
        NamedGroup::FFDHE2048,
        NamedGroup::FFDHE3072,
    ] {
        let mut spec = hello(ProtocolVersion::TLSV1_3, &tls13_suites);
        spec.key_shares = Some(vec![group]);
        spec.supported_groups = vec![group];
        let flight = exchange(modern.port, &spec.build().unwrap(), false);
        let answer = expect_server_hello(&flight, &format!("TLS 1.3 with {group}"));
        assert_eq!(answer.version, ProtocolVersion::TLSV1_3);
        assert_eq!(answer.selected_group, Some(group));
        assert_eq!(read_certificate_chain(&flight), Ok(Progress::Done(None)));
        if group == NamedGroup::X25519 {
            captures.save("tls13_server_hello_flight.bin", &flight);
        }
    }

    let mut retry = hello(ProtocolVersion::TLSV1_3, &tls13_suites);
    retry.supported_groups = vec![NamedGroup::X25519, NamedGroup::SECP256R1];
    retry.key_shares = Some(vec![]);
    let flight = exchange(modern.port, &retry.build().unwrap(), false);
    match read_server_response(&flight) {
        Ok(Progress::Done(ServerResponse::HelloRetryRequest(hrr))) => {
            assert_eq!(hrr.selected_group, Some(NamedGroup::X25519));
        }
        other => panic!("expected a HelloRetryRequest, got {other:?}"),
    }
    captures.save("tls13_hello_retry_request.bin", &flight);

    // An RSA-only server cannot do DSS: it refuses with an alert.
    let no_common = hello(
        ProtocolVersion::TLSV1_2,
        &[CipherSuite::TLS_DHE_DSS_WITH_AES_128_CBC_SHA],
    );
    let flight = exchange(modern.port, &no_common.build().unwrap(), false);
    match read_server_response(&flight) {
        Ok(Progress::Done(ServerResponse::Alert(alert))) => {
            assert_eq!(alert.description, AlertDescription::HANDSHAKE_FAILURE);
        }
        other => panic!("expected an alert, got {other:?}"),
    }
    captures.save("alert_handshake_failure.bin", &flight);
    drop(modern);

    // TLS 1.2 and up only: an older offer gets protocol_version.
    let strict = s_server(&work, &["-min_protocol", "TLSv1.2"]);
    let old = hello(
        ProtocolVersion::TLSV1_1,
        &[CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA],
    );
    let flight = exchange(strict.port, &old.build().unwrap(), false);
    match read_server_response(&flight) {
        Ok(Progress::Done(ServerResponse::Alert(alert))) => {
            assert_eq!(alert.description, AlertDescription::PROTOCOL_VERSION);
        }
        other => panic!("expected a protocol_version alert, got {other:?}"),
    }
    captures.save("alert_protocol_version.bin", &flight);
    drop(strict);

    // A legacy server: TLS 1.0 and 1.1 with every suite OpenSSL still has.
    let legacy = s_server(
        &work,
        &["-cipher", "ALL:@SECLEVEL=0", "-min_protocol", "TLSv1"],
    );
    for version in [
        ProtocolVersion::TLSV1_0,
        ProtocolVersion::TLSV1_1,
        ProtocolVersion::TLSV1_2,
    ] {
        let offer = hello(version, &registry_suites_up_to_tls12());
        let flight = exchange(legacy.port, &offer.build().unwrap(), false);
        let answer = expect_server_hello(&flight, &format!("{version} legacy"));
        assert_eq!(answer.version, version);
        assert!(answer.secure_renegotiation());
        if version == ProtocolVersion::TLSV1_0 {
            assert_eq!(answer.record_version, ProtocolVersion::TLSV1_0);
            captures.save("tls10_server_hello_flight.bin", &flight);
        }
    }
    drop(legacy);

    // Something that is not TLS: a plain-HTTP nginx answers the hello with a 400.
    if Command::new("nginx").arg("-v").output().is_ok() {
        let port = free_port();
        let config = format!(
            "daemon off; master_process off; pid nginx.pid; error_log stderr; events {{}} \
             http {{ access_log off; server {{ listen 127.0.0.1:{port}; }} }}"
        );
        std::fs::write(work.join("nginx.conf"), config).unwrap();
        let prefix = work.to_str().unwrap();
        let http = start(
            "nginx",
            &["-p", prefix, "-e", "stderr", "-c", "nginx.conf"],
            &work,
            port,
        );
        let flight = exchange(http.port, &tls12.build().unwrap(), false);
        let error = read_server_response(&flight).unwrap_err();
        assert!(
            error.to_string().contains("\"HTTP/1.1 400 Bad Request\""),
            "{error}"
        );
        captures.save("http_400_response.bin", &flight);
    }
    let _ = std::fs::remove_dir_all(&work);
}
