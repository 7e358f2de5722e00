//! Text from the other side (a certificate subject in a finding, an AWS error message, a load
//! balancer name) reaches no text format raw: no escape sequence, line break or bidirectional
//! override in the table, CSV, JUnit, SARIF or HTML; JSON keeps it, escaped by serde. In HTML no
//! markup either: no script, no element, no attribute breakout.

use super::{AuditReport, csv, html, json, junit, sarif, table};
use crate::finding::{Finding, FindingCode};
use crate::report::layout::Layout;

/// ESC/CSI colour, an OSC 8 hyperlink, CR/LF and a forged line, NUL, BEL, a C1 CSI and U+202E.
const HOSTILE: &str = "CN=evil\u{1b}[2J\u{1b}]8;;https://evil.test\u{7}click\u{1b}]8;;\u{7}\r\n\
                       forged line\u{0}\u{9b}31m\u{202e}exe.pdf";

fn hostile_report() -> AuditReport {
    let mut report = super::sample::report();
    let listener = &mut report.listeners[0];
    listener.load_balancer = format!("lb{HOSTILE}");
    listener.findings.push(Finding::new(
        FindingCode::CertificateExpired,
        HOSTILE,
        format!("presents certificate {HOSTILE}, which expired 3 days ago"),
    ));
    report.failures[0].message = format!("AWS said: {HOSTILE}");
    report
}

fn rendered(render: impl Fn(&AuditReport, &mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    render(&hostile_report(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every control character but the line feeds and tabs the format itself writes, and every
/// bidirectional override.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| *c != '\n' && crate::text::needs_escape(*c))
        .collect()
}

#[test]
fn text_formats_escape_control_characters_and_bidi_overrides() {
    let formats: [(&str, String); 5] = [
        (
            "table",
            rendered(|r, o| table::render(r, &Layout::default(), o)),
        ),
        ("csv", rendered(csv::render)),
        ("junit", rendered(junit::render)),
        ("sarif", rendered(sarif::render)),
        ("html", rendered(html::render)),
    ];
    for (name, text) in formats {
        assert_eq!(raw_controls(&text), Vec::<char>::new(), "{name}: {text}");
        assert!(!text.contains("\nforged line"), "{name}: a forged line");
        assert!(text.contains("click"), "{name}: the text is kept");
        // The escapes show what was there (SARIF is JSON: its backslashes are doubled).
        let escaped = if name == "sarif" {
            "\\\\u{1b}]8;;https://evil.test\\\\u{7}"
        } else {
            "\\u{1b}]8;;https://evil.test\\u{7}"
        };
        assert!(text.contains(escaped), "{name}: {text}");
        assert!(text.contains("\\u{202e}exe.pdf"), "{name}");
    }
}

#[test]
fn the_table_still_colours_what_it_colours_itself() {
    let text = rendered(|r, o| table::render(r, &Layout::colored(100, true), o));
    // The table's own colour codes are there; the certificate's ESC is not.
    assert!(text.contains("\u{1b}[1;31m"), "{text}");
    assert!(!text.contains("\u{1b}[2J"), "{text}");
}

#[test]
fn json_keeps_the_text_as_read() {
    let text = rendered(json::render);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let found = doc.to_string().contains("\\u001b]8;;https://evil.test");
    assert!(found, "{text}");
}

/// Markup that would run a script or add an element if it reached the page raw, in a content and
/// in an attribute position (`"` and `'` close an attribute value).
const MARKUP: &str = "x\"'><script>alert(1)</script><img src=x onerror=alert(2)><!--";

#[test]
fn html_runs_no_script_and_breaks_out_of_no_attribute() {
    use crate::report::audit::{LeafCertificate, ProbeStatus};

    let mut report = super::sample::report();
    for l in &mut report.listeners {
        l.load_balancer = format!("lb{MARKUP}");
        l.account = format!("acct{MARKUP}");
        l.region = format!("region{MARKUP}");
        l.declared_policy = Some(format!("policy{MARKUP}"));
        l.id = format!("arn{MARKUP}");
        for f in &mut l.findings {
            f.subject = format!("subject{MARKUP}");
            f.message = format!("message{MARKUP}");
        }
        if let ProbeStatus::Probed {
            ciphers,
            leaf_certificates,
            ..
        } = &mut l.probe
        {
            ciphers[0].1.push(format!("suite{MARKUP}"));
            leaf_certificates.push(LeafCertificate {
                sha256: format!("sha{MARKUP}"),
                subject: format!("CN=subject{MARKUP}"),
                not_after: format!("2025-03-01{MARKUP}"),
                not_after_unix: 1_740_873_599,
            });
        }
    }
    report.generated_at = format!("time{MARKUP}");
    report.tool_version = format!("version{MARKUP}");
    report.baseline = Some(format!("baseline{MARKUP}"));
    report.failures[0].message = format!("failure{MARKUP}");
    if let Some(d) = &mut report.diff {
        d.previous = format!("previous{MARKUP}");
        d.new[0].message = format!("new{MARKUP}");
    }
    let mut out = Vec::new();
    html::render(&report, &mut out).unwrap();
    let page = String::from_utf8(out).unwrap();
    // The page's own script, and nothing else that runs or loads.
    assert_eq!(page.matches("<script").count(), 1, "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("<!--"), "{page}");
    assert!(
        !page.contains("x\"'>"),
        "a raw quote closes an attribute: {page}"
    );
    // The text is kept, escaped.
    let escaped = "x&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&lt;!--";
    for text in [
        "lb",
        "acct",
        "region",
        "policy",
        "arn",
        "subject",
        "message",
        "suite",
        "CN=subject",
        "time",
        "version",
        "failure",
        "previous",
        "new",
    ] {
        assert!(page.contains(&format!("{text}{escaped}")), "{text}: {page}");
    }
    // Attribute values (the filter's data and options) are escaped the same way.
    assert!(
        page.contains(&format!("data-account=\"acct{escaped}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("<option value=\"region{escaped}\">")),
        "{page}"
    );
}
