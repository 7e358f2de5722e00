//! Comparisons. Pure functions: no I/O, not async. Given a policy and an observation, they return
//! differences; the audit turns them into findings.

mod assess;
pub mod baseline;
mod drift;
mod finding;

pub use assess::{Declared, assess, certificate_failure, drift_findings, probe_failure};
pub use baseline::{
    Target, check_certificates, check_declared, check_observed, check_plaintext, check_policy,
    suggest_policy,
};
pub use drift::{Difference, DifferenceCode, PolicyMatch, Subject, drift, rank_policies};
pub use finding::{Category, Finding, FindingCode, Severity, UnknownSeverity, Verdict};
