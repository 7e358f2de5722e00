//! ClientHellos for probing: any cipher-suite code point, any group, any version, with the
//! extensions real clients send so that servers answer as they would answer a browser.

use super::codec::{
    Codec, DecodeError, EncodeError, LengthPrefix, Reader, encode_list, length_prefixed, read_list,
};
use super::extension::{ClientExtension, SignatureScheme};
use super::key_share::plausible_key_share;
use super::record::{ContentType, HandshakeType, MAX_HANDSHAKE_MESSAGE, encode_records};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// A ClientHello handshake message, field by field. [`ClientHelloSpec`] builds one; `read`
/// parses one back (tests, and checking what a probe really sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// `legacy_version`: the highest version offered (0x0303 when `supported_versions` is sent).
    pub client_version: ProtocolVersion,
    /// The client random.
    pub random: [u8; 32],
    /// `legacy_session_id` (0 to 32 bytes).
    pub session_id: Vec<u8>,
    /// The offered suites, in preference order, signalling values included.
    pub cipher_suites: Vec<CipherSuite>,
    /// Compression methods (0 = null).
    pub compression_methods: Vec<u8>,
    /// Extensions in wire order. When empty, the extensions block is left out entirely, as
    /// SSL 3.0 clients did.
    pub extensions: Vec<ClientExtension>,
}

impl ClientHello {
    /// Checks every length against its prefix, so that `encode` cannot panic.
    pub fn check_lengths(&self) -> Result<(), EncodeError> {
        EncodeError::check("session_id", self.session_id.len(), 32)?;
        EncodeError::check("cipher_suites", 2 * self.cipher_suites.len(), 0xfffe)?;
        EncodeError::check("compression_methods", self.compression_methods.len(), 0xff)?;
        let mut total = 0;
        for extension in &self.extensions {
            extension.check_lengths()?;
            total += extension.to_bytes().len();
        }
        EncodeError::check("extensions", total, 0xffff)
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        self.client_version.encode(out);
        out.extend_from_slice(&self.random);
        encode_list(out, LengthPrefix::U8, &self.session_id);
        encode_list(out, LengthPrefix::U16, &self.cipher_suites);
        encode_list(out, LengthPrefix::U8, &self.compression_methods);
        if !self.extensions.is_empty() {
            encode_list(out, LengthPrefix::U16, &self.extensions);
        }
    }
}

impl Codec for ClientHello {
    /// Writes the whole handshake message (type, 24-bit length, body).
    ///
    /// # Panics
    ///
    /// If a field does not fit its length prefix; [`ClientHello::check_lengths`] says beforehand.
    fn encode(&self, out: &mut Vec<u8>) {
        HandshakeType::CLIENT_HELLO.encode(out);
        length_prefixed(out, LengthPrefix::U24, |out| self.encode_body(out));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let typ = r.u8("ClientHello handshake type")?;
        if HandshakeType(typ) != HandshakeType::CLIENT_HELLO {
            return Err(DecodeError::InvalidValue {
                what: "ClientHello handshake type",
                value: typ.into(),
            });
        }
        let mut body = r.sub(LengthPrefix::U24, "ClientHello")?;
        let client_version = ProtocolVersion::read(&mut body)?;
        let random = body.array("ClientHello.random")?;
        let session_id = body
            .sub(LengthPrefix::U8, "ClientHello.session_id")?
            .rest()
            .to_vec();
        let cipher_suites = read_list(&mut body, LengthPrefix::U16, "ClientHello.cipher_suites")?;
        let compression_methods = read_list(
            &mut body,
            LengthPrefix::U8,
            "ClientHello.compression_methods",
        )?;
        let mut extensions = Vec::new();
        if !body.is_empty() {
            let mut list = body.sub(LengthPrefix::U16, "ClientHello.extensions")?;
            while !list.is_empty() {
                extensions.push(ClientExtension::read(&mut list)?);
            }
        }
        body.expect_empty("ClientHello")?;
        Ok(Self {
            client_version,
            random,
            session_id,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }
}

/// Groups a TLS 1.0–1.2 probe offers: the classical curves servers pick from, widest first in
/// support, then brainpool and the FFDHE groups.
const CLASSICAL_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
    NamedGroup::X448,
    NamedGroup::BRAINPOOLP256R1,
    NamedGroup::BRAINPOOLP384R1,
    NamedGroup::BRAINPOOLP512R1,
    NamedGroup::SECP256K1,
    NamedGroup::SECP224R1,
    NamedGroup::SECP192R1,
    NamedGroup::FFDHE2048,
    NamedGroup::FFDHE3072,
    NamedGroup::FFDHE4096,
    NamedGroup::FFDHE6144,
    NamedGroup::FFDHE8192,
];

/// Groups a TLS 1.3 probe offers: the post-quantum hybrids first, then the classical groups
/// TLS 1.3 allows.
const TLS13_GROUPS: &[NamedGroup] = &[
    NamedGroup::X25519MLKEM768,
    NamedGroup::SECP256R1MLKEM768,
    NamedGroup::SECP384R1MLKEM1024,
    NamedGroup::X25519,
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::SECP521R1,
    NamedGroup::X448,
    NamedGroup::BRAINPOOLP256R1TLS13,
    NamedGroup::BRAINPOOLP384R1TLS13,
    NamedGroup::BRAINPOOLP512R1TLS13,
    NamedGroup::FFDHE2048,
    NamedGroup::FFDHE3072,
    NamedGroup::FFDHE4096,
    NamedGroup::FFDHE6144,
    NamedGroup::FFDHE8192,
];

/// `psk_dhe_ke`: resumption with a fresh (EC)DHE exchange.
const PSK_DHE_KE: u8 = 1;

/// What a probe's ClientHello offers. Start from [`ClientHelloSpec::new`], set `cipher_suites`
/// (and whatever else the probe varies), then [`build`](Self::build) the records to send.
///
/// List fields that are empty leave their extension out; `bool` fields switch theirs on or off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHelloSpec {
    /// The version in the record headers (0x0301 is what servers of every age accept).
    pub record_version: ProtocolVersion,
    /// `legacy_version` / `client_version` of the hello.
    pub client_version: ProtocolVersion,
    /// The client random, supplied by the caller so probes are reproducible.
    pub random: [u8; 32],
    /// `legacy_session_id`.
    pub session_id: Vec<u8>,
    /// Suites to offer, in order: any code point, known to the registry or not.
    pub cipher_suites: Vec<CipherSuite>,
    /// Append `TLS_EMPTY_RENEGOTIATION_INFO_SCSV` to the suites (RFC 5746).
    pub renegotiation_scsv: bool,
    /// Compression methods; `[0]` (null) unless probing for CRIME.
    pub compression_methods: Vec<u8>,
    /// `server_name` (SNI), if any.
    pub server_name: Option<String>,
    /// `supported_groups`.
    pub supported_groups: Vec<NamedGroup>,
    /// `ec_point_formats`.
    pub ec_point_formats: Vec<u8>,
    /// `signature_algorithms`.
    pub signature_algorithms: Vec<SignatureScheme>,
    /// `supported_versions`; set for TLS 1.3 probes.
    pub supported_versions: Vec<ProtocolVersion>,
    /// `key_share`: `None` leaves it out; `Some(groups)` sends a plausible share for each group;
    /// `Some(vec![])` sends an empty list, so a TLS 1.3 server must answer with a
    /// HelloRetryRequest naming the group it prefers among `supported_groups`.
    pub key_shares: Option<Vec<NamedGroup>>,
    /// `psk_key_exchange_modes` (TLS 1.3 servers expect it).
    pub psk_key_exchange_modes: Vec<u8>,
    /// An empty `renegotiation_info` extension (the alternative to the SCSV).
    pub renegotiation_info: bool,
    /// `extended_master_secret`.
    pub extended_master_secret: bool,
    /// An empty `session_ticket` (asks for a ticket, like browsers).
    pub session_ticket: bool,
    /// `status_request` for OCSP stapling.
    pub status_request: bool,
    /// ALPN protocol names (`h2`, `http/1.1`), if any.
    pub alpn: Vec<Vec<u8>>,
    /// `encrypt_then_mac`.
    pub encrypt_then_mac: bool,
    /// Pad the hello out of the 256–511 byte range that hangs some F5 load balancers (RFC 7685).
    pub padding: bool,
    /// Anything else, appended as given (before padding).
    pub extra_extensions: Vec<ClientExtension>,
}

impl ClientHelloSpec {
    /// A hello offering `max_version` and below, with the extensions real clients of that version
    /// send, and no cipher suites yet.
    ///
    /// - SSL 3.0: no extensions at all (SSL 3.0 servers may choke on them), the renegotiation SCSV.
    /// - TLS 1.0–1.2: the classical groups, point formats, renegotiation SCSV, extended master
    ///   secret, session ticket, OCSP, encrypt-then-MAC, padding; signature algorithms from
    ///   TLS 1.2 on.
    /// - TLS 1.3 (or a draft or unknown version above it): `supported_versions` with just that
    ///   version, the TLS 1.3 groups (post-quantum hybrids first), an X25519 key share, PSK
    ///   modes, and a 32-byte session id for middlebox compatibility, derived from `random`.
    pub fn new(max_version: ProtocolVersion, random: [u8; 32]) -> Self {
        let mut spec = Self {
            record_version: ProtocolVersion::TLSV1_0,
            client_version: max_version,
            random,
            session_id: Vec::new(),
            cipher_suites: Vec::new(),
            renegotiation_scsv: true,
            compression_methods: vec![0],
            server_name: None,
            supported_groups: CLASSICAL_GROUPS.to_vec(),
            ec_point_formats: vec![0],
            signature_algorithms: Vec::new(),
            supported_versions: Vec::new(),
            key_shares: None,
            psk_key_exchange_modes: Vec::new(),
            renegotiation_info: false,
            extended_master_secret: true,
            session_ticket: true,
            status_request: true,
            alpn: Vec::new(),
            encrypt_then_mac: true,
            padding: true,
            extra_extensions: Vec::new(),
        };
        if max_version <= ProtocolVersion::SSLV3 {
            spec.record_version = max_version;
            spec.supported_groups.clear();
            spec.ec_point_formats.clear();
            spec.extended_master_secret = false;
            spec.session_ticket = false;
            spec.status_request = false;
            spec.encrypt_then_mac = false;
            spec.padding = false;
        } else if max_version == ProtocolVersion::TLSV1_2 {
            spec.signature_algorithms = SignatureScheme::BROAD.to_vec();
        } else if max_version > ProtocolVersion::TLSV1_2 {
            spec.client_version = ProtocolVersion::TLSV1_2;
            spec.supported_versions = vec![max_version];
            spec.supported_groups = TLS13_GROUPS.to_vec();
            spec.signature_algorithms = SignatureScheme::BROAD.to_vec();
            spec.key_shares = Some(vec![NamedGroup::X25519]);
            spec.psk_key_exchange_modes = vec![PSK_DHE_KE];
            spec.renegotiation_scsv = false;
            spec.session_id = random.iter().rev().map(|b| b ^ 0x5c).collect();
        }
        spec
    }

    /// The ClientHello message this spec describes, without padding.
    pub fn client_hello(&self) -> Result<ClientHello, EncodeError> {
        let mut cipher_suites = self.cipher_suites.clone();
        if self.renegotiation_scsv {
            cipher_suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
        }
        if cipher_suites.is_empty() {
            return Err(EncodeError::Empty("cipher_suites"));
        }
        if self.compression_methods.is_empty() {
            return Err(EncodeError::Empty("compression_methods"));
        }
        let mut extensions = Vec::new();
        let mut push_if = |on: bool, extension: ClientExtension| {
            if on {
                extensions.push(extension);
            }
        };
        if let Some(name) = &self.server_name {
            push_if(true, ClientExtension::ServerName(name.clone()));
        }
        push_if(
            !self.supported_groups.is_empty(),
            ClientExtension::SupportedGroups(self.supported_groups.clone()),
        );
        push_if(
            !self.ec_point_formats.is_empty(),
            ClientExtension::EcPointFormats(self.ec_point_formats.clone()),
        );
        push_if(
            !self.signature_algorithms.is_empty(),
            ClientExtension::SignatureAlgorithms(self.signature_algorithms.clone()),
        );
        push_if(self.status_request, ClientExtension::StatusRequest);
        push_if(
            !self.alpn.is_empty(),
            ClientExtension::Alpn(self.alpn.clone()),
        );
        push_if(self.encrypt_then_mac, ClientExtension::EncryptThenMac);
        push_if(
            self.extended_master_secret,
            ClientExtension::ExtendedMasterSecret,
        );
        push_if(
            self.session_ticket,
            ClientExtension::SessionTicket(Vec::new()),
        );
        push_if(
            self.renegotiation_info,
            ClientExtension::RenegotiationInfo(Vec::new()),
        );
        push_if(
            !self.supported_versions.is_empty(),
            ClientExtension::SupportedVersions(self.supported_versions.clone()),
        );
        push_if(
            !self.psk_key_exchange_modes.is_empty(),
            ClientExtension::PskKeyExchangeModes(self.psk_key_exchange_modes.clone()),
        );
        if let Some(groups) = &self.key_shares {
            let entries = groups
                .iter()
                .map(|&group| plausible_key_share(group).ok_or(EncodeError::NoKeyShare(group)))
                .collect::<Result<_, _>>()?;
            extensions.push(ClientExtension::KeyShare(entries));
        }
        extensions.extend(self.extra_extensions.iter().cloned());
        let hello = ClientHello {
            client_version: self.client_version,
            random: self.random,
            session_id: self.session_id.clone(),
            cipher_suites,
            compression_methods: self.compression_methods.clone(),
            extensions,
        };
        hello.check_lengths()?;
        Ok(hello)
    }

    /// The records to send: the ClientHello handshake message, padded when asked, split into
    /// records of at most 16 KiB when it is longer (large post-quantum key shares, long suite
    /// lists).
    pub fn build(&self) -> Result<Vec<u8>, EncodeError> {
        let mut hello = self.client_hello()?;
        let mut message = hello.to_bytes();
        if self.padding
            && !hello.extensions.is_empty()
            && let Some(padding) = padding_for(message.len())
        {
            hello.extensions.push(ClientExtension::Padding(padding));
            hello.check_lengths()?;
            message = hello.to_bytes();
        }
        EncodeError::check("ClientHello", message.len() - 4, MAX_HANDSHAKE_MESSAGE)?;
        let mut records = Vec::with_capacity(message.len() + 5);
        encode_records(
            &mut records,
            ContentType::HANDSHAKE,
            self.record_version,
            &message,
        );
        Ok(records)
    }
}

/// The padding extension body that moves a handshake message of `len` bytes (header included)
/// out of 256–511 bytes, where some F5 BIG-IP versions hang (the rule of BoringSSL and
/// RFC 7685 §4); `None` when no padding is needed.
fn padding_for(len: usize) -> Option<usize> {
    if !(0x100..0x200).contains(&len) {
        return None;
    }
    // The extension's own 4-byte header counts; at least one byte of body keeps it non-empty.
    Some((0x200 - len).saturating_sub(4).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::wire::extension::ExtensionType;

    fn spec(version: ProtocolVersion) -> ClientHelloSpec {
        let mut spec = ClientHelloSpec::new(version, [0x42; 32]);
        spec.cipher_suites = vec![
            CipherSuite::TLS_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite(0x0a0a),
        ];
        spec
    }

    fn hello_from_records(records: &[u8]) -> ClientHello {
        let mut r = Reader::new(records);
        let mut message = Vec::new();
        while !r.is_empty() {
            assert_eq!(r.u8("type").unwrap(), 22);
            r.u16("version").unwrap();
            message.extend_from_slice(r.sub(LengthPrefix::U16, "fragment").unwrap().rest());
        }
        ClientHello::read_exact(&message, "ClientHello").unwrap()
    }

    #[test]
    fn round_trips_client_hello() {
        for version in [
            ProtocolVersion::SSLV3,
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_2,
            ProtocolVersion::TLSV1_3,
        ] {
            let mut spec = spec(version);
            spec.server_name = Some("elb.example".into());
            spec.alpn = vec![b"h2".to_vec()];
            let records = spec.build().unwrap();
            let hello = hello_from_records(&records);
            let unpadded = spec.client_hello().unwrap();
            assert_eq!(hello.cipher_suites, unpadded.cipher_suites);
            assert_eq!(
                hello.extensions[..unpadded.extensions.len()],
                unpadded.extensions
            );
            assert_eq!(hello.random, [0x42; 32]);
            assert_eq!(
                ClientHello::read_exact(&hello.to_bytes(), "hello"),
                Ok(hello)
            );
        }
    }

    #[test]
    fn sslv3_hello_has_no_extensions_block() {
        let records = spec(ProtocolVersion::SSLV3).build().unwrap();
        assert_eq!(records[1..3], [3, 0]);
        let hello = hello_from_records(&records);
        assert!(hello.extensions.is_empty());
        assert_eq!(hello.cipher_suites.last(), Some(&CipherSuite(0x00ff)));
        // Header 4, version 2, random 32, session id 1, suites 2 + 8, compression 2: no more.
        assert_eq!(records.len(), 5 + 4 + 2 + 32 + 1 + 10 + 2);
    }

    #[test]
    fn tls13_probe_offers_supported_versions_and_a_key_share() {
        let hello = spec(ProtocolVersion::TLSV1_3).client_hello().unwrap();
        assert_eq!(hello.client_version, ProtocolVersion::TLSV1_2);
        assert_eq!(hello.session_id.len(), 32);
        assert!(
            hello
                .extensions
                .contains(&ClientExtension::SupportedVersions(vec![
                    ProtocolVersion::TLSV1_3
                ]))
        );
        let shares = hello.extensions.iter().find_map(|e| match e {
            ClientExtension::KeyShare(entries) => Some(entries),
            _ => None,
        });
        assert_eq!(shares.unwrap()[0].key_exchange.len(), 32);
    }

    #[test]
    fn hello_retry_probe_sends_an_empty_key_share_list() {
        let mut spec = spec(ProtocolVersion::TLSV1_3);
        spec.key_shares = Some(vec![]);
        let hello = spec.client_hello().unwrap();
        assert!(
            hello
                .extensions
                .contains(&ClientExtension::KeyShare(vec![]))
        );
        let bytes = ClientExtension::KeyShare(vec![]).to_bytes();
        assert_eq!(bytes, [0, 0x33, 0, 2, 0, 0]);
    }

    #[test]
    fn pads_hellos_out_of_the_f5_range() {
        for extra in 0..400 {
            let mut spec = spec(ProtocolVersion::TLSV1_2);
            spec.cipher_suites = (0..extra).map(CipherSuite).collect();
            spec.cipher_suites.push(CipherSuite(0xc02f));
            let records = spec.build().unwrap();
            let message_len = records.len() - 5;
            assert!(
                !(0x100..0x200).contains(&message_len),
                "{extra} suites: hello of {message_len} bytes"
            );
            let hello = hello_from_records(&records);
            let padded = hello.extensions.last().unwrap().typ() == ExtensionType::PADDING;
            let unpadded_len = spec.client_hello().unwrap().to_bytes().len();
            assert_eq!(padded, (0x100..0x200).contains(&unpadded_len));
        }
    }

    #[test]
    fn post_quantum_key_share_fits_one_record() {
        let mut spec = spec(ProtocolVersion::TLSV1_3);
        spec.key_shares = Some(vec![NamedGroup::X25519MLKEM768, NamedGroup::X25519]);
        let records = spec.build().unwrap();
        assert_eq!(
            usize::from(u16::from_be_bytes([records[3], records[4]])),
            records.len() - 5
        );
        assert!(records.len() > 1216 + 32);
    }

    #[test]
    fn splits_a_hello_longer_than_16_kib_into_records() {
        let mut spec = spec(ProtocolVersion::TLSV1_2);
        // Every code point from 0x0000 to 0x2fff: a 24 KiB suite list.
        spec.cipher_suites = (0..0x3000).map(CipherSuite).collect();
        let records = spec.build().unwrap();
        assert_eq!(records[3..5], [0x40, 0x00]);
        let hello = hello_from_records(&records);
        assert_eq!(hello.cipher_suites.len(), 0x3000 + 1);
    }

    #[test]
    fn refuses_offers_that_do_not_fit_the_wire_format() {
        let mut too_many = spec(ProtocolVersion::TLSV1_2);
        too_many.cipher_suites = (0..=0x7fff).map(CipherSuite).collect();
        assert!(matches!(
            too_many.build(),
            Err(EncodeError::TooLong {
                what: "cipher_suites",
                ..
            })
        ));
        let mut none = spec(ProtocolVersion::TLSV1_3);
        none.cipher_suites.clear();
        assert_eq!(none.build(), Err(EncodeError::Empty("cipher_suites")));
        let mut long_alpn = spec(ProtocolVersion::TLSV1_2);
        long_alpn.alpn = vec![vec![b'a'; 256]];
        assert!(long_alpn.build().is_err());
        let mut binary_curve = spec(ProtocolVersion::TLSV1_3);
        binary_curve.key_shares = Some(vec![NamedGroup::SECT571R1]);
        assert_eq!(
            binary_curve.build(),
            Err(EncodeError::NoKeyShare(NamedGroup::SECT571R1))
        );
    }
}
