//! What elbtls writes and prints when the input is hostile or the destination is bad (issue 10):
//! `--output` checked before any work and written privately and atomically, text from the other
//! side escaped in every table and text report, bad `--sni`/`--resolve` values refused as usage
//! errors, and baseline errors that list every problem briefly.

use crate::support;

use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::TempDir;
use crate::support::aws_stub::{AwsStub, Request, Response, query_error, query_ok};
use crate::support::moto::{elbtls, elbtls_at, stderr, stdout};

const V2_NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/";
const CLASSIC_NS: &str = "http://elasticloadbalancing.amazonaws.com/doc/2012-06-01/";
const STS_NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// An account without load balancers.
fn empty_account(request: &Request) -> Response {
    match (request.is_classic(), request.action()) {
        (_, "GetCallerIdentity") => query_ok(
            "GetCallerIdentity",
            STS_NS,
            "<Arn>arn:aws:iam::123456789012:user/auditor</Arn><UserId>AIDAEXAMPLE</UserId>\
             <Account>123456789012</Account>",
        ),
        (false, "DescribeLoadBalancers") => {
            query_ok("DescribeLoadBalancers", V2_NS, "<LoadBalancers/>")
        }
        (true, "DescribeLoadBalancers") => query_ok(
            "DescribeLoadBalancers",
            CLASSIC_NS,
            "<LoadBalancerDescriptions/>",
        ),
        (_, action) => query_error(400, "InvalidAction", &format!("not stubbed: {action}")),
    }
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---- 4. --output checked before any work --------------------------------------------------------

#[test]
fn an_unwritable_output_is_a_usage_error_before_any_aws_call() {
    let stub = AwsStub::start(empty_account);
    let dir = TempDir::new("output-check");
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "not a directory").unwrap();
    let cases = [
        (dir.path().join("missing/report.json"), "does not exist"),
        (file.join("report.json"), "does not exist"),
        (dir.path().to_path_buf(), "is a directory"),
    ];
    for (path, needle) in cases {
        let path = path.to_str().unwrap();
        let output = elbtls_at(
            &stub.endpoint(),
            &["audit", "--no-probe", "--format", "json", "--output", path],
        );
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{path}: {err}");
        assert!(err.contains(&format!("--output {path}")), "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(output.stdout.is_empty(), "{}", stdout(&output));
    }
    assert!(
        stub.requests().is_empty(),
        "AWS was called before the output was checked: {:?}",
        stub.requests()
    );
}

// ---- 5. private, atomic report writing --------------------------------------------------------

#[test]
fn the_report_is_created_private_and_a_replaced_report_keeps_its_mode() {
    let stub = AwsStub::start(empty_account);
    let dir = TempDir::new("output-mode");
    let report = dir.path().join("report.json");
    let run = || {
        let output = elbtls_at(
            &stub.endpoint(),
            &[
                "audit",
                "--no-probe",
                "--format",
                "json",
                "--output",
                report.to_str().unwrap(),
            ],
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    };
    run();
    assert_eq!(mode(&report), 0o600, "a new report is private");
    let first = std::fs::read_to_string(&report).unwrap();
    assert!(first.contains("\"schema_version\""), "{first}");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o640)).unwrap();
    run();
    assert_eq!(mode(&report), 0o640, "the existing mode is kept");
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).unwrap();
    run();
    assert_eq!(mode(&report), 0o600, "a 0600 report stays 0600");
    assert_eq!(
        entries(dir.path()),
        ["report.json"],
        "no temporary file left"
    );
}

#[test]
fn planted_links_in_the_output_directory_are_not_followed() {
    let stub = AwsStub::start(empty_account);
    let dir = TempDir::new("output-links");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    // Links at the temporary names the previous code used (`.NAME.PID.tmp`), for every PID the
    // child can plausibly get next.
    let pid_max: u32 = std::fs::read_to_string("/proc/sys/kernel/pid_max")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(32_768);
    let here = std::process::id();
    for pid in (here..here.saturating_add(400)).filter(|p| *p <= pid_max) {
        symlink(&victim, dir.path().join(format!(".report.json.{pid}.tmp"))).unwrap();
    }
    let report = dir.path().join("report.json");
    let output = elbtls_at(
        &stub.endpoint(),
        &[
            "audit",
            "--no-probe",
            "--format",
            "json",
            "--output",
            report.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let meta = std::fs::symlink_metadata(&report).unwrap();
    assert!(meta.is_file(), "the report is a regular file");
    assert!(
        std::fs::read_to_string(&report)
            .unwrap()
            .contains("schema_version")
    );
}

/// Spawns `elbtls` against `endpoint` like `support::moto::elbtls_at`, without waiting.
fn spawn_at(endpoint: &str, args: &[&str]) -> Child {
    let home = std::env::temp_dir().join(format!("elbtls-empty-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    Command::new(env!("CARGO_BIN_EXE_elbtls"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

#[test]
fn a_killed_run_leaves_the_previous_report_intact() {
    // AWS answers the identity call, then hangs on the inventory until the run is killed.
    let stub = AwsStub::start(|request| {
        if request.action() == "GetCallerIdentity" {
            return empty_account(request);
        }
        std::thread::sleep(Duration::from_secs(60));
        empty_account(request)
    });
    let dir = TempDir::new("output-killed");
    let report = dir.path().join("report.json");
    std::fs::write(&report, "{\"previous\": true}").unwrap();
    std::fs::set_permissions(&report, std::fs::Permissions::from_mode(0o600)).unwrap();
    let mut child = spawn_at(
        &stub.endpoint(),
        &[
            "audit",
            "--no-probe",
            "--format",
            "json",
            "--output",
            report.to_str().unwrap(),
        ],
    );
    let started = Instant::now();
    while !stub
        .requests()
        .iter()
        .any(|r| r.action() == "DescribeLoadBalancers")
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no inventory call"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        std::fs::read_to_string(&report).unwrap(),
        "{\"previous\": true}"
    );
    assert_eq!(mode(&report), 0o600);
    assert_eq!(entries(dir.path()), ["report.json"], "nothing half-written");
}

// ---- 14. --sni and --resolve are checked as usage errors ---------------------------------------

fn usage_error(args: &[&str]) -> String {
    let output = elbtls(args, &[]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {err}");
    assert!(output.stdout.is_empty(), "{args:?}: {}", stdout(&output));
    err
}

#[test]
fn a_bad_sni_is_a_usage_error_naming_the_flag() {
    // Nothing listens there: were the name accepted, the run would end unreachable (exit 3).
    let target = format!("127.0.0.1:{}", support::free_port());
    let huge = "a".repeat(80 * 1024);
    for (sni, needle) in [
        ("has space.example", "` ` is not allowed in a DNS name"),
        ("bücher.example", "IDNA A-label"),
        ("evil\x1b]8;;x\x07.example", "not allowed in a DNS name"),
        (huge.as_str(), "a DNS name has at most 253"),
    ] {
        let err = usage_error(&["probe", &target, "--timeout", "1", "--sni", sni]);
        assert!(err.contains("--sni `"), "{err}");
        assert!(err.contains(needle), "{err}");
        assert!(!err.contains('\x1b'), "raw ESC echoed: {err:?}");
        assert!(
            err.len() < 1000,
            "the name is not echoed whole: {} bytes",
            err.len()
        );
    }
    // `client check --listener` takes the same flag.
    let err = usage_error(&[
        "client",
        "check",
        "--profile",
        "java-8",
        "--listener",
        &target,
        "--sni",
        "a b.example",
    ]);
    assert!(err.contains("--sni `a b.example`"), "{err}");
    // A good name is still accepted (and the run gets as far as the network).
    let output = elbtls(
        &[
            "probe",
            &target,
            "--timeout",
            "1",
            "--sni",
            "xn--bcher-kva.example",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
}

#[test]
fn a_resolve_entry_with_port_zero_says_the_port_is_wrong() {
    for command in [
        vec!["probe", "lb.example.com:443"],
        vec!["audit", "--region", "us-east-1"],
    ] {
        let mut args = command.clone();
        args.extend(["--resolve", "lb.example.com:0:127.0.0.1"]);
        let err = usage_error(&args);
        assert!(
            err.contains(
                "--resolve `lb.example.com:0:127.0.0.1`: port `0` is not a number from 1 to 65535"
            ),
            "{err}"
        );
        let mut args = command.clone();
        args.extend(["--resolve", "lb.example.com:443:10.0.0.999"]);
        let err = usage_error(&args);
        assert!(
            err.contains("address `10.0.0.999` is not an IP address"),
            "{err}"
        );
    }
}

// ---- 11. certificate reporting ------------------------------------------------------------------

#[test]
fn a_wrong_host_name_is_reported_on_an_untrusted_chain() {
    let dir = TempDir::new("cert-name");
    // Self-signed, so never trusted; issued for rsa2048.elbtls.test.
    let cert = support::make_cert(dir.path(), support::KeyKind::Rsa2048);
    let server = support::openssl_server(dir.path(), support::cert_args(&cert));
    let target = server.addr.to_string();
    let probe = |sni: &str, format: &str| {
        elbtls(
            &[
                "probe",
                &target,
                "--sni",
                sni,
                "--timeout",
                "3",
                "--format",
                format,
            ],
            &[],
        )
    };
    let chain = |sni: &str| {
        let output = probe(sni, "json");
        let doc: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", stderr(&output)));
        doc["endpoints"][0]["certificates"][0].clone()
    };
    let wrong = chain("wrong.elbtls.test");
    assert_eq!(wrong["trust"]["status"], "untrusted", "{wrong}");
    assert_eq!(wrong["name_matches"], false, "{wrong}");
    let right = chain("rsa2048.elbtls.test");
    assert_eq!(right["trust"]["status"], "untrusted", "{right}");
    assert_eq!(right["name_matches"], true, "{right}");
    let table = stdout(&probe("wrong.elbtls.test", "table"));
    assert!(table.contains("NAME MISMATCH"), "{table}");
}

// ---- 7. text from the other side is escaped -----------------------------------------------------

/// ESC/CSI, an OSC 8 hyperlink, CR/LF with a forged line, NUL (patched in: no argument can carry
/// it), and U+202E RIGHT-TO-LEFT OVERRIDE.
const HOSTILE_CN: &str = "evil\u{1b}[2J\u{1b}]8;;https://evil.test\u{7}click\u{1b}]8;;\u{7}\r\nforged#line\u{202e}exe.pdf";

/// A self-signed certificate (made with the openssl CLI) whose subject is [`HOSTILE_CN`] with a
/// NUL in place of `#`, and whose SANs carry an ESC sequence.
fn hostile_certificate(dir: &Path) -> support::CertFiles {
    let files = support::CertFiles {
        cert: dir.join("hostile.pem"),
        key: dir.join("hostile.key"),
    };
    let der = dir.join("hostile.der");
    let subject = format!("/CN={}", HOSTILE_CN.replace('/', "\\/"));
    let run = |args: &[&std::ffi::OsStr]| {
        let output = Command::new("openssl").args(args).output().unwrap();
        assert!(
            output.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let os = |s: &str| std::ffi::OsString::from(s);
    run(&[
        &os("req"),
        &os("-x509"),
        &os("-nodes"),
        &os("-sha256"),
        &os("-newkey"),
        &os("rsa:2048"),
        &os("-keyout"),
        files.key.as_os_str(),
        &os("-out"),
        der.as_os_str(),
        &os("-outform"),
        &os("DER"),
        &os("-days"),
        &os("10"),
        &os("-utf8"),
        &os("-subj"),
        &os(&subject),
        &os("-addext"),
        &os("basicConstraints=critical,CA:FALSE"),
        &os("-addext"),
        &os("subjectAltName=DNS:ok.elbtls.test,DNS:a\u{1b}[31m.elbtls.test"),
    ]);
    // The NUL: `forged#line` becomes `forged\0line` in the subject and the issuer (the signature
    // no longer matches, which a self-signed, untrusted certificate does not need).
    let mut bytes = std::fs::read(&der).unwrap();
    let needle = b"forged#line";
    let mut patched = 0;
    for i in 0..bytes.len() - needle.len() {
        if &bytes[i..i + needle.len()] == needle {
            bytes[i + 6] = 0;
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "subject and issuer");
    std::fs::write(&der, bytes).unwrap();
    run(&[
        &os("x509"),
        &os("-inform"),
        &os("DER"),
        &os("-in"),
        der.as_os_str(),
        &os("-out"),
        files.cert.as_os_str(),
    ]);
    files
}

/// Control characters and bidi overrides left raw in `text` (line feeds and tabs aside, which the
/// formats write themselves).
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| *c != '\n' && *c != '\t' && elbtls::text::needs_escape(*c))
        .collect()
}

#[test]
fn a_certificate_subject_with_control_characters_is_printed_escaped() {
    let dir = TempDir::new("hostile-cert");
    let cert = hostile_certificate(dir.path());
    let server = support::openssl_server(dir.path(), support::cert_args(&cert));
    let target = server.addr.to_string();
    let output = elbtls(
        &[
            "probe",
            &target,
            "--sni",
            "ok.elbtls.test",
            "--timeout",
            "3",
        ],
        &[],
    );
    let table = stdout(&output);
    assert!(
        table.contains("Certificates:"),
        "{table}\n{}",
        stderr(&output)
    );
    assert_eq!(raw_controls(&table), Vec::<char>::new(), "{table}");
    assert!(!table.contains("\nforged"), "a forged line: {table}");
    assert!(
        table.contains(
            "CN=evil\\u{1b}[2J\\u{1b}]8;;https://evil.test\\u{7}click\\u{1b}]8;;\\u{7}\\u{d}\\u{a}forged\\u{0}line\\u{202e}exe.pdf"
        ),
        "{table}"
    );
    assert!(table.contains("a\\u{1b}[31m.elbtls.test"), "{table}");
    // JSON carries the subject as read, escaped by serde.
    let output = elbtls(
        &[
            "probe",
            &target,
            "--sni",
            "ok.elbtls.test",
            "--timeout",
            "3",
            "--format",
            "json",
        ],
        &[],
    );
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let subject = doc["endpoints"][0]["certificates"][0]["certificates"][0]["subject"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(subject, format!("CN={}", HOSTILE_CN.replace('#', "\0")));
}

/// An ALB access-log entry shaped like the documentation's HTTPS example.
fn alb_entry(agent: &str, cipher: &str, protocol: &str) -> String {
    format!(
        r#"https 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 198.51.100.7:2817 10.0.0.1:80 0.086 0.048 0.037 200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "{agent}" {cipher} {protocol} arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337281-1d84f3d73c47ec4e58577259" "www.example.com" "arn:aws:acm:us-east-2:123456789012:certificate/12345678-1234-1234-1234-123456789012" 1 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90"#
    )
}

#[test]
fn log_user_agents_and_malformed_lines_are_printed_escaped() {
    let dir = TempDir::new("hostile-logs");
    let agent =
        "Evil\u{1b}[2J\u{1b}]8;;https://evil.test\u{7}UA\u{1b}]8;;\u{7}\rforged\u{0}\u{202e}txt";
    let lines = [
        alb_entry(agent, "ECDHE-RSA-AES128-SHA", "TLSv1"),
        alb_entry(agent, "ECDHE-RSA-AES128-SHA", "TLSv1"),
        alb_entry("curl/8", "ECDHE-RSA-AES128-SHA\u{1b}[31m", "TLSv1.2"),
        // Malformed: an unknown first field carrying an OSC sequence and a CR.
        "\u{1b}]8;;https://evil.test\u{7}x\r\u{202e} 2018 something".to_string(),
    ];
    let log = dir.path().join("access.log");
    std::fs::write(&log, lines.join("\n") + "\n").unwrap();
    let output = elbtls(
        &[
            "client",
            "logs",
            log.to_str().unwrap(),
            "--policy",
            "ELBSecurityPolicy-TLS13-1-2-2021-06",
            "--top",
            "5",
        ],
        &[],
    );
    let table = stdout(&output);
    assert!(
        table.contains("User agents of failing ALB requests"),
        "{table}"
    );
    assert!(table.contains("Malformed lines: 1"), "{table}");
    assert_eq!(raw_controls(&table), Vec::<char>::new(), "{table:?}");
    assert!(
        table.contains(
            "Evil\\u{1b}[2J\\u{1b}]8;;https://evil.test\\u{7}UA\\u{1b}]8;;\\u{7}\\u{d}forged\\u{0}\\u{202e}txt"
        ),
        "{table}"
    );
    assert!(
        table.contains("\\u{1b}]8;;https://evil.test\\u{7}x\\u{d}\\u{202e}"),
        "{table}"
    );
    assert!(table.contains("ECDHE-RSA-AES128-SHA\\u{1b}[31m"), "{table}");
}

/// An account with one ALB, `hostile-alb`, whose HTTPS listener is on `port` at
/// `hostile.elb.test` (which the test `--resolve`s to 127.0.0.1).
fn one_alb_account(port: u16) -> impl Fn(&Request) -> Response + Send + Sync + 'static {
    move |request: &Request| match (request.is_classic(), request.action()) {
        (false, "DescribeLoadBalancers") => query_ok(
            "DescribeLoadBalancers",
            V2_NS,
            "<LoadBalancers><member>\
             <LoadBalancerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/hostile-alb/50dc6c495c0c9188</LoadBalancerArn>\
             <Scheme>internet-facing</Scheme><LoadBalancerName>hostile-alb</LoadBalancerName>\
             <VpcId>vpc-3ac0fb5f</VpcId><DNSName>hostile.elb.test</DNSName>\
             <State><Code>active</Code></State><Type>application</Type>\
             </member></LoadBalancers>",
        ),
        (false, "DescribeTags") => query_ok("DescribeTags", V2_NS, "<TagDescriptions/>"),
        (false, "DescribeListeners") => query_ok(
            "DescribeListeners",
            V2_NS,
            &format!(
                "<Listeners><member>\
                 <ListenerArn>arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/hostile-alb/50dc6c495c0c9188/f2f7dc8efc522ab2</ListenerArn>\
                 <Port>{port}</Port><Protocol>HTTPS</Protocol>\
                 <SslPolicy>ELBSecurityPolicy-TLS13-1-2-2021-06</SslPolicy>\
                 <Certificates><member><CertificateArn>arn:aws:iam::123456789012:server-certificate/x</CertificateArn></member></Certificates>\
                 <DefaultActions><member><Type>fixed-response</Type></member></DefaultActions>\
                 </member></Listeners>"
            ),
        ),
        (false, "DescribeListenerCertificates") => query_ok(
            "DescribeListenerCertificates",
            V2_NS,
            "<Certificates><member><CertificateArn>arn:aws:iam::123456789012:server-certificate/x</CertificateArn>\
             <IsDefault>true</IsDefault></member></Certificates>",
        ),
        _ => empty_account(request),
    }
}

#[test]
fn the_audit_prints_a_hostile_certificate_subject_escaped_in_every_text_format() {
    let dir = TempDir::new("hostile-audit");
    // Valid 10 days: `certificate-expiring` under `modern`, whose message names the subject.
    let cert = hostile_certificate(dir.path());
    let server = support::openssl_server(dir.path(), support::cert_args(&cert));
    let port = server.addr.port();
    let stub = AwsStub::start(one_alb_account(port));
    let resolve = format!("hostile.elb.test:{port}:127.0.0.1");
    for format in [
        "table", "csv", "junit", "sarif", "html", "asff", "ocsf", "json",
    ] {
        let output = elbtls_at(
            &stub.endpoint(),
            &[
                "audit",
                "--baseline",
                "modern",
                "--resolve",
                &resolve,
                "--timeout",
                "3",
                "--format",
                format,
            ],
        );
        let text = stdout(&output);
        assert!(
            text.contains("certificate-expiring"),
            "{format}: {text}\n{}",
            stderr(&output)
        );
        if format == "json" {
            // JSON carries the subject as read (serde escapes it).
            assert!(text.contains("forged\\u0000line\u{202e}exe.pdf"), "{text}");
            continue;
        }
        assert_eq!(
            raw_controls(&text),
            Vec::<char>::new(),
            "{format}: {text:?}"
        );
        assert!(!text.contains("\nforged"), "{format}: a forged line");
        assert!(
            text.contains("forged\\u{0}line\\u{202e}exe.pdf")
                || text.contains("forged\\\\u{0}line\\\\u{202e}exe.pdf"),
            "{format}: {text}"
        );
    }
}

#[test]
fn an_aws_error_message_is_printed_escaped() {
    // What XML can carry (an ESC would make the answer unreadable, a failure of its own): a line
    // break that forges an `error:` line, and U+202E.
    let hostile = "denied here\r\nerror: forged \u{202e}txt";
    let stub = AwsStub::start(move |request| match request.action() {
        "DescribeLoadBalancers" => query_error(403, "AccessDenied", hostile),
        _ => empty_account(request),
    });
    let inventory = elbtls_at(&stub.endpoint(), &["inventory", "--format", "json"]);
    let err = stderr(&inventory);
    assert_eq!(inventory.status.code(), Some(3), "{err}");
    assert!(err.contains("warning: incomplete"), "{err}");
    assert_eq!(raw_controls(&err), Vec::<char>::new(), "{err:?}");
    assert!(!err.contains("\nerror: forged"), "a forged line: {err}");
    // The line break is escaped or folded into the one-line error chain; either way it forges
    // no line, and U+202E is shown escaped.
    assert!(err.contains("forged \\u{202e}txt"), "{err}");
    for format in ["table", "csv", "junit", "sarif", "html", "asff", "ocsf"] {
        let audit = elbtls_at(
            &stub.endpoint(),
            &["audit", "--no-probe", "--format", format],
        );
        let text = stdout(&audit);
        assert_eq!(audit.status.code(), Some(3), "{format}: {}", stderr(&audit));
        assert_eq!(
            raw_controls(&text),
            Vec::<char>::new(),
            "{format}: {text:?}"
        );
        assert!(!text.contains("\nerror: forged"), "{format}: a forged line");
        assert!(
            text.contains("error: forged"),
            "{format}: the message is kept: {text}"
        );
    }
}
