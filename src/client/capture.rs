//! `--capture ADDR:PORT`: listen, let a real client connect, read the first ClientHello it sends,
//! answer with a fatal `handshake_failure` alert, and describe exactly what the client offered.
//!
//! - Each connection gets `timeout` to deliver a complete hello (at most [`MAX_HELLO_BYTES`]);
//!   waiting for connections has no limit (the user starts the client, or stops with Ctrl-C).
//! - Connections are served concurrently, so a client that opens several at once (browsers do)
//!   is not held up by one that sends nothing.
//! - A connection that sends something other than a ClientHello (plain HTTP, garbage, nothing
//!   before the timeout, a hang-up) is reported through `notify` and does **not** count towards
//!   `count`: the result always holds `count` real hellos, and the user sees why an attempt was
//!   skipped (for example a client pointed at `http://` instead of `https://`).
//! - The alert makes the client fail at once with a clear TLS error (OpenSSL prints
//!   `alert handshake failure`) rather than waiting for a timeout.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use super::hello::describe;
use super::{ClientDescription, DescriptionSource};
use crate::probe::wire::{
    Alert, AlertDescription, AlertLevel, ClientHello, Codec, ContentType, MAX_HANDSHAKE_MESSAGE,
    Progress, encode_records, parse_client_hello,
};
use crate::tls::ProtocolVersion;

/// The most bytes read from one connection before giving up on it: the largest hello the reader
/// accepts (64 KiB) plus the headers of the records it may be split into.
pub const MAX_HELLO_BYTES: usize = MAX_HANDSHAKE_MESSAGE + 5 * (MAX_HANDSHAKE_MESSAGE / 16_384 + 1);

/// How long to drain what the client still sends after the alert, so that closing does not turn
/// into a reset that hides the alert from it.
const LINGER: Duration = Duration::from_millis(500);

/// Why a capture could not start.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    /// The address cannot be listened on.
    #[error("cannot listen there (in use, or not an address of this host?)")]
    Listen(#[source] std::io::Error),
}

/// Listens on `addr`, and describes the first ClientHello of each of `count` connections that
/// send one. `notify` receives one line per event for the user: where to point the client, each
/// hello captured, each connection skipped and why.
pub async fn capture(
    addr: SocketAddr,
    count: usize,
    timeout: Duration,
    mut notify: impl FnMut(&str),
) -> Result<Vec<ClientDescription>, CaptureError> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(CaptureError::Listen)?;
    let local = listener.local_addr().map_err(CaptureError::Listen)?;
    notify(&format!(
        "point your client at https://{local}/ (or {local} for TLS without HTTP): waiting for \
         {count} ClientHello{}; each is answered with a TLS alert, so the client will report a \
         handshake failure",
        if count == 1 { "" } else { "s" }
    ));
    let mut captured = Vec::with_capacity(count);
    let mut pending: JoinSet<(SocketAddr, Result<ClientHello, String>)> = JoinSet::new();
    while captured.len() < count {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    pending.spawn(async move { (peer, serve(stream, timeout).await) });
                }
                // A connection that failed before it was accepted (reset in the backlog, no file
                // descriptors left): say so and keep listening.
                Err(e) => notify(&format!("accept failed: {e}")),
            },
            Some(joined) = pending.join_next(), if !pending.is_empty() => {
                let Ok((peer, result)) = joined else { continue };
                match result {
                    Ok(hello) => {
                        let description = describe(
                            &hello,
                            format!("captured {peer}"),
                            DescriptionSource::Captured { peer: peer.to_string() },
                        );
                        notify(&format!(
                            "captured {peer}: {} cipher suites, versions {}",
                            description.suites.len(),
                            description
                                .versions
                                .iter()
                                .map(ToString::to_string)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ));
                        captured.push(description);
                    }
                    Err(why) => notify(&format!("skipped {peer}: {why}")),
                }
            }
        }
    }
    // Connections still open beyond `count` are not wanted; they close.
    pending.abort_all();
    Ok(captured)
}

/// Reads one connection's ClientHello, answers with the alert and closes.
async fn serve(mut stream: TcpStream, timeout: Duration) -> Result<ClientHello, String> {
    let hello = match tokio::time::timeout(timeout, read_hello(&mut stream)).await {
        Ok(result) => result?,
        Err(_) => {
            return Err(format!(
                "no complete ClientHello within {}s",
                timeout.as_secs_f64()
            ));
        }
    };
    let _ = stream.write_all(&alert_record(&hello)).await;
    let _ = stream.shutdown().await;
    // Drain until the client hangs up (or briefly), so the close is orderly.
    let mut sink = [0_u8; 1024];
    let _ = tokio::time::timeout(LINGER, async {
        while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
    })
    .await;
    Ok(hello)
}

async fn read_hello(stream: &mut TcpStream) -> Result<ClientHello, String> {
    let mut received: Vec<u8> = Vec::with_capacity(2048);
    let mut chunk = [0_u8; 4096];
    loop {
        match parse_client_hello(&received) {
            Ok(Progress::Done(hello)) => return Ok(hello),
            Ok(Progress::NeedMore) => {}
            Err(e) => {
                let http = [
                    &b"GET "[..],
                    b"POST ",
                    b"HEAD ",
                    b"PUT ",
                    b"OPTIONS ",
                    b"CONNECT ",
                ]
                .iter()
                .any(|method| received.starts_with(method));
                return Err(if http {
                    format!("{e}: is the client using http:// instead of https://?")
                } else {
                    e.to_string()
                });
            }
        }
        if received.len() >= MAX_HELLO_BYTES {
            return Err(format!(
                "sent {} bytes without completing a ClientHello",
                received.len()
            ));
        }
        let n = stream
            .read(&mut chunk)
            .await
            .map_err(|e| format!("read failed: {e}"))?;
        if n == 0 {
            return Err(if received.is_empty() {
                "closed the connection without sending anything".to_string()
            } else {
                format!(
                    "closed the connection after {} bytes of an incomplete ClientHello",
                    received.len()
                )
            });
        }
        received.extend_from_slice(&chunk[..n]);
    }
}

/// A fatal `handshake_failure` alert in a record whose version the client accepts: its own
/// `legacy_version`, capped at TLS 1.2 (TLS 1.3 records say TLS 1.2).
fn alert_record(hello: &ClientHello) -> Vec<u8> {
    let version = hello
        .client_version
        .clamp(ProtocolVersion::SSLV3, ProtocolVersion::TLSV1_2);
    let alert = Alert {
        level: AlertLevel::FATAL,
        description: AlertDescription::HANDSHAKE_FAILURE,
    };
    let mut record = Vec::with_capacity(7);
    encode_records(&mut record, ContentType::ALERT, version, &alert.to_bytes());
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::wire::ClientHelloSpec;
    use crate::tls::CipherSuite;
    use std::net::Ipv4Addr;

    fn hello_bytes(version: ProtocolVersion) -> Vec<u8> {
        let mut spec = ClientHelloSpec::new(version, [5; 32]);
        spec.cipher_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256];
        spec.server_name = Some("captured.example".into());
        spec.build().unwrap()
    }

    #[test]
    fn the_alert_is_a_fatal_handshake_failure_in_a_version_the_client_reads() {
        let hello = |v| match parse_client_hello(&hello_bytes(v)) {
            Ok(Progress::Done(hello)) => hello,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            alert_record(&hello(ProtocolVersion::TLSV1_0)),
            [21, 3, 1, 0, 2, 2, 40]
        );
        assert_eq!(
            alert_record(&hello(ProtocolVersion::TLSV1_3)),
            [21, 3, 3, 0, 2, 2, 40]
        );
    }

    type Capture =
        tokio::task::JoinHandle<(Result<Vec<ClientDescription>, CaptureError>, Vec<String>)>;

    /// Starts a capture on a free loopback port and waits until it listens.
    async fn start(count: usize, timeout: Duration) -> (Capture, SocketAddr) {
        let port = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let task = tokio::spawn(async move {
            let mut lines = Vec::new();
            let result = capture(addr, count, timeout, |l| lines.push(l.to_string())).await;
            (result, lines)
        });
        for _ in 0..200 {
            // This probe connection sends nothing and hangs up: it is skipped.
            if TcpStream::connect(addr).await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        (task, addr)
    }

    #[tokio::test]
    async fn skips_garbage_and_silence_and_answers_a_hello_with_an_alert() {
        let (task, addr) = start(1, Duration::from_millis(300)).await;
        let mut http = TcpStream::connect(addr).await.unwrap();
        http.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let _silent = TcpStream::connect(addr).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut client = TcpStream::connect(addr).await.unwrap();
        let bytes = hello_bytes(ProtocolVersion::TLSV1_2);
        // Split across writes, as a slow client would.
        client.write_all(&bytes[..7]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        client.write_all(&bytes[7..]).await.unwrap();
        let mut answer = Vec::new();
        client.read_to_end(&mut answer).await.unwrap();
        assert_eq!(answer, [21, 3, 3, 0, 2, 2, 40]);

        let (result, lines) = task.await.unwrap();
        let captured = result.unwrap();
        assert_eq!(captured.len(), 1);
        assert_eq!(captured[0].server_name.as_deref(), Some("captured.example"));
        assert!(captured[0].name.starts_with("captured 127.0.0.1:"));
        assert!(lines[0].starts_with(&format!("point your client at https://{addr}/")));
        let text = lines.join("\n");
        assert!(
            text.contains("not TLS: the client sent \"GET / HTTP/1.1\""),
            "{text}"
        );
    }

    #[tokio::test]
    async fn refuses_an_address_in_use() {
        let taken = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let addr = taken.local_addr().unwrap();
        let error = capture(addr, 1, Duration::from_secs(1), |_| {})
            .await
            .unwrap_err();
        assert!(
            matches!(&error, CaptureError::Listen(e) if e.kind() == std::io::ErrorKind::AddrInUse),
            "{error:?}"
        );
    }
}
