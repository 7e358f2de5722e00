//! `elbtls audit --format html`: one self-contained page for people who would rather look than
//! read — the verdicts per account and region, a listener × protocol/cipher-class grid, drift with
//! the declared and the observed side by side, a certificate expiry timeline, every finding with
//! its remediation, and filters that work from `file://`.
//!
//! Nothing is fetched: the style sheet and the filter script are inline (`html/style.css`,
//! `html/filter.js`), and a Content-Security-Policy allows those two by their SHA-256 only, so a
//! script that found its way into the page would not run. Every text from AWS, a server or a
//! previous report passes through [`crate::text::escape`] (as in the other text formats) and then
//! through HTML escaping, in content and in (always double-quoted) attribute values alike.

mod grid;
mod sections;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::{self, Write};

use super::{AuditReport, ListenerResult};
use crate::finding::{Severity, Verdict};

const STYLE: &str = include_str!("html/style.css");
const SCRIPT: &str = include_str!("html/filter.js");

/// Every verdict, in the order the page lists them.
const VERDICTS: [Verdict; 5] = [
    Verdict::Compliant,
    Verdict::Drift,
    Verdict::Baseline,
    Verdict::Unverified,
    Verdict::Unchecked,
];

/// Writes the page.
pub fn render(report: &AuditReport, out: &mut impl Write) -> io::Result<()> {
    // Text from outside is printed escaped (see `AuditReport::escaped`), then HTML-escaped.
    let report = &report.escaped();
    let mut page = String::with_capacity(32 * 1024 + report.listeners.len() * 3 * 1024);
    write_page(report, &mut page).map_err(|_| io::Error::other("cannot format the HTML report"))?;
    out.write_all(page.as_bytes())
}

/// Text for HTML content and for double-quoted attribute values: `&`, `<`, `>`, `"` and `'` as
/// character references.
pub(super) struct Esc<'a>(pub(super) &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

/// `'sha256-BASE64'`: a CSP source that allows exactly this inline text.
fn csp_hash(text: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, text.as_bytes());
    format!("'sha256-{}'", base64(digest.as_ref()))
}

/// Standard base64 with padding (RFC 4648), for the CSP hashes.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The listener as the page names it: `web-prod HTTPS:443`.
pub(super) fn short_label(l: &ListenerResult) -> String {
    format!("{} {}:{}", l.load_balancer, l.protocol, l.port)
}

/// Whether the listener terminates TLS (and so has something to probe).
pub(super) fn terminates_tls(l: &ListenerResult) -> bool {
    matches!(l.protocol.as_str(), "HTTPS" | "TLS" | "SSL")
}

/// `<span class="badge v-drift">drift</span>`.
pub(super) fn verdict_badge(verdict: Verdict) -> String {
    format!("<span class=\"badge v-{0}\">{0}</span>", verdict.as_str())
}

/// `<span class="badge s-high">high</span>`.
pub(super) fn severity_badge(severity: Severity) -> String {
    format!("<span class=\"badge s-{0}\">{0}</span>", severity.as_str())
}

/// The attributes the filter script reads from a listener's grid row: its index, account, region,
/// verdict, finding codes and severities.
pub(super) fn listener_attributes(index: usize, l: &ListenerResult) -> String {
    let mut codes: Vec<&str> = l.findings.iter().map(|f| f.code.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut severities: Vec<&str> = l.findings.iter().map(|f| f.severity.as_str()).collect();
    severities.sort_unstable();
    severities.dedup();
    format!(
        "data-l=\"{index}\" data-account=\"{}\" data-region=\"{}\" data-verdict=\"{}\" \
         data-codes=\"{}\" data-severities=\"{}\"",
        Esc(&l.account),
        Esc(&l.region),
        l.verdict.as_str(),
        codes.join(" "),
        severities.join(" ")
    )
}

fn write_page(report: &AuditReport, h: &mut String) -> fmt::Result {
    let title = format!("elbtls audit, {}", report.generated_at);
    write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src {}; \
         script-src {}; img-src data:; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"elbtls {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n",
        csp_hash(STYLE),
        csp_hash(SCRIPT),
        Esc(&report.tool_version),
        Esc(&title)
    )?;
    header(report, h)?;
    h.push_str(
        "<nav class=\"toc\"><a href=\"#overview\">Overview</a><a href=\"#scopes\">By account and \
         region</a><a href=\"#grid\">Protocols and ciphers</a><a href=\"#drift\">Drift</a>\
         <a href=\"#certificates\">Certificate expiry</a><a href=\"#findings\">Findings</a></nav>\n\
         <main>\n",
    );
    overview(report, h)?;
    filters(report, h)?;
    scopes(report, h)?;
    grid::write(report, h)?;
    sections::drift(report, h)?;
    sections::certificates(report, h)?;
    sections::findings(report, h)?;
    sections::diff(report, h)?;
    write!(
        h,
        "<footer>Written by elbtls {} from the audit of {}. What each finding code means and how \
         to fix it: <a href=\"https://github.com/elbtls/elbtls#finding-codes\" rel=\"noopener \
         noreferrer\">Finding codes</a>. This file is self-contained: it loads nothing.</footer>\n\
         </main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        Esc(&report.tool_version),
        Esc(&report.generated_at)
    )
}

fn header(report: &AuditReport, h: &mut String) -> fmt::Result {
    let accounts: std::collections::BTreeSet<&str> = report
        .listeners
        .iter()
        .map(|l| l.account.as_str())
        .chain(report.failures.iter().map(|f| f.account.as_str()))
        .collect();
    writeln!(
        h,
        "<header class=\"top\"><h1>elbtls audit: TLS of {} load balancer listener{}</h1>\
         <div class=\"meta\">Audited <b>{}</b> · {} account{} · baseline <b>{}</b> · {} · \
         elbtls {}</div></header>",
        report.listeners.len(),
        plural(report.listeners.len()),
        Esc(&report.generated_at),
        accounts.len(),
        plural(accounts.len()),
        Esc(report.baseline.as_deref().unwrap_or("none")),
        if report.probed {
            "listeners probed live"
        } else {
            "configuration only (--no-probe)"
        },
        Esc(&report.tool_version)
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn overview(report: &AuditReport, h: &mut String) -> fmt::Result {
    let unverified = report.count(Verdict::Unverified) + report.count(Verdict::Unchecked);
    if report.incomplete() {
        let mut what = Vec::new();
        if unverified > 0 {
            what.push(format!(
                "{unverified} listener{} could not be verified",
                plural(unverified)
            ));
        }
        if !report.failures.is_empty() {
            let n = report.failures.len();
            what.push(format!(
                "{n} account{0} or region{0} could not be read",
                plural(n)
            ));
        }
        writeln!(
            h,
            "<div class=\"banner incomplete\" id=\"incomplete\" data-incomplete=\"true\">The audit \
             is INCOMPLETE: {}. What was not verified is shown as such, never as compliant.</div>",
            what.join(" and ")
        )?;
    } else {
        h.push_str(
            "<div class=\"banner complete\" id=\"incomplete\" data-incomplete=\"false\">Every \
             listener was verified and every account and region read.</div>\n",
        );
    }
    h.push_str("<section id=\"overview\"><h2>Overview</h2>\n<div class=\"cards\">");
    card(h, "listeners", "listeners", "", report.listeners.len())?;
    for verdict in VERDICTS {
        let class = format!("v-{}", verdict.as_str());
        card(
            h,
            verdict.as_str(),
            verdict.as_str(),
            &class,
            report.count(verdict),
        )?;
    }
    h.push_str("</div>\n<div class=\"cards\">");
    for severity in Severity::ALL.into_iter().rev() {
        let id = format!("findings-{}", severity.as_str());
        let label = format!("{} findings", severity.as_str());
        let class = format!("s-{}", severity.as_str());
        card(h, &id, &label, &class, report.findings_at(severity))?;
    }
    h.push_str("</div></section>\n");
    Ok(())
}

/// One count: the number shown (the filter script recounts it from the rows on the page) and the
/// report's total.
fn card(h: &mut String, id: &str, label: &str, class: &str, total: usize) -> fmt::Result {
    write!(
        h,
        "<div class=\"card {class}\"><div class=\"n\" id=\"shown-{id}\">{total}</div>\
         <div class=\"l\">{label}</div><div class=\"of\" hidden>of <span id=\"total-{id}\" \
         data-count=\"{total}\">{total}</span> in the report</div></div>"
    )
}

fn filters(report: &AuditReport, h: &mut String) -> fmt::Result {
    let options = |values: Vec<&str>| -> String {
        let mut values = values;
        values.sort_unstable();
        values.dedup();
        values
            .iter()
            .map(|v| format!("<option value=\"{0}\">{0}</option>", Esc(v)))
            .collect()
    };
    let accounts = options(
        report
            .listeners
            .iter()
            .map(|l| l.account.as_str())
            .collect(),
    );
    let regions = options(report.listeners.iter().map(|l| l.region.as_str()).collect());
    let verdicts = options(
        report
            .listeners
            .iter()
            .map(|l| l.verdict.as_str())
            .collect(),
    );
    let codes = options(
        report
            .listeners
            .iter()
            .flat_map(|l| &l.findings)
            .map(|f| f.code.code())
            .collect(),
    );
    let severities: String = Severity::ALL
        .into_iter()
        .rev()
        .map(|s| format!("<option value=\"{0}\">{0} or worse</option>", s.as_str()))
        .collect();
    writeln!(
        h,
        "<form id=\"filters\" class=\"filters\" hidden>\
         <label>Account<select name=\"account\"><option value=\"\">all</option>{accounts}</select></label>\
         <label>Region<select name=\"region\"><option value=\"\">all</option>{regions}</select></label>\
         <label>Verdict<select name=\"verdict\"><option value=\"\">all</option>{verdicts}</select></label>\
         <label>Severity<select name=\"severity\"><option value=\"\">any</option>{severities}</select></label>\
         <label>Finding code<select name=\"code\"><option value=\"\">any</option>{codes}</select></label>\
         <label>Text<input type=\"search\" name=\"q\" placeholder=\"name, policy, suite, subject…\"></label>\
         <button type=\"reset\">Show all</button><output id=\"filter-status\"></output></form>"
    )
}

/// Verdict and finding counts of one account and region.
#[derive(Default)]
struct ScopeCounts {
    listeners: usize,
    verdicts: BTreeMap<Verdict, usize>,
    severities: BTreeMap<Severity, usize>,
}

fn scopes(report: &AuditReport, h: &mut String) -> fmt::Result {
    let mut scopes: BTreeMap<(&str, &str), ScopeCounts> = BTreeMap::new();
    for l in &report.listeners {
        let scope = scopes.entry((&l.account, &l.region)).or_default();
        scope.listeners += 1;
        *scope.verdicts.entry(l.verdict).or_default() += 1;
        for f in &l.findings {
            *scope.severities.entry(f.severity).or_default() += 1;
        }
    }
    h.push_str(
        "<section id=\"scopes\"><h2>By account and region</h2>\n<div class=\"wrap\"><table>\
         <thead><tr><th>Account</th><th>Region</th><th class=\"num\">Listeners</th>",
    );
    for verdict in VERDICTS {
        write!(h, "<th class=\"num\">{}</th>", verdict.as_str())?;
    }
    h.push_str("<th>Findings</th></tr></thead><tbody>\n");
    for ((account, region), counts) in &scopes {
        write!(
            h,
            "<tr class=\"scope-row\" data-account=\"{0}\" data-region=\"{1}\"><td class=\"mono\">{0}</td>\
             <td>{1}</td><td class=\"num\">{2}</td>",
            Esc(account),
            Esc(region),
            counts.listeners
        )?;
        for verdict in VERDICTS {
            let n = counts.verdicts.get(&verdict).copied().unwrap_or(0);
            if n == 0 {
                h.push_str("<td class=\"num muted\">0</td>");
            } else {
                write!(
                    h,
                    "<td class=\"num\"><span class=\"badge v-{}\">{n}</span></td>",
                    verdict.as_str()
                )?;
            }
        }
        h.push_str("<td>");
        let mut any = false;
        for severity in Severity::ALL.into_iter().rev() {
            if let Some(n) = counts.severities.get(&severity) {
                write!(
                    h,
                    "<span class=\"badge s-{0}\">{n} {0}</span> ",
                    severity.as_str()
                )?;
                any = true;
            }
        }
        if !any {
            h.push_str("<span class=\"muted\">none</span>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody></table></div>\n");
    if !report.failures.is_empty() {
        write!(
            h,
            "<h3 id=\"failures\">Not read <small>{} account{} or region{}: nothing in them was \
             audited</small></h3>\n<div class=\"wrap\"><table><thead><tr><th>Account</th>\
             <th>Region</th><th>Resource</th><th>Reason</th><th>Message</th></tr></thead><tbody>\n",
            report.failures.len(),
            plural(report.failures.len()),
            plural(report.failures.len())
        )?;
        for f in &report.failures {
            writeln!(
                h,
                "<tr class=\"failure-row scope-row\" data-account=\"{0}\" data-region=\"{1}\">\
                 <td class=\"mono\">{0}</td><td>{1}</td><td class=\"mono\">{2}</td>\
                 <td><span class=\"badge v-unverified\">{3}</span></td><td>{4}</td></tr>",
                Esc(&f.account),
                Esc(f.region.as_deref().unwrap_or("every region")),
                Esc(f.resource.as_deref().unwrap_or("")),
                Esc(f.reason.code()),
                Esc(&f.message)
            )?;
        }
        h.push_str("</tbody></table></div>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}
