//! The HTML page from the sample report: what it shows, and that text from outside cannot break
//! out of it.

use super::{Esc, base64, render};
use crate::report::audit::{ProbeStatus, sample};

fn rendered(report: &crate::report::audit::AuditReport) -> String {
    let mut out = Vec::new();
    render(report, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn escapes_markup_and_quotes() {
    assert_eq!(
        Esc("<a href='x'>\"&amp;\"</a>").to_string(),
        "&lt;a href=&#39;x&#39;&gt;&quot;&amp;amp;&quot;&lt;/a&gt;"
    );
    assert_eq!(Esc("plain").to_string(), "plain");
}

#[test]
fn encodes_base64_as_rfc_4648() {
    for (bytes, text) in [
        (&b""[..], ""),
        (b"f", "Zg=="),
        (b"fo", "Zm8="),
        (b"foo", "Zm9v"),
        (b"foobar", "Zm9vYmFy"),
        (&[0xfb, 0xff, 0xfe], "+//+"),
    ] {
        assert_eq!(base64(bytes), text);
    }
}

#[test]
fn shows_counts_grid_drift_certificates_and_findings() {
    let mut report = sample::report();
    if let ProbeStatus::Probed { ciphers, .. } = &mut report.listeners[1].probe {
        ciphers[0].1.extend([
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA".to_string(),
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA".to_string(),
        ]);
    }
    let page = rendered(&report);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    for (id, n) in [
        ("listeners", 5),
        ("compliant", 2),
        ("drift", 1),
        ("baseline", 1),
        ("unverified", 1),
        ("unchecked", 0),
        ("findings-high", 2),
        ("findings-medium", 2),
        ("findings-critical", 0),
    ] {
        assert!(
            page.contains(&format!("id=\"total-{id}\" data-count=\"{n}\"")),
            "{id} {n}"
        );
    }
    assert_eq!(page.matches("<tr class=\"listener-row\"").count(), 5);
    assert_eq!(page.matches("<li class=\"finding\"").count(), 4);
    // The NLB accepts TLS 1.0 (a weakness) and the CBC suite is counted in its class.
    let nlb = page
        .split("<tr class=\"listener-row\"")
        .find(|row| row.contains("api-nlb TLS:8443"))
        .unwrap();
    // Columns: SSL 3.0, TLS 1.0, 1.1, 1.2, 1.3, CBC, …
    let cells: Vec<&str> = nlb
        .split("<td class=\"c ")
        .skip(1)
        .map(|cell| &cell[..cell.find("</td>").unwrap()])
        .collect();
    assert_eq!(
        cells[..5],
        [
            "no\">no",
            "bad\">yes",
            "no\">no",
            "good\">yes",
            "good\">yes"
        ]
    );
    // CBC (both), no forward secrecy (RSA key transport), 3DES, no RC4 nor other weak suites.
    assert_eq!(
        cells[5..],
        [
            "warn\" title=\"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA\">yes 2",
            "bad\" title=\"TLS_RSA_WITH_3DES_EDE_CBC_SHA\">yes 1",
            "bad\" title=\"TLS_RSA_WITH_3DES_EDE_CBC_SHA\">yes 1",
            "no\">no",
            "no\">no",
        ]
    );
    // The internal listener could not be probed: every cell says so, none says "no".
    let internal = page
        .split("<tr class=\"listener-row\"")
        .find(|row| row.contains("internal-app HTTPS:443"))
        .unwrap()
        .split("</tr>")
        .next()
        .unwrap();
    assert_eq!(internal.matches(">?</td>").count(), 10, "{internal}");
    assert!(!internal.contains(">no</td>"), "{internal}");
    // Drift: declared and observed side by side.
    assert!(
        page.contains("<td class=\"decl\">not enabled</td><td><span class=\"bad\">accepted</span>")
    );
    // The certificate: 42 days left on 2025-01-15 (expires 2025-02-26), subject escaped.
    assert!(page.contains(">42</span>"), "days left");
    assert!(page.contains("2025-02-26"));
    assert!(page.contains("CN=www.example.com, O=Example &lt;Corp&gt; &amp; &quot;Sons&quot;"));
    // The unprobed TLS listener's certificate is unknown, not fine.
    assert!(page.contains("their expiry is <b>unknown</b>"));
    // The incomplete run says so, and the region that was not read is listed.
    assert!(page.contains("data-incomplete=\"true\""));
    assert!(page.contains("ap-southeast-2"));
}

#[test]
fn loads_nothing_and_allows_only_its_own_style_and_script() {
    let page = rendered(&sample::report());
    for fetch in ["src=", "<link", "@import", "url(", "http-equiv=\"refresh\""] {
        assert!(!page.contains(fetch), "{fetch}");
    }
    assert!(page.contains("default-src 'none'; style-src 'sha256-"));
    assert!(!page.contains("unsafe-inline"));
    assert_eq!(page.matches("<script>").count(), 1);
}
