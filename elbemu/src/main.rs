//! `elbemu`: an AWS Application/Network Load Balancer TLS listener stand-in. It serves one ELB
//! security policy with s2n-tls, the TLS library those load balancers run, under the policy's AWS
//! name, with generated or given certificates, and answers any HTTP request with a small `200`.
//!
//! A test component and user tool of elbtls; never a dependency of the `elbtls` binary.

mod certs;
mod policies;
mod selftest;

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use s2n_tls::cert_chain::CertificateChain;
use s2n_tls::config::Config;
use s2n_tls::enums::Version;
use s2n_tls::security::Policy;
use s2n_tls_tokio::TlsAcceptor;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::certs::{CertArg, GeneratedChain, KeyKind, Strength};

/// How long a client gets to finish its handshake, then its HTTP request.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest HTTP request head read.
const MAX_REQUEST: usize = 16 * 1024;

/// Serve one ELB security policy with s2n-tls on a local port, as an ALB/NLB TLS listener would.
///
/// On start it prints one line to stdout, `listening ADDR:PORT policy NAME certs KIND,...`, and
/// serves until killed. Every completed handshake gets a minimal `HTTP/1.1 200` answer naming the
/// negotiated protocol, suite and group. Failed handshakes never stop the server (`--verbose`
/// logs them to stderr). Exit codes: 0 never (runs until killed), 1 start-up failure, 2 usage
/// error (unknown policy, bad --cert).
#[derive(Parser, Debug)]
#[command(name = "elbemu", version)]
struct Cli {
    /// The security policy to serve, by its AWS name (ELBSecurityPolicy-2016-08) or any s2n-tls
    /// policy name (`--list-policies` lists the ELB ones).
    #[arg(long, required_unless_present = "list_policies")]
    policy: Option<String>,

    /// The TCP port; 0 picks a free one (read it from the start-up line).
    #[arg(long, required_unless_present = "list_policies")]
    port: Option<u16>,

    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,

    /// The certificate(s) to serve: `rsa`, `ecdsa`, `both` (generated: a test CA and a leaf,
    /// RSA 2048 / ECDSA P-256, or RSA 3072 / ECDSA P-384 where the policy requires them), or
    /// `CERT.pem:KEY.pem` (a chain, leaf first, and its key). Repeatable; default `rsa`.
    #[arg(long = "cert", value_name = "rsa|ecdsa|both|CERT.pem:KEY.pem")]
    certs: Vec<CertArg>,

    /// The DNS name (or IP address) in generated leaf certificates' subjectAltName.
    #[arg(long, default_value = "localhost", value_name = "DNSNAME")]
    name: String,

    /// Write the generated test CA certificate(s) to this PEM file, for clients to trust
    /// (`curl --cacert FILE`, `openssl s_client -CAfile FILE`).
    #[arg(long, value_name = "FILE")]
    ca_out: Option<std::path::PathBuf>,

    /// After a failed handshake, wait a random 1/3 to all of this many seconds before closing, as
    /// s2n-tls does by default against timing attacks (its default is 10-30 s: `30`). 0, the
    /// default here, closes at once, so scanners do not wait.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    blinding_delay: u32,

    /// List the ELBSecurityPolicy names this s2n-tls knows, then exit.
    #[arg(long)]
    list_policies: bool,

    /// Log each connection's outcome (handshake failures included) to stderr.
    #[arg(long, short)]
    verbose: bool,
}

/// A start-up failure: its message and exit code.
struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }

    fn start(message: impl Into<String>) -> Self {
        Self {
            code: 1,
            message: message.into(),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.list_policies {
        for name in policies::known_elb_policies() {
            println!("{name}");
        }
        return ExitCode::SUCCESS;
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("elbemu: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

/// What `--cert` arguments ask for: generated key types, and file pairs.
fn cert_plan(args: &[CertArg]) -> (Vec<KeyKind>, Vec<(std::path::PathBuf, std::path::PathBuf)>) {
    let mut kinds = Vec::new();
    let mut files = Vec::new();
    let args = if args.is_empty() {
        &[CertArg::Rsa][..]
    } else {
        args
    };
    for arg in args {
        let wanted: &[KeyKind] = match arg {
            CertArg::Rsa => &[KeyKind::Rsa],
            CertArg::Ecdsa => &[KeyKind::Ecdsa],
            CertArg::Both => &[KeyKind::Rsa, KeyKind::Ecdsa],
            CertArg::Files { cert, key } => {
                files.push((cert.clone(), key.clone()));
                &[]
            }
        };
        for kind in wanted {
            if !kinds.contains(kind) {
                kinds.push(*kind);
            }
        }
    }
    (kinds, files)
}

/// A config builder with `policy` set and blinding off.
fn base_config(policy: &Policy) -> Result<s2n_tls::config::Builder, s2n_tls::error::Error> {
    let mut builder = Config::builder();
    builder.set_security_policy(policy)?;
    // s2n's default answers a failed handshake after a random 10-30 s ("blinding"); a scanner
    // sending dozens of refused ClientHellos would wait minutes. Answer at once (the served
    // config takes --blinding-delay).
    builder.set_max_blinding_delay(0)?;
    Ok(builder)
}

/// A server config serving `policy` with `chains` (each built on its own, so an RSA and an ECDSA
/// chain can share one config).
fn server_config(
    policy: &Policy,
    chains: impl IntoIterator<Item = CertificateChain<'static>>,
) -> Result<Config, s2n_tls::error::Error> {
    let mut builder = base_config(policy)?;
    for chain in chains {
        builder.load_chain(chain)?;
    }
    builder.build()
}

/// A generated certificate of `kind` for `policy_name`: RSA 2048 / ECDSA P-256, or RSA 3072 /
/// ECDSA P-384 where the policy requires them; checked by a handshake with an s2n-tls client on
/// the same policy.
fn generate_for_policy(
    policy: &Policy,
    policy_name: &str,
    kind: KeyKind,
    name: &str,
) -> Result<GeneratedChain, Failure> {
    let strength = if policies::needs_strong_keys(policy_name) {
        Strength::Strong
    } else {
        Strength::Normal
    };
    let chain = certs::generate(kind, strength, name).map_err(|e| {
        Failure::start(format!(
            "cannot generate a {kind:?} certificate for `{name}`: {e}"
        ))
    })?;
    let checked = chain
        .to_s2n()
        .and_then(|c| server_config(policy, [c]))
        .map_err(|e| e.to_string())
        .and_then(|config| selftest::handshake(config, policy, Some(&chain.ca_pem)));
    match checked {
        Ok(_) => Ok(chain),
        Err(e) => Err(Failure::start(format!(
            "`{policy_name}` negotiates no handshake with a generated {} certificate: {e}",
            chain.what
        ))),
    }
}

/// The served config and the names of its certificates, for the start-up line.
fn build_config(cli: &Cli, policy_name: &str) -> Result<(Config, Vec<String>), Failure> {
    let policy = Policy::from_version(policy_name)
        .map_err(|_| Failure::usage(format!("`{policy_name}` is not a policy name")))?;
    if !policies::is_known(policy_name) {
        let near = policies::suggestions(policy_name);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" Did you mean {}?", near.join(", "))
        };
        return Err(Failure::usage(format!(
            "unknown policy `{policy_name}`: s2n-tls 0.3.47 has no such security policy.{hint} \
             `elbemu --list-policies` lists the ELB policies it serves."
        )));
    }

    let (kinds, files) = cert_plan(&cli.certs);
    let mut chains = Vec::new();
    let mut labels = Vec::new();
    let mut ca_pem = String::new();
    for kind in kinds {
        let generated = generate_for_policy(&policy, policy_name, kind, &cli.name)?;
        labels.push(generated.what.to_string());
        ca_pem.push_str(&generated.ca_pem);
        let chain = generated
            .to_s2n()
            .map_err(|e| Failure::start(format!("s2n-tls rejects the generated chain: {e}")))?;
        chains.push(chain);
    }
    for (cert, key) in files {
        let read = |path: &std::path::Path| {
            std::fs::read(path).map_err(|e| {
                Failure::usage(format!("cannot read `{}` (--cert): {e}", path.display()))
            })
        };
        let (cert_pem, key_pem) = (read(&cert)?, read(&key)?);
        let load = || {
            certs::s2n_chain(&cert_pem, &key_pem).map_err(|e| {
                Failure::usage(format!(
                    "`{}:{}` is not a PEM certificate chain and its private key: {e}",
                    cert.display(),
                    key.display()
                ))
            })
        };
        // Served as given, but say so when the policy cannot use it.
        let checked = server_config(&policy, [load()?])
            .map_err(|e| e.to_string())
            .and_then(|config| selftest::handshake(config, &policy, None));
        if let Err(e) = checked {
            eprintln!(
                "elbemu: warning: an s2n-tls client on `{policy_name}` completes no handshake \
                 with `{}`: {e}",
                cert.display()
            );
        }
        labels.push(format!("file:{}", cert.display()));
        chains.push(load()?);
    }

    if let Some(path) = &cli.ca_out {
        std::fs::write(path, &ca_pem).map_err(|e| {
            Failure::usage(format!("cannot write `{}` (--ca-out): {e}", path.display()))
        })?;
    }

    let mut builder = base_config(&policy)
        .and_then(|mut b| {
            b.set_max_blinding_delay(cli.blinding_delay)?;
            Ok(b)
        })
        .map_err(|e| Failure::start(format!("s2n-tls rejects `{policy_name}`: {e}")))?;
    for (chain, label) in chains.into_iter().zip(&labels) {
        builder.load_chain(chain).map_err(|e| {
            Failure::usage(format!(
                "policy `{policy_name}` does not accept certificate {label}: {e}"
            ))
        })?;
    }
    let config = builder
        .build()
        .map_err(|e| Failure::start(format!("cannot build the s2n-tls config: {e}")))?;
    Ok((config, labels))
}

fn run(cli: Cli) -> Result<(), Failure> {
    let (Some(policy_name), Some(port)) = (cli.policy.clone(), cli.port) else {
        return Err(Failure::usage("--policy and --port are required"));
    };
    let (config, labels) = build_config(&cli, &policy_name)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::start(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(SocketAddr::new(cli.bind, port))
            .await
            .map_err(|e| Failure::start(format!("cannot listen on {}:{port}: {e}", cli.bind)))?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::start(format!("no local address: {e}")))?;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(
            stdout,
            "listening {addr} policy {policy_name} certs {}",
            labels.join(",")
        );
        let _ = stdout.flush();
        drop(stdout);

        let acceptor = TlsAcceptor::new(config);
        let context = Arc::new(Served {
            acceptor,
            policy: policy_name,
            verbose: cli.verbose,
        });
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    // Without it the last flight of a handshake waits for the client's delayed
                    // ACK (about 40 ms on loopback): every full handshake would look slow.
                    let _ = stream.set_nodelay(true);
                    let context = Arc::clone(&context);
                    tokio::spawn(async move { context.serve(stream, peer).await });
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait and go on, as a server would.
                    if cli.verbose {
                        eprintln!("accept failed: {e}");
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    })
}

/// What every connection shares.
struct Served {
    acceptor: TlsAcceptor<Config>,
    policy: String,
    verbose: bool,
}

fn version_name(version: Version) -> &'static str {
    match version {
        Version::SSLV2 => "SSLv2",
        Version::SSLV3 => "SSLv3",
        Version::TLS10 => "TLSv1",
        Version::TLS11 => "TLSv1.1",
        Version::TLS12 => "TLSv1.2",
        Version::TLS13 => "TLSv1.3",
        _ => "unknown",
    }
}

impl Served {
    async fn serve(&self, stream: TcpStream, peer: SocketAddr) {
        let mut tls = match tokio::time::timeout(CLIENT_TIMEOUT, self.acceptor.accept(stream)).await
        {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => {
                if self.verbose {
                    eprintln!("{peer}: handshake failed: {e}");
                }
                return;
            }
            Err(_) => {
                if self.verbose {
                    eprintln!("{peer}: no complete handshake within {CLIENT_TIMEOUT:?}");
                }
                return;
            }
        };
        let negotiated = {
            let conn = tls.as_ref();
            let version = conn
                .actual_protocol_version()
                .map_or("unknown", version_name);
            let suite = conn.cipher_suite().unwrap_or("unknown").to_string();
            let group = conn
                .selected_key_exchange_group()
                .unwrap_or("none")
                .to_string();
            format!("{version} {suite} {group}")
        };
        if self.verbose {
            eprintln!("{peer}: handshake {negotiated}");
        }

        // Read a request head (or whatever comes) until a blank line, EOF, a limit or a timeout.
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        let read = tokio::time::timeout(CLIENT_TIMEOUT, async {
            loop {
                match tls.read(&mut buf).await {
                    Ok(0) | Err(_) => return false,
                    Ok(n) => {
                        request.extend_from_slice(&buf[..n]);
                        if request.windows(4).any(|w| w == b"\r\n\r\n")
                            || request.windows(2).any(|w| w == b"\n\n")
                            || request.len() > MAX_REQUEST
                        {
                            return true;
                        }
                    }
                }
            }
        })
        .await;
        if matches!(read, Ok(true)) {
            let body = format!("elbemu {} {negotiated}\n", self.policy);
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\
                 Connection: close\r\nServer: elbemu\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(response.as_bytes()).await;
        }
        let _ = tokio::time::timeout(CLIENT_TIMEOUT, tls.shutdown()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every ELB policy × generated key type: the usual keys complete a handshake with an s2n-tls
    /// client on the same policy exactly where `NEED_STRONG_KEYS` does not list the policy, and
    /// the strong keys complete one everywhere.
    #[test]
    fn strong_keys_exactly_where_needed() {
        let chains: Vec<_> = [KeyKind::Rsa, KeyKind::Ecdsa]
            .into_iter()
            .flat_map(|k| {
                [Strength::Normal, Strength::Strong]
                    .map(|s| certs::generate(k, s, "localhost").expect("generate"))
            })
            .collect();
        let mut wrong = Vec::new();
        for name in policies::ELB_POLICIES {
            let policy = Policy::from_version(name).expect("policy");
            for chain in &chains {
                let outcome = chain
                    .to_s2n()
                    .and_then(|c| server_config(&policy, [c]))
                    .map_err(|e| e.to_string())
                    .and_then(|c| selftest::handshake(c, &policy, Some(&chain.ca_pem)));
                let expected =
                    chain.what.strength == Strength::Strong || !policies::needs_strong_keys(name);
                if outcome.is_ok() != expected {
                    wrong.push(format!("{name} {}: {outcome:?}", chain.what));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "unexpected outcomes:\n{}",
            wrong.join("\n")
        );
    }
}
