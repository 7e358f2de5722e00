//! `--client-hello FILE`: a ClientHello saved to a file, as raw bytes or as hex.
//!
//! Accepted forms:
//! - raw bytes: one or more TLS records starting with the handshake record of the hello
//!   (`16 03 01 …`), as a packet capture's "export packet bytes" gives them, or the bare handshake
//!   message without the record header (`01 00 …`);
//! - hex of either, with any whitespace, `:` or `,` between digits and an optional `0x` before
//!   each group (Wireshark's "Copy as Hex Stream", `xxd -p`).
//!
//! Bytes after the hello (a capture that goes on) are ignored. Errors name the file and say what
//! is wrong in terms of the file, never of the codec's internals.

use std::path::Path;

use super::hello::describe;
use super::{ClientDescription, DescriptionSource};
use crate::probe::wire::{
    ClientHello, ClientHelloError, ContentType, Progress, encode_records, parse_client_hello,
};
use crate::tls::ProtocolVersion;

/// The largest file read: a ClientHello is at most 64 KiB plus record headers; anything far
/// larger is not one.
const MAX_FILE: u64 = 1024 * 1024;

/// The first byte of a ClientHello handshake message (`client_hello`).
const CLIENT_HELLO_TYPE: u8 = 1;

/// Why a ClientHello file could not be used. The messages do not name the file: the caller
/// says which file (and which flag) it was.
#[derive(Debug, thiserror::Error)]
pub enum HelloFileError {
    /// The file could not be read.
    #[error("cannot read the file")]
    Read(#[source] std::io::Error),
    /// The file is far larger than any ClientHello.
    #[error(
        "{size} bytes is far larger than any ClientHello (at most about 64 KiB); give a file \
         holding one hello"
    )]
    TooLarge {
        /// The file's size in bytes.
        size: u64,
    },
    /// The content is not one ClientHello, as raw bytes or hex; the text says what is wrong.
    #[error("{0}")]
    NotAHello(String),
}

/// Reads the ClientHello in `path` and describes what it offers.
pub fn read(path: &Path) -> Result<ClientDescription, HelloFileError> {
    let shown = path.display();
    let size = std::fs::metadata(path).map_err(HelloFileError::Read)?.len();
    if size > MAX_FILE {
        return Err(HelloFileError::TooLarge { size });
    }
    let content = std::fs::read(path).map_err(HelloFileError::Read)?;
    let bytes = decode(&content).map_err(HelloFileError::NotAHello)?;
    let hello = parse(&bytes).map_err(HelloFileError::NotAHello)?;
    let name = path
        .file_name()
        .map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
    Ok(describe(
        &hello,
        name,
        DescriptionSource::File {
            path: shown.to_string(),
        },
    ))
}

/// The bytes a file holds: decoded hex when the file is text, else the file itself.
fn decode(content: &[u8]) -> Result<Vec<u8>, String> {
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err("the file is empty".to_string());
    }
    let is_text = content
        .iter()
        .all(|b| b.is_ascii_graphic() || b.is_ascii_whitespace());
    if !is_text {
        return Ok(content.to_vec());
    }
    // Text must be hex: a raw hello starts with 0x16 or 0x01, which are not text.
    let text = String::from_utf8_lossy(content);
    let mut digits: Vec<u8> = Vec::with_capacity(content.len());
    for (line_index, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut column = 1;
        while let Some(c) = rest.chars().next() {
            let skip = if rest.starts_with("0x") || rest.starts_with("0X") {
                2
            } else if c.is_ascii_hexdigit() {
                digits.push(c as u8);
                1
            } else if c.is_ascii_whitespace() || c == ':' || c == ',' {
                1
            } else {
                return Err(format!(
                    "line {}, column {column}: `{c}` is not a hex digit; give the hello as raw \
                     bytes or as hex (whitespace, `:` and `,` between digits are fine)",
                    line_index + 1
                ));
            };
            rest = &rest[skip..];
            column += skip;
        }
    }
    if !digits.len().is_multiple_of(2) {
        return Err(format!(
            "an odd number of hex digits ({}): a byte is two digits, so one is missing or extra",
            digits.len()
        ));
    }
    let value = |d: u8| (d as char).to_digit(16).unwrap_or(0) as u8;
    Ok(digits
        .chunks(2)
        .map(|pair| (value(pair[0]) << 4) | value(pair[1]))
        .collect())
}

/// The ClientHello in `bytes`: records, or a bare handshake message.
fn parse(bytes: &[u8]) -> Result<ClientHello, String> {
    let records = match bytes.first() {
        Some(&first) if first == ContentType::HANDSHAKE.0 => bytes.to_vec(),
        Some(&CLIENT_HELLO_TYPE) => {
            // A bare handshake message: give it the record layer the reader expects.
            let mut records = Vec::with_capacity(bytes.len() + 5);
            encode_records(
                &mut records,
                ContentType::HANDSHAKE,
                ProtocolVersion::TLSV1_0,
                bytes,
            );
            records
        }
        Some(&first) => {
            let seen = match parse_client_hello(bytes) {
                Err(ClientHelloError::NotTls { seen }) => format!(": {seen}"),
                Err(e) => format!(": {e}"),
                Ok(_) => String::new(),
            };
            return Err(format!(
                "does not start with a TLS handshake record (0x16) or a ClientHello message \
                 (0x01): the first byte is {first:#04x}{seen}"
            ));
        }
        None => return Err("the file is empty".to_string()),
    };
    match parse_client_hello(&records) {
        Ok(Progress::Done(hello)) => Ok(hello),
        Ok(Progress::NeedMore) => Err(format!(
            "truncated: the {} bytes end before the ClientHello does (a record header or the \
             handshake length announces more); save the whole hello",
            bytes.len()
        )),
        Err(e) => Err(format!("not a ClientHello this program can read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::wire::ClientHelloSpec;
    use crate::tls::CipherSuite;

    fn records() -> Vec<u8> {
        let mut spec = ClientHelloSpec::new(ProtocolVersion::TLSV1_2, [3; 32]);
        spec.cipher_suites = vec![CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256];
        spec.server_name = Some("file.example".into());
        spec.build().unwrap()
    }

    fn hex(bytes: &[u8], separator: &str) -> String {
        bytes
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(separator)
    }

    #[test]
    fn decodes_hex_with_separators_and_prefixes() {
        assert_eq!(
            decode(b"16 03:01,0x00\n0X05\r\n").unwrap(),
            [22, 3, 1, 0, 5]
        );
        assert_eq!(decode(b"\x16\x03\x01").unwrap(), [22, 3, 1]);
    }

    #[test]
    fn reads_records_bare_messages_and_their_hex() {
        let records = records();
        let message = &records[5..];
        for bytes in [
            records.clone(),
            message.to_vec(),
            hex(&records, " ").into_bytes(),
            hex(message, ":").into_bytes(),
        ] {
            let hello = parse(&decode(&bytes).unwrap()).unwrap();
            assert_eq!(hello.server_name(), Some("file.example"));
        }
    }

    #[test]
    fn says_what_is_wrong() {
        assert_eq!(decode(b" \n").unwrap_err(), "the file is empty");
        let odd = decode(b"160").unwrap_err();
        assert!(odd.contains("odd number of hex digits (3)"), "{odd}");
        let not_hex = decode(b"16 03\n01 zz").unwrap_err();
        assert!(not_hex.starts_with("line 2, column 4: `z`"), "{not_hex}");
        let records = records();
        let truncated = parse(&records[..records.len() - 3]).unwrap_err();
        assert!(truncated.starts_with("truncated"), "{truncated}");
        let alert = parse(&[21, 3, 3, 0, 2, 2, 40]).unwrap_err();
        assert!(alert.contains("first byte is 0x15"), "{alert}");
        let mut wrong_type = records;
        wrong_type[5] = 2; // a ServerHello
        let server = parse(&wrong_type).unwrap_err();
        assert!(server.contains("expected ClientHello"), "{server}");
    }
}
