//! The record layer, read incrementally: given the bytes received so far, either "need more" or
//! the next complete handshake message or alert. Handshake messages are reassembled across
//! records; several messages in one record come out one by one. Anything that is not TLS is
//! named for what it looks like.

use super::alert::Alert;
use super::codec::{Codec, DecodeError, Reader};
use crate::tls::ProtocolVersion;

open_code! {
    /// A record's content type. Open: a broken server may send anything.
    ContentType(u8) {
        /// `change_cipher_spec` (20).
        CHANGE_CIPHER_SPEC = 20 => "change_cipher_spec",
        /// `alert` (21).
        ALERT = 21 => "alert",
        /// `handshake` (22).
        HANDSHAKE = 22 => "handshake",
        /// `application_data` (23).
        APPLICATION_DATA = 23 => "application_data",
    }
}

open_code! {
    /// A handshake message type. Open: unknown values survive.
    HandshakeType(u8) {
        /// `hello_request` (0).
        HELLO_REQUEST = 0 => "hello_request",
        /// `client_hello` (1).
        CLIENT_HELLO = 1 => "client_hello",
        /// `server_hello` (2), also carrying a HelloRetryRequest in TLS 1.3.
        SERVER_HELLO = 2 => "server_hello",
        /// `new_session_ticket` (4).
        NEW_SESSION_TICKET = 4 => "new_session_ticket",
        /// `encrypted_extensions` (8).
        ENCRYPTED_EXTENSIONS = 8 => "encrypted_extensions",
        /// `certificate` (11).
        CERTIFICATE = 11 => "certificate",
        /// `server_key_exchange` (12).
        SERVER_KEY_EXCHANGE = 12 => "server_key_exchange",
        /// `certificate_request` (13).
        CERTIFICATE_REQUEST = 13 => "certificate_request",
        /// `server_hello_done` (14).
        SERVER_HELLO_DONE = 14 => "server_hello_done",
        /// `certificate_verify` (15).
        CERTIFICATE_VERIFY = 15 => "certificate_verify",
        /// `client_key_exchange` (16).
        CLIENT_KEY_EXCHANGE = 16 => "client_key_exchange",
        /// `finished` (20).
        FINISHED = 20 => "finished",
        /// `certificate_status` (22, OCSP stapling in TLS ≤ 1.2).
        CERTIFICATE_STATUS = 22 => "certificate_status",
        /// `key_update` (24).
        KEY_UPDATE = 24 => "key_update",
    }
}

/// The largest plaintext record fragment (2^14 bytes); longer handshakes are split.
pub const MAX_PLAINTEXT_FRAGMENT: usize = 16_384;

/// The largest record accepted from a server: a TLS 1.2 ciphertext may add 2048 bytes.
const MAX_RECORD: usize = MAX_PLAINTEXT_FRAGMENT + 2048;

/// The largest handshake message accepted before allocating for it (64 KiB). Real ServerHellos
/// are well under 1 KiB; certificate chains of a few KiB.
pub const MAX_HANDSHAKE_MESSAGE: usize = 64 * 1024;

/// The largest Certificate message a server's flight may carry (192 KiB): chains with large
/// certificates exceed [`MAX_HANDSHAKE_MESSAGE`] (and rustls's limit), and are read here instead.
pub(super) const MAX_CERTIFICATE_MESSAGE: usize = 192 * 1024;

/// Appends `payload` as records of `content_type`, split into fragments of at most
/// [`MAX_PLAINTEXT_FRAGMENT`] bytes. An empty payload writes nothing.
pub fn encode_records(
    out: &mut Vec<u8>,
    content_type: ContentType,
    version: ProtocolVersion,
    payload: &[u8],
) {
    for fragment in payload.chunks(MAX_PLAINTEXT_FRAGMENT) {
        content_type.encode(out);
        version.encode(out);
        // A fragment is at most 2^14 bytes, so it fits the u16 length.
        out.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        out.extend_from_slice(fragment);
    }
}

/// Either the input so far is a prefix of something longer, or a value is complete.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress<T> {
    /// Not enough bytes yet: read more from the server and call again with everything received.
    NeedMore,
    /// The value is complete; bytes after it are the caller's.
    Done(T),
}

/// One complete handshake message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandshakeMessage {
    /// The message type.
    pub typ: HandshakeType,
    /// The body, without the 4-byte header.
    pub body: Vec<u8>,
}

/// What comes next in a server's flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlightMessage {
    /// A complete handshake message.
    Handshake(HandshakeMessage),
    /// An alert.
    Alert(Alert),
    /// A ChangeCipherSpec; everything after it is encrypted.
    ChangeCipherSpec,
    /// The rest of the flight is encrypted (an `application_data` record, or anything after a
    /// ChangeCipherSpec). Returned again on every later call.
    Encrypted,
}

/// Why a server's answer is not a TLS flight this codec can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The first bytes are not a TLS record: another protocol answered (HTTP, SSH, SMTP …).
    #[error("not TLS: the server answered {seen}")]
    NotTls {
        /// What was seen: the first line of text, or the first bytes in hex.
        seen: String,
    },
    /// An SSL 2.0 SERVER-HELLO: the server speaks SSL 2.0, which this prober does not handle.
    #[error("the server answered with an SSL 2.0 SERVER-HELLO (version {version})")]
    Sslv2ServerHello {
        /// The version in the SERVER-HELLO (`0x0002` for SSL 2.0).
        version: ProtocolVersion,
    },
    /// A record header's version is not SSL 3.0 to TLS 1.3.
    #[error("record version {version} is not SSL 3.0 to TLS 1.3")]
    BadRecordVersion {
        /// The version in the record header.
        version: ProtocolVersion,
    },
    /// A record header announces more than TLS allows.
    #[error("record of {len} bytes is longer than TLS allows ({limit})")]
    RecordTooLong {
        /// The announced length.
        len: usize,
        /// The largest accepted.
        limit: usize,
    },
    /// A handshake, alert or ChangeCipherSpec record with no content, which TLS forbids.
    #[error("empty {0} record")]
    EmptyRecord(ContentType),
    /// A record of a content type that has no place here, after valid records.
    #[error("unexpected record content type {0}")]
    UnexpectedContentType(ContentType),
    /// A well-formed message that is not the one expected (`expected ServerHello, got certificate`).
    #[error("expected {expected}, got {got}")]
    UnexpectedMessage {
        /// What the parser waited for.
        expected: &'static str,
        /// What came instead.
        got: String,
    },
    /// A message was malformed.
    #[error("malformed server response: {0}")]
    Decode(#[from] DecodeError),
}

/// Reads the messages of a server's flight from the bytes received so far.
///
/// Stateless over its input: give it everything received since the ClientHello was sent (it
/// re-reads from the start, which costs nothing at handshake sizes). Memory is bounded: a
/// handshake message announcing more than [`MAX_HANDSHAKE_MESSAGE`] bytes is an error before any
/// allocation for it.
#[derive(Debug)]
pub struct FlightReader<'a> {
    input: &'a [u8],
    pos: usize,
    /// Handshake bytes from records read so far, not yet returned as messages.
    pending: Vec<u8>,
    record_version: Option<ProtocolVersion>,
    sealed: bool,
}

impl<'a> FlightReader<'a> {
    /// A reader at the start of what the server sent.
    pub fn new(received: &'a [u8]) -> Self {
        Self {
            input: received,
            pos: 0,
            pending: Vec::new(),
            record_version: None,
            sealed: false,
        }
    }

    /// The version in the first record header, once a complete header has been read.
    pub fn record_version(&self) -> Option<ProtocolVersion> {
        self.record_version
    }

    /// The next message of the flight, or `NeedMore` if it is not complete yet.
    pub fn next_message(&mut self) -> Result<Progress<FlightMessage>, ResponseError> {
        loop {
            if self.sealed {
                return Ok(Progress::Done(FlightMessage::Encrypted));
            }
            if let Some(message) = self.pop_handshake_message()? {
                return Ok(Progress::Done(FlightMessage::Handshake(message)));
            }
            let Progress::Done((content_type, fragment)) = self.next_record()? else {
                return Ok(Progress::NeedMore);
            };
            match content_type {
                ContentType::HANDSHAKE => self.pending.extend_from_slice(fragment),
                ContentType::ALERT => {
                    return Ok(Progress::Done(FlightMessage::Alert(Alert::read_exact(
                        fragment, "Alert",
                    )?)));
                }
                ContentType::CHANGE_CIPHER_SPEC | ContentType::APPLICATION_DATA => {
                    if !self.pending.is_empty() {
                        return Err(DecodeError::MissingData(
                            "handshake message (interrupted by an encrypted record)",
                        )
                        .into());
                    }
                    self.sealed = true;
                    if content_type == ContentType::CHANGE_CIPHER_SPEC {
                        if fragment != [1] {
                            return Err(DecodeError::InvalidValue {
                                what: "ChangeCipherSpec",
                                value: fragment.first().copied().unwrap_or(0).into(),
                            }
                            .into());
                        }
                        return Ok(Progress::Done(FlightMessage::ChangeCipherSpec));
                    }
                }
                other => return Err(ResponseError::UnexpectedContentType(other)),
            }
        }
    }

    /// Takes one complete handshake message off the reassembly buffer, if there is one.
    fn pop_handshake_message(&mut self) -> Result<Option<HandshakeMessage>, DecodeError> {
        let mut r = Reader::new(&self.pending);
        let (Ok(typ), Ok(len)) = (r.u8("handshake type"), r.u24("handshake length")) else {
            return Ok(None);
        };
        let len = len as usize;
        let limit = if HandshakeType(typ) == HandshakeType::CERTIFICATE {
            MAX_CERTIFICATE_MESSAGE
        } else {
            MAX_HANDSHAKE_MESSAGE
        };
        if len > limit {
            return Err(DecodeError::TooLarge {
                what: "handshake message",
                len,
                limit,
            });
        }
        let Ok(body) = r.take(len, "handshake message") else {
            return Ok(None);
        };
        let message = HandshakeMessage {
            typ: HandshakeType(typ),
            body: body.to_vec(),
        };
        self.pending.drain(..4 + len);
        Ok(Some(message))
    }

    /// Reads the next complete record: its content type and fragment.
    fn next_record(&mut self) -> Result<Progress<(ContentType, &'a [u8])>, ResponseError> {
        let rest = &self.input[self.pos..];
        let Some(&first) = rest.first() else {
            return Ok(Progress::NeedMore);
        };
        let content_type = ContentType(first);
        if content_type.name().is_none() {
            if self.pos > 0 {
                return Err(ResponseError::UnexpectedContentType(content_type));
            }
            return match classify_non_tls(rest) {
                Some(error) => Err(error),
                None => Ok(Progress::NeedMore),
            };
        }
        if rest.len() >= 3 {
            let version = ProtocolVersion(u16::from_be_bytes([rest[1], rest[2]]));
            if !(0x0300..=0x0304).contains(&version.0) {
                return Err(ResponseError::BadRecordVersion { version });
            }
        }
        let mut r = Reader::new(rest);
        let (Ok(_), Ok(version), Ok(len)) = (
            r.u8("record header"),
            r.u16("record header"),
            r.u16("record header"),
        ) else {
            return Ok(Progress::NeedMore);
        };
        let len = usize::from(len);
        if len > MAX_RECORD {
            return Err(ResponseError::RecordTooLong {
                len,
                limit: MAX_RECORD,
            });
        }
        if len == 0 && content_type != ContentType::APPLICATION_DATA {
            return Err(ResponseError::EmptyRecord(content_type));
        }
        let Ok(fragment) = r.take(len, "record") else {
            return Ok(Progress::NeedMore);
        };
        self.record_version.get_or_insert(ProtocolVersion(version));
        self.pos += 5 + len;
        Ok(Progress::Done((content_type, fragment)))
    }
}

/// Names what a server sent when its first byte is not a TLS content type: an SSL 2.0
/// SERVER-HELLO, a line of text (an HTTP, SMTP or SSH banner), or bytes in hex. `None` while too
/// few bytes have arrived to tell an SSL 2.0 header.
fn classify_non_tls(received: &[u8]) -> Option<ResponseError> {
    const SSLV2_SERVER_HELLO: u8 = 4;
    if received[0] & 0x80 != 0 {
        // SSL 2.0: a two-byte header with the top bit set, then the message type.
        if received.len() < 7 {
            return None;
        }
        let version = ProtocolVersion(u16::from_be_bytes([received[5], received[6]]));
        if received[2] == SSLV2_SERVER_HELLO && matches!(received[5], 0x00 | 0x03) {
            return Some(ResponseError::Sslv2ServerHello { version });
        }
    }
    Some(ResponseError::NotTls {
        seen: describe_bytes(received),
    })
}

/// The first line of `bytes` in quotes if it reads as text, else its first bytes in hex.
pub(super) fn describe_bytes(bytes: &[u8]) -> String {
    const SHOWN: usize = 64;
    let line = bytes
        .split(|&b| b == b'\r' || b == b'\n')
        .next()
        .unwrap_or_default();
    let printable = |b: &u8| b.is_ascii_graphic() || *b == b' ';
    if !line.is_empty() && line.iter().take(SHOWN).all(printable) {
        let text = String::from_utf8_lossy(&line[..line.len().min(SHOWN)]);
        let more = if line.len() > SHOWN { "…" } else { "" };
        format!("\"{text}{more}\" (text, not a TLS record)")
    } else {
        let hex: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02x}")).collect();
        let more = if bytes.len() > 16 { " …" } else { "" };
        format!("bytes {}{more} (not a TLS record)", hex.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(input: &[u8]) -> Result<Vec<FlightMessage>, ResponseError> {
        let mut reader = FlightReader::new(input);
        let mut out = Vec::new();
        while let Progress::Done(message) = reader.next_message()? {
            if message == FlightMessage::Encrypted {
                break;
            }
            out.push(message);
        }
        Ok(out)
    }

    #[test]
    fn splits_several_messages_in_one_record_and_joins_one_across_records() {
        // Record 1: a whole hello_request and half of a 3-byte certificate message.
        // Record 2: the rest of it.
        let input = [
            22, 3, 3, 0, 6, 0, 0, 0, 0, 11, 0, //
            22, 3, 3, 0, 5, 0, 3, 1, 2, 3,
        ];
        let got = messages(&input).unwrap();
        assert_eq!(
            got,
            [
                FlightMessage::Handshake(HandshakeMessage {
                    typ: HandshakeType::HELLO_REQUEST,
                    body: vec![]
                }),
                FlightMessage::Handshake(HandshakeMessage {
                    typ: HandshakeType::CERTIFICATE,
                    body: vec![1, 2, 3]
                }),
            ]
        );
        // Every proper prefix is incomplete, never an error.
        for cut in 0..input.len() {
            let mut reader = FlightReader::new(&input[..cut]);
            while let Progress::Done(_) = reader.next_message().unwrap() {}
        }
    }

    #[test]
    fn stops_reading_at_change_cipher_spec() {
        let input = [20, 3, 3, 0, 1, 1, 22, 3, 3, 0, 1, 0xff];
        let mut reader = FlightReader::new(&input);
        assert_eq!(
            reader.next_message(),
            Ok(Progress::Done(FlightMessage::ChangeCipherSpec))
        );
        assert_eq!(
            reader.next_message(),
            Ok(Progress::Done(FlightMessage::Encrypted))
        );
    }

    #[test]
    fn refuses_a_huge_handshake_length_before_allocating() {
        let input = [22, 3, 3, 0, 4, 2, 0xff, 0xff, 0xff];
        assert_eq!(
            FlightReader::new(&input).next_message(),
            Err(ResponseError::Decode(DecodeError::TooLarge {
                what: "handshake message",
                len: 0xff_ffff,
                limit: MAX_HANDSHAKE_MESSAGE,
            }))
        );
    }

    #[test]
    fn rejects_record_version_nonsense_and_overlong_records() {
        assert_eq!(
            FlightReader::new(&[22, 0x7f, 0x10]).next_message(),
            Err(ResponseError::BadRecordVersion {
                version: ProtocolVersion(0x7f10)
            })
        );
        assert_eq!(
            FlightReader::new(&[22, 3, 1, 0xff, 0xff]).next_message(),
            Err(ResponseError::RecordTooLong {
                len: 0xffff,
                limit: MAX_RECORD
            })
        );
        assert_eq!(
            FlightReader::new(&[21, 3, 1, 0, 0]).next_message(),
            Err(ResponseError::EmptyRecord(ContentType::ALERT))
        );
        assert_eq!(
            FlightReader::new(&[21, 3, 1, 0, 3, 2, 40, 0]).next_message(),
            Err(ResponseError::Decode(DecodeError::TrailingData("Alert")))
        );
    }

    #[test]
    fn recognises_an_sslv2_server_hello() {
        // SSL 2.0 SERVER-HELLO header: length 0x2a, type 4, no session hit, X.509, version 0x0002.
        let hello = [0x80, 0x2a, 0x04, 0x00, 0x01, 0x00, 0x02, 0x01, 0x00];
        assert_eq!(
            FlightReader::new(&hello[..6]).next_message(),
            Ok(Progress::NeedMore)
        );
        let err = FlightReader::new(&hello).next_message().unwrap_err();
        assert_eq!(
            err,
            ResponseError::Sslv2ServerHello {
                version: ProtocolVersion::SSLV2
            }
        );
        assert!(err.to_string().contains("SSL 2.0"), "{err}");
    }

    #[test]
    fn describes_binary_garbage_in_hex() {
        let err = FlightReader::new(&[0x00, 0x01, 0xfe])
            .next_message()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "not TLS: the server answered bytes 00 01 fe (not a TLS record)"
        );
        let ssh = FlightReader::new(b"SSH-2.0-OpenSSH_9.6\r\n")
            .next_message()
            .unwrap_err();
        assert!(ssh.to_string().contains("\"SSH-2.0-OpenSSH_9.6\""), "{ssh}");
    }

    #[test]
    fn splits_long_payloads_into_records_of_at_most_16_kib() {
        let mut out = Vec::new();
        let payload = vec![7; MAX_PLAINTEXT_FRAGMENT + 10];
        encode_records(
            &mut out,
            ContentType::HANDSHAKE,
            ProtocolVersion::TLSV1_0,
            &payload,
        );
        assert_eq!(out.len(), payload.len() + 10);
        assert_eq!(out[..5], [22, 3, 1, 0x40, 0x00]);
        assert_eq!(out[5 + MAX_PLAINTEXT_FRAGMENT..][..5], [22, 3, 1, 0, 10]);
    }
}
