//! The TLS registry: protocol versions, every IANA cipher suite, the named groups.
//!
//! This is the leaf of elbtls: it imports nothing of ours. The tables are generated at build time
//! from the data files in `src/tls/data/` (see their header comments for sources).

mod cipher_suite;
mod group;
mod version;

pub use cipher_suite::{
    Authentication, CipherMode, CipherSuite, CipherSuiteInfo, Encryption, KeyExchange, Mac,
    RequiredCertificate, Sslv2CipherKind, SuiteProperty,
};
pub use group::{GroupKind, NamedGroup, NamedGroupInfo};
pub use version::{ProtocolVersion, UnknownVersion};
