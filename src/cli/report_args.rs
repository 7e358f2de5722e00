//! `elbtls report merge|render`: saved JSON audit reports, merged and rendered without AWS.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, Subcommand};

use super::audit_args::{ColorChoice, parse_outputs, use_color};
use super::{AuditFormat, Job, ReportJob};
use crate::finding::Severity;

const MERGE_AFTER_HELP: &str = "\
Exit codes: as `audit`: 0 every listener compliant and everything verified, 1 findings at or
above --fail-on, 2 usage error (an unreadable or foreign file, reports of different baselines),
3 incomplete (a listener unverified, an account or region not read in some input).

Examples:
  elbtls report merge shard-*.json -o all.json
  elbtls report merge a.json b.json -o json=all.json -o sarif=all.sarif --fail-on critical";

const RENDER_AFTER_HELP: &str = "\
Exit codes: as `audit` (0, 1 findings at or above --fail-on, 2 usage error, 3 incomplete).

Examples:
  elbtls report render all.json
  elbtls report render all.json --format sarif -o all.sarif
  elbtls report render nightly.json -o csv=nightly.csv -o junit=nightly.xml
  elbtls report render nightly.json --format html -o nightly.html
  elbtls report render nightly.json -o asff=nightly.asff.json -o ocsf=nightly.ocsf.jsonl";

/// `elbtls report …`
#[derive(Debug, Subcommand)]
pub(crate) enum ReportCommand {
    /// Merge partial audit reports (`audit --format json`, one per shard, account or VPC) into
    /// one: a listener seen in several keeps its best evidence (a completed probe), conflicts
    /// are named, failures carried over.
    #[command(after_help = MERGE_AFTER_HELP)]
    Merge(ReportArgs),

    /// Render a saved JSON audit report in any format (table, CSV, SARIF, JUnit, HTML, JSON, ASFF
    /// for Security Hub, OCSF) without touching AWS.
    #[command(after_help = RENDER_AFTER_HELP)]
    Render(ReportArgs),
}

/// The flags both take.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// JSON reports written by `elbtls audit --format json` (or by `report merge`).
    #[arg(value_name = "REPORT.json", required = true)]
    pub files: Vec<PathBuf>,

    /// Output format (default: json for merge, table for render).
    #[arg(long, value_enum)]
    pub format: Option<AuditFormat>,

    /// Write to FILE in --format instead of stdout; or FORMAT=FILE, repeatable (as `audit -o`).
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,

    /// Exit with 1 when a finding (not accepted by an exception) is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,

    /// Colours in the table.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl ReportCommand {
    /// Validates the flags into a [`Job::Report`].
    pub(crate) fn validate(self) -> anyhow::Result<Job> {
        let (args, merge) = match self {
            ReportCommand::Merge(args) => (args, true),
            ReportCommand::Render(args) => (args, false),
        };
        if !merge && args.files.len() > 1 {
            bail!(
                "report render takes one report ({} given): merge them first with \
                 `elbtls report merge`",
                args.files.len()
            );
        }
        let format = args.format.unwrap_or(if merge {
            AuditFormat::Json
        } else {
            AuditFormat::Table
        });
        let fail_on = args
            .fail_on
            .parse::<Severity>()
            .map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?;
        let outputs = parse_outputs(&args.output, format)?;
        Ok(Job::Report(ReportJob {
            color: use_color(args.color, !outputs.is_empty()),
            files: args.files,
            format,
            outputs,
            fail_on,
        }))
    }
}
