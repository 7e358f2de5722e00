//! `--format html` in a real headless browser (Debian's `chromium`, installed by `scripts/test`):
//! the page of a real audit (moto_server and the s2n-tls emulators of `audit_e2e`) renders without
//! a console message, the counts on the page after its script ran equal the JSON report's, the
//! filters work (preset from the URL fragment), the same page comes from the saved JSON report
//! (`report render`), an injected script is refused, and a 1,000-listener report renders too. The
//! browser loads only `file://` pages and is kept off every network (no proxy reachable, no name
//! resolves); a screenshot is kept at `target/test-artifacts/html-report.png`.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::audit_e2e::{audit, shared_port, world};
use crate::support::TempDir;
use crate::support::moto::{elbtls, fresh, stderr};

/// The most one browser run may take (a page of 1,000 listeners loads in about a second here).
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

const VERDICTS: [&str; 5] = ["compliant", "drift", "baseline", "unverified", "unchecked"];
const SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/test-artifacts");
    dir
}

/// What the browser made of a page.
struct Loaded {
    /// The DOM after the page's script ran.
    dom: String,
    /// The page's console messages (script errors, CSP violations, anything logged).
    console: Vec<String>,
}

/// Runs chromium headless on `url` with `action` (`--dump-dom`, `--screenshot=…`), in a profile of
/// its own, off the network, killed (its whole process group) after [`BROWSER_TIMEOUT`].
fn chromium(url: &str, action: &[&str]) -> (String, String) {
    let dir = TempDir::new("chromium");
    let out_path = dir.path().join("stdout");
    let err_path = dir.path().join("stderr");
    let mut command = Command::new("chromium");
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--enable-logging=stderr",
            "--v=0",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--disable-breakpad",
            "--metrics-recording-only",
            // Off the network: every name fails to resolve and every proxied request goes to a
            // closed loopback port.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=http://127.0.0.1:9",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            dir.path().join("profile").display()
        ))
        .args(action)
        .arg(url)
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .process_group(0);
    let mut child = command.spawn().unwrap_or_else(|e| {
        panic!("cannot start chromium ({e}): ./scripts/test installs it (apt-get install chromium)")
    });
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let err = std::fs::read_to_string(&err_path).unwrap_or_default();
            assert!(status.success(), "chromium failed ({status}): {err}");
            break;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            // The whole group: the browser's renderer and utility processes too.
            let _ = Command::new("kill")
                .args(["-KILL", &format!("-{}", child.id())])
                .status();
            let _ = child.wait();
            panic!("chromium took more than {BROWSER_TIMEOUT:?} on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (
        std::fs::read_to_string(&out_path).unwrap(),
        std::fs::read_to_string(&err_path).unwrap(),
    )
}

/// The page at `path` (with `fragment`, e.g. `#verdict=drift`) after its script ran.
fn load(path: &Path, fragment: &str) -> Loaded {
    let (dom, log) = chromium(
        &format!("file://{}{fragment}", path.display()),
        &["--dump-dom"],
    );
    // `[pid:tid:time:INFO:CONSOLE:LINE] "message", source: URL (LINE)`: the page writes nothing to
    // the console itself, so every such line is an error, a CSP violation or a stray log.
    let console = log
        .lines()
        .filter(|line| line.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    Loaded { dom, console }
}

/// The number in `<… id="ID">N<`.
fn number(dom: &str, id: &str) -> u64 {
    let marker = format!("id=\"{id}\"");
    let at = dom
        .find(&marker)
        .unwrap_or_else(|| panic!("no #{id} on the page"));
    let content = at + dom[at..].find('>').unwrap() + 1;
    dom[content..]
        .split('<')
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap_or_else(|e| panic!("#{id} is not a number ({e})"))
}

/// The opening tags of the elements whose tag starts with `start`.
fn tags<'a>(dom: &'a str, start: &str) -> Vec<&'a str> {
    dom.match_indices(start)
        .map(|(at, _)| {
            let tag = &dom[at..];
            &tag[..tag.find('>').unwrap()]
        })
        .collect()
}

/// Visible grid rows (one per listener) by verdict.
fn visible_rows(dom: &str) -> BTreeMap<String, u64> {
    let mut rows = BTreeMap::new();
    for tag in tags(dom, "<tr class=\"listener-row\"") {
        if tag.contains(" hidden") {
            continue;
        }
        let verdict = tag.split("data-verdict=\"").nth(1).unwrap();
        let verdict = &verdict[..verdict.find('"').unwrap()];
        *rows.entry(verdict.to_string()).or_default() += 1;
    }
    rows
}

/// The page's counts after its script ran, and its rows, against the JSON report's summary.
fn assert_counts_match(loaded: &Loaded, summary: &Value) {
    assert!(
        loaded.dom.contains("<html lang=\"en\" data-ready=\"1\">"),
        "the filter script did not finish: {}",
        loaded.dom
    );
    assert_eq!(number(&loaded.dom, "shown-listeners"), summary["listeners"]);
    assert_eq!(number(&loaded.dom, "total-listeners"), summary["listeners"]);
    let rows = visible_rows(&loaded.dom);
    for verdict in VERDICTS {
        assert_eq!(
            number(&loaded.dom, &format!("shown-{verdict}")),
            summary[verdict],
            "{verdict}"
        );
        assert_eq!(
            number(&loaded.dom, &format!("total-{verdict}")),
            summary[verdict],
            "{verdict}"
        );
        assert_eq!(
            rows.get(verdict).copied().unwrap_or(0),
            summary[verdict],
            "rows {verdict}"
        );
    }
    for severity in SEVERITIES {
        let id = format!("shown-findings-{severity}");
        assert_eq!(
            number(&loaded.dom, &id),
            summary["findings"][severity],
            "{severity}"
        );
        let items = tags(&loaded.dom, "<li class=\"finding\"")
            .iter()
            .filter(|t| t.contains(&format!("data-severity=\"{severity}\"")))
            .count();
        assert_eq!(
            items as u64, summary["findings"][severity],
            "items {severity}"
        );
    }
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_real_audit_renders_in_a_browser_with_the_json_reports_counts() {
    let dir = TempDir::new("html-report");
    let json_path = dir.path().join("audit.json");
    let html_path = dir.path().join("audit.html");
    {
        let moto = fresh();
        let port = shared_port();
        let made = moto.fixture(&["audit", &port.to_string()]);
        let world = world(&made["dns"], port);
        let output = audit(
            &moto.endpoint(),
            &world,
            &[
                "--baseline",
                "modern",
                "-o",
                &format!("json={}", json_path.display()),
                "-o",
                &format!("html={}", html_path.display()),
            ],
        );
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    }
    let doc = read_json(&json_path);
    let summary = &doc["summary"];
    assert!(summary["drift"].as_u64().unwrap() >= 1, "{summary}");
    assert!(summary["unverified"].as_u64().unwrap() >= 1, "{summary}");

    // The same page from the saved JSON report, without AWS.
    let rendered = dir.path().join("rendered.html");
    let output = elbtls(
        &[
            "report",
            "render",
            json_path.to_str().unwrap(),
            "--format",
            "html",
            "-o",
            rendered.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let page = std::fs::read_to_string(&html_path).unwrap();
    assert_eq!(std::fs::read_to_string(&rendered).unwrap(), page);

    let loaded = load(&html_path, "");
    assert_eq!(loaded.console, Vec::<String>::new(), "console messages");
    assert_counts_match(&loaded, summary);
    // The certificates the probes read are on the timeline, soonest first.
    assert!(
        loaded.dom.contains("class=\"certificate-row\""),
        "no certificate"
    );
    // The dead Classic listener is unverified: `?` in its cells, never `no`.
    let dead = loaded
        .dom
        .split("<tr class=\"listener-row\"")
        .find(|row| row.contains("clb-dead"))
        .unwrap();
    let dead = &dead[..dead.find("</tr>").unwrap()];
    assert!(
        dead.contains(">?</td>") && !dead.contains(">no</td>"),
        "{dead}"
    );

    // A filter preset in the link: only the drifted listeners stay.
    let drift = load(&html_path, "#verdict=drift");
    assert_eq!(drift.console, Vec::<String>::new());
    assert_eq!(number(&drift.dom, "shown-listeners"), summary["drift"]);
    let rows = visible_rows(&drift.dom);
    assert_eq!(rows.keys().collect::<Vec<_>>(), ["drift"], "{rows:?}");
    // By finding code: every listener shown has one, every finding shown is one.
    let code = "weak-cipher-allowed";
    let by_code = load(&html_path, &format!("#code={code}"));
    let expected = doc["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| {
            l["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["code"] == code)
        })
        .count();
    assert!(expected > 0, "{doc:#}");
    assert_eq!(number(&by_code.dom, "shown-listeners"), expected as u64);
    let shown: Vec<&str> = tags(&by_code.dom, "<li class=\"finding\"")
        .into_iter()
        .filter(|t| !t.contains(" hidden"))
        .collect();
    assert!(!shown.is_empty());
    assert!(
        shown
            .iter()
            .all(|t| t.contains(&format!("data-code=\"{code}\""))),
        "{shown:?}"
    );

    let screenshot = artifacts().join("html-report.png");
    let _ = std::fs::remove_file(&screenshot);
    chromium(
        &format!("file://{}", html_path.display()),
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1400,1000",
        ],
    );
    let png = std::fs::read(&screenshot).expect("the screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
    std::fs::copy(&html_path, artifacts().join("html-report.html")).unwrap();
}

#[test]
fn the_checker_catches_a_script_error_and_the_page_refuses_an_injected_script() {
    let dir = TempDir::new("html-broken");
    let broken = dir.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><body><p>x</p><script>notDefinedAnywhere();</script></body></html>",
    )
    .unwrap();
    let loaded = load(&broken, "");
    assert!(
        loaded
            .console
            .iter()
            .any(|l| l.contains("notDefinedAnywhere")),
        "{:?}",
        loaded.console
    );

    // A script that found its way into a page elbtls wrote does not run: the CSP allows only the
    // page's own script, by its hash.
    let page = dir.path().join("page.html");
    let output = elbtls(
        &[
            "report",
            "render",
            &write_report(dir.path(), 20),
            "--format",
            "html",
            "-o",
            page.to_str().unwrap(),
        ],
        &[],
    );
    assert!(page.exists(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&page).unwrap().replace(
        "</main>",
        "<script>document.body.setAttribute('data-injected', 'ran');</script></main>",
    );
    std::fs::write(&page, &text).unwrap();
    // Without the policy the same script runs: the check below can fail.
    let open = dir.path().join("open.html");
    let csp = text
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp + text[csp..].find('>').unwrap() + 1;
    std::fs::write(&open, format!("{}{}", &text[..csp], &text[csp_end..])).unwrap();
    assert!(load(&open, "").dom.contains("<body data-injected=\"ran\">"));
    let loaded = load(&page, "");
    assert!(
        !loaded.dom.contains("<body data-injected=\"ran\">"),
        "the injected script ran"
    );
    assert!(
        loaded
            .console
            .iter()
            .any(|l| l.contains("Content Security Policy")),
        "{:?}",
        loaded.console
    );
    // The page's own script still ran.
    assert!(loaded.dom.contains("data-ready=\"1\""));
}

#[test]
fn a_thousand_listener_report_renders_in_every_format_and_in_the_browser() {
    let dir = TempDir::new("html-thousand");
    let input = write_report(dir.path(), 1000);
    let mut sizes = Vec::new();
    for format in ["json", "html", "csv", "sarif", "junit", "table"] {
        let path = dir.path().join(format!("report.{format}"));
        let output = elbtls(
            &[
                "report",
                "render",
                &input,
                "--format",
                format,
                "-o",
                path.to_str().unwrap(),
            ],
            &[],
        );
        assert_eq!(
            output.status.code(),
            Some(1),
            "{format}: {}",
            stderr(&output)
        );
        sizes.push(format!(
            "{format}\t{}",
            std::fs::metadata(&path).unwrap().len()
        ));
    }
    std::fs::write(
        artifacts().join("report-sizes-1000-listeners.tsv"),
        sizes.join("\n") + "\n",
    )
    .unwrap();
    let summary = read_json(&dir.path().join("report.json"))["summary"].clone();
    assert_eq!(summary["listeners"], 1000);
    std::fs::copy(
        dir.path().join("report.html"),
        artifacts().join("html-report-1000.html"),
    )
    .unwrap();
    let started = Instant::now();
    let loaded = load(&dir.path().join("report.html"), "");
    let took = started.elapsed();
    assert_eq!(loaded.console, Vec::<String>::new());
    assert_counts_match(&loaded, &summary);
    eprintln!(
        "1,000 listeners: {} ; browser load {took:?}",
        sizes.join(", ")
    );
    let region = load(
        &dir.path().join("report.html"),
        "#region=eu-west-1&verdict=baseline",
    );
    let expected = read_json(&dir.path().join("report.json"))["listeners"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["region"] == "eu-west-1" && l["verdict"] == "baseline")
        .count();
    assert!(expected > 0);
    assert_eq!(number(&region.dom, "shown-listeners"), expected as u64);
}

/// A saved JSON report of `n` listeners across four accounts and four regions, in the shape
/// `audit --format json` writes: compliant TLS 1.2/1.3 listeners, drift (TLS 1.0 and CBC suites
/// a TLS 1.2 policy does not enable), baseline findings on a 2016-08 policy (TLS 1.0, CBC, RSA key
/// transport, a Classic one with 3DES), unreachable listeners and HTTP listeners; certificates
/// expiring from past to a year ahead. Returns its path.
fn write_report(dir: &Path, n: usize) -> String {
    const MODERN: [&str; 5] = [
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_AES_128_GCM_SHA256",
        "TLS_AES_256_GCM_SHA384",
        "TLS_CHACHA20_POLY1305_SHA256",
    ];
    const LEGACY_TLS10: [&str; 4] = [
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
    ];
    const LEGACY_TLS12: [&str; 8] = [
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_RSA_WITH_AES_256_CBC_SHA",
    ];
    let accounts = [
        "111122223333",
        "222233334444",
        "333344445555",
        "444455556666",
    ];
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
    let generated = 1_767_225_600_i64; // 2026-01-01T00:00:00Z
    let mut listeners = Vec::new();
    for i in 0..n {
        let account = accounts[i % 4];
        let region = regions[i / 4 % 4];
        let kind = i % 10;
        let lb = format!("svc-{:04}-{}", i / 2, ["web", "api", "edge", "int"][i % 4]);
        let (lb_type, protocol, port) = match kind {
            9 => ("application", "HTTP", 80),
            7 if i % 20 == 7 => ("classic", "SSL", 443),
            6 => ("network", "TLS", 8443),
            _ => ("application", "HTTPS", 443),
        };
        let id = format!(
            "arn:aws:elasticloadbalancing:{region}:{account}:listener/app/{lb}/{i:016x}/{:016x}",
            i * 7919
        );
        let label = format!("{lb} {protocol}:{port} ({account}/{region})");
        let leaf = |days: i64| {
            let not_after = generated + days * 86_400 + 86_399;
            json!([{
                "sha256": format!("{:064x}", i * 104_729 + 1),
                "subject": format!("CN={lb}.example.com, O=Example Corp"),
                "not_after": rfc3339(not_after),
            }])
        };
        let probed = |versions: &[(&str, &[&str])], days: i64| {
            let ciphers: serde_json::Map<String, Value> = versions
                .iter()
                .map(|(v, s)| ((*v).to_string(), json!(s)))
                .collect();
            let certificates = leaf(days);
            json!({
                "status": "probed",
                "protocols": versions.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
                "ciphers": ciphers,
                "certificates": [certificates[0]["sha256"]],
                "leaf_certificates": certificates,
                "connections": 20 + i % 17,
            })
        };
        let finding = |code: &str,
                       category: &str,
                       severity: &str,
                       subject: &str,
                       message: String| {
            json!({"code": code, "category": category, "severity": severity, "subject": subject, "message": message})
        };
        let days = (i as i64 * 37) % 420 - 30;
        let (policy, verdict, probe, findings) = match kind {
            6 => (
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "drift",
                probed(
                    &[
                        ("TLSv1", &LEGACY_TLS10),
                        ("TLSv1.2", &MODERN[..2]),
                        ("TLSv1.3", &MODERN[2..]),
                    ],
                    days,
                ),
                vec![
                    finding(
                        "protocol-not-in-policy",
                        "drift",
                        "high",
                        "TLSv1",
                        format!(
                            "{label} accepts TLSv1, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable: re-apply the policy."
                        ),
                    ),
                    finding(
                        "cipher-not-in-policy",
                        "drift",
                        "high",
                        "ECDHE-RSA-AES128-SHA",
                        format!(
                            "{label} accepts ECDHE-RSA-AES128-SHA, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable."
                        ),
                    ),
                    finding(
                        "cipher-not-in-policy",
                        "drift",
                        "high",
                        "AES128-SHA",
                        format!(
                            "{label} accepts AES128-SHA, which ELBSecurityPolicy-TLS13-1-2-2021-06 does not enable."
                        ),
                    ),
                ],
            ),
            7 => {
                let mut tls12: Vec<&str> = LEGACY_TLS12.to_vec();
                let mut found = vec![
                    finding(
                        "protocol-below-minimum",
                        "baseline",
                        "high",
                        "TLSv1",
                        format!(
                            "{label} accepts TLSv1, below the baseline's minimum TLSv1.2: move to ELBSecurityPolicy-TLS13-1-2-2021-06."
                        ),
                    ),
                    finding(
                        "weak-cipher-allowed",
                        "baseline",
                        "medium",
                        "CBC",
                        format!("{label} accepts CBC suites, which the baseline `modern` bans."),
                    ),
                    finding(
                        "no-forward-secrecy",
                        "baseline",
                        "medium",
                        "AES128-SHA",
                        format!("{label} accepts suites without forward secrecy."),
                    ),
                ];
                if protocol == "SSL" {
                    tls12.push("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
                    found.push(finding(
                        "weak-cipher-allowed",
                        "baseline",
                        "medium",
                        "3DES",
                        format!("{label} accepts 3DES suites."),
                    ));
                }
                if days < 0 {
                    found.insert(
                        0,
                        finding(
                            "certificate-expired",
                            "baseline",
                            "critical",
                            "CN=expired",
                            format!(
                                "{label} presents a certificate that expired {} days ago.",
                                -days
                            ),
                        ),
                    );
                }
                let tls12: &'static [&'static str] = Vec::leak(tls12);
                (
                    "ELBSecurityPolicy-2016-08",
                    "baseline",
                    probed(
                        &[
                            ("TLSv1", &LEGACY_TLS10),
                            ("TLSv1.1", &LEGACY_TLS10),
                            ("TLSv1.2", tls12),
                        ],
                        days,
                    ),
                    found,
                )
            }
            8 => (
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "unverified",
                json!({"status": "failed", "protocols": null, "ciphers": null, "certificates": null, "leaf_certificates": null, "connections": null}),
                vec![finding(
                    "probe-failed",
                    "unverified",
                    "medium",
                    "timeout",
                    format!(
                        "{label} could not be probed: no answer within 5s (an internal load balancer is not reachable from here); run from inside the VPC or pass --resolve."
                    ),
                )],
            ),
            9 => (
                "",
                "compliant",
                json!({"status": "skipped", "protocols": null, "ciphers": null, "certificates": null, "leaf_certificates": null, "connections": null}),
                Vec::new(),
            ),
            _ => (
                "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "compliant",
                probed(
                    &[("TLSv1.2", &MODERN[..2]), ("TLSv1.3", &MODERN[2..])],
                    days.abs() + 40,
                ),
                Vec::new(),
            ),
        };
        listeners.push(json!({
            "id": id,
            "account": account,
            "region": region,
            "load_balancer": lb,
            "type": lb_type,
            "scheme": if i % 3 == 0 { "internal" } else { "internet-facing" },
            "dns_name": format!("{lb}-{i}.{region}.elb.amazonaws.com"),
            "port": port,
            "protocol": protocol,
            "declared_policy": if policy.is_empty() { Value::Null } else { json!(policy) },
            "declared_policy_name": if policy.is_empty() { Value::Null } else { json!(policy) },
            "declared_policy_origin": if policy.is_empty() { Value::Null } else { json!("listener") },
            "verdict": verdict,
            "probe": probe,
            "findings": findings,
        }));
    }
    let doc = json!({
        "schema_version": 1,
        "generated_at": rfc3339(generated),
        "tool_version": "0.1.0",
        "baseline": "modern",
        "probed": true,
        "summary": {},
        "listeners": listeners,
        "failures": [{
            "account": "555566667777",
            "region": "eu-central-1",
            "resource": null,
            "reason": "access-denied",
            "message": "User: arn:aws:sts::555566667777:assumed-role/audit/elbtls is not authorized to perform: elasticloadbalancing:DescribeLoadBalancers",
        }],
        "diff": null,
    });
    let path = dir.join(format!("input-{n}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

/// `2026-01-01T00:00:00Z` from Unix seconds.
fn rfc3339(unix: i64) -> String {
    elbtls::clock::rfc3339(unix)
}
