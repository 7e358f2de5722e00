//! The network [`Handshaker`]: one TCP connection per offer, a hand-built ClientHello out, the
//! server's first flight in, every step under a timeout, and a bound on handshakes in flight.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::scan::{Answer, Failure, Handshaker, Offer};
use super::wire::{
    ClientHelloSpec, FlightMessage, FlightReader, HandshakeType, Progress, ResponseError,
    ServerResponse, read_certificate_chain, read_server_response,
};
use crate::tls::{KeyExchange, NamedGroup, ProtocolVersion};

/// The most bytes read from one server answer. A ServerHello flight with a long certificate chain
/// fits easily; more is garbage.
const MAX_ANSWER: usize = 256 * 1024;

/// Handshakes to one address.
#[derive(Debug)]
pub struct Network {
    address: SocketAddr,
    server_name: Option<String>,
    timeout: Duration,
    permits: Semaphore,
    connections: AtomicU32,
    seed: AtomicU64,
}

impl Network {
    /// Handshakes to `address`, naming `server_name` in SNI, each step bounded by `timeout`, at
    /// most `max_connections` at once.
    pub fn new(
        address: SocketAddr,
        server_name: Option<String>,
        timeout: Duration,
        max_connections: usize,
    ) -> Self {
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0x9E37_79B9_7F4A_7C15, |d| d.as_nanos() as u64)
            | 1;
        Self {
            address,
            server_name,
            timeout,
            permits: Semaphore::new(max_connections.max(1)),
            connections: AtomicU32::new(0),
            seed: AtomicU64::new(seed),
        }
    }

    /// TCP connections opened so far.
    pub fn connections(&self) -> u32 {
        self.connections.load(Ordering::Relaxed)
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

    async fn exchange(&self, offer: &Offer) -> Answer {
        let hello = match self.client_hello(offer) {
            Ok(hello) => hello,
            Err(e) => return Answer::Failed(Failure::Io(e)),
        };
        let address = self.address;
        let seconds = self.timeout.as_secs_f64();
        let mut stream = match tokio::time::timeout(self.timeout, TcpStream::connect(address)).await
        {
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
        let deadline = Instant::now() + self.timeout;
        match tokio::time::timeout(self.timeout, stream.write_all(&hello)).await {
            Err(_) => {
                return Answer::Failed(Failure::Timeout(format!(
                    "{address}: sending the ClientHello timed out after {seconds} s"
                )));
            }
            Ok(Err(e)) => return refused_or_io(&e, address),
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
                    return partial.unwrap_or_else(|| {
                        Answer::Failed(Failure::Timeout(format!(
                            "{address}: no complete answer within {seconds} s ({} bytes received)",
                            received.len()
                        )))
                    });
                }
                Ok(Err(e)) => return partial.unwrap_or_else(|| refused_or_io(&e, address)),
                Ok(Ok(n)) => n,
            };
            if n == 0 {
                return partial.unwrap_or_else(|| {
                    if received.is_empty() {
                        Answer::HungUp("the server closed the connection without answering".into())
                    } else {
                        Answer::Failed(Failure::Garbage(format!(
                            "{address}: the server closed the connection in the middle of its answer ({} bytes)",
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
            match interpret(&received, offer.read_flight) {
                Ok(Interpreted::Complete(answer)) => return answer,
                Ok(Interpreted::Partial(answer)) => partial = Some(answer),
                Ok(Interpreted::NeedMore) => {}
                Err(e) => {
                    return partial.unwrap_or_else(|| {
                        Answer::Failed(Failure::Garbage(format!("{address}: {e}")))
                    });
                }
            }
        }
    }
}

fn refused_or_io(error: &std::io::Error, address: SocketAddr) -> Answer {
    use std::io::ErrorKind;
    match error.kind() {
        // Many TLS stacks reset the connection instead of sending an alert for a hello they refuse.
        ErrorKind::ConnectionReset | ErrorKind::BrokenPipe | ErrorKind::ConnectionAborted => {
            Answer::HungUp(format!("the server reset the connection ({error})"))
        }
        _ => Answer::Failed(Failure::Io(format!("{address}: {error}"))),
    }
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

fn interpret(received: &[u8], read_flight: bool) -> Result<Interpreted, ResponseError> {
    let hello = match read_server_response(received)? {
        Progress::NeedMore => return Ok(Interpreted::NeedMore),
        Progress::Done(ServerResponse::Alert(alert)) => {
            return Ok(Interpreted::Complete(Answer::Refused(format!(
                "alert {alert}"
            ))));
        }
        Progress::Done(ServerResponse::HelloRetryRequest(retry)) => {
            return Ok(Interpreted::Complete(Answer::Retry {
                suite: retry.cipher_suite,
                group: retry.selected_group,
            }));
        }
        Progress::Done(ServerResponse::ServerHello(hello)) => hello,
    };
    let mut answer = Answer::Hello {
        version: hello.version,
        suite: hello.cipher_suite,
        group: hello.selected_group,
        certificates: Vec::new(),
    };
    if !read_flight || hello.version >= ProtocolVersion::TLSV1_3 {
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
        self.exchange(&offer).await
    }
}
