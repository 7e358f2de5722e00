//! Log parsing and tallying on sample lines of each AWS format.
//!
//! The example entries are copied from the Elastic Load Balancing user guides (joined onto one
//! line, as the guides say they wrap them only for reading):
//! - ALB: "Access logs for your Application Load Balancer", *Examples* (HTTP, HTTPS, HTTP/2,
//!   WebSockets, secured WebSockets, Lambda), awsdocs/elb-application-load-balancers-user-guide
//!   `doc_source/load-balancer-access-logs.md`; the trailing fields newer entries carry
//!   (`"target:port_list"` … `conn_trace_id`) follow the current page's field list.
//! - ALB connection logs: "Connection logs for your Application Load Balancer", *Example log
//!   entries* (a successful and a failed mutual-TLS connection).
//! - NLB: "Access logs for your Network Load Balancer", *Example log entries* (without and with an
//!   ALPN policy), awsdocs/elb-network-load-balancers-user-guide
//!   `doc_source/load-balancer-access-logs.md`, and the current page's 22-field form.

use std::io::Write as _;
use std::path::PathBuf;

use super::*;
use crate::catalogue::Catalogue;
use crate::model::LoadBalancerType;
use crate::tls::ProtocolVersion;

const ALB_HTTP: &str = r#"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-""#;
const ALB_HTTPS: &str = r#"https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "authenticate,forward" "-" "-""#;
const ALB_H2: &str = r#"h2 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.1.252:48160 10.0.0.66:9000 0.000 0.002 0.000 200 200 5 257 "GET https://10.0.2.105:773/ HTTP/2.0" "curl/7.46.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337327-72bd00b0343d75b906739c42" "-" "-" 1 2018-07-02T22:22:48.364000Z "redirect" "https://example.com:80/" "-""#;
const ALB_WS: &str = r#"ws 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.0.140:40914 10.0.1.192:8010 0.001 0.003 0.000 101 101 218 587 "GET http://10.0.0.30:80/ HTTP/1.1" "-" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-""#;
const ALB_WSS: &str = r#"wss 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.0.140:44244 10.0.0.171:8010 0.000 0.001 0.000 101 101 218 786 "GET https://10.0.0.30:443/ HTTP/1.1" "-" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-west-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-""#;
const ALB_LAMBDA_FAILED: &str = r#"http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - 0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse""#;
/// The HTTPS example with the fields newer entries append, and TLS 1.3.
const ALB_TLS13_CURRENT: &str = r#"https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) \"quoted\"" TLS_AES_128_GCM_SHA256 TLSv1.3 arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "session-reused" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90 "-" "-" "-""#;

const CONN_SUCCESS: &str = r#"2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z FEF257372D5C14D4 Success TID_3180a73013c8ca4bac2f731159d4b0fe"#;
const CONN_FAILED: &str = r#"2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 - "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z FEF257372D5C14D4 Failed:ClientCertUntrusted TID_1c71a68d70587445ad5127ff8b2687d7"#;

const NLB_NO_ALPN: &str = "tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - -";
const NLB_ALPN_CURRENT: &str = r#"tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com h2 h2 "h2","http/1.1" 2020-04-01T08:51:20"#;

fn policy(name: &str) -> Policy {
    Catalogue::builtin()
        .expect("builtin catalogue")
        .get(name, LoadBalancerType::Application)
        .expect("policy exists")
        .clone()
}

fn tls(line: &str) -> Negotiated<'_> {
    match parse_line(line.as_bytes()) {
        Ok(Entry::Tls(tls)) => tls,
        other => panic!("{line}: {other:?}"),
    }
}

#[test]
fn reads_the_documented_alb_access_entries() {
    assert_eq!(
        parse_line(ALB_HTTP.as_bytes()),
        Ok(Entry::Plain {
            format: LogFormat::AlbAccess
        })
    );
    assert_eq!(
        parse_line(ALB_WS.as_bytes()),
        Ok(Entry::Plain {
            format: LogFormat::AlbAccess
        })
    );
    assert_eq!(
        parse_line(ALB_LAMBDA_FAILED.as_bytes()),
        Ok(Entry::Plain {
            format: LogFormat::AlbAccess
        })
    );
    let https = tls(ALB_HTTPS);
    assert_eq!(
        (https.format, https.protocol, https.cipher, https.group),
        (
            LogFormat::AlbAccess,
            "TLSv1.2",
            "ECDHE-RSA-AES128-GCM-SHA256",
            None
        )
    );
    assert_eq!(https.client_ip, "192.168.131.39");
    assert_eq!(https.user_agent, Some(&b"curl/7.46.0"[..]));
    assert_eq!(tls(ALB_H2).client_ip, "10.0.1.252");
    let wss = tls(ALB_WSS);
    assert_eq!((wss.protocol, wss.user_agent), ("TLSv1.2", None));
    let unlogged = ALB_HTTPS.replace("192.168.131.39:2817", "-");
    assert_eq!(tls(&unlogged).client_ip, "-");
    let current = tls(ALB_TLS13_CURRENT);
    assert_eq!(
        (current.protocol, current.cipher),
        ("TLSv1.3", "TLS_AES_128_GCM_SHA256")
    );
    assert_eq!(
        current.user_agent,
        Some(&br#"Mozilla/5.0 (X11; Linux x86_64) \"quoted\""#[..])
    );
}

#[test]
fn reads_the_documented_connection_log_entries() {
    let ok = tls(CONN_SUCCESS);
    assert_eq!(
        (ok.format, ok.protocol, ok.cipher, ok.client_ip, ok.group),
        (
            LogFormat::AlbConnection,
            "TLSv1.2",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "203.0.113.1",
            None
        )
    );
    // A failed client-certificate check still negotiated protocol and cipher.
    assert_eq!(tls(CONN_FAILED).cipher, "ECDHE-RSA-AES128-GCM-SHA256");
    // The 13th field, tls_keyexchange, is the group.
    let with_group = format!("{CONN_SUCCESS} X25519MLKEM768");
    assert_eq!(tls(&with_group).group, Some("X25519MLKEM768"));
    // A failed handshake: nothing negotiated.
    let failed = r#"2023-10-04T17:05:15.514108Z 2001:db8::7 36280 443 - - - "-" - - Failed:UnmappedConnectionError TID_1c71a68d70587445ad5127ff8b2687d7"#;
    assert_eq!(
        parse_line(failed.as_bytes()),
        Ok(Entry::NotNegotiated {
            format: LogFormat::AlbConnection,
            client_ip: "2001:db8::7"
        })
    );
    let plain = r#"2023-10-04T17:05:15.514108Z 203.0.113.1 36280 80 - - - "-" - - - TID_1"#;
    assert_eq!(
        parse_line(plain.as_bytes()),
        Ok(Entry::Plain {
            format: LogFormat::AlbConnection
        })
    );
}

#[test]
fn reads_the_documented_nlb_entries() {
    for line in [NLB_NO_ALPN, NLB_ALPN_CURRENT] {
        let entry = tls(line);
        assert_eq!(
            (entry.format, entry.protocol, entry.cipher, entry.group),
            (LogFormat::NlbAccess, "tlsv12", "ECDHE-RSA-AES128-SHA", None)
        );
        assert_eq!(entry.client_ip, "72.21.218.154");
    }
    let incomplete = NLB_NO_ALPN.replace("ECDHE-RSA-AES128-SHA tlsv12", "- -");
    assert_eq!(
        parse_line(incomplete.as_bytes()),
        Ok(Entry::NotNegotiated {
            format: LogFormat::NlbAccess,
            client_ip: "72.21.218.154"
        })
    );
    let grouped = NLB_NO_ALPN.replace("tlsv12 -", "tlsv13 x25519");
    assert_eq!(tls(&grouped).group, Some("x25519"));
    let v6 = NLB_NO_ALPN.replace("72.21.218.154:51341", "[2001:db8::1]:51341");
    assert_eq!(tls(&v6).client_ip, "2001:db8::1");
}

#[test]
fn names_what_is_wrong_with_a_malformed_line() {
    let cases: Vec<(String, &str)> = vec![
        (
            ALB_HTTPS[..ALB_HTTPS.find("curl").expect("user agent") + 4].to_string(),
            "ALB access log: field 14 opens a quote that is never closed",
        ),
        (
            "https 2018-07-02T22:23:00Z app/x 1.2.3.4:5 - 0 0 0 200 200 0 57".to_string(),
            "ALB access log: 12 fields, at least 16 expected",
        ),
        (
            ALB_HTTPS.replace("\"curl/7.46.0\"", "\"curl/7.46.0\"x"),
            "ALB access log: field 14: text after the closing quote",
        ),
        (
            ALB_HTTPS.replace("192.168.131.39:2817", "192.168.131.39"),
            "ALB access log: field 4 (`client:port`) is `192.168.131.39`: expected IP:PORT",
        ),
        (
            ALB_HTTPS.replace(" TLSv1.2 ", " - "),
            "ALB access log: field 16 (`ssl_protocol`) is `-`: a protocol is needed when a cipher is logged",
        ),
        (
            NLB_NO_ALPN[..NLB_NO_ALPN.find(" tlsv12").expect("version") + 7].to_string(),
            "NLB access log: 16 fields, at least 17 expected",
        ),
        (
            "#Version: 1.0".to_string(),
            "not an ALB access, ALB connection or NLB access log entry (first field `#Version:`)",
        ),
        (
            r#"2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -"#.to_string(),
            "ALB connection log: field 3 (`client_port`) is `192.168.131.39:2817`: expected a port number (a Classic Load Balancer access log? Those are not read)",
        ),
    ];
    for (line, want) in cases {
        let error = parse_line(line.as_bytes()).expect_err(&line);
        assert_eq!(error.to_string(), want, "{line}");
    }
}

#[test]
fn protocol_spellings_of_every_format_resolve() {
    assert_eq!(parse_protocol("tlsv10"), Some(ProtocolVersion::TLSV1_0));
    assert_eq!(parse_protocol("tlsv13"), Some(ProtocolVersion::TLSV1_3));
    assert_eq!(parse_protocol("TLSv1"), Some(ProtocolVersion::TLSV1_0));
    assert_eq!(parse_protocol("TLSv1.2"), Some(ProtocolVersion::TLSV1_2));
    assert_eq!(parse_protocol("TLSv1.4"), None);
}

/// protocol, cipher, group, count, verdict, reasons
type Row = (String, String, Option<String>, u64, Verdict, Vec<Reason>);

fn scan(text: &str, policy: &Policy) -> (FileStats, Summary) {
    let mut tally = Tally::new(policy, 3);
    let stats =
        read::scan_lines(text.as_bytes(), "mixed.log", false, &mut tally).expect("in memory");
    (stats, tally.finish())
}

#[test]
fn tallies_a_mixed_file_against_a_policy() {
    let policy = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let tls10 = ALB_HTTPS
        .replace("TLSv1.2", "TLSv1")
        .replace("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-SHA");
    let unknown = ALB_HTTPS.replace("ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA265");
    let bad_group = format!("{CONN_SUCCESS} ffdhe2048");
    let text = [
        ALB_HTTP,
        ALB_HTTPS,
        ALB_H2,
        &tls10,
        &tls10,
        &unknown,
        "",
        "garbage",
        CONN_SUCCESS,
        &bad_group,
        NLB_NO_ALPN,
        NLB_ALPN_CURRENT,
    ]
    .join("\r\n");
    let (stats, summary) = scan(&text, &policy);
    assert_eq!(stats.lines, 12);
    assert_eq!(stats.malformed, 1);
    assert_eq!(stats.by_format, [6, 2, 2]);
    let c = &summary.counts;
    assert_eq!(
        (c.lines, c.blank, c.malformed, c.plain, c.not_negotiated),
        (12, 1, 1, 1, 0)
    );
    // Two TLSv1 entries, one ffdhe2048 group, two NLB ECDHE-RSA-AES128-SHA entries fail.
    assert_eq!((c.negotiated, c.failing, c.unknown), (9, 5, 1));
    assert_eq!(summary.malformed_samples[0].line, 8);
    let rows: Vec<Row> = summary
        .pairs
        .iter()
        .map(|p| {
            (
                p.protocol.clone(),
                p.cipher.clone(),
                p.group.clone(),
                p.count,
                p.verdict,
                p.reasons.clone(),
            )
        })
        .collect();
    let row = |protocol: &str, cipher: &str, group: Option<&str>, count, verdict, reasons: &[_]| {
        (
            protocol.to_string(),
            cipher.to_string(),
            group.map(str::to_string),
            count,
            verdict,
            reasons.to_vec(),
        )
    };
    assert_eq!(
        rows,
        [
            row(
                "TLSv1",
                "ECDHE-RSA-AES128-SHA",
                None,
                2,
                Verdict::Fails,
                &[Reason::ProtocolNotInPolicy, Reason::CipherNotInPolicy]
            ),
            row(
                "TLSv1.2",
                "ECDHE-RSA-AES128-SHA",
                None,
                2,
                Verdict::Fails,
                &[Reason::CipherNotInPolicy]
            ),
            row(
                "TLSv1.2",
                "ECDHE-RSA-AES128-GCM-SHA256",
                Some("ffdhe2048"),
                1,
                Verdict::Fails,
                &[Reason::GroupNotInPolicy]
            ),
            row(
                "TLSv1.2",
                "ECDHE-RSA-AES128-GCM-SHA265",
                None,
                1,
                Verdict::Unknown,
                &[Reason::UnknownCipher]
            ),
            row(
                "TLSv1.2",
                "ECDHE-RSA-AES128-GCM-SHA256",
                None,
                3,
                Verdict::Allowed,
                &[]
            ),
        ]
    );
    let ips = &summary.failing_client_ips;
    assert_eq!(ips.distinct, Some(3));
    assert_eq!(
        ips.top
            .iter()
            .map(|c| (c.value.as_str(), c.count))
            .collect::<Vec<_>>(),
        [
            ("192.168.131.39", 2),
            ("72.21.218.154", 2),
            ("203.0.113.1", 1)
        ]
    );
    let agents = summary.failing_user_agents.expect("ALB access lines");
    assert_eq!(agents.top[0].value, "curl/7.46.0");
    assert_eq!((agents.top[0].count, agents.others), (2, 0));
}

#[test]
fn failing_client_lists_are_capped() {
    let policy = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let mut text = String::new();
    for i in 0..300 {
        let line = NLB_NO_ALPN.replace("72.21.218.154", &format!("10.0.{}.{}", i / 250, i % 250));
        text.push_str(&line);
        text.push('\n');
    }
    let mut tally = Tally::new(&policy, 2);
    read::scan_lines(text.as_bytes(), "many.log", false, &mut tally).expect("in memory");
    let summary = tally.finish();
    let ips = summary.failing_client_ips;
    assert_eq!(
        (ips.top.len(), ips.others, ips.distinct),
        (2, 298, Some(300))
    );
    assert!(summary.failing_user_agents.is_none(), "NLB logs have none");
}

#[test]
fn skips_the_rest_of_an_overlong_line() {
    let policy = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let text = format!("{}\n{ALB_HTTPS}\n", "x".repeat(read::MAX_LINE + 10));
    let (stats, summary) = scan(&text, &policy);
    assert_eq!((stats.lines, stats.malformed), (2, 1));
    assert_eq!(summary.counts.negotiated, 1);
    assert!(matches!(
        summary.malformed_samples[0].reason,
        LineError::TooLong { .. }
    ));
}

#[test]
fn lines_spanning_the_read_buffer_read_the_same() {
    let policy = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    let text = format!(
        "{ALB_HTTPS}\r\n{NLB_NO_ALPN}\n\n{CONN_FAILED}\ngarbage\n{}\n{ALB_H2}",
        "y".repeat(read::MAX_LINE + 1)
    );
    let (whole_stats, whole) = scan(&text, &policy);
    let mut tally = Tally::new(&policy, 3);
    let small = std::io::BufReader::with_capacity(7, text.as_bytes());
    let stats = read::scan_lines(small, "mixed.log", false, &mut tally).expect("in memory");
    assert_eq!(stats, whole_stats);
    assert_eq!(tally.finish(), whole);
    assert_eq!((stats.lines, stats.malformed), (7, 2));
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("elbtls-logs-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).expect("compress");
    encoder.finish().expect("compress")
}

#[test]
fn reads_gzip_files_whatever_their_name() {
    let policy = policy("ELBSecurityPolicy-TLS13-1-2-2021-06");
    // Two gzip members back to back, as concatenated log files are.
    let mut bytes = gzip(&format!("{ALB_HTTPS}\n{NLB_NO_ALPN}\n"));
    bytes.extend(gzip(&format!("{CONN_SUCCESS}\n")));
    let compressed = temp_file("elb.log", &bytes);
    let plain = temp_file("plain.log.gz", format!("{ALB_HTTP}\n").as_bytes());
    let report = analyse(&[compressed.clone(), plain.clone()], &policy, 5).expect("readable");
    assert_eq!(
        report
            .files
            .iter()
            .map(|f| (f.gzip, f.lines))
            .collect::<Vec<_>>(),
        [(true, 3), (false, 1)]
    );
    assert_eq!(
        report.files[0].formats(),
        [
            LogFormat::AlbAccess,
            LogFormat::AlbConnection,
            LogFormat::NlbAccess
        ]
    );
    assert_eq!(report.summary.counts.negotiated, 3);
    assert_eq!(report.summary.counts.failing, 1);
    assert!(report.any_failing());

    let missing = compressed.with_file_name("missing.log");
    let error = analyse(&[plain, missing.clone()], &policy, 5).expect_err("missing file");
    assert_eq!(
        error.to_string(),
        format!("{}: cannot open", missing.display())
    );

    let corrupt = temp_file("corrupt.gz", &bytes[..bytes.len() / 2]);
    let error = analyse(std::slice::from_ref(&corrupt), &policy, 5).expect_err("truncated gzip");
    assert!(
        error.to_string().contains("read error after line"),
        "{error}"
    );
    let _ = std::fs::remove_dir_all(corrupt.parent().expect("temp dir"));
}
