//! Flags of `elbtls client …`, and their validation: which client (a built-in profile, a captured
//! ClientHello, a ClientHello file or OpenSSL settings) against which server (a catalogue policy,
//! a probed listener, or a listener's declared policy read by ARN).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};

use super::{CheckJob, CheckTarget, Job, MatrixJob, OutputArgs, ProfilesJob, TypeArg};
use crate::client::{ClientSource, profile};
use crate::probe::run::ProbeOptions;
use crate::probe::target::{ResolveOverride, SniChoice, Target};
use crate::tls::{NamedGroup, ProtocolVersion, RequiredCertificate};

const CHECK_AFTER_HELP: &str = "\
Exit codes: 0 the handshake succeeds (for every client described), 1 it fails (the reason is \
printed), 2 usage error (unknown profile or policy, bad flag), 3 the listener could not be probed.

Examples:
  elbtls client check --profile java-8 --policy ELBSecurityPolicy-TLS13-1-2-2021-06
  elbtls client check --profile dotnet-win2012r2 --policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06 --certificates rsa,ecdsa
  elbtls client check --profile android-7 --listener my-alb-123.eu-west-1.elb.amazonaws.com:443
  elbtls client check --capture 127.0.0.1:8443 --count 2 --policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06
  elbtls client check --openssl 'DEFAULT:@SECLEVEL=1' --max-version TLSv1.1 --policy ELBSecurityPolicy-2016-08
  elbtls client check --profile go --arn arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2";

const MATRIX_AFTER_HELP: &str = "\
Exit codes: 0 done (with --from/--to: no client breaks), 1 some client that works under --from \
fails under --to, 2 usage error.

Examples:
  elbtls client matrix --policy ELBSecurityPolicy-TLS13-1-2-Res-2021-06
  elbtls client matrix --from ELBSecurityPolicy-2016-08 --to ELBSecurityPolicy-TLS13-1-2-2021-06
  elbtls client matrix --from ELBSecurityPolicy-TLS13-1-2-2021-06 --to ELBSecurityPolicy-TLS13-1-2-Res-2021-06 --format json";

/// `elbtls client …`
#[derive(Debug, Subcommand)]
pub(crate) enum ClientCommand {
    /// Whether a client's handshake with a policy or a listener succeeds — with which protocol
    /// and suite, or exactly why not — and which catalogue policies it can use, strictest first.
    #[command(after_help = CHECK_AFTER_HELP)]
    Check(Box<CheckArgs>),

    /// Every built-in client profile against a policy, or what changes between two policies:
    /// which clients keep working and which break, and why.
    #[command(after_help = MATRIX_AFTER_HELP)]
    Matrix(MatrixArgs),

    /// The built-in client profiles, or one profile in full.
    #[command(after_help = "Examples:\n  elbtls client profiles\n  elbtls client profiles java-8")]
    Profiles(ProfilesArgs),

    /// Which real clients would fail under a policy, from the load balancer's own logs (ALB
    /// access, ALB connection and NLB access logs, plain or gzip): the share of TLS connections,
    /// by protocol and cipher, and the client IPs and user agents the policy would refuse.
    #[command(after_help = super::CLIENT_LOGS_AFTER_HELP)]
    Logs(super::ClientLogsArgs),
}

/// Describes the client: exactly one of `--profile`, `--capture`, `--client-hello`, `--openssl`.
#[derive(Debug, Args)]
pub(crate) struct ClientSourceArgs {
    /// A built-in client profile (`elbtls client profiles` lists them).
    #[arg(long, value_name = "NAME", help_heading = "Client")]
    pub profile: Option<String>,

    /// Listen on ADDR:PORT (or PORT, on 127.0.0.1), wait for the real client to connect, and use
    /// exactly the ClientHello it sends (answered with a TLS alert).
    #[arg(long, value_name = "ADDR:PORT", help_heading = "Client")]
    pub capture: Option<String>,

    /// With --capture: how many clients (ClientHellos) to capture, one after the other.
    #[arg(long, value_name = "N", requires = "capture", help_heading = "Client")]
    pub count: Option<usize>,

    /// A ClientHello record in FILE, as raw bytes or hex (for example copied from Wireshark).
    #[arg(long, value_name = "FILE", help_heading = "Client")]
    pub client_hello: Option<PathBuf>,

    /// A client built on OpenSSL 3 with this cipher string (`-cipher`, e.g. 'DEFAULT:@SECLEVEL=1').
    #[arg(long, value_name = "CIPHER STRING", help_heading = "Client")]
    pub openssl: Option<String>,

    /// With --openssl: the oldest protocol version (TLSv1, TLSv1.1, TLSv1.2, TLSv1.3).
    #[arg(
        long,
        value_name = "VERSION",
        requires = "openssl",
        help_heading = "Client"
    )]
    pub min_version: Option<String>,

    /// With --openssl: the newest protocol version.
    #[arg(
        long,
        value_name = "VERSION",
        requires = "openssl",
        help_heading = "Client"
    )]
    pub max_version: Option<String>,
}

fn parse_version(flag: &str, value: Option<&str>) -> anyhow::Result<Option<ProtocolVersion>> {
    let version = value
        .map(|v| {
            v.parse::<ProtocolVersion>()
                .with_context(|| flag.to_string())
        })
        .transpose()?;
    if let Some(v) = version
        && v < ProtocolVersion::TLSV1_0
    {
        bail!(
            "{flag} {v}: OpenSSL 1.1.0 and later are built without SSL 2.0 and 3.0; give TLSv1 \
             to TLSv1.3"
        );
    }
    Ok(version)
}

impl ClientSourceArgs {
    /// Which source was given, checked to be exactly one.
    fn chosen(&self) -> anyhow::Result<&'static str> {
        let given: Vec<&'static str> = [
            ("--profile", self.profile.is_some()),
            ("--capture", self.capture.is_some()),
            ("--client-hello", self.client_hello.is_some()),
            ("--openssl", self.openssl.is_some()),
        ]
        .into_iter()
        .filter_map(|(flag, set)| set.then_some(flag))
        .collect();
        match given.as_slice() {
            [one] => Ok(one),
            [] => bail!(
                "describe the client with one of --profile NAME, --capture ADDR:PORT, \
                 --client-hello FILE or --openssl \"CIPHER STRING\" (`elbtls client profiles` lists \
                 the profiles)"
            ),
            many => bail!(
                "{} describe the client twice: give only one",
                many.join(" and ")
            ),
        }
    }

    /// Checks the flags into a [`ClientSource`] without acting on them (no listening, no file
    /// read), so that a usage error is reported before anything else happens.
    pub(crate) fn validate(&self) -> anyhow::Result<ClientSource> {
        if self.count == Some(0) {
            bail!("--count 0: give the number of clients to capture (1 or more)");
        }
        Ok(match self.chosen()? {
            "--profile" => {
                let name = self.profile.clone().unwrap_or_default();
                let profiles = profile::builtin()?;
                profile::find(&profiles, &name)?;
                ClientSource::Profile(name)
            }
            "--capture" => ClientSource::Capture {
                addr: self.capture_addr()?,
                count: self.count.unwrap_or(1),
            },
            "--client-hello" => {
                ClientSource::HelloFile(self.client_hello.clone().unwrap_or_default())
            }
            _ => {
                let min = parse_version("--min-version", self.min_version.as_deref())?;
                let max = parse_version("--max-version", self.max_version.as_deref())?;
                if let (Some(min), Some(max)) = (min, max)
                    && min > max
                {
                    bail!("--min-version {min} is above --max-version {max}");
                }
                ClientSource::OpenSsl {
                    cipher_string: self.openssl.clone().unwrap_or_default(),
                    min,
                    max,
                }
            }
        })
    }

    fn capture_addr(&self) -> anyhow::Result<SocketAddr> {
        let text = self.capture.as_deref().unwrap_or_default();
        if let Ok(port) = text.parse::<u16>() {
            return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
        }
        text.parse::<SocketAddr>().map_err(|_| {
            anyhow::anyhow!(
                "--capture {text}: give ADDR:PORT to listen on, for example 127.0.0.1:8443 (or \
                 0.0.0.0:8443 to accept clients from other hosts)"
            )
        })
    }
}

/// The flag a client source came from, with its value, to name it in errors:
/// `--client-hello hello.bin: cannot read the file: …`.
pub(crate) fn source_flag(source: &ClientSource) -> String {
    match source {
        ClientSource::Profile(name) => format!("--profile {name}"),
        ClientSource::Capture { addr, .. } => format!("--capture {addr}"),
        ClientSource::HelloFile(path) => format!("--client-hello {}", path.display()),
        ClientSource::OpenSsl { cipher_string, .. } => format!("--openssl {cipher_string:?}"),
    }
}

/// Certificate kinds a listener holds (`--certificates`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CertificateArg {
    /// An RSA certificate.
    Rsa,
    /// An ECDSA certificate on P-256.
    #[value(alias = "ecdsa-p256")]
    Ecdsa,
    /// An ECDSA certificate on P-384.
    EcdsaP384,
}

impl From<CertificateArg> for RequiredCertificate {
    fn from(arg: CertificateArg) -> Self {
        match arg {
            CertificateArg::Rsa => RequiredCertificate::Rsa,
            CertificateArg::Ecdsa | CertificateArg::EcdsaP384 => RequiredCertificate::Ec,
        }
    }
}

/// The curves of the ECDSA certificates `--certificates` names (P-256 when it names none).
fn ecdsa_curves(args: &[CertificateArg]) -> Vec<NamedGroup> {
    let mut curves: Vec<NamedGroup> = args
        .iter()
        .filter_map(|a| match a {
            CertificateArg::Rsa => None,
            CertificateArg::Ecdsa => Some(NamedGroup::SECP256R1),
            CertificateArg::EcdsaP384 => Some(NamedGroup::SECP384R1),
        })
        .collect();
    curves.dedup();
    if curves.is_empty() {
        curves.push(NamedGroup::SECP256R1);
    }
    curves
}

/// The certificate kinds `--certificates` names (default: RSA only, like most ALBs).
fn certificate_kinds(args: &[CertificateArg]) -> Vec<RequiredCertificate> {
    let mut kinds: Vec<RequiredCertificate> = args.iter().map(|a| (*a).into()).collect();
    if kinds.is_empty() {
        kinds.push(RequiredCertificate::Rsa);
    }
    kinds.sort();
    kinds.dedup();
    kinds
}

/// `elbtls client check …`
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The client.
    #[command(flatten)]
    pub client: ClientSourceArgs,

    /// Check against this catalogue policy.
    #[arg(long, value_name = "NAME", help_heading = "Server")]
    pub policy: Option<String>,

    /// Probe this listener (HOST[:PORT], default port 443) and check against what it really accepts.
    #[arg(long, value_name = "HOST:PORT", help_heading = "Server")]
    pub listener: Option<String>,

    /// Check against the policy this ELBv2 listener declares (read from the account).
    #[arg(long, value_name = "LISTENER_ARN", help_heading = "Server")]
    pub arn: Option<String>,

    /// Which API's policy --policy names when ELBv2 and Classic both have one of that name
    /// (default: ELBv2), and which policies are ranked.
    #[arg(long = "type", value_name = "TYPE", help_heading = "Server")]
    pub lb_type: Option<TypeArg>,

    /// The certificates the listener holds, with --policy or --arn: rsa, ecdsa (P-256), ecdsa-p384
    /// (comma-separated; default rsa). A probed listener's are seen.
    #[arg(
        long,
        value_name = "KIND",
        value_delimiter = ',',
        help_heading = "Server"
    )]
    pub certificates: Vec<CertificateArg>,

    /// With --listener: connect to ADDR for HOST:PORT (curl's meaning). Repeatable.
    #[arg(
        long,
        value_name = "HOST:PORT:ADDR",
        requires = "listener",
        help_heading = "Probe"
    )]
    pub resolve: Vec<String>,

    /// With --listener: send NAME as the server name (SNI) instead of the host.
    #[arg(
        long,
        value_name = "NAME",
        requires = "listener",
        help_heading = "Probe"
    )]
    pub sni: Option<String>,

    /// With --listener: seconds to wait for one connection or answer.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 5.0,
        help_heading = "Probe"
    )]
    pub timeout: f64,

    /// With --arn: the AWS profile (~/.aws/config) to read the account with (default: AWS_PROFILE,
    /// else `default`). Named so because --profile names the client profile.
    #[arg(long, value_name = "NAME", requires = "arn", help_heading = "AWS")]
    pub aws_profile: Option<String>,

    /// With --arn: send AWS calls to this endpoint (AWS_ENDPOINT_URL does the same).
    #[arg(long, value_name = "URL", requires = "arn", help_heading = "AWS")]
    pub endpoint_url: Option<String>,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

impl CheckArgs {
    /// Validates the flags into the check's [`CheckJob`]: the client first, then the server.
    pub(crate) fn validate(&self) -> anyhow::Result<CheckJob> {
        let client = self.client.validate()?;
        let server = self.target()?;
        Ok(CheckJob {
            client,
            server,
            lb_type: self.lb_type.map(Into::into),
            certificates: certificate_kinds(&self.certificates),
            curves: ecdsa_curves(&self.certificates),
            format: self.output.format,
        })
    }

    fn target(&self) -> anyhow::Result<CheckTarget> {
        let given = [
            self.policy.is_some(),
            self.listener.is_some(),
            self.arn.is_some(),
        ];
        match given.iter().filter(|g| **g).count() {
            0 => bail!(
                "say what to check against: --policy NAME, --listener HOST:PORT or --arn LISTENER_ARN"
            ),
            1 => {}
            _ => bail!("give only one of --policy, --listener and --arn"),
        }
        if !self.certificates.is_empty() && self.listener.is_some() {
            bail!("--certificates: a probed listener's certificates are seen, not declared");
        }
        if let Some(name) = &self.policy {
            return Ok(CheckTarget::Policy(name.clone()));
        }
        if let Some(arn) = &self.arn {
            crate::aws::listener::parse_listener_arn(arn)
                .map_err(|e| anyhow::anyhow!("--arn {e}"))?;
            return Ok(CheckTarget::Arn {
                arn: arn.clone(),
                options: crate::aws::Options {
                    profile: self.aws_profile.clone(),
                    regions: Vec::new(),
                    all_regions: false,
                    endpoint_url: self.endpoint_url.clone(),
                    accounts: Vec::new(),
                    concurrency: 1,
                    api_rate: crate::aws::pace::ELB_RATE_DEFAULT,
                    api_timeout: crate::aws::DEFAULT_API_TIMEOUT,
                    organization: None,
                    include_caller: false,
                    part: None,
                },
            });
        }
        let listener = self.listener.as_deref().unwrap_or_default();
        let target: Target = listener
            .parse()
            .with_context(|| format!("--listener {listener}"))?;
        let overrides = self
            .resolve
            .iter()
            .map(|r| r.parse::<ResolveOverride>())
            .collect::<Result<Vec<_>, _>>()?;
        if !(self.timeout.is_finite() && self.timeout > 0.0 && self.timeout <= 600.0) {
            bail!(
                "--timeout {}: give a number of seconds above 0 and at most 600",
                self.timeout
            );
        }
        let sni = match self.sni.as_deref() {
            Some(name) => SniChoice::Name(crate::probe::target::validate_server_name(name)?),
            None => SniChoice::FromHost,
        };
        Ok(CheckTarget::Listener {
            target,
            options: ProbeOptions {
                sni,
                overrides,
                timeout: Duration::from_secs_f64(self.timeout),
                ..ProbeOptions::default()
            },
        })
    }
}

impl ClientCommand {
    /// Validates the subcommand's flags into its [`Job`].
    pub(crate) fn validate(self) -> anyhow::Result<Job> {
        Ok(match self {
            ClientCommand::Check(args) => Job::ClientCheck(Box::new(args.validate()?)),
            ClientCommand::Matrix(args) => Job::ClientMatrix(args.validate()?),
            ClientCommand::Profiles(args) => Job::ClientProfiles(args.validate()?),
            ClientCommand::Logs(args) => Job::ClientLogs(args.validate()?),
        })
    }
}

impl MatrixArgs {
    fn validate(&self) -> anyhow::Result<MatrixJob> {
        let (first, second) = match (&self.policy, &self.from, &self.to) {
            (Some(policy), None, None) => (policy.clone(), None),
            (None, Some(from), Some(to)) => (from.clone(), Some(to.clone())),
            _ => bail!("give --policy NAME, or --from NAME --to NAME"),
        };
        let all = profile::builtin()?;
        let profiles = if self.profiles.is_empty() {
            all
        } else {
            self.profiles
                .iter()
                .map(|name| profile::find(&all, name).cloned())
                .collect::<Result<_, _>>()?
        };
        Ok(MatrixJob {
            first,
            second,
            lb_type: self.lb_type.map(Into::into),
            profiles,
            certificates: certificate_kinds(&self.certificates),
            curves: ecdsa_curves(&self.certificates),
            format: self.output.format,
        })
    }
}

impl ProfilesArgs {
    fn validate(&self) -> anyhow::Result<ProfilesJob> {
        let all = profile::builtin()?;
        let profile = self
            .name
            .as_deref()
            .map(|name| profile::find(&all, name).cloned())
            .transpose()?;
        Ok(ProfilesJob {
            profile,
            all,
            format: self.output.format,
        })
    }
}

/// `elbtls client matrix …`
#[derive(Debug, Args)]
pub(crate) struct MatrixArgs {
    /// Every profile against this policy.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["from", "to"])]
    pub policy: Option<String>,

    /// What changes when a listener moves from this policy …
    #[arg(long, value_name = "NAME", requires = "to")]
    pub from: Option<String>,

    /// … to this one.
    #[arg(long, value_name = "NAME", requires = "from")]
    pub to: Option<String>,

    /// Which API's policies, when names exist for both ELBv2 and Classic (default: ELBv2).
    #[arg(long = "type", value_name = "TYPE")]
    pub lb_type: Option<TypeArg>,

    /// The certificates the listener holds: rsa, ecdsa (P-256), ecdsa-p384 (comma-separated;
    /// default rsa).
    #[arg(long, value_name = "KIND", value_delimiter = ',')]
    pub certificates: Vec<CertificateArg>,

    /// Only these profiles (repeatable or comma-separated; default: every built-in profile).
    #[arg(long = "profile", value_name = "NAME", value_delimiter = ',')]
    pub profiles: Vec<String>,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}

/// `elbtls client profiles …`
#[derive(Debug, Args)]
pub(crate) struct ProfilesArgs {
    /// Show this profile in full (suites, groups, signature algorithms, sources).
    pub name: Option<String>,

    /// Output options.
    #[command(flatten)]
    pub output: OutputArgs,
}
