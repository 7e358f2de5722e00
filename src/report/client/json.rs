//! `elbtls client … --format json`. The published shapes live here, in their own types;
//! `SCHEMA_VERSION` changes only on a breaking change.

use std::io::{self, Write};

use serde::Serialize;

use super::{Change, CheckReport, MatrixReport, ServerLabel};
use crate::catalogue::Policy;
use crate::client::negotiate::Negotiation;
use crate::client::profile::{Profile, signature_scheme_name};
use crate::client::{ClientDescription, DescriptionSource};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, RequiredCertificate};

/// Version of the JSON documents written by `elbtls client check|matrix|profiles`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Suite {
    name: String,
    iana_name: String,
    code: String,
}

impl Suite {
    fn new(suite: CipherSuite) -> Self {
        Self {
            name: suite.to_string(),
            iana_name: suite.iana_name(),
            code: format!("0x{:04X}", suite.0),
        }
    }
}

#[derive(Serialize)]
struct Reason {
    code: &'static str,
    message: String,
}

/// The verdict of one negotiation.
#[derive(Serialize)]
struct Outcome {
    success: bool,
    version: Option<String>,
    suite: Option<Suite>,
    group: Option<String>,
    reason: Option<Reason>,
}

impl Outcome {
    fn new(negotiation: &Negotiation) -> Self {
        match negotiation {
            Negotiation::Success {
                version,
                suite,
                group,
            } => Self {
                success: true,
                version: Some(version.to_string()),
                suite: Some(Suite::new(*suite)),
                group: group.map(|g| g.to_string()),
                reason: None,
            },
            Negotiation::Failure(reason) => Self {
                success: false,
                version: None,
                suite: None,
                group: None,
                reason: Some(Reason {
                    code: reason.code(),
                    message: reason.to_string(),
                }),
            },
        }
    }
}

fn versions(list: &[ProtocolVersion]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

fn suites(list: &[CipherSuite]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

fn groups(list: &[NamedGroup]) -> Vec<String> {
    list.iter().map(ToString::to_string).collect()
}

fn certificates(list: &[RequiredCertificate]) -> Vec<&'static str> {
    list.iter().map(|k| k.label()).collect()
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Source<'a> {
    Profile { name: &'a str, reference: &'a str },
    Captured { peer: &'a str },
    File { path: &'a str },
    Openssl { cipher_string: &'a str },
}

#[derive(Serialize)]
struct Client<'a> {
    name: &'a str,
    source: Source<'a>,
    confidence: Option<&'static str>,
    versions: Vec<String>,
    suites: Vec<String>,
    groups: Vec<String>,
    signature_algorithms: Vec<String>,
    sni: bool,
    alpn: &'a [String],
}

impl<'a> Client<'a> {
    fn new(client: &'a ClientDescription, profile: Option<&Profile>) -> Self {
        let source = match &client.source {
            DescriptionSource::Profile { name, source } => Source::Profile {
                name,
                reference: source,
            },
            DescriptionSource::Captured { peer } => Source::Captured { peer },
            DescriptionSource::File { path } => Source::File { path },
            DescriptionSource::OpenSsl { cipher_string } => Source::Openssl { cipher_string },
        };
        Self {
            name: &client.name,
            source,
            confidence: profile.map(|p| p.confidence.as_str()),
            versions: versions(&client.versions),
            suites: suites(&client.suites),
            groups: groups(&client.groups),
            signature_algorithms: client
                .signature_algorithms
                .iter()
                .map(|c| signature_scheme_name(*c))
                .collect(),
            sni: client.server_name.is_some(),
            alpn: &client.alpn,
        }
    }
}

#[derive(Serialize)]
struct PolicyRef<'a> {
    name: &'a str,
    kind: &'static str,
    protocols: Vec<String>,
}

impl<'a> PolicyRef<'a> {
    fn new(policy: &'a Policy) -> Self {
        Self {
            name: &policy.name,
            kind: policy.kind.as_str(),
            protocols: versions(&policy.protocols),
        }
    }
}

#[derive(Serialize)]
struct Server<'a> {
    /// `policy`, `listener` or `arn`.
    kind: &'static str,
    policy: Option<PolicyRef<'a>>,
    listener: Option<&'a str>,
    arn: Option<&'a str>,
    certificates: Vec<&'static str>,
}

#[derive(Serialize)]
struct Usable<'a> {
    policy: PolicyRef<'a>,
    negotiates: Outcome,
}

#[derive(Serialize)]
struct Check<'a> {
    client: Client<'a>,
    server: Server<'a>,
    result: Outcome,
    load_balancer_type: &'static str,
    usable_policies: Vec<Usable<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct CheckDocument<'a> {
    schema_version: u32,
    checks: Vec<Check<'a>>,
}

fn finish(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// `client check --format json`.
pub fn check(reports: &[CheckReport<'_>], out: &mut impl Write) -> io::Result<()> {
    let checks = reports
        .iter()
        .map(|r| {
            let (kind, policy, listener, arn) = match &r.server {
                ServerLabel::Policy(p) => ("policy", Some(PolicyRef::new(p)), None, None),
                ServerLabel::Listener(endpoint) => {
                    ("listener", None, Some(endpoint.as_str()), None)
                }
                ServerLabel::Arn { arn, policy } => (
                    "arn",
                    Some(PolicyRef::new(policy)),
                    None,
                    Some(arn.as_str()),
                ),
            };
            Check {
                client: Client::new(r.client, r.profile),
                server: Server {
                    kind,
                    policy,
                    listener,
                    arn,
                    certificates: certificates(&r.certificates),
                },
                result: Outcome::new(&r.negotiation),
                load_balancer_type: r.lb_type.as_str(),
                usable_policies: r
                    .usable
                    .iter()
                    .map(|u| Usable {
                        policy: PolicyRef::new(u.policy),
                        negotiates: Outcome::new(&u.negotiation),
                    })
                    .collect(),
                notes: &r.notes,
            }
        })
        .collect();
    finish(
        out,
        &CheckDocument {
            schema_version: SCHEMA_VERSION,
            checks,
        },
    )
}

#[derive(Serialize)]
struct Row<'a> {
    profile: &'a str,
    client: &'a str,
    confidence: &'static str,
    result: Option<Outcome>,
    from: Option<Outcome>,
    to: Option<Outcome>,
    change: Option<&'static str>,
}

#[derive(Serialize)]
struct Summary {
    profiles: usize,
    success: Option<usize>,
    failure: Option<usize>,
    keeps_working: Option<usize>,
    breaks: Option<usize>,
    starts_working: Option<usize>,
    still_fails: Option<usize>,
}

#[derive(Serialize)]
struct MatrixDocument<'a> {
    schema_version: u32,
    policy: Option<PolicyRef<'a>>,
    from: Option<PolicyRef<'a>>,
    to: Option<PolicyRef<'a>>,
    certificates: Vec<&'static str>,
    rows: Vec<Row<'a>>,
    summary: Summary,
}

/// `client matrix --format json`.
pub fn matrix(report: &MatrixReport<'_>, out: &mut impl Write) -> io::Result<()> {
    let rows = report
        .rows
        .iter()
        .map(|row| {
            let base = Row {
                profile: &row.profile.name,
                client: &row.profile.client,
                confidence: row.profile.confidence.as_str(),
                result: None,
                from: None,
                to: None,
                change: None,
            };
            match &row.second {
                None => Row {
                    result: Some(Outcome::new(&row.first)),
                    ..base
                },
                Some(second) => Row {
                    from: Some(Outcome::new(&row.first)),
                    to: Some(Outcome::new(second)),
                    change: Some(Change::of(&row.first, second).code()),
                    ..base
                },
            }
        })
        .collect();
    let total = report.rows.len();
    let success = report.rows.iter().filter(|r| r.first.is_success()).count();
    let pair = report.second.is_some();
    let summary = Summary {
        profiles: total,
        success: (!pair).then_some(success),
        failure: (!pair).then_some(total - success),
        keeps_working: pair.then(|| report.count(Change::KeepsWorking)),
        breaks: pair.then(|| report.count(Change::Breaks)),
        starts_working: pair.then(|| report.count(Change::StartsWorking)),
        still_fails: pair.then(|| report.count(Change::StillFails)),
    };
    let (policy, from, to) = match report.second {
        None => (Some(PolicyRef::new(report.first)), None, None),
        Some(second) => (
            None,
            Some(PolicyRef::new(report.first)),
            Some(PolicyRef::new(second)),
        ),
    };
    finish(
        out,
        &MatrixDocument {
            schema_version: SCHEMA_VERSION,
            policy,
            from,
            to,
            certificates: certificates(&report.certificates),
            rows,
            summary,
        },
    )
}

#[derive(Serialize)]
struct ProfileJson<'a> {
    name: &'a str,
    client: &'a str,
    description: &'a str,
    versions: Vec<String>,
    suites: Vec<String>,
    groups: Vec<String>,
    signature_algorithms: Vec<String>,
    sni: bool,
    alpn: &'a [String],
    confidence: &'static str,
    source: &'a str,
    source_url: Option<&'a str>,
    notes: Option<&'a str>,
}

#[derive(Serialize)]
struct ProfilesDocument<'a> {
    schema_version: u32,
    profiles: Vec<ProfileJson<'a>>,
}

/// `client profiles --format json` (every profile, or the one asked for).
pub fn profiles(list: &[&Profile], out: &mut impl Write) -> io::Result<()> {
    let profiles = list
        .iter()
        .map(|p| ProfileJson {
            name: &p.name,
            client: &p.client,
            description: &p.description,
            versions: versions(&p.versions),
            suites: suites(&p.suites),
            groups: groups(&p.groups),
            signature_algorithms: p
                .signature_algorithms
                .iter()
                .map(|c| signature_scheme_name(*c))
                .collect(),
            sni: p.sni,
            alpn: &p.alpn,
            confidence: p.confidence.as_str(),
            source: &p.source,
            source_url: p.source_url.as_deref(),
            notes: p.notes.as_deref(),
        })
        .collect();
    finish(
        out,
        &ProfilesDocument {
            schema_version: SCHEMA_VERSION,
            profiles,
        },
    )
}
