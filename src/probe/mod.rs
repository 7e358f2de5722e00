//! The live prober: hand-built ClientHellos out, ServerHellos in, to learn which protocol
//! versions, cipher suites and key-exchange groups an endpoint really accepts — the whole IANA
//! registry, not only what a TLS library can negotiate.
//!
//! [`wire`] is the pure codec (no sockets, no async); [`scan`] decides which offers to make and
//! what the answers mean; [`conn`] makes the handshakes over TCP; [`cert`] reads certificate chains
//! with full rustls handshakes; [`run`] probes one endpoint from start to end.

pub mod cert;
pub mod conn;
pub mod run;
pub mod scan;
pub mod target;
pub mod wire;
