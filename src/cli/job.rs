//! What each command runs from: the flags validated into typed values (ripgrep's low-level →
//! high-level arguments habit). [`Config::from_cli`](super::Config::from_cli) builds one [`Job`],
//! checking everything that can be checked before any AWS call, probe or capture; the commands
//! never see a raw flag.

use std::path::PathBuf;

use super::{AuditFilters, AuditFormat, Format, InventoryFormat};
use crate::aws;
use crate::client::ClientSource;
use crate::client::profile::Profile;
use crate::finding::Severity;
use crate::model::LoadBalancerType;
use crate::probe::run::ProbeOptions;
use crate::probe::target::Target;
use crate::tls::{NamedGroup, RequiredCertificate};

/// One command, validated.
#[derive(Debug)]
pub(crate) enum Job {
    /// `elbtls audit`.
    Audit(Box<AuditJob>),
    /// `elbtls inventory`.
    Inventory(InventoryJob),
    /// `elbtls probe`.
    Probe(ProbeJob),
    /// `elbtls policies list|show|diff`.
    Policies(PoliciesJob),
    /// `elbtls policies check-api`.
    CheckApi(CheckApiJob),
    /// `elbtls client check`.
    ClientCheck(Box<CheckJob>),
    /// `elbtls client matrix`.
    ClientMatrix(MatrixJob),
    /// `elbtls client profiles`.
    ClientProfiles(ProfilesJob),
    /// `elbtls client logs`.
    ClientLogs(ClientLogsJob),
    /// `elbtls report merge|render`.
    Report(ReportJob),
    /// `elbtls completions SHELL`.
    Completions(clap_complete::Shell),
    /// `elbtls man [COMMAND]…`.
    Man(ManJob),
}

/// `elbtls report merge|render`: saved reports in, one report out.
#[derive(Debug)]
pub(crate) struct ReportJob {
    /// The JSON reports, in the order given.
    pub files: Vec<PathBuf>,
    /// Format on stdout (when no `--output`).
    pub format: AuditFormat,
    /// `--output` files and their formats.
    pub outputs: Vec<(AuditFormat, PathBuf)>,
    /// The lowest severity that fails the run.
    pub fail_on: Severity,
    /// Whether the table on stdout is coloured.
    pub color: bool,
}

/// `elbtls man`.
#[derive(Debug)]
pub(crate) struct ManJob {
    /// The command whose page to print (`["policies", "show"]`), checked to exist; empty: elbtls.
    pub command: Vec<String>,
}

/// `elbtls audit`.
#[derive(Debug)]
pub(crate) struct AuditJob {
    /// Which accounts and regions, and how to reach AWS.
    pub aws: aws::Options,
    /// `--name`, `--tag`, `--type`, `--arn`.
    pub filters: AuditFilters,
    /// `--baseline`: a preset name or a file, resolved against the catalogue when the run starts.
    pub baseline: Option<String>,
    /// How to probe each listener; `None` with `--no-probe`.
    pub probe: Option<ProbeOptions>,
    /// Listeners probed at once.
    pub concurrency: usize,
    /// `--negotiation-errors`: the hours of CloudWatch data to read.
    pub negotiation_hours: Option<u32>,
    /// The lowest severity that fails the run.
    pub fail_on: Severity,
    /// Output format.
    pub format: AuditFormat,
    /// Whether the table is coloured (`--color`, a terminal, `NO_COLOR`).
    pub color: bool,
    /// `--output`: the report files and their formats (each directory is checked before any
    /// work); empty: the report goes to stdout in `format`.
    pub outputs: Vec<(AuditFormat, PathBuf)>,
    /// `--diff`: the previous JSON report (a first run when it does not exist).
    pub diff: Option<PathBuf>,
    /// `--fail-on-new`: only findings the previous report did not have fail the run.
    pub fail_on_new: bool,
    /// `--shard`: the part of the load balancers this run audits.
    pub shard: Option<Shard>,
    /// `--security-hub`: import the findings into AWS Security Hub.
    pub security_hub: Option<SecurityHubJob>,
}

/// `audit --security-hub`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SecurityHubJob {
    /// `--security-hub-region`: one region for every finding of an account; `None`: each
    /// listener's own.
    pub region: Option<String>,
}

/// One part of a run split N ways (`--shard`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shard {
    /// The part, from 0.
    pub index: u32,
    /// How many parts.
    pub count: u32,
}

/// `elbtls inventory`.
#[derive(Debug)]
pub(crate) struct InventoryJob {
    /// Which accounts and regions, and how to reach AWS.
    pub aws: aws::Options,
    /// Output format.
    pub format: InventoryFormat,
}

/// What `probe --policy` asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PolicyChoice {
    /// No comparison: report what was seen.
    None,
    /// Compare with this catalogue policy.
    Named(String),
    /// Rank the catalogue's policies.
    Auto,
}

/// `elbtls probe`.
#[derive(Debug)]
pub(crate) struct ProbeJob {
    /// The endpoints.
    pub targets: Vec<Target>,
    /// How to probe.
    pub options: ProbeOptions,
    /// The comparison asked for.
    pub policy: PolicyChoice,
    /// `--type`, to pick between same-named ELBv2 and Classic policies.
    pub lb_type: Option<LoadBalancerType>,
    /// Output format.
    pub format: Format,
}

/// `elbtls policies list|show|diff`.
#[derive(Debug)]
pub(crate) enum PoliciesJob {
    /// Every policy (of a type).
    List {
        /// `--type`.
        lb_type: Option<LoadBalancerType>,
        /// Output format.
        format: Format,
    },
    /// One policy in full.
    Show {
        /// The name (or alias).
        name: String,
        /// `--type`.
        lb_type: Option<LoadBalancerType>,
        /// Output format.
        format: Format,
    },
    /// What moving from one policy to another changes.
    Diff {
        /// The policy now.
        from: String,
        /// The policy to move to.
        to: String,
        /// `--type`.
        lb_type: Option<LoadBalancerType>,
        /// Output format.
        format: Format,
    },
}

/// `elbtls policies check-api`.
#[derive(Debug)]
pub(crate) struct CheckApiJob {
    /// The region to ask, and how to reach AWS.
    pub aws: aws::Options,
    /// Output format.
    pub format: Format,
}

/// What `client check` checks against.
#[derive(Debug)]
pub(crate) enum CheckTarget {
    /// A catalogue policy, by name.
    Policy(String),
    /// A listener to probe.
    Listener {
        /// The endpoint.
        target: Target,
        /// How to probe it.
        options: ProbeOptions,
    },
    /// A listener read by ARN.
    Arn {
        /// The listener ARN (well formed).
        arn: String,
        /// How to reach AWS.
        options: aws::Options,
    },
}

/// `elbtls client check`.
#[derive(Debug)]
pub(crate) struct CheckJob {
    /// The client.
    pub client: ClientSource,
    /// The server.
    pub server: CheckTarget,
    /// `--type`: which API's policy `--policy` names, and which policies are ranked.
    pub lb_type: Option<LoadBalancerType>,
    /// The certificate kinds a declared listener holds (RSA when none was given).
    pub certificates: Vec<RequiredCertificate>,
    /// The curves of its ECDSA certificates (P-256 when none was given).
    pub curves: Vec<NamedGroup>,
    /// Output format.
    pub format: Format,
}

/// `elbtls client matrix`.
#[derive(Debug)]
pub(crate) struct MatrixJob {
    /// `--policy`, or `--from`.
    pub first: String,
    /// `--to`.
    pub second: Option<String>,
    /// `--type`.
    pub lb_type: Option<LoadBalancerType>,
    /// The profiles to show, in the order given (every built-in one by default).
    pub profiles: Vec<Profile>,
    /// The certificate kinds the listener holds.
    pub certificates: Vec<RequiredCertificate>,
    /// The curves of its ECDSA certificates.
    pub curves: Vec<NamedGroup>,
    /// Output format.
    pub format: Format,
}

/// `elbtls client profiles`.
#[derive(Debug)]
pub(crate) struct ProfilesJob {
    /// One profile in full, or every profile.
    pub profile: Option<Profile>,
    /// Every built-in profile.
    pub all: Vec<Profile>,
    /// Output format.
    pub format: Format,
}

/// `elbtls client logs`.
#[derive(Debug)]
pub(crate) struct ClientLogsJob {
    /// The files, in the order given.
    pub files: Vec<PathBuf>,
    /// The policy name.
    pub policy: String,
    /// `--type`.
    pub lb_type: Option<LoadBalancerType>,
    /// Output format.
    pub format: Format,
    /// Failing clients listed.
    pub top: usize,
}
