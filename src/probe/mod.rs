//! The live prober: hand-built ClientHellos out, ServerHellos in, to learn which protocol
//! versions, cipher suites and key-exchange groups an endpoint really accepts — the whole IANA
//! registry, not only what a TLS library can negotiate.
//!
//! [`wire`] is the pure codec (no sockets, no async); the network side builds on it.

pub mod wire;
pub mod cert;
pub mod scan;
pub mod target;
pub mod conn;
pub mod run;
