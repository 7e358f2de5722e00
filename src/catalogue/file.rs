//! The catalogue's file format: `[[policy]]` and `[[source]]` tables in TOML, read with their
//! positions so every problem is reported as `file:line: what is wrong`.

use serde::Deserialize;
use toml::Spanned;

use super::error::Problem;
use super::policy::{Confidence, Origin, Policy, PolicyCipher, PolicyKind};
use crate::model::LoadBalancerType;
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, Sslv2CipherKind};

/// One source of the catalogue's facts (`[[source]]`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short id referenced by policies (`S1`).
    pub id: String,
    /// What the source is.
    pub title: String,
    /// Where it is.
    #[serde(default)]
    pub url: Option<String>,
    /// How it was read (revision, date, caveats).
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContents {
    #[serde(default)]
    policy: Vec<Spanned<PolicyEntry>>,
    #[serde(default)]
    source: Vec<Source>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyEntry {
    name: Spanned<String>,
    load_balancer_types: Spanned<Vec<Spanned<String>>>,
    protocols: Vec<Spanned<String>>,
    server_order: bool,
    #[serde(default)]
    fips: bool,
    ciphers: Vec<Spanned<String>>,
    #[serde(default)]
    served_ciphers: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    served_source: Vec<String>,
    #[serde(default)]
    groups: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    groups_source: Vec<String>,
    #[serde(default = "yes")]
    complete: bool,
    #[serde(default)]
    aliases: Vec<String>,
    confidence: Spanned<String>,
    #[serde(default = "yes")]
    published: bool,
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    notes: Option<String>,
}

fn yes() -> bool {
    true
}

/// What one file holds.
pub(crate) struct Parsed {
    pub policies: Vec<Policy>,
    pub sources: Vec<Source>,
}

/// Parses one catalogue file. `label` names it in problems (a path or `policies/NAME`).
pub(crate) fn parse(label: &str, text: &str, origin: &Origin) -> Result<Parsed, Vec<Problem>> {
    let lines = LineIndex::new(text);
    let contents: FileContents = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |span| lines.line_of(span.start));
        vec![Problem::new(
            label,
            line,
            e.message().trim_end().to_string(),
        )]
    })?;
    let mut problems = Vec::new();
    let mut policies = Vec::new();
    for entry in contents.policy {
        let at = lines.line_of(entry.span().start);
        if let Some(policy) = build(label, &lines, at, entry.into_inner(), origin, &mut problems) {
            policies.push(policy);
        }
    }
    if problems.is_empty() {
        Ok(Parsed {
            policies,
            sources: contents.source,
        })
    } else {
        Err(problems)
    }
}

/// Where each line of a file starts, so a byte offset becomes a line number in O(log n). Counting
/// newlines from the start for every policy made a large catalogue quadratic to load (20,000
/// policies in one file took seconds).
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self { starts }
    }

    /// 1-based line of a byte offset.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|start| *start <= offset).max(1)
    }
}

fn build(
    label: &str,
    lines: &LineIndex,
    at: usize,
    entry: PolicyEntry,
    origin: &Origin,
    problems: &mut Vec<Problem>,
) -> Option<Policy> {
    let before = problems.len();
    let name = entry.name.get_ref().trim().to_string();
    let mut report = |span: std::ops::Range<usize>, message: String| {
        problems.push(Problem::new(label, lines.line_of(span.start), message));
    };
    if name.is_empty() {
        report(entry.name.span(), "policy `name` is empty".to_string());
    }

    let mut types = Vec::new();
    for t in entry.load_balancer_types.get_ref() {
        match t.get_ref().parse::<LoadBalancerType>() {
            Ok(LoadBalancerType::Gateway) => report(
                t.span(),
                format!("policy `{name}`: gateway load balancers have no TLS policies"),
            ),
            Ok(lb) if !types.contains(&lb) => types.push(lb),
            Ok(lb) => report(
                t.span(),
                format!("policy `{name}`: type `{lb}` is listed twice"),
            ),
            Err(e) => report(t.span(), format!("policy `{name}`: {e}")),
        }
    }
    types.sort();
    let kind = match (
        types.iter().any(|t| t.is_elbv2()),
        types.contains(&LoadBalancerType::Classic),
    ) {
        (true, false) => PolicyKind::Elbv2,
        (false, true) => PolicyKind::Classic,
        (true, true) => {
            report(
                entry.load_balancer_types.span(),
                format!(
                    "policy `{name}`: mixes classic with application/network; ELBv2 and Classic policies are \
                     separate entries even when they share a name"
                ),
            );
            PolicyKind::Elbv2
        }
        (false, false) => {
            report(
                entry.load_balancer_types.span(),
                format!(
                    "policy `{name}`: `load_balancer_types` is empty: give application, network and/or classic"
                ),
            );
            PolicyKind::Elbv2
        }
    };

    let mut protocols = Vec::new();
    for p in &entry.protocols {
        match p.get_ref().parse::<ProtocolVersion>() {
            Ok(v) if protocols.contains(&v) => report(
                p.span(),
                format!("policy `{name}`: protocol `{v}` is listed twice"),
            ),
            Ok(v) => protocols.push(v),
            Err(e) => report(p.span(), format!("policy `{name}`: {e}")),
        }
    }
    protocols.sort();
    if protocols.is_empty() && entry.complete {
        report(
            entry.name.span(),
            format!(
                "policy `{name}`: no protocols (a policy that is not `complete = false` needs at least one)"
            ),
        );
    }

    let ciphers = resolve_ciphers(&name, &entry.ciphers, &mut report);
    if ciphers.is_empty() && entry.ciphers.is_empty() && entry.complete {
        report(
            entry.name.span(),
            format!(
                "policy `{name}`: no ciphers (a policy that is not `complete = false` needs at least one)"
            ),
        );
    }

    let served_ciphers = entry.served_ciphers.as_ref().map(|served| {
        let resolved = resolve_ciphers(&name, served.get_ref(), &mut report);
        let mut published: Vec<_> = ciphers.iter().map(|c| c.suite).collect();
        let mut reordered: Vec<_> = resolved.iter().map(|c| c.suite).collect();
        published.sort();
        reordered.sort();
        if published != reordered {
            report(
                served.span(),
                format!(
                    "policy `{name}`: `served_ciphers` must list exactly the suites of `ciphers`, \
                     in the order the server prefers them"
                ),
            );
        }
        if entry.served_source.is_empty() {
            report(
                served.span(),
                format!("policy `{name}`: `served_ciphers` needs a `served_source`"),
            );
        }
        resolved
    });

    let groups = entry.groups.as_ref().map(|groups| {
        let mut resolved: Vec<NamedGroup> = Vec::new();
        for g in groups {
            match NamedGroup::from_name(g.get_ref()) {
                Some(group) if resolved.contains(&group) => report(
                    g.span(),
                    format!("policy `{name}`: group `{}` is listed twice", g.get_ref()),
                ),
                Some(group) => resolved.push(group),
                None => report(
                    g.span(),
                    format!(
                        "policy `{name}`: unknown group `{}`{}",
                        g.get_ref(),
                        super::suggest::hint(g.get_ref(), super::suggest::group_names())
                    ),
                ),
            }
        }
        resolved
    });

    let confidence = Confidence::from_name(entry.confidence.get_ref()).unwrap_or_else(|| {
        report(
            entry.confidence.span(),
            format!(
                "policy `{name}`: unknown confidence `{}`: expected verified, two-sources, one-source or partial",
                entry.confidence.get_ref()
            ),
        );
        Confidence::OneSource
    });

    if kind == PolicyKind::Classic && protocols.contains(&ProtocolVersion::TLSV1_3) {
        problems.push(Problem::new(
            label,
            at,
            format!("policy `{name}`: Classic load balancers do not support TLSv1.3"),
        ));
    }

    if problems.len() > before {
        return None;
    }
    Some(Policy {
        name,
        aliases: entry.aliases,
        kind,
        load_balancer_types: types,
        protocols,
        server_order: entry.server_order,
        fips: entry.fips,
        ciphers,
        served_ciphers,
        served_source: entry.served_source,
        groups,
        groups_source: entry.groups_source,
        complete: entry.complete,
        confidence,
        published: entry.published,
        sources: entry.sources,
        notes: entry.notes.map(|n| n.trim().to_string()),
        origin: origin.clone(),
    })
}

/// Resolves a list of cipher names, reporting unknown, repeated and signalling ones.
fn resolve_ciphers(
    name: &str,
    names: &[Spanned<String>],
    report: &mut impl FnMut(std::ops::Range<usize>, String),
) -> Vec<PolicyCipher> {
    let mut ciphers: Vec<PolicyCipher> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for c in names {
        let cipher_name = c.get_ref().trim();
        match CipherSuite::from_name(cipher_name) {
            Some(suite) if !seen.insert(suite) => report(
                c.span(),
                format!("policy `{name}`: cipher `{cipher_name}` is listed twice"),
            ),
            Some(suite) if suite.info().is_some_and(|i| i.is_signalling()) => report(
                c.span(),
                format!(
                    "policy `{name}`: `{cipher_name}` is a signalling value, not a cipher suite"
                ),
            ),
            Some(suite) => ciphers.push(PolicyCipher {
                suite,
                name: cipher_name.to_string(),
            }),
            None if Sslv2CipherKind::from_name(cipher_name).is_some() => report(
                c.span(),
                format!(
                    "policy `{name}`: `{cipher_name}` is an SSL 2.0-only cipher, which no ELB listener can negotiate; remove it"
                ),
            ),
            None => report(
                c.span(),
                format!(
                    "policy `{name}`: unknown cipher `{cipher_name}`{}",
                    super::suggest::hint(cipher_name, super::suggest::cipher_names())
                ),
            ),
        }
    }
    ciphers
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn line_index_numbers_lines_from_one() {
        let index = LineIndex::new("a\nbc\n\nd");
        let lines: Vec<usize> = (0..8).map(|offset| index.line_of(offset)).collect();
        // a \n b c \n \n d (past the end stays on the last line)
        assert_eq!(lines, [1, 1, 2, 2, 2, 3, 4, 4]);
        assert_eq!(LineIndex::new("").line_of(0), 1);
    }
}
