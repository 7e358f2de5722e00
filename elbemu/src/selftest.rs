//! One in-process handshake between the served config and an s2n-tls client running the same
//! policy: proof, before the emulator says it is listening, that the policy can negotiate with the
//! certificate it serves.

use s2n_tls::callbacks::VerifyHostNameCallback;
use s2n_tls::config::Config;
use s2n_tls::security::Policy;
use s2n_tls_tokio::{TlsAcceptor, TlsConnector};

/// Accepts any host name: the client trusts only the test CA it is given, the name is not the
/// point of the check.
struct AnyHost;

impl VerifyHostNameCallback for AnyHost {
    fn verify_host_name(&self, _host_name: &str) -> bool {
        true
    }
}

/// Handshakes `server` with an s2n-tls client on `policy` that trusts `trust_pem` (or trusts
/// any certificate if `None`). `Ok` with `"TLSv1.3 TLS_AES_256_GCM_SHA384"`, or s2n's error.
pub fn handshake(
    server: Config,
    policy: &Policy,
    trust_pem: Option<&str>,
) -> Result<String, String> {
    let client = client_config(policy, trust_pem).map_err(|e| format!("client config: {e}"))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let (client_io, server_io) = tokio::io::duplex(64 * 1024);
        let acceptor = TlsAcceptor::new(server);
        let connector = TlsConnector::new(client);
        let (served, connected) = tokio::join!(
            acceptor.accept(server_io),
            connector.connect("localhost", client_io)
        );
        let tls = match (served, connected) {
            (Ok(tls), Ok(_)) => tls,
            (Err(e), _) => return Err(format!("server: {e}")),
            (_, Err(e)) => return Err(format!("client: {e}")),
        };
        let conn = tls.as_ref();
        Ok(format!(
            "{:?} {}",
            conn.actual_protocol_version().map_err(|e| e.to_string())?,
            conn.cipher_suite().map_err(|e| e.to_string())?
        ))
    })
}

fn client_config(
    policy: &Policy,
    trust_pem: Option<&str>,
) -> Result<Config, s2n_tls::error::Error> {
    let mut builder = Config::builder();
    builder.set_security_policy(policy)?;
    builder.set_max_blinding_delay(0)?;
    builder.with_system_certs(false)?;
    match trust_pem {
        Some(pem) => {
            builder.trust_pem(pem.as_bytes())?;
            builder.set_verify_host_callback(AnyHost)?;
        }
        // SAFETY: a local self-check between two in-process endpoints; nothing is trusted.
        None => unsafe {
            builder.disable_x509_verification()?;
        },
    }
    builder.build()
}
