//! The listener × protocol/cipher-class grid: where SSL 3.0, TLS 1.0 and 1.1, CBC, suites without
//! forward secrecy, 3DES and RC4 remain, at a glance. A cell says it in words as well as in colour;
//! a listener that was not probed completely shows `?` in every cell, never `no`.

use std::collections::BTreeSet;
use std::fmt::{self, Write as _};

use super::{Esc, listener_attributes, short_label, terminates_tls, verdict_badge};
use crate::report::audit::{AuditReport, ListenerResult, ProbeStatus};
use crate::tls::{CipherSuite, CipherSuiteInfo, SuiteProperty};

/// How bad accepting something of a column is.
#[derive(Clone, Copy)]
enum Tone {
    /// A weakness to remove.
    Bad,
    /// Worth removing.
    Warn,
    /// What should be there.
    Good,
}

impl Tone {
    fn class(self) -> &'static str {
        match self {
            Self::Bad => "bad",
            Self::Warn => "warn",
            Self::Good => "good",
        }
    }
}

/// A protocol version column: the AWS spelling in the report, the heading, the tone when accepted.
const VERSIONS: [(&str, &str, Tone); 5] = [
    ("SSLv3", "SSL 3.0", Tone::Bad),
    ("TLSv1", "TLS 1.0", Tone::Bad),
    ("TLSv1.1", "TLS 1.1", Tone::Bad),
    ("TLSv1.2", "TLS 1.2", Tone::Good),
    ("TLSv1.3", "TLS 1.3", Tone::Good),
];

/// A cipher-class column.
struct Class {
    heading: &'static str,
    title: &'static str,
    tone: Tone,
    matches: fn(Option<&CipherSuiteInfo>) -> bool,
}

const CLASSES: [Class; 5] = [
    Class {
        heading: "CBC",
        title: "CBC-mode suites (MAC-then-encrypt: Lucky13, POODLE-style attacks)",
        tone: Tone::Warn,
        matches: |s| s.is_some_and(CipherSuiteInfo::is_cbc),
    },
    Class {
        heading: "No FS",
        title: "Suites without forward secrecy (RSA key transport): a stolen key decrypts \
                recorded traffic",
        tone: Tone::Bad,
        matches: |s| s.is_some_and(|s| !s.forward_secrecy()),
    },
    Class {
        heading: "3DES",
        title: "Triple-DES suites (Sweet32)",
        tone: Tone::Bad,
        matches: |s| s.is_some_and(|s| s.has(SuiteProperty::TripleDes)),
    },
    Class {
        heading: "RC4",
        title: "RC4 suites",
        tone: Tone::Bad,
        matches: |s| s.is_some_and(|s| s.has(SuiteProperty::Rc4)),
    },
    Class {
        heading: "Other weak",
        title: "NULL, export-grade, anonymous, single-DES or MD5 suites, and suites the registry \
                does not know",
        tone: Tone::Bad,
        matches: |s| match s {
            None => true,
            Some(s) => [
                SuiteProperty::NullCipher,
                SuiteProperty::Export,
                SuiteProperty::Anonymous,
                SuiteProperty::Des,
                SuiteProperty::Md5,
            ]
            .into_iter()
            .any(|p| s.has(p)),
        },
    },
];

/// Writes the grid section.
pub(super) fn write(report: &AuditReport, h: &mut String) -> fmt::Result {
    h.push_str(
        "<section id=\"grid\" data-section><h2>Protocols and cipher classes <small>what each \
         listener accepted when probed</small></h2>\n<div class=\"legend\">\
         <span><span class=\"k bad\">yes</span>accepted, a weakness</span>\
         <span><span class=\"k warn\">yes</span>accepted, worth removing</span>\
         <span><span class=\"k good\">yes</span>accepted</span>\
         <span><span class=\"k\">no</span>refused</span>\
         <span><span class=\"k unk\">?</span>not verified (probe failed or not probed)</span>\
         <span><span class=\"k\">—</span>no TLS</span>\
         <span>numbers: how many suites of the class</span></div>\n\
         <div class=\"wrap\"><table class=\"grid\"><thead><tr><th class=\"lst\">Listener</th>\
         <th>Verdict</th><th>Declared policy</th>",
    );
    for (_, heading, _) in VERSIONS {
        write!(h, "<th class=\"c\">{heading}</th>")?;
    }
    for class in &CLASSES {
        write!(
            h,
            "<th class=\"c\" title=\"{}\">{}</th>",
            class.title, class.heading
        )?;
    }
    h.push_str("</tr></thead><tbody>\n");
    for (index, l) in report.listeners.iter().enumerate() {
        row(index, l, h)?;
    }
    h.push_str(
        "</tbody></table></div><p class=\"note nothing-shown\" hidden>No listener matches the \
         filters.</p></section>\n",
    );
    Ok(())
}

fn row(index: usize, l: &ListenerResult, h: &mut String) -> fmt::Result {
    write!(
        h,
        "<tr class=\"listener-row\" data-item {}><td class=\"lst\"><b>{}</b>\
         <div class=\"sub\">{} · {} · {}</div></td><td>{}</td><td class=\"mono\">{}</td>",
        listener_attributes(index, l),
        Esc(&short_label(l)),
        Esc(&l.account),
        Esc(&l.region),
        crate::report::type_abbreviation(l.lb_type),
        verdict_badge(l.verdict),
        Esc(l.declared_policy.as_deref().unwrap_or("—")),
    )?;
    let columns = VERSIONS.len() + CLASSES.len();
    match &l.probe {
        ProbeStatus::Probed {
            protocols, ciphers, ..
        } => {
            for (name, _, tone) in VERSIONS {
                if protocols.iter().any(|p| p == name) {
                    write!(h, "<td class=\"c {}\">yes</td>", tone.class())?;
                } else {
                    h.push_str("<td class=\"c no\">no</td>");
                }
            }
            let suites: BTreeSet<&str> = ciphers
                .iter()
                .flat_map(|(_, list)| list.iter().map(String::as_str))
                .collect();
            let infos: Vec<(&str, Option<&CipherSuiteInfo>)> = suites
                .iter()
                .map(|name| {
                    (
                        *name,
                        CipherSuite::from_name(name).and_then(CipherSuite::info),
                    )
                })
                .collect();
            for class in &CLASSES {
                let members: Vec<&str> = infos
                    .iter()
                    .filter(|(_, info)| (class.matches)(*info))
                    .map(|(name, _)| *name)
                    .collect();
                if members.is_empty() {
                    h.push_str("<td class=\"c no\">no</td>");
                } else {
                    write!(
                        h,
                        "<td class=\"c {}\" title=\"{}\">yes {}</td>",
                        class.tone.class(),
                        Esc(&members.join(", ")),
                        members.len()
                    )?;
                }
            }
        }
        probe => {
            let (class, text, title) = match probe {
                _ if !terminates_tls(l) => ("none", "—", "no TLS on this listener"),
                ProbeStatus::Failed => {
                    ("unk", "?", "unverified: the probe failed or was incomplete")
                }
                _ => ("unk", "?", "not probed"),
            };
            for _ in 0..columns {
                write!(h, "<td class=\"c {class}\" title=\"{title}\">{text}</td>")?;
            }
        }
    }
    h.push_str("</tr>\n");
    Ok(())
}
