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
