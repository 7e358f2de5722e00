//! `elbtls client logs` flags and their validation.

use std::path::PathBuf;

use clap::Args;

use super::{Format, TypeArg};

/// Most failing clients `--top` may list.
pub(crate) const MAX_TOP: usize = 1000;

/// `elbtls client logs FILE... --policy NAME`
#[derive(Debug, Args)]
pub(crate) struct ClientLogsArgs {
    /// ALB access logs, ALB connection logs or NLB access logs, plain or gzip (`-` reads standard
    /// input). Formats may be mixed; each line is recognised on its own.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// The policy to judge the logged connections against (the one you are moving to).
    #[arg(long, value_name = "NAME")]
    pub policy: String,

    /// Which API's policy --policy names, when ELBv2 and Classic both have one of that name
    /// (default: ELBv2).
    #[arg(long = "type", value_name = "TYPE")]
    pub lb_type: Option<TypeArg>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// How many failing client IPs and user agents to list (0: none).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
}

impl ClientLogsArgs {
    /// Checks what clap cannot: `--top` is sensible and standard input is named at most once.
    pub(crate) fn validate(&self) -> anyhow::Result<super::ClientLogsJob> {
        if self.top > MAX_TOP {
            anyhow::bail!("--top {}: give a number from 0 to {MAX_TOP}", self.top);
        }
        if self.files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
            anyhow::bail!("`-` (standard input) can be given only once");
        }
        Ok(super::ClientLogsJob {
            files: self.files.clone(),
            policy: self.policy.clone(),
            lb_type: self.lb_type.map(Into::into),
            format: self.format,
            top: self.top,
        })
    }
}

/// Examples and exit codes for `elbtls client logs --help`.
pub(crate) const CLIENT_LOGS_AFTER_HELP: &str = "\
Exit codes: 0 no logged TLS connection would fail under the policy, 1 some would, 2 usage error
(unknown policy, unreadable file), 3 a file held no recognisable entry (or no file held any).

Examples:
  elbtls client logs alb-logs/*.log.gz --policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06
  elbtls client logs conn_log_*.log.gz nlb/*.log.gz --policy ELBSecurityPolicy-TLS13-1-3-2021-06 --top 20
  zcat today/*.gz | elbtls client logs - --policy ELBSecurityPolicy-TLS13-1-2-2021-06 --format json";
