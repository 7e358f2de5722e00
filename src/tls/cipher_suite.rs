//! Cipher suites: the open `CipherSuite` newtype, the registry of every IANA code point, and the
//! properties the rest of elbtls reasons with (forward secrecy, AEAD, weak classes, certificate).

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use super::version::ProtocolVersion;

/// A cipher suite code point as it appears on the wire.
///
/// Open: unknown values survive and print as hex. Named constants (`CipherSuite::TLS_AES_128_GCM_SHA256`)
/// are generated from `src/tls/data/cipher_suites.csv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CipherSuite(pub u16);

/// Key exchange of a suite. TLS 1.3 suites say nothing about it (`Any`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum KeyExchange {
    Null,
    /// RSA key transport: the client encrypts the premaster secret to the server's RSA key.
    Rsa,
    /// Static Diffie-Hellman from the certificate.
    Dh,
    /// Ephemeral Diffie-Hellman (also anonymous DH).
    Dhe,
    /// Static ECDH from the certificate.
    Ecdh,
    /// Ephemeral ECDH (also anonymous ECDH).
    Ecdhe,
    Psk,
    DhePsk,
    RsaPsk,
    EcdhePsk,
    Krb5,
    Srp,
    EccPwd,
    Gost,
    /// TLS 1.3: negotiated separately through groups.
    Any,
    /// A signalling value, not a real suite.
    Scsv,
}

/// How the server authenticates itself under a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Authentication {
    Null,
    Rsa,
    Dss,
    Ecdsa,
    /// Anonymous: no authentication at all.
    Anon,
    Psk,
    Krb5,
    Srp,
    EccPwd,
    Gost,
    /// TLS 1.3: any certificate type, chosen by signature algorithms.
    Any,
    Scsv,
}

/// Bulk cipher of a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Encryption {
    Null,
    Rc4,
    Rc2,
    Des,
    TripleDes,
    Idea,
    Seed,
    Aes,
    Camellia,
    Aria,
    ChaCha20,
    Sm4,
    Aegis,
    Gost28147,
    Kuznyechik,
    Magma,
    Scsv,
}

/// Mode of the bulk cipher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum CipherMode {
    Null,
    Stream,
    Cbc,
    Gcm,
    Ccm,
    Ccm8,
    Poly1305,
    Mgm,
    Ctr,
    Aegis,
    Scsv,
}

/// Record MAC; `Aead` when the mode authenticates (the hash in the name is then the PRF's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Mac {
    Null,
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sm3,
    Gost,
    Aead,
    Scsv,
}

/// The certificate key a server needs before it can negotiate a suite.
///
/// A listener with only an RSA certificate can never be seen accepting an ECDSA suite, whatever its
/// policy says: the audit must know this to avoid false "declared but not offered" findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequiredCertificate {
    /// No certificate (anonymous, PSK, SRP, Kerberos suites).
    None,
    /// Any certificate type (TLS 1.3 suites).
    Any,
    /// An RSA key (RSA key transport, `*_RSA_*` signatures).
    Rsa,
    /// An elliptic-curve key (ECDSA signatures, static ECDH).
    Ec,
    /// A DSA key (`*_DSS_*`).
    Dsa,
    /// A Diffie-Hellman key (static `DH_*` suites).
    Dh,
    /// A GOST key.
    Gost,
}

impl RequiredCertificate {
    /// A short label: `none`, `any`, `RSA`, `ECDSA`, `DSA`, `DH`, `GOST`.
    pub fn label(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Any => "any",
            Self::Rsa => "RSA",
            Self::Ec => "ECDSA",
            Self::Dsa => "DSA",
            Self::Dh => "DH",
            Self::Gost => "GOST",
        }
    }
}

/// A property of a suite that security baselines talk about. The `code` is stable: baselines and
/// reports name these classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SuiteProperty {
    /// Ephemeral key exchange (or TLS 1.3).
    ForwardSecrecy,
    /// Authenticated encryption (GCM, CCM, ChaCha20-Poly1305, …).
    Aead,
    /// CBC mode: MAC-then-encrypt, the root of Lucky13 and POODLE-style attacks.
    Cbc,
    /// HMAC-SHA1 record MAC.
    Sha1,
    /// HMAC-MD5 record MAC.
    Md5,
    /// RSA key transport: no forward secrecy, ROBOT-style oracles.
    RsaKeyTransport,
    /// Triple DES (Sweet32).
    TripleDes,
    /// Single DES.
    Des,
    /// RC4.
    Rc4,
    /// No encryption.
    NullCipher,
    /// Export-grade cryptography.
    Export,
    /// No server authentication.
    Anonymous,
}

impl SuiteProperty {
    /// Every property, in display order.
    pub const ALL: [Self; 12] = [
        Self::ForwardSecrecy,
        Self::Aead,
        Self::Cbc,
        Self::Sha1,
        Self::Md5,
        Self::RsaKeyTransport,
        Self::TripleDes,
        Self::Des,
        Self::Rc4,
        Self::NullCipher,
        Self::Export,
        Self::Anonymous,
    ];

    /// The stable kebab-case code (`forward-secrecy`, `cbc`, `rsa-key-transport`, `3des`, …).
    pub fn code(self) -> &'static str {
        match self {
            Self::ForwardSecrecy => "forward-secrecy",
            Self::Aead => "aead",
            Self::Cbc => "cbc",
            Self::Sha1 => "sha1",
            Self::Md5 => "md5",
            Self::RsaKeyTransport => "rsa-key-transport",
            Self::TripleDes => "3des",
            Self::Des => "des",
            Self::Rc4 => "rc4",
            Self::NullCipher => "null",
            Self::Export => "export",
            Self::Anonymous => "anonymous",
        }
    }

    /// Whether the property is a weakness (everything but forward secrecy and AEAD).
    pub fn is_weakness(self) -> bool {
        !matches!(self, Self::ForwardSecrecy | Self::Aead)
    }

    /// Looks a property up by its code.
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// What the registry knows of one cipher suite.
#[derive(Debug, PartialEq, Eq)]
pub struct CipherSuiteInfo {
    /// The code point.
    pub suite: CipherSuite,
    /// The IANA name (`TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
    pub iana_name: &'static str,
    /// OpenSSL's name (`ECDHE-RSA-AES128-GCM-SHA256`), if OpenSSL has one. TLS 1.3 suites use
    /// their IANA name.
    pub openssl_name: Option<&'static str>,
    /// Older or newer OpenSSL spellings (`EDH-RSA-DES-CBC3-SHA` for `DHE-RSA-DES-CBC3-SHA`).
    pub openssl_aliases: &'static [&'static str],
    /// Key exchange.
    pub kx: KeyExchange,
    /// Server authentication.
    pub auth: Authentication,
    /// Bulk cipher.
    pub enc: Encryption,
    /// Effective key bits of the bulk cipher (0 for none).
    pub enc_bits: u16,
    /// Mode of the bulk cipher.
    pub mode: CipherMode,
    /// Record MAC.
    pub mac: Mac,
    /// Oldest protocol version the suite is defined for.
    pub min_version: ProtocolVersion,
    /// Newest protocol version the suite is defined for.
    pub max_version: ProtocolVersion,
}

impl CipherSuiteInfo {
    /// Whether the suite can be negotiated under `version`.
    pub fn usable_with(&self, version: ProtocolVersion) -> bool {
        self.min_version <= version && version <= self.max_version
    }

    /// Whether this is a TLS 1.3 suite (it names no key exchange or authentication).
    pub fn is_tls13(&self) -> bool {
        self.min_version == ProtocolVersion::TLSV1_3
    }

    /// Whether this is a signalling value (`TLS_EMPTY_RENEGOTIATION_INFO_SCSV`, `TLS_FALLBACK_SCSV`).
    pub fn is_signalling(&self) -> bool {
        self.kx == KeyExchange::Scsv
    }

    /// Ephemeral key exchange: a stolen server key does not decrypt recorded traffic.
    pub fn forward_secrecy(&self) -> bool {
        matches!(
            self.kx,
            KeyExchange::Dhe
                | KeyExchange::Ecdhe
                | KeyExchange::DhePsk
                | KeyExchange::EcdhePsk
                | KeyExchange::EccPwd
                | KeyExchange::Any
        ) && self.auth != Authentication::Scsv
    }

    /// Authenticated encryption.
    pub fn is_aead(&self) -> bool {
        matches!(
            self.mode,
            CipherMode::Gcm
                | CipherMode::Ccm
                | CipherMode::Ccm8
                | CipherMode::Poly1305
                | CipherMode::Mgm
                | CipherMode::Aegis
        )
    }

    /// Whether the bulk cipher runs in CBC mode.
    pub fn is_cbc(&self) -> bool {
        self.mode == CipherMode::Cbc
    }

    /// Whether the suite is export grade (`*_EXPORT_*`, 40/56-bit keys).
    pub fn is_export(&self) -> bool {
        self.iana_name.contains("EXPORT")
    }

    /// Whether the server is not authenticated at all.
    pub fn is_anonymous(&self) -> bool {
        self.auth == Authentication::Anon
            || (self.auth == Authentication::Null && self.kx != KeyExchange::Null)
    }

    /// The certificate key a server must hold to negotiate this suite.
    pub fn required_certificate(&self) -> RequiredCertificate {
        match (self.kx, self.auth) {
            (KeyExchange::Any, _) => RequiredCertificate::Any,
            (KeyExchange::Rsa | KeyExchange::RsaPsk, _) => RequiredCertificate::Rsa,
            (KeyExchange::Dh, _) => RequiredCertificate::Dh,
            (KeyExchange::Ecdh, _) => RequiredCertificate::Ec,
            (_, Authentication::Rsa) => RequiredCertificate::Rsa,
            (_, Authentication::Ecdsa) => RequiredCertificate::Ec,
            (_, Authentication::Dss) => RequiredCertificate::Dsa,
            (_, Authentication::Gost) => RequiredCertificate::Gost,
            _ => RequiredCertificate::None,
        }
    }

    /// Whether the suite has `property`.
    pub fn has(&self, property: SuiteProperty) -> bool {
        match property {
            SuiteProperty::ForwardSecrecy => self.forward_secrecy(),
            SuiteProperty::Aead => self.is_aead(),
            SuiteProperty::Cbc => self.is_cbc(),
            SuiteProperty::Sha1 => self.mac == Mac::Sha1,
            SuiteProperty::Md5 => self.mac == Mac::Md5,
            SuiteProperty::RsaKeyTransport => {
                matches!(self.kx, KeyExchange::Rsa | KeyExchange::RsaPsk)
            }
            SuiteProperty::TripleDes => self.enc == Encryption::TripleDes,
            SuiteProperty::Des => self.enc == Encryption::Des,
            SuiteProperty::Rc4 => self.enc == Encryption::Rc4,
            SuiteProperty::NullCipher => {
                self.enc == Encryption::Null && self.kx != KeyExchange::Scsv
            }
            SuiteProperty::Export => self.is_export(),
            SuiteProperty::Anonymous => self.is_anonymous(),
        }
    }

    /// Every property the suite has, in [`SuiteProperty::ALL`] order.
    pub fn properties(&self) -> Vec<SuiteProperty> {
        SuiteProperty::ALL
            .into_iter()
            .filter(|p| self.has(*p))
            .collect()
    }

    /// The name to show first: OpenSSL's where it has one, else IANA's.
    pub fn short_name(&self) -> &'static str {
        self.openssl_name.unwrap_or(self.iana_name)
    }
}

include!(concat!(env!("OUT_DIR"), "/cipher_suites.rs"));
include!(concat!(env!("OUT_DIR"), "/sslv2_cipher_kinds.rs"));

fn name_index() -> &'static HashMap<String, usize> {
    static INDEX: OnceLock<HashMap<String, usize>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = HashMap::new();
        for (i, info) in CIPHER_SUITE_TABLE.iter().enumerate() {
            let names = std::iter::once(info.iana_name)
                .chain(info.openssl_name)
                .chain(info.openssl_aliases.iter().copied());
            for name in names {
                index.insert(name.to_ascii_lowercase(), i);
            }
        }
        index
    })
}

impl CipherSuite {
    /// The registry entry, or `None` for a value the registry does not know.
    pub fn info(self) -> Option<&'static CipherSuiteInfo> {
        CIPHER_SUITE_TABLE
            .binary_search_by_key(&self, |info| info.suite)
            .ok()
            .map(|i| &CIPHER_SUITE_TABLE[i])
    }

    /// Looks a suite up by IANA name, OpenSSL name or an OpenSSL alias, case-insensitively.
    pub fn from_name(name: &str) -> Option<Self> {
        name_index()
            .get(&name.trim().to_ascii_lowercase())
            .map(|&i| CIPHER_SUITE_TABLE[i].suite)
    }

    /// The IANA name, or the code as hex.
    pub fn iana_name(self) -> String {
        self.info()
            .map_or_else(|| self.to_string(), |info| info.iana_name.to_string())
    }

    /// Every suite the registry knows, sorted by code point.
    pub fn registry() -> &'static [CipherSuiteInfo] {
        CIPHER_SUITE_TABLE
    }
}

impl fmt::Display for CipherSuite {
    /// The OpenSSL (or IANA) name, or `0x….` for an unknown value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.info() {
            Some(info) => f.write_str(info.short_name()),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

/// An SSL 2.0 CIPHER-SPEC (3-byte code). SSL 2.0 is known by name only: these entries let the
/// catalogue resolve the SSLv2 cipher attributes of Classic policies.
#[derive(Debug, PartialEq, Eq)]
pub struct Sslv2CipherKind {
    /// The 3-byte code.
    pub code: u32,
    /// The SSL 2.0 specification's name (`SSL_CK_DES_192_EDE3_CBC_WITH_MD5`).
    pub name: &'static str,
    /// OpenSSL's name (`DES-CBC3-MD5`).
    pub openssl_name: &'static str,
    /// Bulk cipher.
    pub enc: Encryption,
    /// Effective key bits.
    pub enc_bits: u16,
    /// Export grade.
    pub export: bool,
}

impl Sslv2CipherKind {
    /// Every SSL 2.0 cipher kind.
    pub fn registry() -> &'static [Sslv2CipherKind] {
        SSLV2_TABLE
    }

    /// Looks a kind up by its SSL 2.0 or OpenSSL name, case-insensitively.
    pub fn from_name(name: &str) -> Option<&'static Sslv2CipherKind> {
        let name = name.trim();
        SSLV2_TABLE.iter().find(|kind| {
            kind.name.eq_ignore_ascii_case(name) || kind.openssl_name.eq_ignore_ascii_case(name)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(name: &str) -> &'static CipherSuiteInfo {
        CipherSuite::from_name(name)
            .and_then(CipherSuite::info)
            .unwrap_or_else(|| panic!("{name} is in the registry"))
    }

    #[test]
    fn looks_up_by_iana_openssl_and_alias_names() {
        let gcm = CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256;
        assert_eq!(gcm, CipherSuite(0xC02F));
        assert_eq!(
            CipherSuite::from_name("ECDHE-RSA-AES128-GCM-SHA256"),
            Some(gcm)
        );
        assert_eq!(
            CipherSuite::from_name("tls_ecdhe_rsa_with_aes_128_gcm_sha256"),
            Some(gcm)
        );
        assert_eq!(
            CipherSuite::from_name("EDH-RSA-DES-CBC3-SHA"),
            Some(CipherSuite::TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA)
        );
        assert_eq!(
            CipherSuite::from_name("TLS_AES_128_GCM_SHA256"),
            Some(CipherSuite(0x1301))
        );
        assert_eq!(CipherSuite::from_name("NOT-A-CIPHER"), None);
    }

    #[test]
    fn unknown_code_points_survive_and_print_as_hex() {
        let grease = CipherSuite(0x0A0A);
        assert_eq!(grease.info(), None);
        assert_eq!(grease.to_string(), "0x0a0a");
        assert_eq!(CipherSuite(0x002F).to_string(), "AES128-SHA");
    }

    #[test]
    fn registry_covers_the_iana_table() {
        let table = CipherSuite::registry();
        assert!(table.len() > 330, "{} suites", table.len());
        assert!(table.windows(2).all(|w| w[0].suite < w[1].suite));
        for code in [
            0x1301, 0x1302, 0x1303, 0x1304, 0x1305, 0x00FF, 0x5600, 0xCCA8, 0xC0AC,
        ] {
            assert!(CipherSuite(code).info().is_some(), "{code:#06x}");
        }
    }

    #[test]
    fn derives_security_properties() {
        let ecdhe_gcm = info("ECDHE-RSA-AES128-GCM-SHA256");
        assert!(ecdhe_gcm.forward_secrecy() && ecdhe_gcm.is_aead() && !ecdhe_gcm.is_cbc());
        assert_eq!(ecdhe_gcm.required_certificate(), RequiredCertificate::Rsa);
        assert!(ecdhe_gcm.usable_with(ProtocolVersion::TLSV1_2));
        assert!(!ecdhe_gcm.usable_with(ProtocolVersion::TLSV1_1));

        let aes_sha = info("AES128-SHA");
        assert_eq!(
            aes_sha.properties(),
            [
                SuiteProperty::Cbc,
                SuiteProperty::Sha1,
                SuiteProperty::RsaKeyTransport
            ]
        );
        assert_eq!(
            info("ECDHE-ECDSA-AES256-SHA").required_certificate(),
            RequiredCertificate::Ec
        );
        assert!(info("DES-CBC3-SHA").has(SuiteProperty::TripleDes));
        assert!(info("RC4-MD5").has(SuiteProperty::Rc4) && info("RC4-MD5").has(SuiteProperty::Md5));
        assert!(info("EXP-RC4-MD5").is_export());
        assert!(info("ADH-AES128-SHA").is_anonymous());
        assert_eq!(
            info("ADH-AES128-SHA").required_certificate(),
            RequiredCertificate::None
        );

        let tls13 = info("TLS_CHACHA20_POLY1305_SHA256");
        assert!(tls13.is_tls13() && tls13.forward_secrecy() && tls13.is_aead());
        assert_eq!(tls13.required_certificate(), RequiredCertificate::Any);
        assert!(!tls13.usable_with(ProtocolVersion::TLSV1_2));

        let scsv = CipherSuite::TLS_FALLBACK_SCSV.info().unwrap();
        assert!(scsv.is_signalling() && scsv.properties().is_empty());
    }

    #[test]
    fn suite_property_codes_are_unique_and_round_trip() {
        for p in SuiteProperty::ALL {
            assert_eq!(SuiteProperty::from_code(p.code()), Some(p));
        }
    }

    #[test]
    fn resolves_sslv2_only_ciphers() {
        let kind = Sslv2CipherKind::from_name("DES-CBC3-MD5").expect("known");
        assert_eq!(kind.code, 0x0700C0);
        assert_eq!(Sslv2CipherKind::registry().len(), 7);
    }
}
