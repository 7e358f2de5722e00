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
}

fn parse_port(input: &str, port: &str) -> Result<u16, TargetError> {
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(p),
        _ => Err(TargetError::BadPort {
            input: input.to_string(),
            port: port.to_string(),
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
                .ok_or_else(|| TargetError::Malformed(input.to_string()))?;
            match after.strip_prefix(':') {
                Some(port) => (host, parse_port(input, port)?),
                None if after.is_empty() => (host, DEFAULT_PORT),
                None => return Err(TargetError::Malformed(input.to_string())),
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
            return Err(TargetError::Malformed(input.to_string()));
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
        let bad = || TargetError::BadResolve(input.to_string());
        let (host, rest) = input.trim().split_once(':').ok_or_else(bad)?;
        let (port, list) = rest.split_once(':').ok_or_else(bad)?;
        let mut addresses = Vec::new();
        for address in list.split(',') {
            let address = address.trim().trim_start_matches('[').trim_end_matches(']');
            let address: IpAddr = address.parse().map_err(|_| bad())?;
            if !addresses.contains(&address) {
                addresses.push(address);
            }
        }
        let port = match port {
            "*" => None,
            p => Some(p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(bad)?),
        };
        if host != "*" && !valid_host(host) {
            return Err(bad());
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
            (o.port, o.addresses.clone()),
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
