//! The server side of the hello exchange, part one: reading a ClientHello from the bytes a client
//! has sent so far, and asking it what it offers. A responder that answers probes as a configured
//! server would reads hellos with this; so does capturing what real clients send.
//!
//! Like the server-flight reader, it is stateless over its input, never panics, and never
//! allocates for a length field before checking it against a limit.

use super::client_hello::ClientHello;
use super::codec::{Codec, DecodeError, Reader};
use super::extension::{ClientExtension, ExtensionType, KeyShareEntry, SignatureScheme};
use super::record::{
    ContentType, HandshakeType, MAX_HANDSHAKE_MESSAGE, MAX_PLAINTEXT_FRAGMENT, Progress,
    describe_bytes,
};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// Why the bytes a client sent are not a ClientHello this codec can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientHelloError {
    /// The first bytes are not a TLS record: another protocol is talking (HTTP, SSH …).
    #[error("not TLS: the client sent {seen}")]
    NotTls {
        /// What was seen: the first line of text, or the first bytes in hex.
        seen: String,
    },
    /// An SSL 2.0-compatible CLIENT-HELLO (old clients sent these to reach SSL 2.0 servers).
    #[error("an SSL 2.0-compatible CLIENT-HELLO, which this codec does not read")]
    Sslv2Hello,
    /// A record header's version is not SSL 3.0 to TLS 1.3.
    #[error("record version {version} is not SSL 3.0 to TLS 1.3")]
    BadRecordVersion {
        /// The version in the record header.
        version: ProtocolVersion,
    },
    /// A record header announces more than a plaintext record may hold.
    #[error("record of {len} bytes is longer than a plaintext record may be ({limit})")]
    RecordTooLong {
        /// The announced length.
        len: usize,
        /// The largest accepted.
        limit: usize,
    },
    /// A handshake record with no content, which TLS forbids.
    #[error("empty handshake record")]
    EmptyRecord,
    /// A record that is not a handshake record came before the ClientHello was complete.
    #[error("expected a handshake record, got {0}")]
    UnexpectedContentType(ContentType),
    /// The first handshake message is not a ClientHello.
    #[error("expected ClientHello, got a {0} handshake message")]
    UnexpectedMessage(HandshakeType),
    /// The ClientHello is malformed.
    #[error("malformed ClientHello: {0}")]
    Decode(#[from] DecodeError),
}

/// Reads a ClientHello from the bytes received so far: `NeedMore` until the whole message has
/// arrived (it may span several records), then the hello. Give it everything received since the
/// connection opened; bytes after the hello are ignored.
///
/// Besides the wire format, it checks what RFC 8446 §4.1.2 requires of every hello: a session id
/// of at most 32 bytes, at least one suite and one compression method, no extension twice.
pub fn parse_client_hello(received: &[u8]) -> Result<Progress<ClientHello>, ClientHelloError> {
    let Some(&first) = received.first() else {
        return Ok(Progress::NeedMore);
    };
    if first != ContentType::HANDSHAKE.0 {
        return Err(not_a_handshake_record(received));
    }
    let mut r = Reader::new(received);
    let mut message: Vec<u8> = Vec::new();
    loop {
        if let Some(hello) = complete_message(&message)? {
            return Ok(Progress::Done(hello));
        }
        let Some(fragment) = next_fragment(&mut r)? else {
            return Ok(Progress::NeedMore);
        };
        message.extend_from_slice(fragment);
    }
}

/// The fragment of the next handshake record, `None` if it has not fully arrived.
fn next_fragment<'a>(r: &mut Reader<'a>) -> Result<Option<&'a [u8]>, ClientHelloError> {
    let mut peek = r.clone();
    let Ok(content_type) = peek.u8("record header") else {
        return Ok(None);
    };
    if ContentType(content_type) != ContentType::HANDSHAKE {
        return Err(ClientHelloError::UnexpectedContentType(ContentType(
            content_type,
        )));
    }
    let Ok(version) = peek.u16("record header") else {
        return Ok(None);
    };
    if !(0x0300..=0x0304).contains(&version) {
        return Err(ClientHelloError::BadRecordVersion {
            version: ProtocolVersion(version),
        });
    }
    let Ok(len) = peek.u16("record header") else {
        return Ok(None);
    };
    let len = usize::from(len);
    if len > MAX_PLAINTEXT_FRAGMENT {
        return Err(ClientHelloError::RecordTooLong {
            len,
            limit: MAX_PLAINTEXT_FRAGMENT,
        });
    }
    if len == 0 {
        return Err(ClientHelloError::EmptyRecord);
    }
    let Ok(fragment) = peek.take(len, "record") else {
        return Ok(None);
    };
    *r = peek;
    Ok(Some(fragment))
}

/// The ClientHello at the start of the reassembled handshake bytes, once complete.
fn complete_message(message: &[u8]) -> Result<Option<ClientHello>, ClientHelloError> {
    let mut r = Reader::new(message);
    let (Ok(typ), Ok(len)) = (r.u8("handshake type"), r.u24("handshake length")) else {
        return Ok(None);
    };
    if HandshakeType(typ) != HandshakeType::CLIENT_HELLO {
        return Err(ClientHelloError::UnexpectedMessage(HandshakeType(typ)));
    }
    // A u24 always fits in usize on the targets this crate supports (≥ 32 bits).
    let len = len as usize;
    if len > MAX_HANDSHAKE_MESSAGE {
        return Err(DecodeError::TooLarge {
            what: "ClientHello",
            len,
            limit: MAX_HANDSHAKE_MESSAGE,
        }
        .into());
    }
    if r.remaining() < len {
        return Ok(None);
    }
    let hello = ClientHello::read_exact(&message[..4 + len], "ClientHello")?;
    hello.check_rules()?;
    Ok(Some(hello))
}

/// Names what a client sent when its first byte is not a handshake record.
fn not_a_handshake_record(received: &[u8]) -> ClientHelloError {
    const SSLV2_CLIENT_HELLO: u8 = 1;
    let first = ContentType(received[0]);
    if first.name().is_some() {
        return ClientHelloError::UnexpectedContentType(first);
    }
    // SSL 2.0: a two-byte header with the top bit set, then the message type.
    if received[0] & 0x80 != 0 && received.get(2) == Some(&SSLV2_CLIENT_HELLO) {
        return ClientHelloError::Sslv2Hello;
    }
    ClientHelloError::NotTls {
        seen: describe_bytes(received),
    }
}

impl ClientHello {
    /// The rules of RFC 8446 §4.1.2 that the wire format alone does not enforce.
    fn check_rules(&self) -> Result<(), DecodeError> {
        if self.session_id.len() > 32 {
            return Err(DecodeError::TooLarge {
                what: "ClientHello.session_id",
                len: self.session_id.len(),
                limit: 32,
            });
        }
        if self.cipher_suites.is_empty() {
            return Err(DecodeError::MissingData(
                "ClientHello.cipher_suites (empty)",
            ));
        }
        if self.compression_methods.is_empty() {
            return Err(DecodeError::MissingData(
                "ClientHello.compression_methods (empty)",
            ));
        }
        for (i, extension) in self.extensions.iter().enumerate() {
            let typ = extension.typ();
            if self.extensions[..i].iter().any(|e| e.typ() == typ) {
                return Err(DecodeError::InvalidValue {
                    what: "ClientHello extension (sent twice)",
                    value: typ.0.into(),
                });
            }
        }
        Ok(())
    }

    /// The extension of type `typ`, if the client sent one.
    pub fn extension(&self, typ: ExtensionType) -> Option<&ClientExtension> {
        self.extensions.iter().find(|e| e.typ() == typ)
    }

    /// The `supported_versions` list as sent (GREASE values included), if the client sent one.
    pub fn supported_versions(&self) -> Option<&[ProtocolVersion]> {
        match self.extension(ExtensionType::SUPPORTED_VERSIONS)? {
            ClientExtension::SupportedVersions(versions) => Some(versions),
            _ => None,
        }
    }

    /// The versions the client is willing to speak, as a server must read them: the
    /// `supported_versions` list when present (RFC 8446 §4.2.1), else every known version from
    /// SSL 3.0 up to `client_version` (capped at TLS 1.2, which is as far as legacy negotiation
    /// goes). Oldest first; values without a name are left out.
    pub fn offered_versions(&self) -> Vec<ProtocolVersion> {
        let mut versions: Vec<ProtocolVersion> = match self.supported_versions() {
            Some(list) => list.iter().copied().filter(|v| v.is_known()).collect(),
            None => {
                let ceiling = self.client_version.min(ProtocolVersion::TLSV1_2);
                ProtocolVersion::ALL
                    .into_iter()
                    .filter(|v| (ProtocolVersion::SSLV3..=ceiling).contains(v))
                    .collect()
            }
        };
        versions.sort();
        versions.dedup();
        versions
    }

    /// Whether `suite` is in the client's list.
    pub fn offers_suite(&self, suite: CipherSuite) -> bool {
        self.cipher_suites.contains(&suite)
    }

    /// `supported_groups`, if sent (absent is not the same as empty: RFC 8422 lets a TLS ≤ 1.2
    /// server pick any curve then).
    pub fn supported_groups(&self) -> Option<&[NamedGroup]> {
        match self.extension(ExtensionType::SUPPORTED_GROUPS)? {
            ClientExtension::SupportedGroups(groups) => Some(groups),
            _ => None,
        }
    }

    /// The `key_share` entries, if the extension was sent (possibly empty, to ask for a
    /// HelloRetryRequest).
    pub fn key_shares(&self) -> Option<&[KeyShareEntry]> {
        match self.extension(ExtensionType::KEY_SHARE)? {
            ClientExtension::KeyShare(entries) => Some(entries),
            _ => None,
        }
    }

    /// The groups the client sent a key share for, in its order.
    pub fn key_share_groups(&self) -> Vec<NamedGroup> {
        self.key_shares()
            .unwrap_or_default()
            .iter()
            .map(|entry| entry.group)
            .collect()
    }

    /// The host name sent in `server_name` (SNI), if any.
    pub fn server_name(&self) -> Option<&str> {
        match self.extension(ExtensionType::SERVER_NAME)? {
            ClientExtension::ServerName(name) => Some(name),
            _ => None,
        }
    }

    /// `signature_algorithms`, if sent.
    pub fn signature_algorithms(&self) -> Option<&[SignatureScheme]> {
        match self.extension(ExtensionType::SIGNATURE_ALGORITHMS)? {
            ClientExtension::SignatureAlgorithms(schemes) => Some(schemes),
            _ => None,
        }
    }

    /// The ALPN protocol names offered (`h2`, `http/1.1`), if the extension was sent.
    pub fn alpn_protocols(&self) -> Option<&[Vec<u8>]> {
        match self.extension(ExtensionType::ALPN)? {
            ClientExtension::Alpn(protocols) => Some(protocols),
            _ => None,
        }
    }

    /// `ec_point_formats`, if sent.
    pub fn ec_point_formats(&self) -> Option<&[u8]> {
        match self.extension(ExtensionType::EC_POINT_FORMATS)? {
            ClientExtension::EcPointFormats(formats) => Some(formats),
            _ => None,
        }
    }

    /// Whether the client signals secure renegotiation (RFC 5746): the SCSV or an empty
    /// `renegotiation_info`.
    pub fn offers_secure_renegotiation(&self) -> bool {
        self.offers_suite(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
            || self.extension(ExtensionType::RENEGOTIATION_INFO).is_some()
    }

    /// Whether the client asks for the extended master secret (RFC 7627).
    pub fn offers_extended_master_secret(&self) -> bool {
        self.extension(ExtensionType::EXTENDED_MASTER_SECRET)
            .is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::wire::ClientHelloSpec;
    use crate::probe::wire::codec::{LengthPrefix, length_prefixed};
    use crate::probe::wire::record::encode_records;

    fn spec(version: ProtocolVersion) -> ClientHelloSpec {
        let mut spec = ClientHelloSpec::new(version, [0x24; 32]);
        spec.cipher_suites = vec![
            CipherSuite::TLS_AES_256_GCM_SHA384,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
            CipherSuite(0x0a0a),
        ];
        spec.server_name = Some("listener.elb.test".into());
        spec.alpn = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        spec
    }

    fn parse_done(records: &[u8]) -> ClientHello {
        match parse_client_hello(records) {
            Ok(Progress::Done(hello)) => hello,
            other => panic!("expected a complete ClientHello, got {other:?}"),
        }
    }

    #[test]
    fn reads_back_what_the_prober_builds() {
        for version in [
            ProtocolVersion::SSLV3,
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_2,
            ProtocolVersion::TLSV1_3,
        ] {
            let spec = spec(version);
            let hello = parse_done(&spec.build().unwrap());
            let mut built = spec.client_hello().unwrap();
            // `build` pads hellos out of the F5 range; the padding is all that may differ.
            if let Some(ClientExtension::Padding(n)) = hello.extensions.last()
                && built.extensions.last().map(ClientExtension::typ) != Some(ExtensionType::PADDING)
            {
                built.extensions.push(ClientExtension::Padding(*n));
            }
            assert_eq!(hello, built, "{version}");
        }
    }

    #[test]
    fn answers_what_a_tls13_hello_offers() {
        let mut spec = spec(ProtocolVersion::TLSV1_3);
        spec.supported_groups = vec![NamedGroup::X25519MLKEM768, NamedGroup::SECP384R1];
        spec.key_shares = Some(vec![NamedGroup::X25519MLKEM768]);
        let hello = parse_done(&spec.build().unwrap());
        assert_eq!(hello.offered_versions(), [ProtocolVersion::TLSV1_3]);
        assert_eq!(
            hello.supported_versions(),
            Some(&[ProtocolVersion::TLSV1_3][..])
        );
        assert_eq!(
            hello.supported_groups(),
            Some(&[NamedGroup::X25519MLKEM768, NamedGroup::SECP384R1][..])
        );
        assert_eq!(hello.key_share_groups(), [NamedGroup::X25519MLKEM768]);
        assert_eq!(hello.key_shares().unwrap()[0].key_exchange.len(), 1216);
        assert_eq!(hello.server_name(), Some("listener.elb.test"));
        assert_eq!(hello.signature_algorithms(), Some(SignatureScheme::BROAD));
        assert_eq!(
            hello.alpn_protocols(),
            Some(&[b"h2".to_vec(), b"http/1.1".to_vec()][..])
        );
        assert!(hello.offers_suite(CipherSuite::TLS_AES_256_GCM_SHA384));
        assert!(!hello.offers_secure_renegotiation());
        assert!(hello.offers_extended_master_secret());
    }

    #[test]
    fn legacy_hellos_offer_every_version_up_to_theirs() {
        let tls11 = parse_done(&spec(ProtocolVersion::TLSV1_1).build().unwrap());
        assert_eq!(
            tls11.offered_versions(),
            [
                ProtocolVersion::SSLV3,
                ProtocolVersion::TLSV1_0,
                ProtocolVersion::TLSV1_1
            ]
        );
        assert_eq!(tls11.supported_versions(), None);
        assert!(tls11.offers_secure_renegotiation());
        let sslv3 = parse_done(
            &ClientHelloSpec {
                cipher_suites: vec![CipherSuite::TLS_RSA_WITH_RC4_128_SHA],
                ..ClientHelloSpec::new(ProtocolVersion::SSLV3, [1; 32])
            }
            .build()
            .unwrap(),
        );
        assert!(sslv3.extensions.is_empty());
        assert_eq!(sslv3.offered_versions(), [ProtocolVersion::SSLV3]);
        assert_eq!(sslv3.supported_groups(), None);
        assert_eq!(sslv3.server_name(), None);
        assert_eq!(sslv3.key_shares(), None);
        assert!(sslv3.key_share_groups().is_empty());
    }

    #[test]
    fn reassembles_a_hello_split_across_records() {
        let spec = spec(ProtocolVersion::TLSV1_3);
        let message = spec.client_hello().unwrap().to_bytes();
        let mut records = Vec::new();
        for piece in message.chunks(7) {
            encode_records(
                &mut records,
                ContentType::HANDSHAKE,
                ProtocolVersion::TLSV1_0,
                piece,
            );
        }
        assert_eq!(parse_done(&records), spec.client_hello().unwrap());
    }

    #[test]
    fn every_prefix_of_a_hello_is_incomplete_never_an_error() {
        let records = spec(ProtocolVersion::TLSV1_3).build().unwrap();
        for cut in 0..records.len() {
            assert_eq!(
                parse_client_hello(&records[..cut]),
                Ok(Progress::NeedMore),
                "cut at {cut}"
            );
        }
        // What follows a complete hello does not matter.
        let mut longer = records.clone();
        longer.extend_from_slice(&[21, 3, 3, 0, 2, 1, 0]);
        assert_eq!(parse_client_hello(&longer), parse_client_hello(&records));
    }

    /// The records of one handshake message of type `typ` with `body`.
    fn records_of(typ: HandshakeType, body: &[u8]) -> Vec<u8> {
        let mut message = Vec::new();
        typ.encode(&mut message);
        length_prefixed(&mut message, LengthPrefix::U24, |out| {
            out.extend_from_slice(body)
        });
        let mut records = Vec::new();
        encode_records(
            &mut records,
            ContentType::HANDSHAKE,
            ProtocolVersion::TLSV1_0,
            &message,
        );
        records
    }

    #[test]
    fn rejects_every_truncation_of_the_hello_body() {
        for version in [ProtocolVersion::SSLV3, ProtocolVersion::TLSV1_3] {
            let hello = spec(version).client_hello().unwrap();
            let message = hello.to_bytes();
            let body = &message[4..];
            // Cut just before the extensions block, the body is a valid hello without extensions.
            let without_extensions = ClientHello {
                extensions: Vec::new(),
                ..hello.clone()
            };
            let valid_cut = without_extensions.to_bytes().len() - 4;
            // Each cut body is sent as a complete message with consistent outer lengths.
            for cut in 0..body.len() {
                let records = records_of(HandshakeType::CLIENT_HELLO, &body[..cut]);
                let parsed = parse_client_hello(&records);
                if cut == valid_cut {
                    assert_eq!(parsed, Ok(Progress::Done(without_extensions.clone())));
                    continue;
                }
                assert!(
                    matches!(parsed, Err(ClientHelloError::Decode(_))),
                    "{version}: body cut at {cut} of {} was accepted",
                    body.len()
                );
            }
        }
    }

    #[test]
    fn enforces_the_rules_the_wire_format_does_not() {
        let base = spec(ProtocolVersion::TLSV1_2).client_hello().unwrap();
        let mut twice = base.clone();
        twice.extensions.push(ClientExtension::ExtendedMasterSecret);
        let mut long_session = base.clone();
        long_session.session_id = vec![1; 33];
        let mut no_compression = base;
        no_compression.compression_methods.clear();
        for (hello, what) in [
            (twice, "duplicate extension"),
            (long_session, "33-byte session id"),
            (no_compression, "no compression method"),
        ] {
            let records = records_of(HandshakeType::CLIENT_HELLO, &hello.to_bytes()[4..]);
            assert!(
                matches!(
                    parse_client_hello(&records),
                    Err(ClientHelloError::Decode(_))
                ),
                "{what} was accepted"
            );
        }
    }

    #[test]
    fn names_what_is_not_a_client_hello() {
        assert_eq!(parse_client_hello(&[]), Ok(Progress::NeedMore));
        let http = parse_client_hello(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap_err();
        assert!(http.to_string().contains("\"GET / HTTP/1.1\""), "{http}");
        // An SSL 2.0-compatible CLIENT-HELLO: length, type 1, version 3.1.
        assert_eq!(
            parse_client_hello(&[0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15]),
            Err(ClientHelloError::Sslv2Hello)
        );
        assert_eq!(
            parse_client_hello(&[21, 3, 1, 0, 2, 2, 40]),
            Err(ClientHelloError::UnexpectedContentType(ContentType::ALERT))
        );
        assert_eq!(
            parse_client_hello(&records_of(HandshakeType::SERVER_HELLO, &[0; 40])),
            Err(ClientHelloError::UnexpectedMessage(
                HandshakeType::SERVER_HELLO
            ))
        );
        assert_eq!(
            parse_client_hello(&[22, 0x7f, 0x12, 0, 1]),
            Err(ClientHelloError::BadRecordVersion {
                version: ProtocolVersion(0x7f12)
            })
        );
        assert_eq!(
            parse_client_hello(&[22, 3, 1, 0x40, 0x01]),
            Err(ClientHelloError::RecordTooLong {
                len: 0x4001,
                limit: MAX_PLAINTEXT_FRAGMENT
            })
        );
        assert_eq!(
            parse_client_hello(&[22, 3, 1, 0, 0]),
            Err(ClientHelloError::EmptyRecord)
        );
        // A handshake record, then an alert before the hello is complete.
        assert_eq!(
            parse_client_hello(&[22, 3, 1, 0, 2, 1, 0, 21, 3, 1, 0, 2, 2, 40]),
            Err(ClientHelloError::UnexpectedContentType(ContentType::ALERT))
        );
    }

    #[test]
    fn refuses_a_huge_hello_before_allocating() {
        assert_eq!(
            parse_client_hello(&[22, 3, 1, 0, 4, 1, 0xff, 0xff, 0xff]),
            Err(ClientHelloError::Decode(DecodeError::TooLarge {
                what: "ClientHello",
                len: 0xff_ffff,
                limit: MAX_HANDSHAKE_MESSAGE,
            }))
        );
    }

    #[test]
    fn survives_mutated_hellos() {
        // xorshift64: fixed seed, so a failure reproduces.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let seeds = [
            spec(ProtocolVersion::TLSV1_3).build().unwrap(),
            spec(ProtocolVersion::TLSV1_2).build().unwrap(),
        ];
        for round in 0..4000 {
            let mut input = seeds[round % 2].clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() as usize) % input.len();
                match next() % 3 {
                    0 => input[at] ^= 1 << (next() % 8),
                    1 => input[at] = next().to_le_bytes()[0],
                    _ => input.truncate(at.max(1)),
                }
            }
            // Whatever it answers, it answers without panicking; a hello it accepts re-encodes.
            if let Ok(Progress::Done(hello)) = parse_client_hello(&input)
                && hello.check_lengths().is_ok()
            {
                let _ = hello.to_bytes();
            }
        }
    }
}
