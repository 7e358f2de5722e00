//! What a live probe saw at one endpoint. Produced by `probe`, read by `compare` and `report`.

use std::time::Duration;

use crate::model::certificate::CertificateChain;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};

/// The endpoint a probe was aimed at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The host as given (a DNS name or an IP address).
    pub host: String,
    /// The TCP port.
    pub port: u16,
    /// The address connected to, once resolved.
    pub address: Option<std::net::SocketAddr>,
    /// The server name sent in SNI, if any.
    pub sni: Option<String>,
}

impl Endpoint {
    /// `host:port` (IPv6 addresses in brackets).
    pub fn label(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Whether a protocol version (or another single property) is supported, as far as the probe could
/// tell. An error is never read as "not supported".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Support {
    /// The server answered with this version.
    Accepted,
    /// The server refused it (alert, other version, or closed after the hello).
    Rejected,
    /// The probe could not tell (timeout, garbage, reset).
    Unknown(String),
}

impl Support {
    /// Whether the version was accepted.
    pub fn is_accepted(&self) -> bool {
        matches!(self, Self::Accepted)
    }
}

/// What one protocol version accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolObservation {
    /// The version probed.
    pub version: ProtocolVersion,
    /// Whether the server accepted it.
    pub support: Support,
    /// The cipher suites the server picked under this version: in the server's order of preference
    /// when `server_order` is `Some(true)`, else in the order they were found.
    pub ciphers: Vec<CipherSuite>,
    /// Whether the server enforces its own cipher order (`None`: fewer than two ciphers, or not
    /// determined).
    pub server_order: Option<bool>,
    /// Whether the cipher enumeration ran to its end (`false` when a handshake failed midway, so
    /// more ciphers may be accepted than listed).
    pub complete: bool,
}

#[cfg(test)]
impl ProtocolObservation {
    /// For tests: a complete observation of `version` in server order, accepting these suites
    /// (OpenSSL or IANA names), or refused when there are none.
    pub(crate) fn named(version: ProtocolVersion, ciphers: &[&str]) -> Self {
        Self {
            version,
            support: if ciphers.is_empty() {
                Support::Rejected
            } else {
                Support::Accepted
            },
            ciphers: ciphers
                .iter()
                .map(|n| CipherSuite::from_name(n).unwrap())
                .collect(),
            server_order: (!ciphers.is_empty()).then_some(true),
            complete: true,
        }
    }
}

impl ProtocolObservation {
    /// The accepted suites this version can negotiate by the book, in the order found.
    pub fn within_version(&self) -> Vec<CipherSuite> {
        self.ciphers
            .iter()
            .copied()
            .filter(|s| s.info().is_none_or(|info| info.usable_with(self.version)))
            .collect()
    }

    /// Accepted suites that need another version than this one (a TLS 1.2-only AES-GCM suite
    /// under TLS 1.0). s2n-tls, which ALB and NLB run, settles for such a suite when the client
    /// offers nothing valid for the negotiated version; a client that offers a suite valid for the
    /// version never gets one of these. A fact of the server, not of its policy.
    pub fn beyond_version(&self) -> Vec<CipherSuite> {
        self.ciphers
            .iter()
            .copied()
            .filter(|s| s.info().is_some_and(|info| !info.usable_with(self.version)))
            .collect()
    }
}

/// The key-exchange groups an endpoint accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupObservation {
    /// Groups found with TLS 1.3 (HelloRetryRequest), in the server's order of preference;
    /// `None` when not probed (no TLS 1.3) or the probe failed.
    pub tls13: Option<Vec<NamedGroup>>,
    /// Groups found with TLS 1.2 ECDHE (ServerKeyExchange); `None` when not probed.
    pub tls12: Option<Vec<NamedGroup>>,
}

impl GroupObservation {
    /// Every group seen under any version, without duplicates, TLS 1.3 order first.
    pub fn all(&self) -> Vec<NamedGroup> {
        let mut all: Vec<NamedGroup> = Vec::new();
        for group in self
            .tls13
            .iter()
            .flatten()
            .chain(self.tls12.iter().flatten())
        {
            if !all.contains(group) {
                all.push(*group);
            }
        }
        all
    }

    /// Whether any group was probed successfully.
    pub fn known(&self) -> bool {
        self.tls13.is_some() || self.tls12.is_some()
    }
}

/// Everything a completed probe saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// One entry per version probed, oldest first.
    pub protocols: Vec<ProtocolObservation>,
    /// Key-exchange groups.
    pub groups: GroupObservation,
    /// The certificate chains presented (one per distinct leaf: an RSA and an ECDSA one when the
    /// server holds both).
    pub certificates: Vec<CertificateChain>,
    /// Problems that did not stop the probe (a handshake that timed out, a certificate that could
    /// not be read); each makes part of the result less certain.
    pub warnings: Vec<String>,
    /// The node addresses probed, when the name resolved to several and all were probed
    /// (`--all-addresses`); empty otherwise. The acceptance above is then their union.
    pub nodes: Vec<String>,
    /// How the nodes differ from the first one (empty when they agree).
    pub node_disagreements: Vec<String>,
    /// Nodes that could not be probed, with the reason: the listener is then verified only in part.
    pub failed_nodes: Vec<String>,
    /// Parts of the handshake probing that could not be determined besides the per-version
    /// results: a group enumeration that broke off, the endpoint deadline passing. Each makes the
    /// observation incomplete; the reasons are also among `warnings`.
    pub gaps: Vec<String>,
    /// Why certificates the server may present could not be read (a certificate handshake reset
    /// or timed out, a chain too large to take in): the certificate checks then cannot vouch for
    /// the listener. Empty when every certificate handshake ended with a chain or a refusal, or
    /// when certificates were not asked for. The reasons are also among `warnings`.
    pub certificates_unread: Vec<String>,
}

impl Observed {
    /// The versions the server accepted.
    pub fn accepted_versions(&self) -> Vec<ProtocolVersion> {
        self.protocols
            .iter()
            .filter(|p| p.support.is_accepted())
            .map(|p| p.version)
            .collect()
    }

    /// Whether everything was determined: every version, every enumeration to its end, and every
    /// certificate. An incomplete observation cannot vouch for a listener.
    pub fn is_complete(&self) -> bool {
        self.handshakes_complete() && self.certificates_complete()
    }

    /// Whether every version was determined and every suite and group enumeration ran to its end
    /// on every node (certificates aside).
    pub fn handshakes_complete(&self) -> bool {
        self.failed_nodes.is_empty()
            && self.gaps.is_empty()
            && self
                .protocols
                .iter()
                .all(|p| p.complete && !matches!(p.support, Support::Unknown(_)))
    }

    /// Whether every certificate the server may present was read (or none was asked for).
    pub fn certificates_complete(&self) -> bool {
        self.certificates_unread.is_empty()
    }

    /// The observation of one version.
    pub fn protocol(&self, version: ProtocolVersion) -> Option<&ProtocolObservation> {
        self.protocols.iter().find(|p| p.version == version)
    }

    /// Whether `suite` was accepted under `version`.
    pub fn accepts(&self, version: ProtocolVersion, suite: CipherSuite) -> bool {
        self.protocol(version)
            .is_some_and(|p| p.support.is_accepted() && p.ciphers.contains(&suite))
    }

    /// Every suite accepted under any version, without duplicates.
    pub fn accepted_suites(&self) -> Vec<CipherSuite> {
        let mut all = Vec::new();
        for p in &self.protocols {
            for suite in &p.ciphers {
                if !all.contains(suite) {
                    all.push(*suite);
                }
            }
        }
        all
    }

    /// Whether the server could ever be seen negotiating a suite that needs `required`, given the
    /// certificates it presented (or, when none could be read, the suites it accepted).
    pub fn can_observe(&self, required: RequiredCertificate) -> bool {
        match required {
            RequiredCertificate::None | RequiredCertificate::Any => true,
            kind if !self.certificates.is_empty() => self
                .certificates
                .iter()
                .any(|chain| chain.leaf_key.satisfies(kind)),
            kind => self.accepted_suites().iter().any(|s| {
                s.info()
                    .is_some_and(|info| info.required_certificate() == kind)
            }),
        }
    }
}

/// How a probe of one endpoint ended.
// One value per endpoint probed: the size of `Completed` costs nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// The probe ran; see [`Observed`] (which may still carry warnings).
    Completed(Observed),
    /// No TCP connection could be made (refused, timed out, name not resolved, no route).
    Unreachable {
        /// Why, in words a person can act on.
        reason: String,
    },
    /// A connection was made but the endpoint does not speak TLS as a server (it sent garbage,
    /// plain HTTP, or closed every connection).
    Failed {
        /// What the endpoint did instead of answering as a TLS server, in words.
        reason: String,
    },
}

/// The result of probing one endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The endpoint probed (host, port, address, server name sent).
    pub endpoint: Endpoint,
    /// What the probe established, or why it could not.
    pub outcome: ProbeOutcome,
    /// TCP connections opened.
    pub connections: u32,
    /// Wall time of the probe.
    pub duration: Duration,
}
