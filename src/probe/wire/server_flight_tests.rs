//! Tests of the server-flight encoders: each message round-trips, and the prober reads it as
//! encoded.

use super::*;
use crate::probe::wire::{
    DowngradeSentinel, FlightMessage, FlightReader, Progress, ServerResponse,
    read_certificate_chain, read_server_response,
};

fn tls12_hello() -> ServerHelloMessage {
    let mut random = [0x5a; 32];
    random[24..].copy_from_slice(b"DOWNGRD\x01");
    let mut hello = ServerHelloMessage::legacy(
        ProtocolVersion::TLSV1_2,
        random,
        vec![7; 32],
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    );
    hello.extensions = vec![
        ServerExtension::RenegotiationInfo(Vec::new()),
        ServerExtension::ExtendedMasterSecret,
        ServerExtension::EcPointFormats(vec![0]),
        ServerExtension::Alpn(b"h2".to_vec()),
    ];
    hello
}

fn flight(version: ProtocolVersion, messages: &[HandshakeMessage]) -> Vec<u8> {
    let mut out = Vec::new();
    encode_handshake_flight(&mut out, version, messages);
    out
}

fn response(records: &[u8]) -> ServerResponse {
    match read_server_response(records) {
        Ok(Progress::Done(response)) => response,
        other => panic!("expected a complete answer, got {other:?}"),
    }
}

#[test]
fn every_server_extension_round_trips() {
    let extensions = [
        ServerExtension::SupportedVersions(ProtocolVersion::TLSV1_3),
        ServerExtension::KeyShare(plausible_server_key_share(NamedGroup::X25519).unwrap()),
        ServerExtension::HelloRetryKeyShare(NamedGroup::SECP384R1MLKEM1024),
        ServerExtension::Cookie(vec![1, 2, 3]),
        ServerExtension::RenegotiationInfo(Vec::new()),
        ServerExtension::ExtendedMasterSecret,
        ServerExtension::EcPointFormats(vec![0, 1]),
        ServerExtension::Alpn(b"http/1.1".to_vec()),
        ServerExtension::Unknown {
            typ: ExtensionType(0xfe0d),
            data: vec![9, 9],
        },
    ];
    for extension in extensions {
        extension.check_lengths().unwrap();
        let bytes = extension.to_bytes();
        assert_eq!(
            ServerExtension::read_exact(&bytes, "extension"),
            Ok(extension)
        );
    }
    assert_eq!(
        ServerExtension::Alpn(Vec::new()).check_lengths(),
        Err(EncodeError::Empty("alpn.protocol_name"))
    );
}

#[test]
fn the_prober_reads_a_tls12_server_hello_as_encoded() {
    let hello = tls12_hello();
    let records = flight(ProtocolVersion::TLSV1_2, &[hello.to_message().unwrap()]);
    let ServerResponse::ServerHello(seen) = response(&records) else {
        panic!("not a ServerHello");
    };
    assert_eq!(seen.version, ProtocolVersion::TLSV1_2);
    assert_eq!(seen.record_version, ProtocolVersion::TLSV1_2);
    assert_eq!(seen.cipher_suite, hello.cipher_suite);
    assert_eq!(
        seen.downgrade_sentinel,
        Some(DowngradeSentinel::Tls13ToTls12)
    );
    assert!(seen.secure_renegotiation() && seen.extended_master_secret());
    assert_eq!(seen.ec_point_formats, Some(vec![0]));
    assert_eq!(seen.alpn, Some(b"h2".to_vec()));
    assert_eq!(
        ServerHelloMessage::read_exact(&hello.to_bytes(), "ServerHello"),
        Ok(hello)
    );
}

#[test]
fn an_sslv3_server_hello_has_no_extensions_block() {
    let hello = ServerHelloMessage::legacy(
        ProtocolVersion::SSLV3,
        [1; 32],
        Vec::new(),
        CipherSuite::TLS_RSA_WITH_RC4_128_SHA,
    );
    let bytes = hello.to_bytes();
    // Header 4, version 2, random 32, session id 1, suite 2, compression 1: no more.
    assert_eq!(bytes.len(), 4 + 2 + 32 + 1 + 2 + 1);
    let records = flight(ProtocolVersion::SSLV3, &[hello.to_message().unwrap()]);
    let ServerResponse::ServerHello(seen) = response(&records) else {
        panic!("not a ServerHello");
    };
    assert_eq!(seen.version, ProtocolVersion::SSLV3);
    assert!(seen.extensions.is_empty());
}

#[test]
fn the_prober_reads_a_tls13_server_hello_and_a_retry_request() {
    for group in [
        NamedGroup::X25519,
        NamedGroup::SECP256R1,
        NamedGroup::X25519MLKEM768,
        NamedGroup::SECP256R1MLKEM768,
        NamedGroup::SECP384R1MLKEM1024,
    ] {
        let share = plausible_server_key_share(group).unwrap();
        let hello = ServerHelloMessage::tls13(
            [3; 32],
            vec![4; 32],
            CipherSuite::TLS_AES_128_GCM_SHA256,
            share,
        );
        let records = flight(ProtocolVersion::TLSV1_2, &[hello.to_message().unwrap()]);
        let ServerResponse::ServerHello(seen) = response(&records) else {
            panic!("not a ServerHello");
        };
        assert_eq!(seen.version, ProtocolVersion::TLSV1_3);
        assert_eq!(seen.legacy_version, ProtocolVersion::TLSV1_2);
        assert_eq!(seen.selected_group, Some(group));
        assert_eq!(seen.session_id, vec![4; 32]);

        let retry = ServerHelloMessage::hello_retry_request(
            vec![4; 32],
            CipherSuite::TLS_AES_256_GCM_SHA384,
            group,
        );
        assert!(retry.is_hello_retry_request());
        let records = flight(ProtocolVersion::TLSV1_2, &[retry.to_message().unwrap()]);
        let ServerResponse::HelloRetryRequest(seen) = response(&records) else {
            panic!("not a HelloRetryRequest");
        };
        assert_eq!(seen.version, ProtocolVersion::TLSV1_3);
        assert_eq!(seen.cipher_suite, CipherSuite::TLS_AES_256_GCM_SHA384);
        assert_eq!(seen.selected_group, Some(group));
        assert_eq!(
            ServerHelloMessage::read_exact(&retry.to_bytes(), "HelloRetryRequest"),
            Ok(retry)
        );
    }
}

#[test]
fn server_key_shares_have_the_lengths_clients_expect() {
    let len = |g| plausible_server_key_share(g).unwrap().key_exchange.len();
    assert_eq!(len(NamedGroup::X25519), 32);
    assert_eq!(len(NamedGroup::SECP384R1), 97);
    assert_eq!(len(NamedGroup::X25519MLKEM768), 1120);
    assert_eq!(len(NamedGroup::SECP256R1MLKEM768), 1153);
    assert_eq!(len(NamedGroup::SECP384R1MLKEM1024), 1665);
    assert_eq!(len(NamedGroup::MLKEM1024), 1568);
    assert_eq!(plausible_server_key_share(NamedGroup(0x2a2a)), None);
    // The hybrids' EC halves are real points.
    assert_eq!(
        plausible_server_key_share(NamedGroup::SECP256R1MLKEM768)
            .unwrap()
            .key_exchange[0],
        4
    );
}

#[test]
fn the_prober_reads_a_whole_tls12_flight() {
    let der = vec![0x30, 0x03, 0x02, 0x01, 0x01];
    let certificate = CertificateMessage {
        certificates: vec![der, vec![0x30, 0x00]],
    };
    for (version, scheme) in [
        (
            ProtocolVersion::TLSV1_2,
            Some(SignatureScheme::RSA_PKCS1_SHA256),
        ),
        (ProtocolVersion::TLSV1_0, None),
    ] {
        let key_exchange = EcdheServerKeyExchange::plausible(
            NamedGroup::SECP384R1,
            version,
            SignatureScheme::RSA_PKCS1_SHA256,
            256,
        )
        .unwrap();
        assert_eq!(key_exchange.signature_scheme, scheme);
        assert_eq!(key_exchange.public.len(), 97);
        let messages = [
            tls12_hello().to_message().unwrap(),
            certificate.to_message().unwrap(),
            key_exchange.to_message().unwrap(),
            server_hello_done(),
        ];
        let records = flight(version, &messages);
        assert_eq!(
            read_certificate_chain(&records),
            Ok(Progress::Done(Some(certificate.certificates.clone())))
        );
        let mut reader = FlightReader::new(&records);
        let mut seen = Vec::new();
        while let Ok(Progress::Done(FlightMessage::Handshake(message))) = reader.next_message() {
            seen.push(message);
        }
        assert_eq!(seen, messages);
        // What the prober looks at: curve type 3, then the curve.
        assert_eq!(seen[2].body[..3], [3, 0, 0x18]);
        assert_eq!(
            EcdheServerKeyExchange::parse(&seen[2].body, version),
            Ok(key_exchange)
        );
        assert_eq!(
            CertificateMessage::read_exact(&certificate.to_bytes(), "Certificate"),
            Ok(certificate.clone())
        );
        assert_eq!(seen[3].body, Vec::<u8>::new());
    }
}

#[test]
fn the_prober_reads_an_alert_as_encoded() {
    for description in [
        AlertDescription::HANDSHAKE_FAILURE,
        AlertDescription::PROTOCOL_VERSION,
    ] {
        let record = Alert::fatal(description).to_record(ProtocolVersion::TLSV1_0);
        assert_eq!(record[..5], [21, 3, 1, 0, 2]);
        assert_eq!(
            response(&record),
            ServerResponse::Alert(Alert {
                level: AlertLevel::FATAL,
                description
            })
        );
    }
}

#[test]
fn rejects_every_truncation_of_the_server_messages() {
    let share = plausible_server_key_share(NamedGroup::X25519MLKEM768).unwrap();
    let messages = [
        tls12_hello().to_bytes(),
        ServerHelloMessage::tls13([3; 32], vec![4; 32], CipherSuite(0x1301), share).to_bytes(),
        ServerHelloMessage::hello_retry_request(vec![], CipherSuite(0x1302), NamedGroup::X25519)
            .to_bytes(),
        CertificateMessage {
            certificates: vec![vec![0x30, 0x00]],
        }
        .to_bytes(),
    ];
    for bytes in &messages {
        for cut in 0..bytes.len() {
            let truncated = &bytes[..cut];
            let hello = ServerHelloMessage::read_exact(truncated, "ServerHello");
            let certificate = CertificateMessage::read_exact(truncated, "Certificate");
            assert!(hello.is_err() && certificate.is_err(), "cut at {cut}");
        }
    }
    let key_exchange = EcdheServerKeyExchange::plausible(
        NamedGroup::X25519,
        ProtocolVersion::TLSV1_2,
        SignatureScheme::ECDSA_SECP256R1_SHA256,
        72,
    )
    .unwrap()
    .to_message()
    .unwrap();
    for cut in 0..key_exchange.body.len() {
        assert!(
            EcdheServerKeyExchange::parse(&key_exchange.body[..cut], ProtocolVersion::TLSV1_2)
                .is_err(),
            "cut at {cut}"
        );
    }
}

#[test]
fn refuses_to_encode_what_does_not_fit() {
    let mut hello = tls12_hello();
    hello.session_id = vec![0; 33];
    assert!(hello.to_message().is_err());
    assert_eq!(
        CertificateMessage {
            certificates: vec![vec![]]
        }
        .to_message(),
        Err(EncodeError::Empty("Certificate.certificate"))
    );
    let mut key_exchange = EcdheServerKeyExchange::plausible(
        NamedGroup::SECP256R1,
        ProtocolVersion::TLSV1_0,
        SignatureScheme::RSA_PKCS1_SHA1,
        128,
    )
    .unwrap();
    key_exchange.public = vec![4; 256];
    assert!(key_exchange.to_message().is_err());
    assert_eq!(
        EcdheServerKeyExchange::plausible(
            NamedGroup::SECT571R1,
            ProtocolVersion::TLSV1_2,
            SignatureScheme::RSA_PKCS1_SHA256,
            256
        ),
        None
    );
}

#[test]
fn handshake_messages_round_trip_and_are_bounded() {
    let message = server_hello_done();
    assert_eq!(message.to_bytes(), [14, 0, 0, 0]);
    assert_eq!(
        HandshakeMessage::read_exact(&[14, 0, 0, 0], "message"),
        Ok(message)
    );
    assert!(matches!(
        HandshakeMessage::read_exact(&[11, 0xff, 0xff, 0xff], "message"),
        Err(DecodeError::TooLarge { .. })
    ));
}
