//! The baseline file format, read with positions so every problem is reported as
//! `file:line: what is wrong` (the catalogue's `file.rs` does the same for policy files).

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{Baseline, PolicyPattern, did_you_mean, preset, presets};
use crate::catalogue::{Catalogue, Problem};
use crate::compare::{FindingCode, Severity};
use crate::tls::{CipherSuite, ProtocolVersion, Sslv2CipherKind, SuiteProperty};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContents {
    description: Option<String>,
    extends: Option<Spanned<String>>,
    min_protocol: Option<Spanned<String>>,
    banned_classes: Option<Vec<Spanned<String>>>,
    banned_ciphers: Option<Vec<Spanned<String>>>,
    allowed_policies: Option<Vec<Spanned<String>>>,
    denied_policies: Option<Vec<Spanned<String>>>,
    require_fips: Option<bool>,
    require_forward_secrecy: Option<bool>,
    require_post_quantum: Option<bool>,
    require_https_redirect: Option<bool>,
    certificate: Option<CertificateEntry>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CertificateEntry {
    expiry_warning_days: Option<Spanned<i64>>,
    min_rsa_bits: Option<Spanned<i64>>,
    min_ec_bits: Option<Spanned<i64>>,
}

const CERTIFICATE_KEYS: [&str; 3] = ["expiry_warning_days", "min_rsa_bits", "min_ec_bits"];

/// Collects problems with their line.
struct Report<'a> {
    label: &'a str,
    text: &'a str,
    problems: Vec<Problem>,
}

impl Report<'_> {
    fn at(&mut self, span: Range<usize>, message: String) {
        let line = line_of(self.text, span.start);
        self.problems.push(Problem::new(self.label, line, message));
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Parses one baseline file. `label` names it in problems; with a catalogue, every policy pattern
/// must match one of its policies.
pub(super) fn parse(
    label: &str,
    text: &str,
    catalogue: Option<&Catalogue>,
) -> Result<Baseline, Vec<Problem>> {
    let contents: FileContents = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| line_of(text, span.start));
        vec![Problem::new(
            label,
            line,
            toml_message(e.message(), text, line),
        )]
    })?;
    let mut report = Report {
        label,
        text,
        problems: Vec::new(),
    };
    let mut baseline = match &contents.extends {
        None => Baseline::empty(label),
        Some(name) => match preset(name.get_ref()) {
            Some(base) => Baseline {
                extends: Some(base.name.clone()),
                ..base
            },
            None => {
                let names: Vec<&str> = presets().iter().map(|p| p.name).collect();
                report.at(
                    name.span(),
                    format!(
                        "`extends`: unknown preset `{}`{} (the presets are {})",
                        name.get_ref(),
                        did_you_mean(name.get_ref(), names.iter().copied()),
                        names.join(", ")
                    ),
                );
                Baseline::empty(label)
            }
        },
    };
    baseline.name = label.to_string();
    baseline.description = contents.description.map(|d| d.trim().to_string());

    if let Some(min) = &contents.min_protocol {
        baseline.min_protocol = protocol(&mut report, min);
    }
    if let Some(classes) = &contents.banned_classes {
        baseline.banned_classes = banned_classes(&mut report, classes);
    }
    if let Some(ciphers) = &contents.banned_ciphers {
        baseline.banned_ciphers = banned_ciphers(&mut report, ciphers);
    }
    if let Some(patterns) = &contents.allowed_policies {
        baseline.allowed_policies =
            policy_patterns(&mut report, "allowed_policies", patterns, catalogue);
    }
    if let Some(patterns) = &contents.denied_policies {
        baseline.denied_policies =
            policy_patterns(&mut report, "denied_policies", patterns, catalogue);
    }
    let flags = [
        (contents.require_fips, &mut baseline.require_fips),
        (
            contents.require_forward_secrecy,
            &mut baseline.require_forward_secrecy,
        ),
        (
            contents.require_post_quantum,
            &mut baseline.require_post_quantum,
        ),
        (
            contents.require_https_redirect,
            &mut baseline.require_https_redirect,
        ),
    ];
    for (value, target) in flags {
        if let Some(value) = value {
            *target = value;
        }
    }
    if let Some(certificate) = &contents.certificate {
        let rules = &mut baseline.certificate;
        let fields = [
            (
                &certificate.expiry_warning_days,
                &mut rules.expiry_warning_days,
            ),
            (&certificate.min_rsa_bits, &mut rules.min_rsa_bits),
            (&certificate.min_ec_bits, &mut rules.min_ec_bits),
        ];
        for ((value, target), key) in fields.into_iter().zip(CERTIFICATE_KEYS) {
            if let Some(checked) = value.as_ref().and_then(|v| threshold(&mut report, key, v)) {
                *target = checked;
            }
        }
    }
    if let Some(overrides) = &contents.severity {
        for (code, severity) in overrides {
            if let Some((code, severity)) = severity_override(&mut report, code, severity) {
                baseline.severity.insert(code, severity);
            }
        }
    }

    if report.problems.is_empty() {
        Ok(baseline)
    } else {
        Err(report.problems)
    }
}

/// The `toml`/serde message, made to name what is wrong: an unknown key with the nearest known
/// one (or the table it belongs in); any other error with the line it is on, because serde's type
/// errors (`invalid type: string "yes", expected a boolean`) do not name the key.
fn toml_message(message: &str, text: &str, line: usize) -> String {
    let message = message.trim_end();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return match text.lines().nth(line - 1).map(str::trim) {
            Some(source) if !source.is_empty() => format!("{message}, in `{source}`"),
            _ => message.to_string(),
        };
    };
    let field = rest.split('`').next().unwrap_or_default();
    let expected: Vec<&str> = rest
        .split_once("expected")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    let hint = if CERTIFICATE_KEYS.contains(&field) {
        format!(" (`{field}` belongs in the `[certificate]` table)")
    } else if field.parse::<FindingCode>().is_ok() {
        format!(" (severity overrides such as `{field}` belong in the `[severity]` table)")
    } else {
        match did_you_mean(field, expected.iter().copied()) {
            hint if hint.is_empty() => format!(" (expected one of {})", expected.join(", ")),
            hint => hint,
        }
    };
    format!("unknown key `{field}`{hint}")
}

fn protocol(report: &mut Report, value: &Spanned<String>) -> Option<ProtocolVersion> {
    match value.get_ref().parse::<ProtocolVersion>() {
        Ok(version) => Some(version),
        Err(_) => {
            let names = ProtocolVersion::ALL.iter().filter_map(|v| v.aws_name());
            report.at(
                value.span(),
                format!(
                    "`min_protocol`: unknown protocol version `{}`{} (expected SSLv3, TLSv1, \
                     TLSv1.1, TLSv1.2 or TLSv1.3)",
                    value.get_ref(),
                    did_you_mean(value.get_ref(), names)
                ),
            );
            None
        }
    }
}

fn banned_classes(report: &mut Report, values: &[Spanned<String>]) -> Vec<SuiteProperty> {
    let weaknesses: Vec<&str> = SuiteProperty::ALL
        .into_iter()
        .filter(|p| p.is_weakness())
        .map(SuiteProperty::code)
        .collect();
    let mut classes = Vec::new();
    for value in values {
        let code = value.get_ref().trim().to_ascii_lowercase();
        match SuiteProperty::from_code(&code) {
            Some(SuiteProperty::ForwardSecrecy) => report.at(
                value.span(),
                "`banned_classes`: `forward-secrecy` is not a weakness; to require it, set \
                 `require_forward_secrecy = true`"
                    .to_string(),
            ),
            Some(SuiteProperty::Aead) => report.at(
                value.span(),
                "`banned_classes`: `aead` is not a weakness; to allow only AEAD suites, ban `cbc`, \
                 `rc4` and `null`"
                    .to_string(),
            ),
            Some(class) if classes.contains(&class) => report.at(
                value.span(),
                format!("`banned_classes`: `{code}` is listed twice"),
            ),
            Some(class) => classes.push(class),
            None => report.at(
                value.span(),
                format!(
                    "`banned_classes`: unknown class `{}`{} (the classes are {})",
                    value.get_ref(),
                    did_you_mean(&code, weaknesses.iter().copied()),
                    weaknesses.join(", ")
                ),
            ),
        }
    }
    classes
}

fn cipher_names() -> impl Iterator<Item = &'static str> {
    CipherSuite::registry().iter().flat_map(|info| {
        std::iter::once(info.iana_name)
            .chain(info.openssl_name)
            .chain(info.openssl_aliases.iter().copied())
    })
}

fn banned_ciphers(report: &mut Report, values: &[Spanned<String>]) -> Vec<CipherSuite> {
    let mut suites = Vec::new();
    for value in values {
        let name = value.get_ref().trim();
        match CipherSuite::from_name(name) {
            Some(suite) if suites.contains(&suite) => report.at(
                value.span(),
                format!("`banned_ciphers`: `{name}` is listed twice (or under another name)"),
            ),
            Some(suite) if suite.info().is_some_and(|i| i.is_signalling()) => report.at(
                value.span(),
                format!("`banned_ciphers`: `{name}` is a signalling value, not a cipher suite"),
            ),
            Some(suite) => suites.push(suite),
            None if Sslv2CipherKind::from_name(name).is_some() => report.at(
                value.span(),
                format!(
                    "`banned_ciphers`: `{name}` is an SSL 2.0-only cipher, which no ELB listener \
                     can negotiate; remove it"
                ),
            ),
            None => report.at(
                value.span(),
                format!(
                    "`banned_ciphers`: unknown cipher `{name}`{} (OpenSSL or IANA names)",
                    did_you_mean(name, cipher_names())
                ),
            ),
        }
    }
    suites
}

fn policy_patterns(
    report: &mut Report,
    key: &str,
    values: &[Spanned<String>],
    catalogue: Option<&Catalogue>,
) -> Vec<PolicyPattern> {
    let names: Vec<&str> = catalogue.map_or_else(Vec::new, |c| {
        c.policies()
            .iter()
            .flat_map(|p| {
                std::iter::once(p.name.as_str()).chain(p.aliases.iter().map(String::as_str))
            })
            .collect()
    });
    let mut patterns: Vec<PolicyPattern> = Vec::new();
    for value in values {
        let pattern = PolicyPattern::new(value.get_ref().as_str());
        if pattern.as_str().is_empty() {
            report.at(value.span(), format!("`{key}`: empty policy pattern"));
        } else if patterns.contains(&pattern) {
            report.at(
                value.span(),
                format!("`{key}`: `{pattern}` is listed twice"),
            );
        } else if catalogue.is_some() && !names.iter().any(|n| pattern.matches(n)) {
            let what = if pattern.is_glob() {
                "matches no policy of the catalogue"
            } else {
                "is not a policy of the catalogue"
            };
            report.at(
                value.span(),
                format!(
                    "`{key}`: `{pattern}` {what}{} (`elbtls policies list` shows every policy; \
                     `--catalogue DIR` adds your own)",
                    pattern_hint(&pattern, &names)
                ),
            );
        } else {
            patterns.push(pattern);
        }
    }
    patterns
}

/// "Did you mean" for a pattern. For a glob, the candidates are the catalogue names cut after
/// one of their `-` separators, followed by the pattern's text from its first `*`
/// (`ELBSecurityPolicy-TLS14-*` → `ELBSecurityPolicy-TLS13-*`), among those that match a policy.
fn pattern_hint(pattern: &PolicyPattern, names: &[&str]) -> String {
    let text = pattern.as_str();
    let Some(star) = text.find('*') else {
        return did_you_mean(text, names.iter().copied());
    };
    let mut candidates: Vec<String> = names
        .iter()
        .flat_map(|name| {
            name.match_indices('-')
                .map(move |(i, _)| format!("{}{}", &name[..=i], &text[star..]))
        })
        .filter(|c| {
            names
                .iter()
                .any(|n| PolicyPattern::new(c.as_str()).matches(n))
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    did_you_mean(text, candidates.iter().map(String::as_str))
}

fn threshold(report: &mut Report, key: &str, value: &Spanned<i64>) -> Option<u32> {
    let (max, unit) = match key {
        "expiry_warning_days" => (3650, "days"),
        "min_rsa_bits" => (16384, "bits"),
        _ => (571, "bits (P-521 has 521, sect571 571)"),
    };
    let n = *value.get_ref();
    if (0..=max).contains(&n) {
        u32::try_from(n).ok()
    } else {
        report.at(
            value.span(),
            format!("`[certificate] {key}` = {n}: expected 0 (off) to {max} {unit}"),
        );
        None
    }
}

fn severity_override(
    report: &mut Report,
    code: &Spanned<String>,
    severity: &Spanned<String>,
) -> Option<(FindingCode, Severity)> {
    let parsed_code = code.get_ref().parse::<FindingCode>();
    if parsed_code.is_err() {
        let codes = FindingCode::ALL.iter().map(|c| c.code());
        report.at(
            code.span(),
            format!(
                "`[severity]`: unknown finding code `{}`{}",
                code.get_ref(),
                did_you_mean(code.get_ref(), codes)
            ),
        );
    }
    let parsed_severity = severity.get_ref().parse::<Severity>();
    if let Err(e) = &parsed_severity {
        report.at(
            severity.span(),
            format!("`[severity]` `{}`: {e}", code.get_ref()),
        );
    }
    Some((parsed_code.ok()?, parsed_severity.ok()?))
}

#[cfg(test)]
mod tests;
