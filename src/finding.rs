//! Findings: what the audit reports about a listener. Each has a stable kebab-case code, a severity
//! and a one-line message that names the listener and says what to do.
//!
//! Its own module because both sides use it: [`crate::baseline`] names codes and severities in its
//! `[severity]` table, [`crate::compare`] makes the findings.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

mod remediation;

pub use remediation::{Commands, Remediation};

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// For the record.
    Info,
    /// Worth fixing some day.
    Low,
    /// Fix soon.
    Medium,
    /// Fix now.
    High,
    /// Clients are at risk or failing now.
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Self; 5] = [
        Self::Info,
        Self::Low,
        Self::Medium,
        Self::High,
        Self::Critical,
    ];

    /// `info`, `low`, `medium`, `high`, `critical`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A severity name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown severity `{0}`: expected info, low, medium, high or critical")]
pub struct UnknownSeverity(pub String);

impl FromStr for Severity {
    type Err = UnknownSeverity;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownSeverity(s.to_string()))
    }
}

/// The family a finding belongs to; it decides the listener's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// The listener behaves differently from its declared policy.
    Drift,
    /// The listener (or its declared policy) breaks the organisation's baseline.
    Baseline,
    /// The listener could not be verified.
    Unverified,
    /// What clients experience (CloudWatch counts): reported, never part of the verdict, which
    /// is about configuration.
    Traffic,
}

impl Category {
    /// What the family means for the listener, in one sentence.
    pub fn explanation(self) -> &'static str {
        match self {
            Self::Drift => {
                "A drift finding: the listener behaves differently from the policy the account \
                 declares, so its listener verdict is `drift`."
            }
            Self::Baseline => {
                "A baseline finding: the listener behaves as declared but breaks the \
                 organisation's baseline (`--baseline`), so its verdict is `baseline` at best."
            }
            Self::Unverified => {
                "A verification finding: what the listener accepts could not be established, so \
                 it is `unverified`, never compliant, and the audit is incomplete."
            }
            Self::Traffic => {
                "A traffic finding: what clients experience, reported for the record and never \
                 part of the listener's verdict."
            }
        }
    }
}

macro_rules! finding_codes {
    ($($variant:ident => $code:literal, $category:ident, $severity:ident, $doc:literal;)*) => {
        /// Every finding code. The kebab-case `code` is stable: reports, `--diff` and dashboards key
        /// on it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum FindingCode {
            $(#[doc = $doc] $variant,)*
        }

        impl FindingCode {
            /// Every code, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)*];

            /// The stable kebab-case code.
            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The family.
            pub fn category(self) -> Category {
                match self { $(Self::$variant => Category::$category,)* }
            }

            /// The default severity.
            pub fn severity(self) -> Severity {
                match self { $(Self::$variant => Severity::$severity,)* }
            }

            /// One sentence: what the code means.
            pub fn description(self) -> &'static str {
                match self { $(Self::$variant => $doc,)* }
            }
        }
    };
}

finding_codes! {
    ProtocolNotInPolicy => "protocol-not-in-policy", Drift, High,
        "The listener accepts a protocol version its declared policy does not enable.";
    CipherNotInPolicy => "cipher-not-in-policy", Drift, High,
        "The listener accepts a cipher suite its declared policy does not enable.";
    GroupNotInPolicy => "group-not-in-policy", Drift, Medium,
        "The listener accepts a key-exchange group its declared policy does not list.";
    DeclaredProtocolNotOffered => "declared-protocol-not-offered", Drift, Medium,
        "The listener refuses a protocol version its declared policy enables.";
    DeclaredCipherNotOffered => "declared-cipher-not-offered", Drift, Low,
        "The listener refuses a cipher suite its declared policy enables (and its certificates allow).";
    DeclaredGroupNotOffered => "declared-group-not-offered", Drift, Low,
        "The listener refuses a key-exchange group its declared policy lists.";
    CipherOrderDiffers => "cipher-order-differs", Drift, Low,
        "The listener's cipher preference differs from its declared policy's priority.";
    NodesDisagree => "nodes-disagree", Drift, High,
        "The load balancer's nodes (the addresses its name resolves to) do not accept the same protocols, suites or groups.";
    PolicyUnknown => "policy-unknown", Unverified, Medium,
        "The declared policy is not in the catalogue or could not be read, so nothing can be compared.";
    ProbeFailed => "probe-failed", Unverified, Medium,
        "The listener could not be probed (or only in part), so what it accepts is not known.";
    CertificateUnverified => "certificate-unverified", Unverified, Medium,
        "A certificate the listener may present could not be read (its handshake was reset or timed out, or the chain was too large), so the certificate checks cannot vouch for it.";
    ProtocolBelowMinimum => "protocol-below-minimum", Baseline, High,
        "A protocol version below the baseline's minimum is enabled.";
    WeakCipherAllowed => "weak-cipher-allowed", Baseline, Medium,
        "A cipher suite of a class or name the baseline bans is enabled.";
    PolicyNotAllowed => "policy-not-allowed", Baseline, Medium,
        "The declared policy is not one the baseline allows (or is one it denies).";
    NoForwardSecrecy => "no-forward-secrecy", Baseline, Medium,
        "A cipher suite without forward secrecy is enabled where the baseline requires it.";
    NotFips => "not-fips", Baseline, High,
        "The policy is not a FIPS policy where the baseline requires one.";
    NoPostQuantum => "no-post-quantum", Baseline, Medium,
        "No post-quantum key exchange is offered where the baseline requires it.";
    CertificateExpired => "certificate-expired", Baseline, Critical,
        "The certificate presented has expired.";
    CertificateExpiring => "certificate-expiring", Baseline, Medium,
        "The certificate presented expires within the baseline's warning period.";
    CertificateKeyTooSmall => "certificate-key-too-small", Baseline, High,
        "The certificate's key is smaller than the baseline's minimum.";
    PlaintextListener => "plaintext-listener", Baseline, High,
        "An HTTP listener does not redirect to HTTPS.";
    NegotiationErrors => "negotiation-errors", Traffic, Info,
        "Clients failed TLS negotiation with the load balancer (CloudWatch ClientTLSNegotiationErrorCount) in the audited window.";
}

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for FindingCode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.code() == s.trim())
            .ok_or_else(|| format!("unknown finding code `{s}`"))
    }
}

/// The subject of the `probe-failed` finding of a listener that could not be reached (DNS,
/// connection, timeout): the audit table gives their common advice once.
pub const UNREACHABLE_SUBJECT: &str = "unreachable";

/// One finding about one listener.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// What kind.
    pub code: FindingCode,
    /// How bad.
    pub severity: Severity,
    /// What it is about, short and stable (`TLSv1`, `ECDHE-RSA-AES128-SHA`, `x25519`,
    /// `CN=example.com`), so a later run can tell the same finding again; empty when the code
    /// says it all.
    pub subject: String,
    /// One line for people: what is wrong and what to do.
    pub message: String,
    /// The baseline exception that covers it, if any (accepted risk: reported, not failing,
    /// until the exception expires).
    pub exception: Option<Acceptance>,
}

/// A baseline `[[exception]]` as it applies to one finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acceptance {
    /// Why the risk is accepted, as the baseline says.
    pub reason: String,
    /// The last day it is accepted (`YYYY-MM-DD`, UTC).
    pub expires: String,
    /// Whether that day has passed: the finding counts again.
    pub expired: bool,
}

impl Finding {
    /// A finding with the code's default severity.
    pub fn new(code: FindingCode, subject: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            subject: subject.into(),
            message: message.into(),
            exception: None,
        }
    }

    /// Whether a live (unexpired) baseline exception accepts it: it is reported, but neither
    /// sets the verdict nor fails the run.
    pub fn is_accepted(&self) -> bool {
        self.exception.as_ref().is_some_and(|e| !e.expired)
    }
}

/// A listener's overall state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Verified, no finding.
    Compliant,
    /// Verified; breaks the baseline but behaves as declared.
    Baseline,
    /// Could not be verified: never compliant.
    Unverified,
    /// Behaves differently from its declared policy.
    Drift,
    /// Nothing was checked: not probed (`--no-probe`) and no baseline to judge the declared
    /// policy by; only that the declared policy is known. Never compliant.
    Unchecked,
}

impl Verdict {
    /// `compliant`, `baseline`, `unverified`, `drift`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Compliant => "compliant",
            Self::Baseline => "baseline",
            Self::Unverified => "unverified",
            Self::Drift => "drift",
            Self::Unchecked => "unchecked",
        }
    }

    /// The verdict a set of findings gives: drift over unverified over baseline over compliant.
    pub fn of(findings: &[Finding]) -> Self {
        let has = |c: Category| {
            findings
                .iter()
                .any(|f| f.code.category() == c && !f.is_accepted())
        };
        if has(Category::Drift) {
            Self::Drift
        } else if has(Category::Unverified) {
            Self::Unverified
        } else if has(Category::Baseline) {
            Self::Baseline
        } else {
            Self::Compliant
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_codes_are_unique_kebab_case_and_round_trip() {
        let mut codes: Vec<&str> = FindingCode::ALL.iter().map(|c| c.code()).collect();
        for code in &codes {
            assert!(
                code.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{code}"
            );
            assert_eq!(code.parse::<FindingCode>().unwrap().code(), *code);
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), FindingCode::ALL.len());
    }

    #[test]
    fn verdict_prefers_drift_then_unverified_then_baseline() {
        let f = |code| Finding::new(code, "", "");
        assert_eq!(Verdict::of(&[]), Verdict::Compliant);
        assert_eq!(Verdict::of(&[f(FindingCode::NotFips)]), Verdict::Baseline);
        assert_eq!(
            Verdict::of(&[f(FindingCode::NotFips), f(FindingCode::ProbeFailed)]),
            Verdict::Unverified
        );
        assert_eq!(
            Verdict::of(&[
                f(FindingCode::ProbeFailed),
                f(FindingCode::CipherNotInPolicy)
            ]),
            Verdict::Drift
        );
        assert_eq!(
            Verdict::of(&[f(FindingCode::NegotiationErrors)]),
            Verdict::Compliant
        );
    }

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Low < Severity::High);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }
}
