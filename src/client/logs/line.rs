//! One log line → one [`Entry`], for the three AWS formats that record TLS negotiations. The format
//! is recognised per line (by its first field), so a file may mix them.
//!
//! Field lists, in order, as the Elastic Load Balancing user guides document them (AWS adds new
//! fields only at the end of an entry and asks readers to ignore what they do not expect; only the
//! leading fields named here are read, the rest of the line is not looked at):
//!
//! - **ALB access log** ("Access logs for your Application Load Balancer", *Access log entries*):
//!   `type time elb client:port target:port request_processing_time target_processing_time
//!   response_processing_time elb_status_code target_status_code received_bytes sent_bytes
//!   "request" "user_agent" ssl_cipher ssl_protocol target_group_arn "trace_id" …` — one entry per
//!   request (a keep-alive connection has several). `type` is `http`, `https`, `h2`, `grpcs`, `ws`
//!   or `wss`; `ssl_cipher`/`ssl_protocol` are `-` on a plain-HTTP listener.
//! - **ALB connection log** ("Connection logs for your Application Load Balancer", *Syntax*):
//!   `timestamp client_ip client_port listener_port tls_protocol tls_cipher tls_handshake_latency
//!   "leaf_client_cert_subject" leaf_client_cert_validity leaf_client_cert_serial_number
//!   tls_verify_status conn_trace_id tls_keyexchange` — one entry per connection attempt;
//!   `tls_verify_status` is `Success` or `Failed:$error_code`; `tls_keyexchange` (13th, newer) is
//!   the key-exchange group.
//! - **NLB access log** ("Access logs for your Network Load Balancer", *Access log entries*):
//!   `type version time elb listener client:port destination:port connection_time
//!   tls_handshake_time received_bytes sent_bytes incoming_tls_alert chosen_cert_arn
//!   chosen_cert_serial tls_cipher tls_protocol_version tls_named_group|tls_keyexchange domain_name
//!   alpn_fe_protocol alpn_be_protocol alpn_client_preference_list tls_connection_creation_time` —
//!   `type` is always `tls`; versions are spelled `tlsv10` … `tlsv13`; cipher and version are `-`
//!   when the handshake did not complete. The 17th field was "reserved, always `-`"
//!   (`tls_named_group`) and is now `tls_keyexchange`.
//!
//! ALB fields are separated by single spaces and some are enclosed in double quotes (a quoted field
//! may hold spaces; `\"` inside it is a literal quote). NLB fields are never quoted as a whole
//! (`alpn_client_preference_list` holds `"h2","http/1.1"` without spaces), so NLB lines are split
//! on spaces only.

use std::fmt;

/// The log formats elbtls reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogFormat {
    /// Application Load Balancer access log (one entry per request).
    AlbAccess,
    /// Application Load Balancer connection log (one entry per connection).
    AlbConnection,
    /// Network Load Balancer access log (TLS listeners only, one entry per connection).
    NlbAccess,
}

impl LogFormat {
    /// Every format, in report order.
    pub const ALL: [Self; 3] = [Self::AlbAccess, Self::AlbConnection, Self::NlbAccess];

    /// The JSON spelling: `alb-access`, `alb-connection`, `nlb-access`.
    pub fn code(self) -> &'static str {
        match self {
            Self::AlbAccess => "alb-access",
            Self::AlbConnection => "alb-connection",
            Self::NlbAccess => "nlb-access",
        }
    }

    /// A name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::AlbAccess => "ALB access log",
            Self::AlbConnection => "ALB connection log",
            Self::NlbAccess => "NLB access log",
        }
    }

    /// Position in [`LogFormat::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// Whether entries of this format carry a `User-Agent`.
    pub fn has_user_agent(self) -> bool {
        self == Self::AlbAccess
    }

    /// Fields a line must have: up to the last one read.
    fn needed_fields(self) -> usize {
        match self {
            // … ssl_cipher ssl_protocol
            Self::AlbAccess => 16,
            // … tls_verify_status
            Self::AlbConnection => 11,
            // … tls_named_group / tls_keyexchange
            Self::NlbAccess => 17,
        }
    }
}

impl fmt::Display for LogFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What one well-formed line says about TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Entry<'a> {
    /// No TLS: a plain-HTTP (or WebSocket) request or connection.
    Plain {
        /// The line's format.
        format: LogFormat,
    },
    /// TLS was attempted but nothing was negotiated (the handshake failed: no protocol and no
    /// cipher recorded).
    NotNegotiated {
        /// The line's format.
        format: LogFormat,
        /// The client's IP address, as logged.
        client_ip: &'a str,
    },
    /// A negotiated TLS session.
    Tls(Negotiated<'a>),
}

/// A negotiated TLS session, fields as logged (not yet resolved against the registry).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated<'a> {
    /// The line's format.
    pub format: LogFormat,
    /// Protocol as logged (`TLSv1.2`, `tlsv12`).
    pub protocol: &'a str,
    /// Cipher as logged (OpenSSL name for TLS ≤ 1.2, IANA name for TLS 1.3).
    pub cipher: &'a str,
    /// Key-exchange group, when the log records one (`-` is `None`).
    pub group: Option<&'a str>,
    /// The client's IP address, as logged (without the port).
    pub client_ip: &'a str,
    /// The `User-Agent`, when the format has one and it is not `-` (raw bytes: may not be UTF-8).
    pub user_agent: Option<&'a [u8]>,
}

/// Why a line was not read. Never fatal: the line is counted as malformed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// The first field matches none of the formats.
    #[error(
        "not an ALB access, ALB connection or NLB access log entry (first field `{0}`){hint}",
        hint = classic_hint(.0)
    )]
    UnknownFormat(String),
    /// The line is longer than any real entry (no line breaks in the file?).
    #[error("line longer than {max} bytes (not a log file?)")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// Too few fields for the format.
    #[error("{format}: {found} fields, at least {needed} expected")]
    FieldCount {
        /// The format recognised from the first field.
        format: LogFormat,
        /// Fields found.
        found: usize,
        /// Fields needed.
        needed: usize,
    },
    /// A quoted field does not end on the line.
    #[error("{format}: field {field} opens a quote that is never closed")]
    UnterminatedQuote {
        /// The format.
        format: LogFormat,
        /// 1-based field position.
        field: usize,
    },
    /// A closing quote is followed by something other than a space.
    #[error("{format}: field {field}: text after the closing quote")]
    TextAfterQuote {
        /// The format.
        format: LogFormat,
        /// 1-based field position.
        field: usize,
    },
    /// A field that must hold a value of some shape does not.
    #[error("{format}: field {field} (`{name}`) is `{value}`: {expected}")]
    BadField {
        /// The format.
        format: LogFormat,
        /// 1-based field position.
        field: usize,
        /// The documented field name.
        name: &'static str,
        /// The value found (shortened).
        value: String,
        /// What was expected.
        expected: &'static str,
    },
}

fn classic_hint(first: &str) -> &'static str {
    if first.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        "; a Classic Load Balancer access log? Those are not read"
    } else {
        ""
    }
}

/// The first `max` characters of a field, for messages.
fn shorten(field: &[u8]) -> String {
    const MAX: usize = 60;
    let text = String::from_utf8_lossy(field);
    if text.chars().count() <= MAX {
        text.into_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Reads one line (without its line ending). Blank lines are the caller's business.
pub fn parse_line(line: &[u8]) -> Result<Entry<'_>, LineError> {
    let first_end = memchr::memchr(b' ', line).unwrap_or(line.len());
    let first = &line[..first_end];
    match first {
        b"http" | b"https" | b"h2" | b"grpcs" | b"ws" | b"wss" => alb_access(line, first),
        b"tls" => nlb_access(line),
        _ if looks_like_timestamp(first) => alb_connection(line),
        _ => Err(LineError::UnknownFormat(shorten(first))),
    }
}

fn looks_like_timestamp(field: &[u8]) -> bool {
    field.len() >= 10 && field[..4].iter().all(u8::is_ascii_digit) && field[4] == b'-'
}

/// Splits a line into its first `N` fields, honouring quotes when `quoted` is set.
fn split<const N: usize>(
    line: &[u8],
    format: LogFormat,
    quoted: bool,
) -> Result<([&[u8]; N], usize), LineError> {
    let mut fields: [&[u8]; N] = [&[]; N];
    let mut count = 0;
    let mut pos = 0;
    while count < N && pos <= line.len() {
        if quoted && line.get(pos) == Some(&b'"') {
            let start = pos + 1;
            let mut end = start;
            loop {
                match memchr::memchr(b'"', &line[end..]) {
                    None => {
                        return Err(LineError::UnterminatedQuote {
                            format,
                            field: count + 1,
                        });
                    }
                    Some(offset) => {
                        end += offset;
                        if line[start..end].ends_with(b"\\") && !line[start..end].ends_with(b"\\\\")
                        {
                            end += 1;
                            continue;
                        }
                        break;
                    }
                }
            }
            fields[count] = &line[start..end];
            count += 1;
            pos = end + 1;
            match line.get(pos) {
                None => break,
                Some(b' ') => pos += 1,
                Some(_) => {
                    return Err(LineError::TextAfterQuote {
                        format,
                        field: count,
                    });
                }
            }
        } else {
            let end = memchr::memchr(b' ', &line[pos..]).map_or(line.len(), |offset| pos + offset);
            fields[count] = &line[pos..end];
            count += 1;
            if end == line.len() {
                break;
            }
            pos = end + 1;
        }
    }
    if count < N.min(format.needed_fields()) {
        return Err(LineError::FieldCount {
            format,
            found: count,
            needed: format.needed_fields(),
        });
    }
    Ok((fields, count))
}

/// A field as text. The fields read here are ASCII in every real log.
fn text<'a>(
    value: &'a [u8],
    format: LogFormat,
    field: usize,
    name: &'static str,
) -> Result<&'a str, LineError> {
    std::str::from_utf8(value).map_err(|_| LineError::BadField {
        format,
        field,
        name,
        value: shorten(value),
        expected: "not UTF-8",
    })
}

/// `ip:port` (IPv6 as `[addr]:port` or `addr:port`, the port after the last colon) → the address;
/// `-` (not logged) stays `-`.
fn client_address(value: &[u8], format: LogFormat, field: usize) -> Result<&str, LineError> {
    if value == b"-" {
        return Ok("-");
    }
    let bad = || LineError::BadField {
        format,
        field,
        name: "client:port",
        value: shorten(value),
        expected: "expected IP:PORT",
    };
    let colon = value.iter().rposition(|&b| b == b':').ok_or_else(bad)?;
    let (address, port) = (&value[..colon], &value[colon + 1..]);
    if address.is_empty() || !is_port(port) {
        return Err(bad());
    }
    let address = address
        .strip_prefix(b"[")
        .and_then(|a| a.strip_suffix(b"]"))
        .unwrap_or(address);
    text(address, format, field, "client:port")
}

fn is_port(value: &[u8]) -> bool {
    !value.is_empty() && value.len() <= 5 && value.iter().all(u8::is_ascii_digit)
}

fn dash(value: &[u8]) -> bool {
    value == b"-" || value.is_empty()
}

/// The (protocol, cipher) pair: both present, both absent, or a malformed line.
fn pair<'a>(
    protocol: &'a [u8],
    cipher: &'a [u8],
    format: LogFormat,
    protocol_field: (usize, &'static str),
    cipher_field: (usize, &'static str),
) -> Result<Option<(&'a str, &'a str)>, LineError> {
    match (dash(protocol), dash(cipher)) {
        (true, true) => Ok(None),
        (false, false) => Ok(Some((
            text(protocol, format, protocol_field.0, protocol_field.1)?,
            text(cipher, format, cipher_field.0, cipher_field.1)?,
        ))),
        (true, false) => Err(LineError::BadField {
            format,
            field: protocol_field.0,
            name: protocol_field.1,
            value: "-".into(),
            expected: "a protocol is needed when a cipher is logged",
        }),
        (false, true) => Err(LineError::BadField {
            format,
            field: cipher_field.0,
            name: cipher_field.1,
            value: "-".into(),
            expected: "a cipher is needed when a protocol is logged",
        }),
    }
}

fn alb_access<'a>(line: &'a [u8], kind: &[u8]) -> Result<Entry<'a>, LineError> {
    let format = LogFormat::AlbAccess;
    let (f, _) = split::<16>(line, format, true)?;
    let client_ip = client_address(f[3], format, 4)?;
    let tls_type = !matches!(kind, b"http" | b"ws");
    match pair(
        f[15],
        f[14],
        format,
        (16, "ssl_protocol"),
        (15, "ssl_cipher"),
    )? {
        None if tls_type => Ok(Entry::NotNegotiated { format, client_ip }),
        None => Ok(Entry::Plain { format }),
        Some((protocol, cipher)) => Ok(Entry::Tls(Negotiated {
            format,
            protocol,
            cipher,
            group: None,
            client_ip,
            user_agent: (!dash(f[13])).then_some(f[13]),
        })),
    }
}

fn alb_connection(line: &[u8]) -> Result<Entry<'_>, LineError> {
    let format = LogFormat::AlbConnection;
    let (f, count) = split::<13>(line, format, true)?;
    if !is_port(f[2]) {
        return Err(LineError::BadField {
            format,
            field: 3,
            name: "client_port",
            value: shorten(f[2]),
            expected: "expected a port number (a Classic Load Balancer access log? Those are not read)",
        });
    }
    if !is_port(f[3]) {
        return Err(LineError::BadField {
            format,
            field: 4,
            name: "listener_port",
            value: shorten(f[3]),
            expected: "expected a port number",
        });
    }
    let client_ip = text(f[1], format, 2, "client_ip")?;
    match pair(f[4], f[5], format, (5, "tls_protocol"), (6, "tls_cipher"))? {
        // `Failed:…` with nothing negotiated is a failed handshake; otherwise a plain listener.
        None if f[10].starts_with(b"Failed") => Ok(Entry::NotNegotiated { format, client_ip }),
        None => Ok(Entry::Plain { format }),
        Some((protocol, cipher)) => {
            let group = if count >= 13 && !dash(f[12]) {
                Some(text(f[12], format, 13, "tls_keyexchange")?)
            } else {
                None
            };
            Ok(Entry::Tls(Negotiated {
                format,
                protocol,
                cipher,
                group,
                client_ip,
                user_agent: None,
            }))
        }
    }
}

fn nlb_access(line: &[u8]) -> Result<Entry<'_>, LineError> {
    let format = LogFormat::NlbAccess;
    let (f, _) = split::<17>(line, format, false)?;
    let client_ip = client_address(f[5], format, 6)?;
    match pair(
        f[15],
        f[14],
        format,
        (16, "tls_protocol_version"),
        (15, "tls_cipher"),
    )? {
        None => Ok(Entry::NotNegotiated { format, client_ip }),
        Some((protocol, cipher)) => Ok(Entry::Tls(Negotiated {
            format,
            protocol,
            cipher,
            group: if dash(f[16]) {
                None
            } else {
                Some(text(f[16], format, 17, "tls_keyexchange")?)
            },
            client_ip,
            user_agent: None,
        })),
    }
}
