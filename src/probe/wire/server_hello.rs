//! What a server answers to a probe: a ServerHello (which version, suite and group it chose), a
//! HelloRetryRequest, or an alert — and, for TLS 1.2 and older, the certificate chain that
//! follows in the same flight.

use super::alert::Alert;
use super::codec::{DecodeError, LengthPrefix, Reader};
use super::extension::ExtensionType;
use super::record::{FlightMessage, FlightReader, HandshakeMessage, HandshakeType};
use super::record::{Progress, ResponseError};
use super::server_flight::{ServerExtension, ServerHelloMessage};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// The `random` of a ServerHello that is really a HelloRetryRequest (RFC 8446 §4.1.3):
/// SHA-256 of "HelloRetryRequest".
pub const HELLO_RETRY_REQUEST_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// The last 8 bytes of a server random by which a TLS 1.3 server says it was offered a lower
/// version than it supports (RFC 8446 §4.1.3): "DOWNGRD" and a final byte.
const DOWNGRADE_PREFIX: &[u8; 7] = b"DOWNGRD";

/// The most certificates accepted in one Certificate message.
const MAX_CERTIFICATES: usize = 32;

/// A downgrade sentinel in the server random: the server supports a higher version than it
/// negotiated, because the client offered no higher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DowngradeSentinel {
    /// `DOWNGRD\x01`: the server supports TLS 1.3 but negotiated TLS 1.2.
    Tls13ToTls12,
    /// `DOWNGRD\x00`: the server supports TLS 1.2 or higher but negotiated TLS 1.1 or lower.
    Tls12ToTls11OrBelow,
}

/// A ServerHello: the server accepted the offer and chose these parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// The version in the first record header.
    pub record_version: ProtocolVersion,
    /// `legacy_version` of the message (0x0303 under TLS 1.3).
    pub legacy_version: ProtocolVersion,
    /// The negotiated version: `supported_versions` when present, else `legacy_version`.
    pub version: ProtocolVersion,
    /// The server random.
    pub random: [u8; 32],
    /// A downgrade sentinel at the end of `random`, if any.
    pub downgrade_sentinel: Option<DowngradeSentinel>,
    /// The session id (an echo of the client's under TLS 1.3).
    pub session_id: Vec<u8>,
    /// The chosen suite, known to the registry or not.
    pub cipher_suite: CipherSuite,
    /// The chosen compression method (0 = null; anything else is CRIME-prone).
    pub compression: u8,
    /// Extension types in the order the server sent them.
    pub extensions: Vec<ExtensionType>,
    /// The group of the server's key share (TLS 1.3).
    pub selected_group: Option<NamedGroup>,
    /// The ALPN protocol chosen, if any.
    pub alpn: Option<Vec<u8>>,
    /// `ec_point_formats` the server accepts, if it sent the extension.
    pub ec_point_formats: Option<Vec<u8>>,
}

impl ServerHello {
    /// Whether the server sent an extension of this type.
    pub fn has_extension(&self, typ: ExtensionType) -> bool {
        self.extensions.contains(&typ)
    }

    /// Whether the server supports secure renegotiation (sent `renegotiation_info`, RFC 5746).
    pub fn secure_renegotiation(&self) -> bool {
        self.has_extension(ExtensionType::RENEGOTIATION_INFO)
    }

    /// Whether the server agreed to the extended master secret (RFC 7627).
    pub fn extended_master_secret(&self) -> bool {
        self.has_extension(ExtensionType::EXTENDED_MASTER_SECRET)
    }
}

/// A HelloRetryRequest: the server accepts TLS 1.3 and the suite, but wants a key share for
/// another group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloRetryRequest {
    /// The negotiated version (from `supported_versions`; `legacy_version` if absent).
    pub version: ProtocolVersion,
    /// The chosen suite.
    pub cipher_suite: CipherSuite,
    /// The group the server asks a key share for.
    pub selected_group: Option<NamedGroup>,
    /// Whether the server sent a cookie to be echoed.
    pub cookie: bool,
    /// The session id echoed.
    pub session_id: Vec<u8>,
    /// Extension types in the order the server sent them.
    pub extensions: Vec<ExtensionType>,
}

/// The server's answer to a ClientHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerResponse {
    /// The offer was accepted.
    ServerHello(ServerHello),
    /// TLS 1.3: accepted, but another key share is wanted.
    HelloRetryRequest(HelloRetryRequest),
    /// The offer was refused (or the server has something else to say).
    Alert(Alert),
}

/// Parses the body of a `server_hello` handshake message (without its 4-byte header), telling a
/// HelloRetryRequest from a ServerHello by its random. `record_version` is that of the record it
/// came in.
pub fn parse_server_hello(
    body: &[u8],
    record_version: ProtocolVersion,
) -> Result<ServerResponse, DecodeError> {
    let message = ServerHelloMessage::read_body(&mut Reader::new(body))?;
    let is_retry = message.is_hello_retry_request();
    let mut version = None;
    let mut selected_group = None;
    let mut alpn = None;
    let mut ec_point_formats = None;
    for extension in &message.extensions {
        match extension {
            ServerExtension::SupportedVersions(v) => version = Some(*v),
            ServerExtension::KeyShare(entry) if !is_retry => {
                if entry.key_exchange.is_empty() {
                    return Err(DecodeError::MissingData("key_share.key_exchange"));
                }
                selected_group = Some(entry.group);
            }
            ServerExtension::HelloRetryKeyShare(group) if is_retry => {
                selected_group = Some(*group);
            }
            // A retry's key_share names a group alone; a ServerHello's carries a key.
            ServerExtension::KeyShare(_) => return Err(DecodeError::TrailingData("key_share")),
            ServerExtension::HelloRetryKeyShare(_) => {
                return Err(DecodeError::MissingData("key_share.key_exchange"));
            }
            ServerExtension::Alpn(name) => alpn = Some(name.clone()),
            ServerExtension::EcPointFormats(formats) => ec_point_formats = Some(formats.clone()),
            // Presence is what matters.
            _ => {}
        }
    }
    let extensions: Vec<ExtensionType> = message.extensions.iter().map(|e| e.typ()).collect();
    let version = version.unwrap_or(message.legacy_version);
    if is_retry {
        return Ok(ServerResponse::HelloRetryRequest(HelloRetryRequest {
            version,
            cipher_suite: message.cipher_suite,
            selected_group,
            cookie: extensions.contains(&ExtensionType::COOKIE),
            session_id: message.session_id,
            extensions,
        }));
    }
    let random = message.random;
    let downgrade_sentinel = match random[24..].split_at(7) {
        (prefix, [1]) if prefix == DOWNGRADE_PREFIX => Some(DowngradeSentinel::Tls13ToTls12),
        (prefix, [0]) if prefix == DOWNGRADE_PREFIX => Some(DowngradeSentinel::Tls12ToTls11OrBelow),
        _ => None,
    };
    Ok(ServerResponse::ServerHello(ServerHello {
        record_version,
        legacy_version: message.legacy_version,
        version,
        random,
        downgrade_sentinel,
        session_id: message.session_id,
        cipher_suite: message.cipher_suite,
        compression: message.compression,
        extensions,
        selected_group,
        alpn,
        ec_point_formats,
    }))
}

/// Reads the server's answer from the bytes received so far: `NeedMore` until a whole ServerHello
/// (or HelloRetryRequest) or an alert has arrived, then that answer. Give it everything received
/// since the ClientHello was sent; bytes after the answer are ignored.
pub fn read_server_response(received: &[u8]) -> Result<Progress<ServerResponse>, ResponseError> {
    let mut flight = FlightReader::new(received);
    first_response(&mut flight)
}

fn first_response(
    flight: &mut FlightReader<'_>,
) -> Result<Progress<ServerResponse>, ResponseError> {
    loop {
        let Progress::Done(message) = flight.next_message()? else {
            return Ok(Progress::NeedMore);
        };
        let message = match message {
            FlightMessage::Alert(alert) => return Ok(Progress::Done(ServerResponse::Alert(alert))),
            FlightMessage::Handshake(message) => message,
            other => {
                return Err(ResponseError::UnexpectedMessage {
                    expected: "ServerHello",
                    got: describe(&other),
                });
            }
        };
        match message.typ {
            // A server may ask for a new handshake at any time; before ServerHello it means nothing.
            HandshakeType::HELLO_REQUEST if message.body.is_empty() => continue,
            HandshakeType::SERVER_HELLO => {
                let record_version = flight.record_version().unwrap_or(ProtocolVersion(0));
                return Ok(Progress::Done(parse_server_hello(
                    &message.body,
                    record_version,
                )?));
            }
            _ => {
                return Err(ResponseError::UnexpectedMessage {
                    expected: "ServerHello",
                    got: describe(&FlightMessage::Handshake(message)),
                });
            }
        }
    }
}

/// Reads the certificate chain a TLS ≤ 1.2 server sends right after its ServerHello, as DER
/// certificates, leaf first.
///
/// `Done(None)` when there is no plaintext chain to read: the answer was an alert or a
/// HelloRetryRequest, TLS 1.3 was negotiated (its Certificate is encrypted), the session was
/// resumed, or the suite is anonymous or PSK. `NeedMore` until it can tell.
pub fn read_certificate_chain(
    received: &[u8],
) -> Result<Progress<Option<Vec<Vec<u8>>>>, ResponseError> {
    let mut flight = FlightReader::new(received);
    match first_response(&mut flight)? {
        Progress::NeedMore => return Ok(Progress::NeedMore),
        Progress::Done(ServerResponse::ServerHello(hello))
            if hello.version < ProtocolVersion::TLSV1_3 => {}
        Progress::Done(_) => return Ok(Progress::Done(None)),
    }
    match flight.next_message()? {
        Progress::NeedMore => Ok(Progress::NeedMore),
        Progress::Done(FlightMessage::Handshake(HandshakeMessage { typ, body }))
            if typ == HandshakeType::CERTIFICATE =>
        {
            Ok(Progress::Done(Some(parse_certificate_list(&body)?)))
        }
        Progress::Done(_) => Ok(Progress::Done(None)),
    }
}

/// Parses a TLS ≤ 1.2 Certificate message body: a 24-bit list of 24-bit DER certificates.
pub(super) fn parse_certificate_list(body: &[u8]) -> Result<Vec<Vec<u8>>, DecodeError> {
    let mut r = Reader::new(body);
    let mut list = r.sub(LengthPrefix::U24, "Certificate.certificate_list")?;
    r.expect_empty("Certificate")?;
    let mut certificates = Vec::new();
    while !list.is_empty() {
        if certificates.len() == MAX_CERTIFICATES {
            return Err(DecodeError::TooLarge {
                what: "Certificate.certificate_list (certificates)",
                len: certificates.len() + 1,
                limit: MAX_CERTIFICATES,
            });
        }
        let der = list
            .sub(LengthPrefix::U24, "Certificate.certificate")?
            .rest();
        if der.is_empty() {
            return Err(DecodeError::MissingData("Certificate.certificate (empty)"));
        }
        certificates.push(der.to_vec());
    }
    Ok(certificates)
}

fn describe(message: &FlightMessage) -> String {
    match message {
        FlightMessage::Handshake(message) => {
            format!("a {} handshake message ({})", message.typ, message.typ.0)
        }
        FlightMessage::Alert(alert) => format!("an alert ({alert})"),
        FlightMessage::ChangeCipherSpec => "a ChangeCipherSpec".to_owned(),
        FlightMessage::Encrypted => "encrypted records".to_owned(),
    }
}

#[cfg(test)]
#[path = "server_hello_tests.rs"]
pub(super) mod tests;
