//! Why a handshake fails: the reasons, their stable codes, and the one sentence each prints.

use std::fmt;

use super::ServerKind;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};

/// Items named in a reason before the list is cut short.
const LISTED: usize = 4;

/// Why a handshake fails. `Display` is one sentence a person can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureReason {
    /// No protocol version in common.
    NoCommonVersion {
        /// Policy or listener.
        server: ServerKind,
        /// The client's versions.
        client: Vec<ProtocolVersion>,
        /// The server's versions.
        allowed: Vec<ProtocolVersion>,
    },
    /// Under the version chosen, no suite both sides allow.
    NoCommonCipher {
        /// Policy or listener.
        server: ServerKind,
        /// The version chosen.
        version: ProtocolVersion,
        /// The client's suites defined for that version, in its order.
        offered: Vec<CipherSuite>,
    },
    /// Every common suite needs a certificate the listener does not have.
    CertificateMissing {
        /// Policy or listener.
        server: ServerKind,
        /// The version chosen.
        version: ProtocolVersion,
        /// The certificate kinds those suites need.
        needed: Vec<RequiredCertificate>,
        /// The common suites, in the order they were considered.
        suites: Vec<CipherSuite>,
    },
    /// Under TLS ≤ 1.2, the common suites need the listener's ECDSA certificate, whose curve the
    /// client does not list.
    CertificateCurve {
        /// Policy or listener.
        server: ServerKind,
        /// The version chosen.
        version: ProtocolVersion,
        /// The curves of the listener's ECDSA certificates.
        curves: Vec<NamedGroup>,
        /// The client's groups.
        offered: Vec<NamedGroup>,
    },
    /// The suites left need a key-exchange group, and none is shared.
    NoCommonGroup {
        /// Policy or listener.
        server: ServerKind,
        /// The version chosen.
        version: ProtocolVersion,
        /// The client's groups usable under that version.
        offered: Vec<NamedGroup>,
        /// The server's groups usable under that version.
        accepted: Vec<NamedGroup>,
    },
}

impl FailureReason {
    /// Every code, for documentation and the uniqueness test.
    pub const CODES: [&'static str; 5] = [
        "no-common-version",
        "no-common-cipher",
        "certificate-missing",
        "certificate-curve",
        "no-common-group",
    ];

    /// A stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCommonVersion { .. } => Self::CODES[0],
            Self::NoCommonCipher { .. } => Self::CODES[1],
            Self::CertificateMissing { .. } => Self::CODES[2],
            Self::CertificateCurve { .. } => Self::CODES[3],
            Self::NoCommonGroup { .. } => Self::CODES[4],
        }
    }
}

fn version_name(v: ProtocolVersion) -> String {
    v.display_name()
        .map_or_else(|| v.to_string(), str::to_string)
}

fn version_list(versions: &[ProtocolVersion]) -> String {
    let mut sorted = versions.to_vec();
    sorted.sort();
    let names: Vec<String> = sorted.into_iter().map(version_name).collect();
    names.join(", ")
}

/// `A/B/C`, or `N suites (A/B/C/D/…)` for longer lists.
fn short_list<T: fmt::Display>(items: &[T], unit: &str) -> String {
    let names: Vec<String> = items.iter().take(LISTED).map(ToString::to_string).collect();
    if items.len() <= LISTED {
        names.join("/")
    } else {
        format!("{} {unit} ({}/…)", items.len(), names.join("/"))
    }
}

fn only(len: usize) -> &'static str {
    if len <= LISTED { "only " } else { "" }
}

impl fmt::Display for FailureReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCommonVersion {
                server,
                client,
                allowed,
            } => {
                let noun = server.noun();
                let (Some(client_min), Some(client_max)) =
                    (client.iter().min(), client.iter().max())
                else {
                    return write!(f, "the client offers no protocol version");
                };
                match (allowed.iter().min(), allowed.iter().max()) {
                    (Some(min), _) if client_max < min => write!(
                        f,
                        "client's highest version is {}; {noun} needs {}",
                        version_name(*client_max),
                        version_name(*min)
                    ),
                    (_, Some(max)) if client_min > max => write!(
                        f,
                        "client's lowest version is {}; {noun} allows at most {}",
                        version_name(*client_min),
                        version_name(*max)
                    ),
                    (None, _) | (_, None) => write!(f, "{noun} enables no protocol version"),
                    _ => write!(
                        f,
                        "no version in common: the client offers {}, {noun} allows {}",
                        version_list(client),
                        version_list(allowed)
                    ),
                }
            }
            Self::NoCommonCipher {
                server,
                version,
                offered,
            } => {
                let v = version_name(*version);
                if offered.is_empty() {
                    write!(
                        f,
                        "no common cipher: the client offers no suite defined for {v}, the \
                         version it agrees on with {}",
                        server.noun()
                    )
                } else {
                    write!(
                        f,
                        "no common cipher under {v}: the client offers {}{}, {} allows none of them",
                        only(offered.len()),
                        short_list(offered, "suites"),
                        server.noun()
                    )
                }
            }
            Self::CertificateMissing {
                server,
                version,
                needed,
                suites,
            } => {
                let kinds: Vec<&str> = needed.iter().map(|k| k.label()).collect();
                let owner = match server {
                    ServerKind::Policy => "the policy's",
                    ServerKind::Listener => "the listener's",
                };
                write!(
                    f,
                    "{owner} suites that this client offers under {} ({}) need an {} certificate \
                     the listener does not have",
                    version_name(*version),
                    short_list(suites, "suites"),
                    kinds.join(" or ")
                )
            }
            Self::CertificateCurve {
                server,
                version,
                curves,
                offered,
            } => write!(
                f,
                "the suites this client shares with {} under {} need the listener's ECDSA \
                 certificate, which is on {}, a curve the client does not offer (it offers {}{})",
                server.noun(),
                version_name(*version),
                short_list(curves, "curves"),
                only(offered.len()),
                short_list(offered, "groups")
            ),
            Self::NoCommonGroup {
                server,
                version,
                offered,
                accepted,
            } => {
                let what = if *version >= ProtocolVersion::TLSV1_3 {
                    format!("no common group under {}", version_name(*version))
                } else {
                    format!("no common curve for ECDHE under {}", version_name(*version))
                };
                if offered.is_empty() {
                    write!(
                        f,
                        "{what}: the client sends no usable supported groups, {} accepts {}",
                        server.noun(),
                        short_list(accepted, "groups")
                    )
                } else {
                    write!(
                        f,
                        "{what}: the client offers {}{}, {} accepts only {}",
                        only(offered.len()),
                        short_list(offered, "groups"),
                        server.noun(),
                        short_list(accepted, "groups")
                    )
                }
            }
        }
    }
}
