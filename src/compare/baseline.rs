//! Baseline rules: a listener's declared policy, what a probe saw, its certificates and its
//! plaintext siblings against the organisation's [`Baseline`]. Pure: no I/O, not async; the clock
//! is a parameter.
//!
//! With a probe the audit calls [`check_policy`] (the policy's name and FIPS module, which no
//! observation can show) and [`check_observed`]; with `--no-probe` it calls [`check_declared`]
//! (the same checks on the declared policy's contents). [`check_plaintext`] runs on HTTP
//! listeners. Findings carry their code's default severity: [`super::audit()`] applies the
//! baseline's `[severity]` table to every finding of a listener at once.

use crate::baseline::{Baseline, PolicyRefusal};
use crate::catalogue::{Catalogue, Policy};
use crate::finding::{Finding, FindingCode};
use crate::model::LoadBalancerType;
use crate::model::certificate::{CertificateChain, KeyAlgorithm};
use crate::model::inventory::Listener;
use crate::model::observed::{Observed, Support};
use crate::tls::{CipherSuite, NamedGroup, ProtocolVersion, SuiteProperty};

/// The listener a finding is about: its label for people (`my-alb HTTPS:443
/// (123456789012/eu-west-1)`) and, when known, a policy that satisfies the baseline (from
/// [`suggest_policy`]) to name in the advice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target<'a> {
    /// Names the listener at the start of every message.
    pub label: &'a str,
    /// A policy to move to.
    pub suggestion: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// A listener without a suggested policy.
    pub fn new(label: &'a str) -> Self {
        Self {
            label,
            suggestion: None,
        }
    }

    /// The same listener, with a policy to suggest.
    pub fn suggesting(self, policy: Option<&'a str>) -> Self {
        Self {
            suggestion: policy,
            ..self
        }
    }

    /// `move it to SUGGESTION or stricter`, else `move it to {fallback}`.
    fn fix(&self, fallback: &str) -> String {
        match self.suggestion {
            Some(policy) => format!("move it to {policy} or stricter"),
            None => format!("move it to {fallback}"),
        }
    }
}

impl<'a> From<&'a str> for Target<'a> {
    fn from(label: &'a str) -> Self {
        Self::new(label)
    }
}

impl<'a> From<&'a String> for Target<'a> {
    fn from(label: &'a String) -> Self {
        Self::new(label)
    }
}

/// The declared policy's name and module: `policy-not-allowed` and `not-fips`. Run these whether
/// or not the listener is probed.
pub fn check_policy<'a>(
    baseline: &Baseline,
    policy: &Policy,
    listener: impl Into<Target<'a>>,
) -> Vec<Finding> {
    let target = listener.into();
    let mut findings = Vec::new();
    let fix = target.fix("a policy the baseline allows");
    let refusal = match baseline.judge_policy(policy) {
        Ok(()) => None,
        Err(PolicyRefusal::Denied(pattern)) if pattern.is_glob() => {
            Some(format!("which the baseline denies (`{pattern}`)"))
        }
        Err(PolicyRefusal::Denied(_)) => Some("which the baseline denies".to_string()),
        Err(PolicyRefusal::NotAllowed(allowed)) => {
            let allowed: Vec<&str> = allowed.iter().map(|p| p.as_str()).collect();
            Some(format!(
                "which is not among the baseline's allowed policies ({})",
                allowed.join(", ")
            ))
        }
    };
    if let Some(why) = refusal {
        findings.push(Finding::new(
            FindingCode::PolicyNotAllowed,
            &policy.name,
            format!("{} declares {}, {why}: {fix}", target.label, policy.name),
        ));
    }
    if baseline.require_fips && !policy.fips {
        findings.push(Finding::new(
            FindingCode::NotFips,
            &policy.name,
            format!(
                "{} declares {}, which is not a FIPS policy, but the baseline requires FIPS: {}",
                target.label,
                policy.name,
                target.fix("a FIPS policy (`ELBSecurityPolicy-TLS13-*-FIPS-*`)")
            ),
        ));
    }
    findings
}

/// Everything the baseline says about a declared policy, without a probe: [`check_policy`], and
/// `protocol-below-minimum`, `weak-cipher-allowed`, `no-forward-secrecy` and `no-post-quantum`
/// from the policy's contents (nothing about post-quantum when its groups are unknown).
pub fn check_declared<'a>(
    baseline: &Baseline,
    policy: &Policy,
    listener: impl Into<Target<'a>>,
) -> Vec<Finding> {
    let target = listener.into();
    let mut findings = check_policy(baseline, policy, target);
    let lead = format!("{} declares {}, which enables", target.label, policy.name);
    let suites: Vec<CipherSuite> = policy.ciphers.iter().map(|c| c.suite).collect();
    findings.extend(contents(
        baseline,
        &policy.protocols,
        &suites,
        &lead,
        &target,
    ));
    let pq = if !policy.allows_protocol(ProtocolVersion::TLSV1_3) {
        PostQuantum::NoTls13
    } else {
        match &policy.groups {
            Some(groups) => PostQuantum::from_groups(groups),
            None => PostQuantum::Unknown,
        }
    };
    findings.extend(post_quantum(baseline, pq, &lead, &target));
    findings
}

/// What a probe saw, against the baseline: `protocol-below-minimum`, `weak-cipher-allowed`,
/// `no-forward-secrecy`, `no-post-quantum` (only when the TLS 1.3 groups were probed, or TLS 1.3
/// was refused) and the certificate rules ([`check_certificates`]) at `now_unix`.
pub fn check_observed<'a>(
    baseline: &Baseline,
    observed: &Observed,
    listener: impl Into<Target<'a>>,
    now_unix: i64,
) -> Vec<Finding> {
    let target = listener.into();
    let lead = format!("{} accepts", target.label);
    let mut findings = contents(
        baseline,
        &observed.accepted_versions(),
        &observed.accepted_suites(),
        &lead,
        &target,
    );
    let pq = match observed
        .protocol(ProtocolVersion::TLSV1_3)
        .map(|p| &p.support)
    {
        Some(Support::Rejected) => PostQuantum::NoTls13,
        Some(Support::Accepted) => match &observed.groups.tls13 {
            Some(groups) => PostQuantum::from_groups(groups),
            None => PostQuantum::Unknown,
        },
        Some(Support::Unknown(_)) | None => PostQuantum::Unknown,
    };
    findings.extend(post_quantum(baseline, pq, &lead, &target));
    findings.extend(check_certificates(
        baseline,
        &observed.certificates,
        target,
        now_unix,
    ));
    findings
}

/// The rules shared by declared and observed contents. `lead` is the start of each message
/// (`LABEL accepts` / `LABEL declares P, which enables`).
fn contents(
    baseline: &Baseline,
    versions: &[ProtocolVersion],
    suites: &[CipherSuite],
    lead: &str,
    target: &Target,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(min) = baseline.min_protocol {
        let mut below: Vec<ProtocolVersion> =
            versions.iter().copied().filter(|v| *v < min).collect();
        below.sort();
        below.dedup();
        if let Some(oldest) = below.first() {
            findings.push(Finding::new(
                FindingCode::ProtocolBelowMinimum,
                oldest.to_string(),
                format!(
                    "{lead} {}, below the baseline minimum {min}: {}",
                    and_list(&below),
                    target.fix(&format!("a policy whose oldest protocol is {min} or newer"))
                ),
            ));
        }
    }

    let with = |pred: &dyn Fn(&SuiteProperty) -> bool| -> Vec<CipherSuite> {
        suites
            .iter()
            .copied()
            .filter(|s| {
                s.info()
                    .is_some_and(|i| !i.is_signalling() && i.properties().iter().any(pred))
            })
            .collect()
    };
    for class in &baseline.banned_classes {
        let hits = with(&|p| p == class);
        if !hits.is_empty() {
            findings.push(Finding::new(
                FindingCode::WeakCipherAllowed,
                class.code(),
                format!(
                    "{lead} {} suite{} of the banned class `{}` ({}): {}",
                    hits.len(),
                    plural(hits.len()),
                    class.code(),
                    short_list(&hits),
                    target.fix(&format!("a policy without {} suites", class_label(*class)))
                ),
            ));
        }
    }
    let covered = with(&|p| baseline.banned_classes.contains(p));
    for banned in &baseline.banned_ciphers {
        if suites.contains(banned) && !covered.contains(banned) {
            findings.push(Finding::new(
                FindingCode::WeakCipherAllowed,
                banned.to_string(),
                format!(
                    "{lead} {banned}, a suite the baseline bans by name: {}",
                    target.fix(&format!("a policy without {banned}"))
                ),
            ));
        }
    }

    if baseline.require_forward_secrecy {
        let without: Vec<CipherSuite> = suites
            .iter()
            .copied()
            .filter(|s| {
                s.info()
                    .is_some_and(|i| !i.is_signalling() && !i.forward_secrecy())
            })
            .collect();
        if !without.is_empty() {
            findings.push(Finding::new(
                FindingCode::NoForwardSecrecy,
                "",
                format!(
                    "{lead} {} suite{} without forward secrecy ({}): {}",
                    without.len(),
                    plural(without.len()),
                    short_list(&without),
                    target.fix("a policy with forward secrecy only (FS or TLS13 families)")
                ),
            ));
        }
    }
    findings
}

/// Whether post-quantum key exchange is offered, as far as can be told.
enum PostQuantum {
    Offered,
    /// Only classical groups (listed).
    Classical(Vec<NamedGroup>),
    /// No TLS 1.3: no hybrid group can be negotiated.
    NoTls13,
    /// Not probed or not known: say nothing rather than guess.
    Unknown,
}

impl PostQuantum {
    fn from_groups(groups: &[NamedGroup]) -> Self {
        if groups.iter().any(|g| g.is_post_quantum()) {
            Self::Offered
        } else {
            Self::Classical(groups.to_vec())
        }
    }
}

fn post_quantum(
    baseline: &Baseline,
    pq: PostQuantum,
    lead: &str,
    target: &Target,
) -> Option<Finding> {
    if !baseline.require_post_quantum {
        return None;
    }
    let what = match pq {
        PostQuantum::Offered | PostQuantum::Unknown => return None,
        PostQuantum::NoTls13 => "no TLS 1.3, so no post-quantum key exchange".to_string(),
        PostQuantum::Classical(groups) => {
            let names: Vec<String> = groups.iter().map(ToString::to_string).collect();
            format!(
                "only classical key exchange ({})",
                if names.is_empty() {
                    "no group".to_string()
                } else {
                    names.join(", ")
                }
            )
        }
    };
    Some(Finding::new(
        FindingCode::NoPostQuantum,
        "",
        format!(
            "{lead} {what}, but the baseline requires post-quantum: {}",
            target.fix("a post-quantum policy (`ELBSecurityPolicy-TLS13-*-PQ-*`)")
        ),
    ))
}

/// The certificate rules for each chain a listener presented (its leaf): `certificate-expired`
/// (under every baseline), `certificate-expiring` and `certificate-key-too-small`. The subject is
/// the leaf's subject, with the key appended when two chains share a subject.
pub fn check_certificates<'a>(
    baseline: &Baseline,
    chains: &[CertificateChain],
    listener: impl Into<Target<'a>>,
    now_unix: i64,
) -> Vec<Finding> {
    let label = listener.into().label;
    let rules = &baseline.certificate;
    let mut findings = Vec::new();
    for chain in chains {
        let Some(leaf) = chain.leaf() else { continue };
        let shared = chains
            .iter()
            .filter(|c| c.leaf().is_some_and(|l| l.subject == leaf.subject))
            .count()
            > 1;
        let subject = if shared {
            format!("{} [{}]", leaf.subject, chain.leaf_key)
        } else {
            leaf.subject.clone()
        };
        let key = format!("{} {}", leaf.key.algorithm, leaf.key.bits);
        if leaf.expired(now_unix) {
            let when = leaf.expiry_words(now_unix);
            findings.push(Finding::new(FindingCode::CertificateExpired,
                &subject,
                format!(
                    "{label} presents certificate {} ({key}), which expired {when} ({}): renew or replace it now",
                    leaf.subject, leaf.not_after
                ),
            ));
        } else {
            let days = leaf.days_until_expiry(now_unix);
            let warning = i64::from(rules.expiry_warning_days);
            if days < warning {
                let when = leaf.expiry_words(now_unix);
                findings.push(Finding::new(
                    FindingCode::CertificateExpiring,
                    &subject,
                    format!(
                        "{label} presents certificate {}, which expires {when} ({}), within the \
                         baseline's {warning}-day warning: renew it",
                        leaf.subject, leaf.not_after
                    ),
                ));
            }
        }
        let minimum = match leaf.key.algorithm {
            KeyAlgorithm::Rsa | KeyAlgorithm::Dsa => rules.min_rsa_bits,
            KeyAlgorithm::Ec { .. } | KeyAlgorithm::Ed25519 | KeyAlgorithm::Ed448 => {
                rules.min_ec_bits
            }
            KeyAlgorithm::Other { .. } => 0,
        };
        if leaf.key.bits != 0 && leaf.key.bits < minimum {
            findings.push(Finding::new(
                FindingCode::CertificateKeyTooSmall,
                &subject,
                format!(
                    "{label} presents certificate {} with a {}-bit {} key, below the baseline \
                     minimum of {minimum} bits: reissue it with a larger key",
                    leaf.subject, leaf.key.bits, leaf.key.algorithm
                ),
            ));
        }
    }
    findings
}

/// `plaintext-listener` for an `HTTP` listener whose default action is not a redirect to HTTPS
/// (or, as on Classic load balancers, cannot be one), when the baseline requires redirects.
pub fn check_plaintext(baseline: &Baseline, listener: &Listener, label: &str) -> Vec<Finding> {
    if !baseline.require_https_redirect || !listener.protocol.eq_ignore_ascii_case("HTTP") {
        return Vec::new();
    }
    let message = match listener.redirects_to_https {
        Some(true) => return Vec::new(),
        Some(false) => format!(
            "{label} serves plain HTTP without redirecting to HTTPS: make its default action a \
             redirect to HTTPS (HTTP 301), or remove the listener"
        ),
        None => format!(
            "{label} serves plain HTTP and has no redirect to HTTPS (Classic load balancers \
             cannot redirect): remove the listener, or move to an ALB with a redirect action"
        ),
    };
    vec![Finding::new(FindingCode::PlaintextListener, "", message)]
}

/// The catalogue policy to suggest to a listener of type `lb`: among the complete policies that
/// pass every declared-policy rule (and, when post-quantum is required, are known to offer it),
/// the most compatible one (most protocols, then most suites), then the post-quantum one, the
/// non-FIPS one unless FIPS is required, the best established, the latest name. `None` when no
/// policy fits (a Classic listener under a baseline that bans CBC, for example).
pub fn suggest_policy<'c>(
    baseline: &Baseline,
    catalogue: &'c Catalogue,
    lb: LoadBalancerType,
) -> Option<&'c Policy> {
    catalogue
        .policies()
        .iter()
        .filter(|p| p.applies_to(lb) && p.complete)
        .filter(|p| !baseline.require_post_quantum || p.post_quantum() == Some(true))
        .filter(|p| check_declared(baseline, p, "").is_empty())
        .max_by(|a, b| {
            let rank = |p: &Policy| {
                (
                    p.protocols.len(),
                    p.ciphers.len(),
                    p.post_quantum() == Some(true),
                    baseline.require_fips || !p.fips,
                    std::cmp::Reverse(p.confidence),
                )
            };
            rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name))
        })
}

/// `TLSv1`, `TLSv1 and TLSv1.1`, `SSLv3, TLSv1 and TLSv1.1`.
fn and_list(versions: &[ProtocolVersion]) -> String {
    let names: Vec<String> = versions.iter().map(ToString::to_string).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// Up to six suite names, then `and N more`.
fn short_list(suites: &[CipherSuite]) -> String {
    const SHOWN: usize = 6;
    let names: Vec<String> = suites.iter().take(SHOWN).map(ToString::to_string).collect();
    match suites.len().checked_sub(SHOWN) {
        Some(more) if more > 0 => format!("{} and {more} more", names.join(", ")),
        _ => names.join(", "),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// What a class is, for people.
fn class_label(class: SuiteProperty) -> &'static str {
    match class {
        SuiteProperty::Cbc => "CBC-mode",
        SuiteProperty::Sha1 => "HMAC-SHA1",
        SuiteProperty::Md5 => "HMAC-MD5",
        SuiteProperty::RsaKeyTransport => "RSA key transport",
        SuiteProperty::TripleDes => "3DES",
        SuiteProperty::Des => "DES",
        SuiteProperty::Rc4 => "RC4",
        SuiteProperty::NullCipher => "unencrypted (NULL)",
        SuiteProperty::Export => "export-grade",
        SuiteProperty::Anonymous => "anonymous",
        SuiteProperty::ForwardSecrecy => "forward-secret",
        SuiteProperty::Aead => "AEAD",
    }
}

#[cfg(test)]
mod tests;
