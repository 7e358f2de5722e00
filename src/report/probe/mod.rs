//! Output of `elbtls probe`: one file per format.

pub mod json;
pub mod table;

use crate::catalogue::{Fit, Policy};
use crate::compare::{Difference, PolicyMatch};
use crate::model::observed::Observation;

/// How many policies `--policy auto` shows.
pub const AUTO_MATCHES_SHOWN: usize = 5;

/// What `--policy` asked for, with its result.
#[derive(Debug)]
pub enum Comparison<'c> {
    /// `--policy NAME`.
    Policy {
        /// The policy.
        policy: &'c Policy,
        /// Every difference; empty when the endpoint matches.
        differences: Vec<Difference>,
    },
    /// `--policy auto`: the best matches, best first.
    Auto {
        /// The matches.
        matches: Vec<AutoMatch<'c>>,
    },
}

/// One policy ranked by `--policy auto`.
#[derive(Debug)]
pub struct AutoMatch<'c> {
    /// The policy and its differences.
    pub found: PolicyMatch<'c>,
    /// Whether it could have produced the observation, and whether its groups were checked.
    pub fit: Fit,
}

impl AutoMatch<'_> {
    /// No difference, a complete policy, its groups checked, and nothing it cannot allow: the
    /// only case called an exact match.
    pub fn is_exact(&self) -> bool {
        self.found.differences.is_empty()
            && self.fit.possible()
            && self.fit.groups_checked
            && self.found.policy.complete
    }
}

/// One probed endpoint and, with `--policy`, its comparison.
#[derive(Debug)]
pub struct EndpointReport<'c> {
    /// What the probe saw.
    pub observation: Observation,
    /// The comparison, when asked for and the probe completed.
    pub comparison: Option<Comparison<'c>>,
}
