//! The page's sections that list: drift (declared vs observed side by side), the certificate
//! expiry timeline, the findings by listener with their remediation, and the changes since a
//! previous report.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use super::{Esc, plural, severity_badge, short_label, terminates_tls, verdict_badge};
use crate::finding::{Category, FindingCode, Verdict};
use crate::model::certificate::whole_days;
use crate::report::audit::{AuditReport, ListenerResult, ProbeStatus};

/// What the declared policy says and what the listener did, for one drift finding.
fn declared_and_observed(code: FindingCode) -> (&'static str, &'static str) {
    match code {
        FindingCode::ProtocolNotInPolicy
        | FindingCode::CipherNotInPolicy
        | FindingCode::GroupNotInPolicy => ("not enabled", "accepted"),
        FindingCode::DeclaredProtocolNotOffered
        | FindingCode::DeclaredCipherNotOffered
        | FindingCode::DeclaredGroupNotOffered => ("enabled", "refused"),
        FindingCode::CipherOrderDiffers => ("the policy's priority", "another order"),
        FindingCode::NodesDisagree => ("one behaviour", "nodes differ"),
        _ => ("", ""),
    }
}

/// What a drift finding is about: a version, a suite, a group.
fn what(code: FindingCode) -> &'static str {
    match code {
        FindingCode::ProtocolNotInPolicy | FindingCode::DeclaredProtocolNotOffered => "protocol",
        FindingCode::CipherNotInPolicy | FindingCode::DeclaredCipherNotOffered => "cipher suite",
        FindingCode::GroupNotInPolicy | FindingCode::DeclaredGroupNotOffered => "group",
        FindingCode::CipherOrderDiffers => "cipher order",
        _ => "behaviour",
    }
}

/// Listeners whose declared policy and observed behaviour differ, each a table with the declared
/// and the observed side by side.
pub(super) fn drift(report: &AuditReport, h: &mut String) -> fmt::Result {
    let drifted: Vec<(usize, &ListenerResult)> = report
        .listeners
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            l.findings
                .iter()
                .any(|f| f.code.category() == Category::Drift)
        })
        .collect();
    writeln!(
        h,
        "<section id=\"drift\" data-section><h2>Drift <small>{} listener{} behave otherwise than \
         their declared policy</small></h2>",
        drifted.len(),
        plural(drifted.len())
    )?;
    if drifted.is_empty() {
        h.push_str(
            "<p class=\"note\">No listener behaves otherwise than its declared policy (among \
             those verified: unverified listeners are listed under Findings).</p>",
        );
    }
    for (index, l) in drifted {
        let policy = l.declared_policy.as_deref().unwrap_or("(none)");
        writeln!(
            h,
            "<div class=\"drift-block\" data-item data-l=\"{index}\"><h3>{} {} <small>{} · {}</small>\
             </h3><table class=\"sbs\"><thead><tr><th>What</th><th class=\"decl\">Declared: \
             <code>{}</code></th><th class=\"obs\">Observed on the listener</th><th>Severity</th>\
             <th>Finding</th></tr></thead><tbody>",
            Esc(&short_label(l)),
            verdict_badge(l.verdict),
            Esc(&l.account),
            Esc(&l.region),
            Esc(policy)
        )?;
        for f in l
            .findings
            .iter()
            .filter(|f| f.code.category() == Category::Drift)
        {
            let (declared, observed) = declared_and_observed(f.code);
            let accepted = if f.is_accepted() {
                " <span class=\"badge accepted\">accepted risk</span>"
            } else {
                ""
            };
            writeln!(
                h,
                "<tr><td class=\"what\">{} <b>{}</b></td><td class=\"decl\">{declared}</td>\
                 <td><span class=\"{}\">{observed}</span></td><td>{}{accepted}</td>\
                 <td><code>{}</code><div class=\"muted\">{}</div></td></tr>",
                what(f.code),
                Esc(&f.subject),
                if observed == "accepted" {
                    "bad"
                } else {
                    "warn"
                },
                severity_badge(f.severity),
                f.code.code(),
                Esc(&f.message)
            )?;
        }
        h.push_str("</tbody></table>");
        if let ProbeStatus::Probed { protocols, .. } = &l.probe {
            write!(
                h,
                "<p class=\"note\">Observed protocols: <code>{}</code></p>",
                Esc(&protocols.join(", "))
            )?;
        }
        h.push_str("</div>\n");
    }
    h.push_str(
        "<p class=\"note nothing-shown\" hidden>No drift matches the filters.</p></section>\n",
    );
    Ok(())
}

/// One certificate on the timeline, with the listeners that presented it.
struct Presented<'a> {
    subject: &'a str,
    not_after: &'a str,
    not_after_unix: i64,
    listeners: Vec<(usize, &'a ListenerResult)>,
}

/// Every leaf certificate the probes read, soonest expiry first, with the days left at the time of
/// the audit; then the TLS listeners whose certificates were not read.
pub(super) fn certificates(report: &AuditReport, h: &mut String) -> fmt::Result {
    let mut by_fingerprint: BTreeMap<&str, Presented<'_>> = BTreeMap::new();
    let mut unread = Vec::new();
    for (index, l) in report.listeners.iter().enumerate() {
        match &l.probe {
            ProbeStatus::Probed {
                leaf_certificates, ..
            } if !leaf_certificates.is_empty() => {
                for c in leaf_certificates {
                    by_fingerprint
                        .entry(&c.sha256)
                        .or_insert_with(|| Presented {
                            subject: &c.subject,
                            not_after: &c.not_after,
                            not_after_unix: c.not_after_unix,
                            listeners: Vec::new(),
                        })
                        .listeners
                        .push((index, l));
                }
            }
            _ if terminates_tls(l) => unread.push((index, l)),
            _ => {}
        }
    }
    let mut timeline: Vec<(&str, Presented<'_>)> = by_fingerprint.into_iter().collect();
    timeline.sort_by_key(|(fingerprint, c)| (c.not_after_unix, *fingerprint));
    let audited = crate::clock::parse_rfc3339(&report.generated_at);
    writeln!(
        h,
        "<section id=\"certificates\" data-section><h2>Certificate expiry <small>{} leaf \
         certificate{} read, soonest first; days left on {}</small></h2>",
        timeline.len(),
        plural(timeline.len()),
        Esc(&report.generated_at)
    )?;
    if !timeline.is_empty() {
        h.push_str(
            "<div class=\"wrap\"><table><thead><tr><th class=\"num\">Days left</th><th>Expires \
             (UTC)</th><th></th><th>Subject</th><th>Presented by</th><th>SHA-256</th></tr>\
             </thead><tbody>\n",
        );
    }
    for (fingerprint, c) in &timeline {
        let days = audited.map(|now| whole_days(now, c.not_after_unix));
        let (tone, days_text) = match days {
            None => ("unk", "?".to_string()),
            Some(d) if d < 0 => ("bad", format!("expired {} ago", -d)),
            Some(d) if d < 30 => ("bad", d.to_string()),
            Some(d) if d < 90 => ("warn", d.to_string()),
            Some(d) => ("good", d.to_string()),
        };
        let indices: Vec<String> = c.listeners.iter().map(|(i, _)| i.to_string()).collect();
        let names: Vec<String> = c
            .listeners
            .iter()
            .map(|(_, l)| format!("{}", Esc(&short_label(l))))
            .collect();
        writeln!(
            h,
            "<tr class=\"certificate-row\" data-item data-ls=\"{}\"><td class=\"num\">\
             <span class=\"days {tone}\">{days_text}</span></td><td class=\"mono\">{}</td>\
             <td><meter min=\"0\" max=\"365\" low=\"30\" high=\"90\" optimum=\"365\" value=\"{}\">\
             </meter></td><td>{}</td><td>{}</td><td class=\"mono\" title=\"{}\">{}…</td></tr>",
            indices.join(" "),
            Esc(c.not_after.get(..10).unwrap_or(c.not_after)),
            days.unwrap_or(0).clamp(0, 365),
            Esc(c.subject),
            names.join("<br>"),
            Esc(fingerprint),
            Esc(fingerprint.get(..16).unwrap_or(fingerprint))
        )?;
    }
    if !timeline.is_empty() {
        h.push_str("</tbody></table></div>\n");
    }
    if !unread.is_empty() {
        write!(
            h,
            "<details><summary>No certificate read for {} TLS listener{} (probe failed or not \
             probed): their expiry is <b>unknown</b>, not fine.</summary><ul>",
            unread.len(),
            plural(unread.len())
        )?;
        for (index, l) in &unread {
            write!(
                h,
                "<li data-l=\"{index}\">{} {}</li>",
                Esc(&short_label(l)),
                verdict_badge(l.verdict)
            )?;
        }
        h.push_str("</ul></details>\n");
    }
    h.push_str(
        "<p class=\"note nothing-shown\" hidden>No certificate matches the filters.</p></section>\n",
    );
    Ok(())
}

/// Every listener with findings, worst verdicts first, each finding with its remediation.
pub(super) fn findings(report: &AuditReport, h: &mut String) -> fmt::Result {
    let order = |v: Verdict| match v {
        Verdict::Drift => 0,
        Verdict::Unverified => 1,
        Verdict::Unchecked => 2,
        Verdict::Baseline => 3,
        Verdict::Compliant => 4,
    };
    let mut with_findings: Vec<(usize, &ListenerResult)> = report
        .listeners
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.findings.is_empty() || l.verdict == Verdict::Unchecked)
        .collect();
    with_findings.sort_by_key(|(i, l)| (order(l.verdict), std::cmp::Reverse(l.worst()), *i));
    let total: usize = report.listeners.iter().map(|l| l.findings.len()).sum();
    writeln!(
        h,
        "<section id=\"findings\" data-section><h2>Findings <small>{total} finding{} on {} \
         listener{}</small></h2>",
        plural(total),
        with_findings.len(),
        plural(with_findings.len())
    )?;
    for (index, l) in with_findings {
        write!(
            h,
            "<div class=\"listener-block\" data-item data-l=\"{index}\"><h3>{} {} <small>{} · {} \
             · <code>{}</code> · <span class=\"mono\">{}</span></small></h3><ul class=\"findings\">",
            Esc(&short_label(l)),
            verdict_badge(l.verdict),
            Esc(&l.account),
            Esc(&l.region),
            Esc(l.declared_policy.as_deref().unwrap_or("no policy")),
            Esc(&l.id)
        )?;
        if l.findings.is_empty() {
            h.push_str(
                "<li class=\"muted\">Nothing was checked (not probed, no baseline): never \
                 compliant.</li>",
            );
        }
        let mut advised = std::collections::BTreeSet::new();
        for f in &l.findings {
            let subject = if f.subject.is_empty() {
                String::new()
            } else {
                format!(" <code>{}</code>", Esc(&f.subject))
            };
            write!(
                h,
                "<li class=\"finding\" data-l=\"{index}\" data-code=\"{}\" data-severity=\"{}\">{} \
                 <code><b>{}</b></code>{subject}<div class=\"msg\">{}</div>",
                f.code.code(),
                f.severity.as_str(),
                severity_badge(f.severity),
                f.code.code(),
                Esc(&f.message),
            )?;
            // The advice once per code and listener, under its first finding.
            if advised.insert(f.code) {
                write!(
                    h,
                    "<div class=\"fix\">What to do: {}</div>",
                    advice(f.code.remediation().advice)
                )?;
            }
            if let Some(e) = &f.exception {
                write!(
                    h,
                    "<div class=\"exc\">{} by a baseline exception until {}: {}</div>",
                    if e.expired {
                        "Was accepted (expired)"
                    } else {
                        "Accepted risk"
                    },
                    Esc(&e.expires),
                    Esc(&e.reason)
                )?;
            }
            h.push_str("</li>");
        }
        h.push_str("</ul></div>\n");
    }
    h.push_str(
        "<p class=\"note nothing-shown\" hidden>No finding matches the filters.</p></section>\n",
    );
    Ok(())
}

/// Remediation advice (Markdown code spans and nothing else) as HTML: the spans as `<code>`.
fn advice(text: &str) -> String {
    text.split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", Esc(part))
            } else {
                Esc(part).to_string()
            }
        })
        .collect()
}

/// With `--diff`: the findings new and resolved since the previous report, and what changed.
pub(super) fn diff(report: &AuditReport, h: &mut String) -> fmt::Result {
    let Some(d) = &report.diff else {
        return Ok(());
    };
    writeln!(
        h,
        "<section id=\"diff\"><h2>Since the previous report <small><code>{}</code>{}</small></h2>",
        Esc(&d.previous),
        if d.first_run {
            " (none yet: every finding is new)"
        } else {
            ""
        }
    )?;
    for (title, list) in [("New findings", &d.new), ("Resolved findings", &d.resolved)] {
        write!(h, "<h3>{title} <small>{}</small></h3>", list.len())?;
        if list.is_empty() {
            continue;
        }
        h.push_str(
            "<div class=\"wrap\"><table><thead><tr><th>Severity</th><th>Code</th><th>Subject</th>\
             <th>Listener</th><th>Message</th></tr></thead><tbody>",
        );
        for c in list.iter() {
            write!(
                h,
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td>\
                 <td class=\"mono\">{}</td><td>{}</td></tr>",
                Esc(&c.severity),
                Esc(&c.code),
                Esc(&c.subject),
                Esc(&c.listener),
                Esc(&c.message)
            )?;
        }
        h.push_str("</tbody></table></div>\n");
    }
    write!(
        h,
        "<h3>Changed listeners <small>{}</small></h3>",
        d.changes.len()
    )?;
    if !d.changes.is_empty() {
        h.push_str(
            "<div class=\"wrap\"><table><thead><tr><th>Listener</th><th>What</th><th>Before</th>\
             <th>Now</th></tr></thead><tbody>",
        );
        for c in &d.changes {
            write!(
                h,
                "<tr><td class=\"mono\">{}</td><td>{}</td><td class=\"mono\">{}</td>\
                 <td class=\"mono\">{}</td></tr>",
                Esc(&c.listener),
                c.kind.as_str(),
                Esc(&c.before),
                Esc(&c.after)
            )?;
        }
        h.push_str("</tbody></table></div>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}
