//! A ServerHello-level TLS responder on 127.0.0.1: it reads a ClientHello and answers as a server
//! configured with a policy would — the version, suite and group that server would choose, a
//! HelloRetryRequest, or an alert — then closes. It stands in for servers Debian's OpenSSL cannot
//! be (3DES, RC4, SSL 3.0, the ML-KEM hybrid groups) and never finishes a handshake: a probe needs
//! no more than the server's first flight.
//!
//! Speaks through the crate's own codec (`parse_client_hello`, `ServerHelloMessage`, …). Fault
//! modes (`Garbage`, `Silent`, `ResetAfterHello`) stand in for broken endpoints. One thread
//! accepts; each connection gets its own, so concurrent probes are answered concurrently.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use elbtls::catalogue::{Catalogue, Policy};
use elbtls::model::LoadBalancerType;
use elbtls::probe::wire::{
    Alert, AlertDescription, CertificateMessage, ClientHello, ContentType, EcdheServerKeyExchange,
    HandshakeMessage, Progress, ServerExtension, ServerHelloMessage, SignatureScheme,
    encode_handshake_flight, encode_records, parse_client_hello, plausible_server_key_share,
    server_hello_done,
};
use elbtls::tls::{
    CipherSuite, CipherSuiteInfo, GroupKind, KeyExchange, NamedGroup, ProtocolVersion,
    RequiredCertificate,
};

/// How long a connection may sit between reads before the responder gives up on it.
const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes read while waiting for a ClientHello (a hello is at most 64 KiB plus headers).
const MAX_HELLO_BYTES: usize = 80 * 1024;

/// What plain HTTP answers to a TLS ClientHello.
pub const HTTP_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\n\r\n";

/// The certificate key: which suites the responder can negotiate (RSA-authenticated suites need
/// `Rsa`, ECDSA ones `Ecdsa`), and which certificate it sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// RSA 2048.
    Rsa,
    /// ECDSA P-256.
    Ecdsa,
}

impl KeyType {
    /// The TLS 1.2 signature scheme and signature length of a ServerKeyExchange by this key.
    fn signature(self) -> (SignatureScheme, usize) {
        match self {
            Self::Rsa => (SignatureScheme::RSA_PKCS1_SHA256, 256),
            Self::Ecdsa => (SignatureScheme::ECDSA_SECP256R1_SHA256, 71),
        }
    }

    fn can_negotiate(self, info: &CipherSuiteInfo) -> bool {
        match info.required_certificate() {
            RequiredCertificate::None | RequiredCertificate::Any => true,
            RequiredCertificate::Rsa => self == Self::Rsa,
            RequiredCertificate::Ec => self == Self::Ecdsa,
            _ => false,
        }
    }
}

/// What a server is configured to negotiate.
#[derive(Clone, Debug)]
pub struct PolicyConfig {
    /// Enabled versions.
    pub versions: Vec<ProtocolVersion>,
    /// Enabled suites, in the server's priority.
    pub suites: Vec<CipherSuite>,
    /// Whether the server's priority wins (else the client's order does).
    pub server_order: bool,
    /// TLS 1.3 groups, most preferred first.
    pub tls13_groups: Vec<NamedGroup>,
    /// TLS ≤ 1.2 ECDHE curves, most preferred first.
    pub tls12_curves: Vec<NamedGroup>,
    /// The leaf certificate sent in TLS ≤ 1.2 Certificate messages (DER).
    pub certificate_der: Vec<u8>,
    /// The certificate's key type.
    pub key: KeyType,
}

/// TLS 1.3 groups of a policy whose groups the catalogue does not know (s2n's defaults).
const DEFAULT_TLS13_GROUPS: [NamedGroup; 4] = [
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
];

/// TLS ≤ 1.2 curves of a policy whose groups the catalogue does not know: what 2016-08-era ELB
/// listeners offer.
const DEFAULT_TLS12_CURVES: [NamedGroup; 2] = [NamedGroup::SECP256R1, NamedGroup::SECP384R1];

impl PolicyConfig {
    /// A server running the built-in catalogue's policy `name` for a load balancer of type `lb`,
    /// with a certificate of `key`.
    pub fn from_catalogue(name: &str, lb: LoadBalancerType, key: KeyType) -> Self {
        let catalogue = Catalogue::builtin().expect("the built-in catalogue loads");
        let policy = catalogue
            .get(name, lb)
            .unwrap_or_else(|e| panic!("policy {name} for {lb}: {e}"));
        Self::from_policy(policy, key)
    }

    /// A server running `policy` with a certificate of `key`. TLS 1.3 takes the policy's groups
    /// that TLS 1.3 allows; TLS ≤ 1.2 its classical curves.
    pub fn from_policy(policy: &Policy, key: KeyType) -> Self {
        let groups = |keep: fn(NamedGroup) -> bool, default: &[NamedGroup]| match &policy.groups {
            Some(groups) => groups.iter().copied().filter(|g| keep(*g)).collect(),
            None => default.to_vec(),
        };
        Self {
            versions: policy.protocols.clone(),
            suites: policy.ciphers.iter().map(|c| c.suite).collect(),
            server_order: policy.server_order,
            tls13_groups: groups(
                |g| g.info().is_some_and(|info| info.tls13),
                &DEFAULT_TLS13_GROUPS,
            ),
            tls12_curves: groups(
                |g| g.info().is_some_and(|info| info.kind == GroupKind::Ec),
                &DEFAULT_TLS12_CURVES,
            ),
            certificate_der: certificate_der(key),
            key,
        }
    }
}

/// How the responder behaves.
#[derive(Clone, Debug)]
pub enum Mode {
    /// Answers as a server configured like this would.
    Policy(PolicyConfig),
    /// Answers `HTTP/1.1 400 Bad Request`, as a plain HTTP server on a TLS port.
    Garbage,
    /// Accepts and never says a word.
    Silent,
    /// Reads the ClientHello, then closes without answering.
    ResetAfterHello,
}

/// Starts responders.
pub struct Responder;

impl Responder {
    /// A responder answering as `config` says, listening on 127.0.0.1 (a free port).
    pub fn start(config: PolicyConfig) -> ResponderGuard {
        Self::start_mode(Mode::Policy(config))
    }

    /// A responder in `mode`, listening on 127.0.0.1 (a free port).
    pub fn start_mode(mode: Mode) -> ResponderGuard {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("listener address");
        listener
            .set_nonblocking(true)
            .expect("make the listener non-blocking");
        let shared = Arc::new(Shared {
            mode,
            accepted: AtomicUsize::new(0),
            problems: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let accept_loop = {
            let shared = Arc::clone(&shared);
            thread::spawn(move || accept(&listener, &shared))
        };
        ResponderGuard {
            addr,
            shared,
            accept_loop: Some(accept_loop),
        }
    }
}

struct Shared {
    mode: Mode,
    accepted: AtomicUsize,
    problems: Mutex<Vec<String>>,
    stop: AtomicBool,
}

impl Shared {
    fn problem(&self, text: String) {
        self.problems.lock().expect("problem log").push(text);
    }
}

/// A running responder; stops accepting on drop (connections being served finish on their own).
pub struct ResponderGuard {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_loop: Option<JoinHandle<()>>,
}

impl ResponderGuard {
    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT`, as a probe target.
    pub fn target(&self) -> String {
        self.addr.to_string()
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Waits (up to `timeout`) until `n` connections have been accepted, and returns the count:
    /// the kernel completes connections before the accept loop picks them up.
    pub fn wait_for_accepted(&self, n: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        while self.accepted() < n && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        // Anything still queued would show up now.
        thread::sleep(Duration::from_millis(20));
        self.accepted()
    }

    /// What the responder could not handle (unreadable ClientHellos, I/O errors), one line each.
    pub fn problems(&self) -> Vec<String> {
        self.shared.problems.lock().expect("problem log").clone()
    }
}

impl Drop for ResponderGuard {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(accept_loop) = self.accept_loop.take() {
            let _ = accept_loop.join();
        }
    }
}

fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    while !shared.stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, _)) => {
                shared.accepted.fetch_add(1, Ordering::SeqCst);
                let shared = Arc::clone(shared);
                thread::spawn(move || serve(stream, &shared));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                thread::sleep(Duration::from_millis(1));
            }
            Err(e) => {
                shared.problem(format!("accept: {e}"));
                thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

fn serve(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_write_timeout(Some(IO_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let reply = match &shared.mode {
        Mode::Silent => {
            drain(&mut stream);
            return;
        }
        Mode::Garbage => {
            let mut first = [0u8; 1024];
            let _ = stream.read(&mut first);
            HTTP_400.to_vec()
        }
        Mode::ResetAfterHello => {
            let _ = read_client_hello(&mut stream);
            return;
        }
        Mode::Policy(config) => match read_client_hello(&mut stream) {
            Ok(hello) => answer(config, &hello, next_random()),
            Err(problem) => {
                shared.problem(problem);
                Alert::fatal(AlertDescription::DECODE_ERROR).to_record(ProtocolVersion::TLSV1_0)
            }
        },
    };
    if let Err(e) = stream.write_all(&reply) {
        shared.problem(format!("writing the answer: {e}"));
        return;
    }
    // Close gracefully: a FIN after the answer, then wait for the client to hang up, so that
    // nothing unread turns the close into a reset that could overtake the answer.
    let _ = stream.shutdown(Shutdown::Write);
    drain(&mut stream);
}

/// Reads and discards until the peer closes (or the read times out).
fn drain(stream: &mut TcpStream) {
    let mut sink = [0u8; 4096];
    while let Ok(n) = stream.read(&mut sink) {
        if n == 0 {
            break;
        }
    }
}

fn read_client_hello(stream: &mut TcpStream) -> Result<ClientHello, String> {
    let mut received = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        match parse_client_hello(&received) {
            Ok(Progress::Done(hello)) => return Ok(hello),
            Ok(Progress::NeedMore) if received.len() < MAX_HELLO_BYTES => {}
            Ok(Progress::NeedMore) => return Err("ClientHello longer than 80 KiB".into()),
            Err(e) => return Err(format!("unreadable ClientHello: {e}")),
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(format!("closed after {} bytes", received.len())),
            Ok(n) => received.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("reading the ClientHello: {e}")),
        }
    }
}

/// A fresh server random (unique, not secret).
fn next_random() -> [u8; 32] {
    static COUNTER: AtomicU64 = AtomicU64::new(0x9e37_79b9_7f4a_7c15);
    let mut random = [0u8; 32];
    for chunk in random.chunks_mut(8) {
        let x = COUNTER.fetch_add(0x9e37_79b9_7f4a_7c15, Ordering::Relaxed);
        chunk.copy_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_be_bytes());
    }
    random
}

/// The bytes a server configured as `config` sends in answer to `hello`.
pub fn answer(config: &PolicyConfig, hello: &ClientHello, random: [u8; 32]) -> Vec<u8> {
    let Some(version) = choose_version(config, hello) else {
        let record_version = hello
            .client_version
            .clamp(ProtocolVersion::SSLV3, ProtocolVersion::TLSV1_2);
        return Alert::fatal(AlertDescription::PROTOCOL_VERSION).to_record(record_version);
    };
    let record_version = version.min(ProtocolVersion::TLSV1_2);
    let refuse = |description| Alert::fatal(description).to_record(record_version);
    let Some(suite) = choose_suite(config, hello, version) else {
        return refuse(AlertDescription::HANDSHAKE_FAILURE);
    };
    if version == ProtocolVersion::TLSV1_3 {
        return answer_tls13(config, hello, suite, random).unwrap_or_else(refuse);
    }
    answer_legacy(config, hello, version, suite, random).unwrap_or_else(refuse)
}

/// The highest version both sides speak. A TLS 1.3 server reads `supported_versions` when the
/// client sent it (RFC 8446 §4.2.1); a server without TLS 1.3 knows only `client_version`, and
/// picks its highest version not above it.
fn choose_version(config: &PolicyConfig, hello: &ClientHello) -> Option<ProtocolVersion> {
    if hello.supported_versions().is_some() && config.versions.contains(&ProtocolVersion::TLSV1_3) {
        let offered = hello.offered_versions();
        return config
            .versions
            .iter()
            .copied()
            .filter(|v| offered.contains(v))
            .max();
    }
    let ceiling = hello.client_version.min(ProtocolVersion::TLSV1_2);
    config
        .versions
        .iter()
        .copied()
        .filter(|v| (ProtocolVersion::SSLV3..=ceiling).contains(v))
        .max()
}

/// The suite the server picks under `version`: by its own priority or the client's, among the
/// suites both have that are defined for the version, that its key can authenticate, and (ECDHE
/// under TLS ≤ 1.2) for which a curve is in common — as OpenSSL skips an ECDHE suite without one.
fn choose_suite(
    config: &PolicyConfig,
    hello: &ClientHello,
    version: ProtocolVersion,
) -> Option<CipherSuite> {
    let usable = |suite: &CipherSuite| {
        let Some(info) = suite.info() else {
            return false;
        };
        config.suites.contains(suite)
            && info.usable_with(version)
            && config.key.can_negotiate(info)
            && (version == ProtocolVersion::TLSV1_3
                || info.kx != KeyExchange::Ecdhe
                || choose_curve(config, hello).is_some())
    };
    if config.server_order {
        config
            .suites
            .iter()
            .copied()
            .find(|s| hello.offers_suite(*s) && usable(s))
    } else {
        hello.cipher_suites.iter().copied().find(|s| usable(s))
    }
}

/// The server's most preferred curve among the client's; any of the server's when the client
/// sent no `supported_groups` (RFC 8422 §4).
fn choose_curve(config: &PolicyConfig, hello: &ClientHello) -> Option<NamedGroup> {
    match hello.supported_groups() {
        Some(groups) => config
            .tls12_curves
            .iter()
            .copied()
            .find(|c| groups.contains(c)),
        None => config.tls12_curves.first().copied(),
    }
}

/// TLS 1.3: the server's most preferred group among the client's `supported_groups`; a
/// ServerHello with a key share if the client sent one for it, else a HelloRetryRequest.
fn answer_tls13(
    config: &PolicyConfig,
    hello: &ClientHello,
    suite: CipherSuite,
    random: [u8; 32],
) -> Result<Vec<u8>, AlertDescription> {
    let groups = hello
        .supported_groups()
        .ok_or(AlertDescription::MISSING_EXTENSION)?;
    let group = config
        .tls13_groups
        .iter()
        .copied()
        .find(|g| groups.contains(g))
        .ok_or(AlertDescription::HANDSHAKE_FAILURE)?;
    let session_id = hello.session_id.clone();
    let message = if hello.key_share_groups().contains(&group) {
        let share = plausible_server_key_share(group).ok_or(AlertDescription::INTERNAL_ERROR)?;
        ServerHelloMessage::tls13(random, session_id, suite, share)
    } else {
        ServerHelloMessage::hello_retry_request(session_id, suite, group)
    };
    let mut out = Vec::new();
    encode_handshake_flight(&mut out, ProtocolVersion::TLSV1_2, &[message_of(&message)?]);
    // As real servers do: a middlebox-compatibility ChangeCipherSpec, and after a ServerHello the
    // start of the encrypted flight (here random bytes; nobody can decrypt it anyway).
    encode_records(
        &mut out,
        ContentType::CHANGE_CIPHER_SPEC,
        ProtocolVersion::TLSV1_2,
        &[1],
    );
    if !message.is_hello_retry_request() {
        encode_records(
            &mut out,
            ContentType::APPLICATION_DATA,
            ProtocolVersion::TLSV1_2,
            &next_random(),
        );
    }
    Ok(out)
}

/// SSL 3.0 to TLS 1.2: ServerHello, Certificate, ServerKeyExchange (ECDHE), ServerHelloDone.
/// DHE suites get no ServerKeyExchange: the prober reads only ECDHE's.
fn answer_legacy(
    config: &PolicyConfig,
    hello: &ClientHello,
    version: ProtocolVersion,
    suite: CipherSuite,
    mut random: [u8; 32],
) -> Result<Vec<u8>, AlertDescription> {
    let info = suite.info().ok_or(AlertDescription::INTERNAL_ERROR)?;
    let highest = config.versions.iter().copied().max();
    // RFC 8446 §4.1.3: a server that could have negotiated higher says so in its random.
    if highest == Some(ProtocolVersion::TLSV1_3) && version == ProtocolVersion::TLSV1_2 {
        random[24..].copy_from_slice(b"DOWNGRD\x01");
    } else if highest >= Some(ProtocolVersion::TLSV1_2) && version < ProtocolVersion::TLSV1_2 {
        random[24..].copy_from_slice(b"DOWNGRD\x00");
    }
    let session_id = next_random().to_vec();
    let mut server_hello = ServerHelloMessage::legacy(version, random, session_id, suite);
    let ecdhe = info.kx == KeyExchange::Ecdhe;
    if version > ProtocolVersion::SSLV3 {
        if hello.offers_secure_renegotiation() {
            server_hello
                .extensions
                .push(ServerExtension::RenegotiationInfo(Vec::new()));
        }
        if hello.offers_extended_master_secret() {
            server_hello
                .extensions
                .push(ServerExtension::ExtendedMasterSecret);
        }
        if ecdhe && hello.ec_point_formats().is_some() {
            server_hello
                .extensions
                .push(ServerExtension::EcPointFormats(vec![0]));
        }
    }
    let mut messages = vec![message_of(&server_hello)?];
    if info.required_certificate() != RequiredCertificate::None {
        let certificate = CertificateMessage {
            certificates: vec![config.certificate_der.clone()],
        };
        messages.push(
            certificate
                .to_message()
                .map_err(|_| AlertDescription::INTERNAL_ERROR)?,
        );
    }
    if ecdhe {
        let curve = choose_curve(config, hello).ok_or(AlertDescription::HANDSHAKE_FAILURE)?;
        let (scheme, signature_len) = config.key.signature();
        let key_exchange = EcdheServerKeyExchange::plausible(curve, version, scheme, signature_len)
            .ok_or(AlertDescription::INTERNAL_ERROR)?;
        messages.push(
            key_exchange
                .to_message()
                .map_err(|_| AlertDescription::INTERNAL_ERROR)?,
        );
    }
    messages.push(server_hello_done());
    let mut out = Vec::new();
    encode_handshake_flight(&mut out, version, &messages);
    Ok(out)
}

fn message_of(hello: &ServerHelloMessage) -> Result<HandshakeMessage, AlertDescription> {
    hello
        .to_message()
        .map_err(|_| AlertDescription::INTERNAL_ERROR)
}

/// A self-signed certificate with a key of `key` (made once per test binary with the `openssl`
/// CLI), as DER.
pub fn certificate_der(key: KeyType) -> Vec<u8> {
    static RSA: OnceLock<Vec<u8>> = OnceLock::new();
    static ECDSA: OnceLock<Vec<u8>> = OnceLock::new();
    let (cell, key_args): (_, &[&str]) = match key {
        KeyType::Rsa => (&RSA, &["-newkey", "rsa:2048"]),
        KeyType::Ecdsa => (
            &ECDSA,
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
        ),
    };
    cell.get_or_init(|| {
        let dir = super::TempDir::new("responder-cert");
        let der = dir.path().join("cert.der");
        let output = Command::new("openssl")
            .args(["req", "-x509", "-nodes", "-sha256", "-days", "30"])
            .args(key_args)
            .arg("-keyout")
            .arg(dir.path().join("key.pem"))
            .args(["-outform", "DER", "-out"])
            .arg(&der)
            .args(["-subj", "/CN=responder.elbtls.test"])
            .args(["-addext", "basicConstraints=critical,CA:FALSE"])
            .args(["-addext", "subjectAltName=DNS:responder.elbtls.test"])
            .output()
            .expect("run openssl req");
        assert!(
            output.status.success(),
            "openssl req failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read(&der).expect("read the DER certificate")
    })
    .clone()
}
