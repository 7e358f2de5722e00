//! The audit's result: what `elbtls audit` found, per listener, plus what could not be read.
//! `compare` builds it (and its `--diff` summary); each output format in `report::audit` renders
//! it.

use crate::finding::{Finding, Severity, Verdict};
use crate::model::LoadBalancerType;
use crate::model::inventory::{Scheme, ScopeFailure};

/// How the listener's live behaviour was established.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeStatus {
    /// Probed completely.
    Probed {
        /// Versions accepted (AWS spelling).
        protocols: Vec<String>,
        /// The suites accepted under each accepted version (IANA names, in the order seen).
        ciphers: Vec<(String, Vec<String>)>,
        /// SHA-256 fingerprints (hex) of the leaf certificates presented.
        certificates: Vec<String>,
        /// The leaf certificates presented (one per fingerprint), for expiry at a glance.
        leaf_certificates: Vec<LeafCertificate>,
        /// TCP connections used.
        connections: u32,
    },
    /// Probed, but the probe failed or was incomplete (the `probe-failed` finding says why).
    Failed,
    /// Not probed: `--no-probe`, or the listener does not terminate TLS.
    Skipped,
}

/// A leaf certificate a listener presented: what a report shows of it besides its fingerprint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeafCertificate {
    /// SHA-256 of the DER, lowercase hex (as in [`ProbeStatus::Probed`]'s `certificates`).
    pub sha256: String,
    /// The subject distinguished name, RFC 4514 style (text from the server: escape it).
    pub subject: String,
    /// End of validity, RFC 3339 UTC (`2026-03-01T23:59:59Z`).
    pub not_after: String,
    /// End of validity, Unix seconds.
    pub not_after_unix: i64,
}

/// One listener's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerResult {
    /// A stable identifier: the listener ARN, or `classic:ACCOUNT:REGION:NAME:PORT` for Classic
    /// listeners (which have no ARN). `--diff` matches findings on it.
    pub id: String,
    /// The account id.
    pub account: String,
    /// The region.
    pub region: String,
    /// The load balancer's name.
    pub load_balancer: String,
    /// Its type.
    pub lb_type: LoadBalancerType,
    /// Its scheme.
    pub scheme: Scheme,
    /// Its DNS name.
    pub dns_name: Option<String>,
    /// The listener port.
    pub port: u16,
    /// The listener protocol (`HTTPS`, `TLS`, `SSL`, `HTTP`, …).
    pub protocol: String,
    /// The declared policy, as a label (`ELBSecurityPolicy-2016-08`, `my-custom (custom)`,
    /// `ELBSecurityPolicy-2016-08 (Classic default)`); `None` for listeners without TLS.
    pub declared_policy: Option<String>,
    /// The declared policy's name alone (`None`: no TLS, or a TLS listener naming none).
    pub declared_policy_name: Option<String>,
    /// Where the declared policy comes from: `listener` (ELBv2), or the Classic detail
    /// (`predefined`, `default (no policy attached)`, `custom`, `custom (based on X)`, …).
    pub declared_policy_origin: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The findings, worst first.
    pub findings: Vec<Finding>,
    /// How the behaviour was established.
    pub probe: ProbeStatus,
    /// The load balancer's CloudWatch `ClientTLSNegotiationErrorCount` over the report's
    /// window (`audit --negotiation-errors`), on TLS listeners of ALBs and NLBs; `None` when not
    /// asked, for Classic, or when the region's metrics could not be read.
    pub negotiation_errors: Option<u64>,
}

impl ListenerResult {
    /// `lb-name HTTPS:443 (account/region)`: how messages name the listener.
    pub fn label(&self) -> String {
        format!(
            "{} {}:{} ({}/{})",
            self.load_balancer, self.protocol, self.port, self.account, self.region
        )
    }

    /// The worst severity among the findings.
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }
}

/// One finding that appeared or disappeared since the previous report (`--diff`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedFinding {
    /// The listener id.
    pub listener: String,
    /// The finding code.
    pub code: String,
    /// Its subject.
    pub subject: String,
    /// Its message (from the report it appears in).
    pub message: String,
    /// Its severity.
    pub severity: String,
}

/// What a listener changed since the previous report, besides its findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// The declared policy is another one.
    DeclaredPolicy,
    /// The leaf certificates presented are other ones.
    Certificate,
    /// A protocol version is accepted that was not before.
    ProtocolAccepted,
    /// A cipher suite is accepted that was not before.
    CipherAccepted,
}

impl ChangeKind {
    /// `declared-policy`, `certificate`, `protocol-accepted`, `cipher-accepted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DeclaredPolicy => "declared-policy",
            Self::Certificate => "certificate",
            Self::ProtocolAccepted => "protocol-accepted",
            Self::CipherAccepted => "cipher-accepted",
        }
    }
}

/// One change of a listener since the previous report (`--diff`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListenerChange {
    /// The listener id.
    pub listener: String,
    /// What changed.
    pub kind: ChangeKind,
    /// Before (empty when there was nothing: a newly accepted version or suite).
    pub before: String,
    /// Now.
    pub after: String,
}

/// What changed since a previous report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DiffSummary {
    /// The previous report's file.
    pub previous: String,
    /// Findings present now but not before.
    pub new: Vec<ChangedFinding>,
    /// Findings present before but not now.
    pub resolved: Vec<ChangedFinding>,
    /// Changes of the listeners themselves: declared policy, certificates, newly accepted
    /// versions and suites.
    pub changes: Vec<ListenerChange>,
    /// Whether there was no previous report to compare with (the first run): every finding is
    /// new.
    pub first_run: bool,
}

/// The whole audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// When the audit ran (RFC 3339, UTC).
    pub generated_at: String,
    /// The elbtls version.
    pub tool_version: String,
    /// The baseline applied (`modern`, a file path), if any.
    pub baseline: Option<String>,
    /// Whether listeners were probed.
    pub probed: bool,
    /// Every listener, in account/region/load balancer/port order.
    pub listeners: Vec<ListenerResult>,
    /// Accounts and regions that could not be read: the audit is incomplete.
    pub failures: Vec<ScopeFailure>,
    /// Findings new and resolved since `--diff PREVIOUS`.
    pub diff: Option<DiffSummary>,
    /// The window of `--negotiation-errors`, in hours, when it was given.
    pub negotiation_errors_hours: Option<u32>,
}

impl AuditReport {
    /// Listeners per verdict.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.listeners
            .iter()
            .filter(|l| l.verdict == verdict)
            .count()
    }

    /// Findings at each severity.
    pub fn findings_at(&self, severity: Severity) -> usize {
        self.listeners
            .iter()
            .flat_map(|l| &l.findings)
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether anything could not be verified (a listener, a region or an account).
    pub fn incomplete(&self) -> bool {
        !self.failures.is_empty()
            || self
                .listeners
                .iter()
                .any(|l| matches!(l.verdict, Verdict::Unverified | Verdict::Unchecked))
    }
}
