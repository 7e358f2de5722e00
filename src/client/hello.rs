//! From a ClientHello on the wire to a [`ClientDescription`]: what `--capture` and
//! `--client-hello FILE` both do once they hold the bytes.
//!
//! What is kept is what a server negotiates with; what is dropped is noise a server ignores:
//!
//! - GREASE values (RFC 8701: `0x?A?A` in suites, groups, versions, signature algorithms and ALPN)
//!   and the signalling suites (`TLS_EMPTY_RENEGOTIATION_INFO_SCSV`, `TLS_FALLBACK_SCSV`).
//! - Versions: `supported_versions` when sent (RFC 8446 §4.2.1: `legacy_version` is then ignored),
//!   else every version from TLS 1.0 up to `legacy_version` (capped at TLS 1.2). SSL 3.0 is listed
//!   only when `legacy_version` itself is SSL 3.0: a hello cannot say its minimum, and no TLS
//!   library in use since POODLE (2014) accepts an SSL 3.0 answer unless it asked for SSL 3.0.
//! - Unknown (non-GREASE) code points survive: a negotiator ignores what it does not know, and a
//!   report can still show them as hex.

use crate::client::{ClientDescription, DescriptionSource};
use crate::probe::wire::ClientHello;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion};

/// Whether a 16-bit code point is a GREASE value (RFC 8701): `0x0A0A`, `0x1A1A` … `0xFAFA`.
pub fn is_grease(value: u16) -> bool {
    value & 0x0f0f == 0x0a0a && value >> 8 == value & 0xff
}

/// Whether an ALPN protocol name is a GREASE value (two bytes `0x?A 0x?A`, equal).
fn is_grease_alpn(name: &[u8]) -> bool {
    matches!(name, [a, b] if a == b && a & 0x0f == 0x0a)
}

/// The versions a server reads from `hello` (see the module documentation), oldest first.
pub fn offered_versions(hello: &ClientHello) -> Vec<ProtocolVersion> {
    let mut versions: Vec<ProtocolVersion> = match hello.supported_versions() {
        Some(list) => list
            .iter()
            .copied()
            .filter(|v| !is_grease(v.0) && v.is_known() && *v != ProtocolVersion::SSLV2)
            .collect(),
        None => {
            let ceiling = hello.client_version.min(ProtocolVersion::TLSV1_2);
            let floor = if ceiling == ProtocolVersion::SSLV3 {
                ProtocolVersion::SSLV3
            } else {
                ProtocolVersion::TLSV1_0
            };
            ProtocolVersion::ALL
                .into_iter()
                .filter(|v| (floor..=ceiling).contains(v))
                .collect()
        }
    };
    versions.sort();
    versions.dedup();
    versions
}

/// Describes what `hello` offers.
pub fn describe(hello: &ClientHello, name: String, source: DescriptionSource) -> ClientDescription {
    let suites: Vec<CipherSuite> = hello
        .cipher_suites
        .iter()
        .copied()
        .filter(|s| !is_grease(s.0))
        .filter(|s| !s.info().is_some_and(|info| info.is_signalling()))
        .collect();
    let groups: Vec<NamedGroup> = hello
        .supported_groups()
        .unwrap_or_default()
        .iter()
        .copied()
        .filter(|g| !is_grease(g.0))
        .collect();
    let signature_algorithms = hello
        .signature_algorithms()
        .unwrap_or_default()
        .iter()
        .map(|s| s.0)
        .filter(|s| !is_grease(*s))
        .collect();
    let alpn = hello
        .alpn_protocols()
        .unwrap_or_default()
        .iter()
        .filter(|p| !is_grease_alpn(p))
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect();
    ClientDescription {
        name,
        source,
        versions: offered_versions(hello),
        suites,
        groups,
        signature_algorithms,
        server_name: hello.server_name().map(str::to_string),
        alpn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::wire::{ClientExtension, ClientHelloSpec, SignatureScheme};

    #[test]
    fn recognises_every_grease_value_and_nothing_else() {
        let grease: Vec<u16> = (0..=0xffff_u16).filter(|v| is_grease(*v)).collect();
        assert_eq!(grease.len(), 16);
        assert_eq!(grease[0], 0x0a0a);
        assert_eq!(grease[15], 0xfafa);
        assert!(!is_grease(0x0a1a) && !is_grease(0x1301));
        assert!(is_grease_alpn(&[0x3a, 0x3a]) && !is_grease_alpn(b"h2"));
    }

    fn hello(version: ProtocolVersion) -> ClientHello {
        let mut spec = ClientHelloSpec::new(version, [9; 32]);
        spec.cipher_suites = vec![
            CipherSuite(0x2a2a),
            CipherSuite::TLS_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
            CipherSuite(0x7777),
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
        ];
        spec.supported_groups = vec![NamedGroup(0x3a3a), NamedGroup::X25519];
        spec.server_name = Some("app.example".into());
        spec.alpn = vec![vec![0x5a, 0x5a], b"h2".to_vec()];
        spec.client_hello().unwrap()
    }

    #[test]
    fn drops_grease_and_signalling_values_and_keeps_the_rest_in_order() {
        let mut hello = hello(ProtocolVersion::TLSV1_3);
        for extension in &mut hello.extensions {
            if let ClientExtension::SupportedVersions(versions) = extension {
                versions.insert(0, ProtocolVersion(0xdada));
            }
            if let ClientExtension::SignatureAlgorithms(schemes) = extension {
                schemes.insert(0, SignatureScheme(0x1a1a));
            }
        }
        let d = describe(
            &hello,
            "t".into(),
            DescriptionSource::File { path: "x".into() },
        );
        assert_eq!(
            d.suites,
            [
                CipherSuite::TLS_AES_128_GCM_SHA256,
                CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                CipherSuite(0x7777)
            ]
        );
        assert_eq!(d.groups, [NamedGroup::X25519]);
        assert_eq!(d.versions, [ProtocolVersion::TLSV1_3]);
        assert_eq!(d.signature_algorithms[0], SignatureScheme::BROAD[0].0);
        assert_eq!(d.server_name.as_deref(), Some("app.example"));
        assert_eq!(d.alpn, ["h2"]);
    }

    #[test]
    fn a_legacy_hello_offers_tls10_up_to_its_version() {
        let tls11 = hello(ProtocolVersion::TLSV1_1);
        assert_eq!(
            offered_versions(&tls11),
            [ProtocolVersion::TLSV1_0, ProtocolVersion::TLSV1_1]
        );
        let mut sslv3 = hello(ProtocolVersion::TLSV1_1);
        sslv3.client_version = ProtocolVersion::SSLV3;
        assert_eq!(offered_versions(&sslv3), [ProtocolVersion::SSLV3]);
    }
}
