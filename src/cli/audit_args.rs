//! Flags of `elbtls audit`, and their validation.

use std::path::PathBuf;

use anyhow::bail;
use clap::{Args, ValueEnum};

use std::time::Duration;

use super::aws_args::AwsScopeArgs;
use super::{AuditJob, SecurityHubJob, Shard, TypeArg};
use crate::finding::Severity;
use crate::probe::run::ProbeOptions;
use crate::probe::target::{ResolveOverride, SniChoice};

const AUDIT_AFTER_HELP: &str = "\
Exit codes: 0 every listener compliant (no finding at or above --fail-on and nothing unverified),
1 findings at or above --fail-on, 2 usage or configuration error, 3 run incomplete (a listener,
region or account could not be verified, or the filters selected no listener). Findings (1) take
precedence over incomplete (3).

Examples:
  elbtls audit
  elbtls audit --all-regions --baseline modern --format sarif --output elbtls.sarif
  elbtls audit --region eu-west-1 --name 'web-*' --tag env=prod --baseline ./baseline.toml
  elbtls audit --no-probe --baseline fips --format junit --output elbtls.xml
  elbtls audit -o json=today.json -o sarif=today.sarif --diff yesterday.json --fail-on-new
  elbtls audit --baseline modern -o json=audit.json -o html=audit.html
  elbtls audit --negotiation-errors --hours 72
  elbtls audit --all-regions --baseline modern --security-hub --security-hub-region eu-west-1
  elbtls audit -o json=audit.json -o asff=audit.asff.json -o ocsf=audit.ocsf.jsonl";

/// `elbtls audit …`
#[derive(Debug, Clone, Args)]
#[command(after_help = AUDIT_AFTER_HELP)]
pub(crate) struct AuditArgs {
    /// Which accounts and regions to read.
    #[command(flatten)]
    pub scope: AwsScopeArgs,

    /// The organisation's baseline: a preset (`modern`, `strict`, `fips`) or a TOML file. Without
    /// it only drift and verification findings are reported.
    #[arg(long, value_name = "PRESET|FILE")]
    pub baseline: Option<String>,

    /// Do not probe: check only the declared configuration against the baseline (for runners
    /// that cannot reach the listeners).
    #[arg(long)]
    pub no_probe: bool,

    /// Add each ALB's and NLB's CloudWatch ClientTLSNegotiationErrorCount over the last --hours
    /// (needs cloudwatch:GetMetricData), so the listeners where clients fail stand out.
    #[arg(long)]
    pub negotiation_errors: bool,

    /// The window of --negotiation-errors, in hours (up to 10920: the 455 days CloudWatch keeps).
    #[arg(
        long,
        value_name = "N",
        default_value_t = 24,
        requires = "negotiation_errors"
    )]
    pub hours: u32,

    /// Report format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Table)]
    pub format: AuditFormat,

    /// Write the report to FILE in --format instead of standard output; or FORMAT=FILE,
    /// repeatable, for several formats from one run (`-o json=audit.json -o sarif=audit.sarif
    /// -o junit=audit.xml`). Each file is written atomically (a temporary file renamed into
    /// place); a one-line summary goes to stderr.
    #[arg(long, short = 'o', value_name = "[FORMAT=]FILE")]
    pub output: Vec<String>,

    /// Import the findings into AWS Security Hub (BatchImportFindings, 100 a call), each in its
    /// listener's account and region, and archive the findings of earlier runs that this run
    /// checked again and found gone (needs securityhub:BatchImportFindings and
    /// securityhub:GetFindings; Security Hub enabled there).
    #[arg(long)]
    pub security_hub: bool,

    /// With --security-hub: import every finding into this region of its account (a Security Hub
    /// aggregation region) instead of its listener's region.
    #[arg(long, value_name = "REGION", requires = "security_hub")]
    pub security_hub_region: Option<String>,

    /// A previous JSON report: which findings are new and which were resolved since, and what
    /// changed on each listener (declared policy, certificates, newly accepted versions and
    /// suites). A file that does not exist yet is a first run: every finding is new.
    #[arg(long, value_name = "PREVIOUS.json")]
    pub diff: Option<PathBuf>,

    /// With --diff: exit 1 only for findings at or above --fail-on that the previous report did
    /// not have (known findings still show, and still make the run incomplete if unverified).
    #[arg(long, requires = "diff")]
    pub fail_on_new: bool,

    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "high")]
    pub fail_on: String,

    /// Only load balancers whose name matches (`*` wildcards, case ignored; repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub name: Vec<String>,

    /// Only load balancers with this tag (repeatable: all must match).
    #[arg(long, value_name = "KEY=VALUE")]
    pub tag: Vec<String>,

    /// Only load balancers of this type (repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    pub lb_type: Vec<TypeArg>,

    /// Only the ELBv2 load balancer or listener with this ARN (repeatable; Classic load balancers
    /// have none: use --name).
    #[arg(long, value_name = "ARN")]
    pub arn: Vec<String>,

    /// Only load balancers of this scheme, `internal` or `internet-facing` (repeatable): a task
    /// inside a VPC audits what it can reach.
    #[arg(long, value_name = "SCHEME", value_parser = ["internal", "internet-facing"])]
    pub scheme: Vec<String>,

    /// Only load balancers in this VPC (repeatable; Classic ones in EC2-Classic have none).
    #[arg(long, value_name = "VPC_ID")]
    pub vpc: Vec<String>,

    /// Audit one part of the load balancers: K/N (1 ≤ K ≤ N) keeps those whose stable hash
    /// falls in part K, so N runs (a Kubernetes Indexed Job, an AWS Batch array) cover every
    /// load balancer once, whatever order AWS lists them in; `auto` reads the part from
    /// JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX (0-based) with --shard-count N. Merge the
    /// parts with `elbtls report merge`.
    #[arg(long, value_name = "K/N|auto")]
    pub shard: Option<String>,

    /// With `--shard auto`: how many parts.
    #[arg(long, value_name = "N")]
    pub shard_count: Option<u32>,

    /// Connect to ADDR when probing a listener named HOST on PORT (curl's meaning; PORT may be
    /// `*`). Repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Probe every address each listener's name resolves to, and report nodes that disagree
    /// (`nodes-disagree`). Costs one probe per node.
    #[arg(long)]
    pub all_addresses: bool,

    /// Listeners probed at once, overall.
    #[arg(long, value_name = "N", default_value_t = 32)]
    pub concurrency: usize,

    /// Handshakes in flight at once to one listener (with `--concurrency` listeners at once:
    /// 8 x 32 = 256 handshakes in flight across the account by default).
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub max_connections: usize,

    /// Seconds to wait for a connection or an answer before giving up on one handshake.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,

    /// Seconds one endpoint may take in all, every handshake included: past it, the handshakes
    /// left are not made and the endpoint is reported as partly probed (incomplete, exit 3).
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub deadline: f64,

    /// When to colour the table: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Report formats of `audit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuditFormat {
    /// A table for people, then the findings by listener.
    Table,
    /// JSON with a `schema_version` (README, "Audit reports").
    Json,
    /// CSV, one finding a line.
    Csv,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
    /// JUnit XML: each listener a test case.
    Junit,
    /// One self-contained HTML page (no external assets): summary, protocol/cipher grid, drift,
    /// certificate expiry, findings, filters.
    Html,
    /// AWS Security Finding Format: a JSON array of findings for AWS Security Hub.
    Asff,
    /// OCSF 1.3 Detection Finding (class 2004) records, one JSON object a line.
    Ocsf,
}

impl AuditFormat {
    /// The name `--format` and `--output FORMAT=` take.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Json => "json",
            Self::Csv => "csv",
            Self::Sarif => "sarif",
            Self::Junit => "junit",
            Self::Html => "html",
            Self::Asff => "asff",
            Self::Ocsf => "ocsf",
        }
    }
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// Colour on a terminal unless NO_COLOR is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// `--tag KEY=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TagFilter {
    /// The key.
    pub key: String,
    /// The value.
    pub value: String,
}

/// Validated `audit` flags (the AWS part is validated into `aws::Options` separately).
#[derive(Clone, Debug)]
pub(crate) struct AuditFilters {
    /// Name patterns.
    pub names: Vec<String>,
    /// `--tag KEY=VALUE`: every one must match.
    pub tags: Vec<TagFilter>,
    /// `--type`: any one may match.
    pub types: Vec<crate::model::LoadBalancerType>,
    /// `--arn`: a load balancer or one of its listeners.
    pub arns: Vec<String>,
    /// `--scheme`: any one may match.
    pub schemes: Vec<crate::model::inventory::Scheme>,
    /// `--vpc`: any one may match.
    pub vpcs: Vec<String>,
}

impl AuditFilters {
    /// The filters as flags (`--name web-* --tag env=prod`), or `None` when there are none.
    pub(crate) fn describe(&self) -> Option<String> {
        let flags: Vec<String> = self
            .names
            .iter()
            .map(|n| format!("--name {n}"))
            .chain(
                self.tags
                    .iter()
                    .map(|t| format!("--tag {}={}", t.key, t.value)),
            )
            .chain(self.types.iter().map(|t| format!("--type {}", t.as_str())))
            .chain(self.arns.iter().map(|a| format!("--arn {a}")))
            .chain(self.schemes.iter().map(|s| format!("--scheme {s}")))
            .chain(self.vpcs.iter().map(|v| format!("--vpc {v}")))
            .collect();
        (!flags.is_empty()).then(|| flags.join(" "))
    }
}

impl AuditArgs {
    /// Validates every flag into the audit's [`AuditJob`]: nothing is read from AWS or probed
    /// before this passes.
    pub(crate) fn validate(&self) -> anyhow::Result<AuditJob> {
        let aws = self.scope.validate()?;
        let fail_on = self
            .fail_on
            .parse::<Severity>()
            .map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?;
        let filters = self.filters()?;
        self.check_limits()?;
        let overrides = self
            .resolve
            .iter()
            .map(|r| r.parse::<ResolveOverride>())
            .collect::<Result<Vec<_>, _>>()?;
        let probe = (!self.no_probe).then(|| ProbeOptions {
            sni: SniChoice::FromHost,
            overrides,
            timeout: Duration::from_secs_f64(self.timeout),
            max_connections: self.max_connections,
            certificates: true,
            guide: Default::default(),
            all_addresses: self.all_addresses,
            deadline: Duration::from_secs_f64(self.deadline),
        });
        Ok(AuditJob {
            aws,
            filters,
            baseline: self.baseline.clone(),
            probe,
            concurrency: self.concurrency,
            negotiation_hours: self.negotiation_errors.then_some(self.hours),
            fail_on,
            format: self.format,
            color: self.color(),
            outputs: self.outputs()?,
            shard: self.shard()?,
            diff: self.diff.clone(),
            fail_on_new: self.fail_on_new,
            security_hub: self.security_hub()?,
        })
    }

    /// `--security-hub [--security-hub-region REGION]`.
    fn security_hub(&self) -> anyhow::Result<Option<SecurityHubJob>> {
        if !self.security_hub {
            return Ok(None);
        }
        if let Some(region) = &self.security_hub_region {
            let shaped = region.contains('-')
                && region.ends_with(|c: char| c.is_ascii_digit())
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !shaped {
                bail!(
                    "--security-hub-region `{region}`: not a region code (for example eu-west-1: \
                     the region where Security Hub aggregates the findings)"
                );
            }
        }
        Ok(Some(SecurityHubJob {
            region: self.security_hub_region.clone(),
        }))
    }

    /// `--shard K/N`, or `auto` with `--shard-count N` and the index from the environment.
    fn shard(&self) -> anyhow::Result<Option<Shard>> {
        let Some(value) = &self.shard else {
            if self.shard_count.is_some() {
                bail!("--shard-count goes with --shard auto");
            }
            return Ok(None);
        };
        let shard = if value == "auto" {
            let Some(count) = self.shard_count else {
                bail!("--shard auto: give the number of parts with --shard-count N");
            };
            let (var, index) = ["JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"]
                .iter()
                .find_map(|var| std::env::var(var).ok().map(|v| (*var, v)))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "--shard auto: neither JOB_COMPLETION_INDEX (Kubernetes Indexed Job) nor \
                         AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch array job) is set; give --shard K/N"
                    )
                })?;
            let index: u32 = index.trim().parse().map_err(|_| {
                anyhow::anyhow!("--shard auto: {var}={index} is not a part number (0, 1, 2, …)")
            })?;
            Shard { index, count }
        } else {
            if self.shard_count.is_some() {
                bail!("--shard-count goes with --shard auto; --shard K/N names the count itself");
            }
            let parsed = value.split_once('/').and_then(|(k, n)| {
                Some((k.trim().parse::<u32>().ok()?, n.trim().parse::<u32>().ok()?))
            });
            let Some((k, count)) = parsed.filter(|(k, n)| *k >= 1 && k <= n) else {
                bail!("--shard {value}: give K/N with 1 ≤ K ≤ N (for example 2/4), or auto");
            };
            Shard {
                index: k - 1,
                count,
            }
        };
        if !(1..=10_000).contains(&shard.count) || shard.index >= shard.count {
            bail!(
                "--shard: part {} of {} does not exist (parts are numbered from 0 in the \
                 environment, from 1 in K/N; at most 10000 parts)",
                shard.index,
                shard.count
            );
        }
        Ok(Some(shard))
    }

    fn outputs(&self) -> anyhow::Result<Vec<(AuditFormat, PathBuf)>> {
        parse_outputs(&self.output, self.format)
    }

    fn check_limits(&self) -> anyhow::Result<()> {
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 600.0) {
            bail!(
                "--timeout {}: give a number of seconds above 0 and at most 600",
                self.timeout
            );
        }
        crate::cli::check_deadline(self.deadline)?;
        if !(1..=1024).contains(&self.concurrency) {
            bail!(
                "--concurrency {}: give a number from 1 to 1024",
                self.concurrency
            );
        }
        if !(1..=crate::aws::cloudwatch::MAX_HOURS).contains(&self.hours) {
            bail!(
                "--hours {}: give a number of hours from 1 to {} (CloudWatch keeps hourly data \
                 for 455 days)",
                self.hours,
                crate::aws::cloudwatch::MAX_HOURS
            );
        }
        if !(1..=64).contains(&self.max_connections) {
            bail!(
                "--max-connections {}: give a number from 1 to 64",
                self.max_connections
            );
        }
        Ok(())
    }

    fn filters(&self) -> anyhow::Result<AuditFilters> {
        let mut tags = Vec::new();
        for tag in &self.tag {
            let Some((key, value)) = tag.split_once('=') else {
                bail!("--tag `{tag}`: expected KEY=VALUE (for example env=prod)");
            };
            if key.is_empty() {
                bail!("--tag `{tag}`: the key is empty");
            }
            tags.push(TagFilter {
                key: key.to_string(),
                value: value.to_string(),
            });
        }
        for arn in &self.arn {
            check_filter_arn(arn)?;
        }
        Ok(AuditFilters {
            names: self.name.clone(),
            tags,
            types: self.lb_type.iter().map(|t| (*t).into()).collect(),
            arns: self.arn.clone(),
            schemes: self
                .scheme
                .iter()
                .map(|s| crate::model::inventory::Scheme::from_api(Some(s)))
                .collect(),
            vpcs: self.vpc.clone(),
        })
    }

    /// Whether the table is coloured: `--color always|never`, or with `auto` when stdout is a
    /// terminal, no `--output` file is written and `NO_COLOR` is unset or empty.
    fn color(&self) -> bool {
        use_color(self.color, !self.output.is_empty())
    }
}

/// `--output` values: FILE in `format`, or FORMAT=FILE; the same file twice is an error.
pub(crate) fn parse_outputs(
    values: &[String],
    format: AuditFormat,
) -> anyhow::Result<Vec<(AuditFormat, PathBuf)>> {
    let mut outputs: Vec<(AuditFormat, PathBuf)> = Vec::new();
    for value in values {
        let (format, path) = match value.split_once('=') {
            Some((name, path)) if AuditFormat::from_str(name, true).is_ok() => (
                AuditFormat::from_str(name, true).map_err(anyhow::Error::msg)?,
                path,
            ),
            _ => (format, value.as_str()),
        };
        if path.is_empty() {
            bail!("--output {value}: give a file name (FORMAT=FILE or FILE)");
        }
        let path = PathBuf::from(path);
        if outputs.iter().any(|(_, p)| *p == path) {
            bail!(
                "--output {}: the same file is named twice; give each format its own file",
                path.display()
            );
        }
        outputs.push((format, path));
    }
    Ok(outputs)
}

/// `--color` as decided for a table on stdout: `always`, `never`, or with `auto` a terminal with
/// no `--output` file and `NO_COLOR` unset or empty.
pub(crate) fn use_color(choice: ColorChoice, writes_files: bool) -> bool {
    use std::io::IsTerminal;
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            !writes_files
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

fn check_filter_arn(arn: &str) -> anyhow::Result<()> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shaped = match parts.as_slice() {
        [
            "arn",
            partition,
            "elasticloadbalancing",
            region,
            account,
            resource,
        ] => {
            !partition.is_empty()
                && !region.is_empty()
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && (resource.starts_with("loadbalancer/app/")
                    || resource.starts_with("loadbalancer/net/")
                    || resource.starts_with("loadbalancer/gwy/")
                    || resource.starts_with("listener/"))
        }
        _ => false,
    };
    if !shaped {
        bail!(
            "--arn `{arn}`: not an ELBv2 load balancer or listener ARN (expected \
             arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID or \
             arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener/app/NAME/ID/ID; Classic load \
             balancers have no ARN here: select them with --name)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_filter_arn;

    #[test]
    fn filter_arns_are_checked() {
        for ok in [
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188",
            "arn:aws-cn:elasticloadbalancing:cn-north-1:123456789012:listener/net/tcp/1/2",
        ] {
            assert!(check_filter_arn(ok).is_ok(), "{ok}");
        }
        for bad in [
            "notanarn",
            "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/tg/1",
            "arn:aws:elasticloadbalancing:eu-west-1:1234:loadbalancer/app/web/1",
            "arn:aws:s3:::bucket",
        ] {
            let error = check_filter_arn(bad).unwrap_err().to_string();
            assert!(error.contains(&format!("--arn `{bad}`")), "{error}");
        }
    }
}
