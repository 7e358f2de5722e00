//! The ELB listener emulator (`elbemu`, s2n-tls serving one ELB security policy under its AWS name)
//! against real clients on 127.0.0.1: Debian's `openssl s_client`, `elbtls probe`, and the
//! emulator's own usage errors.

use std::process::{Command, Output, Stdio};

use crate::support::TempDir;
use crate::support::elbemu::{Emulator, run_elbemu};
use serde_json::Value;

/// `openssl s_client -connect ADDR ARGS`, sending an HTTP request; its output.
fn s_client(addr: &str, args: &[&str]) -> Output {
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            addr,
            "-servername",
            "localhost",
            "-ign_eof",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl s_client");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("s_client stdin");
        let _ = stdin.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }
    child.wait_with_output().expect("wait for s_client")
}

/// What `s_client` printed on stdout.
fn text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The `Cipher is X` of an s_client session, or `(NONE)`.
fn negotiated_cipher(out: &str) -> &str {
    out.lines()
        .find_map(|l| l.split_once(", Cipher is ").map(|(_, c)| c.trim()))
        .unwrap_or("(no session line)")
}

fn probe(target: &str, extra: &[&str]) -> Value {
    let output = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(["probe", target, "--format", "json", "--timeout", "5"])
        .args(extra)
        .output()
        .expect("run elbtls probe");
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

#[test]
fn serves_an_elb_policy_by_name_to_openssl_with_rsa_ecdsa_and_both() {
    let policy = "ELBSecurityPolicy-TLS13-1-2-Res-FIPS-2023-04";
    for (certs, key_bits, banner_certs) in [
        ("rsa", Some(2048), "rsa2048"),
        ("ecdsa", Some(256), "ecdsa-p256"),
        ("both", None, "rsa2048,ecdsa-p256"),
    ] {
        let emulator = Emulator::start(policy, &[certs]);
        assert!(
            emulator
                .banner
                .ends_with(&format!("policy {policy} certs {banner_certs}")),
            "{}",
            emulator.banner
        );
        let target = emulator.target();

        // TLS 1.3 with the policy's first suite, and an HTTP 200 from the stand-in.
        let out = text(&s_client(&target, &["-tls1_3"]));
        assert!(
            out.contains("New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256"),
            "{out}"
        );
        assert!(out.contains("HTTP/1.1 200 OK"), "{out}");
        assert!(out.contains(&format!("elbemu {policy} TLSv1.3")), "{out}");

        // TLS 1.2: this Res policy has only ECDHE AES-GCM suites; the one that matches the
        // certificate's key is chosen.
        let out = text(&s_client(&target, &["-tls1_2"]));
        let cipher = negotiated_cipher(&out);
        match certs {
            "rsa" => assert_eq!(cipher, "ECDHE-RSA-AES128-GCM-SHA256", "{out}"),
            "ecdsa" => assert_eq!(cipher, "ECDHE-ECDSA-AES128-GCM-SHA256", "{out}"),
            _ => assert!(
                [
                    "ECDHE-RSA-AES128-GCM-SHA256",
                    "ECDHE-ECDSA-AES128-GCM-SHA256"
                ]
                .contains(&cipher),
                "{out}"
            ),
        }
        if let Some(bits) = key_bits {
            assert!(
                out.contains(&format!("Server public key is {bits} bit")),
                "{out}"
            );
        }

        // Not in the policy: TLS 1.1 is refused, and so is a CBC-only TLS 1.2 offer.
        let out = text(&s_client(
            &target,
            &["-tls1_1", "-cipher", "ALL:@SECLEVEL=0"],
        ));
        assert_eq!(negotiated_cipher(&out), "(NONE)", "{out}");
        let out = text(&s_client(&target, &["-tls1_2", "-cipher", "AES128-SHA"]));
        assert_eq!(negotiated_cipher(&out), "(NONE)", "{out}");
    }
}

#[test]
fn both_certificates_are_served_by_key_type() {
    let emulator = Emulator::start("ELBSecurityPolicy-2016-08", &["both"]);
    let target = emulator.target();
    let out = text(&s_client(
        &target,
        &["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"],
    ));
    assert_eq!(
        negotiated_cipher(&out),
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "{out}"
    );
    assert!(out.contains("Server public key is 256 bit"), "{out}");
    let out = text(&s_client(&target, &["-tls1_2", "-cipher", "AES128-SHA"]));
    assert_eq!(negotiated_cipher(&out), "AES128-SHA", "{out}");
    assert!(out.contains("Server public key is 2048 bit"), "{out}");
}

#[test]
fn the_generated_ca_verifies_the_served_chain() {
    let dir = TempDir::new("elbemu-ca");
    let ca = dir.path().join("ca.pem");
    let ca_arg = ca.display().to_string();
    let emulator = Emulator::start_with(
        "ELBSecurityPolicy-TLS-1-2-2017-01",
        &["ecdsa"],
        &["--ca-out", &ca_arg],
    )
    .expect("start");
    let out = text(&s_client(
        &emulator.target(),
        &[
            "-CAfile",
            &ca_arg,
            "-verify_return_error",
            "-verify_hostname",
            "localhost",
        ],
    ));
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
}

#[test]
fn rfc9151_policies_get_p384_and_rsa3072_certificates() {
    let emulator = Emulator::start(
        "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
        &["both"],
    );
    assert!(
        emulator.banner.ends_with("certs rsa3072,ecdsa-p384"),
        "{}",
        emulator.banner
    );
    let out = text(&s_client(&emulator.target(), &["-tls1_3"]));
    assert!(
        out.contains("New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384"),
        "{out}"
    );
    // TLS 1.2 is not in a TLS 1.3-only policy.
    let out = text(&s_client(&emulator.target(), &["-tls1_2"]));
    assert_eq!(negotiated_cipher(&out), "(NONE)", "{out}");
}

#[test]
fn unknown_policy_is_a_usage_error_with_close_names() {
    let (code, stdout, stderr) = run_elbemu(&[
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-4",
        "--port",
        "0",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("unknown policy `ELBSecurityPolicy-TLS13-1-2-FIPS-2023-4`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Did you mean ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04"),
        "{stderr}"
    );
    assert!(stderr.contains("--list-policies"), "{stderr}");

    // The most common ALB policy family is not in s2n-tls 0.3.47: said plainly, not served.
    let (code, _, stderr) = run_elbemu(&[
        "--policy",
        "ELBSecurityPolicy-TLS13-1-2-2021-06",
        "--port",
        "0",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("has no such security policy"), "{stderr}");

    let (code, _, stderr) = run_elbemu(&[
        "--policy",
        "ELBSecurityPolicy-2016-08",
        "--port",
        "0",
        "--cert",
        "/nonexistent/cert.pem:/nonexistent/key.pem",
    ]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read `/nonexistent/cert.pem`"),
        "{stderr}"
    );
}

#[test]
fn lists_the_elb_policies_s2n_serves() {
    let (code, stdout, stderr) = run_elbemu(&["--list-policies"]);
    assert_eq!(code, Some(0), "{stderr}");
    let names: Vec<&str> = stdout.lines().collect();
    assert_eq!(names.len(), 47, "{stdout}");
    assert!(
        names.iter().all(|n| n.starts_with("ELBSecurityPolicy-")),
        "{stdout}"
    );
    for expected in [
        "ELBSecurityPolicy-2016-08",
        "ELBSecurityPolicy-TLS13-1-2-PQ-2025-09",
        "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07",
    ] {
        assert!(names.contains(&expected), "{expected} missing: {stdout}");
    }
}

#[test]
fn a_pq_policy_accepts_x25519mlkem768_as_elbtls_probe_sees_it() {
    let emulator = Emulator::start("ELBSecurityPolicy-TLS13-1-2-PQ-2025-09", &["rsa"]);
    let json = probe(&emulator.target(), &[]);
    let endpoint = &json["endpoints"][0];
    assert_eq!(endpoint["status"], "ok", "{json:#}");
    let tls13_groups: Vec<&str> = endpoint["groups"]["tls13"]
        .as_array()
        .unwrap_or_else(|| panic!("no TLS 1.3 groups: {json:#}"))
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(tls13_groups.first(), Some(&"X25519MLKEM768"), "{json:#}");
    assert!(tls13_groups.contains(&"SecP256r1MLKEM768"), "{json:#}");
    let versions: Vec<&str> = endpoint["protocols"]
        .as_array()
        .expect("protocols")
        .iter()
        .filter_map(|p| p["version"].as_str())
        .collect();
    assert_eq!(versions, ["TLSv1.2", "TLSv1.3"], "{json:#}");

    // openssl 3.0 has no ML-KEM: the same server settles on a classical group with it.
    let out = text(&s_client(&emulator.target(), &["-tls1_3"]));
    assert!(out.contains("New, TLSv1.3"), "{out}");
}

#[test]
fn handshake_failures_do_not_stop_the_server() {
    let emulator = Emulator::start("ELBSecurityPolicy-TLS-1-2-2017-01", &["rsa"]);
    let target = emulator.target();
    // Garbage, a refused version, a hang-up: then a good handshake still works.
    {
        use std::io::Write;
        let mut stream = std::net::TcpStream::connect(emulator.addr).expect("connect");
        let _ = stream.write_all(b"this is not TLS\r\n\r\n");
    }
    drop(std::net::TcpStream::connect(emulator.addr).expect("connect"));
    let out = text(&s_client(&target, &["-tls1"]));
    assert_eq!(negotiated_cipher(&out), "(NONE)", "{out}");
    let out = text(&s_client(&target, &["-tls1_2"]));
    assert_eq!(
        negotiated_cipher(&out),
        "ECDHE-RSA-AES128-GCM-SHA256",
        "{out}"
    );
}

#[test]
fn blinding_delay_holds_a_failed_handshake_as_s2n_does_by_default() {
    // s2n-tls's own default (a random 10-30 s before closing a failed handshake) is what a
    // scanner meets as "no answer"; --blinding-delay 3 waits 1-3 s. A TLS 1.3 ClientHello without
    // secp384r1 to an RFC 9151 policy fails without an alert (s2n-tls 0.3.47 reports
    // S2N_ERR_INVALID_SUPPORTED_GROUP_STATE), so the client waits for the close.
    let policy = "ELBSecurityPolicy-TLS13-1-3-RFC9151-FIPS-2023-07";
    let no_p384 = ["-tls1_3", "-groups", "X25519:P-256"];
    let prompt = Emulator::start(policy, &["ecdsa"]);
    let started = std::time::Instant::now();
    let out = text(&s_client(&prompt.target(), &no_p384));
    let prompt_close = started.elapsed();
    assert_eq!(negotiated_cipher(&out), "(NONE)", "{out}");

    let blinding =
        Emulator::start_with(policy, &["ecdsa"], &["--blinding-delay", "3"]).expect("start");
    let started = std::time::Instant::now();
    let out = text(&s_client(&blinding.target(), &no_p384));
    let elapsed = started.elapsed();
    assert_eq!(negotiated_cipher(&out), "(NONE)", "{out}");
    assert!(
        elapsed >= std::time::Duration::from_millis(900),
        "closed after {elapsed:?} (without blinding: {prompt_close:?})"
    );
}
