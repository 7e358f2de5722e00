//! `--capture` with real clients on 127.0.0.1: `openssl s_client` with several settings, and curl
//! when installed. Each test asserts exactly what the client offered, and that the client was
//! told no with a `handshake_failure` alert. The OpenSSL captures are also compared with
//! `--openssl` descriptions of the same settings: the model and the real client must agree.
//!
//! `OPENSSL_CONF=/dev/null` keeps the distribution's `openssl.cnf` (Debian's SECLEVEL=2) out.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Command, Output};
use std::time::Duration;

use elbtls::client::{ClientDescription, capture::capture, openssl};
use elbtls::tls::{CipherSuite, NamedGroup, ProtocolVersion};

fn s_client(addr_placeholder: &str, args: &[&str]) -> Command {
    let mut command = Command::new("openssl");
    command
        .args(["s_client", "-connect", addr_placeholder])
        .args(args)
        .env("OPENSSL_CONF", "/dev/null")
        .stdin(std::process::Stdio::null());
    command
}

/// Runs the clients against one capture; `{addr}` in their arguments is the listening address.
fn run(clients: &[(&str, &[&str])]) -> Vec<(ClientDescription, Output)> {
    // Port 0: the capture picks a free port and names it in its first line. A port found free
    // beforehand can be taken meanwhile as the local port of another test's client connection.
    let any_port = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let count = clients.len();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let capturing = runtime.spawn(async move {
        capture(any_port, count, Duration::from_secs(10), move |line| {
            if let Some(rest) = line.strip_prefix("point your client at https://") {
                let addr: SocketAddr = rest.split('/').next().unwrap().parse().unwrap();
                let _ = ready_tx.send(addr);
            }
        })
        .await
    });
    let addr = match ready_rx.recv_timeout(Duration::from_secs(10)) {
        Ok(addr) => addr,
        Err(e) => panic!(
            "the capture listens: {e}; capture ended with {:?}",
            runtime.block_on(capturing)
        ),
    };
    let outputs: Vec<Output> = clients
        .iter()
        .map(|(program, args)| {
            let args: Vec<String> = args
                .iter()
                .map(|a| a.replace("{addr}", &addr.to_string()))
                .collect();
            let mut command = if *program == "openssl" {
                s_client(
                    &addr.to_string(),
                    &args.iter().map(String::as_str).collect::<Vec<_>>(),
                )
            } else {
                let mut command = Command::new(program);
                command.args(&args);
                command
            };
            command.output().expect("run the client")
        })
        .collect();
    let described = runtime
        .block_on(capturing)
        .unwrap()
        .expect("capture succeeds");
    described.into_iter().zip(outputs).collect()
}

fn suites(names: &[&str]) -> Vec<CipherSuite> {
    names
        .iter()
        .map(|n| CipherSuite::from_name(n).unwrap_or_else(|| panic!("{n} is in the registry")))
        .collect()
}

/// Every suite the local OpenSSL has.
fn local_suites() -> Vec<CipherSuite> {
    let output = Command::new("openssl")
        .args(["ciphers", "-V", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"])
        .env("OPENSSL_CONF", "/dev/null")
        .output()
        .expect("run openssl ciphers");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| {
            let (high, low) = line.split_whitespace().next()?.split_once(',')?;
            let byte = |s: &str| u8::from_str_radix(s.trim_start_matches("0x"), 16).ok();
            Some(CipherSuite(u16::from_be_bytes([byte(high)?, byte(low)?])))
        })
        .collect()
}

fn assert_alerted(output: &Output) {
    let text = String::from_utf8_lossy(&output.stderr).to_string()
        + &String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("alert handshake failure"),
        "the client did not see the alert:\n{text}"
    );
}

/// The parts of a description an `--openssl` model predicts (no SNI, no ALPN).
fn offer(
    d: &ClientDescription,
) -> (
    Vec<ProtocolVersion>,
    Vec<CipherSuite>,
    Vec<NamedGroup>,
    Vec<u16>,
) {
    (
        d.versions.clone(),
        d.suites.clone(),
        d.groups.clone(),
        d.signature_algorithms.clone(),
    )
}

#[test]
fn records_exactly_what_openssl_clients_offer() {
    let captured = run(&[
        (
            "openssl",
            &[
                "-tls1",
                "-cipher",
                "ALL:@SECLEVEL=0",
                "-servername",
                "legacy.example.test",
            ],
        ),
        ("openssl", &["-tls1_2", "-cipher", "AES128-SHA"]),
        ("openssl", &["-tls1_3"]),
        (
            "openssl",
            &[
                "-groups",
                "X25519:P-256",
                "-servername",
                "app.example.test",
                "-alpn",
                "h2,http/1.1",
            ],
        ),
    ]);
    assert_eq!(captured.len(), 4);
    for (_, output) in &captured {
        assert_alerted(output);
    }

    // TLS 1.0 only, security level 0: a legacy hello, no signature_algorithms.
    let (tls10, _) = &captured[0];
    assert_eq!(tls10.versions, [ProtocolVersion::TLSV1_0]);
    assert_eq!(
        tls10.suites,
        suites(&[
            "ECDHE-ECDSA-AES256-SHA",
            "ECDHE-RSA-AES256-SHA",
            "DHE-RSA-AES256-SHA",
            "DHE-DSS-AES256-SHA",
            "DHE-RSA-CAMELLIA256-SHA",
            "DHE-DSS-CAMELLIA256-SHA",
            "AECDH-AES256-SHA",
            "ADH-AES256-SHA",
            "ADH-CAMELLIA256-SHA",
            "ECDHE-ECDSA-AES128-SHA",
            "ECDHE-RSA-AES128-SHA",
            "DHE-RSA-AES128-SHA",
            "DHE-DSS-AES128-SHA",
            "DHE-RSA-CAMELLIA128-SHA",
            "DHE-DSS-CAMELLIA128-SHA",
            "AECDH-AES128-SHA",
            "ADH-AES128-SHA",
            "ADH-CAMELLIA128-SHA",
            "AES256-SHA",
            "CAMELLIA256-SHA",
            "AES128-SHA",
            "CAMELLIA128-SHA",
        ])
    );
    assert_eq!(
        tls10.groups,
        [
            NamedGroup::X25519,
            NamedGroup::SECP256R1,
            NamedGroup::X448,
            NamedGroup::SECP521R1,
            NamedGroup::SECP384R1
        ]
    );
    assert!(tls10.signature_algorithms.is_empty());
    assert_eq!(tls10.server_name.as_deref(), Some("legacy.example.test"));
    assert!(tls10.alpn.is_empty());
    assert!(tls10.name.starts_with("captured 127.0.0.1:"));

    // One CBC suite under TLS 1.2: the hello cannot say TLS 1.2 is also the minimum.
    let (cbc, _) = &captured[1];
    assert_eq!(cbc.suites, suites(&["AES128-SHA"]));
    assert_eq!(
        cbc.versions,
        [
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_1,
            ProtocolVersion::TLSV1_2
        ]
    );
    assert_eq!(cbc.signature_algorithms.len(), 20);
    assert_eq!(cbc.server_name, None);

    // TLS 1.3 only: OpenSSL's three default TLS 1.3 suites, TLS 1.3 signature schemes.
    let (tls13, _) = &captured[2];
    assert_eq!(tls13.versions, [ProtocolVersion::TLSV1_3]);
    assert_eq!(
        tls13.suites,
        suites(&[
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256"
        ])
    );
    assert_eq!(tls13.signature_algorithms.len(), 14);
    assert_eq!(tls13.groups.len(), 10);

    // Two groups, SNI and ALPN as given.
    let (groups, _) = &captured[3];
    assert_eq!(groups.groups, [NamedGroup::X25519, NamedGroup::SECP256R1]);
    assert_eq!(groups.server_name.as_deref(), Some("app.example.test"));
    assert_eq!(groups.alpn, ["h2", "http/1.1"]);
    assert_eq!(
        groups.versions,
        [
            ProtocolVersion::TLSV1_0,
            ProtocolVersion::TLSV1_1,
            ProtocolVersion::TLSV1_2,
            ProtocolVersion::TLSV1_3
        ]
    );

    // The `--openssl` model of the same settings predicts the same offer.
    let tls = |v| Some(v);
    let predictions = [
        openssl::describe(
            "ALL:@SECLEVEL=0",
            tls(ProtocolVersion::TLSV1_0),
            tls(ProtocolVersion::TLSV1_0),
        ),
        openssl::describe(
            "AES128-SHA",
            tls(ProtocolVersion::TLSV1_2),
            tls(ProtocolVersion::TLSV1_2),
        ),
        openssl::describe(
            "DEFAULT",
            tls(ProtocolVersion::TLSV1_3),
            tls(ProtocolVersion::TLSV1_3),
        ),
    ];
    let known = local_suites();
    for (index, predicted) in predictions.into_iter().enumerate() {
        let mut predicted = predicted.unwrap();
        // The model also knows suites this OpenSSL build lacks (3DES, RC4, SEED, IDEA).
        predicted.suites.retain(|s| known.contains(s));
        let (captured, _) = &captured[index];
        let (mut versions, suites, groups, schemes) = offer(captured);
        // A legacy hello cannot state its minimum: compare the top of the range.
        versions.retain(|v| predicted.versions.contains(v));
        assert_eq!(
            (versions, suites, groups, schemes),
            offer(&predicted),
            "client {index}"
        );
    }
}

#[test]
fn the_openssl_model_matches_default_clients_at_several_security_levels() {
    let captured = run(&[
        ("openssl", &[]),
        ("openssl", &["-cipher", "DEFAULT:@SECLEVEL=2"]),
        ("openssl", &["-cipher", "HIGH:!aNULL:@SECLEVEL=3"]),
        ("openssl", &["-cipher", "ECDHE+AESGCM:@SECLEVEL=4"]),
    ]);
    let strings = [
        "DEFAULT",
        "DEFAULT:@SECLEVEL=2",
        "HIGH:!aNULL:@SECLEVEL=3",
        "ECDHE+AESGCM:@SECLEVEL=4",
    ];
    let known = local_suites();
    for ((captured, output), string) in captured.iter().zip(strings) {
        assert_alerted(output);
        let mut predicted = openssl::describe(string, None, None).unwrap();
        predicted.suites.retain(|s| known.contains(s));
        assert_eq!(offer(captured), offer(&predicted), "{string}");
    }
}

#[test]
fn records_what_curl_offers() {
    if Command::new("curl").arg("--version").output().is_err() {
        eprintln!("curl is not installed: skipped");
        return;
    }
    let captured = run(&[(
        "curl",
        &["-sS", "-k", "--max-time", "10", "https://{addr}/"],
    )]);
    let (curl, output) = &captured[0];
    assert!(!output.status.success(), "curl should fail on the alert");
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("handshake failure"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // An IP literal is never sent as SNI (RFC 6066).
    assert_eq!(curl.server_name, None);
    assert!(
        curl.alpn.contains(&"http/1.1".to_string()),
        "{:?}",
        curl.alpn
    );
    assert!(curl.versions.contains(&ProtocolVersion::TLSV1_2));
    assert!(curl.versions.contains(&ProtocolVersion::TLSV1_3));
    assert!(curl.suites.contains(&CipherSuite::TLS_AES_128_GCM_SHA256));
    assert!(!curl.groups.is_empty() && !curl.signature_algorithms.is_empty());
}
