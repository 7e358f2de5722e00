//! Protocol versions: the wire values of SSL 2.0 to TLS 1.3 and their names.

use std::fmt;
use std::str::FromStr;

/// A protocol version as it appears on the wire (`ProtocolVersion` of RFC 8446 §4.1.2).
///
/// An open newtype: values this program has no name for survive and print as hex, because a
/// scanner meets them (GREASE, drafts, garbage).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtocolVersion(pub u16);

impl ProtocolVersion {
    /// SSL 2.0. Its records and hellos have another layout; it is known here by name only.
    pub const SSLV2: Self = Self(0x0002);
    /// SSL 3.0 (RFC 6101).
    pub const SSLV3: Self = Self(0x0300);
    /// TLS 1.0 (RFC 2246); AWS spells it `TLSv1`.
    pub const TLSV1_0: Self = Self(0x0301);
    /// TLS 1.1 (RFC 4346).
    pub const TLSV1_1: Self = Self(0x0302);
    /// TLS 1.2 (RFC 5246).
    pub const TLSV1_2: Self = Self(0x0303);
    /// TLS 1.3 (RFC 8446).
    pub const TLSV1_3: Self = Self(0x0304);

    /// Every version this program knows, oldest first.
    pub const ALL: [Self; 6] = [
        Self::SSLV2,
        Self::SSLV3,
        Self::TLSV1_0,
        Self::TLSV1_1,
        Self::TLSV1_2,
        Self::TLSV1_3,
    ];

    /// The name AWS uses in `SslProtocols` and Classic `Protocol-*` attributes
    /// (`SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`), or `None` for an unknown value.
    pub fn aws_name(self) -> Option<&'static str> {
        Some(match self {
            Self::SSLV2 => "SSLv2",
            Self::SSLV3 => "SSLv3",
            Self::TLSV1_0 => "TLSv1",
            Self::TLSV1_1 => "TLSv1.1",
            Self::TLSV1_2 => "TLSv1.2",
            Self::TLSV1_3 => "TLSv1.3",
            _ => return None,
        })
    }

    /// A name for people: `SSL 3.0`, `TLS 1.0` … `TLS 1.3`.
    pub fn display_name(self) -> Option<&'static str> {
        Some(match self {
            Self::SSLV2 => "SSL 2.0",
            Self::SSLV3 => "SSL 3.0",
            Self::TLSV1_0 => "TLS 1.0",
            Self::TLSV1_1 => "TLS 1.1",
            Self::TLSV1_2 => "TLS 1.2",
            Self::TLSV1_3 => "TLS 1.3",
            _ => return None,
        })
    }

    /// Whether this is one of the versions named above.
    pub fn is_known(self) -> bool {
        Self::ALL.contains(&self)
    }
}

impl fmt::Display for ProtocolVersion {
    /// AWS spelling for known versions, `0x….` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.aws_name() {
            Some(name) => f.write_str(name),
            None => write!(f, "{:#06x}", self.0),
        }
    }
}

/// A version name that is not one of the accepted spellings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown protocol version `{0}`: expected one of SSLv2, SSLv3, TLSv1 (or TLSv1.0), TLSv1.1, TLSv1.2, TLSv1.3"
)]
pub struct UnknownVersion(pub String);

impl FromStr for ProtocolVersion {
    type Err = UnknownVersion;

    /// Accepts AWS spellings (`TLSv1`, `TLSv1.2`), OpenSSL ones (`TLSv1.0`), the human ones
    /// (`TLS 1.2`, `tls1.2`, `1.2`) and `Protocol-TLSv1.2`, case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lowered = s.trim().to_ascii_lowercase();
        let key: String = lowered
            .trim_start_matches("protocol-")
            .chars()
            .filter(|c| !matches!(c, ' ' | '_' | 'v'))
            .collect();
        Ok(match key.as_str() {
            "ssl2" | "ssl2.0" => Self::SSLV2,
            "ssl3" | "ssl3.0" => Self::SSLV3,
            "tls1" | "tls1.0" | "1.0" => Self::TLSV1_0,
            "tls1.1" | "1.1" => Self::TLSV1_1,
            "tls1.2" | "1.2" => Self::TLSV1_2,
            "tls1.3" | "1.3" => Self::TLSV1_3,
            _ => return Err(UnknownVersion(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_aws_openssl_and_human_spellings() {
        for (text, want) in [
            ("TLSv1", ProtocolVersion::TLSV1_0),
            ("TLSv1.0", ProtocolVersion::TLSV1_0),
            ("tls1.2", ProtocolVersion::TLSV1_2),
            ("TLS 1.3", ProtocolVersion::TLSV1_3),
            ("Protocol-TLSv1.1", ProtocolVersion::TLSV1_1),
            ("SSLv3", ProtocolVersion::SSLV3),
            ("1.2", ProtocolVersion::TLSV1_2),
        ] {
            assert_eq!(text.parse::<ProtocolVersion>(), Ok(want), "{text}");
        }
        assert!("TLSv1.4".parse::<ProtocolVersion>().is_err());
        assert!("".parse::<ProtocolVersion>().is_err());
    }

    #[test]
    fn unknown_values_print_as_hex() {
        assert_eq!(ProtocolVersion(0x7f1c).to_string(), "0x7f1c");
        assert_eq!(ProtocolVersion::TLSV1_0.to_string(), "TLSv1");
        assert!(ProtocolVersion::SSLV3 < ProtocolVersion::TLSV1_3);
    }
}
