//! Text from the other side (a certificate subject in a finding, an AWS error message, a load
//! balancer name) reaches no text format raw: no escape sequence, line break or bidirectional
//! override in the table, CSV, JUnit or SARIF; JSON keeps it, escaped by serde.

use super::{AuditReport, csv, json, junit, sarif, table};
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
    let formats: [(&str, String); 4] = [
        (
            "table",
            rendered(|r, o| table::render(r, &Layout::default(), o)),
        ),
        ("csv", rendered(csv::render)),
        ("junit", rendered(junit::render)),
        ("sarif", rendered(sarif::render)),
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
