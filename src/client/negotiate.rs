//! The negotiation model: given what a client offers and what a server accepts (a policy plus the
//! certificate kinds of the listener, or what a probe saw at a listener), the protocol version,
//! cipher suite and key-exchange group a handshake settles on — or exactly why it fails.
//!
//! Pure: no I/O. The rules, in the order a TLS server applies them:
//!
//! 1. **Version**: the newest version both sides enable. There is no fallback: a server that then
//!    finds no suite or group under that version ends the handshake (OpenSSL and s2n both do).
//! 2. **Suite**: the suites both sides allow and that are defined for that version, in the server's
//!    priority order when it enforces one (every ELBv2 policy does), else in the client's. A suite
//!    is skipped when it needs a certificate the listener does not have (an `ECDHE-ECDSA-*` suite on
//!    an RSA-only listener), and, under TLS ≤ 1.2, an ECDHE suite is skipped when no curve is
//!    shared. A client that sends no `supported_groups` gets the server's default (first) curve.
//! 3. **Group under TLS 1.3**: the client is taken to send a key share for its first group (and,
//!    when that one is post-quantum, for its first classical group too, as browsers do). A key share
//!    for a group the server accepts is used as is; otherwise the server asks for its most preferred
//!    common group with a HelloRetryRequest (the client's, without server order). A server that
//!    offers post-quantum groups ranks them before its classical ones.
//!
//! Under TLS ≤ 1.2 an ECDSA certificate can only be used when the client lists its curve in
//! `supported_groups` (RFC 8422 §5.1; OpenSSL enforces it). A policy's ECDSA certificate is taken
//! to be on secp256r1 unless said otherwise; a probed listener's curve is seen.
//!
//! When a server's groups are unknown (Classic policies, a listener whose groups could not be
//! probed), it is assumed to accept [`ASSUMED_GROUPS`].

use std::collections::BTreeMap;

mod reason;

pub use reason::FailureReason;

use crate::catalogue::Policy;
use crate::client::ClientDescription;
use crate::model::certificate::KeyAlgorithm;
use crate::model::observed::Observed;
use crate::tls::{
    CipherSuite, CipherSuiteInfo, GroupKind, KeyExchange, NamedGroup, ProtocolVersion,
    RequiredCertificate,
};

/// The groups a server is assumed to accept when they are not known: the curves every TLS stack
/// of the last decade supports.
pub const ASSUMED_GROUPS: [NamedGroup; 3] = [
    NamedGroup::SECP256R1,
    NamedGroup::SECP384R1,
    NamedGroup::X25519,
];

/// What the server side is, for messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    /// A catalogue policy (plus the certificate kinds the listener is assumed to have).
    Policy,
    /// A listener as a probe saw it.
    Listener,
}

impl ServerKind {
    /// `the policy` or `the listener`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Policy => "the policy",
            Self::Listener => "the listener",
        }
    }
}

/// What a server accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerSide {
    /// A policy or a probed listener (for messages).
    pub kind: ServerKind,
    /// Enabled protocol versions.
    pub protocols: Vec<ProtocolVersion>,
    /// Enabled suites in the server's priority order.
    pub ciphers: Vec<CipherSuite>,
    /// Per version, the suites really accepted under it (a probe's finding); versions absent here
    /// take [`Self::ciphers`] filtered by the registry.
    pub ciphers_by_version: BTreeMap<ProtocolVersion, Vec<CipherSuite>>,
    /// Whether the server enforces its own suite (and group) priority.
    pub server_order: bool,
    /// Groups in preference order (TLS 1.3; and TLS ≤ 1.2 unless [`Self::legacy_groups`] is set),
    /// `None` when unknown.
    pub groups: Option<Vec<NamedGroup>>,
    /// Curves seen under TLS ≤ 1.2 when they were probed apart from the TLS 1.3 groups.
    pub legacy_groups: Option<Vec<NamedGroup>>,
    /// The certificate kinds the listener holds (RSA, ECDSA, …).
    pub certificates: Vec<RequiredCertificate>,
    /// The curves of its ECDSA certificates (empty: unknown, no constraint).
    pub ecdsa_curves: Vec<NamedGroup>,
}

impl ServerSide {
    /// A listener under `policy` holding an RSA certificate only, like most ALBs.
    pub fn from_policy(policy: &Policy) -> Self {
        Self {
            kind: ServerKind::Policy,
            protocols: policy.protocols.clone(),
            ciphers: policy.ciphers.iter().map(|c| c.suite).collect(),
            ciphers_by_version: BTreeMap::new(),
            server_order: policy.server_order,
            groups: policy.groups.clone(),
            legacy_groups: None,
            certificates: vec![RequiredCertificate::Rsa],
            ecdsa_curves: vec![NamedGroup::SECP256R1],
        }
    }

    /// The same server with these certificate kinds instead.
    pub fn with_certificates(mut self, certificates: &[RequiredCertificate]) -> Self {
        self.certificates = certificates.to_vec();
        self
    }

    /// The same server with its ECDSA certificates on these curves.
    pub fn with_ecdsa_curves(mut self, curves: &[NamedGroup]) -> Self {
        self.ecdsa_curves = curves.to_vec();
        self
    }

    /// A listener as a probe saw it: the versions it accepted, per version the suites it accepted
    /// (in its order when it enforces one), its groups and the kinds of certificate it presented.
    pub fn from_observed(observed: &Observed) -> Self {
        let accepted: Vec<_> = observed
            .protocols
            .iter()
            .filter(|p| p.support.is_accepted())
            .collect();
        let certificates = [
            RequiredCertificate::Rsa,
            RequiredCertificate::Ec,
            RequiredCertificate::Dsa,
        ]
        .into_iter()
        .filter(|kind| observed.can_observe(*kind))
        .collect();
        let ecdsa_curves = observed
            .certificates
            .iter()
            .filter_map(|chain| match &chain.leaf_key {
                KeyAlgorithm::Ec { curve } => NamedGroup::from_name(curve),
                _ => None,
            })
            .collect();
        Self {
            kind: ServerKind::Listener,
            protocols: accepted.iter().map(|p| p.version).collect(),
            ciphers: observed.accepted_suites(),
            ciphers_by_version: accepted
                .iter()
                .map(|p| (p.version, p.ciphers.clone()))
                .collect(),
            // Fewer than two suites (None) leaves nothing to order.
            server_order: accepted.iter().all(|p| p.server_order != Some(false)),
            groups: observed.groups.tls13.clone(),
            legacy_groups: observed.groups.tls12.clone(),
            certificates,
            ecdsa_curves,
        }
    }

    /// Whether the groups are known rather than assumed.
    pub fn groups_known(&self) -> bool {
        self.groups.is_some() || self.legacy_groups.is_some()
    }

    /// The suites usable under `version`, in the server's order.
    fn suites_for(&self, version: ProtocolVersion) -> Vec<CipherSuite> {
        let listed = self
            .ciphers_by_version
            .get(&version)
            .unwrap_or(&self.ciphers);
        listed
            .iter()
            .copied()
            .filter(|s| s.info().is_some_and(|info| usable(info, version)))
            .collect()
    }

    /// The groups the server accepts under `version`, in its order.
    fn groups_for(&self, version: ProtocolVersion) -> Vec<NamedGroup> {
        let known = if version >= ProtocolVersion::TLSV1_3 {
            self.groups.as_ref().or(self.legacy_groups.as_ref())
        } else {
            self.legacy_groups.as_ref().or(self.groups.as_ref())
        };
        let groups = known.map_or(ASSUMED_GROUPS.as_slice(), Vec::as_slice);
        groups
            .iter()
            .copied()
            .filter(|g| usable_group(*g, version))
            .collect()
    }

    fn holds(&self, required: RequiredCertificate) -> bool {
        match required {
            RequiredCertificate::None => true,
            RequiredCertificate::Any => !self.certificates.is_empty(),
            kind => self.certificates.contains(&kind),
        }
    }
}

/// How a handshake ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Negotiation {
    /// The handshake completes.
    Success {
        /// The protocol version.
        version: ProtocolVersion,
        /// The cipher suite.
        suite: CipherSuite,
        /// The key-exchange group (`None` for RSA key transport and DHE suites).
        group: Option<NamedGroup>,
    },
    /// The handshake fails.
    Failure(FailureReason),
}

impl Negotiation {
    /// Whether the handshake completes.
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Success { .. })
    }
}

/// Whether `info` can be negotiated under `version` (TLS 1.3 suites only under TLS 1.3, and the
/// others never there).
fn usable(info: &CipherSuiteInfo, version: ProtocolVersion) -> bool {
    !info.is_signalling() && info.usable_with(version)
}

/// Curves ECDHE can use under TLS ≤ 1.2 (RFC 8422): the elliptic curves, X25519 and X448 included.
fn is_ecdhe_curve(group: NamedGroup) -> bool {
    group
        .info()
        .is_some_and(|info| matches!(info.kind, GroupKind::Ec | GroupKind::EcBinary))
}

/// Whether `group` can be used under `version` (any TLS 1.3 group; an ECDHE curve below).
fn usable_group(group: NamedGroup, version: ProtocolVersion) -> bool {
    if version >= ProtocolVersion::TLSV1_3 {
        group.info().is_some_and(|info| info.tls13)
    } else {
        is_ecdhe_curve(group)
    }
}

fn needs_curve(info: &CipherSuiteInfo) -> bool {
    matches!(info.kx, KeyExchange::Ecdhe | KeyExchange::EcdhePsk)
}

/// The groups the client sends key shares for: its first group, and its first classical one when
/// the first is post-quantum.
fn key_share_groups(groups: &[NamedGroup]) -> Vec<NamedGroup> {
    let mut shares: Vec<NamedGroup> = groups.first().copied().into_iter().collect();
    if groups.first().is_some_and(|g| g.is_post_quantum())
        && let Some(classical) = groups.iter().find(|g| !g.is_post_quantum())
    {
        shares.push(*classical);
    }
    shares
}

/// The TLS 1.3 group, or `None` when no group is shared.
fn tls13_group(
    client: &[NamedGroup],
    server: &[NamedGroup],
    server_order: bool,
) -> Option<NamedGroup> {
    let mutual: Vec<NamedGroup> = client
        .iter()
        .copied()
        .filter(|g| server.contains(g))
        .collect();
    // A server that offers post-quantum groups prefers them (s2n ranks its KEM groups first; the
    // catalogue lists classical curves first only because s2n's policy files do).
    let mut ranked = server.to_vec();
    ranked.sort_by_key(|g| !g.is_post_quantum());
    let pick = |candidates: &[NamedGroup]| {
        if server_order {
            ranked.iter().copied().find(|g| candidates.contains(g))
        } else {
            candidates.first().copied()
        }
    };
    let shared: Vec<NamedGroup> = key_share_groups(client)
        .into_iter()
        .filter(|g| mutual.contains(g))
        .collect();
    if shared.is_empty() {
        // HelloRetryRequest for the preferred common group.
        pick(&mutual)
    } else {
        pick(&shared)
    }
}

/// The ECDHE curve under TLS ≤ 1.2, or `None` when no curve is shared. `client` is the client's
/// whole `supported_groups` list.
fn ecdhe_curve(
    client: &[NamedGroup],
    server: &[NamedGroup],
    server_order: bool,
) -> Option<NamedGroup> {
    if client.is_empty() {
        // No supported_groups extension: the client takes the server's default curve.
        return server.first().copied();
    }
    let client_curves: Vec<NamedGroup> = client
        .iter()
        .copied()
        .filter(|g| is_ecdhe_curve(*g))
        .collect();
    if server_order {
        server.iter().copied().find(|g| client_curves.contains(g))
    } else {
        client_curves.into_iter().find(|g| server.contains(g))
    }
}

/// What a handshake between `client` and `server` settles on, or why it fails.
pub fn negotiate(client: &ClientDescription, server: &ServerSide) -> Negotiation {
    let fail = Negotiation::Failure;
    let Some(version) = client
        .versions
        .iter()
        .copied()
        .filter(|v| server.protocols.contains(v))
        .max()
    else {
        return fail(FailureReason::NoCommonVersion {
            server: server.kind,
            client: client.versions.clone(),
            allowed: server.protocols.clone(),
        });
    };

    let offered: Vec<CipherSuite> = client
        .suites
        .iter()
        .copied()
        .filter(|s| s.info().is_some_and(|info| usable(info, version)))
        .collect();
    let allowed = server.suites_for(version);
    let common: Vec<CipherSuite> = if server.server_order {
        allowed
            .iter()
            .copied()
            .filter(|s| offered.contains(s))
            .collect()
    } else {
        offered
            .iter()
            .copied()
            .filter(|s| allowed.contains(s))
            .collect()
    };
    if common.is_empty() {
        return fail(FailureReason::NoCommonCipher {
            server: server.kind,
            version,
            offered,
        });
    }
    let required = |s: &CipherSuite| {
        s.info().map_or(
            RequiredCertificate::None,
            CipherSuiteInfo::required_certificate,
        )
    };
    let certified: Vec<CipherSuite> = common
        .iter()
        .copied()
        .filter(|s| server.holds(required(s)))
        .collect();
    if certified.is_empty() {
        let mut needed: Vec<RequiredCertificate> = common.iter().map(required).collect();
        needed.sort();
        needed.dedup();
        return fail(FailureReason::CertificateMissing {
            server: server.kind,
            version,
            needed,
            suites: common,
        });
    }
    // RFC 8422 §5.1: under TLS ≤ 1.2 the ECDSA certificate's curve must be one the client lists.
    let curve_ok = version >= ProtocolVersion::TLSV1_3
        || client.groups.is_empty()
        || server.ecdsa_curves.is_empty()
        || server
            .ecdsa_curves
            .iter()
            .any(|c| client.groups.contains(c));
    let certified: Vec<CipherSuite> = certified
        .into_iter()
        .filter(|s| curve_ok || required(s) != RequiredCertificate::Ec)
        .collect();
    if certified.is_empty() {
        return fail(FailureReason::CertificateCurve {
            server: server.kind,
            version,
            curves: server.ecdsa_curves.clone(),
            offered: client.groups.clone(),
        });
    }

    let server_groups = server.groups_for(version);
    let client_groups: Vec<NamedGroup> = client
        .groups
        .iter()
        .copied()
        .filter(|g| usable_group(*g, version))
        .collect();
    let no_group = || {
        fail(FailureReason::NoCommonGroup {
            server: server.kind,
            version,
            offered: client_groups.clone(),
            accepted: server_groups.clone(),
        })
    };
    if version >= ProtocolVersion::TLSV1_3 {
        return match tls13_group(&client_groups, &server_groups, server.server_order) {
            Some(group) => Negotiation::Success {
                version,
                suite: certified[0],
                group: Some(group),
            },
            None => no_group(),
        };
    }
    for suite in certified {
        if !suite.info().is_some_and(needs_curve) {
            return Negotiation::Success {
                version,
                suite,
                group: None,
            };
        }
        if let Some(group) = ecdhe_curve(&client.groups, &server_groups, server.server_order) {
            return Negotiation::Success {
                version,
                suite,
                group: Some(group),
            };
        }
    }
    no_group()
}

#[cfg(test)]
mod tests;
