//! The policy model: what a security policy lets a listener negotiate.
//!
//! Predefined ELBv2 and Classic policies (from `policies/*.toml`), a user's own catalogue, and
//! Classic custom policies (from their `Protocol-*` / cipher / `Server-Defined-Cipher-Order`
//! attributes, see [`super::classic`]) all end up as a [`Policy`].

use std::fmt;
use std::path::PathBuf;

use crate::model::LoadBalancerType;
use crate::tls::{CipherSuite, CipherSuiteInfo, NamedGroup, ProtocolVersion, SuiteProperty};

/// Which API a policy belongs to. A name can exist in both (`ELBSecurityPolicy-2016-08` is an ELBv2
/// policy *and* a Classic one, and the two need not agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PolicyKind {
    /// ELBv2 (`DescribeSSLPolicies`): Application and Network Load Balancers.
    Elbv2,
    /// Classic Load Balancer (`SSLNegotiationPolicyType`).
    Classic,
}

impl PolicyKind {
    /// `elbv2` or `classic`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elbv2 => "elbv2",
            Self::Classic => "classic",
        }
    }

    /// The kind a load balancer's policies have.
    pub fn of(lb: LoadBalancerType) -> Self {
        if lb.is_elbv2() {
            Self::Elbv2
        } else {
            Self::Classic
        }
    }
}

impl fmt::Display for PolicyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The TLS implementation a load balancer kind terminates connections with. It decides behaviour
/// a policy's lists do not spell out (the served cipher order, the version fallback).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    /// s2n-tls: Application and Network Load Balancers. It ships AWS's ELB policies under their
    /// AWS names; its lists are what a listener serves.
    S2nTls,
    /// An OpenSSL-based stack: Classic Load Balancers (OpenSSL 1.0 cipher names and attributes).
    OpenSsl,
}

impl Engine {
    /// `s2n-tls` or `openssl`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::S2nTls => "s2n-tls",
            Self::OpenSsl => "openssl",
        }
    }

    /// The engine a load balancer of type `lb` runs (`None` for gateway load balancers, which
    /// do not terminate TLS).
    pub fn of(lb: LoadBalancerType) -> Option<Self> {
        match lb {
            LoadBalancerType::Application | LoadBalancerType::Network => Some(Self::S2nTls),
            LoadBalancerType::Classic => Some(Self::OpenSsl),
            LoadBalancerType::Gateway => None,
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How well the contents of a policy are established.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Confidence {
    /// Checked against a live `DescribeSSLPolicies` / `DescribeLoadBalancerPolicies` answer.
    Verified,
    /// Two independent sources agree (e.g. s2n-tls and an AWS documentation table).
    TwoSources,
    /// One source only; other sources may confirm the name but not the contents.
    OneSource,
    /// Only part of the contents is known.
    Partial,
}

impl Confidence {
    /// Every value, strongest first.
    pub const ALL: [Self; 4] = [
        Self::Verified,
        Self::TwoSources,
        Self::OneSource,
        Self::Partial,
    ];

    /// The data-file and JSON spelling: `verified`, `two-sources`, `one-source`, `partial`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Verified => "verified",
            Self::TwoSources => "two-sources",
            Self::OneSource => "one-source",
            Self::Partial => "partial",
        }
    }

    /// Parses the data-file spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One cipher of a policy: the suite, and the name the policy spells it with (AWS uses OpenSSL names
/// for TLS ≤ 1.2 and IANA names for TLS 1.3; Classic uses OpenSSL 1.0 spellings such as
/// `EDH-RSA-DES-CBC3-SHA`). The name is kept so output matches what AWS shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyCipher {
    /// The code point.
    pub suite: CipherSuite,
    /// The name as the policy spells it.
    pub name: String,
}

impl PolicyCipher {
    /// The registry entry. Every cipher of a loaded policy resolves, so this is always `Some` for
    /// policies built by the catalogue.
    pub fn info(&self) -> Option<&'static CipherSuiteInfo> {
        self.suite.info()
    }
}

/// Where a policy came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The catalogue built into elbtls (`policies/FILE`).
    Builtin {
        /// The file name inside `policies/`.
        file: String,
    },
    /// A user catalogue directory (`--catalogue DIR`).
    User {
        /// The file it was read from.
        path: PathBuf,
    },
    /// A Classic custom policy, built from the attributes AWS returned.
    ClassicCustom {
        /// The predefined policy named by `Reference-Security-Policy`, if any.
        reference: Option<String>,
    },
}

/// A TLS security policy: which protocols, ciphers (in priority order) and groups a listener under it
/// may negotiate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Policy {
    /// The policy name (`ELBSecurityPolicy-TLS13-1-2-2021-06`).
    pub name: String,
    /// Other names for exactly this policy.
    pub aliases: Vec<String>,
    /// The API the policy belongs to.
    pub kind: PolicyKind,
    /// The load balancer types that can use it (subset of application/network, or classic).
    pub load_balancer_types: Vec<LoadBalancerType>,
    /// Enabled protocol versions, oldest first.
    pub protocols: Vec<ProtocolVersion>,
    /// Whether the server enforces its own cipher priority (ELBv2 always does; Classic has
    /// `Server-Defined-Cipher-Order`).
    pub server_order: bool,
    /// Whether AWS runs the policy with a FIPS-validated module (declared, not derived).
    pub fips: bool,
    /// Enabled ciphers in AWS's published priority order (`DescribeSSLPolicies`, the doc tables).
    pub ciphers: Vec<PolicyCipher>,
    /// The order the load balancer's TLS engine really prefers, where a source shows it differs
    /// from the published one (the same suites, reordered); `None` when it does not differ or is
    /// not known. Use [`Policy::served_priority`] to compare with a live server.
    pub served_ciphers: Option<Vec<PolicyCipher>>,
    /// Sources for `served_ciphers`.
    pub served_source: Vec<String>,
    /// Key-exchange groups in preference order, `None` where they are not known.
    pub groups: Option<Vec<NamedGroup>>,
    /// Sources for the groups.
    pub groups_source: Vec<String>,
    /// False when only part of the contents is known: comparisons must not call what is missing
    /// from the policy "not in policy".
    pub complete: bool,
    /// How well established the contents are.
    pub confidence: Confidence,
    /// False for names no AWS documentation or API answer lists (seen only in a TLS library's
    /// source, say). Unpublished policies are left out of listings, `--policy auto` and
    /// suggestions unless asked for, but still resolve by name.
    pub published: bool,
    /// Source ids (`S1` … of `policies/sources.toml`) or free text.
    pub sources: Vec<String>,
    /// Free-text remarks.
    pub notes: Option<String>,
    /// Where the policy came from.
    pub origin: Origin,
}

impl Policy {
    /// Whether `name` is this policy's name or one of its aliases (exactly).
    pub fn answers_to(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|a| a == name)
    }

    /// The oldest enabled protocol.
    pub fn min_protocol(&self) -> Option<ProtocolVersion> {
        self.protocols.iter().min().copied()
    }

    /// The newest enabled protocol.
    pub fn max_protocol(&self) -> Option<ProtocolVersion> {
        self.protocols.iter().max().copied()
    }

    /// Whether a protocol is enabled.
    pub fn allows_protocol(&self, version: ProtocolVersion) -> bool {
        self.protocols.contains(&version)
    }

    /// The cipher priority a live listener under this policy shows: the served order where the
    /// catalogue records one (`served_ciphers`), else the published one. Same suites either way.
    pub fn served_priority(&self) -> &[PolicyCipher] {
        self.served_ciphers.as_deref().unwrap_or(&self.ciphers)
    }

    /// Whether the served order differs from the published priority.
    pub fn served_order_differs(&self) -> bool {
        self.served_ciphers.is_some()
    }

    /// The TLS engine the load balancers that can use this policy run: s2n-tls for ELBv2
    /// (application, network), OpenSSL-based for Classic.
    pub fn engine(&self) -> Engine {
        match self.kind {
            PolicyKind::Elbv2 => Engine::S2nTls,
            PolicyKind::Classic => Engine::OpenSsl,
        }
    }

    /// Whether a suite is enabled.
    pub fn allows_cipher(&self, suite: CipherSuite) -> bool {
        self.ciphers.iter().any(|c| c.suite == suite)
    }

    /// The enabled ciphers that can be negotiated under `version`, in priority order.
    pub fn ciphers_for(&self, version: ProtocolVersion) -> impl Iterator<Item = &PolicyCipher> {
        self.ciphers
            .iter()
            .filter(move |c| c.info().is_some_and(|info| info.usable_with(version)))
    }

    /// Whether every enabled cipher has forward secrecy (TLS 1.3 suites do).
    pub fn forward_secrecy(&self) -> bool {
        !self.ciphers.is_empty()
            && self
                .ciphers
                .iter()
                .all(|c| c.info().is_some_and(CipherSuiteInfo::forward_secrecy))
    }

    /// Whether the policy offers a post-quantum key exchange (`None` when its groups are unknown).
    pub fn post_quantum(&self) -> Option<bool> {
        self.groups
            .as_ref()
            .map(|groups| groups.iter().any(|g| g.is_post_quantum()))
    }

    /// The weak classes (CBC, SHA-1, RSA key transport, 3DES, …) some enabled cipher has.
    pub fn weaknesses(&self) -> Vec<SuiteProperty> {
        SuiteProperty::ALL
            .into_iter()
            .filter(|p| p.is_weakness())
            .filter(|p| {
                self.ciphers
                    .iter()
                    .any(|c| c.info().is_some_and(|info| info.has(*p)))
            })
            .collect()
    }

    /// A short label for the load balancer types: `application, network` or `classic`.
    pub fn types_label(&self) -> String {
        let names: Vec<&str> = self
            .load_balancer_types
            .iter()
            .map(|t| t.as_str())
            .collect();
        names.join(", ")
    }

    /// Whether a load balancer of `lb` type can use this policy.
    pub fn applies_to(&self, lb: LoadBalancerType) -> bool {
        self.load_balancer_types.contains(&lb)
    }
}
