//! What to probe: `HOST[:PORT]` targets, curl-style `--resolve HOST:PORT:ADDR` overrides, and the
//! server name to send.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The default port of a TLS listener.
pub const DEFAULT_PORT: u16 = 443;

/// A probe target as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// A DNS name or an IP address (IPv6 without brackets).
    pub host: String,
    /// The port.
    pub port: u16,
}

/// A target that cannot be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    /// Not `HOST[:PORT]`.
    #[error(
        "`{0}` is not HOST[:PORT] (examples: lb.example.com, lb.example.com:8443, 127.0.0.1:443, [::1]:443)"
    )]
    Malformed(String),
    /// The port is not a number from 1 to 65535.
    #[error("`{input}`: port `{port}` is not a number from 1 to 65535")]
    BadPort {
        /// The whole input.
        input: String,
        /// The port text.
        port: String,
    },
    /// A `--resolve` entry is not `HOST:PORT:ADDR`.
    #[error(
        "--resolve `{0}` is not HOST:PORT:ADDR (curl's form, e.g. lb.example.com:443:127.0.0.1 or lb.example.com:443:[::1])"
    )]
    BadResolve(String),
    /// One part of a `--resolve HOST:PORT:ADDR` entry is wrong.
    #[error("--resolve `{input}`: {problem}")]
    BadResolvePart {
        /// The whole entry (escaped, shortened).
        input: String,
        /// Which part is wrong and what would fix it.
        problem: String,
    },
    /// A `--sni` name is not a DNS name.
    #[error("--sni `{name}`: {problem}")]
    BadServerName {
        /// The name (escaped, shortened).
        name: String,
        /// What is wrong with it and what would fix it.
        problem: String,
    },
}

/// Longest DNS name (RFC 1035), and so longest server name sent as SNI.
pub const MAX_DNS_NAME: usize = 253;

/// How much of a bad value an error message echoes.
const ECHOED_CHARS: usize = 80;

/// Checks a `--sni NAME`: a DNS name in ASCII (an internationalised name in its IDNA A-label
/// form, `xn--…`), at most 253 characters, labels of 1 to 63 letters, digits, hyphens (not at a
/// label's ends) or underscores, and not an IP address (never sent as SNI). One trailing dot is
/// allowed and dropped. Returns the name to send.
pub fn validate_server_name(name: &str) -> Result<String, TargetError> {
    let bad = |problem: String| TargetError::BadServerName {
        name: crate::text::excerpt(name, ECHOED_CHARS),
        problem,
    };
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Err(bad("give a DNS name such as lb.example.com".to_string()));
    }
    if trimmed.parse::<IpAddr>().is_ok() {
        return Err(bad(
            "give a DNS name (an IP address is never sent as SNI; use --no-sni to send none)"
                .to_string(),
        ));
    }
    if !trimmed.is_ascii() {
        return Err(bad(
            "not ASCII: give an internationalised name in its IDNA A-label form (xn--…, e.g. \
             `xn--bcher-kva.example` for bücher.example)"
                .to_string(),
        ));
    }
    if trimmed.len() > MAX_DNS_NAME {
        return Err(bad(format!(
            "{} characters; a DNS name has at most {MAX_DNS_NAME}",
            trimmed.len()
        )));
    }
    for label in trimmed.split('.') {
        let shown = crate::text::excerpt(label, 20);
        if label.is_empty() {
            return Err(bad(
                "an empty label (two dots in a row, or a leading dot)".to_string()
            ));
        }
        if label.len() > 63 {
            return Err(bad(format!(
                "label `{shown}` has {} characters; a DNS label has at most 63",
                label.len()
            )));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')))
        {
            let c = crate::text::escape(c.encode_utf8(&mut [0; 4])).into_owned();
            return Err(bad(format!(
                "`{c}` is not allowed in a DNS name (letters, digits, `-` and `_` only)"
            )));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(bad(format!("label `{shown}` starts or ends with `-`")));
        }
    }
    Ok(trimmed.to_ascii_lowercase())
}

fn parse_port(input: &str, port: &str) -> Result<u16, TargetError> {
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(p),
        _ => Err(TargetError::BadPort {
            input: crate::text::excerpt(input, ECHOED_CHARS),
            port: crate::text::excerpt(port, 20),
        }),
    }
}

fn valid_host(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && (host.parse::<IpAddr>().is_ok()
            || host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
}

impl FromStr for Target {
    type Err = TargetError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let s = s.strip_prefix("https://").unwrap_or(s);
        let s = s.trim_end_matches('/');
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| TargetError::Malformed(crate::text::excerpt(input, ECHOED_CHARS)))?;
            match after.strip_prefix(':') {
                Some(port) => (host, parse_port(input, port)?),
                None if after.is_empty() => (host, DEFAULT_PORT),
                None => {
                    return Err(TargetError::Malformed(crate::text::excerpt(
                        input,
                        ECHOED_CHARS,
                    )));
                }
            }
        } else if s.matches(':').count() > 1 {
            // A bare IPv6 address.
            (s, DEFAULT_PORT)
        } else if let Some((host, port)) = s.split_once(':') {
            (host, parse_port(input, port)?)
        } else {
            (s, DEFAULT_PORT)
        };
        if !valid_host(host) {
            return Err(TargetError::Malformed(crate::text::excerpt(
                input,
                ECHOED_CHARS,
            )));
        }
        Ok(Self {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Target {
    /// The host as an IP address, when it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

/// `--resolve HOST:PORT:ADDR`: connect to ADDR when probing HOST:PORT, still naming HOST in SNI
/// (curl's meaning). `PORT` may be `*` for every port, and `HOST` may be `*` for every host (an
/// elbtls extension: all listeners through one private path, or one test server).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolveOverride {
    /// The host name it applies to (lower case); `*` for any.
    pub host: String,
    /// The port it applies to; `None` for any.
    pub port: Option<u16>,
    /// Where to connect instead (curl's comma-separated list: several addresses stand for the
    /// several nodes a load balancer's name resolves to).
    pub addresses: Vec<IpAddr>,
}

impl FromStr for ResolveOverride {
    type Err = TargetError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let shown = || crate::text::excerpt(input, ECHOED_CHARS);
        let bad = || TargetError::BadResolve(shown());
        let part = |problem: String| TargetError::BadResolvePart {
            input: shown(),
            problem,
        };
        let (host, rest) = input.trim().split_once(':').ok_or_else(bad)?;
        let (port, list) = rest.split_once(':').ok_or_else(bad)?;
        let port = match port {
            "*" => None,
            p => Some(p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| {
                part(format!(
                    "port `{}` is not a number from 1 to 65535 (or `*` for every port)",
                    crate::text::excerpt(p, 20)
                ))
            })?),
        };
        if host != "*" && !valid_host(host) {
            return Err(part(format!(
                "host `{}` is not a DNS name or an IP address (or `*` for every host)",
                crate::text::excerpt(host, 40)
            )));
        }
        let mut addresses = Vec::new();
        for address in list.split(',') {
            let address = address.trim().trim_start_matches('[').trim_end_matches(']');
            let address: IpAddr = address.parse().map_err(|_| {
                part(format!(
                    "address `{}` is not an IP address (a comma-separated list of IPv4 or \
                     [IPv6] addresses)",
                    crate::text::excerpt(address, 40)
                ))
            })?;
            if !addresses.contains(&address) {
                addresses.push(address);
            }
        }
        Ok(Self {
            host: host.to_ascii_lowercase(),
            port,
            addresses,
        })
    }
}

/// Which server name to send.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum SniChoice {
    /// The target's host name (none for an IP address).
    #[default]
    FromHost,
    /// This name (`--sni NAME`).
    Name(String),
    /// No SNI extension at all (`--no-sni`).
    Omit,
}

impl SniChoice {
    /// The server name to send when probing `target`.
    pub fn for_target(&self, target: &Target) -> Option<String> {
        match self {
            Self::FromHost if target.ip().is_some() => None,
            Self::FromHost => Some(target.host.clone()),
            Self::Name(name) => Some(name.clone()),
            Self::Omit => None,
        }
    }
}

/// The addresses to connect to for `target`: a matching `--resolve` override, the literal address,
/// or a DNS lookup.
pub async fn resolve(
    target: &Target,
    overrides: &[ResolveOverride],
) -> Result<Vec<SocketAddr>, String> {
    if let Some(o) = overrides.iter().find(|o| {
        (o.host == "*" || o.host == target.host) && o.port.is_none_or(|p| p == target.port)
    }) {
        return Ok(o
            .addresses
            .iter()
            .map(|a| SocketAddr::new(*a, target.port))
            .collect());
    }
    if let Some(ip) = target.ip() {
        return Ok(vec![SocketAddr::new(ip, target.port)]);
    }
    match tokio::net::lookup_host((target.host.as_str(), target.port)).await {
        Ok(addresses) => {
            let mut addresses: Vec<SocketAddr> = addresses.collect();
            addresses.dedup();
            if addresses.is_empty() {
                Err(format!("{} resolves to no address", target.host))
            } else {
                Ok(addresses)
            }
        }
        Err(e) => Err(format!("cannot resolve {}: {e}", target.host)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(s: &str) -> Target {
        s.parse().unwrap()
    }

    #[test]
    fn parses_host_port_forms() {
        assert_eq!(
            target("lb.example.com"),
            Target {
                host: "lb.example.com".into(),
                port: 443
            }
        );
        assert_eq!(target("LB.example.com:8443").port, 8443);
        assert_eq!(
            target("127.0.0.1:4433").ip(),
            Some("127.0.0.1".parse().unwrap())
        );
        assert_eq!(
            target("[::1]:4433"),
            Target {
                host: "::1".into(),
                port: 4433
            }
        );
        assert_eq!(target("::1").port, 443);
        assert_eq!(target("https://lb.example.com/").host, "lb.example.com");
        assert_eq!(target("[::1]:4433").to_string(), "[::1]:4433");
    }

    #[test]
    fn rejects_malformed_targets_naming_them() {
        for bad in [
            "", "lb:0", "lb:99999", "lb:https", "a b:443", "[::1", "[::1]x",
        ] {
            let err = bad.parse::<Target>().unwrap_err().to_string();
            assert!(err.contains(&format!("`{bad}`")), "{bad}: {err}");
        }
    }

    #[test]
    fn parses_curl_resolve_entries() {
        let o: ResolveOverride = "lb.example.com:443:127.0.0.1".parse().unwrap();
        assert_eq!(
            (o.port, o.addresses),
            (Some(443), vec!["127.0.0.1".parse().unwrap()])
        );
        let o: ResolveOverride = "lb.example.com:*:[::1]".parse().unwrap();
        assert_eq!((o.port, o.addresses), (None, vec!["::1".parse().unwrap()]));
        let o: ResolveOverride = "lb.example.com:443:127.0.0.2,127.0.0.3".parse().unwrap();
        assert_eq!(o.addresses.len(), 2);
        let o: ResolveOverride = "*:8443:127.0.0.3".parse().unwrap();
        assert_eq!((o.host.as_str(), o.port), ("*", Some(8443)));
        assert!("lb.example.com:443".parse::<ResolveOverride>().is_err());
        assert!(
            "lb.example.com:443:not-an-ip"
                .parse::<ResolveOverride>()
                .is_err()
        );
    }

    #[test]
    fn resolve_errors_name_the_wrong_part() {
        let err = |s: &str| s.parse::<ResolveOverride>().unwrap_err().to_string();
        let port = err("lb.example.com:0:127.0.0.1");
        assert!(
            port.contains("port `0` is not a number from 1 to 65535"),
            "{port}"
        );
        assert!(
            port.starts_with("--resolve `lb.example.com:0:127.0.0.1`"),
            "{port}"
        );
        assert!(err("h:99999:127.0.0.1").contains("port `99999`"));
        assert!(err("h:443:10.0.0.300").contains("address `10.0.0.300` is not an IP address"));
        assert!(err("a b:443:127.0.0.1").contains("host `a b`"));
        let long = format!("h:443:{}", "1".repeat(100_000));
        assert!(err(&long).len() < 400, "the whole entry is not echoed");
    }

    #[test]
    fn server_names_must_be_dns_names() {
        assert_eq!(
            validate_server_name("LB.Example.com").unwrap(),
            "lb.example.com"
        );
        assert_eq!(
            validate_server_name("lb.example.com.").unwrap(),
            "lb.example.com"
        );
        assert_eq!(
            validate_server_name("xn--bcher-kva.example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert!(validate_server_name("_acme.example.com").is_ok());
        let err = |s: &str| validate_server_name(s).unwrap_err().to_string();
        assert!(
            err("a b.example").contains("` ` is not allowed"),
            "{}",
            err("a b.example")
        );
        assert!(err("bücher.example").contains("IDNA A-label"));
        assert!(err("").contains("give a DNS name"));
        assert!(err("127.0.0.1").contains("IP address"));
        assert!(err("a..b").contains("empty label"));
        assert!(err("-a.example").contains("starts or ends with `-`"));
        assert!(err(&format!("{}.example", "a".repeat(64))).contains("at most 63"));
        let huge = "a.".repeat(40_000) + "example";
        let message = err(&huge);
        assert!(message.contains("a DNS name has at most 253"), "{message}");
        assert!(message.len() < 400, "the whole name is not echoed");
        let escaped = err("evil\x1b]8;;x\x07.example");
        assert!(!escaped.contains('\x1b'), "{escaped}");
        assert!(escaped.contains("\\u{1b}"), "{escaped}");
    }

    #[test]
    fn sends_the_host_name_as_sni_unless_told_otherwise() {
        let named = target("lb.example.com:443");
        let literal = target("127.0.0.1:443");
        assert_eq!(
            SniChoice::FromHost.for_target(&named).as_deref(),
            Some("lb.example.com")
        );
        assert_eq!(SniChoice::FromHost.for_target(&literal), None);
        assert_eq!(
            SniChoice::Name("x.test".into())
                .for_target(&literal)
                .as_deref(),
            Some("x.test")
        );
        assert_eq!(SniChoice::Omit.for_target(&named), None);
    }

    #[tokio::test]
    async fn resolve_prefers_overrides_then_literals() {
        let overrides = vec!["lb.example.com:443:127.0.0.2".parse().unwrap()];
        let addrs = resolve(&target("lb.example.com:443"), &overrides)
            .await
            .unwrap();
        assert_eq!(addrs, ["127.0.0.2:443".parse().unwrap()]);
        let addrs = resolve(&target("127.0.0.1:8443"), &overrides)
            .await
            .unwrap();
        assert_eq!(addrs, ["127.0.0.1:8443".parse().unwrap()]);
    }
}
