//! `elbtls client logs --format json`. The published shape lives here, in its own types.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use super::percent;
use crate::client::logs::{LogFormat, LogReport, TopList};

/// Version of the JSON document written by `elbtls client logs`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    policy: Policy<'a>,
    files: Vec<File<'a>>,
    totals: Totals,
    /// Every distinct negotiated (protocol, cipher, group): failing first, then most frequent.
    pairs: Vec<Pair<'a>>,
    /// Negotiated entries whose names were not itemised (too many distinct); counted as unknown.
    unitemised: u64,
    failing_client_ips: Top<'a>,
    /// `null` when no log of a format with a user agent (ALB access) was read.
    failing_user_agents: Option<Top<'a>>,
    malformed_samples: Vec<Malformed<'a>>,
}

#[derive(Serialize)]
struct Policy<'a> {
    name: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct File<'a> {
    path: &'a str,
    gzip: bool,
    lines: u64,
    malformed: u64,
    /// Well-formed entries by format (`alb-access`, `alb-connection`, `nlb-access`).
    entries: BTreeMap<&'static str, u64>,
}

#[derive(Serialize)]
struct Totals {
    lines: u64,
    blank: u64,
    malformed: u64,
    entries: BTreeMap<&'static str, u64>,
    plain: u64,
    not_negotiated: u64,
    /// The base of every percentage.
    negotiated: u64,
    failing: u64,
    failing_percent: f64,
    unknown: u64,
    unknown_percent: f64,
}

#[derive(Serialize)]
struct Pair<'a> {
    protocol: &'a str,
    cipher: &'a str,
    /// The registry's IANA name, when the cipher is known.
    iana_name: Option<String>,
    group: Option<&'a str>,
    count: u64,
    percent: f64,
    /// `fails`, `unknown` or `ok`.
    verdict: &'static str,
    /// Reason codes (`protocol-not-in-policy`, `cipher-not-in-policy`, `group-not-in-policy`,
    /// `unknown-protocol`, `unknown-cipher`, `unknown-group`, `policy-incomplete`).
    reasons: Vec<&'static str>,
}

#[derive(Serialize)]
struct Top<'a> {
    top: Vec<Counted<'a>>,
    others: u64,
    /// `null` when there were too many distinct values to count.
    distinct: Option<usize>,
    /// False when the counts are estimates (each at most `max_overcount` too high).
    exact: bool,
}

#[derive(Serialize)]
struct Counted<'a> {
    value: &'a str,
    count: u64,
    max_overcount: u64,
}

#[derive(Serialize)]
struct Malformed<'a> {
    file: &'a str,
    line: u64,
    reason: String,
}

fn by_format(counts: &[u64; 3]) -> BTreeMap<&'static str, u64> {
    LogFormat::ALL
        .into_iter()
        .map(|f| (f.code(), counts[f.index()]))
        .collect()
}

fn top(list: &TopList) -> Top<'_> {
    Top {
        top: list
            .top
            .iter()
            .map(|c| Counted {
                value: &c.value,
                count: c.count,
                max_overcount: c.error,
            })
            .collect(),
        others: list.others,
        distinct: list.distinct,
        exact: list.exact,
    }
}

/// Writes the report.
pub fn render(report: &LogReport<'_>, out: &mut impl Write) -> io::Result<()> {
    let summary = &report.summary;
    let c = &summary.counts;
    let document = Document {
        schema_version: SCHEMA_VERSION,
        policy: Policy {
            name: &report.policy.name,
            kind: report.policy.kind.as_str(),
        },
        files: report
            .files
            .iter()
            .map(|f| File {
                path: &f.path,
                gzip: f.gzip,
                lines: f.lines,
                malformed: f.malformed,
                entries: by_format(&f.by_format),
            })
            .collect(),
        totals: Totals {
            lines: c.lines,
            blank: c.blank,
            malformed: c.malformed,
            entries: by_format(&c.by_format),
            plain: c.plain,
            not_negotiated: c.not_negotiated,
            negotiated: c.negotiated,
            failing: c.failing,
            failing_percent: percent(c.failing, c.negotiated),
            unknown: c.unknown,
            unknown_percent: percent(c.unknown, c.negotiated),
        },
        pairs: summary
            .pairs
            .iter()
            .map(|p| Pair {
                protocol: &p.protocol,
                cipher: &p.cipher,
                iana_name: p
                    .suite
                    .and_then(|s| s.info())
                    .map(|i| i.iana_name.to_string()),
                group: p.group.as_deref(),
                count: p.count,
                percent: percent(p.count, c.negotiated),
                verdict: p.verdict.code(),
                reasons: p.reasons.iter().map(|r| r.code()).collect(),
            })
            .collect(),
        unitemised: summary.unitemised,
        failing_client_ips: top(&summary.failing_client_ips),
        failing_user_agents: summary.failing_user_agents.as_ref().map(top),
        malformed_samples: summary
            .malformed_samples
            .iter()
            .map(|m| Malformed {
                file: &m.file,
                line: m.line,
                reason: m.reason.to_string(),
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}
