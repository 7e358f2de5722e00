//! `elbtls client logs` run as a binary on a small mixed set of logs (plain and gzip; ALB access,
//! ALB connection and NLB access entries, shaped like the examples of the Elastic Load Balancing
//! user guides), with the exact shares expected, and its usage errors.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

fn elbtls(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(args)
        .env_remove("ELBTLS_CATALOGUE")
        // Wide enough for one table row a line (a pipe gets 100 columns otherwise).
        .env("COLUMNS", "120")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// An ALB access-log entry shaped like the documentation's HTTPS example.
fn alb(kind: &str, client: &str, agent: &str, cipher: &str, protocol: &str) -> String {
    format!(
        r#"{kind} 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 {client}:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "{agent}" {cipher} {protocol} arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90"#
    )
}

/// An NLB access-log entry shaped like the documentation's example.
fn nlb(client: &str, cipher: &str, protocol: &str) -> String {
    format!(
        "tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd {client}:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - {cipher} {protocol} - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2018-12-20T02:59:30"
    )
}

const CONN: &str = r#"2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z FEF257372D5C14D4 Success TID_3180a73013c8ca4bac2f731159d4b0fe"#;

struct Logs {
    dir: PathBuf,
}

impl Logs {
    /// access.log (plain), nlb.log.gz (gzip), conn.log (plain).
    fn write() -> Self {
        // One directory per call: the tests of this file run in parallel.
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "elbtls-client-logs-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let gcm = "ECDHE-RSA-AES128-GCM-SHA256";
        let access = [
            r#"http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-""#.to_string(),
            alb("https", "192.0.2.10", "curl/7.46.0", gcm, "TLSv1.2"),
            alb("h2", "192.0.2.10", "curl/7.46.0", gcm, "TLSv1.2"),
            alb("https", "198.51.100.7", "Java/1.8.0_151", "ECDHE-RSA-AES128-SHA", "TLSv1"),
            alb("https", "198.51.100.7", "Java/1.8.0_151", "ECDHE-RSA-AES128-SHA", "TLSv1"),
            alb("https", "198.51.100.7", "Java/1.8.0_151", "ECDHE-RSA-AES128-SHA", "TLSv1"),
            alb("h2", "192.0.2.11", "Mozilla/5.0", "TLS_AES_128_GCM_SHA256", "TLSv1.3"),
            alb("h2", "192.0.2.11", "Mozilla/5.0", "TLS_AES_128_GCM_SHA256", "TLSv1.3"),
            String::new(),
            "https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.0.2.10:2817".to_string(),
            String::new(),
        ];
        std::fs::write(dir.join("access.log"), access.join("\n")).expect("write");
        let nlb_lines = [
            nlb("203.0.113.5", "ECDHE-RSA-AES128-SHA", "tlsv12"),
            nlb("203.0.113.6", "-", "-"),
            nlb("203.0.113.7", "TLS_AES_256_GCM_SHA384", "tlsv13"),
        ];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all((nlb_lines.join("\n") + "\n").as_bytes())
            .expect("compress");
        std::fs::write(dir.join("nlb.log.gz"), gz.finish().expect("compress")).expect("write");
        std::fs::write(dir.join("conn.log"), format!("{CONN}\n")).expect("write");
        Self { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    fn all(&self) -> Vec<String> {
        ["access.log", "nlb.log.gz", "conn.log"]
            .iter()
            .map(|n| self.path(n))
            .collect()
    }
}

impl Drop for Logs {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(logs: &Logs, extra: &[&str]) -> Output {
    let files = logs.all();
    let mut args: Vec<&str> = vec!["client", "logs"];
    args.extend(files.iter().map(String::as_str));
    args.extend(extra);
    elbtls(&args)
}

#[test]
fn reports_exact_shares_of_failing_connections() {
    let logs = Logs::write();
    let output = run(
        &logs,
        &[
            "--policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--top",
            "5",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    for expected in [
        "ELBSecurityPolicy-TLS13-1-2-2021-06 (elbv2) against 3 files · 14 lines",
        "  ALB access log 8 · ALB connection log 1 · NLB access log 3 · plain HTTP 1 · TLS not negotiated 1 · malformed 1 · blank 1",
        "Would FAIL: 4 of 10 TLS connections (40.00%) under ELBSecurityPolicy-TLS13-1-2-2021-06.",
        "1 TLS handshakes already failed (nothing negotiated) and are not in the shares.",
        "TLSv1     ECDHE-RSA-AES128-SHA         -          3  30.00%  FAILS: protocol not in policy, cipher not in policy\n",
        "TLSv1.2   ECDHE-RSA-AES128-SHA         -          1  10.00%  FAILS: cipher not in policy\n",
        "TLSv1.2   ECDHE-RSA-AES128-GCM-SHA256  -          3  30.00%  ok\n",
        "TLSv1.3   TLS_AES_128_GCM_SHA256       -          2  20.00%  ok\n",
        "TLSv1.3   TLS_AES_256_GCM_SHA384       -          1  10.00%  ok\n",
        "Client IPs of failing connections (top 2 of 2):",
        "  3   75.00%  198.51.100.7",
        "  1   25.00%  203.0.113.5",
        "User agents of failing ALB requests (top 1 of 1):",
        "  3  100.00%  Java/1.8.0_151",
        "Malformed lines: 1 (not counted above):",
        "access.log:10: ALB access log: 4 fields, at least 16 expected",
    ] {
        assert!(
            table.contains(expected),
            "missing {expected:?} in:\n{table}"
        );
    }

    let output = run(
        &logs,
        &[
            "--policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["schema_version"], 1);
    let totals = &json["totals"];
    for (key, want) in [
        ("lines", 14),
        ("blank", 1),
        ("malformed", 1),
        ("plain", 1),
        ("not_negotiated", 1),
        ("negotiated", 10),
        ("failing", 4),
        ("unknown", 0),
    ] {
        assert_eq!(totals[key], want, "{key}");
    }
    assert_eq!(totals["failing_percent"], 40.0);
    assert_eq!(json["files"][1]["gzip"], true);
    assert_eq!(json["files"][1]["entries"]["nlb-access"], 3);
    let first = &json["pairs"][0];
    assert_eq!(first["protocol"], "TLSv1");
    assert_eq!(first["iana_name"], "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA");
    assert_eq!(first["percent"], 30.0);
    assert_eq!(first["verdict"], "fails");
    assert_eq!(
        first["reasons"],
        serde_json::json!(["protocol-not-in-policy", "cipher-not-in-policy"])
    );
    assert_eq!(
        json["failing_client_ips"]["top"][0],
        serde_json::json!({"value": "198.51.100.7", "count": 3, "max_overcount": 0})
    );
    assert_eq!(json["malformed_samples"][0]["line"], 10);
}

#[test]
fn exits_0_when_nothing_would_fail() {
    let logs = Logs::write();
    let output = run(&logs, &["--policy", "ELBSecurityPolicy-TLS13-1-0-2021-06"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let table = text(&output.stdout);
    assert!(
        table.contains("Nothing would fail under ELBSecurityPolicy-TLS13-1-0-2021-06."),
        "{table}"
    );
    assert!(!table.contains("Client IPs"), "{table}");
}

#[test]
fn reads_standard_input() {
    let logs = Logs::write();
    let mut child = Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args([
            "client",
            "logs",
            "-",
            "--policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--format",
            "json",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let gz = std::fs::read(Path::new(&logs.path("nlb.log.gz"))).expect("read");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&gz)
        .expect("pipe");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["files"][0]["path"], "-");
    assert_eq!(json["totals"]["failing_percent"], 50.0);
}

#[test]
fn usage_errors_exit_2_and_name_the_input() {
    let logs = Logs::write();
    let missing = logs.path("missing.log");
    let cases: Vec<(Vec<String>, String)> = vec![
        (
            vec![logs.path("access.log"), "--policy".into(), "ELBSecurityPolicy-TLS13-1-2-2021-6".into()],
            "error: unknown policy `ELBSecurityPolicy-TLS13-1-2-2021-6`; did you mean one of `ELBSecurityPolicy-TLS13-1-2-2021-06`".into(),
        ),
        (
            vec![logs.path("access.log"), missing.clone(), "--policy".into(), "ELBSecurityPolicy-TLS13-1-2-2021-06".into()],
            format!("error: {missing}: cannot open: "),
        ),
        (
            vec![logs.dir.display().to_string(), "--policy".into(), "ELBSecurityPolicy-TLS13-1-2-2021-06".into()],
            format!("error: {}: cannot open: is a directory", logs.dir.display()),
        ),
        (
            vec![logs.path("access.log"), "--policy".into(), "ELBSecurityPolicy-TLS13-1-2-2021-06".into(), "--top".into(), "5000".into()],
            "error: --top 5000: give a number from 0 to 1000".into(),
        ),
    ];
    for (args, want) in cases {
        let mut all = vec!["client", "logs"];
        all.extend(args.iter().map(String::as_str));
        let output = elbtls(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&want), "{args:?}: {stderr}");
    }
}

#[test]
fn a_file_with_no_recognisable_entry_exits_3_and_says_which() {
    let logs = Logs::write();
    // A Classic ELB access log and a CloudFront log: neither is a format `client logs` reads.
    let classic = logs.path("classic.log");
    std::fs::write(
        &classic,
        "2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 \"GET http://www.example.com:80/ HTTP/1.1\" \"curl/7.38.0\" - -\n\
         #Version: 1.0\n",
    )
    .expect("write");
    let empty = logs.path("empty.log");
    std::fs::write(&empty, "").expect("write");
    let policy = ["--policy", "ELBSecurityPolicy-TLS13-1-0-2021-06"];

    // Alone: nothing was judged, so "nothing would fail" would be a verdict without evidence.
    for file in [&classic, &empty] {
        let mut args = vec!["client", "logs", file.as_str()];
        args.extend(policy);
        let output = elbtls(&args);
        assert_eq!(output.status.code(), Some(3), "{file}");
        let message = text(&output.stderr);
        assert!(message.contains(file.as_str()), "{message}");
        for format in ["ALB access", "ALB connection", "NLB access"] {
            assert!(message.contains(format), "{message}");
        }
    }

    // Among readable files: still incomplete (3), and the file is named; an empty file among
    // readable ones is an idle hour, not a failure.
    let mut args = vec!["client", "logs", classic.as_str(), empty.as_str()];
    let access = logs.path("access.log");
    args.push(&access);
    args.extend(policy);
    let output = elbtls(&args);
    assert_eq!(output.status.code(), Some(3));
    let message = text(&output.stderr);
    assert!(message.contains(classic.as_str()), "{message}");
    assert!(!message.contains(empty.as_str()), "{message}");
    let mut args = vec!["client", "logs", empty.as_str(), access.as_str()];
    args.extend(policy);
    assert_eq!(elbtls(&args).status.code(), Some(0));
}
