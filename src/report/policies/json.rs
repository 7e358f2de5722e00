//! `--format json` for the catalogue commands. The published shape lives here, in its own types,
//! so refactoring the model does not change it; `SCHEMA_VERSION` changes only on a breaking change.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::catalogue::{GroupsDiff, Origin, Policy, PolicyCipher, PolicyDiff, Source};
use crate::model::LoadBalancerType;
use crate::tls::{NamedGroup, ProtocolVersion, SuiteProperty};

/// Version of the JSON documents written by `elbtls policies`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct PolicySummary<'a> {
    name: &'a str,
    kind: &'static str,
    load_balancer_types: &'a [LoadBalancerType],
    protocols: Vec<String>,
    cipher_count: usize,
    server_order: bool,
    forward_secrecy: bool,
    fips: bool,
    /// `null` when the policy's groups are unknown.
    post_quantum: Option<bool>,
    complete: bool,
    confidence: &'static str,
    /// False for names no AWS documentation or API answer lists.
    published: bool,
    /// The TLS engine the policy's load balancers run: `s2n-tls` or `openssl`.
    engine: &'static str,
}

impl<'a> PolicySummary<'a> {
    fn new(policy: &'a Policy) -> Self {
        Self {
            name: &policy.name,
            kind: policy.kind.as_str(),
            load_balancer_types: &policy.load_balancer_types,
            protocols: versions(&policy.protocols),
            cipher_count: policy.ciphers.len(),
            server_order: policy.server_order,
            forward_secrecy: policy.forward_secrecy(),
            fips: policy.fips,
            post_quantum: policy.post_quantum(),
            complete: policy.complete,
            confidence: policy.confidence.as_str(),
            published: policy.published,
            engine: policy.engine().as_str(),
        }
    }
}

#[derive(Serialize)]
struct Cipher<'a> {
    name: &'a str,
    iana_name: Option<&'static str>,
    openssl_name: Option<&'static str>,
    code: String,
    min_version: Option<String>,
    max_version: Option<String>,
    certificate: Option<&'static str>,
    properties: Vec<&'static str>,
}

impl<'a> Cipher<'a> {
    fn new(cipher: &'a PolicyCipher) -> Self {
        let info = cipher.info();
        Self {
            name: &cipher.name,
            iana_name: info.map(|i| i.iana_name),
            openssl_name: info.and_then(|i| i.openssl_name),
            code: format!("0x{:04X}", cipher.suite.0),
            min_version: info.map(|i| i.min_version.to_string()),
            max_version: info.map(|i| i.max_version.to_string()),
            certificate: info.map(|i| i.required_certificate().label()),
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
struct PrioritisedCipher<'a> {
    priority: usize,
    #[serde(flatten)]
    cipher: Cipher<'a>,
}

#[derive(Serialize)]
struct Group {
    name: String,
    code: String,
    post_quantum: bool,
}

impl Group {
    fn new(group: NamedGroup) -> Self {
        Self {
            name: group.to_string(),
            code: format!("0x{:04X}", group.0),
            post_quantum: group.is_post_quantum(),
        }
    }
}

#[derive(Serialize)]
struct SourceRef<'a> {
    id: &'a str,
    title: Option<&'a str>,
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct PolicyDetail<'a> {
    #[serde(flatten)]
    summary: PolicySummary<'a>,
    aliases: &'a [String],
    weaknesses: Vec<&'static str>,
    ciphers: Vec<PrioritisedCipher<'a>>,
    /// The cipher names in the order the load balancer's engine serves them, where that differs
    /// from the published priority in `ciphers`; `null` otherwise.
    served_ciphers: Option<Vec<&'a str>>,
    served_source: &'a [String],
    /// `null` when unknown.
    groups: Option<Vec<Group>>,
    groups_source: &'a [String],
    sources: Vec<SourceRef<'a>>,
    notes: Option<&'a str>,
    origin: String,
}

fn versions(versions: &[ProtocolVersion]) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}

fn origin(origin: &Origin) -> String {
    match origin {
        Origin::Builtin { file } => format!("builtin:policies/{file}"),
        Origin::User { path } => format!("user:{}", path.display()),
        Origin::ClassicCustom { .. } => "classic-custom".to_string(),
    }
}

fn write(value: &impl Serialize, out: &mut impl Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// `policies list --format json`.
pub fn list(policies: &[&Policy], out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        schema_version: u32,
        policies: Vec<PolicySummary<'a>>,
    }
    write(
        &Document {
            schema_version: SCHEMA_VERSION,
            policies: policies.iter().map(|p| PolicySummary::new(p)).collect(),
        },
        out,
    )
}

/// `policies show --format json`.
pub fn show(
    policy: &Policy,
    sources: &BTreeMap<String, Source>,
    out: &mut impl Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Document<'a> {
        schema_version: u32,
        policy: PolicyDetail<'a>,
    }
    let detail = PolicyDetail {
        summary: PolicySummary::new(policy),
        aliases: &policy.aliases,
        weaknesses: policy
            .weaknesses()
            .into_iter()
            .map(SuiteProperty::code)
            .collect(),
        ciphers: policy
            .ciphers
            .iter()
            .enumerate()
            .map(|(i, c)| PrioritisedCipher {
                priority: i + 1,
                cipher: Cipher::new(c),
            })
            .collect(),
        served_ciphers: policy
            .served_ciphers
            .as_ref()
            .map(|served| served.iter().map(|c| c.name.as_str()).collect()),
        served_source: &policy.served_source,
        groups: policy
            .groups
            .as_ref()
            .map(|groups| groups.iter().copied().map(Group::new).collect()),
        groups_source: &policy.groups_source,
        sources: policy
            .sources
            .iter()
            .map(|id| {
                let source = sources.get(id);
                SourceRef {
                    id,
                    title: source.map(|s| s.title.as_str()),
                    url: source.and_then(|s| s.url.as_deref()),
                }
            })
            .collect(),
        notes: policy.notes.as_deref(),
        origin: origin(&policy.origin),
    };
    write(
        &Document {
            schema_version: SCHEMA_VERSION,
            policy: detail,
        },
        out,
    )
}

/// `policies diff --format json`.
pub fn diff(diff: &PolicyDiff<'_>, out: &mut impl Write) -> io::Result<()> {
    #[derive(Serialize)]
    struct Change<T> {
        added: Vec<T>,
        removed: Vec<T>,
    }
    #[derive(Serialize)]
    struct Ciphers<'a> {
        added: Vec<Cipher<'a>>,
        removed: Vec<Cipher<'a>>,
        kept: usize,
        order_changed: bool,
    }
    #[derive(Serialize)]
    struct Groups {
        /// False when one policy's groups are unknown; `added`/`removed` are then empty.
        known: bool,
        added: Vec<Group>,
        removed: Vec<Group>,
    }
    #[derive(Serialize)]
    struct Document<'a> {
        schema_version: u32,
        from: PolicySummary<'a>,
        to: PolicySummary<'a>,
        identical: bool,
        protocols: Change<String>,
        ciphers: Ciphers<'a>,
        groups: Groups,
    }
    let groups = match &diff.groups {
        GroupsDiff::Known { added, removed } => Groups {
            known: true,
            added: added.iter().copied().map(Group::new).collect(),
            removed: removed.iter().copied().map(Group::new).collect(),
        },
        GroupsDiff::Unknown => Groups {
            known: false,
            added: Vec::new(),
            removed: Vec::new(),
        },
    };
    write(
        &Document {
            schema_version: SCHEMA_VERSION,
            from: PolicySummary::new(diff.from),
            to: PolicySummary::new(diff.to),
            identical: diff.is_empty(),
            protocols: Change {
                added: versions(&diff.protocols_added),
                removed: versions(&diff.protocols_removed),
            },
            ciphers: Ciphers {
                added: diff.ciphers_added.iter().map(|c| Cipher::new(c)).collect(),
                removed: diff
                    .ciphers_removed
                    .iter()
                    .map(|c| Cipher::new(c))
                    .collect(),
                kept: diff.ciphers_kept.len(),
                order_changed: diff.order_changed,
            },
            groups,
        },
        out,
    )
}
