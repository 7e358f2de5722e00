//! `--client-hello FILE` on a ClientHello captured from a real `openssl s_client` (OpenSSL 3.0,
//! `-servername files.example.test -alpn h2,http/1.1`), saved as raw records, as `xxd -p` hex and
//! as the bare handshake message in colon-separated hex (`tests/data/client_hello/`); and on
//! files that are not ClientHellos.

use std::path::{Path, PathBuf};

use elbtls::client::{DescriptionSource, hello_file};
use elbtls::tls::{CipherSuite, NamedGroup, ProtocolVersion};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/client_hello")
        .join(name)
}

/// A scratch file holding `content`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, content: &[u8]) -> Self {
        let path = std::env::temp_dir().join(format!("elbtls-hello-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        Self(path)
    }

    fn error(&self) -> String {
        format!("{:#}", hello_file::read(&self.0).unwrap_err())
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn reads_a_captured_hello_in_every_form() {
    let raw = hello_file::read(&data("openssl-3.0-default.bin")).unwrap();
    assert_eq!(raw.name, "openssl-3.0-default.bin");
    assert!(
        matches!(&raw.source, DescriptionSource::File { path } if path.ends_with("openssl-3.0-default.bin"))
    );
    assert_eq!(
        raw.versions,
        [
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_1,
            ProtocolVersion::TLSV1_2,
            ProtocolVersion::TLSV1_3
        ]
    );
    assert_eq!(raw.suites.len(), 30);
    assert_eq!(
        raw.suites[..4],
        [
            CipherSuite::TLS_AES_256_GCM_SHA384,
            CipherSuite::TLS_CHACHA20_POLY1305_SHA256,
            CipherSuite::TLS_AES_128_GCM_SHA256,
            CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
        ]
    );
    assert_eq!(
        raw.suites.last(),
        Some(&CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA)
    );
    assert!(
        !raw.suites
            .contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV),
        "signalling suites are dropped"
    );
    assert_eq!(raw.groups[..2], [NamedGroup::X25519, NamedGroup::SECP256R1]);
    assert_eq!(raw.groups.len(), 10);
    assert_eq!(raw.signature_algorithms.len(), 20);
    assert_eq!(raw.signature_algorithms[0], 0x0403);
    assert_eq!(raw.server_name.as_deref(), Some("files.example.test"));
    assert_eq!(raw.alpn, ["h2", "http/1.1"]);

    for other in ["openssl-3.0-default.hex", "openssl-3.0-default.message.hex"] {
        let described = hello_file::read(&data(other)).unwrap();
        assert_eq!(
            (
                &described.versions,
                &described.suites,
                &described.groups,
                &described.signature_algorithms,
                &described.server_name,
                &described.alpn
            ),
            (
                &raw.versions,
                &raw.suites,
                &raw.groups,
                &raw.signature_algorithms,
                &raw.server_name,
                &raw.alpn
            ),
            "{other}"
        );
    }
}

#[test]
fn names_the_file_and_what_is_wrong_with_it() {
    let missing = hello_file::read(Path::new("/nonexistent/hello.bin")).unwrap_err();
    // The flag and the path are named by the command line (client_cli's usage-error test).
    assert!(
        matches!(&missing, hello_file::HelloFileError::Read(e) if e.kind() == std::io::ErrorKind::NotFound),
        "{missing:?}"
    );
    assert_eq!(missing.to_string(), "cannot read the file");

    let text = Scratch::new("text.txt", b"16 03 01\nhello world\n");
    let error = text.error();
    assert!(
        error.contains("line 2, column 1: `h` is not a hex digit"),
        "{error}"
    );

    let binary = Scratch::new("garbage.bin", &[0x00, 0xff, 0x13, 0x37, 0x80]);
    let error = binary.error();
    assert!(
        error.contains("does not start with a TLS handshake record (0x16) or a ClientHello message (0x01): the first byte is 0x00"),
        "{error}"
    );

    let bytes = std::fs::read(data("openssl-3.0-default.bin")).unwrap();
    let truncated = Scratch::new("truncated.bin", &bytes[..200]);
    assert!(
        truncated
            .error()
            .contains("truncated: the 200 bytes end before the ClientHello does")
    );

    let empty = Scratch::new("empty.hex", b"\n");
    assert!(empty.error().ends_with("the file is empty"));

    let http = Scratch::new("http.bin", b"GET / HTTP/1.1\r\n\x00");
    assert!(
        http.error().contains("\"GET / HTTP/1.1\""),
        "{}",
        http.error()
    );
}
