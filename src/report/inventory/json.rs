//! `--format json` for `inventory`. The published shape lives here, in its own types, so the model
//! can change without changing the document; `SCHEMA_VERSION` changes only on a breaking change.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::model::inventory::{
    Certificate, DeclaredPolicy, InventoryReport, Listener, LoadBalancer, ResolvedPolicy, Scope,
    ScopeFailure,
};

/// Version of the JSON document written by `elbtls inventory`.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    /// False when some account, region or load balancer could not be read (see `failures`).
    complete: bool,
    scopes: &'a [Scope],
    load_balancers: Vec<LoadBalancerJson<'a>>,
    failures: Vec<FailureJson<'a>>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct LoadBalancerJson<'a> {
    account: &'a str,
    region: &'a str,
    name: &'a str,
    arn: Option<&'a str>,
    #[serde(rename = "type")]
    lb_type: &'static str,
    scheme: &'static str,
    dns_name: Option<&'a str>,
    state: Option<&'a str>,
    vpc_id: Option<&'a str>,
    tags: &'a BTreeMap<String, String>,
    listeners: Vec<ListenerJson<'a>>,
}

#[derive(Serialize)]
struct ListenerJson<'a> {
    arn: Option<&'a str>,
    port: u16,
    protocol: &'a str,
    policy: PolicyJson<'a>,
    certificates: Vec<CertificateJson<'a>>,
    alpn_policy: &'a [String],
    mutual_tls: Option<&'a str>,
    redirects_to_https: Option<bool>,
}

#[derive(Serialize)]
struct PolicyJson<'a> {
    /// The name shown (the Classic default as ELBSecurityPolicy-2016-08), or null.
    name: Option<&'a str>,
    /// `n/a`, `known` or `policy-unknown`.
    status: &'static str,
    detail: Option<&'a str>,
    reason: Option<&'a str>,
    protocols: &'a [String],
    cipher_count: Option<usize>,
    declared: DeclaredJson<'a>,
}

#[derive(Serialize)]
struct AttributeJson<'a> {
    name: &'a str,
    value: &'a str,
}

/// What AWS declared, before resolution.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum DeclaredJson<'a> {
    None,
    Named {
        name: &'a str,
    },
    ClassicAttributes {
        name: &'a str,
        attributes: Vec<AttributeJson<'a>>,
    },
    ClassicDefault,
    Unreadable {
        name: Option<&'a str>,
        reason: &'a str,
    },
}

#[derive(Serialize)]
struct CertificateJson<'a> {
    arn: &'a str,
    default: bool,
    source: &'static str,
    key_algorithm: Option<&'a str>,
}

#[derive(Serialize)]
struct FailureJson<'a> {
    account: &'a str,
    region: Option<&'a str>,
    resource: Option<&'a str>,
    reason: &'static str,
    message: &'a str,
}

fn declared(policy: &DeclaredPolicy) -> DeclaredJson<'_> {
    match policy {
        DeclaredPolicy::None => DeclaredJson::None,
        DeclaredPolicy::Named { name } => DeclaredJson::Named { name },
        DeclaredPolicy::ClassicAttributes { name, attributes } => DeclaredJson::ClassicAttributes {
            name,
            attributes: attributes
                .iter()
                .map(|(name, value)| AttributeJson { name, value })
                .collect(),
        },
        DeclaredPolicy::ClassicDefault => DeclaredJson::ClassicDefault,
        DeclaredPolicy::Unreadable { name, reason } => DeclaredJson::Unreadable {
            name: name.as_deref(),
            reason,
        },
    }
}

fn certificate(cert: &Certificate) -> CertificateJson<'_> {
    CertificateJson {
        arn: &cert.arn,
        default: cert.is_default,
        source: match cert.source {
            crate::model::inventory::CertificateSource::Acm => "acm",
            crate::model::inventory::CertificateSource::Iam => "iam",
            crate::model::inventory::CertificateSource::Other => "other",
        },
        key_algorithm: cert.key_algorithm.as_deref(),
    }
}

fn listener<'a>(listener: &'a Listener, policy: &'a ResolvedPolicy) -> ListenerJson<'a> {
    ListenerJson {
        arn: listener.arn.as_deref(),
        port: listener.port,
        protocol: &listener.protocol,
        policy: PolicyJson {
            name: policy.name.as_deref(),
            status: policy.status.code(),
            detail: policy.detail.as_deref(),
            reason: policy.reason.as_deref(),
            protocols: &policy.protocols,
            cipher_count: policy.cipher_count,
            declared: declared(&listener.declared),
        },
        certificates: listener.certificates.iter().map(certificate).collect(),
        alpn_policy: &listener.alpn_policy,
        mutual_tls: listener.mutual_tls.as_deref(),
        redirects_to_https: listener.redirects_to_https,
    }
}

fn load_balancer<'a>(lb: &'a LoadBalancer, policies: &'a [ResolvedPolicy]) -> LoadBalancerJson<'a> {
    LoadBalancerJson {
        account: &lb.scope.account,
        region: &lb.scope.region,
        name: &lb.name,
        arn: lb.arn.as_deref(),
        lb_type: lb.lb_type.as_str(),
        scheme: lb.scheme.as_str(),
        dns_name: lb.dns_name.as_deref(),
        state: lb.state.as_deref(),
        vpc_id: lb.vpc_id.as_deref(),
        tags: &lb.tags,
        listeners: lb
            .listeners
            .iter()
            .zip(policies)
            .map(|(l, p)| listener(l, p))
            .collect(),
    }
}

fn failure(failure: &ScopeFailure) -> FailureJson<'_> {
    FailureJson {
        account: &failure.account,
        region: failure.region.as_deref(),
        resource: failure.resource.as_deref(),
        reason: failure.reason.code(),
        message: &failure.message,
    }
}

/// Writes the JSON document.
pub fn render(report: &InventoryReport, out: &mut impl Write) -> io::Result<()> {
    let inventory = &report.inventory;
    let document = Document {
        schema_version: SCHEMA_VERSION,
        complete: inventory.is_complete(),
        scopes: &inventory.scopes,
        load_balancers: inventory
            .load_balancers
            .iter()
            .zip(&report.policies)
            .map(|(lb, policies)| load_balancer(lb, policies))
            .collect(),
        failures: inventory.failures.iter().map(failure).collect(),
        notes: &inventory.notes,
    };
    serde_json::to_writer_pretty(&mut *out, &document).map_err(io::Error::other)?;
    writeln!(out)
}
