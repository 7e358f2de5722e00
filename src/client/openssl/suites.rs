//! How OpenSSL classifies a suite (key exchange, authentication, bulk cipher, MAC, strength), and
//! what each word of the cipher-string language selects: OpenSSL 3.0's `cipher_aliases` table.
//! The classification is derived from the registry's attributes; a test checks it against the
//! local `openssl` for every alias.

use crate::tls::{
    Authentication, CipherMode, CipherSuite, CipherSuiteInfo, Encryption, KeyExchange, Mac,
    ProtocolVersion,
};

/// Key-exchange bits (`SSL_k*`).
pub(super) mod kx {
    pub(crate) const RSA: u32 = 1;
    pub(crate) const DHE: u32 = 1 << 1;
    pub(crate) const ECDHE: u32 = 1 << 2;
    pub(crate) const PSK: u32 = 1 << 3;
    pub(crate) const RSA_PSK: u32 = 1 << 4;
    pub(crate) const ECDHE_PSK: u32 = 1 << 5;
    pub(crate) const DHE_PSK: u32 = 1 << 6;
    pub(crate) const SRP: u32 = 1 << 7;
    /// Every PSK flavour (`SSL_PSK`).
    pub(crate) const ANY_PSK: u32 = PSK | RSA_PSK | ECDHE_PSK | DHE_PSK;
}

/// Authentication bits (`SSL_a*`).
pub(super) mod au {
    pub(crate) const RSA: u32 = 1;
    pub(crate) const DSS: u32 = 1 << 1;
    pub(crate) const NULL: u32 = 1 << 2;
    pub(crate) const ECDSA: u32 = 1 << 3;
    pub(crate) const PSK: u32 = 1 << 4;
    pub(crate) const SRP: u32 = 1 << 5;
}

/// Bulk-cipher bits (`SSL_eNULL`, `SSL_AES128GCM`, …).
pub(super) mod enc {
    pub(crate) const TDES: u32 = 1;
    pub(crate) const RC4: u32 = 1 << 1;
    pub(crate) const IDEA: u32 = 1 << 2;
    pub(crate) const NULL: u32 = 1 << 3;
    pub(crate) const AES128: u32 = 1 << 4;
    pub(crate) const AES256: u32 = 1 << 5;
    pub(crate) const CAMELLIA128: u32 = 1 << 6;
    pub(crate) const CAMELLIA256: u32 = 1 << 7;
    pub(crate) const SEED: u32 = 1 << 8;
    pub(crate) const AES128GCM: u32 = 1 << 9;
    pub(crate) const AES256GCM: u32 = 1 << 10;
    pub(crate) const AES128CCM: u32 = 1 << 11;
    pub(crate) const AES256CCM: u32 = 1 << 12;
    pub(crate) const AES128CCM8: u32 = 1 << 13;
    pub(crate) const AES256CCM8: u32 = 1 << 14;
    pub(crate) const CHACHA20: u32 = 1 << 15;
    pub(crate) const ARIA128GCM: u32 = 1 << 16;
    pub(crate) const ARIA256GCM: u32 = 1 << 17;
    pub(crate) const AESGCM: u32 = AES128GCM | AES256GCM;
    pub(crate) const AESCCM: u32 = AES128CCM | AES256CCM | AES128CCM8 | AES256CCM8;
    pub(crate) const AES: u32 = AES128 | AES256 | AESGCM | AESCCM;
    pub(crate) const CAMELLIA: u32 = CAMELLIA128 | CAMELLIA256;
    pub(crate) const ARIA: u32 = ARIA128GCM | ARIA256GCM;
    pub(crate) const CBC: u32 = TDES | IDEA | AES128 | AES256 | CAMELLIA128 | CAMELLIA256 | SEED;
}

/// Record-MAC bits (`SSL_MD5`, `SSL_AEAD`, …).
pub(super) mod mac {
    pub(crate) const MD5: u32 = 1;
    pub(crate) const SHA1: u32 = 1 << 1;
    pub(crate) const SHA256: u32 = 1 << 2;
    pub(crate) const SHA384: u32 = 1 << 3;
    pub(crate) const AEAD: u32 = 1 << 4;
}

/// Strength flags (`algo_strength`): a class, FIPS, and "not in DEFAULT".
pub(super) mod strength {
    pub(crate) const NONE: u32 = 1;
    pub(crate) const LOW: u32 = 1 << 1;
    pub(crate) const MEDIUM: u32 = 1 << 2;
    pub(crate) const HIGH: u32 = 1 << 3;
    pub(crate) const FIPS: u32 = 1 << 4;
    pub(crate) const NOT_DEFAULT: u32 = 1 << 5;
    pub(crate) const STRONG_MASK: u32 = NONE | LOW | MEDIUM | HIGH | FIPS;
}

/// One suite as OpenSSL classifies it.
#[derive(Clone, Debug)]
pub(super) struct Cipher {
    pub suite: CipherSuite,
    pub name: &'static str,
    pub mkey: u32,
    pub auth: u32,
    pub enc: u32,
    pub mac: u32,
    pub min_tls: ProtocolVersion,
    pub max_tls: ProtocolVersion,
    pub strength: u32,
    /// Effective bits of the bulk cipher (`strength_bits`): 3DES counts 112.
    pub bits: u16,
}

impl Cipher {
    pub(super) fn from_info(info: &'static CipherSuiteInfo) -> Option<Self> {
        let name = info.openssl_name?;
        if info.is_tls13() || info.is_signalling() || info.is_export() {
            return None;
        }
        let mkey = match info.kx {
            KeyExchange::Rsa => kx::RSA,
            KeyExchange::Dhe => kx::DHE,
            KeyExchange::Ecdhe => kx::ECDHE,
            KeyExchange::Psk => kx::PSK,
            KeyExchange::RsaPsk => kx::RSA_PSK,
            KeyExchange::EcdhePsk => kx::ECDHE_PSK,
            KeyExchange::DhePsk => kx::DHE_PSK,
            KeyExchange::Srp => kx::SRP,
            _ => return None,
        };
        let auth = match info.auth {
            Authentication::Rsa => au::RSA,
            Authentication::Dss => au::DSS,
            Authentication::Ecdsa => au::ECDSA,
            Authentication::Anon | Authentication::Null => au::NULL,
            Authentication::Psk => au::PSK,
            Authentication::Srp => au::SRP,
            _ => return None,
        };
        let wide = info.enc_bits > 128;
        let (bulk, bits) = match (info.enc, info.mode) {
            (Encryption::Null, _) => (enc::NULL, 0),
            (Encryption::TripleDes, _) => (enc::TDES, 112),
            (Encryption::Rc4, _) => (enc::RC4, 128),
            (Encryption::Idea, _) => (enc::IDEA, 128),
            (Encryption::Seed, _) => (enc::SEED, 128),
            (Encryption::ChaCha20, _) => (enc::CHACHA20, 256),
            (Encryption::Aes, CipherMode::Cbc) => pick(wide, enc::AES256, enc::AES128),
            (Encryption::Aes, CipherMode::Gcm) => pick(wide, enc::AES256GCM, enc::AES128GCM),
            (Encryption::Aes, CipherMode::Ccm) => pick(wide, enc::AES256CCM, enc::AES128CCM),
            (Encryption::Aes, CipherMode::Ccm8) => pick(wide, enc::AES256CCM8, enc::AES128CCM8),
            (Encryption::Camellia, CipherMode::Cbc) => {
                pick(wide, enc::CAMELLIA256, enc::CAMELLIA128)
            }
            (Encryption::Aria, CipherMode::Gcm) => pick(wide, enc::ARIA256GCM, enc::ARIA128GCM),
            // Single DES, RC2, GOST, Camellia-GCM, ARIA-CBC: not in OpenSSL 1.1+.
            _ => return None,
        };
        let mac = match info.mac {
            Mac::Md5 => mac::MD5,
            Mac::Sha1 => mac::SHA1,
            Mac::Sha256 => mac::SHA256,
            Mac::Sha384 => mac::SHA384,
            Mac::Aead => mac::AEAD,
            _ => return None,
        };
        let class = match bulk {
            enc::NULL => strength::NONE,
            enc::TDES | enc::RC4 | enc::IDEA | enc::SEED => strength::MEDIUM,
            _ => strength::HIGH,
        };
        let fips =
            bulk & (enc::AES | enc::TDES) != 0 && bulk & enc::AESCCM == 0 && mkey & kx::SRP == 0;
        // Anonymous NULL suites are not flagged: `!eNULL` keeps them out of DEFAULT already.
        let not_default = (auth & au::DSS != 0 || (auth & au::NULL != 0 && bulk != enc::NULL))
            || bulk & (enc::AESCCM | enc::ARIA | enc::CAMELLIA | enc::TDES | enc::RC4) != 0
            || bulk & (enc::IDEA | enc::SEED) != 0;
        Some(Self {
            suite: info.suite,
            name,
            mkey,
            auth,
            enc: bulk,
            mac,
            min_tls: info.min_version,
            max_tls: info.max_version,
            strength: class
                | if fips { strength::FIPS } else { 0 }
                | if not_default {
                    strength::NOT_DEFAULT
                } else {
                    0
                },
            bits,
        })
    }
}

fn pick(wide: bool, if_wide: u32, if_narrow: u32) -> (u32, u16) {
    if wide {
        (if_wide, 256)
    } else {
        (if_narrow, 128)
    }
}

/// What a word (or `A+B` words) selects; zero fields select everything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Pattern {
    pub cipher: Option<CipherSuite>,
    pub mkey: u32,
    pub auth: u32,
    pub enc: u32,
    pub mac: u32,
    pub min_tls: Option<ProtocolVersion>,
    pub strength: u32,
}

impl Pattern {
    const fn new(mkey: u32, auth: u32, enc: u32, mac: u32) -> Self {
        Self {
            cipher: None,
            mkey,
            auth,
            enc,
            mac,
            min_tls: None,
            strength: 0,
        }
    }

    const fn strength(flags: u32) -> Self {
        let mut p = Self::new(0, 0, 0, 0);
        p.strength = flags;
        p
    }

    const fn version(v: ProtocolVersion) -> Self {
        let mut p = Self::new(0, 0, 0, 0);
        p.min_tls = Some(v);
        p
    }

    pub(super) fn of(c: &Cipher) -> Self {
        Self {
            cipher: Some(c.suite),
            mkey: c.mkey,
            auth: c.auth,
            enc: c.enc,
            mac: c.mac,
            min_tls: None,
            strength: c.strength,
        }
    }

    pub(super) fn matches(&self, c: &Cipher) -> bool {
        let bits = |want: u32, have: u32| want == 0 || want & have != 0;
        self.cipher.is_none_or(|s| s == c.suite)
            && bits(self.mkey, c.mkey)
            && bits(self.auth, c.auth)
            && bits(self.enc, c.enc)
            && bits(self.mac, c.mac)
            && self.min_tls.is_none_or(|v| v == c.min_tls)
            && bits(self.strength & strength::STRONG_MASK, c.strength)
            && bits(self.strength & strength::NOT_DEFAULT, c.strength)
    }

    /// `self+other`, OpenSSL's way: masks intersect, and an empty intersection selects nothing
    /// (`None`).
    pub(super) fn and(mut self, other: &Self) -> Option<Self> {
        fn meet(acc: &mut u32, add: u32) -> bool {
            if add != 0 {
                *acc = if *acc != 0 { *acc & add } else { add };
                *acc != 0
            } else {
                true
            }
        }
        let ok = meet(&mut self.mkey, other.mkey)
            && meet(&mut self.auth, other.auth)
            && meet(&mut self.enc, other.enc)
            && meet(&mut self.mac, other.mac);
        if !ok {
            return None;
        }
        let strong = other.strength & strength::STRONG_MASK;
        if strong != 0 {
            if self.strength & strength::STRONG_MASK != 0 {
                self.strength &= strong | !strength::STRONG_MASK;
                if self.strength & strength::STRONG_MASK == 0 {
                    return None;
                }
            } else {
                // OpenSSL assigns here, dropping a NOT_DEFAULT bit set by an earlier word.
                self.strength = strong;
            }
        }
        self.strength |= other.strength & strength::NOT_DEFAULT;
        if other.cipher.is_some() {
            self.cipher = other.cipher;
        } else if let Some(v) = other.min_tls {
            if self.min_tls.is_some_and(|have| have != v) {
                return None;
            }
            self.min_tls = Some(v);
        }
        Some(self)
    }
}

/// OpenSSL 3.0's alias table (`cipher_aliases` in `ssl/ssl_ciph.c`).
pub(super) const ALIASES: &[(&str, Pattern)] = &[
    ("ALL", Pattern::new(0, 0, !enc::NULL, 0)),
    ("COMPLEMENTOFALL", Pattern::new(0, 0, enc::NULL, 0)),
    (
        "COMPLEMENTOFDEFAULT",
        Pattern::strength(strength::NOT_DEFAULT),
    ),
    ("kRSA", Pattern::new(kx::RSA, 0, 0, 0)),
    ("kEDH", Pattern::new(kx::DHE, 0, 0, 0)),
    ("kDHE", Pattern::new(kx::DHE, 0, 0, 0)),
    ("DH", Pattern::new(kx::DHE, 0, 0, 0)),
    ("kEECDH", Pattern::new(kx::ECDHE, 0, 0, 0)),
    ("kECDHE", Pattern::new(kx::ECDHE, 0, 0, 0)),
    ("ECDH", Pattern::new(kx::ECDHE, 0, 0, 0)),
    ("kPSK", Pattern::new(kx::PSK, 0, 0, 0)),
    ("kRSAPSK", Pattern::new(kx::RSA_PSK, 0, 0, 0)),
    ("kECDHEPSK", Pattern::new(kx::ECDHE_PSK, 0, 0, 0)),
    ("kDHEPSK", Pattern::new(kx::DHE_PSK, 0, 0, 0)),
    ("kSRP", Pattern::new(kx::SRP, 0, 0, 0)),
    ("aRSA", Pattern::new(0, au::RSA, 0, 0)),
    ("aDSS", Pattern::new(0, au::DSS, 0, 0)),
    ("DSS", Pattern::new(0, au::DSS, 0, 0)),
    ("aNULL", Pattern::new(0, au::NULL, 0, 0)),
    ("aECDSA", Pattern::new(0, au::ECDSA, 0, 0)),
    ("ECDSA", Pattern::new(0, au::ECDSA, 0, 0)),
    ("aPSK", Pattern::new(0, au::PSK, 0, 0)),
    ("aSRP", Pattern::new(0, au::SRP, 0, 0)),
    ("EDH", Pattern::new(kx::DHE, !au::NULL, 0, 0)),
    ("DHE", Pattern::new(kx::DHE, !au::NULL, 0, 0)),
    ("EECDH", Pattern::new(kx::ECDHE, !au::NULL, 0, 0)),
    ("ECDHE", Pattern::new(kx::ECDHE, !au::NULL, 0, 0)),
    ("NULL", Pattern::new(0, 0, enc::NULL, 0)),
    ("RSA", Pattern::new(kx::RSA, au::RSA, 0, 0)),
    ("ADH", Pattern::new(kx::DHE, au::NULL, 0, 0)),
    ("AECDH", Pattern::new(kx::ECDHE, au::NULL, 0, 0)),
    ("PSK", Pattern::new(kx::ANY_PSK, 0, 0, 0)),
    ("SRP", Pattern::new(kx::SRP, 0, 0, 0)),
    ("3DES", Pattern::new(0, 0, enc::TDES, 0)),
    ("RC4", Pattern::new(0, 0, enc::RC4, 0)),
    ("IDEA", Pattern::new(0, 0, enc::IDEA, 0)),
    ("SEED", Pattern::new(0, 0, enc::SEED, 0)),
    ("eNULL", Pattern::new(0, 0, enc::NULL, 0)),
    (
        "AES128",
        Pattern::new(
            0,
            0,
            enc::AES128 | enc::AES128GCM | enc::AES128CCM | enc::AES128CCM8,
            0,
        ),
    ),
    (
        "AES256",
        Pattern::new(
            0,
            0,
            enc::AES256 | enc::AES256GCM | enc::AES256CCM | enc::AES256CCM8,
            0,
        ),
    ),
    ("AES", Pattern::new(0, 0, enc::AES, 0)),
    ("AESGCM", Pattern::new(0, 0, enc::AESGCM, 0)),
    ("AESCCM", Pattern::new(0, 0, enc::AESCCM, 0)),
    (
        "AESCCM8",
        Pattern::new(0, 0, enc::AES128CCM8 | enc::AES256CCM8, 0),
    ),
    ("CAMELLIA128", Pattern::new(0, 0, enc::CAMELLIA128, 0)),
    ("CAMELLIA256", Pattern::new(0, 0, enc::CAMELLIA256, 0)),
    ("CAMELLIA", Pattern::new(0, 0, enc::CAMELLIA, 0)),
    ("CHACHA20", Pattern::new(0, 0, enc::CHACHA20, 0)),
    ("ARIA", Pattern::new(0, 0, enc::ARIA, 0)),
    ("ARIAGCM", Pattern::new(0, 0, enc::ARIA, 0)),
    ("ARIA128", Pattern::new(0, 0, enc::ARIA128GCM, 0)),
    ("ARIA256", Pattern::new(0, 0, enc::ARIA256GCM, 0)),
    ("CBC", Pattern::new(0, 0, enc::CBC, 0)),
    ("MD5", Pattern::new(0, 0, 0, mac::MD5)),
    ("SHA1", Pattern::new(0, 0, 0, mac::SHA1)),
    ("SHA", Pattern::new(0, 0, 0, mac::SHA1)),
    ("SHA256", Pattern::new(0, 0, 0, mac::SHA256)),
    ("SHA384", Pattern::new(0, 0, 0, mac::SHA384)),
    ("SSLv3", Pattern::version(ProtocolVersion::SSLV3)),
    ("TLSv1", Pattern::version(ProtocolVersion::TLSV1_0)),
    ("TLSv1.0", Pattern::version(ProtocolVersion::TLSV1_0)),
    ("TLSv1.2", Pattern::version(ProtocolVersion::TLSV1_2)),
    ("LOW", Pattern::strength(strength::LOW)),
    ("MEDIUM", Pattern::strength(strength::MEDIUM)),
    ("HIGH", Pattern::strength(strength::HIGH)),
    (
        "FIPS",
        Pattern {
            enc: !enc::NULL,
            ..Pattern::strength(strength::FIPS)
        },
    ),
];

/// Words of older OpenSSL versions, or of OpenSSL builds with engines, that OpenSSL 3 no longer
/// knows: they select nothing. (`DEFAULT` anywhere but at the start is one of them in OpenSSL.)
pub(super) const FORGOTTEN: &[&str] = &[
    "DEFAULT",
    "EXP",
    "EXPORT",
    "EXPORT40",
    "EXPORT56",
    "KRB5",
    "kKRB5",
    "aKRB5",
    "kDHr",
    "kDHd",
    "kDH",
    "aDH",
    "kECDHr",
    "kECDHe",
    "kECDH",
    "aECDH",
    "SSLv2",
    "DES",
    "RC2",
    "FZA",
    "kFZA",
    "aFZA",
    "eFZA",
    "TLSv1.1",
    "TLSv1.3",
    "GOST94",
    "GOST89MAC",
    "GOST12",
    "GOST89",
    "kGOST",
    "kGOST18",
    "aGOST",
    "aGOST01",
    "aGOST12",
    "ECCdraft",
    "SUITEB128",
    "SUITEB128ONLY",
    "SUITEB128C2",
    "SUITEB192",
    "UNTRUSTED",
];
