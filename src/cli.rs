//! Command-line flags (`Cli`, as clap parses them) and their validation into a [`Config`] that the
//! commands run from. Nothing after this module looks at raw flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::LoadBalancerType;

const ABOUT: &str = "Tells an AWS account the truth about its load balancers' TLS.";

const LONG_ABOUT: &str = "\
Tells an AWS account the truth about its load balancers' TLS.

elbtls knows every predefined ELB security policy (ALB, NLB and Classic) and what each lets a \
client negotiate: protocol versions, cipher suites in priority order, key-exchange groups.";

const AFTER_HELP: &str = "\
Exit codes: 0 success, 1 findings at or above --fail-on (audit), 2 usage or configuration error, \
3 run incomplete (something could not be verified).

Examples:
  elbtls policies list --type network
  elbtls policies show ELBSecurityPolicy-TLS13-1-2-2021-06
  elbtls policies diff ELBSecurityPolicy-2016-08 ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

/// The command line as clap parses it.
#[derive(Debug, Parser)]
#[command(name = "elbtls", version, about = ABOUT, long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Cli {
    /// Load policy files (*.toml, same format as the built-in policies/) from DIR on top of the
    /// built-in catalogue; an entry with the same name and API replaces the built-in one.
    #[arg(long, global = true, value_name = "DIR", env = "ELBTLS_CATALOGUE")]
    pub catalogue: Option<PathBuf>,

    /// Use only the --catalogue directory, without the built-in catalogue.
    #[arg(long, global = true, requires = "catalogue")]
    pub catalogue_only: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// The catalogue of ELB security policies: list, show, diff.
    #[command(subcommand)]
    Policies(PoliciesCommand),
}

/// `elbtls policies …`
#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// One row per policy: protocols, cipher count, forward secrecy, FIPS, post-quantum.
    #[command(after_help = "Example:\n  elbtls policies list --type classic --format json")]
    List {
        /// Only policies a load balancer of this type can use.
        #[arg(long = "type", value_name = "TYPE")]
        lb_type: Option<TypeArg>,
        /// Output options.
        #[command(flatten)]
        output: OutputArgs,
    },
    /// A policy's protocols, groups and every cipher in priority order, with IANA and OpenSSL
    /// names, code points and derived properties.
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

/// `--format`.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Output formats of the catalogue commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
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
pub enum CatalogueChoice {
    /// Only the built-in catalogue.
    Builtin,
    /// The built-in catalogue with a user directory on top.
    BuiltinPlus(PathBuf),
    /// Only a user directory.
    Only(PathBuf),
}

/// A validated run configuration.
#[derive(Debug)]
pub struct Config {
    /// The catalogue to load.
    pub catalogue: CatalogueChoice,
    /// The command to run.
    pub command: Command,
}

impl Config {
    /// Validates parsed flags. Everything clap cannot check is checked here, before any command runs.
    pub fn from_cli(cli: Cli) -> anyhow::Result<Self> {
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
            command: cli.command,
        })
    }
}
