//! Output of `elbtls client check|matrix|profiles`: what the renderers are given, and one file per
//! format (`table`, `json`).

pub mod json;
pub mod table;

use std::borrow::Cow;

use crate::catalogue::Policy;
use crate::client::ClientDescription;
use crate::client::negotiate::Negotiation;
use crate::client::profile::Profile;
use crate::client::rank::UsablePolicy;
use crate::model::LoadBalancerType;
use crate::tls::RequiredCertificate;

/// What a check was against.
#[derive(Clone, Debug, PartialEq, Eq)]
#[expect(
    clippy::large_enum_variant,
    reason = "one per check; boxing would allocate for every borrowed policy"
)]
pub enum ServerLabel<'a> {
    /// A catalogue policy.
    Policy(&'a Policy),
    /// A probed listener (`host:port`).
    Listener(String),
    /// A listener read by ARN, and the policy it declares.
    Arn {
        /// The listener ARN.
        arn: String,
        /// The declared policy: a catalogue entry, or a Classic custom policy built from its
        /// attributes.
        policy: Cow<'a, Policy>,
    },
}

/// One client checked against one server.
#[derive(Debug)]
pub struct CheckReport<'a> {
    /// The client.
    pub client: &'a ClientDescription,
    /// Its profile, when it came from one.
    pub profile: Option<&'a Profile>,
    /// The server.
    pub server: ServerLabel<'a>,
    /// The listener's certificate kinds used for the verdict.
    pub certificates: Vec<RequiredCertificate>,
    /// The verdict.
    pub negotiation: Negotiation,
    /// The catalogue policies the client can use, strictest first.
    pub usable: Vec<UsablePolicy<'a>>,
    /// The load-balancer type whose policies were ranked.
    pub lb_type: LoadBalancerType,
    /// Caveats (groups assumed, an incomplete probe, …).
    pub notes: Vec<String>,
}

/// One profile against one policy.
#[derive(Debug)]
pub struct MatrixRow<'a> {
    /// The profile.
    pub profile: &'a Profile,
    /// Against `--policy` or `--from`.
    pub first: Negotiation,
    /// Against `--to` (matrix --from/--to only).
    pub second: Option<Negotiation>,
}

/// What changes for one client between two policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// Works before and after (possibly with another version or suite).
    KeepsWorking,
    /// Works before, fails after.
    Breaks,
    /// Fails before, works after.
    StartsWorking,
    /// Fails before and after.
    StillFails,
}

impl Change {
    /// Classifies a pair of outcomes.
    pub fn of(before: &Negotiation, after: &Negotiation) -> Self {
        match (before.is_success(), after.is_success()) {
            (true, true) => Self::KeepsWorking,
            (true, false) => Self::Breaks,
            (false, true) => Self::StartsWorking,
            (false, false) => Self::StillFails,
        }
    }

    /// The stable code (`keeps-working`, `breaks`, `starts-working`, `still-fails`).
    pub fn code(self) -> &'static str {
        match self {
            Self::KeepsWorking => "keeps-working",
            Self::Breaks => "breaks",
            Self::StartsWorking => "starts-working",
            Self::StillFails => "still-fails",
        }
    }
}

/// `client matrix`: every profile against one policy, or against two.
#[derive(Debug)]
pub struct MatrixReport<'a> {
    /// `--policy` or `--from`.
    pub first: &'a Policy,
    /// `--to`.
    pub second: Option<&'a Policy>,
    /// The listener's certificate kinds.
    pub certificates: Vec<RequiredCertificate>,
    /// One row per profile, by name.
    pub rows: Vec<MatrixRow<'a>>,
}

impl MatrixReport<'_> {
    /// How many rows have each change (`--from/--to` only).
    pub fn count(&self, change: Change) -> usize {
        self.rows
            .iter()
            .filter(|r| {
                r.second
                    .as_ref()
                    .is_some_and(|second| Change::of(&r.first, second) == change)
            })
            .count()
    }
}

/// `TLS 1.2` etc., or the AWS spelling for unknown values.
pub(crate) fn version_label(v: crate::tls::ProtocolVersion) -> String {
    v.display_name()
        .map_or_else(|| v.to_string(), str::to_string)
}

/// `RSA, ECDSA`.
pub(crate) fn certificates_label(kinds: &[RequiredCertificate]) -> String {
    let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
    labels.join(", ")
}
