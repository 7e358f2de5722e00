//! Flags of the commands that read AWS (`inventory`, `policies check-api`), and their validation
//! into [`crate::aws::Options`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, ValueEnum};
use serde::Deserialize;

use crate::aws::regions;
use crate::aws::session::account_of_role;
use crate::aws::{AccountSpec, DEFAULT_API_TIMEOUT, Options};

const INVENTORY_AFTER_HELP: &str = "\
Credentials and region come from the standard AWS chain (environment, ~/.aws profiles, SSO, web \
identity, instance and container roles). AWS_ENDPOINT_URL is honoured like --endpoint-url.

Every answer must be a whole AWS document; a listing stops after 1000 pages or at a marker seen \
before. What could not be read is listed with its reason (invalid-response, unreachable, …).

Exit codes: 0 every account and region was read, 2 usage or configuration error (including no \
credentials), 3 the inventory is incomplete (see the failures it lists).

Examples:
  elbtls inventory --region eu-west-1 --region us-east-1
  elbtls inventory --all-regions --format csv > listeners.csv
  elbtls inventory --role-arn arn:aws:iam::111111111111:role/Audit --external-id X --all-regions";

/// How to reach AWS: shared by every command that calls it.
#[derive(Debug, Clone, Args)]
pub(crate) struct AwsConnectionArgs {
    /// Use this profile of ~/.aws/config and ~/.aws/credentials (default: AWS_PROFILE, else
    /// `default`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint (a proxy, a VPC endpoint, a local emulator); the
    /// environment variable AWS_ENDPOINT_URL does the same.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Seconds one AWS call may wait for its answer before it is given up (and retried, up to
    /// AWS_MAX_ATTEMPTS attempts); a region whose calls time out is reported unreachable.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_API_TIMEOUT.as_secs_f64())]
    pub api_timeout: f64,
}

/// `elbtls inventory …`
#[derive(Debug, Clone, Args)]
#[command(after_help = INVENTORY_AFTER_HELP)]
pub(crate) struct InventoryArgs {
    /// Which accounts and regions to read.
    #[command(flatten)]
    pub scope: AwsScopeArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = InventoryFormat::Table)]
    pub format: InventoryFormat,
}

/// Which accounts and regions to read, and how to reach AWS: shared by `inventory` and `audit`.
#[derive(Debug, Clone, Args)]
pub(crate) struct AwsScopeArgs {
    /// How to reach AWS.
    #[command(flatten)]
    pub connection: AwsConnectionArgs,

    /// Read this region (repeatable, or comma-separated; default: the configured region).
    #[arg(long = "region", value_name = "REGION", value_delimiter = ',')]
    pub regions: Vec<String>,

    /// Read every region enabled for each account (account:ListRegions).
    #[arg(long, conflicts_with = "regions")]
    pub all_regions: bool,

    /// Read the account this role belongs to, through STS AssumeRole with the chain's credentials
    /// (repeatable). Without it (or --accounts-file), the chain's own account is read.
    #[arg(long = "role-arn", value_name = "ARN")]
    pub role_arns: Vec<String>,

    /// The external id the --role-arn roles (or the --organization role) require.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,

    /// Read every active account of the caller's AWS Organization (organizations:ListAccounts,
    /// from the management account or a delegated administrator), assuming --role-name in each;
    /// suspended accounts are skipped and counted. Combines with --role-arn and --accounts-file.
    #[arg(long)]
    pub organization: bool,

    /// With --organization: the role assumed in each member account.
    #[arg(
        long,
        value_name = "NAME",
        default_value = "OrganizationAccountAccessRole",
        requires = "organization"
    )]
    pub role_name: String,

    /// A TOML file of accounts to read: `[[account]]` tables with `role_arn` and optionally
    /// `external_id`.
    #[arg(long, value_name = "FILE")]
    pub accounts_file: Option<PathBuf>,

    /// Account/region pairs read at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub api_concurrency: usize,

    /// Elastic Load Balancing calls a second per account, region and API (ELBv2; Classic), after
    /// a burst of 4 x N: AWS's documented Describe bucket is 10 (burst 40). Raise it if AWS
    /// raised your account's limits; `--shard` parts each take their share.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub api_rate: u32,
}

/// Output formats of `inventory`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InventoryFormat {
    /// A table for people.
    Table,
    /// JSON with a `schema_version` (see README, "JSON output").
    Json,
    /// CSV with a header row, one listener a line.
    Csv,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountsFile {
    #[serde(default)]
    account: Vec<AccountEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountEntry {
    role_arn: String,
    external_id: Option<String>,
}

/// Checks a role ARN's shape, naming where it came from.
fn check_role_arn(arn: &str, origin: &str) -> anyhow::Result<()> {
    if account_of_role(arn).is_none() {
        bail!(
            "{origin}: `{arn}` is not an IAM role ARN (expected arn:aws:iam::123456789012:role/NAME)"
        );
    }
    Ok(())
}

/// Reads an accounts file.
pub(crate) fn read_accounts_file(path: &Path) -> anyhow::Result<Vec<AccountSpec>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--accounts-file {}", path.display()))?;
    let file: AccountsFile = toml::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "--accounts-file {}: {} (expected [[account]] tables with role_arn and optionally \
             external_id)",
            path.display(),
            e.to_string().trim()
        )
    })?;
    if file.account.is_empty() {
        bail!("--accounts-file {}: no [[account]] entries", path.display());
    }
    let mut accounts = Vec::new();
    for entry in file.account {
        check_role_arn(
            &entry.role_arn,
            &format!("--accounts-file {}", path.display()),
        )?;
        accounts.push(AccountSpec {
            role_arn: entry.role_arn,
            external_id: entry.external_id,
        });
    }
    Ok(accounts)
}

/// Checks a region code's shape (`us-east-1`, `us-gov-west-1`), so a typo fails before any call.
fn check_region(region: &str) -> anyhow::Result<()> {
    let parts: Vec<&str> = region.split('-').collect();
    let valid = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !valid {
        bail!("--region `{region}`: not a region code (for example eu-west-1)");
    }
    if !regions::is_known(region) {
        let closest = regions::closest(region);
        let guess = match closest.as_slice() {
            [] => String::new(),
            [one] => format!("; did you mean {one}?"),
            many => format!("; did you mean one of {}?", many.join(", ")),
        };
        bail!(
            "--region `{region}`: not a region this elbtls knows{guess} (a region newer than \
             this release can be allowed with {}={region})",
            regions::EXTRA_REGIONS_VAR
        );
    }
    Ok(())
}

impl AwsConnectionArgs {
    /// `--api-timeout`, checked.
    pub(crate) fn api_timeout(&self) -> anyhow::Result<Duration> {
        let secs = self.api_timeout;
        if !(secs.is_finite() && secs > 0.0 && secs <= 600.0) {
            bail!("--api-timeout {secs}: give a number of seconds above 0 and at most 600");
        }
        Ok(Duration::from_secs_f64(secs))
    }

    /// The options of a single-region call (`policies check-api`).
    pub(crate) fn options(&self, region: Option<&str>) -> anyhow::Result<Options> {
        if let Some(region) = region {
            check_region(region)?;
        }
        let api_timeout = self.api_timeout()?;
        Ok(Options {
            profile: self.profile.clone(),
            regions: region.map(str::to_string).into_iter().collect(),
            all_regions: false,
            endpoint_url: self.endpoint_url.clone(),
            accounts: Vec::new(),
            concurrency: 1,
            api_rate: crate::aws::pace::ELB_RATE_DEFAULT,
            api_timeout,
            organization: None,
            include_caller: false,
            part: None,
        })
    }
}

impl InventoryArgs {
    /// Validates the flags into the inventory's [`InventoryJob`](super::InventoryJob).
    pub(crate) fn validate(&self) -> anyhow::Result<super::InventoryJob> {
        Ok(super::InventoryJob {
            aws: self.scope.validate()?,
            format: self.format,
        })
    }
}

impl AwsScopeArgs {
    /// Validates the flags into the AWS layer's options.
    pub(crate) fn validate(&self) -> anyhow::Result<Options> {
        let mut regions = Vec::new();
        for region in &self.regions {
            let region = region.trim();
            check_region(region)?;
            if !regions.iter().any(|r| r == region) {
                regions.push(region.to_string());
            }
        }
        if !(1..=64).contains(&self.api_concurrency) {
            bail!(
                "--api-concurrency {}: give a number from 1 to 64",
                self.api_concurrency
            );
        }
        if !(1..=10_000).contains(&self.api_rate) {
            bail!(
                "--api-rate {}: give a number of calls a second from 1 to 10000",
                self.api_rate
            );
        }
        let mut accounts = Vec::new();
        for arn in &self.role_arns {
            check_role_arn(arn, "--role-arn")?;
            accounts.push(AccountSpec {
                role_arn: arn.clone(),
                external_id: self.external_id.clone(),
            });
        }
        if let Some(path) = &self.accounts_file {
            accounts.extend(read_accounts_file(path)?);
        }
        // The same role named twice (flag and file) is read once.
        let mut seen = std::collections::BTreeSet::new();
        accounts.retain(|a| seen.insert(a.role_arn.clone()));
        if self.external_id.is_some() && self.role_arns.is_empty() && !self.organization {
            bail!("--external-id goes with --role-arn or --organization");
        }
        let valid_role_name = !self.role_name.is_empty()
            && self.role_name.len() <= 64
            && self
                .role_name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-/".contains(&b));
        if !valid_role_name {
            bail!(
                "--role-name {}: not an IAM role name (letters, digits and +=,.@_-, at most 64)",
                self.role_name
            );
        }
        let organization = self.organization.then(|| crate::aws::OrganizationScope {
            role_name: self.role_name.clone(),
            external_id: self.external_id.clone(),
        });
        Ok(Options {
            profile: self.connection.profile.clone(),
            regions,
            all_regions: self.all_regions,
            endpoint_url: self.connection.endpoint_url.clone(),
            accounts,
            concurrency: self.api_concurrency,
            api_rate: self.api_rate,
            api_timeout: self.connection.api_timeout()?,
            organization,
            include_caller: false,
            part: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_codes_are_checked() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-7",
        ] {
            assert!(check_region(ok).is_ok(), "{ok}");
        }
        for bad in ["us-east", "US-EAST-1", "useast1", "us-east-1a", ""] {
            assert!(check_region(bad).is_err(), "{bad}");
        }
        // Well formed but unknown: a typo is caught before any AWS call, with the likely region.
        let typo = check_region("eu-wst-1").unwrap_err().to_string();
        assert!(typo.contains("did you mean one of eu-west-1, "), "{typo}");
        assert!(typo.contains("ELBTLS_EXTRA_REGIONS=eu-wst-1"), "{typo}");
    }

    #[test]
    fn reads_an_accounts_file_and_names_it_in_errors() {
        let dir = std::env::temp_dir().join(format!("elbtls-accounts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let good = dir.join("good.toml");
        std::fs::write(
            &good,
            "[[account]]\nrole_arn = \"arn:aws:iam::111111111111:role/Audit\"\nexternal_id = \"x\"\n",
        )
        .unwrap();
        let accounts = read_accounts_file(&good).unwrap();
        assert_eq!(accounts[0].external_id.as_deref(), Some("x"));
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "[[account]]\nrole_arn = \"Audit\"\n").unwrap();
        let error = read_accounts_file(&bad).unwrap_err().to_string();
        assert!(
            error.contains("bad.toml") && error.contains("not an IAM role ARN"),
            "{error}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
