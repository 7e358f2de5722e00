//! The TLS wire codec of the prober: ClientHellos built byte by byte, and a parser for whatever a
//! server sends back (ServerHello, HelloRetryRequest, alert, certificates — or something that is
//! not TLS at all).
//!
//! Pure code: bytes in, values out. The reader never panics and never allocates from a length
//! field before checking it against a limit, because the bytes come from servers nobody vouches for.
//!
//! ```
//! use elbtls::probe::wire::{ClientHelloSpec, Progress, ServerResponse, read_server_response};
//! use elbtls::tls::{CipherSuite, ProtocolVersion};
//!
//! let mut spec = ClientHelloSpec::new(ProtocolVersion::TLSV1_2, [7; 32]);
//! spec.cipher_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256];
//! let records: Vec<u8> = spec.build().expect("a valid offer");
//! assert_eq!(records[0], 22); // a handshake record, ready for the socket
//!
//! // Feed whatever has arrived so far; `NeedMore` until a ServerHello or an alert is complete.
//! assert_eq!(read_server_response(&[0x16, 0x03, 0x03]), Ok(Progress::NeedMore));
//! ```

/// Declares an open code-point newtype over `u8` or `u16` with named constants, their names,
/// `Display` (name or hex) and `Codec`.
macro_rules! open_code {
    (
        $(#[$meta:meta])*
        $name:ident($repr:ident) {
            $($(#[$cmeta:meta])* $constant:ident = $value:literal => $text:literal,)*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $repr);

        impl $name {
            $($(#[$cmeta])* pub const $constant: Self = Self($value);)*

            /// The IANA name, or `None` for a value this program has no name for.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($text),)*
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            /// The IANA name, or hex for an unknown value.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self.name() {
                    Some(name) => f.write_str(name),
                    None => write!(f, "{:#0width$x}", self.0, width = 2 + 2 * size_of::<$repr>()),
                }
            }
        }

        impl $crate::probe::wire::codec::Codec for $name {
            fn encode(&self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.0.to_be_bytes());
            }

            fn read(
                r: &mut $crate::probe::wire::codec::Reader<'_>,
            ) -> Result<Self, $crate::probe::wire::codec::DecodeError> {
                r.$repr(stringify!($name)).map(Self)
            }
        }
    };
}

mod alert;
mod client_hello;
mod client_hello_reader;
pub mod codec;
mod extension;
mod key_share;
mod record;
mod server_flight;
mod server_hello;

#[cfg(test)]
mod live_openssl;
#[cfg(test)]
mod robustness;

pub use alert::{Alert, AlertDescription, AlertLevel};
pub use client_hello::{ClientHello, ClientHelloSpec};
pub use client_hello_reader::{ClientHelloError, parse_client_hello};
pub use codec::{Codec, DecodeError, EncodeError, Reader};
pub use extension::{ClientExtension, ExtensionType, KeyShareEntry, SignatureScheme};
pub use key_share::plausible_key_share;
pub use record::{
    ContentType, FlightMessage, FlightReader, HandshakeMessage, HandshakeType,
    MAX_HANDSHAKE_MESSAGE, MAX_PLAINTEXT_FRAGMENT, Progress, ResponseError, encode_records,
};
pub use server_flight::{
    CertificateMessage, EcdheServerKeyExchange, ServerExtension, ServerHelloMessage,
    encode_handshake_flight, plausible_server_key_share, server_hello_done,
};
pub use server_hello::{
    DowngradeSentinel, HELLO_RETRY_REQUEST_RANDOM, HelloRetryRequest, ServerHello, ServerResponse,
    parse_server_hello, read_certificate_chain, read_server_response,
};
