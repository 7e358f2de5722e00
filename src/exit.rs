//! Exit codes, decided here and only here (documented in the README).

use std::process::ExitCode;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// 0: done; for `audit`, every listener compliant.
    Success,
    /// 1: findings at or above `--fail-on` (audit).
    Findings,
    /// 2: usage or configuration error (bad flag, unknown policy, invalid catalogue or baseline file).
    Usage,
    /// 3: the run is incomplete: some listener, region or account could not be verified.
    Incomplete,
}

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Findings => 1,
            Self::Usage => 2,
            Self::Incomplete => 3,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}
