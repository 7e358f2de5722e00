//! Hello extensions: the open `ExtensionType` and `SignatureScheme` code points, and the
//! extensions a probing client sends.

use super::codec::{
    Codec, DecodeError, EncodeError, LengthPrefix, Reader, encode_list, length_prefixed, read_list,
};
use crate::tls::{NamedGroup, ProtocolVersion};

open_code! {
    /// A hello extension type (IANA "TLS ExtensionType Values"). Open: unknown values survive.
    ExtensionType(u16) {
        /// `server_name` (RFC 6066).
        SERVER_NAME = 0x0000 => "server_name",
        /// `status_request` (OCSP stapling, RFC 6066).
        STATUS_REQUEST = 0x0005 => "status_request",
        /// `supported_groups`, formerly `elliptic_curves` (RFC 8422, 7919).
        SUPPORTED_GROUPS = 0x000a => "supported_groups",
        /// `ec_point_formats` (RFC 8422).
        EC_POINT_FORMATS = 0x000b => "ec_point_formats",
        /// `signature_algorithms` (RFC 5246, 8446).
        SIGNATURE_ALGORITHMS = 0x000d => "signature_algorithms",
        /// `application_layer_protocol_negotiation` (RFC 7301).
        ALPN = 0x0010 => "application_layer_protocol_negotiation",
        /// `encrypt_then_mac` (RFC 7366).
        ENCRYPT_THEN_MAC = 0x0016 => "encrypt_then_mac",
        /// `extended_master_secret` (RFC 7627).
        EXTENDED_MASTER_SECRET = 0x0017 => "extended_master_secret",
        /// `padding` (RFC 7685).
        PADDING = 0x0015 => "padding",
        /// `session_ticket` (RFC 5077).
        SESSION_TICKET = 0x0023 => "session_ticket",
        /// `pre_shared_key` (RFC 8446).
        PRE_SHARED_KEY = 0x0029 => "pre_shared_key",
        /// `supported_versions` (RFC 8446).
        SUPPORTED_VERSIONS = 0x002b => "supported_versions",
        /// `cookie` (RFC 8446).
        COOKIE = 0x002c => "cookie",
        /// `psk_key_exchange_modes` (RFC 8446).
        PSK_KEY_EXCHANGE_MODES = 0x002d => "psk_key_exchange_modes",
        /// `key_share` (RFC 8446).
        KEY_SHARE = 0x0033 => "key_share",
        /// `renegotiation_info` (RFC 5746).
        RENEGOTIATION_INFO = 0xff01 => "renegotiation_info",
    }
}

open_code! {
    /// A signature scheme (IANA "TLS SignatureScheme"; in TLS 1.2 a hash/signature pair).
    /// Open: unknown values survive.
    SignatureScheme(u16) {
        /// `rsa_pkcs1_sha1` (legacy, for old servers).
        RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
        /// DSA with SHA-1 (TLS 1.2 pair, for DSS suites).
        DSA_SHA1 = 0x0202 => "dsa_sha1",
        /// `ecdsa_sha1` (legacy).
        ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
        /// RSA PKCS#1 v1.5 with SHA-224 (TLS 1.2 pair).
        RSA_PKCS1_SHA224 = 0x0301 => "rsa_pkcs1_sha224",
        /// DSA with SHA-224 (TLS 1.2 pair).
        DSA_SHA224 = 0x0302 => "dsa_sha224",
        /// ECDSA with SHA-224 (TLS 1.2 pair).
        ECDSA_SHA224 = 0x0303 => "ecdsa_sha224",
        /// `rsa_pkcs1_sha256`.
        RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
        /// DSA with SHA-256 (TLS 1.2 pair).
        DSA_SHA256 = 0x0402 => "dsa_sha256",
        /// `ecdsa_secp256r1_sha256`.
        ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
        /// `rsa_pkcs1_sha384`.
        RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
        /// DSA with SHA-384 (TLS 1.2 pair).
        DSA_SHA384 = 0x0502 => "dsa_sha384",
        /// `ecdsa_secp384r1_sha384`.
        ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
        /// `rsa_pkcs1_sha512`.
        RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
        /// DSA with SHA-512 (TLS 1.2 pair).
        DSA_SHA512 = 0x0602 => "dsa_sha512",
        /// `ecdsa_secp521r1_sha512`.
        ECDSA_SECP521R1_SHA512 = 0x0603 => "ecdsa_secp521r1_sha512",
        /// `rsa_pss_rsae_sha256`.
        RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
        /// `rsa_pss_rsae_sha384`.
        RSA_PSS_RSAE_SHA384 = 0x0805 => "rsa_pss_rsae_sha384",
        /// `rsa_pss_rsae_sha512`.
        RSA_PSS_RSAE_SHA512 = 0x0806 => "rsa_pss_rsae_sha512",
        /// `ed25519`.
        ED25519 = 0x0807 => "ed25519",
        /// `ed448`.
        ED448 = 0x0808 => "ed448",
        /// `rsa_pss_pss_sha256`.
        RSA_PSS_PSS_SHA256 = 0x0809 => "rsa_pss_pss_sha256",
        /// `rsa_pss_pss_sha384`.
        RSA_PSS_PSS_SHA384 = 0x080a => "rsa_pss_pss_sha384",
        /// `rsa_pss_pss_sha512`.
        RSA_PSS_PSS_SHA512 = 0x080b => "rsa_pss_pss_sha512",
        /// `ecdsa_brainpoolP256r1tls13_sha256`.
        ECDSA_BRAINPOOLP256R1TLS13_SHA256 = 0x081a => "ecdsa_brainpoolP256r1tls13_sha256",
        /// `ecdsa_brainpoolP384r1tls13_sha384`.
        ECDSA_BRAINPOOLP384R1TLS13_SHA384 = 0x081b => "ecdsa_brainpoolP384r1tls13_sha384",
        /// `ecdsa_brainpoolP512r1tls13_sha512`.
        ECDSA_BRAINPOOLP512R1TLS13_SHA512 = 0x081c => "ecdsa_brainpoolP512r1tls13_sha512",
    }
}

impl SignatureScheme {
    /// A broad offer that any server's certificate can sign with: modern schemes first, then
    /// RSA-PSS, then the SHA-1 and DSA pairs that old TLS 1.2 servers still need.
    pub const BROAD: &'static [Self] = &[
        Self::ECDSA_SECP256R1_SHA256,
        Self::ECDSA_SECP384R1_SHA384,
        Self::ECDSA_SECP521R1_SHA512,
        Self::ED25519,
        Self::ED448,
        Self::RSA_PSS_RSAE_SHA256,
        Self::RSA_PSS_RSAE_SHA384,
        Self::RSA_PSS_RSAE_SHA512,
        Self::RSA_PSS_PSS_SHA256,
        Self::RSA_PSS_PSS_SHA384,
        Self::RSA_PSS_PSS_SHA512,
        Self::RSA_PKCS1_SHA256,
        Self::RSA_PKCS1_SHA384,
        Self::RSA_PKCS1_SHA512,
        Self::ECDSA_BRAINPOOLP256R1TLS13_SHA256,
        Self::ECDSA_BRAINPOOLP384R1TLS13_SHA384,
        Self::ECDSA_BRAINPOOLP512R1TLS13_SHA512,
        Self::ECDSA_SHA224,
        Self::RSA_PKCS1_SHA224,
        Self::DSA_SHA224,
        Self::DSA_SHA256,
        Self::DSA_SHA384,
        Self::DSA_SHA512,
        Self::ECDSA_SHA1,
        Self::RSA_PKCS1_SHA1,
        Self::DSA_SHA1,
    ];
}

/// One entry of a `key_share` extension: a group and a public value for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyShareEntry {
    /// The group.
    pub group: NamedGroup,
    /// The public value (an X25519 key, an uncompressed EC point, an ML-KEM key, …).
    pub key_exchange: Vec<u8>,
}

impl Codec for KeyShareEntry {
    fn encode(&self, out: &mut Vec<u8>) {
        self.group.encode(out);
        length_prefixed(out, LengthPrefix::U16, |out| {
            out.extend_from_slice(&self.key_exchange)
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let group = NamedGroup::read(r)?;
        let key_exchange = r
            .sub(LengthPrefix::U16, "KeyShareEntry.key_exchange")?
            .rest()
            .to_vec();
        Ok(Self {
            group,
            key_exchange,
        })
    }
}

/// The `server_name` list entry type for a DNS host name.
const HOST_NAME: u8 = 0;

/// An extension a probing client sends in its ClientHello.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientExtension {
    /// `server_name` with one DNS host name.
    ServerName(String),
    /// `supported_groups`.
    SupportedGroups(Vec<NamedGroup>),
    /// `ec_point_formats` (0 uncompressed, 1 ansiX962_compressed_prime, 2 …_char2).
    EcPointFormats(Vec<u8>),
    /// `signature_algorithms`.
    SignatureAlgorithms(Vec<SignatureScheme>),
    /// `supported_versions` (client form: a list).
    SupportedVersions(Vec<ProtocolVersion>),
    /// `key_share` (client form: a list, possibly empty to ask for a HelloRetryRequest).
    KeyShare(Vec<KeyShareEntry>),
    /// `psk_key_exchange_modes` (1 = psk_dhe_ke).
    PskKeyExchangeModes(Vec<u8>),
    /// `renegotiation_info` with the previous verify data (empty on a first handshake).
    RenegotiationInfo(Vec<u8>),
    /// `extended_master_secret` (empty).
    ExtendedMasterSecret,
    /// `session_ticket` with a ticket to resume (empty to ask for one).
    SessionTicket(Vec<u8>),
    /// `status_request` for OCSP, with no responder ids and no request extensions.
    StatusRequest,
    /// `application_layer_protocol_negotiation` with the offered protocol names.
    Alpn(Vec<Vec<u8>>),
    /// `encrypt_then_mac` (empty).
    EncryptThenMac,
    /// `padding` of this many zero bytes.
    Padding(usize),
    /// Any other extension, as raw bytes.
    Unknown {
        /// The extension type.
        typ: ExtensionType,
        /// The extension body.
        data: Vec<u8>,
    },
}

/// The `status_type` of an OCSP `status_request`.
const STATUS_TYPE_OCSP: u8 = 1;

impl ClientExtension {
    /// The extension type on the wire.
    pub fn typ(&self) -> ExtensionType {
        match self {
            Self::ServerName(_) => ExtensionType::SERVER_NAME,
            Self::SupportedGroups(_) => ExtensionType::SUPPORTED_GROUPS,
            Self::EcPointFormats(_) => ExtensionType::EC_POINT_FORMATS,
            Self::SignatureAlgorithms(_) => ExtensionType::SIGNATURE_ALGORITHMS,
            Self::SupportedVersions(_) => ExtensionType::SUPPORTED_VERSIONS,
            Self::KeyShare(_) => ExtensionType::KEY_SHARE,
            Self::PskKeyExchangeModes(_) => ExtensionType::PSK_KEY_EXCHANGE_MODES,
            Self::RenegotiationInfo(_) => ExtensionType::RENEGOTIATION_INFO,
            Self::ExtendedMasterSecret => ExtensionType::EXTENDED_MASTER_SECRET,
            Self::SessionTicket(_) => ExtensionType::SESSION_TICKET,
            Self::StatusRequest => ExtensionType::STATUS_REQUEST,
            Self::Alpn(_) => ExtensionType::ALPN,
            Self::EncryptThenMac => ExtensionType::ENCRYPT_THEN_MAC,
            Self::Padding(_) => ExtensionType::PADDING,
            Self::Unknown { typ, .. } => *typ,
        }
    }

    /// Checks that every length this extension writes fits its prefix, so that encoding it
    /// cannot panic.
    pub fn check_lengths(&self) -> Result<(), EncodeError> {
        const U8: usize = 0xff;
        const U16: usize = 0xffff;
        let what = self.typ().name().unwrap_or("extension");
        let body = match self {
            // name_type, host name prefix and the list prefix.
            Self::ServerName(name) => name.len() + 5,
            Self::SupportedGroups(groups) => 2 + 2 * groups.len(),
            Self::SignatureAlgorithms(schemes) => 2 + 2 * schemes.len(),
            Self::SupportedVersions(versions) => {
                EncodeError::check(what, 2 * versions.len(), U8)?;
                1 + 2 * versions.len()
            }
            Self::EcPointFormats(bytes)
            | Self::PskKeyExchangeModes(bytes)
            | Self::RenegotiationInfo(bytes) => {
                EncodeError::check(what, bytes.len(), U8)?;
                1 + bytes.len()
            }
            Self::KeyShare(entries) => {
                for entry in entries {
                    EncodeError::check("key_share.key_exchange", entry.key_exchange.len(), U16)?;
                }
                2 + entries
                    .iter()
                    .map(|entry| 4 + entry.key_exchange.len())
                    .sum::<usize>()
            }
            Self::Alpn(protocols) => {
                for protocol in protocols {
                    EncodeError::check("alpn.protocol_name", protocol.len(), U8)?;
                }
                2 + protocols.iter().map(|p| 1 + p.len()).sum::<usize>()
            }
            Self::ExtendedMasterSecret | Self::EncryptThenMac => 0,
            Self::StatusRequest => 5,
            Self::SessionTicket(data) | Self::Unknown { data, .. } => data.len(),
            Self::Padding(len) => *len,
        };
        EncodeError::check(what, body, U16)
    }

    fn encode_body(&self, out: &mut Vec<u8>) {
        match self {
            Self::ServerName(name) => length_prefixed(out, LengthPrefix::U16, |out| {
                out.push(HOST_NAME);
                length_prefixed(out, LengthPrefix::U16, |out| {
                    out.extend_from_slice(name.as_bytes())
                });
            }),
            Self::SupportedGroups(groups) => encode_list(out, LengthPrefix::U16, groups),
            Self::EcPointFormats(formats) => encode_list(out, LengthPrefix::U8, formats),
            Self::SignatureAlgorithms(schemes) => encode_list(out, LengthPrefix::U16, schemes),
            Self::SupportedVersions(versions) => encode_list(out, LengthPrefix::U8, versions),
            Self::KeyShare(entries) => encode_list(out, LengthPrefix::U16, entries),
            Self::PskKeyExchangeModes(modes) => encode_list(out, LengthPrefix::U8, modes),
            Self::RenegotiationInfo(data) => encode_list(out, LengthPrefix::U8, data),
            Self::ExtendedMasterSecret | Self::EncryptThenMac => {}
            Self::SessionTicket(data) | Self::Unknown { data, .. } => out.extend_from_slice(data),
            Self::StatusRequest => out.extend_from_slice(&[STATUS_TYPE_OCSP, 0, 0, 0, 0]),
            Self::Alpn(protocols) => length_prefixed(out, LengthPrefix::U16, |out| {
                for protocol in protocols {
                    encode_list(out, LengthPrefix::U8, protocol);
                }
            }),
            Self::Padding(len) => out.resize(out.len() + len, 0),
        }
    }

    fn read_body(typ: ExtensionType, r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(match typ {
            ExtensionType::SERVER_NAME => {
                let mut list = r.sub(LengthPrefix::U16, "server_name.server_name_list")?;
                let name_type = list.u8("server_name.name_type")?;
                if name_type != HOST_NAME {
                    return Err(DecodeError::InvalidValue {
                        what: "server_name.name_type",
                        value: name_type.into(),
                    });
                }
                let name = list.sub(LengthPrefix::U16, "server_name.host_name")?.rest();
                list.expect_empty("server_name.server_name_list")?;
                let name = std::str::from_utf8(name).map_err(|_| DecodeError::InvalidValue {
                    what: "server_name.host_name (not UTF-8)",
                    value: 0,
                })?;
                Self::ServerName(name.to_owned())
            }
            ExtensionType::SUPPORTED_GROUPS => {
                Self::SupportedGroups(read_list(r, LengthPrefix::U16, "supported_groups")?)
            }
            ExtensionType::EC_POINT_FORMATS => {
                Self::EcPointFormats(read_list(r, LengthPrefix::U8, "ec_point_formats")?)
            }
            ExtensionType::SIGNATURE_ALGORITHMS => {
                Self::SignatureAlgorithms(read_list(r, LengthPrefix::U16, "signature_algorithms")?)
            }
            ExtensionType::SUPPORTED_VERSIONS => {
                Self::SupportedVersions(read_list(r, LengthPrefix::U8, "supported_versions")?)
            }
            ExtensionType::KEY_SHARE => {
                Self::KeyShare(read_list(r, LengthPrefix::U16, "key_share.client_shares")?)
            }
            ExtensionType::PSK_KEY_EXCHANGE_MODES => {
                Self::PskKeyExchangeModes(read_list(r, LengthPrefix::U8, "psk_key_exchange_modes")?)
            }
            ExtensionType::RENEGOTIATION_INFO => {
                Self::RenegotiationInfo(read_list(r, LengthPrefix::U8, "renegotiation_info")?)
            }
            ExtensionType::EXTENDED_MASTER_SECRET => Self::ExtendedMasterSecret,
            ExtensionType::ENCRYPT_THEN_MAC => Self::EncryptThenMac,
            ExtensionType::SESSION_TICKET => Self::SessionTicket(r.rest().to_vec()),
            ExtensionType::STATUS_REQUEST if r.peek_rest() == [STATUS_TYPE_OCSP, 0, 0, 0, 0] => {
                r.rest();
                Self::StatusRequest
            }
            ExtensionType::ALPN => {
                let mut list = r.sub(LengthPrefix::U16, "alpn.protocol_name_list")?;
                let mut protocols = Vec::new();
                while !list.is_empty() {
                    protocols.push(
                        list.sub(LengthPrefix::U8, "alpn.protocol_name")?
                            .rest()
                            .to_vec(),
                    );
                }
                Self::Alpn(protocols)
            }
            ExtensionType::PADDING => {
                let zeros = r.rest();
                if let Some(&value) = zeros.iter().find(|&&b| b != 0) {
                    return Err(DecodeError::InvalidValue {
                        what: "padding (must be zeros)",
                        value: value.into(),
                    });
                }
                Self::Padding(zeros.len())
            }
            typ => Self::Unknown {
                typ,
                data: r.rest().to_vec(),
            },
        })
    }
}

/// Writes one extension's TLV framing (`extension_type`, 16-bit length) around `body`.
pub(super) fn encode_extension(
    out: &mut Vec<u8>,
    typ: ExtensionType,
    body: impl FnOnce(&mut Vec<u8>),
) {
    typ.encode(out);
    length_prefixed(out, LengthPrefix::U16, body);
}

/// Reads one extension's TLV framing and hands its body to `read_body`, which must consume it all.
pub(super) fn read_extension<T>(
    r: &mut Reader<'_>,
    read_body: impl FnOnce(ExtensionType, &mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<T, DecodeError> {
    let typ = ExtensionType::read(r)?;
    let mut body = r.sub(LengthPrefix::U16, "Extension.extension_data")?;
    let extension = read_body(typ, &mut body)?;
    body.expect_empty("Extension.extension_data")?;
    Ok(extension)
}

impl Codec for ClientExtension {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_extension(out, self.typ(), |out| self.encode_body(out));
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        read_extension(r, Self::read_body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_client_extension_round_trips() {
        let extensions = [
            ClientExtension::ServerName("example.com".into()),
            ClientExtension::SupportedGroups(vec![NamedGroup::X25519, NamedGroup(0x9a9a)]),
            ClientExtension::EcPointFormats(vec![0, 1, 2]),
            ClientExtension::SignatureAlgorithms(SignatureScheme::BROAD.to_vec()),
            ClientExtension::SupportedVersions(vec![ProtocolVersion::TLSV1_3]),
            ClientExtension::KeyShare(vec![]),
            ClientExtension::KeyShare(vec![KeyShareEntry {
                group: NamedGroup::X25519,
                key_exchange: vec![9; 32],
            }]),
            ClientExtension::PskKeyExchangeModes(vec![1]),
            ClientExtension::RenegotiationInfo(vec![]),
            ClientExtension::ExtendedMasterSecret,
            ClientExtension::SessionTicket(vec![]),
            ClientExtension::StatusRequest,
            ClientExtension::Alpn(vec![b"h2".to_vec(), b"http/1.1".to_vec()]),
            ClientExtension::EncryptThenMac,
            ClientExtension::Padding(17),
            ClientExtension::Unknown {
                typ: ExtensionType(0xfe0d),
                data: vec![1, 2, 3],
            },
        ];
        for extension in extensions {
            let bytes = extension.to_bytes();
            assert_eq!(
                ClientExtension::read_exact(&bytes, "extension"),
                Ok(extension.clone()),
                "{bytes:02x?}"
            );
        }
    }

    #[test]
    fn encodes_server_name_as_rfc_6066_lays_it_out() {
        let bytes = ClientExtension::ServerName("a.b".into()).to_bytes();
        assert_eq!(bytes, [0, 0, 0, 8, 0, 6, 0, 0, 3, b'a', b'.', b'b']);
    }

    #[test]
    fn unknown_code_points_print_as_hex() {
        assert_eq!(ExtensionType(0x1234).to_string(), "0x1234");
        assert_eq!(ExtensionType::KEY_SHARE.to_string(), "key_share");
        assert_eq!(SignatureScheme::ED25519.to_string(), "ed25519");
        assert_eq!(SignatureScheme(0x0904).name(), None);
    }

    #[test]
    fn rejects_an_extension_body_with_trailing_bytes() {
        // extended_master_secret must be empty.
        assert_eq!(
            ClientExtension::read_exact(&[0, 0x17, 0, 1, 0], "extension"),
            Err(DecodeError::TrailingData("Extension.extension_data"))
        );
    }
}
