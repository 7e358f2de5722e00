//! `--openssl "CIPHER STRING" [--min-version V] [--max-version V]`: the ClientHello an OpenSSL 3.0
//! client configured this way sends, computed without any OpenSSL at run time.
//!
//! - Cipher suites: the cipher string evaluated as OpenSSL does ([`cipher_string`]), then what
//!   `SSL_get1_supported_ciphers` drops before the hello: suites outside the version range, PSK and
//!   SRP suites (they need callbacks a plain client does not set), and suites the security level
//!   forbids. TLS 1.3 suites, when TLS 1.3 is in range, are OpenSSL 1.1.1+'s default
//!   `TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256`, first.
//! - Versions: TLS 1.0 to TLS 1.3 unless `min`/`max` narrow them (OpenSSL 1.1.0+ is built without
//!   SSL 3.0), minus what the security level forbids (OpenSSL 3.0: SSL 3.0 below level 2, TLS 1.0
//!   below level 3, TLS 1.1 below level 4). OpenSSL 3.0 still *offers* TLS 1.0/1.1 at level 1 but
//!   then refuses the server's MD5-SHA1 signature, so only RSA key transport completes there;
//!   OpenSSL 3.2+ no longer offers them above level 0. This models 3.0, as Debian 12, Ubuntu 22.04
//!   and RHEL 9 ship it.
//! - Groups and signature algorithms: OpenSSL 3.0's defaults, in its order, filtered by the
//!   security level and by version as OpenSSL does (FFDHE groups only with TLS 1.3; no groups at
//!   all unless an offered suite uses ECDHE or ECDSA or is a TLS 1.3 suite; SHA-224, SHA-1 and DSA
//!   schemes only with TLS 1.2; no schemes before TLS 1.2).
//! - The security level is `@SECLEVEL=n` from the string, else 1 (OpenSSL's built-in default;
//!   distributions may raise it in `openssl.cnf`: Debian and Ubuntu use 2, so add
//!   `@SECLEVEL=2` to describe those).

mod cipher_string;
mod suites;
#[cfg(test)]
mod tests;

pub use cipher_string::CipherStringError;
use suites::{au, kx, mac};

use super::{ClientDescription, DescriptionSource};
use crate::tls::{Authentication, CipherSuite, KeyExchange, NamedGroup, ProtocolVersion};

/// OpenSSL's security level when the string sets none.
const DEFAULT_SECURITY_LEVEL: u8 = 1;

/// OpenSSL 1.1.1+'s default TLS 1.3 suites, with their strength in bits.
const TLS13_SUITES: [(CipherSuite, u16); 3] = [
    (CipherSuite::TLS_AES_256_GCM_SHA384, 256),
    (CipherSuite::TLS_CHACHA20_POLY1305_SHA256, 256),
    (CipherSuite::TLS_AES_128_GCM_SHA256, 128),
];

/// OpenSSL 3.0's default groups (`supported_groups_default`, GOST left out), with their security
/// bits, and whether they need TLS 1.3 (the FFDHE groups do in OpenSSL).
const GROUPS: [(NamedGroup, u16, bool); 10] = [
    (NamedGroup::X25519, 128, false),
    (NamedGroup::SECP256R1, 128, false),
    (NamedGroup::X448, 224, false),
    (NamedGroup::SECP521R1, 256, false),
    (NamedGroup::SECP384R1, 192, false),
    (NamedGroup::FFDHE2048, 112, true),
    (NamedGroup::FFDHE3072, 128, true),
    (NamedGroup::FFDHE4096, 152, true),
    (NamedGroup::FFDHE6144, 176, true),
    (NamedGroup::FFDHE8192, 192, true),
];

/// OpenSSL 3.0's default signature algorithms, in its order, with their security bits (SHA-1
/// counts 63 in OpenSSL 3) and whether TLS 1.3 may use them.
const SIGNATURE_ALGORITHMS: [(u16, u16, bool); 23] = [
    (0x0403, 128, true),  // ecdsa_secp256r1_sha256
    (0x0503, 192, true),  // ecdsa_secp384r1_sha384
    (0x0603, 256, true),  // ecdsa_secp521r1_sha512
    (0x0807, 128, true),  // ed25519
    (0x0808, 224, true),  // ed448
    (0x0809, 128, true),  // rsa_pss_pss_sha256
    (0x080a, 192, true),  // rsa_pss_pss_sha384
    (0x080b, 256, true),  // rsa_pss_pss_sha512
    (0x0804, 128, true),  // rsa_pss_rsae_sha256
    (0x0805, 192, true),  // rsa_pss_rsae_sha384
    (0x0806, 256, true),  // rsa_pss_rsae_sha512
    (0x0401, 128, true),  // rsa_pkcs1_sha256
    (0x0501, 192, true),  // rsa_pkcs1_sha384
    (0x0601, 256, true),  // rsa_pkcs1_sha512
    (0x0303, 112, false), // ecdsa_sha224
    (0x0203, 63, false),  // ecdsa_sha1
    (0x0301, 112, false), // rsa_pkcs1_sha224
    (0x0201, 63, false),  // rsa_pkcs1_sha1
    (0x0302, 112, false), // dsa_sha224
    (0x0202, 63, false),  // dsa_sha1
    (0x0402, 128, false), // dsa_sha256
    (0x0502, 192, false), // dsa_sha384
    (0x0602, 256, false), // dsa_sha512
];

/// The fewest security bits each level accepts (levels 1 to 5).
fn min_bits(level: u8) -> u16 {
    match level {
        0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// Why an OpenSSL configuration describes no client. The messages do not repeat the cipher
/// string: the caller names it (and the flag it came from).
#[derive(Debug, thiserror::Error)]
pub enum OpenSslError {
    /// The cipher string is not one OpenSSL accepts.
    #[error(transparent)]
    CipherString(#[from] cipher_string::CipherStringError),
    /// A version bound below TLS 1.0, which OpenSSL 3 cannot offer.
    #[error(
        "the {bound} version {version}: OpenSSL 1.1.0 and later are built without SSL 2.0 and \
         3.0; give TLSv1 to TLSv1.3"
    )]
    NoSsl {
        /// "minimum" or "maximum".
        bound: &'static str,
        /// The version given.
        version: ProtocolVersion,
    },
    /// The minimum version is above the maximum.
    #[error("the minimum version {min} is above the maximum version {max}")]
    Inverted {
        /// The minimum given.
        min: ProtocolVersion,
        /// The maximum given.
        max: ProtocolVersion,
    },
    /// The security level leaves no version in the range.
    #[error(
        "security level {level} leaves no protocol version in range (OpenSSL 3.0 refuses SSL \
         3.0 from level 2, TLS 1.0 from level 3 and TLS 1.1 from level 4)"
    )]
    NoVersion {
        /// The effective security level.
        level: u8,
    },
    /// No selected suite can be offered.
    #[error("no suite the string selects can be offered with {range} at security level {level}")]
    NoSuite {
        /// The versions offered, as words ("TLSv1 to TLSv1.1").
        range: String,
        /// The effective security level.
        level: u8,
    },
}

/// Describes an OpenSSL 3.0 client configured with `cipher_string` (`SSL_CTX_set_cipher_list`)
/// and, optionally, a minimum and maximum protocol version.
pub fn describe(
    cipher_string: &str,
    min: Option<ProtocolVersion>,
    max: Option<ProtocolVersion>,
) -> Result<ClientDescription, OpenSslError> {
    let selection = cipher_string::evaluate(cipher_string)?;
    let level = selection.security_level.unwrap_or(DEFAULT_SECURITY_LEVEL);
    let versions = versions(min, max, level)?;
    let (Some(&lowest), Some(&highest)) = (versions.first(), versions.last()) else {
        return Err(OpenSslError::NoVersion { level });
    };
    let bits = min_bits(level);

    let mut suites: Vec<CipherSuite> = Vec::new();
    if highest >= ProtocolVersion::TLSV1_3 {
        suites.extend(
            TLS13_SUITES
                .iter()
                .filter(|(_, strength)| *strength >= bits)
                .map(|(suite, _)| *suite),
        );
    }
    suites.extend(
        selection
            .ciphers
            .iter()
            .filter(|c| c.min_tls <= highest && c.max_tls >= lowest)
            .filter(|c| c.mkey & (kx::ANY_PSK | kx::SRP) == 0 && c.auth & (au::PSK | au::SRP) == 0)
            .filter(|c| allowed(c, level))
            .map(|c| c.suite),
    );
    if suites.is_empty() {
        return Err(OpenSslError::NoSuite {
            range: range_label(lowest, highest),
            level,
        });
    }

    // OpenSSL sends supported_groups only when an offered suite can use one (`use_ecc`).
    let uses_groups = suites.iter().filter_map(|s| s.info()).any(|info| {
        info.is_tls13()
            || matches!(info.kx, KeyExchange::Ecdhe | KeyExchange::EcdhePsk)
            || info.auth == Authentication::Ecdsa
    });
    let groups = GROUPS
        .iter()
        .filter(|_| uses_groups)
        .filter(|(_, strength, tls13)| {
            *strength >= bits && (!tls13 || highest >= ProtocolVersion::TLSV1_3)
        })
        .map(|(group, _, _)| *group)
        .collect();
    let signature_algorithms = if highest < ProtocolVersion::TLSV1_2 {
        Vec::new()
    } else {
        SIGNATURE_ALGORITHMS
            .iter()
            .filter(|(_, strength, tls13)| {
                *strength >= bits && (*tls13 || lowest <= ProtocolVersion::TLSV1_2)
            })
            .map(|(scheme, _, _)| *scheme)
            .collect()
    };
    Ok(ClientDescription {
        name: format!("openssl {cipher_string:?}"),
        source: DescriptionSource::OpenSsl {
            cipher_string: cipher_string.to_string(),
        },
        versions,
        suites,
        groups,
        signature_algorithms,
        server_name: None,
        alpn: Vec::new(),
    })
}

/// `ssl_security_default_callback` for `SSL_SECOP_CIPHER_SUPPORTED`.
fn allowed(c: &suites::Cipher, level: u8) -> bool {
    if level == 0 {
        return true;
    }
    let bits = min_bits(level);
    let forward_secret = c.mkey & (kx::DHE | kx::ECDHE | kx::DHE_PSK | kx::ECDHE_PSK) != 0;
    c.bits >= bits
        && c.auth & au::NULL == 0
        && c.mac & mac::MD5 == 0
        && !(bits > 160 && c.mac & mac::SHA1 != 0)
        && (level < 3 || forward_secret)
}

/// The versions offered, oldest first.
fn versions(
    min: Option<ProtocolVersion>,
    max: Option<ProtocolVersion>,
    level: u8,
) -> Result<Vec<ProtocolVersion>, OpenSslError> {
    for (bound, version) in [("minimum", min), ("maximum", max)] {
        if let Some(version) = version
            && version < ProtocolVersion::TLSV1_0
        {
            return Err(OpenSslError::NoSsl { bound, version });
        }
    }
    let low = min.unwrap_or(ProtocolVersion::TLSV1_0);
    let high = max.unwrap_or(ProtocolVersion::TLSV1_3);
    if low > high {
        return Err(OpenSslError::Inverted {
            min: low,
            max: high,
        });
    }
    let floor = match level {
        0..=2 => ProtocolVersion::TLSV1_0,
        3 => ProtocolVersion::TLSV1_1,
        _ => ProtocolVersion::TLSV1_2,
    };
    Ok(ProtocolVersion::ALL
        .into_iter()
        .filter(|v| (low.max(floor)..=high).contains(v))
        .collect())
}

fn range_label(lowest: ProtocolVersion, highest: ProtocolVersion) -> String {
    if lowest == highest {
        lowest.to_string()
    } else {
        format!("{lowest} to {highest}")
    }
}
