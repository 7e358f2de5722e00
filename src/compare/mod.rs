//! Comparisons. Pure functions: no I/O, not async. Given a policy and an observation, they return
//! differences; [`audit()`] turns everything known about a listener into its findings and verdict.

mod assess;
pub mod audit;
pub mod baseline;
pub mod diff;
mod drift;
pub mod merge;

pub use audit::{Assessment, Evidence, Kind, NegotiationErrors, Probe, Rules, audit};
pub use baseline::{
    Target, check_certificates, check_declared, check_observed, check_plaintext, check_policy,
    suggest_policy,
};
pub use drift::{Difference, DifferenceCode, PolicyMatch, Subject, drift, rank_policies};
