//! `elbtls client logs`.

use std::io::Write;

use crate::catalogue::Catalogue;
use crate::cli::{Format, ValidClientLogs};
use crate::client::logs::analyse;
use crate::exit::Exit;
use crate::report::client_logs::{json, table};

pub(super) fn run(
    catalogue: &Catalogue,
    config: &ValidClientLogs,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    // Resolve the policy before reading gigabytes: a typo is a usage error with suggestions.
    let policy = super::policies::resolve(catalogue, &config.policy, config.lb_type)?;
    let report = analyse(&config.files, policy, config.top)?;
    match config.format {
        Format::Table => table::render(&report, out)?,
        Format::Json => json::render(&report, out)?,
    }
    Ok(if report.any_failing() {
        Exit::Findings
    } else {
        Exit::Success
    })
}
