//! What a client offers in its ClientHello: the one model every way of describing a client ends in.

use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// Where a client description came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DescriptionSource {
    /// A built-in or user profile (`--profile NAME`), with the source of its facts.
    Profile {
        /// The profile name.
        name: String,
        /// Where its facts come from (URL or reference).
        source: String,
    },
    /// A ClientHello captured from a real client (`--capture`).
    Captured {
        /// The peer address it came from.
        peer: String,
    },
    /// A ClientHello read from a file (`--client-hello FILE`).
    File {
        /// The file.
        path: String,
    },
    /// OpenSSL settings (`--openssl "CIPHER STRING"`).
    OpenSsl {
        /// The cipher string.
        cipher_string: String,
    },
}

/// What a client offers. Lists keep the client's order (its preference).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientDescription {
    /// A short name for reports (`java-8`, `captured 127.0.0.1:51234`).
    pub name: String,
    /// Where it came from.
    pub source: DescriptionSource,
    /// Every protocol version the client can offer, oldest first (from `legacy_version` and
    /// `supported_versions`).
    pub versions: Vec<ProtocolVersion>,
    /// Cipher suites in the client's order (TLS 1.3 suites included; signalling values removed).
    pub suites: Vec<CipherSuite>,
    /// `supported_groups` in the client's order (empty when the client sends none: then TLS ≤ 1.2
    /// servers pick a curve of their own, and TLS 1.3 cannot be negotiated).
    pub groups: Vec<NamedGroup>,
    /// `signature_algorithms` code points in the client's order (empty when not sent).
    pub signature_algorithms: Vec<u16>,
    /// The SNI host name, when sent.
    pub server_name: Option<String>,
    /// ALPN protocols, when sent.
    pub alpn: Vec<String>,
}

impl ClientDescription {
    /// The newest version offered.
    pub fn max_version(&self) -> Option<ProtocolVersion> {
        self.versions.iter().max().copied()
    }

    /// The oldest version offered.
    pub fn min_version(&self) -> Option<ProtocolVersion> {
        self.versions.iter().min().copied()
    }
}
