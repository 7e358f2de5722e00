//! The network [`Handshaker`]: one TCP connection per offer, a hand-built ClientHello out, the
//! server's first flight in, every step under a timeout, and a bound on handshakes in flight.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::scan::{Answer, Failure, Handshaker, Offer};
use super::wire::{
    ClientHelloSpec, FlightMessage, FlightReader, HandshakeType, Progress, ResponseError,
    ServerResponse, read_certificate_chain, read_server_response,
};
use crate::tls::{CipherSuite, KeyExchange, NamedGroup, ProtocolVersion};

/// The most bytes read from one server answer. A ServerHello flight with a long certificate chain
/// fits easily; more is garbage.
const MAX_ANSWER: usize = 256 * 1024;

/// How many times an offer is made when the server closes or resets the connection before sending
/// a single byte: once, then retried (a server shedding load, or resetting every Nth connection,
/// answers the retry). Only a hang-up that repeats counts as the server's refusal. A connection
/// refused by an address that has already accepted one is retried the same way: a connection
/// limit (a firewall rejecting connections past N per client) refuses some and not others.
const HANGUP_ATTEMPTS: u32 = 3;

/// Whether `answer` is worth making the offer again: a hang-up before any byte, or a connection
/// the address refused although it accepted one before (`accepted_before`). A connection refused
/// from the start (nothing listens) is not: the endpoint is unreachable, and says so at once.
fn worth_retrying(answer: &Answer, accepted_before: bool) -> bool {
    match answer {
        Answer::HungUp(_) => true,
        Answer::Failed(Failure::Connect(_)) => accepted_before,
        _ => false,
    }
}

/// The pause before each retry, times the attempt number.
const RETRY_PAUSE: Duration = Duration::from_millis(50);

/// Handshakes to one address.
#[derive(Debug)]
pub struct Network {
    address: SocketAddr,
    server_name: Option<String>,
    timeout: Duration,
    deadline: Instant,
    deadline_seconds: f64,
    permits: Semaphore,
    connections: AtomicU32,
    retried: AtomicU32,
    deadline_hit: AtomicBool,
    seed: AtomicU64,
}

impl Network {
    /// Handshakes to `address`, naming `server_name` in SNI, each step bounded by `timeout`, at
    /// most `max_connections` at once, and none going on past `deadline` (`deadline_seconds`
    /// after the probe began: said in the failures it causes).
    pub fn new(
        address: SocketAddr,
        server_name: Option<String>,
        timeout: Duration,
        max_connections: usize,
        deadline: Instant,
        deadline_seconds: f64,
    ) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            | 1;
        Self {
            address,
            server_name,
            timeout,
            deadline,
            deadline_seconds,
            permits: Semaphore::new(max_connections.max(1)),
            connections: AtomicU32::new(0),
            retried: AtomicU32::new(0),
            deadline_hit: AtomicBool::new(false),
            seed: AtomicU64::new(seed),
        }
    }

    /// TCP connections opened so far.
    pub fn connections(&self) -> u32 {
        self.connections.load(Ordering::Relaxed)
    }

    /// Offers made again because the server closed or reset the connection before answering, or
    /// refused a connection after accepting others (see [`HANGUP_ATTEMPTS`]).
    pub fn retried(&self) -> u32 {
        self.retried.load(Ordering::Relaxed)
    }

    /// Whether a handshake was cut short (or not made) because the deadline passed.
    pub fn deadline_hit(&self) -> bool {
        self.deadline_hit.load(Ordering::Relaxed)
    }

    /// The time left before the deadline.
    pub fn time_left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The time left before the deadline, at most `timeout`; `None` once it has passed.
    pub fn step_limit(&self) -> Option<Duration> {
        let left = self.deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            self.deadline_hit.store(true, Ordering::Relaxed);
            None
        } else {
            Some(left.min(self.timeout))
        }
    }

    fn deadline_failure(&self, what: &str) -> Answer {
        self.deadline_hit.store(true, Ordering::Relaxed);
        Answer::Failed(Failure::Deadline(format!(
            "{}: the endpoint deadline of {} s passed {what}",
            self.address, self.deadline_seconds
        )))
    }

    /// Counts a connection made by someone else on this network's behalf (certificate handshakes).
    pub fn count_connections(&self, n: u32) {
        self.connections.fetch_add(n, Ordering::Relaxed);
    }

    /// Waits for a free slot; other work holding it counts against `max_connections`.
    pub async fn slot(&self) -> Option<SemaphorePermit<'_>> {
        self.permits.acquire().await.ok()
    }

    /// A fresh ClientHello random. Handshakes are abandoned after the server's first flight, so
    /// the random needs to be unique, not secret (xorshift64*).
    fn random(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for chunk in out.chunks_mut(8) {
            let mut x = self.seed.load(Ordering::Relaxed);
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            self.seed.store(x, Ordering::Relaxed);
            chunk.copy_from_slice(&x.wrapping_mul(0x2545_F491_4F6C_DD1D).to_be_bytes());
        }
        out
    }

    fn client_hello(&self, offer: &Offer) -> Result<Vec<u8>, String> {
        let mut spec = ClientHelloSpec::new(offer.version, self.random());
        spec.cipher_suites = offer.suites.clone();
        spec.server_name = self.server_name.clone();
        if offer.version > ProtocolVersion::SSLV3 && !offer.groups.is_empty() {
            spec.supported_groups = offer.groups.clone();
        }
        if offer.version >= ProtocolVersion::TLSV1_3 {
            spec.key_shares = Some(offer.key_shares.clone());
        }
        spec.build()
            .map_err(|e| format!("cannot build the ClientHello: {e}"))
    }

    /// Makes `offer`, again when the server hangs up before a single byte (see [`HANGUP_ATTEMPTS`]).
    async fn exchange(&self, offer: &Offer) -> Answer {
        let mut attempt = 1;
        loop {
            let accepted_before = self.connections() > 0;
            let answer = self.attempt(offer).await;
            if !worth_retrying(&answer, accepted_before) {
                if attempt > 1 {
                    self.retried.fetch_add(1, Ordering::Relaxed);
                }
                return answer;
            }
            if attempt == HANGUP_ATTEMPTS {
                return match answer {
                    Answer::HungUp(reason) => {
                        Answer::HungUp(format!("{reason} ({attempt} times in a row)"))
                    }
                    Answer::Failed(Failure::Connect(reason)) => {
                        Answer::Failed(Failure::Connect(format!(
                            "{reason} ({attempt} times in a row, after the address had accepted connections)"
                        )))
                    }
                    other => other,
                };
            }
            let pause = RETRY_PAUSE * attempt;
            if self.deadline.saturating_duration_since(Instant::now()) <= pause {
                return self.deadline_failure("while retrying a connection the server hung up");
            }
            tokio::time::sleep(pause).await;
            attempt += 1;
        }
    }

    /// One connection: the ClientHello out, the answer in.
    async fn attempt(&self, offer: &Offer) -> Answer {
        let hello = match self.client_hello(offer) {
            Ok(hello) => hello,
            Err(e) => return Answer::Failed(Failure::Io(e)),
        };
        let address = self.address;
        let seconds = self.timeout.as_secs_f64();
        let Some(limit) = self.step_limit() else {
            return self.deadline_failure("before the handshake began");
        };
        let mut stream = match tokio::time::timeout(limit, TcpStream::connect(address)).await {
            Err(_) if limit < self.timeout => return self.deadline_failure("while connecting"),
            Err(_) => {
                return Answer::Failed(Failure::Connect(format!(
                    "connecting to {address} timed out after {seconds} s"
                )));
            }
            Ok(Err(e)) => return Answer::Failed(Failure::Connect(format!("{address}: {e}"))),
            Ok(Ok(stream)) => stream,
        };
        self.connections.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let Some(limit) = self.step_limit() else {
            return self.deadline_failure("before the ClientHello was sent");
        };
        // One bound for the whole answer: the timeout, or less when the deadline is nearer.
        let cut_by_deadline = limit < self.timeout;
        let deadline = Instant::now() + limit;
        match tokio::time::timeout(limit, stream.write_all(&hello)).await {
            Err(_) if cut_by_deadline => {
                return self.deadline_failure("while sending the ClientHello");
            }
            Err(_) => {
                return Answer::Failed(Failure::Timeout(format!(
                    "{address}: sending the ClientHello timed out after {seconds} s"
                )));
            }
            Ok(Err(e)) => return broken(&e, address, 0),
            Ok(Ok(())) => {}
        }

        let mut received: Vec<u8> = Vec::with_capacity(4096);
        let mut chunk = [0u8; 8192];
        // The ServerHello alone, once complete: returned if the rest of the flight never comes.
        let mut partial: Option<Answer> = None;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let read = tokio::time::timeout(left, stream.read(&mut chunk)).await;
            let n = match read {
                Err(_) => {
                    if let Some(answer) = partial {
                        return answer;
                    }
                    if cut_by_deadline {
                        return self.deadline_failure(&format!(
                            "while waiting for the answer ({} bytes received)",
                            received.len()
                        ));
                    }
                    return Answer::Failed(Failure::Timeout(format!(
                        "{address}: no complete answer within {seconds} s ({} bytes received)",
                        received.len()
                    )));
                }
                Ok(Err(e)) => {
                    return partial.unwrap_or_else(|| broken(&e, address, received.len()));
                }
                Ok(Ok(n)) => n,
            };
            if n == 0 {
                return partial.unwrap_or_else(|| {
                    if received.is_empty() {
                        Answer::HungUp("the server closed the connection without answering".into())
                    } else {
                        Answer::Failed(Failure::Io(format!(
                            "{address}: the server closed the connection in the middle of its \
                             answer ({} bytes received)",
                            received.len()
                        )))
                    }
                });
            }
            received.extend_from_slice(&chunk[..n]);
            if received.len() > MAX_ANSWER {
                return partial.unwrap_or_else(|| {
                    Answer::Failed(Failure::Garbage(format!(
                        "{address}: more than {MAX_ANSWER} bytes without a complete ServerHello"
                    )))
                });
            }
            match interpret(&received, offer) {
                Ok(Interpreted::Complete(answer)) => return answer,
                Ok(Interpreted::Partial(answer)) => partial = Some(answer),
                Ok(Interpreted::NeedMore) => {}
                Err(Interpretation::Violation(e)) => {
                    return Answer::Failed(Failure::Violation(format!("{address}: {e}")));
                }
                Err(Interpretation::Unreadable(e)) => {
                    return partial.unwrap_or_else(|| {
                        Answer::Failed(Failure::Garbage(format!("{address}: {e}")))
                    });
                }
            }
        }
    }
}

/// The connection broke (reset, aborted) after `received` bytes of the answer. Before any byte it
/// is a hang-up like a close (some stacks refuse a hello that way; [`Network::exchange`] retries
/// it); after part of an answer it is an error for this offer, never a refusal.
fn broken(error: &std::io::Error, address: SocketAddr, received: usize) -> Answer {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted
            if received == 0 =>
        {
            Answer::HungUp(format!("the server reset the connection ({error})"))
        }
        _ if received > 0 => Answer::Failed(Failure::Io(format!(
            "{address}: the connection broke after {received} bytes of the answer ({error})"
        ))),
        _ => Answer::Failed(Failure::Io(format!("{address}: {error}"))),
    }
}

/// Why the bytes received cannot be used.
enum Interpretation {
    /// They are not a TLS server's answer.
    Unreadable(ResponseError),
    /// A well-formed answer that no correct server gives to this offer.
    Violation(String),
}

impl From<ResponseError> for Interpretation {
    fn from(e: ResponseError) -> Self {
        Self::Unreadable(e)
    }
}

fn names<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a ServerHello against the offer it answers.
fn check_server_hello(
    version: ProtocolVersion,
    suite: CipherSuite,
    group: Option<NamedGroup>,
    offer: &Offer,
) -> Result<(), Interpretation> {
    if version > offer.version {
        return Err(Interpretation::Violation(format!(
            "the server answered a {} offer with {version}, a version that was not offered",
            offer.version
        )));
    }
    if !offer.suites.contains(&suite) {
        return Err(Interpretation::Violation(format!(
            "the server chose {suite}, a cipher suite that was not offered (offered: {} suites)",
            offer.suites.len()
        )));
    }
    if version >= ProtocolVersion::TLSV1_3
        && let Some(group) = group
        && !offer.key_shares.contains(&group)
    {
        return Err(Interpretation::Violation(format!(
            "the server's key share is for {group}, a group no key share was sent for (sent: {})",
            names(&offer.key_shares)
        )));
    }
    Ok(())
}

/// Checks a HelloRetryRequest against the offer it answers.
fn check_retry(
    suite: CipherSuite,
    group: Option<NamedGroup>,
    offer: &Offer,
) -> Result<(), Interpretation> {
    if offer.version < ProtocolVersion::TLSV1_3 {
        return Err(Interpretation::Violation(format!(
            "the server sent a TLS 1.3 HelloRetryRequest to a {} offer",
            offer.version
        )));
    }
    if !offer.suites.contains(&suite) {
        return Err(Interpretation::Violation(format!(
            "the server's HelloRetryRequest chose {suite}, a cipher suite that was not offered"
        )));
    }
    if let Some(group) = group {
        if !offer.groups.contains(&group) {
            return Err(Interpretation::Violation(format!(
                "the server's HelloRetryRequest asks for {group}, a group that was not offered \
                 (offered: {})",
                names(&offer.groups)
            )));
        }
        if offer.key_shares.contains(&group) {
            return Err(Interpretation::Violation(format!(
                "the server's HelloRetryRequest asks for {group}, for which a key share was \
                 already sent (a retry loop)"
            )));
        }
    }
    Ok(())
}

/// How far the bytes received so far go.
enum Interpreted {
    /// Not even a ServerHello or an alert yet.
    NeedMore,
    /// A ServerHello, but the rest of the flight that was asked for is not complete yet.
    Partial(Answer),
    /// Everything that was asked for.
    Complete(Answer),
}

fn interpret(received: &[u8], offer: &Offer) -> Result<Interpreted, Interpretation> {
    let hello = match read_server_response(received)? {
        Progress::NeedMore => return Ok(Interpreted::NeedMore),
        Progress::Done(ServerResponse::Alert(alert)) => {
            return Ok(Interpreted::Complete(Answer::Refused(format!(
                "alert {alert}"
            ))));
        }
        Progress::Done(ServerResponse::HelloRetryRequest(retry)) => {
            check_retry(retry.cipher_suite, retry.selected_group, offer)?;
            return Ok(Interpreted::Complete(Answer::Retry {
                suite: retry.cipher_suite,
                group: retry.selected_group,
            }));
        }
        Progress::Done(ServerResponse::ServerHello(hello)) => hello,
    };
    check_server_hello(
        hello.version,
        hello.cipher_suite,
        hello.selected_group,
        offer,
    )?;
    let mut answer = Answer::Hello {
        version: hello.version,
        suite: hello.cipher_suite,
        group: hello.selected_group,
        certificates: Vec::new(),
    };
    if !offer.read_flight || hello.version >= ProtocolVersion::TLSV1_3 {
        return Ok(Interpreted::Complete(answer));
    }
    let ecdhe = hello
        .cipher_suite
        .info()
        .is_some_and(|info| matches!(info.kx, KeyExchange::Ecdhe | KeyExchange::EcdhePsk));
    let mut flight = FlightReader::new(received);
    let mut seen_server_hello = false;
    let mut curve = None;
    let mut done = false;
    while !done {
        match flight.next_message() {
            Ok(Progress::NeedMore) => break,
            Ok(Progress::Done(FlightMessage::Handshake(message))) => match message.typ {
                HandshakeType::SERVER_HELLO => seen_server_hello = true,
                HandshakeType::SERVER_KEY_EXCHANGE if seen_server_hello && ecdhe => {
                    // ServerECDHParams: curve_type named_curve(3), then the curve.
                    if let [3, hi, lo, ..] = message.body[..] {
                        curve = Some(NamedGroup(u16::from_be_bytes([hi, lo])));
                    }
                }
                HandshakeType::SERVER_HELLO_DONE => done = true,
                _ => {}
            },
            // Anything else ends what can be read in plaintext.
            Ok(Progress::Done(_)) | Err(_) => done = true,
        }
    }
    let certificates = match read_certificate_chain(received) {
        Ok(Progress::Done(Some(chain))) => chain,
        _ => Vec::new(),
    };
    // Without supported_groups (SSLv3 hellos carry no extensions) any curve is the server's to pick.
    if let Some(curve) = curve
        && offer.version > ProtocolVersion::SSLV3
        && !offer.groups.is_empty()
        && !offer.groups.contains(&curve)
    {
        return Err(Interpretation::Violation(format!(
            "the server's ServerKeyExchange uses {curve}, a curve that was not offered (offered: {})",
            names(&offer.groups)
        )));
    }
    if let Answer::Hello {
        group,
        certificates: certs,
        ..
    } = &mut answer
    {
        if curve.is_some() {
            *group = curve;
        }
        *certs = certificates;
    }
    Ok(if done {
        Interpreted::Complete(answer)
    } else {
        Interpreted::Partial(answer)
    })
}

impl Handshaker for Network {
    async fn handshake(&self, offer: Offer) -> Answer {
        let Some(_slot) = self.slot().await else {
            return Answer::Failed(Failure::Io("the probe was cancelled".into()));
        };
        if self.step_limit().is_none() {
            return self.deadline_failure("before this handshake could begin");
        }
        self.exchange(&offer).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_connection_is_retried_only_where_others_were_accepted() {
        let refused = Answer::Failed(Failure::Connect("127.0.0.1:1: refused".into()));
        assert!(
            !worth_retrying(&refused, false),
            "nothing listens: unreachable at once"
        );
        assert!(
            worth_retrying(&refused, true),
            "a connection limit: try again"
        );
        assert!(worth_retrying(&Answer::HungUp("reset".into()), false));
        let timeout = Answer::Failed(Failure::Timeout("no answer".into()));
        assert!(!worth_retrying(&timeout, true));
        assert!(!worth_retrying(&Answer::Refused("alert".into()), true));
    }

    fn offer(version: ProtocolVersion, suites: &[u16], groups: &[NamedGroup]) -> Offer {
        Offer {
            version,
            suites: suites.iter().copied().map(CipherSuite).collect(),
            groups: groups.to_vec(),
            key_shares: if version >= ProtocolVersion::TLSV1_3 {
                groups[..1].to_vec()
            } else {
                Vec::new()
            },
            read_flight: false,
        }
    }

    fn violation(result: Result<(), Interpretation>) -> String {
        match result {
            Err(Interpretation::Violation(text)) => text,
            Err(Interpretation::Unreadable(e)) => panic!("unreadable: {e}"),
            Ok(()) => panic!("accepted"),
        }
    }

    #[test]
    fn a_server_hello_must_answer_within_the_offer() {
        let tls12 = offer(
            ProtocolVersion::TLSV1_2,
            &[0xc02f, 0xc030],
            &[NamedGroup::X25519],
        );
        let ok = |v, s| check_server_hello(v, CipherSuite(s), None, &tls12).is_ok();
        assert!(ok(ProtocolVersion::TLSV1_2, 0xc02f));
        // A lower version is a refusal of this one, for the scan to judge, not a violation.
        assert!(ok(ProtocolVersion::TLSV1_0, 0xc030));
        let text = violation(check_server_hello(
            ProtocolVersion::TLSV1_2,
            CipherSuite(0x1301),
            None,
            &tls12,
        ));
        assert!(text.contains("TLS_AES_128_GCM_SHA256, a cipher suite that was not offered"));
        let text = violation(check_server_hello(
            ProtocolVersion::TLSV1_3,
            CipherSuite(0xc02f),
            None,
            &tls12,
        ));
        assert!(text.contains("a version that was not offered"), "{text}");

        let tls13 = offer(
            ProtocolVersion::TLSV1_3,
            &[0x1301],
            &[NamedGroup::X25519, NamedGroup::SECP256R1],
        );
        let hello = |group| {
            check_server_hello(
                ProtocolVersion::TLSV1_3,
                CipherSuite(0x1301),
                Some(group),
                &tls13,
            )
        };
        assert!(hello(NamedGroup::X25519).is_ok());
        // secp256r1 was offered, but no key share was sent for it.
        assert!(violation(hello(NamedGroup::SECP256R1)).contains("no key share was sent"));
    }

    #[test]
    fn a_hello_retry_request_must_name_an_offered_group_without_a_share() {
        let tls13 = offer(
            ProtocolVersion::TLSV1_3,
            &[0x1301],
            &[NamedGroup::X25519, NamedGroup::SECP384R1],
        );
        let retry = |group| check_retry(CipherSuite(0x1301), Some(group), &tls13);
        assert!(retry(NamedGroup::SECP384R1).is_ok());
        assert!(violation(retry(NamedGroup::FFDHE2048)).contains("a group that was not offered"));
        assert!(violation(retry(NamedGroup::X25519)).contains("a retry loop"));
        assert!(violation(check_retry(CipherSuite(0x1302), None, &tls13)).contains("not offered"));
        let tls12 = offer(ProtocolVersion::TLSV1_2, &[0xc02f], &[NamedGroup::X25519]);
        assert!(
            violation(check_retry(CipherSuite(0xc02f), None, &tls12))
                .contains("HelloRetryRequest to a TLSv1.2 offer")
        );
    }
}
