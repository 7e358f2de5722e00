//! The baseline file format, read with positions so every problem is reported as
//! `file:line: what is wrong` (the catalogue's `file.rs` does the same for policy files).

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Baseline, Exception, PolicyPattern, did_you_mean, preset, presets};
use crate::catalogue::{Catalogue, Problem};
use crate::finding::{FindingCode, Severity};
use crate::text::{excerpt, excerpt_around};
use crate::tls::{CipherSuite, ProtocolVersion, Sslv2CipherKind, SuiteProperty};

/// What a file says, read key by key (not with serde, which stops at the first unknown key or
/// wrong type: every problem of a file is reported at once).
#[derive(Default)]
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
    severity: Option<Vec<(Spanned<String>, Spanned<String>)>>,
    exceptions: Vec<Exception>,
}

#[derive(Default)]
struct CertificateEntry {
    expiry_warning_days: Option<Spanned<i64>>,
    min_rsa_bits: Option<Spanned<i64>>,
    min_ec_bits: Option<Spanned<i64>>,
}

/// The top-level keys, in the README's order.
const TOP_KEYS: [&str; 14] = [
    "description",
    "extends",
    "min_protocol",
    "banned_classes",
    "banned_ciphers",
    "allowed_policies",
    "denied_policies",
    "require_fips",
    "require_forward_secrecy",
    "require_post_quantum",
    "require_https_redirect",
    "certificate",
    "severity",
    "exception",
];

const EXCEPTION_KEYS: [&str; 5] = ["listener", "load_balancer", "codes", "reason", "expires"];

const CERTIFICATE_KEYS: [&str; 3] = ["expiry_warning_days", "min_rsa_bits", "min_ec_bits"];

/// How much of a value a message echoes, and how wide a source excerpt is.
const VALUE_CHARS: usize = 60;
const EXCERPT_CHARS: usize = 120;

/// Syntax errors listed before the rest is summed up (a binary or badly broken file has many).
const MAX_SYNTAX_PROBLEMS: usize = 20;

/// A value from the file as messages echo it: escaped, and shortened to [`VALUE_CHARS`].
fn shown(value: &str) -> String {
    excerpt(value, VALUE_CHARS)
}

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
/// must match one of its policies. Every problem is reported, each with its line, in line order.
pub(super) fn parse(
    label: &str,
    text: &str,
    catalogue: Option<&Catalogue>,
) -> Result<Baseline, Vec<Problem>> {
    let (document, syntax_errors) = DeTable::parse_recoverable(text);
    if !syntax_errors.is_empty() {
        return Err(syntax_problems(label, text, &syntax_errors));
    }
    let mut report = Report {
        label,
        text,
        problems: Vec::new(),
    };
    let contents = read_contents(&mut report, document.get_ref());
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
                        shown(name.get_ref()),
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
    baseline.exceptions.extend(contents.exceptions);

    if report.problems.is_empty() {
        Ok(baseline)
    } else {
        let mut problems = report.problems;
        problems.sort_by_key(|p| p.line);
        Err(problems)
    }
}

/// The syntax errors of a file that is not TOML, each with its line and an excerpt of at most
/// [`EXCERPT_CHARS`] characters around the error (a 2 MB line is not echoed whole).
fn syntax_problems(label: &str, text: &str, errors: &[toml::de::Error]) -> Vec<Problem> {
    let mut problems: Vec<Problem> = Vec::new();
    for error in errors {
        let offset = error.span().map_or(0, |span| span.start.min(text.len()));
        let line = line_of(text, offset);
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let source = text[line_start..line_end].trim_end_matches('\r');
        let message = error.message().trim_end();
        let message = if source.trim().is_empty() {
            message.to_string()
        } else {
            format!(
                "{message}, in `{}`",
                excerpt_around(source, offset - line_start, EXCERPT_CHARS)
            )
        };
        let problem = Problem::new(label, line, message);
        if !problems.contains(&problem) {
            problems.push(problem);
        }
    }
    problems.sort_by_key(|p| p.line);
    if problems.len() > MAX_SYNTAX_PROBLEMS {
        let more = problems.len() - MAX_SYNTAX_PROBLEMS;
        let line = problems[MAX_SYNTAX_PROBLEMS].line;
        problems.truncate(MAX_SYNTAX_PROBLEMS);
        problems.push(Problem::new(
            label,
            line,
            format!("and {more} more syntax errors: is this a TOML baseline file?"),
        ));
    }
    problems
}

/// Reads every key of the document, reporting each unknown key and each value of the wrong type.
fn read_contents(report: &mut Report, table: &DeTable<'_>) -> FileContents {
    let mut contents = FileContents::default();
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        match name {
            "description" => {
                contents.description = string(report, name, value).map(Spanned::into_inner)
            }
            "extends" => contents.extends = string(report, name, value),
            "min_protocol" => contents.min_protocol = string(report, name, value),
            "banned_classes" => contents.banned_classes = strings(report, name, value),
            "banned_ciphers" => contents.banned_ciphers = strings(report, name, value),
            "allowed_policies" => contents.allowed_policies = strings(report, name, value),
            "denied_policies" => contents.denied_policies = strings(report, name, value),
            "require_fips" => contents.require_fips = boolean(report, name, value),
            "require_forward_secrecy" => {
                contents.require_forward_secrecy = boolean(report, name, value)
            }
            "require_post_quantum" => contents.require_post_quantum = boolean(report, name, value),
            "require_https_redirect" => {
                contents.require_https_redirect = boolean(report, name, value)
            }
            "certificate" => contents.certificate = certificate(report, value),
            "severity" => contents.severity = severity_table(report, value),
            "exception" => contents.exceptions = exceptions(report, value),
            _ => report.at(key.span(), unknown_key(name, &TOP_KEYS)),
        }
    }
    contents
}

/// `the string "yes"`, `the integer 3`, `a list`: what a value of the wrong type is.
fn found(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) => format!("the string \"{}\"", shown(text)),
        DeValue::Integer(n) => format!("the integer {}", shown(n.as_str())),
        DeValue::Float(n) => format!("the number {}", shown(n.as_str())),
        DeValue::Boolean(b) => format!("`{b}`"),
        DeValue::Datetime(_) => "a date".to_string(),
        DeValue::Array(_) => "a list".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

fn wrong_type(report: &mut Report, key: &str, value: &Spanned<DeValue<'_>>, expected: &str) {
    report.at(
        value.span(),
        format!(
            "`{key}`: expected {expected}, found {}",
            found(value.get_ref())
        ),
    );
}

fn string(report: &mut Report, key: &str, value: &Spanned<DeValue<'_>>) -> Option<Spanned<String>> {
    match value.get_ref() {
        DeValue::String(text) => Some(Spanned::new(value.span(), text.to_string())),
        _ => {
            wrong_type(report, key, value, "a string in quotes");
            None
        }
    }
}

fn strings(
    report: &mut Report,
    key: &str,
    value: &Spanned<DeValue<'_>>,
) -> Option<Vec<Spanned<String>>> {
    let DeValue::Array(items) = value.get_ref() else {
        wrong_type(report, key, value, "a list of strings (`[\"a\", \"b\"]`)");
        return None;
    };
    let mut texts = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match item.get_ref() {
            DeValue::String(text) => texts.push(Spanned::new(item.span(), text.to_string())),
            _ => wrong_type(report, &format!("{key}` item `{}", i + 1), item, "a string"),
        }
    }
    Some(texts)
}

fn boolean(report: &mut Report, key: &str, value: &Spanned<DeValue<'_>>) -> Option<bool> {
    match value.get_ref() {
        DeValue::Boolean(b) => Some(*b),
        _ => {
            wrong_type(report, key, value, "true or false");
            None
        }
    }
}

fn integer(report: &mut Report, key: &str, value: &Spanned<DeValue<'_>>) -> Option<Spanned<i64>> {
    let parsed = match value.get_ref() {
        DeValue::Integer(n) => i64::from_str_radix(&n.as_str().replace('_', ""), n.radix()).ok(),
        _ => None,
    };
    match parsed {
        Some(n) => Some(Spanned::new(value.span(), n)),
        None => {
            wrong_type(report, key, value, "a whole number");
            None
        }
    }
}

fn certificate(report: &mut Report, value: &Spanned<DeValue<'_>>) -> Option<CertificateEntry> {
    let DeValue::Table(table) = value.get_ref() else {
        wrong_type(report, "certificate", value, "a `[certificate]` table");
        return None;
    };
    let mut entry = CertificateEntry::default();
    for (key, value) in table {
        let name = key.get_ref().as_ref();
        let label = format!("[certificate] {name}");
        match name {
            "expiry_warning_days" => entry.expiry_warning_days = integer(report, &label, value),
            "min_rsa_bits" => entry.min_rsa_bits = integer(report, &label, value),
            "min_ec_bits" => entry.min_ec_bits = integer(report, &label, value),
            _ => report.at(key.span(), unknown_key(name, &CERTIFICATE_KEYS)),
        }
    }
    Some(entry)
}

fn severity_table(
    report: &mut Report,
    value: &Spanned<DeValue<'_>>,
) -> Option<Vec<(Spanned<String>, Spanned<String>)>> {
    let DeValue::Table(table) = value.get_ref() else {
        wrong_type(report, "severity", value, "a `[severity]` table");
        return None;
    };
    let mut entries = Vec::new();
    for (key, value) in table {
        let code = Spanned::new(key.span(), key.get_ref().to_string());
        let label = format!("[severity] {}", shown(code.get_ref()));
        if let Some(severity) = string(report, &label, value) {
            entries.push((code, severity));
        }
    }
    Some(entries)
}

/// `[[exception]]` entries: each needs `listener` or `load_balancer` (globs), known `codes`, a
/// `reason` and an `expires` day (`2027-03-31`, quoted or not). Every problem is reported.
fn exceptions(report: &mut Report, value: &Spanned<DeValue<'_>>) -> Vec<Exception> {
    let DeValue::Array(items) = value.get_ref() else {
        wrong_type(
            report,
            "exception",
            value,
            "`[[exception]]` tables (each with listener or load_balancer, codes, reason, expires)",
        );
        return Vec::new();
    };
    let mut found = Vec::new();
    for item in items {
        let DeValue::Table(table) = item.get_ref() else {
            wrong_type(report, "exception", item, "an `[[exception]]` table");
            continue;
        };
        let line = line_of(report.text, item.span().start);
        let origin = format!("{}:{line}", report.label);
        let before = report.problems.len();
        let (mut listener, mut load_balancer, mut reason, mut expires) = (None, None, None, None);
        let mut codes = Vec::new();
        for (key, value) in table {
            let name = key.get_ref().as_ref();
            let label = format!("[[exception]] {name}");
            match name {
                "listener" => listener = string(report, &label, value),
                "load_balancer" => load_balancer = string(report, &label, value),
                "reason" => reason = string(report, &label, value),
                "expires" => {
                    expires = match value.get_ref() {
                        DeValue::Datetime(date) => Some(date.to_string()),
                        DeValue::String(text) => Some(text.to_string()),
                        _ => {
                            wrong_type(report, &label, value, "a day such as 2027-03-31");
                            None
                        }
                    };
                    if let Some(day) = &expires
                        && crate::clock::end_of_day(day).is_none()
                    {
                        report.at(
                            value.span(),
                            format!(
                                "`{label}`: `{}` is not a day: write it as YYYY-MM-DD, for \
                                 example 2027-03-31",
                                shown(day)
                            ),
                        );
                    }
                }
                "codes" => {
                    for code in strings(report, &label, value).unwrap_or_default() {
                        match code.get_ref().parse::<FindingCode>() {
                            Ok(parsed) => codes.push(parsed),
                            Err(_) => report.at(
                                code.span(),
                                format!(
                                    "`{label}`: unknown finding code `{}`{}",
                                    shown(code.get_ref()),
                                    did_you_mean(
                                        code.get_ref(),
                                        FindingCode::ALL.iter().map(|c| c.code())
                                    )
                                ),
                            ),
                        }
                    }
                }
                _ => report.at(key.span(), unknown_key(name, &EXCEPTION_KEYS)),
            }
        }
        let missing = |what: &str| format!("`[[exception]]`: {what}");
        if listener.is_none() && load_balancer.is_none() {
            report.at(
                item.span(),
                missing(
                    "say what it covers with `listener` (a listener ARN or glob) or \
                     `load_balancer` (a name or glob)",
                ),
            );
        }
        if codes.is_empty() && !table.contains_key("codes") {
            report.at(
                item.span(),
                missing("list the finding `codes` it accepts (for example [\"not-fips\"])"),
            );
        }
        if reason
            .as_ref()
            .is_none_or(|r| r.get_ref().trim().is_empty())
        {
            report.at(
                item.span(),
                missing("give the `reason` the risk is accepted"),
            );
        }
        let Some(expires) = expires else {
            report.at(
                item.span(),
                missing("give the day it `expires` (an exception without an end is a hole)"),
            );
            continue;
        };
        if report.problems.len() > before {
            continue;
        }
        let Some(expires_unix) = crate::clock::end_of_day(&expires) else {
            continue;
        };
        found.push(Exception {
            origin,
            listener: listener.map(Spanned::into_inner),
            load_balancer: load_balancer.map(Spanned::into_inner),
            codes,
            reason: reason.map(Spanned::into_inner).unwrap_or_default(),
            expires,
            expires_unix,
        });
    }
    found
}

/// An unknown key, named with the nearest known one (or the table it belongs in).
fn unknown_key(field: &str, expected: &[&str]) -> String {
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
    format!("unknown key `{}`{hint}", shown(field))
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
                    shown(value.get_ref()),
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
                format!("`banned_classes`: `{}` is listed twice", shown(&code)),
            ),
            Some(class) => classes.push(class),
            None => report.at(
                value.span(),
                format!(
                    "`banned_classes`: unknown class `{}`{} (the classes are {})",
                    shown(value.get_ref()),
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
        let raw = value.get_ref().trim();
        let name = shown(raw);
        match CipherSuite::from_name(raw) {
            Some(suite) if suites.contains(&suite) => report.at(
                value.span(),
                format!("`banned_ciphers`: `{name}` is listed twice (or under another name)"),
            ),
            Some(suite) if suite.info().is_some_and(|i| i.is_signalling()) => report.at(
                value.span(),
                format!("`banned_ciphers`: `{name}` is a signalling value, not a cipher suite"),
            ),
            Some(suite) => suites.push(suite),
            None if Sslv2CipherKind::from_name(raw).is_some() => report.at(
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
                    did_you_mean(raw, cipher_names())
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
                format!("`{key}`: `{}` is listed twice", shown(pattern.as_str())),
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
                    "`{key}`: `{}` {what}{} (`elbtls policies list` shows every policy; \
                     `--catalogue DIR` adds your own)",
                    shown(pattern.as_str()),
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
                shown(code.get_ref()),
                did_you_mean(code.get_ref(), codes)
            ),
        );
    }
    let parsed_severity = severity.get_ref().parse::<Severity>();
    if parsed_severity.is_err() {
        report.at(
            severity.span(),
            format!(
                "`[severity]` `{}`: unknown severity `{}`: expected info, low, medium, high or \
                 critical",
                shown(code.get_ref()),
                shown(severity.get_ref())
            ),
        );
    }
    Some((parsed_code.ok()?, parsed_severity.ok()?))
}

#[cfg(test)]
mod tests;
