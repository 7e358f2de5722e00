//! `elbtls client logs`.

use std::io::Write;

use crate::catalogue::Catalogue;
use crate::cli::{ClientLogsJob, Format};
use crate::client::logs::{FileStats, LogReport, analyse};
use crate::exit::Exit;
use crate::report::client_logs::{json, table};

/// What `client logs` reads, for the message about a file it could not.
const RECOGNISED: &str = "ALB access logs, ALB connection logs and NLB access logs, plain or \
gzip, as AWS writes them to S3 (Classic ELB access logs and CloudFront logs are not read)";

pub(super) fn run(
    catalogue: &Catalogue,
    config: &ClientLogsJob,
    out: &mut impl Write,
) -> anyhow::Result<Exit> {
    // Resolve the policy before reading gigabytes: a typo is a usage error with suggestions.
    let policy = super::policies::resolve(catalogue, &config.policy, config.lb_type)?;
    let report = analyse(&config.files, policy, config.top)?;
    match config.format {
        Format::Table => table::render(&report, &crate::terminal::layout(false), out)?,
        Format::Json => json::render(&report, out)?,
    }
    let unread = unread_files(&report);
    for message in &unread {
        super::say::warning(format_args!("incomplete: {message}"));
    }
    Ok(if report.any_failing() {
        Exit::Findings
    } else if !unread.is_empty() {
        Exit::Incomplete
    } else {
        Exit::Success
    })
}

fn entries(file: &FileStats) -> u64 {
    file.by_format.iter().sum()
}

/// The files nothing could be judged from: one whose lines are all unrecognised, or — when no
/// file held a single entry — every file (an empty file among readable ones is an idle hour).
fn unread_files(report: &LogReport<'_>) -> Vec<String> {
    let none_at_all = report.files.iter().all(|f| entries(f) == 0);
    report
        .files
        .iter()
        .filter(|f| entries(f) == 0 && (f.malformed > 0 || none_at_all))
        .map(|f| {
            let what = if f.malformed > 0 {
                format!(
                    "none of its {} lines is a log entry elbtls recognises ({} malformed)",
                    f.lines, f.malformed
                )
            } else {
                "it holds no log entry".to_string()
            };
            format!(
                "{}: {what}, so nothing from it was judged. Recognised: {RECOGNISED}",
                f.path
            )
        })
        .collect()
}
