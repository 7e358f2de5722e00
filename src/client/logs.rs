//! `elbtls client logs`: which real clients would break under a policy, read from the load
//! balancer's own logs.
//!
//! ALB access logs, ALB connection logs and NLB access logs (plain or gzip, the format recognised
//! per line, see [`line`]) are streamed line by line ([`read`]); each entry's negotiated
//! (protocol, cipher, group) is tallied and judged against the policy once per distinct value
//! ([`tally`]); the client IPs and user agents of entries that would fail are kept in bounded
//! top-N counters ([`top`]). Memory stays flat whatever the size of the logs.
//!
//! Malformed lines are counted (the first few quoted with file, line and reason), never fatal. A
//! cipher or protocol name the registry does not know is not malformed — the line is well formed —
//! but its verdict is [`Verdict::Unknown`]: elbtls cannot say whether the policy allows it, and
//! does not guess.

pub mod line;
pub mod read;
pub mod tally;
pub mod top;

use std::path::PathBuf;

pub use line::{Entry, LineError, LogFormat, Negotiated, parse_line};
pub use read::{FileStats, Input, ReadError};
pub use tally::{
    Counts, MalformedLine, PairTally, Reason, Summary, Tally, TopList, Verdict, parse_protocol,
};
pub use top::Counted;

use crate::catalogue::Policy;

/// The result of reading every file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogReport<'p> {
    /// The policy judged against.
    pub policy: &'p Policy,
    /// Per file, in the order given.
    pub files: Vec<FileStats>,
    /// Everything counted.
    pub summary: Summary,
    /// How many failing clients the lists show (`--top`).
    pub top: usize,
}

impl LogReport<'_> {
    /// Whether some entry would fail under the policy.
    pub fn any_failing(&self) -> bool {
        self.summary.counts.failing > 0
    }
}

/// Reads `paths` in order (`-` is standard input) and judges what they hold against `policy`.
/// Every file is opened (and closed again) before any is read, so a typo in the last name costs
/// no time, and thousands of files never hold thousands of descriptors.
pub fn analyse<'p>(
    paths: &[PathBuf],
    policy: &'p Policy,
    top: usize,
) -> Result<LogReport<'p>, ReadError> {
    for path in paths {
        drop(Input::open(path)?);
    }
    let mut tally = Tally::new(policy, top);
    let mut files = Vec::with_capacity(paths.len());
    for path in paths {
        files.push(Input::open(path)?.scan(&mut tally)?);
    }
    Ok(LogReport {
        policy,
        files,
        summary: tally.finish(),
        top,
    })
}

#[cfg(test)]
mod tests;
