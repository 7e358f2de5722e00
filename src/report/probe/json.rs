//! `elbtls probe --format json`. The published shape lives here, in its own types.

use std::io::{self, Write};

use serde::Serialize;

use super::{AUTO_MATCHES_SHOWN, Comparison, EndpointReport};
use crate::compare::Difference;
use crate::model::certificate::CertificateChain;
use crate::model::observed::{ProbeOutcome, Support};
use crate::tls::{CipherSuite, NamedGroup, SuiteProperty};

/// Version of the JSON document written by `elbtls probe`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    endpoints: Vec<Endpoint<'a>>,
}

#[derive(Serialize)]
struct Endpoint<'a> {
    target: String,
    address: Option<String>,
    sni: Option<&'a str>,
    /// `ok`, `unreachable` or `error`.
    status: &'static str,
    error: Option<&'a str>,
    /// False when a version or an enumeration could not be determined (see `warnings`).
    complete: bool,
    protocols: Vec<Protocol>,
    refused_protocols: Vec<String>,
    undetermined_protocols: Vec<Undetermined<'a>>,
    groups: Groups,
    certificates: &'a [CertificateChain],
    warnings: &'a [String],
    /// The node addresses probed (`--all-addresses` and several addresses); empty otherwise.
    nodes: &'a [String],
    /// How the nodes differ.
    node_disagreements: &'a [String],
    /// Nodes that could not be probed.
    failed_nodes: &'a [String],
    connections: u32,
    duration_ms: u128,
    policy: Option<PolicyResult<'a>>,
    policy_matches: Option<Vec<PolicyResult<'a>>>,
}

#[derive(Serialize)]
struct Protocol {
    version: String,
    server_order: Option<bool>,
    complete: bool,
    ciphers: Vec<Cipher>,
    /// Accepted suites that need another version (s2n-tls's fallback when nothing valid for the
    /// version is offered), by IANA name; they are also in `ciphers`.
    beyond_version: Vec<String>,
}

#[derive(Serialize)]
struct Undetermined<'a> {
    version: String,
    reason: &'a str,
}

#[derive(Serialize)]
struct Cipher {
    code: String,
    iana_name: Option<&'static str>,
    openssl_name: Option<&'static str>,
    properties: Vec<&'static str>,
}

impl Cipher {
    fn new(suite: CipherSuite) -> Self {
        let info = suite.info();
        Self {
            code: format!("0x{:04X}", suite.0),
            iana_name: info.map(|i| i.iana_name),
            openssl_name: info.and_then(|i| i.openssl_name),
            properties: info
                .map(|i| {
                    i.properties()
                        .into_iter()
                        .map(SuiteProperty::code)
                        .collect()
                })
                .unwrap_or_default(),
        }
    }
}

#[derive(Serialize)]
struct Groups {
    tls13: Option<Vec<Group>>,
    tls12: Option<Vec<Group>>,
}

#[derive(Serialize)]
struct Group {
    name: String,
    code: String,
    post_quantum: bool,
}

fn groups(list: &Option<Vec<NamedGroup>>) -> Option<Vec<Group>> {
    list.as_ref().map(|groups| {
        groups
            .iter()
            .map(|g| Group {
                name: g.to_string(),
                code: format!("0x{:04X}", g.0),
                post_quantum: g.is_post_quantum(),
            })
            .collect()
    })
}

#[derive(Serialize)]
struct PolicyResult<'a> {
    name: &'a str,
    kind: &'static str,
    /// No difference found.
    matches: bool,
    differences: Vec<DifferenceJson<'a>>,
    /// `--policy auto` only: whether the policy could have produced what was seen, why not, whether
    /// its groups were compared, and whether it is an exact match (no difference, complete,
    /// groups checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    possible: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cannot: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    groups_checked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exact: Option<bool>,
}

#[derive(Serialize)]
struct DifferenceJson<'a> {
    code: &'static str,
    /// The protocol, suite, group, or (for an order) the version concerned.
    subject: String,
    message: &'a str,
}

fn differences(list: &[Difference]) -> Vec<DifferenceJson<'_>> {
    list.iter()
        .map(|d| DifferenceJson {
            code: d.code.code(),
            subject: d.subject.to_string(),
            message: &d.message,
        })
        .collect()
}

/// Writes the report.
pub fn render(reports: &[EndpointReport<'_>], out: &mut impl Write) -> io::Result<()> {
    let endpoints = reports.iter().map(endpoint).collect();
    serde_json::to_writer_pretty(
        &mut *out,
        &Document {
            schema_version: SCHEMA_VERSION,
            endpoints,
        },
    )?;
    writeln!(out)
}

fn endpoint<'a>(report: &'a EndpointReport<'_>) -> Endpoint<'a> {
    let o = &report.observation;
    let mut e = Endpoint {
        target: o.endpoint.label(),
        address: o.endpoint.address.map(|a| a.to_string()),
        sni: o.endpoint.sni.as_deref(),
        status: "ok",
        error: None,
        complete: false,
        protocols: Vec::new(),
        refused_protocols: Vec::new(),
        undetermined_protocols: Vec::new(),
        groups: Groups {
            tls13: None,
            tls12: None,
        },
        certificates: &[],
        warnings: &[],
        nodes: &[],
        node_disagreements: &[],
        failed_nodes: &[],
        connections: o.connections,
        duration_ms: o.duration.as_millis(),
        policy: None,
        policy_matches: None,
    };
    match &o.outcome {
        ProbeOutcome::Unreachable { reason } => {
            e.status = "unreachable";
            e.error = Some(reason);
        }
        ProbeOutcome::Failed { reason } => {
            e.status = "error";
            e.error = Some(reason);
        }
        ProbeOutcome::Completed(observed) => {
            for p in &observed.protocols {
                match &p.support {
                    Support::Accepted => e.protocols.push(Protocol {
                        version: p.version.to_string(),
                        server_order: p.server_order,
                        complete: p.complete,
                        ciphers: p.ciphers.iter().copied().map(Cipher::new).collect(),
                        beyond_version: p
                            .beyond_version()
                            .into_iter()
                            .map(|s| {
                                s.info()
                                    .map_or_else(|| s.to_string(), |i| i.iana_name.to_string())
                            })
                            .collect(),
                    }),
                    Support::Rejected => e.refused_protocols.push(p.version.to_string()),
                    Support::Unknown(reason) => e.undetermined_protocols.push(Undetermined {
                        version: p.version.to_string(),
                        reason,
                    }),
                }
            }
            e.groups = Groups {
                tls13: groups(&observed.groups.tls13),
                tls12: groups(&observed.groups.tls12),
            };
            e.certificates = &observed.certificates;
            e.complete = observed.is_complete();
            e.warnings = &observed.warnings;
            e.nodes = &observed.nodes;
            e.node_disagreements = &observed.node_disagreements;
            e.failed_nodes = &observed.failed_nodes;
        }
    }
    match &report.comparison {
        Some(Comparison::Policy {
            policy,
            differences: list,
        }) => {
            e.policy = Some(PolicyResult {
                name: &policy.name,
                kind: policy.kind.as_str(),
                matches: list.is_empty(),
                differences: differences(list),
                possible: None,
                cannot: None,
                groups_checked: None,
                exact: None,
            });
        }
        Some(Comparison::Auto { matches }) => {
            e.policy_matches = Some(
                matches
                    .iter()
                    .take(AUTO_MATCHES_SHOWN)
                    .map(|m| PolicyResult {
                        name: &m.found.policy.name,
                        kind: m.found.policy.kind.as_str(),
                        matches: m.found.differences.is_empty(),
                        differences: differences(&m.found.differences),
                        possible: Some(m.fit.possible()),
                        cannot: Some(&m.fit.impossible),
                        groups_checked: Some(m.fit.groups_checked),
                        exact: Some(m.is_exact()),
                    })
                    .collect(),
            );
        }
        None => {}
    }
    e
}
