//! Clients: what a TLS client offers (from a built-in profile, a captured ClientHello, a ClientHello
//! file or OpenSSL settings), and whether — and why not — it can negotiate with a policy or a
//! listener.

pub mod capture;
pub mod description;
pub mod hello;
pub mod hello_file;
pub mod logs;
pub mod negotiate;
pub mod openssl;
pub mod profile;
pub mod rank;

pub use description::{ClientDescription, DescriptionSource};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::tls::ProtocolVersion;

/// Where the description of a client comes from (validated: a profile that exists, an address to
/// listen on, versions that parse).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientSource {
    /// A built-in profile, by name.
    Profile(String),
    /// Listen on `addr` and capture the first ClientHello of each of `count` connections.
    Capture {
        /// Where to listen.
        addr: SocketAddr,
        /// How many clients to capture.
        count: usize,
    },
    /// A ClientHello saved to a file (raw or hex).
    HelloFile(PathBuf),
    /// An OpenSSL 3 client with this cipher string and version range.
    OpenSsl {
        /// The cipher string (`-cipher`).
        cipher_string: String,
        /// The oldest version it offers.
        min: Option<ProtocolVersion>,
        /// The newest version it offers.
        max: Option<ProtocolVersion>,
    },
}

/// How long one captured connection may take to deliver its ClientHello.
pub const CAPTURE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a client could not be described. The caller names the source it came from.
#[derive(Debug, thiserror::Error)]
pub enum DescribeError {
    /// The built-in profiles do not load (a build defect).
    #[error(transparent)]
    Profiles(#[from] profile::ProfileError),
    /// No built-in profile has the name.
    #[error(transparent)]
    UnknownProfile(#[from] profile::UnknownProfile),
    /// The capture could not start.
    #[error(transparent)]
    Capture(#[from] capture::CaptureError),
    /// The ClientHello file could not be used.
    #[error(transparent)]
    HelloFile(#[from] hello_file::HelloFileError),
    /// The OpenSSL settings describe no client.
    #[error(transparent)]
    OpenSsl(#[from] openssl::OpenSslError),
}

/// The client(s) `source` describes: one, or each captured one. A capture waits for its clients
/// and reports each event through `notify`.
pub async fn describe(
    source: &ClientSource,
    notify: impl FnMut(&str),
) -> Result<Vec<ClientDescription>, DescribeError> {
    Ok(match source {
        ClientSource::Profile(name) => {
            let profiles = profile::builtin()?;
            vec![profile::find(&profiles, name)?.describe()]
        }
        ClientSource::Capture { addr, count } => {
            capture::capture(*addr, *count, CAPTURE_TIMEOUT, notify).await?
        }
        ClientSource::HelloFile(path) => vec![hello_file::read(path)?],
        ClientSource::OpenSsl {
            cipher_string,
            min,
            max,
        } => vec![openssl::describe(cipher_string, *min, *max)?],
    })
}
