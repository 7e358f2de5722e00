//! Comparisons. Pure functions: no I/O, not async. Given a policy and an observation, they return
//! differences; the audit turns them into findings.

mod drift;

pub use drift::{Difference, DifferenceCode, PolicyMatch, Subject, drift, rank_policies};
