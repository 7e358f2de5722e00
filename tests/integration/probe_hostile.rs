//! `elbtls probe` (and `elbtls audit`) against hostile servers the tests start on 127.0.0.1:
//! silence, a slow drip, oversized and garbage records, a partial answer then a reset, a reset
//! every Nth connection, one connection at a time, answers with a suite, version or group that was
//! never offered, HelloRetryRequest loops, certificate handshakes reset, and a 70 KB certificate.
//!
//! For each the run ends within the endpoint deadline with a named error or an honest partial
//! result: never "refuses" on a broken answer, never "compliant" on missing evidence.
//!
//! Only 127.0.0.0/8 is ever bound or connected to.

use crate::support;

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::responder::{KeyType, PolicyConfig, Responder, answer};
use crate::support::{ServerGuard, TempDir};
use elbtls::model::LoadBalancerType;
use elbtls::probe::wire::{
    ClientHello, Progress, ServerHelloMessage, encode_handshake_flight, parse_client_hello,
};
use elbtls::tls::{CipherSuite, NamedGroup, ProtocolVersion};
use serde_json::Value;

/// The per-step timeout given to the prober, in seconds.
const TIMEOUT: &str = "2";

// ---------------------------------------------------------------------------------------------
// The hostile server: an accept loop on 127.0.0.1 calling a handler per connection.

/// What a handler is given: the connection's number (0-based, in accept order) and the stream.
type Handler = dyn Fn(usize, TcpStream) + Send + Sync + 'static;

struct Hostile {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    accept_loop: Option<thread::JoinHandle<()>>,
}

impl Hostile {
    /// Serves each connection on its own thread.
    fn start(handler: impl Fn(usize, TcpStream) + Send + Sync + 'static) -> Self {
        Self::start_with(Arc::new(handler), false)
    }

    /// Serves one connection at a time: the next is accepted only when the handler returns.
    fn serial(handler: impl Fn(usize, TcpStream) + Send + Sync + 'static) -> Self {
        Self::start_with(Arc::new(handler), true)
    }

    fn start_with(handler: Arc<Handler>, serial: bool) -> Self {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        Self::on(listener, handler, serial)
    }

    fn on(listener: TcpListener, handler: Arc<Handler>, serial: bool) -> Self {
        let addr = listener.local_addr().unwrap();
        listener.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicUsize::new(0));
        let accept_loop = {
            let (stop, accepted) = (Arc::clone(&stop), Arc::clone(&accepted));
            thread::spawn(move || {
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let index = accepted.fetch_add(1, Ordering::SeqCst);
                            stream.set_nonblocking(false).unwrap();
                            let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
                            let _ = stream.set_nodelay(true);
                            if serial {
                                handler(index, stream);
                            } else {
                                let handler = Arc::clone(&handler);
                                thread::spawn(move || handler(index, stream));
                            }
                        }
                        Err(_) => thread::sleep(Duration::from_millis(1)),
                    }
                }
            })
        };
        Self {
            addr,
            stop,
            accept_loop: Some(accept_loop),
        }
    }

    fn target(&self) -> String {
        self.addr.to_string()
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(accept_loop) = self.accept_loop.take() {
            let _ = accept_loop.join();
        }
    }
}

/// Reads a whole ClientHello; `None` if the peer sends something else or goes away.
fn read_hello(stream: &mut TcpStream) -> Option<(Vec<u8>, ClientHello)> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match parse_client_hello(&received) {
            Ok(Progress::Done(hello)) => return Some((received, hello)),
            Ok(Progress::NeedMore) if received.len() < 80 * 1024 => {}
            _ => return None,
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => received.extend_from_slice(&chunk[..n]),
        }
    }
}

/// Reads and discards until the peer closes.
fn drain(stream: &mut TcpStream) {
    let mut sink = [0u8; 4096];
    while let Ok(n) = stream.read(&mut sink) {
        if n == 0 {
            break;
        }
    }
}

/// Sends `reply`, closes gracefully, and waits for the peer to hang up.
fn reply_and_close(stream: &mut TcpStream, reply: &[u8]) {
    let _ = stream.write_all(reply);
    let _ = stream.shutdown(Shutdown::Write);
    drain(stream);
}

/// Closes with a TCP reset (SO_LINGER 0) instead of a FIN.
fn reset(stream: TcpStream) {
    stream.set_nonblocking(true).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let stream = tokio::net::TcpStream::from_std(stream).unwrap();
        stream.set_zero_linger().unwrap();
        drop(stream);
    });
}

/// The server every hostile behaviour starts from: ELBSecurityPolicy-TLS13-1-2-2021-06, RSA.
fn policy() -> PolicyConfig {
    PolicyConfig::from_catalogue(
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        LoadBalancerType::Application,
        KeyType::Rsa,
    )
}

/// What the policy server answers to `hello`.
fn proper(config: &PolicyConfig, hello: &ClientHello) -> Vec<u8> {
    answer(config, hello, [7; 32])
}

/// Whether `bytes` starts with a ServerHello record; then the offsets of its legacy version and
/// its cipher suite.
fn server_hello_offsets(bytes: &[u8]) -> Option<(usize, usize)> {
    if bytes.len() < 44 || bytes[0] != 22 || bytes[5] != 2 {
        return None;
    }
    let session_id_len = bytes[43] as usize;
    Some((9, 44 + session_id_len))
}

// ---------------------------------------------------------------------------------------------
// Running elbtls.

struct Run {
    endpoint: Value,
    exit: i32,
    elapsed: Duration,
    stderr: String,
}

fn probe(target: &str, extra: &[&str]) -> Run {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["probe", target, "--format", "json", "--timeout", TIMEOUT])
        .args(extra)
        .output()
        .expect("run elbtls");
    let elapsed = started.elapsed();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): stdout {} stderr {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    Run {
        endpoint: document["endpoints"][0].clone(),
        exit: output.status.code().expect("exit code"),
        elapsed,
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn handshakes_only(target: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--no-certificates"];
    args.extend(extra);
    probe(target, &args)
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn text_of(run: &Run) -> String {
    format!(
        "{} {}",
        run.endpoint["error"].as_str().unwrap_or_default(),
        strings(&run.endpoint["warnings"]).join(" | ")
    )
}

/// The versions the policy server accepts: never to be reported refused.
const ACCEPTED: &[&str] = &["TLSv1.2", "TLSv1.3"];

/// The verdict-free outcome every hostile case must have: not complete, exit 3, none of the
/// versions the server accepts refused on the strength of a broken answer, within the deadline.
/// Returns the error and warnings.
fn assert_not_verified(run: &Run, case: &str, within: Duration) -> String {
    assert_not_verified_accepting(run, case, within, ACCEPTED)
}

/// [`assert_not_verified`] for a server that accepts `accepted`.
fn assert_not_verified_accepting(
    run: &Run,
    case: &str,
    within: Duration,
    accepted: &[&str],
) -> String {
    println!(
        "{case}: status {}, exit {}, {:.2} s: {}",
        run.endpoint["status"],
        run.exit,
        run.elapsed.as_secs_f64(),
        text_of(run)
    );
    assert_eq!(
        run.endpoint["complete"], false,
        "{case}: {:#}",
        run.endpoint
    );
    assert_eq!(run.exit, 3, "{case}: {} {:#}", run.stderr, run.endpoint);
    let refused = strings(&run.endpoint["refused_protocols"]);
    assert!(
        accepted.iter().all(|v| !refused.contains(&v.to_string())),
        "{case}: a broken answer read as a refusal: {refused:?}"
    );
    assert!(
        run.elapsed < within,
        "{case}: took {:?} (bound {within:?})",
        run.elapsed
    );
    text_of(run)
}

/// The acceptance part of a probe result, to compare two runs.
fn acceptance(endpoint: &Value) -> Value {
    serde_json::json!({
        "protocols": endpoint["protocols"],
        "refused": endpoint["refused_protocols"],
        "undetermined": endpoint["undetermined_protocols"],
        "groups": endpoint["groups"],
        "complete": endpoint["complete"],
    })
}

// ---------------------------------------------------------------------------------------------
// Silence, slow servers and the endpoint deadline.

#[test]
fn a_silent_server_is_an_error_within_the_deadline() {
    let server = Hostile::start(|_, mut stream| drain(&mut stream));
    let run = handshakes_only(&server.target(), &["--deadline", "10"]);
    let text = assert_not_verified(&run, "silence", Duration::from_secs(10));
    assert_eq!(run.endpoint["status"], "error");
    assert!(text.contains("no complete answer within 2 s"), "{text}");

    // A long per-step timeout, certificate handshakes included: the deadline still ends it.
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["probe", &server.target(), "--format", "json"])
        .args(["--timeout", "30", "--deadline", "3"])
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    let document: Value = serde_json::from_slice(&output.stdout).unwrap();
    let endpoint = &document["endpoints"][0];
    println!(
        "silence, --timeout 30 --deadline 3: {elapsed:?}: {}",
        endpoint["error"]
    );
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(endpoint["complete"], false);
    assert!(elapsed < Duration::from_secs(3 + 3), "{elapsed:?}");
    assert!(
        endpoint["error"]
            .as_str()
            .unwrap_or_default()
            .contains("deadline of 3 s"),
        "{endpoint:#}"
    );
}

#[test]
fn a_slow_drip_ends_at_the_deadline_as_a_partial_result() {
    // The whole answer, 16 bytes every 150 ms: a ServerHello takes over a second, a TLS 1.2
    // flight with its certificate much more than the timeout.
    let config = policy();
    let server = Hostile::start(move |_, mut stream| {
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        for piece in proper(&config, &hello).chunks(16) {
            if stream.write_all(piece).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(150));
        }
        drain(&mut stream);
    });
    let run = handshakes_only(&server.target(), &["--deadline", "6"]);
    let text = assert_not_verified(&run, "slow drip", Duration::from_secs(6 + 4));
    // The TLS 1.2 flight (with its certificate) outlasts the timeout; the rest may also meet the
    // deadline, depending on how fast the short TLS 1.3 answers come.
    assert!(
        text.contains("TLSv1.2: could not be determined") && text.contains("no complete answer"),
        "{text}"
    );
}

#[test]
fn a_slow_server_that_accepts_everything_stops_at_the_deadline() {
    // Every answer correct, each after 0.8 s (under the 2 s timeout): the full enumeration takes
    // three rounds or more at 8 handshakes at once, over two seconds; a 2 s deadline ends it, and
    // says so.
    let config = policy();
    let server = Hostile::start(move |_, mut stream| {
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        thread::sleep(Duration::from_millis(800));
        reply_and_close(&mut stream, &proper(&config, &hello));
    });
    let run = handshakes_only(
        &server.target(),
        &["--deadline", "2", "--max-connections", "8"],
    );
    let text = assert_not_verified(&run, "slow server", Duration::from_secs(2 + 3));
    assert_eq!(run.endpoint["status"], "ok", "what was seen is kept");
    assert!(
        text.contains("the endpoint deadline of 2 s passed before the probe ended"),
        "{text}"
    );
    // The same server given time enough is probed completely: the deadline made the difference.
    let full = handshakes_only(
        &server.target(),
        &["--deadline", "300", "--max-connections", "8"],
    );
    println!(
        "slow server, no deadline: {:.2} s, complete {}: {}",
        full.elapsed.as_secs_f64(),
        full.endpoint["complete"],
        text_of(&full)
    );
    assert_eq!(full.endpoint["complete"], true, "{:#}", full.endpoint);
    assert!(full.elapsed > Duration::from_secs(2), "{:?}", full.elapsed);
}

#[test]
fn deadline_flag_is_checked() {
    for bad in ["0", "-1", "nan", "3601"] {
        let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
            .args(["probe", "127.0.0.1:1", &format!("--deadline={bad}")])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "--deadline {bad}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("--deadline"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Records that are not TLS.

#[test]
fn oversized_and_garbage_records_are_named_errors() {
    let oversized = Hostile::start(|_, mut stream| {
        let _ = read_hello(&mut stream);
        let mut reply = vec![22, 3, 3, 0xff, 0xff];
        reply.extend(std::iter::repeat_n(0u8, 4096));
        reply_and_close(&mut stream, &reply);
    });
    let run = handshakes_only(&oversized.target(), &[]);
    let text = assert_not_verified(&run, "oversized record", Duration::from_secs(10));
    assert_eq!(run.endpoint["status"], "error");
    assert!(text.contains("does not speak TLS"), "{text}");

    let garbage = Hostile::start(|index, mut stream| {
        let _ = read_hello(&mut stream);
        // A handshake record header, then noise.
        let mut x = 0x2545_f491_u64 + index as u64;
        let mut reply = vec![22, 3, 3, 0x01, 0x00];
        for _ in 0..256 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            reply.push(x as u8);
        }
        reply_and_close(&mut stream, &reply);
    });
    let run = handshakes_only(&garbage.target(), &[]);
    let text = assert_not_verified(&run, "garbage", Duration::from_secs(10));
    assert_eq!(run.endpoint["status"], "error");
    assert!(text.contains("does not speak TLS"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Resets and hang-ups.

#[test]
fn a_partial_answer_then_a_reset_is_an_error_never_a_refusal() {
    // Issue 10, case 2: 7 bytes of the ServerHello, then a reset.
    let config = policy();
    let server = Hostile::start(move |_, mut stream| {
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        let reply = proper(&config, &hello);
        let _ = stream.write_all(&reply[..7]);
        thread::sleep(Duration::from_millis(20));
        reset(stream);
    });
    let run = handshakes_only(&server.target(), &[]);
    let text = assert_not_verified(&run, "partial then reset", Duration::from_secs(10));
    assert_eq!(run.endpoint["status"], "error");
    assert!(
        text.contains("broke after 7 bytes") || text.contains("in the middle of its answer"),
        "{text}"
    );
}

/// A probe of the plain policy server, for comparison.
fn reference() -> Value {
    let responder = Responder::start(policy());
    let run = handshakes_only(&responder.target(), &[]);
    assert_eq!(run.exit, 0, "{:#}", run.endpoint);
    acceptance(&run.endpoint)
}

#[test]
fn a_reset_every_seventh_connection_is_retried_and_changes_nothing() {
    // Issue 10, case 2: resets before any byte are retried (and reported). One handshake at a
    // time, so that the connection after a reset is its retry: the result is the policy server's,
    // every time.
    let config = policy();
    let server = Hostile::start(move |index, mut stream| {
        if index % 7 == 6 {
            reset(stream);
            return;
        }
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        reply_and_close(&mut stream, &proper(&config, &hello));
    });
    let expected = reference();
    for attempt in 0..2 {
        let run = handshakes_only(&server.target(), &["--max-connections", "1"]);
        let warnings = strings(&run.endpoint["warnings"]).join(" | ");
        println!(
            "reset every 7th, run {attempt}: exit {}, {} connections, {warnings}",
            run.exit, run.endpoint["connections"]
        );
        assert_eq!(acceptance(&run.endpoint), expected, "run {attempt}");
        assert_eq!(run.exit, 0);
        assert!(warnings.contains("made again"), "{warnings}");
    }
    // Eight at a time, a retry can meet another reset: the result is then the policy server's
    // or honestly incomplete, and never refuses what the server accepts.
    let run = handshakes_only(&server.target(), &[]);
    if acceptance(&run.endpoint) != expected {
        assert_not_verified(
            &run,
            "reset every 7th, 8 at a time",
            Duration::from_secs(30),
        );
    }
}

#[test]
fn a_server_taking_one_connection_at_a_time_gives_the_same_result() {
    // Issue 10, case 2: connections queue in the backlog; nothing is invented.
    let config = policy();
    let server = Hostile::serial(move |_, mut stream| {
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        thread::sleep(Duration::from_millis(5));
        let _ = stream.write_all(&proper(&config, &hello));
        let _ = stream.shutdown(Shutdown::Write);
        // Do not wait for the client: the next connection is waiting.
    });
    let run = handshakes_only(&server.target(), &[]);
    println!(
        "one at a time: exit {}, {:.2} s",
        run.exit,
        run.elapsed.as_secs_f64()
    );
    assert_eq!(acceptance(&run.endpoint), reference());
    assert_eq!(run.exit, 0);
}

#[test]
fn a_server_that_hangs_up_twice_before_answering_is_not_read_as_refusing() {
    // Clean closes before any byte on two connections of every three: each offer, made one at a
    // time, is answered on its third attempt; nothing is refused that the policy accepts.
    let config = policy();
    let server = Hostile::start(move |index, mut stream| {
        if index % 3 != 2 {
            drop(stream);
            return;
        }
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        reply_and_close(&mut stream, &proper(&config, &hello));
    });
    let run = handshakes_only(&server.target(), &["--max-connections", "1"]);
    println!(
        "hang-ups: exit {}, {} connections",
        run.exit, run.endpoint["connections"]
    );
    assert_eq!(acceptance(&run.endpoint), reference());
    assert_eq!(run.exit, 0);
}

// ---------------------------------------------------------------------------------------------
// Answers no correct server gives.

/// A server answering like the policy server, with `patch` applied to each answer.
fn patched(patch: impl Fn(&ClientHello, Vec<u8>) -> Vec<u8> + Send + Sync + 'static) -> Hostile {
    let config = policy();
    Hostile::start(move |_, mut stream| {
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        let reply = patch(&hello, proper(&config, &hello));
        reply_and_close(&mut stream, &reply);
    })
}

#[test]
fn a_server_hello_choosing_a_suite_never_offered_is_a_violation() {
    // Issue 10, case 9.
    let server = patched(|hello, mut reply| {
        if let Some((_, suite_at)) = server_hello_offsets(&reply) {
            let never: u16 = if hello.cipher_suites.contains(&CipherSuite(0x1301)) {
                0xc02f
            } else {
                0x1301
            };
            reply[suite_at..suite_at + 2].copy_from_slice(&never.to_be_bytes());
        }
        reply
    });
    let run = handshakes_only(&server.target(), &[]);
    let text = assert_not_verified(&run, "suite never offered", Duration::from_secs(10));
    assert!(
        text.contains("a cipher suite that was not offered"),
        "{text}"
    );
    assert!(strings(&run.endpoint["protocols"]).is_empty());
}

#[test]
fn a_server_hello_of_a_version_never_offered_is_a_violation() {
    // ELBSecurityPolicy-2016-08 accepts TLS 1.0; this server answers TLS 1.0 and 1.1 hellos
    // with a TLS 1.2 ServerHello, which the client never offered.
    let config = PolicyConfig::from_catalogue(
        "ELBSecurityPolicy-2016-08",
        LoadBalancerType::Application,
        KeyType::Rsa,
    );
    let server = Hostile::start(move |_, mut stream| {
        let Some((_, hello)) = read_hello(&mut stream) else {
            return;
        };
        let mut reply = proper(&config, &hello);
        if hello.supported_versions().is_none()
            && hello.client_version < ProtocolVersion::TLSV1_2
            && let Some((version_at, _)) = server_hello_offsets(&reply)
        {
            reply[version_at..version_at + 2].copy_from_slice(&[3, 3]);
        }
        reply_and_close(&mut stream, &reply);
    });
    let run = handshakes_only(&server.target(), &[]);
    let text = assert_not_verified_accepting(
        &run,
        "version never offered",
        Duration::from_secs(20),
        &["TLSv1", "TLSv1.1", "TLSv1.2"],
    );
    assert!(text.contains("a version that was not offered"), "{text}");
    let refused = strings(&run.endpoint["refused_protocols"]);
    assert!(!refused.contains(&"TLSv1".to_string()), "{refused:?}");
    let undetermined: Vec<&str> = run.endpoint["undetermined_protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["version"].as_str().unwrap())
        .collect();
    assert!(undetermined.contains(&"TLSv1"), "{undetermined:?}");
}

/// A server that answers every TLS 1.3 hello with a HelloRetryRequest for `group` (and TLS 1.2
/// hellos like the policy server).
fn retrying(group: NamedGroup) -> Hostile {
    patched(move |hello, reply| {
        if hello.supported_versions().is_none() {
            return reply;
        }
        let retry = ServerHelloMessage::hello_retry_request(
            hello.session_id.clone(),
            CipherSuite(0x1301),
            group,
        );
        let mut out = Vec::new();
        encode_handshake_flight(
            &mut out,
            ProtocolVersion::TLSV1_2,
            &[retry.to_message().unwrap()],
        );
        out
    })
}

#[test]
fn a_hello_retry_request_for_a_group_never_offered_is_a_violation() {
    // Issue 10, case 9: before, TLS 1.3 was "accepted" with no groups, exit 0.
    // sect163k1: obsolete, never in a TLS 1.3 offer (which lists every TLS 1.3 group).
    let server = retrying(NamedGroup(0x0001));
    let run = handshakes_only(&server.target(), &[]);
    let text = assert_not_verified(&run, "HRR group never offered", Duration::from_secs(20));
    assert!(text.contains("a group that was not offered"), "{text}");
    let accepted: Vec<&str> = run.endpoint["protocols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["version"].as_str().unwrap())
        .collect();
    assert!(!accepted.contains(&"TLSv1.3"), "{accepted:?}");
}

#[test]
fn a_hello_retry_request_that_repeats_a_group_left_out_is_a_violation() {
    // A retry for X25519 to every TLS 1.3 offer: once the probe leaves X25519 out (it found it),
    // the server asks for a group that was not offered. (A retry for a group a key share was sent
    // for, which would loop forever, cannot happen: the probe sends no key share.)
    let server = retrying(NamedGroup::X25519);
    let run = handshakes_only(&server.target(), &[]);
    let text = assert_not_verified(&run, "HRR repeating a group", Duration::from_secs(20));
    assert!(text.contains("a group that was not offered"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// Certificates: handshakes reset, and a chain larger than rustls takes.

/// A self-signed RSA certificate that expired on 2021-01-01, with `padding` bytes in a private
/// extension (a 70 KB certificate with 70_000), made with the test venv's `cryptography`.
fn expired_certificate(dir: &TempDir, padding: usize) -> support::CertFiles {
    let cert = dir.path().join(format!("expired-{padding}.pem"));
    let key = dir.path().join(format!("expired-{padding}.key"));
    let script = r#"
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID, ObjectIdentifier
cert_path, key_path, padding = sys.argv[1], sys.argv[2], int(sys.argv[3])
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "expired.elbtls.test")])
start = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
builder = (
    x509.CertificateBuilder()
    .subject_name(name).issuer_name(name).public_key(key.public_key())
    .serial_number(4242).not_valid_before(start)
    .not_valid_after(datetime.datetime(2021, 1, 1, tzinfo=datetime.timezone.utc))
    .add_extension(x509.SubjectAlternativeName([x509.DNSName("expired.elbtls.test")]), critical=False)
)
if padding:
    builder = builder.add_extension(
        x509.UnrecognizedExtension(ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x04\x83" + padding.to_bytes(3, "big") + b"x" * padding),
        critical=False,
    )
cert = builder.sign(key, hashes.SHA256())
open(cert_path, "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(key_path, "wb").write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
"#;
    let output = Command::new(support::moto::venv_python())
        .arg("-c")
        .arg(script)
        .arg(&cert)
        .arg(&key)
        .arg(padding.to_string())
        .output()
        .expect("run the venv python");
    assert!(
        output.status.success(),
        "making the certificate failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    support::CertFiles { cert, key }
}

/// `openssl s_server` on `addr` with `cert`, TLS 1.2 and 1.3 (or 1.3 only), the RSA suites of
/// ELBSecurityPolicy-TLS13-1-2-2021-06.
fn tls_server(
    dir: &TempDir,
    addr: SocketAddr,
    cert: &support::CertFiles,
    min: &str,
) -> ServerGuard {
    let mut command = Command::new("openssl");
    command
        .args(["s_server", "-accept", &addr.to_string(), "-www", "-serverpref"])
        .args([
            "-cipher",
            "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-SHA384",
        ])
        .args([
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256",
        ])
        .args(["-groups", "X25519:P-256:P-384:P-521", "-min_protocol", min])
        .args(support::cert_args(cert));
    let log = dir
        .path()
        .join(format!("s_server-{}-{}.log", addr.ip(), addr.port()));
    ServerGuard::spawn(command, addr, log).expect("openssl s_server starts")
}

/// Whether a ClientHello is rustls's (the certificate handshakes): it offers TLS 1.3 and 1.2 in
/// `supported_versions`, where the hand-built probes offer exactly one version.
fn is_rustls(hello: &ClientHello) -> bool {
    hello.supported_versions().is_some_and(|v| v.len() > 1)
}

/// A TCP proxy on `listener` to `backend` that resets the certificate handshakes (rustls's
/// hellos) and passes every other connection through.
fn resetting_proxy(listener: TcpListener, backend: SocketAddr) -> Hostile {
    let handler = move |_: usize, mut client: TcpStream| {
        let Some((raw, hello)) = read_hello(&mut client) else {
            return;
        };
        if is_rustls(&hello) {
            reset(client);
            return;
        }
        let Ok(mut server) = TcpStream::connect(backend) else {
            return;
        };
        if server.write_all(&raw).is_err() {
            return;
        }
        let (mut client_reader, mut server_writer) =
            (client.try_clone().unwrap(), server.try_clone().unwrap());
        let upstream = thread::spawn(move || {
            let _ = std::io::copy(&mut client_reader, &mut server_writer);
            let _ = server_writer.shutdown(Shutdown::Write);
        });
        let _ = std::io::copy(&mut server, &mut client);
        let _ = client.shutdown(Shutdown::Write);
        let _ = upstream.join();
    };
    Hostile::on(listener, Arc::new(handler), false)
}

fn free_addr(last: u8) -> SocketAddr {
    let listener = TcpListener::bind((Ipv4Addr::new(127, 0, 0, last), 0)).unwrap();
    listener.local_addr().unwrap()
}

#[test]
fn certificate_handshakes_reset_leave_the_certificates_unverified() {
    // Issue 10, case 1, through `probe`: a TLS 1.3-only server whose certificate handshakes are
    // reset. Before: complete, no certificate, exit 0.
    let dir = TempDir::new("hostile-cert-reset");
    let cert = expired_certificate(&dir, 0);
    let server = tls_server(&dir, free_addr(1), &cert, "TLSv1.3");
    let proxy = resetting_proxy(
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap(),
        server.addr,
    );
    let run = probe(&proxy.target(), &[]);
    let text = assert_not_verified_accepting(
        &run,
        "certificate handshakes reset",
        Duration::from_secs(20),
        &["TLSv1.3"],
    );
    assert_eq!(run.endpoint["status"], "ok");
    assert!(text.contains("certificates not verified"), "{text}");
    assert!(text.contains("reset"), "{text}");
    // The handshake part is complete and exact.
    assert_eq!(run.endpoint["protocols"][0]["version"], "TLSv1.3");
    assert_eq!(run.endpoint["protocols"][0]["complete"], true);

    // Without the proxy the same server's certificate is read, and the probe is complete.
    let direct = probe(&server.addr.to_string(), &[]);
    assert_eq!(direct.endpoint["complete"], true, "{:#}", direct.endpoint);
    assert_eq!(direct.exit, 0);
}

#[test]
fn a_certificate_larger_than_rustls_takes_is_read_from_the_plaintext_flight() {
    // Issue 10, case 1: a 70 KB certificate. rustls refuses it; the TLS 1.2 flight carries it in
    // plaintext, and it is read from there.
    let dir = TempDir::new("hostile-huge-chain");
    let cert = expired_certificate(&dir, 70_000);
    let pem_size = std::fs::metadata(&cert.cert).unwrap().len();
    assert!(pem_size > 90_000, "{pem_size}");
    let server = tls_server(&dir, free_addr(1), &cert, "TLSv1.2");
    let run = probe(&server.addr.to_string(), &[]);
    println!("70 KB certificate: exit {}, {}", run.exit, text_of(&run));
    let certificates = run.endpoint["certificates"].as_array().unwrap();
    assert_eq!(certificates.len(), 1, "{:#}", run.endpoint);
    assert_eq!(run.endpoint["complete"], true, "{:#}", run.endpoint);
    assert_eq!(run.exit, 0);

    // TLS 1.3 only: the certificate is encrypted, rustls is the only reader, and it refuses the
    // chain: the certificates are unverified.
    let only13 = tls_server(&dir, free_addr(1), &cert, "TLSv1.3");
    let run = probe(&only13.addr.to_string(), &[]);
    let text = assert_not_verified_accepting(
        &run,
        "70 KB certificate, TLS 1.3",
        Duration::from_secs(20),
        &["TLSv1.3"],
    );
    assert!(text.contains("certificates not verified"), "{text}");
}

// ---------------------------------------------------------------------------------------------
// The audit: never compliant on a certificate that could not be checked.

fn audit_listener<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["load_balancer"] == name && l["protocol"] != "HTTP")
        .unwrap_or_else(|| panic!("no TLS listener of {name}: {doc:#}"))
}

fn codes(listener: &Value) -> Vec<String> {
    listener["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// A port free on 127.0.0.2 and 127.0.0.3.
fn shared_port() -> u16 {
    for _ in 0..50 {
        let port = support::free_port();
        if (2..=3u8).all(|last| TcpListener::bind((Ipv4Addr::new(127, 0, 0, last), port)).is_ok()) {
            return port;
        }
    }
    panic!("no port free on 127.0.0.2-3");
}

#[test]
fn audit_never_calls_an_unread_or_huge_expired_certificate_compliant() {
    // Issue 10, case 1, through `audit --baseline modern --fail-on info`: alb-exact answers with a
    // 70 KB expired certificate; alb-drifted is a TLS 1.3-only server whose certificate
    // handshakes are reset. Before: alb-exact "compliant", and no certificate finding at all.
    let moto = support::moto::fresh();
    let port = shared_port();
    let made = moto.fixture(&["audit", &port.to_string()]);
    let dir = TempDir::new("hostile-audit");
    let huge = expired_certificate(&dir, 70_000);
    let small = expired_certificate(&dir, 0);
    let at = |last: u8| SocketAddr::from((Ipv4Addr::new(127, 0, 0, last), port));
    let _huge_server = tls_server(&dir, at(2), &huge, "TLSv1.2");
    let backend = tls_server(&dir, free_addr(1), &small, "TLSv1.3");
    let _proxy = resetting_proxy(TcpListener::bind(at(3)).unwrap(), backend.addr);
    let dns = &made["dns"];
    let resolve =
        |name: &str, last: u8| format!("{}:{port}:127.0.0.{last}", dns[name].as_str().unwrap());
    let output: Output = support::moto::elbtls_at(
        &moto.endpoint(),
        &[
            "audit",
            "--timeout",
            "2",
            "--name",
            "alb-*",
            "--resolve",
            &resolve("alb-exact", 2),
            "--resolve",
            &resolve("alb-drifted", 3),
            "--baseline",
            "modern",
            "--fail-on",
            "info",
            "--format",
            "json",
        ],
    );
    let doc = support::moto::json(&output);
    println!("{}", support::moto::stderr(&output));

    let exact = audit_listener(&doc, "alb-exact");
    println!("alb-exact: {} {:?}", exact["verdict"], codes(exact));
    assert_ne!(exact["verdict"], "compliant", "{exact:#}");
    assert!(
        codes(exact).contains(&"certificate-expired".to_string()),
        "{exact:#}"
    );

    let reset = audit_listener(&doc, "alb-drifted");
    println!("alb-drifted: {} {:?}", reset["verdict"], codes(reset));
    assert_ne!(reset["verdict"], "compliant", "{reset:#}");
    let unverified = reset["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "certificate-unverified")
        .unwrap_or_else(|| panic!("no certificate-unverified: {reset:#}"));
    let message = unverified["message"].as_str().unwrap();
    assert!(message.contains("reset"), "{message}");
    assert_eq!(output.status.code(), Some(1), "findings at or above info");
}
