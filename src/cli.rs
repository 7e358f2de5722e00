//! Command-line flags (`Cli`, as clap parses them) and their validation into a [`Config`]: the
//! catalogue to load and one typed [`Job`] per command. The commands run from the job and never
//! see a raw flag; this module does no I/O beyond reading the small files flags name (an
//! accounts file) and asking whether stdout is a terminal.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::LoadBalancerType;

mod audit_args;
mod aws_args;
mod client_args;
mod docs_args;
mod job;
mod logs_args;
mod report_args;

pub(crate) use audit_args::{AuditArgs, AuditFilters, AuditFormat};
pub(crate) use aws_args::{AwsConnectionArgs, InventoryArgs, InventoryFormat};
pub(crate) use client_args::{ClientCommand, source_flag};
pub(crate) use docs_args::man_root;
pub(crate) use job::{
    AuditJob, CheckApiJob, CheckJob, CheckTarget, ClientLogsJob, InventoryJob, Job, ManJob,
    MatrixJob, PoliciesJob, PolicyChoice, ProbeJob, ProfilesJob, ReportJob, SecurityHubJob, Shard,
};
pub(crate) use logs_args::{CLIENT_LOGS_AFTER_HELP, ClientLogsArgs};

const ABOUT: &str = "Tells an AWS account the truth about its load balancers' TLS.";

const LONG_ABOUT: &str = "\
Tells an AWS account the truth about its load balancers' TLS.

elbtls inventories every ALB, NLB and Classic listener of an account, probes each one live with \
hand-built ClientHellos, and reports every difference between the security policy it declares and \
what it really accepts, and every breach of your baseline. It knows every predefined ELB security \
policy: protocol versions, cipher suites in priority order, key-exchange groups.";

const AFTER_HELP: &str = "\
Exit codes: 0 success, 1 findings (audit --fail-on, probe --policy differences, a failing client), \
2 usage or configuration error, 3 run incomplete (something could not be verified).

Examples:
  elbtls audit --all-regions --baseline modern
  elbtls probe my-alb-123.eu-west-1.elb.amazonaws.com --policy auto
  elbtls client check --profile java-8 --policy ELBSecurityPolicy-TLS13-1-2-2021-06
  elbtls policies list --type network
  elbtls policies show ELBSecurityPolicy-TLS13-1-2-2021-06
  elbtls policies diff ELBSecurityPolicy-2016-08 ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

/// The command line as clap parses it.
#[derive(Debug, Parser)]
#[command(name = "elbtls", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub(crate) struct Cli {
    /// Load policy files (*.toml, same format as the built-in policies/) from DIR on top of the
    /// built-in catalogue; an entry with the same name and API replaces the built-in one.
    #[arg(long, global = true, value_name = "DIR", env = "ELBTLS_CATALOGUE")]
    pub catalogue: Option<PathBuf>,

    /// Use only the --catalogue directory, without the built-in catalogue.
    #[arg(long, global = true, requires = "catalogue")]
    pub catalogue_only: bool,

    /// Also list, rank (`--policy auto`) and suggest the unpublished catalogue policies: names
    /// no AWS documentation or API lists (the CNSA2-INTEROP ones, seen only in s2n-tls).
    /// `policies show NAME` and a listener declaring one work without it.
    #[arg(long, global = true)]
    pub include_unpublished: bool,

    /// More on stderr: -v logs what elbtls does and the whole chain behind an error, -vv adds the
    /// AWS SDK's own debug log, -vvv everything (trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Nothing on stderr but errors: no progress, notes or warnings (the exit code still says
    /// when a run is incomplete).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The main job: inventory the account(s), probe every TLS listener, compare what each
    /// really accepts with its declared policy and the baseline, and report.
    Audit(Box<AuditArgs>),

    /// The catalogue of ELB security policies: list, show, diff.
    #[command(subcommand)]
    Policies(PoliciesCommand),

    /// Every ALB, NLB and Classic listener of the account(s), one row each, with its declared
    /// security policy.
    Inventory(InventoryArgs),

    /// Probe TLS endpoints live: which protocols, cipher suites (the whole IANA registry) and
    /// groups they really accept, their cipher order and certificates.
    #[command(after_help = PROBE_AFTER_HELP)]
    Probe(ProbeArgs),

    /// Why a client cannot connect, and who breaks before a policy change: a client (built-in
    /// profile, captured ClientHello, ClientHello file or OpenSSL settings) against a policy or a
    /// listener.
    #[command(subcommand)]
    Client(ClientCommand),

    /// Saved JSON audit reports: merge the parts of a sharded run, render any format, without
    /// AWS.
    #[command(subcommand)]
    Report(report_args::ReportCommand),

    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    #[command(after_help = docs_args::COMPLETIONS_AFTER_HELP)]
    Completions(docs_args::CompletionsArgs),

    /// Print the manual page (roff) of elbtls, or of one of its commands, to stdout.
    #[command(after_help = docs_args::MAN_AFTER_HELP)]
    Man(docs_args::ManArgs),
}

const PROBE_AFTER_HELP: &str = "\
Exit codes: 0 probed (and, with --policy NAME, no difference), 1 --policy found differences,
2 usage error, 3 an endpoint could not be probed (unreachable or not TLS).

Examples:
  elbtls probe my-alb-123.eu-west-1.elb.amazonaws.com
  elbtls probe lb.example.com:8443 --policy ELBSecurityPolicy-TLS13-1-2-2021-06
  elbtls probe lb.example.com --policy auto --format json
  elbtls probe app.example.com:443 --resolve app.example.com:443:10.0.3.7";

/// `elbtls probe …`
#[derive(Debug, Args)]
pub(crate) struct ProbeArgs {
    /// Endpoints to probe, as HOST[:PORT] (default port 443; IPv6 as [ADDR]:PORT).
    #[arg(value_name = "HOST[:PORT]", required = true)]
    pub targets: Vec<String>,

    /// Compare what is seen with a catalogue policy and list every difference; `auto` names the
    /// catalogue policies that best match what was seen (a policy that cannot have produced it
    /// ranks after every one that can; unpublished policies only with --include-unpublished).
    #[arg(long, value_name = "NAME|auto")]
    pub policy: Option<String>,

    /// Which API's policy --policy names, when ELBv2 and Classic both have one of that name
    /// (default: ELBv2).
    #[arg(long = "type", value_name = "TYPE")]
    pub lb_type: Option<TypeArg>,

    /// Send NAME as the TLS server name (SNI) instead of the target's host name.
    #[arg(long, value_name = "NAME", conflicts_with = "no_sni")]
    pub sni: Option<String>,

    /// Send no server name at all.
    #[arg(long)]
    pub no_sni: bool,

    /// Connect to ADDR when probing HOST:PORT, still naming HOST (curl's meaning; PORT may be *).
    /// Repeatable.
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    pub resolve: Vec<String>,

    /// Seconds to wait for a connection or an answer before giving up on one handshake.
    #[arg(long, value_name = "SECS", default_value_t = 5.0)]
    pub timeout: f64,

    /// Seconds one endpoint may take in all, every handshake included: past it, the handshakes
    /// left are not made and the endpoint is reported as partly probed (incomplete, exit 3).
    #[arg(long, value_name = "SECS", default_value_t = 60.0)]
    pub deadline: f64,

    /// Most handshakes in flight at once to one endpoint (a load balancer node absorbs them
    /// easily; lower it for a fragile server).
    #[arg(long, value_name = "N", default_value_t = 24)]
    pub max_connections: usize,

    /// Skip the certificate handshakes.
    #[arg(long)]
    pub no_certificates: bool,

    /// Probe every address the name resolves to (a load balancer has nodes in several zones, and
    /// a policy change rolls out node by node) and report nodes that disagree.
    #[arg(long)]
    pub all_addresses: bool,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `elbtls policies …`
#[derive(Debug, Subcommand)]
pub(crate) enum PoliciesCommand {
    /// One row per policy: protocols, cipher count, forward secrecy, FIPS, post-quantum.
    /// Unpublished policies only with --include-unpublished.
    #[command(after_help = "Example:\n  elbtls policies list --type classic --format json")]
    List {
        /// Only policies a load balancer of this type can use.
        #[arg(long = "type", value_name = "TYPE")]
        lb_type: Option<TypeArg>,
        /// Output options.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// A policy's TLS engine, protocols, groups and every cipher in published priority order
    /// (and the served order where the engine differs), with IANA and OpenSSL names, code points
    /// and derived properties. Works for unpublished policies too.
    #[command(
        after_help = "Example:\n  elbtls policies show ELBSecurityPolicy-2016-08 --type classic"
    )]
    Show {
        /// Policy name (or alias), e.g. ELBSecurityPolicy-TLS13-1-2-2021-06.
        name: String,
        /// Which API's policy, when ELBv2 and Classic both have one of that name
        /// (default: the ELBv2 one).
        #[arg(long = "type", value_name = "TYPE")]
        lb_type: Option<TypeArg>,
        /// Output options.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Compares the catalogue with what a region's API returns (DescribeSSLPolicies, and the
    /// Classic predefined policies where the API lists them): missing, extra and differing
    /// policies. How a stale catalogue is noticed.
    #[command(
        after_help = "Example:\n  elbtls policies check-api --region eu-west-1 --format json"
    )]
    CheckApi {
        /// The region to ask (default: the configured region).
        #[arg(long, value_name = "REGION")]
        region: Option<String>,
        /// How to reach AWS.
        #[command(flatten)]
        connection: AwsConnectionArgs,
        /// Output options.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// What moving a listener from FROM to TO adds and removes: protocols, ciphers, groups, order.
    #[command(
        after_help = "Example:\n  elbtls policies diff ELBSecurityPolicy-2016-08 ELBSecurityPolicy-TLS13-1-2-2021-06"
    )]
    Diff {
        /// The policy the listener has now.
        from: String,
        /// The policy it would move to.
        to: String,
        /// Which API's policies, when names exist for both ELBv2 and Classic (default: ELBv2).
        #[arg(long = "type", value_name = "TYPE")]
        lb_type: Option<TypeArg>,
        /// Output options.
        #[command(flatten)]
        output: OutputArgs,
    },
}

impl ProbeArgs {
    /// Validates the flags: every target and `--resolve` entry parses, the timeout and the
    /// connection cap are sensible.
    pub(crate) fn validate(&self) -> anyhow::Result<ProbeJob> {
        use crate::probe::target::{ResolveOverride, SniChoice, Target};
        let targets = self
            .targets
            .iter()
            .map(|t| t.parse::<Target>())
            .collect::<Result<Vec<_>, _>>()?;
        let overrides = self
            .resolve
            .iter()
            .map(|r| r.parse::<ResolveOverride>())
            .collect::<Result<Vec<_>, _>>()?;
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 600.0) {
            anyhow::bail!(
                "--timeout {}: give a number of seconds above 0 and at most 600",
                self.timeout
            );
        }
        check_deadline(self.deadline)?;
        if !(1..=64).contains(&self.max_connections) {
            anyhow::bail!(
                "--max-connections {}: give a number from 1 to 64 (a listener is not to be hammered)",
                self.max_connections
            );
        }
        let sni_name = self
            .sni
            .as_deref()
            .map(crate::probe::target::validate_server_name)
            .transpose()?;
        let sni = match (sni_name, self.no_sni) {
            (Some(name), _) => SniChoice::Name(name),
            (None, true) => SniChoice::Omit,
            (None, false) => SniChoice::FromHost,
        };
        let policy = match self.policy.as_deref() {
            None => PolicyChoice::None,
            Some("auto") => PolicyChoice::Auto,
            Some(name) => PolicyChoice::Named(name.to_string()),
        };
        Ok(ProbeJob {
            targets,
            options: crate::probe::run::ProbeOptions {
                sni,
                overrides,
                timeout: std::time::Duration::from_secs_f64(self.timeout),
                max_connections: self.max_connections,
                certificates: !self.no_certificates,
                guide: Default::default(),
                all_addresses: self.all_addresses,
                deadline: std::time::Duration::from_secs_f64(self.deadline),
            },
            policy,
            lb_type: self.lb_type.map(Into::into),
            format: self.output.format,
        })
    }
}

/// Checks `--deadline` (probe and audit): above 0, at most an hour.
pub(crate) fn check_deadline(seconds: f64) -> anyhow::Result<()> {
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        anyhow::bail!(
            "--deadline {seconds}: give the seconds one endpoint may take, above 0 and at most 3600"
        );
    }
    Ok(())
}

/// `--format`.
#[derive(Debug, Args)]
pub(crate) struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats of the catalogue commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// A table for people.
    Table,
    /// JSON with a `schema_version` (see README, "JSON output").
    Json,
}

/// Load-balancer types that have TLS policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TypeArg {
    /// Application Load Balancer.
    #[value(alias = "alb")]
    Application,
    /// Network Load Balancer.
    #[value(alias = "nlb")]
    Network,
    /// Classic Load Balancer.
    #[value(alias = "clb")]
    Classic,
}

impl From<TypeArg> for LoadBalancerType {
    fn from(arg: TypeArg) -> Self {
        match arg {
            TypeArg::Application => LoadBalancerType::Application,
            TypeArg::Network => LoadBalancerType::Network,
            TypeArg::Classic => LoadBalancerType::Classic,
        }
    }
}

/// Where the catalogue comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CatalogueChoice {
    /// Only the built-in catalogue.
    Builtin,
    /// The built-in catalogue with a user directory on top.
    BuiltinPlus(PathBuf),
    /// Only a user directory.
    Only(PathBuf),
}

/// A validated run configuration.
#[derive(Debug)]
pub(crate) struct Config {
    /// The catalogue to load.
    pub catalogue: CatalogueChoice,
    /// Whether unpublished policies are listed, ranked and suggested (`--include-unpublished`).
    pub include_unpublished: bool,
    /// `-v` count (0: no log).
    pub verbose: u8,
    /// `-q`: errors only on stderr.
    pub quiet: bool,
    /// The command to run, validated.
    pub job: Job,
}

impl Config {
    /// Validates parsed flags. Everything clap cannot check is checked here, before any command runs.
    pub(crate) fn from_cli(cli: Cli) -> anyhow::Result<Self> {
        let catalogue = match (cli.catalogue, cli.catalogue_only) {
            (None, _) => CatalogueChoice::Builtin,
            (Some(dir), only) => {
                if !dir.is_dir() {
                    anyhow::bail!(
                        "--catalogue {}: not a directory (give a directory holding *.toml policy files)",
                        dir.display()
                    );
                }
                if only {
                    CatalogueChoice::Only(dir)
                } else {
                    CatalogueChoice::BuiltinPlus(dir)
                }
            }
        };
        Ok(Self {
            catalogue,
            include_unpublished: cli.include_unpublished,
            verbose: cli.verbose,
            quiet: cli.quiet,
            job: cli.command.validate()?,
        })
    }
}

impl Command {
    /// Validates the command's flags into its [`Job`].
    pub(crate) fn validate(self) -> anyhow::Result<Job> {
        Ok(match self {
            Command::Audit(args) => Job::Audit(Box::new(args.validate()?)),
            Command::Inventory(args) => Job::Inventory(args.validate()?),
            Command::Probe(args) => Job::Probe(args.validate()?),
            Command::Policies(command) => command.validate()?,
            Command::Client(command) => command.validate()?,
            Command::Report(command) => command.validate()?,
            Command::Completions(args) => args.validate(),
            Command::Man(args) => args.validate()?,
        })
    }
}

impl PoliciesCommand {
    fn validate(self) -> anyhow::Result<Job> {
        let lb = |t: Option<TypeArg>| t.map(LoadBalancerType::from);
        Ok(match self {
            PoliciesCommand::List { lb_type, output } => Job::Policies(PoliciesJob::List {
                lb_type: lb(lb_type),
                format: output.format,
            }),
            PoliciesCommand::Show {
                name,
                lb_type,
                output,
            } => Job::Policies(PoliciesJob::Show {
                name,
                lb_type: lb(lb_type),
                format: output.format,
            }),
            PoliciesCommand::Diff {
                from,
                to,
                lb_type,
                output,
            } => Job::Policies(PoliciesJob::Diff {
                from,
                to,
                lb_type: lb(lb_type),
                format: output.format,
            }),
            PoliciesCommand::CheckApi {
                region,
                connection,
                output,
            } => Job::CheckApi(CheckApiJob {
                aws: connection.options(region.as_deref())?,
                format: output.format,
            }),
        })
    }
}
