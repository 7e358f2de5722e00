//! Tests of the server-response parser, on answers captured from `openssl s_server` 3.0 and a
//! plain-HTTP nginx on 127.0.0.1 (see `live_openssl.rs`, which also re-captures them).

use super::*;
use crate::probe::wire::alert::AlertDescription;
use crate::probe::wire::record::{MAX_CERTIFICATE_MESSAGE, MAX_HANDSHAKE_MESSAGE};

/// Default OpenSSL 3 server, TLS 1.2 offer of ECDHE-RSA-AES128-GCM-SHA256: ServerHello,
/// Certificate, ServerKeyExchange, ServerHelloDone, one record each.
const TLS12_FLIGHT: &[u8] = include_bytes!("testdata/tls12_server_hello_flight.bin");
/// The certificate that server was started with, in DER.
const TLS12_CERTIFICATE: &[u8] = include_bytes!("testdata/tls12_certificate.der");
/// Same server, TLS 1.3 offer with an X25519 key share: ServerHello, ChangeCipherSpec, then
/// encrypted records.
const TLS13_FLIGHT: &[u8] = include_bytes!("testdata/tls13_server_hello_flight.bin");
/// Same server, TLS 1.3 offer of x25519 and secp256r1 with an empty key_share list.
const TLS13_RETRY: &[u8] = include_bytes!("testdata/tls13_hello_retry_request.bin");
/// `-cipher ALL:@SECLEVEL=0 -min_protocol TLSv1`, TLS 1.0 offer of every registry suite.
const TLS10_FLIGHT: &[u8] = include_bytes!("testdata/tls10_server_hello_flight.bin");
/// Default server, TLS 1.2 offer of only TLS_DHE_DSS_WITH_AES_128_CBC_SHA (it has an RSA key).
const ALERT_HANDSHAKE_FAILURE: &[u8] = include_bytes!("testdata/alert_handshake_failure.bin");
/// `-min_protocol TLSv1.2`, TLS 1.1 offer.
const ALERT_PROTOCOL_VERSION: &[u8] = include_bytes!("testdata/alert_protocol_version.bin");
/// nginx serving plain HTTP, sent a TLS 1.2 ClientHello.
const HTTP_400: &[u8] = include_bytes!("testdata/http_400_response.bin");

/// Every capture, for the tests that must hold on all of them.
pub(in crate::probe::wire) const CAPTURES: &[&[u8]] = &[
    TLS12_FLIGHT,
    TLS13_FLIGHT,
    TLS13_RETRY,
    TLS10_FLIGHT,
    ALERT_HANDSHAKE_FAILURE,
    ALERT_PROTOCOL_VERSION,
    HTTP_400,
];

fn response(received: &[u8]) -> ServerResponse {
    match read_server_response(received) {
        Ok(Progress::Done(response)) => response,
        other => panic!("expected a complete response, got {other:?}"),
    }
}

fn server_hello(received: &[u8]) -> ServerHello {
    match response(received) {
        ServerResponse::ServerHello(hello) => hello,
        other => panic!("expected a ServerHello, got {other:?}"),
    }
}

/// The handshake messages at the start of a flight (before any other record), as one stream.
fn handshake_stream(flight: &[u8]) -> Vec<u8> {
    let mut stream = Vec::new();
    let mut r = Reader::new(flight);
    while r.peek_rest().first() == Some(&22) {
        r.take(3, "header").unwrap();
        stream.extend_from_slice(r.sub(LengthPrefix::U16, "fragment").unwrap().rest());
    }
    stream
}

/// The handshake stream re-framed into records of `size` bytes.
fn reframe(stream: &[u8], size: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for fragment in stream.chunks(size) {
        out.extend_from_slice(&[22, 3, 3]);
        out.extend_from_slice(&(fragment.len() as u16).to_be_bytes());
        out.extend_from_slice(fragment);
    }
    out
}

/// A handshake record holding one `server_hello` message with this body.
fn server_hello_record(body: &[u8]) -> Vec<u8> {
    let mut message = vec![2, 0, 0, body.len() as u8];
    message.extend_from_slice(body);
    reframe(&message, 16_384)
}

/// A ServerHello body: version 0x0303, random of 7s, no session id, `suite`, null compression,
/// then `extensions` (raw, with their list prefix left to this function) if `Some`.
fn server_hello_body(suite: u16, extensions: Option<&[u8]>) -> Vec<u8> {
    let mut body = vec![3, 3];
    body.extend_from_slice(&[7; 32]);
    body.push(0);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    if let Some(extensions) = extensions {
        body.extend_from_slice(&(extensions.len() as u16).to_be_bytes());
        body.extend_from_slice(extensions);
    }
    body
}

#[test]
fn parses_tls12_server_hello_from_openssl() {
    let hello = server_hello(TLS12_FLIGHT);
    assert_eq!(hello.record_version, ProtocolVersion::TLSV1_2);
    assert_eq!(hello.version, ProtocolVersion::TLSV1_2);
    assert_eq!(
        hello.cipher_suite,
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    );
    assert_eq!(hello.compression, 0);
    assert!(hello.secure_renegotiation());
    assert!(hello.extended_master_secret());
    assert_eq!(hello.ec_point_formats, Some(vec![0, 1, 2]));
    assert_eq!(hello.selected_group, None);
    // OpenSSL also speaks TLS 1.3, and says so in the random.
    assert_eq!(
        hello.downgrade_sentinel,
        Some(DowngradeSentinel::Tls13ToTls12)
    );
}

#[test]
fn extracts_the_certificate_chain_that_follows_a_tls12_server_hello() {
    assert_eq!(
        read_certificate_chain(TLS12_FLIGHT),
        Ok(Progress::Done(Some(vec![TLS12_CERTIFICATE.to_vec()])))
    );
    assert_eq!(
        read_certificate_chain(TLS10_FLIGHT),
        Ok(Progress::Done(Some(vec![TLS12_CERTIFICATE.to_vec()])))
    );
    // Until the Certificate message is complete, the answer is "need more".
    let stream_end = 5 + 65 + 5 + 791;
    for cut in 0..stream_end {
        assert_eq!(
            read_certificate_chain(&TLS12_FLIGHT[..cut]),
            Ok(Progress::NeedMore),
            "cut at {cut}"
        );
    }
    // No plaintext chain under TLS 1.3, after a retry request, or after an alert.
    for flight in [TLS13_FLIGHT, TLS13_RETRY, ALERT_HANDSHAKE_FAILURE] {
        assert_eq!(read_certificate_chain(flight), Ok(Progress::Done(None)));
    }
}

#[test]
fn parses_tls13_server_hello_by_its_supported_versions() {
    let hello = server_hello(TLS13_FLIGHT);
    assert_eq!(hello.legacy_version, ProtocolVersion::TLSV1_2);
    assert_eq!(hello.version, ProtocolVersion::TLSV1_3);
    assert_eq!(hello.selected_group, Some(NamedGroup::X25519));
    assert_eq!(hello.cipher_suite.0 >> 8, 0x13);
    // The session id echoes the probe's (the random of 0x11 reversed and masked with 0x5c).
    assert_eq!(hello.session_id, [0x4d; 32]);
    assert_eq!(hello.downgrade_sentinel, None);
    assert!(hello.has_extension(ExtensionType::KEY_SHARE));
}

#[test]
fn recognises_hello_retry_request() {
    let ServerResponse::HelloRetryRequest(retry) = response(TLS13_RETRY) else {
        panic!("not a HelloRetryRequest");
    };
    assert_eq!(retry.version, ProtocolVersion::TLSV1_3);
    assert_eq!(retry.selected_group, Some(NamedGroup::X25519));
    assert_eq!(retry.cipher_suite.0 >> 8, 0x13);
    assert!(!retry.cookie);
    assert_eq!(
        retry.extensions,
        [ExtensionType::SUPPORTED_VERSIONS, ExtensionType::KEY_SHARE]
    );
}

#[test]
fn parses_legacy_tls10_server_hello() {
    let hello = server_hello(TLS10_FLIGHT);
    assert_eq!(hello.record_version, ProtocolVersion::TLSV1_0);
    assert_eq!(hello.version, ProtocolVersion::TLSV1_0);
    assert_eq!(
        hello.downgrade_sentinel,
        Some(DowngradeSentinel::Tls12ToTls11OrBelow)
    );
}

#[test]
fn reports_alerts_by_name() {
    let ServerResponse::Alert(alert) = response(ALERT_HANDSHAKE_FAILURE) else {
        panic!("not an alert");
    };
    assert_eq!(alert.to_string(), "fatal handshake_failure (40)");
    let ServerResponse::Alert(alert) = response(ALERT_PROTOCOL_VERSION) else {
        panic!("not an alert");
    };
    assert_eq!(alert.description, AlertDescription::PROTOCOL_VERSION);
    assert!(alert.is_fatal());
}

#[test]
fn reports_http_response_as_not_tls() {
    let error = read_server_response(HTTP_400).unwrap_err();
    assert_eq!(
        error.to_string(),
        "not TLS: the server answered \"HTTP/1.1 400 Bad Request\" (text, not a TLS record)"
    );
    // The first byte is enough to tell.
    assert!(matches!(
        read_server_response(b"H"),
        Err(ResponseError::NotTls { .. })
    ));
}

#[test]
fn parses_server_hello_split_across_records() {
    for flight in [TLS12_FLIGHT, TLS10_FLIGHT] {
        let want = server_hello(flight);
        let stream = handshake_stream(flight);
        for size in [1, 2, 3, 5, 64, 16_384] {
            let split = reframe(&stream, size);
            let mut got = server_hello(&split);
            got.record_version = want.record_version;
            assert_eq!(got, want, "fragments of {size}");
            assert_eq!(
                read_certificate_chain(&split),
                read_certificate_chain(flight)
            );
        }
    }
}

#[test]
fn reads_several_handshake_messages_from_one_record() {
    let stream = handshake_stream(TLS12_FLIGHT);
    let one_record = reframe(&stream, stream.len());
    assert_eq!(one_record.len(), stream.len() + 5);
    let mut reader = FlightReader::new(&one_record);
    let mut types = Vec::new();
    while let Ok(Progress::Done(FlightMessage::Handshake(message))) = reader.next_message() {
        types.push(message.typ);
    }
    assert_eq!(
        types,
        [
            HandshakeType::SERVER_HELLO,
            HandshakeType::CERTIFICATE,
            HandshakeType::SERVER_KEY_EXCHANGE,
            HandshakeType::SERVER_HELLO_DONE
        ]
    );
    assert_eq!(reader.next_message(), Ok(Progress::NeedMore));
}

#[test]
fn every_prefix_of_a_capture_needs_more_or_gives_the_same_answer() {
    for capture in CAPTURES {
        let full = read_server_response(capture);
        let mut complete = false;
        for cut in 0..=capture.len() {
            match read_server_response(&capture[..cut]) {
                Ok(Progress::NeedMore) => assert!(!complete, "answer went back to NeedMore"),
                other => {
                    complete = true;
                    if other.is_ok() {
                        assert_eq!(other, full, "cut at {cut}");
                    }
                }
            }
        }
        assert!(complete);
    }
}

#[test]
fn rejects_every_truncation_of_server_hello() {
    for flight in [TLS12_FLIGHT, TLS13_FLIGHT, TLS13_RETRY, TLS10_FLIGHT] {
        let stream = handshake_stream(flight);
        let mut reader = FlightReader::new(flight);
        let Ok(Progress::Done(FlightMessage::Handshake(message))) = reader.next_message() else {
            panic!("no handshake message");
        };
        let body = &message.body;
        assert_eq!(
            body.len(),
            usize::from(stream[3]) | usize::from(stream[2]) << 8
        );
        // version, random, session id, suite, compression: where the extensions begin.
        let extensions_start = 2 + 32 + 1 + usize::from(body[34]) + 3;
        for cut in 0..body.len() {
            let parsed = parse_server_hello(&body[..cut], ProtocolVersion::TLSV1_2);
            if cut == extensions_start {
                // A hello without extensions is valid (SSL 3.0 servers send them).
                assert!(parsed.is_ok(), "cut at {cut}: {parsed:?}");
            } else {
                assert!(
                    matches!(parsed, Err(DecodeError::MissingData(_))),
                    "cut at {cut}: {parsed:?}"
                );
            }
        }
        // Trailing bytes after the last extension are refused too.
        let mut long = body.clone();
        long.push(0);
        assert_eq!(
            parse_server_hello(&long, ProtocolVersion::TLSV1_2),
            Err(DecodeError::TrailingData("ServerHello"))
        );
    }
}

#[test]
fn unknown_versions_suites_and_groups_survive() {
    // supported_versions: a TLS 1.3 draft; key_share: an unknown group with a 1-byte key.
    let extensions = [
        0, 0x2b, 0, 2, 0x7f, 0x1c, 0, 0x33, 0, 5, 0x9a, 0x9a, 0, 1, 0xff,
    ];
    let record = server_hello_record(&server_hello_body(0x1234, Some(&extensions)));
    let hello = server_hello(&record);
    assert_eq!(hello.version, ProtocolVersion(0x7f1c));
    assert_eq!(hello.cipher_suite, CipherSuite(0x1234));
    assert_eq!(hello.selected_group, Some(NamedGroup(0x9a9a)));
    assert_eq!(hello.cipher_suite.to_string(), "0x1234");
}

#[test]
fn reads_a_server_hello_without_extensions_and_with_alpn() {
    let bare = server_hello(&server_hello_record(&server_hello_body(0x002f, None)));
    assert!(bare.extensions.is_empty());
    let alpn = [0, 0x10, 0, 5, 0, 3, 2, b'h', b'2'];
    let hello = server_hello(&server_hello_record(&server_hello_body(
        0xc02f,
        Some(&alpn),
    )));
    assert_eq!(hello.alpn.as_deref(), Some(&b"h2"[..]));
}

#[test]
fn rejects_malformed_server_hellos() {
    let duplicate = [0xff, 1, 0, 1, 0, 0xff, 1, 0, 1, 0];
    assert!(matches!(
        parse_server_hello(
            &server_hello_body(0xc02f, Some(&duplicate)),
            ProtocolVersion::TLSV1_2
        ),
        Err(DecodeError::InvalidValue { value: 0xff01, .. })
    ));
    let mut long_session = vec![3, 3];
    long_session.extend_from_slice(&[0; 32]);
    long_session.push(33);
    long_session.extend_from_slice(&[0; 36]);
    assert!(matches!(
        parse_server_hello(&long_session, ProtocolVersion::TLSV1_2),
        Err(DecodeError::TooLarge { limit: 32, .. })
    ));
    let two_versions = [0, 0x2b, 0, 4, 3, 4, 3, 3];
    assert_eq!(
        parse_server_hello(
            &server_hello_body(0x1301, Some(&two_versions)),
            ProtocolVersion::TLSV1_2
        ),
        Err(DecodeError::TrailingData("Extension.extension_data"))
    );
}

/// Extensions whose presence is the datum are read whatever a server puts inside; a malformed
/// one still counts as sent.
#[test]
fn presence_extensions_with_odd_contents_still_count() {
    // renegotiation_info holding 2 bytes without their length; extended_master_secret with a
    // byte inside.
    let odd = [0xff, 1, 0, 2, 7, 7, 0, 0x17, 0, 1, 9];
    let hello = server_hello(&server_hello_record(&server_hello_body(0xc02f, Some(&odd))));
    assert!(hello.secure_renegotiation());
    assert!(hello.extended_master_secret());
}

#[test]
fn refuses_a_certificate_before_server_hello() {
    let stream = handshake_stream(TLS12_FLIGHT);
    let certificate_first = reframe(&stream[4 + 61..], 16_384);
    let error = read_server_response(&certificate_first).unwrap_err();
    assert_eq!(
        error.to_string(),
        "expected ServerHello, got a certificate handshake message (11)"
    );
    // A hello_request before it is ignored.
    let mut with_request = vec![0, 0, 0, 0];
    with_request.extend_from_slice(&stream);
    assert_eq!(
        server_hello(&reframe(&with_request, 100)),
        server_hello(TLS12_FLIGHT)
    );
}

#[test]
fn bounds_the_certificate_list() {
    let hello = server_hello_record(&server_hello_body(0x002f, None));
    let certificate = |entries: &[&[u8]]| {
        let list: Vec<u8> = entries
            .iter()
            .flat_map(|der| {
                let len = (der.len() as u32).to_be_bytes();
                [&len[1..], der].concat()
            })
            .collect();
        let len = (list.len() as u32).to_be_bytes();
        let body = [&len[1..], &list].concat();
        let message = [&[11][..], &(body.len() as u32).to_be_bytes()[1..], &body].concat();
        [hello.clone(), reframe(&message, 16_384)].concat()
    };
    assert_eq!(
        read_certificate_chain(&certificate(&[&b"x"[..]; 32])),
        Ok(Progress::Done(Some(vec![b"x".to_vec(); 32])))
    );
    assert!(matches!(
        read_certificate_chain(&certificate(&[&b"x"[..]; 33])),
        Err(ResponseError::Decode(DecodeError::TooLarge {
            limit: 32,
            ..
        }))
    ));
    assert_eq!(
        read_certificate_chain(&certificate(&[&b""[..]])),
        Err(ResponseError::Decode(DecodeError::MissingData(
            "Certificate.certificate (empty)"
        )))
    );
    // A chain past the Certificate size limit is refused before it is buffered.
    let len = (MAX_CERTIFICATE_MESSAGE as u32 + 1).to_be_bytes();
    let huge = [
        hello.clone(),
        vec![22, 3, 3, 0, 4, 11, len[1], len[2], len[3]],
    ]
    .concat();
    assert_eq!(
        read_certificate_chain(&huge),
        Err(ResponseError::Decode(DecodeError::TooLarge {
            what: "handshake message",
            len: MAX_CERTIFICATE_MESSAGE + 1,
            limit: MAX_CERTIFICATE_MESSAGE,
        }))
    );
    // Other handshake messages keep the smaller limit.
    let len = (MAX_HANDSHAKE_MESSAGE as u32 + 1).to_be_bytes();
    let huge = [
        hello.clone(),
        vec![22, 3, 3, 0, 4, 12, len[1], len[2], len[3]],
    ]
    .concat();
    let mut flight = FlightReader::new(&huge);
    assert!(matches!(flight.next_message(), Ok(Progress::Done(_))));
    assert_eq!(
        flight.next_message(),
        Err(ResponseError::Decode(DecodeError::TooLarge {
            what: "handshake message",
            len: MAX_HANDSHAKE_MESSAGE + 1,
            limit: MAX_HANDSHAKE_MESSAGE,
        }))
    );
}

#[test]
fn reads_a_certificate_chain_larger_than_a_handshake_message() {
    // A 70 KB certificate (more than rustls and the 64 KiB handshake limit take) in 16 KiB records.
    let hello = server_hello_record(&server_hello_body(0x002f, None));
    let der = vec![0x30; 70_000];
    let list = [&(der.len() as u32).to_be_bytes()[1..], &der[..]].concat();
    let body = [&(list.len() as u32).to_be_bytes()[1..], &list[..]].concat();
    let message = [&[11][..], &(body.len() as u32).to_be_bytes()[1..], &body].concat();
    let flight = [hello, reframe(&message, 16_384)].concat();
    assert_eq!(
        read_certificate_chain(&flight),
        Ok(Progress::Done(Some(vec![der])))
    );
    // Every truncation is NeedMore, never an error.
    for cut in [flight.len() - 1, flight.len() - 20_000, 100] {
        assert_eq!(
            read_certificate_chain(&flight[..cut]),
            Ok(Progress::NeedMore)
        );
    }
}
