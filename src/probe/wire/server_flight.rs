//! The server side of the hello exchange, part two: the messages of a server's first flight —
//! ServerHello (and its HelloRetryRequest form), Certificate, an ECDHE ServerKeyExchange,
//! ServerHelloDone — and alerts, encoded as a server would send them.
//!
//! A responder that answers probes as a configured policy would (the integration tests' stand-in
//! for servers Debian's OpenSSL cannot be: 3DES, RC4, SSL 3.0, ML-KEM) speaks with these; the
//! prober reads the same bytes with [`super::read_server_response`] and [`super::FlightReader`].
//! The handshake is never finished, so key material only has to look right: shares and points of
//! the right length and form, signatures of dummy bytes.

use super::alert::{Alert, AlertDescription, AlertLevel};
use super::codec::{
    Codec, DecodeError, EncodeError, LengthPrefix, Reader, length_prefixed, read_list,
};
use super::extension::{
    ExtensionType, KeyShareEntry, SignatureScheme, encode_extension, read_extension,
};
use super::key_share::plausible_key_share;
use super::record::encode_records;
use super::record::{ContentType, HandshakeMessage, HandshakeType, MAX_HANDSHAKE_MESSAGE};
use super::server_hello::HELLO_RETRY_REQUEST_RANDOM;
use super::server_hello::parse_certificate_list;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// `ECCurveType.named_curve` (RFC 8422 §5.4): the only curve type TLS servers still send.
const NAMED_CURVE: u8 = 3;

impl Codec for HandshakeMessage {
    /// Writes the message: type, 24-bit length, body.
    ///
    /// # Panics
    ///
    /// If the body is longer than 2^24 - 1 bytes.
    fn encode(&self, out: &mut Vec<u8>) {
        self.typ.encode(out);
        length_prefixed(out, LengthPrefix::U24, |out| {
            out.extend_from_slice(&self.body)
        });
    }

    /// Reads one message; a body announcing more than [`MAX_HANDSHAKE_MESSAGE`] bytes is an error
    /// before anything is allocated for it.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = HandshakeType::read(r)?;
        let len = r.u24("handshake length")? as usize;
        if len > MAX_HANDSHAKE_MESSAGE {
            return Err(DecodeError::TooLarge {
                what: "handshake message",
                len,
                limit: MAX_HANDSHAKE_MESSAGE,
            });
        }
        let body = r.take(len, "handshake message")?.to_vec();
        Ok(Self { typ, body })
    }
}

/// An extension a server sends in its ServerHello or HelloRetryRequest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerExtension {
    /// `supported_versions` (server form: the one version chosen).
    SupportedVersions(ProtocolVersion),
    /// `key_share` in a ServerHello: the server's share for the chosen group.
    KeyShare(KeyShareEntry),
    /// `key_share` in a HelloRetryRequest: the group the client must send a share for.
    HelloRetryKeyShare(NamedGroup),
    /// `cookie` (HelloRetryRequest), to be echoed by the client.
    Cookie(Vec<u8>),
    /// `renegotiation_info` (RFC 5746), empty on a first handshake.
    RenegotiationInfo(Vec<u8>),
    /// `extended_master_secret` (RFC 7627), empty.
    ExtendedMasterSecret,
    /// `ec_point_formats` the server accepts (TLS ≤ 1.2).
    EcPointFormats(Vec<u8>),
    /// `application_layer_protocol_negotiation` with the one protocol chosen.
    Alpn(Vec<u8>),
    /// Anything else, kept as raw bytes.
    Unknown {
        /// The extension type.
        typ: ExtensionType,
        /// The raw `extension_data`.
        data: Vec<u8>,
    },
}

impl ServerExtension {
    /// The extension type on the wire.
    pub fn typ(&self) -> ExtensionType {
        match self {
            Self::SupportedVersions(_) => ExtensionType::SUPPORTED_VERSIONS,
            Self::KeyShare(_) | Self::HelloRetryKeyShare(_) => ExtensionType::KEY_SHARE,
            Self::Cookie(_) => ExtensionType::COOKIE,
            Self::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            Self::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            Self::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            Self::Alpn(_) => ExtensionType::ALPN,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    /// Checks that every length fits its prefix, so that encoding cannot panic.
    pub fn check_lengths(&self) -> Result<(), EncodeError> {
        const U8: usize = 0xff;
        const U16: usize = 0xffff;
        match self {
            Self::KeyShare(entry) => {
                EncodeError::check("key_share.key_exchange", entry.key_exchange.len(), U16 - 4)
            }
            Self::Cookie(cookie) => EncodeError::check("cookie", cookie.len(), U16 - 2),
            Self::RenegotiationInfo(bytes) => {
                EncodeError::check("renegotiation_info", bytes.len(), U8)
            }
            Self::EcPointFormats(formats) => {
                EncodeError::check("ec_point_formats", formats.len(), U8)
            }
            Self::Alpn(name) if name.is_empty() => Err(EncodeError::Empty("alpn.protocol_name")),
            Self::Alpn(name) => EncodeError::check("alpn.protocol_name", name.len(), U8),
            Self::Unknown { data, .. } => EncodeError::check("extension_data", data.len(), U16),
            Self::SupportedVersions(_)
            | Self::HelloRetryKeyShare(_)
            | Self::ExtendedMasterSecret => Ok(()),
        }
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::SupportedVersions(version) => version.encode(out),
            Self::KeyShare(entry) => entry.encode(out),
            Self::HelloRetryKeyShare(group) => group.encode(out),
            Self::Cookie(cookie) => {
                length_prefixed(out, LengthPrefix::U16, |out| out.extend_from_slice(cookie))
            }
            Self::RenegotiationInfo(bytes) | Self::EcPointFormats(bytes) => {
                length_prefixed(out, LengthPrefix::U8, |out| out.extend_from_slice(bytes))
            }
            Self::ExtendedMasterSecret => {}
            Self::Alpn(name) => length_prefixed(out, LengthPrefix::U16, |out| {
                length_prefixed(out, LengthPrefix::U8, |out| out.extend_from_slice(name))
            }),
            Self::Unknown { data, .. } => out.extend_from_slice(data),
        }
    }

    /// Reads one extension's data. What the prober reads values from (`supported_versions`,
    /// `key_share`, `ec_point_formats`, ALPN) is read strictly; extensions whose presence is
    /// what matters (`renegotiation_info`, `extended_master_secret`, `cookie`) are kept as
    /// [`ServerExtension::Unknown`] when servers put something unexpected inside.
    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match typ {
            ExtensionType::SUPPORTED_VERSIONS => Self::SupportedVersions(ProtocolVersion::read(r)?),
            // A HelloRetryRequest names a group only; a ServerHello's share has a key after it.
            ExtensionType::KEY_SHARE if r.remaining() == 2 => {
                Self::HelloRetryKeyShare(NamedGroup::read(r)?)
            }
            ExtensionType::KEY_SHARE => Self::KeyShare(KeyShareEntry::read(r)?),
            ExtensionType::COOKIE | ExtensionType::RENEGOTIATION_INFO => {
                let data = r.rest();
                let mut inner = Reader::new(data);
                let parsed = if typ == ExtensionType::COOKIE {
                    inner
                        .sub(LengthPrefix::U16, "cookie")
                        .map(|mut c| Self::Cookie(c.rest().to_vec()))
                } else {
                    read_list(&mut inner, LengthPrefix::U8, "renegotiation_info")
                        .map(Self::RenegotiationInfo)
                };
                match parsed {
                    Ok(extension) if inner.is_empty() => extension,
                    _ => Self::Unknown {
                        typ,
                        data: data.to_vec(),
                    },
                }
            }
            ExtensionType::EXTENDED_MASTER_SECRET if r.is_empty() => Self::ExtendedMasterSecret,
            ExtensionType::EC_POINT_FORMATS => {
                Self::EcPointFormats(read_list(r, LengthPrefix::U8, "ec_point_formats")?)
            }
            ExtensionType::ALPN => {
                let mut names = r.sub(LengthPrefix::U16, "alpn.protocol_name_list")?;
                let name = names.sub(LengthPrefix::U8, "alpn.protocol_name")?.rest();
                names.expect_empty("alpn.protocol_name_list (one name)")?;
                // Read as sent (an empty name is the server's defect, not a refusal); encoding
                // one is refused by `check_lengths`.
                Self::Alpn(name.to_vec())
            }
            typ => Self::Unknown {
                typ,
                data: r.rest().to_vec(),
            },
        })
    }
}

impl Codec for ServerExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_extension(out, self.typ(), |out| self.encode_body(out));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        read_extension(r, Self::read_body)
    }
}

/// A ServerHello (or, with [`HELLO_RETRY_REQUEST_RANDOM`], a HelloRetryRequest) field by field,
/// as a server sends it. The prober's view of the same message is [`super::ServerHello`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHelloMessage {
    /// `legacy_version`: the negotiated version up to TLS 1.2, 0x0303 under TLS 1.3.
    pub legacy_version: ProtocolVersion,
    /// The server random.
    pub random: [u8; 32],
    /// The session id (under TLS 1.3 an echo of the client's).
    pub session_id: Vec<u8>,
    /// The chosen suite.
    pub cipher_suite: CipherSuite,
    /// The chosen compression method (0 = null).
    pub compression: u8,
    /// Extensions in wire order. When empty, the extensions block is left out, as SSL 3.0
    /// servers did.
    pub extensions: Vec<ServerExtension>,
}

impl ServerHelloMessage {
    /// A TLS ≤ 1.2 (or SSL 3.0) ServerHello choosing `version` and `suite`, with no extensions
    /// yet.
    pub fn legacy(
        version: ProtocolVersion,
        random: [u8; 32],
        session_id: Vec<u8>,
        suite: CipherSuite,
    ) -> Self {
        Self {
            legacy_version: version,
            random,
            session_id,
            cipher_suite: suite,
            compression: 0,
            extensions: Vec::new(),
        }
    }

    /// A TLS 1.3 ServerHello: `supported_versions` = TLS 1.3 and the server's key share,
    /// echoing the client's `session_id`.
    pub fn tls13(
        random: [u8; 32],
        session_id: Vec<u8>,
        suite: CipherSuite,
        key_share: KeyShareEntry,
    ) -> Self {
        Self {
            legacy_version: ProtocolVersion::TLSV1_2,
            random,
            session_id,
            cipher_suite: suite,
            compression: 0,
            extensions: vec![
                ServerExtension::SupportedVersions(ProtocolVersion::TLSV1_3),
                ServerExtension::KeyShare(key_share),
            ],
        }
    }

    /// A HelloRetryRequest (RFC 8446 §4.1.4): TLS 1.3 and `suite` are accepted, but the client
    /// must send a key share for `group`.
    pub fn hello_retry_request(session_id: Vec<u8>, suite: CipherSuite, group: NamedGroup) -> Self {
        Self {
            legacy_version: ProtocolVersion::TLSV1_2,
            random: HELLO_RETRY_REQUEST_RANDOM,
            session_id,
            cipher_suite: suite,
            compression: 0,
            extensions: vec![
                ServerExtension::SupportedVersions(ProtocolVersion::TLSV1_3),
                ServerExtension::HelloRetryKeyShare(group),
            ],
        }
    }

    /// Whether this is a HelloRetryRequest.
    pub fn is_hello_retry_request(&self) -> bool {
        self.random == HELLO_RETRY_REQUEST_RANDOM
    }

    /// Checks every length against its prefix, so that `encode` cannot panic.
    pub fn check_lengths(&self) -> Result<(), EncodeError> {
        EncodeError::check("ServerHello.session_id", self.session_id.len(), 32)?;
        let mut total = 0;
        for extension in &self.extensions {
            extension.check_lengths()?;
            total += extension.to_bytes().len();
        }
        EncodeError::check("ServerHello.extensions", total, 0xffff)
    }

    /// The handshake message, lengths checked.
    pub fn to_message(&self) -> Result<HandshakeMessage, EncodeError> {
        self.check_lengths()?;
        Ok(HandshakeMessage {
            typ: HandshakeType::SERVER_HELLO,
            body: self.to_bytes()[4..].to_vec(),
        })
    }
}

impl Codec for ServerHelloMessage {
    /// Writes the whole handshake message (type, 24-bit length, body).
    ///
    /// # Panics
    ///
    /// If a field does not fit its length prefix; [`ServerHelloMessage::check_lengths`] says
    /// beforehand.
    fn encode(&self, out: &mut Vec<u8>) {
        HandshakeType::SERVER_HELLO.encode(out);
        length_prefixed(out, LengthPrefix::U24, |out| {
            self.legacy_version.encode(out);
            out.extend_from_slice(&self.random);
            length_prefixed(out, LengthPrefix::U8, |out| {
                out.extend_from_slice(&self.session_id)
            });
            self.cipher_suite.encode(out);
            out.push(self.compression);
            if !self.extensions.is_empty() {
                length_prefixed(out, LengthPrefix::U16, |out| {
                    for extension in &self.extensions {
                        extension.encode(out);
                    }
                });
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = r.u8("ServerHello handshake type")?;
        if HandshakeType(typ) != HandshakeType::SERVER_HELLO {
            return Err(DecodeError::InvalidValue {
                what: "ServerHello handshake type",
                value: typ.into(),
            });
        }
        let mut body = r.sub(LengthPrefix::U24, "ServerHello")?;
        Self::read_body(&mut body)
    }
}

impl ServerHelloMessage {
    /// Reads the body of a `server_hello` handshake message (without its 4-byte header): the one
    /// ServerHello reader, used by the prober ([`super::parse_server_hello`]) and the responder's
    /// tests alike. An extension sent twice is an error (RFC 8446 §4.2).
    pub fn read_body(body: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let legacy_version = ProtocolVersion::read(body)?;
        let random = body.array("ServerHello.random")?;
        let session_id = body.sub(LengthPrefix::U8, "ServerHello.session_id")?.rest();
        if session_id.len() > 32 {
            return Err(DecodeError::TooLarge {
                what: "ServerHello.session_id",
                len: session_id.len(),
                limit: 32,
            });
        }
        let cipher_suite = CipherSuite::read(body)?;
        let compression = body.u8("ServerHello.compression_method")?;
        let mut extensions: Vec<ServerExtension> = Vec::new();
        // SSL 3.0 and some TLS 1.0 servers end the message after the compression method.
        if !body.is_empty() {
            let mut list = body.sub(LengthPrefix::U16, "ServerHello.extensions")?;
            while !list.is_empty() {
                let extension = ServerExtension::read(&mut list)?;
                if extensions.iter().any(|e| e.typ() == extension.typ()) {
                    return Err(DecodeError::InvalidValue {
                        what: "ServerHello extension (sent twice)",
                        value: extension.typ().0.into(),
                    });
                }
                extensions.push(extension);
            }
        }
        body.expect_empty("ServerHello")?;
        Ok(Self {
            legacy_version,
            random,
            session_id: session_id.to_vec(),
            cipher_suite,
            compression,
            extensions,
        })
    }
}

/// A TLS ≤ 1.2 Certificate message: DER certificates, leaf first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateMessage {
    /// DER certificates, leaf first.
    pub certificates: Vec<Vec<u8>>,
}

impl CertificateMessage {
    /// Checks every length against its prefix, so that `encode` cannot panic.
    pub fn check_lengths(&self) -> Result<(), EncodeError> {
        let mut total = 0;
        for der in &self.certificates {
            if der.is_empty() {
                return Err(EncodeError::Empty("Certificate.certificate"));
            }
            total += 3 + der.len();
        }
        EncodeError::check(
            "Certificate.certificate_list",
            total,
            MAX_HANDSHAKE_MESSAGE - 3,
        )
    }

    /// The handshake message, lengths checked.
    pub fn to_message(&self) -> Result<HandshakeMessage, EncodeError> {
        self.check_lengths()?;
        Ok(HandshakeMessage {
            typ: HandshakeType::CERTIFICATE,
            body: self.to_bytes()[4..].to_vec(),
        })
    }
}

impl Codec for CertificateMessage {
    /// # Panics
    ///
    /// If the chain does not fit its length prefixes; [`CertificateMessage::check_lengths`] says
    /// beforehand.
    fn encode(&self, out: &mut Vec<u8>) {
        HandshakeType::CERTIFICATE.encode(out);
        length_prefixed(out, LengthPrefix::U24, |out| {
            length_prefixed(out, LengthPrefix::U24, |out| {
                for der in &self.certificates {
                    length_prefixed(out, LengthPrefix::U24, |out| out.extend_from_slice(der));
                }
            });
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let message = HandshakeMessage::read(r)?;
        if message.typ != HandshakeType::CERTIFICATE {
            return Err(DecodeError::InvalidValue {
                what: "Certificate handshake type",
                value: message.typ.0.into(),
            });
        }
        let certificates = parse_certificate_list(&message.body)?;
        Ok(Self { certificates })
    }
}

/// A TLS ≤ 1.2 ServerKeyExchange for an ECDHE suite: named curve, the server's public point, and
/// the signature over them.
///
/// Not a [`Codec`]: whether a signature algorithm precedes the signature depends on the version
/// (TLS 1.2 has one, earlier versions do not), so reading needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EcdheServerKeyExchange {
    /// The curve.
    pub group: NamedGroup,
    /// The server's ephemeral public value (an uncompressed point, or an X25519/X448 key).
    pub public: Vec<u8>,
    /// The signature algorithm (TLS 1.2 only; `None` before).
    pub signature_scheme: Option<SignatureScheme>,
    /// The signature. Nobody verifies it in a probe, so dummy bytes of a plausible length do.
    pub signature: Vec<u8>,
}

impl EcdheServerKeyExchange {
    /// A ServerKeyExchange for `group` under `version`, with a real public point of the curve
    /// (see [`plausible_key_share`]) and a dummy signature of `signature_len` bytes by `scheme`
    /// (left out before TLS 1.2). `None` for a group this program has no point for.
    pub fn plausible(
        group: NamedGroup,
        version: ProtocolVersion,
        scheme: SignatureScheme,
        signature_len: usize,
    ) -> Option<Self> {
        let public = plausible_key_share(group)?.key_exchange;
        Some(Self {
            group,
            public,
            signature_scheme: (version >= ProtocolVersion::TLSV1_2).then_some(scheme),
            signature: filler(signature_len, u64::from(scheme.0)),
        })
    }

    /// Checks every length against its prefix, so that encoding cannot panic.
    pub fn check_lengths(&self) -> Result<(), EncodeError> {
        if self.public.is_empty() {
            return Err(EncodeError::Empty("ServerKeyExchange.public"));
        }
        EncodeError::check("ServerKeyExchange.public", self.public.len(), 0xff)?;
        EncodeError::check("ServerKeyExchange.signature", self.signature.len(), 0xffff)
    }

    /// The handshake message, lengths checked.
    pub fn to_message(&self) -> Result<HandshakeMessage, EncodeError> {
        self.check_lengths()?;
        let mut body = vec![NAMED_CURVE];
        self.group.encode(&mut body);
        length_prefixed(&mut body, LengthPrefix::U8, |out| {
            out.extend_from_slice(&self.public)
        });
        if let Some(scheme) = self.signature_scheme {
            scheme.encode(&mut body);
        }
        length_prefixed(&mut body, LengthPrefix::U16, |out| {
            out.extend_from_slice(&self.signature)
        });
        Ok(HandshakeMessage {
            typ: HandshakeType::SERVER_KEY_EXCHANGE,
            body,
        })
    }

    /// Reads the body of a `server_key_exchange` message sent under `version`.
    pub fn parse(body: &[u8], version: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let curve_type = r.u8("ServerKeyExchange.curve_type")?;
        if curve_type != NAMED_CURVE {
            return Err(DecodeError::InvalidValue {
                what: "ServerKeyExchange.curve_type (not named_curve)",
                value: curve_type.into(),
            });
        }
        let group = NamedGroup::read(&mut r)?;
        let public = r.sub(LengthPrefix::U8, "ServerKeyExchange.public")?.rest();
        if public.is_empty() {
            return Err(DecodeError::MissingData("ServerKeyExchange.public (empty)"));
        }
        let signature_scheme = if version >= ProtocolVersion::TLSV1_2 {
            Some(SignatureScheme::read(&mut r)?)
        } else {
            None
        };
        let signature = r
            .sub(LengthPrefix::U16, "ServerKeyExchange.signature")?
            .rest();
        r.expect_empty("ServerKeyExchange")?;
        Ok(Self {
            group,
            public: public.to_vec(),
            signature_scheme,
            signature: signature.to_vec(),
        })
    }
}

/// The ServerHelloDone message (empty).
pub fn server_hello_done() -> HandshakeMessage {
    HandshakeMessage {
        typ: HandshakeType::SERVER_HELLO_DONE,
        body: Vec::new(),
    }
}

/// Appends `messages` as handshake records of `version`: the messages back to back, split into
/// records of at most 16 KiB, as servers pack their first flight.
pub fn encode_handshake_flight(
    out: &mut Vec<u8>,
    version: ProtocolVersion,
    messages: &[HandshakeMessage],
) {
    let mut payload = Vec::new();
    for message in messages {
        message.encode(&mut payload);
    }
    encode_records(out, ContentType::HANDSHAKE, version, &payload);
}

impl Alert {
    /// A fatal alert: how a server refuses a hello (`handshake_failure`, `protocol_version`).
    pub fn fatal(description: AlertDescription) -> Self {
        Self {
            level: AlertLevel::FATAL,
            description,
        }
    }

    /// The alert as one record of `version`, ready for the socket.
    pub fn to_record(self, version: ProtocolVersion) -> Vec<u8> {
        let mut out = Vec::with_capacity(7);
        encode_records(&mut out, ContentType::ALERT, version, &self.to_bytes());
        out
    }
}

/// A server's TLS 1.3 key share for `group`, of the length and form a client expects: the
/// client's share format for (EC)DH groups (see [`plausible_key_share`]); for ML-KEM and the
/// hybrids, where the server sends a ciphertext instead of a key, ciphertext-sized filler (any
/// bytes are a syntactically valid ML-KEM ciphertext) next to a real EC point. `None` for a group
/// this program has no share for.
pub fn plausible_server_key_share(group: NamedGroup) -> Option<KeyShareEntry> {
    const MLKEM768_CIPHERTEXT: usize = 1088;
    const MLKEM1024_CIPHERTEXT: usize = 1568;
    const MLKEM512_CIPHERTEXT: usize = 768;
    let seed = u64::from(group.0);
    let point = |g: NamedGroup| plausible_key_share(g).map(|share| share.key_exchange);
    let key_exchange = match group {
        NamedGroup::MLKEM512 => filler(MLKEM512_CIPHERTEXT, seed),
        NamedGroup::MLKEM768 => filler(MLKEM768_CIPHERTEXT, seed),
        NamedGroup::MLKEM1024 => filler(MLKEM1024_CIPHERTEXT, seed),
        // draft-ietf-tls-ecdhe-mlkem: the ML-KEM part comes first only for X25519MLKEM768.
        NamedGroup::X25519MLKEM768 => [
            filler(MLKEM768_CIPHERTEXT, seed),
            point(NamedGroup::X25519)?,
        ]
        .concat(),
        NamedGroup::SECP256R1MLKEM768 => [
            point(NamedGroup::SECP256R1)?,
            filler(MLKEM768_CIPHERTEXT, seed),
        ]
        .concat(),
        NamedGroup::SECP384R1MLKEM1024 => [
            point(NamedGroup::SECP384R1)?,
            filler(MLKEM1024_CIPHERTEXT, seed),
        ]
        .concat(),
        NamedGroup::CURVESM2MLKEM768 => [
            point(NamedGroup::CURVESM2)?,
            filler(MLKEM768_CIPHERTEXT, seed),
        ]
        .concat(),
        _ => return plausible_key_share(group),
    };
    Some(KeyShareEntry {
        group,
        key_exchange,
    })
}

/// `len` bytes from a fixed xorshift64 stream: reproducible, random-looking, never secret.
fn filler(len: usize, seed: u64) -> Vec<u8> {
    let mut state = 0x7365_7276_6572_0000 ^ seed | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[cfg(test)]
#[path = "server_flight_tests.rs"]
mod tests;
