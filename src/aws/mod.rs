//! The AWS layer: reads accounts the way an auditor needs them. The only module that knows AWS SDK
//! types; everything it returns is [`crate::model::inventory`] data. It does not import the
//! catalogue or the prober: policies stay as AWS declares them.
//!
//! A run loads the standard credential/region chain once ([`session`]), finds the accounts (the
//! caller's own, or one per `--role-arn` through STS AssumeRole) and their regions ([`regions`]),
//! then reads every account/region pair independently and in parallel, at most
//! [`Options::concurrency`] at a time. A pair that fails is recorded with its reason
//! ([`ScopeFailure`]) and the others go on.

pub mod answer;
pub mod classic;
pub mod cloudwatch;
pub mod elbv2;
pub mod error;
mod json_rpc;
pub mod listener;
pub mod organizations;
pub mod pace;
pub mod pages;
pub mod policies;
pub mod profiles;
pub mod regions;
pub mod securityhub;
pub mod session;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use error::{AwsError, CREDENTIALS_HELP, Failure};

use crate::model::inventory::{Inventory, LoadBalancer, Scope, ScopeFailure};

/// How long one attempt of one AWS call may take unless `--api-timeout` says otherwise.
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(30);

/// Load-balancer-level calls (listeners, policies) in flight per account/region.
const INNER_LIMIT: usize = 4;

/// An account reached through a role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSpec {
    /// The role to assume (`arn:aws:iam::111111111111:role/Audit`).
    pub role_arn: String,
    /// The external id the role's trust policy requires, if any.
    pub external_id: Option<String>,
}

/// What to read and how: validated flags, no SDK types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// A named profile (`--profile`), else the chain's default.
    pub profile: Option<String>,
    /// Regions to read (`--region`, repeatable); empty means the configured region.
    pub regions: Vec<String>,
    /// Read every region enabled for each account.
    pub all_regions: bool,
    /// Send every call to this endpoint (`--endpoint-url`; `AWS_ENDPOINT_URL` works too).
    pub endpoint_url: Option<String>,
    /// Accounts reached by AssumeRole; empty means the caller's own account.
    pub accounts: Vec<AccountSpec>,
    /// Account/region pairs read at once.
    pub concurrency: usize,
    /// Elastic Load Balancing calls a second per account, region and API (`--api-rate`; see
    /// [`pace`]).
    pub api_rate: u32,
    /// How long one attempt of one AWS call may take (`--api-timeout`).
    pub api_timeout: Duration,
    /// `--organization`: read every active account of the caller's organization.
    pub organization: Option<OrganizationScope>,
    /// Read the caller's own account as well as `accounts` (set by [`expand_organization`]).
    pub include_caller: bool,
    /// `audit --shard`: (part, parts). Only the load balancers of this part
    /// ([`LoadBalancer::shard`]) are read in full; the others are listed without their listeners
    /// in [`Inventory::outside_part`], which saves the per-load-balancer calls (most of them) in
    /// every part.
    pub part: Option<(u32, u32)>,
}

/// How `--organization` reaches the member accounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationScope {
    /// The role assumed in each member account (`--role-name`, default
    /// `OrganizationAccountAccessRole`).
    pub role_name: String,
    /// `--external-id`, if the role's trust policy requires one.
    pub external_id: Option<String>,
}

/// `--organization`: lists the organization's accounts and adds one AssumeRole per active member
/// account to `options.accounts` (the caller's own account is read with its own credentials;
/// accounts already named by `--role-arn` or `--accounts-file` keep their entry). Returns notes
/// for the person (how many accounts, which were skipped). A listing that fails is an error: an
/// organization half listed would be a silent gap.
pub async fn expand_organization(options: &mut Options) -> Result<Vec<String>, AwsError> {
    let Some(scope) = options.organization.clone() else {
        return Ok(Vec::new());
    };
    let base = session::base_config(options).await;
    session::check_credentials(&base, options).await?;
    let home = session::home_region(&base, options.regions.first().map(String::as_str));
    let caller = session::own_account(&base, &home)
        .await
        .map_err(|f| AwsError::Call {
            operation: "sts:GetCallerIdentity",
            region: home.clone(),
            reason: f.reason,
            message: f.message,
        })?;
    let found = organizations::list_accounts(&base, &home).await?;
    let partition = if home.starts_with("cn-") {
        "aws-cn"
    } else if home.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    let named: Vec<String> = options
        .accounts
        .iter()
        .filter_map(|a| session::account_of_role(&a.role_arn).map(str::to_string))
        .collect();
    let mut added = 0;
    for id in &found.active {
        if *id == caller.id || named.contains(id) {
            continue;
        }
        options.accounts.push(AccountSpec {
            role_arn: format!("arn:{partition}:iam::{id}:role/{}", scope.role_name),
            external_id: scope.external_id.clone(),
        });
        added += 1;
    }
    options.include_caller = found.active.contains(&caller.id);
    let mut notes = vec![format!(
        "--organization: {} active account{} ({added} through role {}{})",
        found.active.len(),
        if found.active.len() == 1 { "" } else { "s" },
        scope.role_name,
        if options.include_caller {
            format!(", {} with the caller's own credentials", caller.id)
        } else {
            String::new()
        }
    )];
    if !found.skipped.is_empty() {
        let skipped: Vec<String> = found
            .skipped
            .iter()
            .map(|(id, state)| format!("{id} ({})", state.to_ascii_lowercase()))
            .collect();
        notes.push(format!(
            "--organization: {} account{} skipped: {}",
            skipped.len(),
            if skipped.len() == 1 { "" } else { "s" },
            skipped.join(", ")
        ));
    }
    Ok(notes)
}

/// Where the inventory hands over each load balancer as soon as it is read in full (its tags and
/// listeners), before the rest of the account: see [`inventory_streaming`].
pub type Sink = tokio::sync::mpsc::UnboundedSender<LoadBalancer>;

/// What reading one account/region produced.
#[derive(Debug)]
pub struct ScopeReader {
    /// The account and region.
    pub scope: Scope,
    /// Whether the region is a known opt-in region (for naming its errors).
    pub opt_in: bool,
    /// Load-balancer-level calls in flight.
    pub inner_limit: usize,
    /// What was found.
    pub load_balancers: Vec<LoadBalancer>,
    /// What could not be read.
    pub failures: Vec<ScopeFailure>,
    /// Where the region's Elastic Load Balancing calls go, to name it when it cannot be reached.
    pub endpoint: String,
    /// Who else gets each load balancer the moment it is read.
    pub sink: Option<Sink>,
    /// Only the load balancers of this part (part, parts) are read in full.
    pub part: Option<(u32, u32)>,
    /// The pace of this account/region/API's calls (AWS's bucket, shared by the parts).
    pub pace: Arc<pace::Pace>,
    /// The load balancers of other parts, listed only.
    pub outside_part: Vec<LoadBalancer>,
}

impl ScopeReader {
    fn new(scope: Scope, sink: Option<Sink>, part: Option<(u32, u32)>, rate: u32) -> Self {
        Self {
            opt_in: regions::is_opt_in(&scope.region),
            scope,
            inner_limit: INNER_LIMIT,
            load_balancers: Vec::new(),
            failures: Vec::new(),
            endpoint: String::new(),
            sink,
            part,
            outside_part: Vec::new(),
            pace: Arc::new(pace::Pace::elb(rate, part.map_or(1, |(_, parts)| parts))),
        }
    }

    /// Whether `lb` is read in full (it is in the part asked for, or no part was asked for).
    /// The others are set aside in `outside_part`.
    pub fn in_part(&self, lb: &LoadBalancer) -> bool {
        self.part
            .is_none_or(|(part, parts)| lb.shard(parts) == part)
    }

    /// Records a failed call; `resource` is the load balancer when the failure is narrower than
    /// the region.
    pub fn fail(&mut self, resource: Option<String>, operation: &str, failure: Failure) {
        let failure = failure.reached_at(&self.endpoint);
        self.failures.push(ScopeFailure {
            account: self.scope.account.clone(),
            region: Some(self.scope.region.clone()),
            resource,
            reason: failure.reason,
            message: format!("{operation}: {}", failure.message),
        });
    }
}

/// Runs `f` on every item, at most `limit` at a time, and returns the results in item order.
pub async fn bounded_map<T, R, F, Fut>(items: Vec<T>, limit: usize, mut f: F) -> Vec<R>
where
    F: FnMut(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
    R: Send + 'static,
{
    let semaphore = Arc::new(Semaphore::new(limit.max(1)));
    let mut tasks = JoinSet::new();
    for (index, item) in items.into_iter().enumerate() {
        let future = f(item);
        let semaphore = Arc::clone(&semaphore);
        tasks.spawn(async move {
            // The semaphore is never closed, so acquiring cannot fail.
            let _permit = semaphore.acquire_owned().await.ok();
            (index, future.await)
        });
    }
    let mut results = Vec::with_capacity(tasks.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(result) => results.push(result),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Reads every load balancer and listener of the accounts and regions `options` names.
///
/// Errors only when nothing can be read at all (no credentials, no region); anything narrower is
/// a [`ScopeFailure`] in the result.
pub async fn inventory(options: &Options) -> Result<Inventory, AwsError> {
    inventory_streaming(options, None).await
}

/// [`inventory`], handing each load balancer to `sink` as soon as its tags and listeners are
/// read (in no particular order), while the rest is still being read. The result is the same
/// as [`inventory`]'s; the sink is dropped when it returns.
pub async fn inventory_streaming(
    options: &Options,
    sink: Option<Sink>,
) -> Result<Inventory, AwsError> {
    let base = session::base_config(options).await;
    session::check_credentials(&base, options).await?;
    if options.regions.is_empty() && !options.all_regions && base.region().is_none() {
        return Err(AwsError::NoRegion);
    }
    let home = session::home_region(&base, options.regions.first().map(String::as_str));
    let mut inventory = Inventory::default();

    let mut accounts = Vec::new();
    if options.accounts.is_empty() || options.include_caller {
        let label = match &options.profile {
            Some(profile) => format!("profile {profile}"),
            None => "caller".to_string(),
        };
        accounts.push(
            session::own_account(&base, &home)
                .await
                .map_err(|f| (label, f)),
        );
    }
    accounts.extend(
        bounded_map(options.accounts.clone(), options.concurrency, |spec| {
            let base = base.clone();
            let home = home.clone();
            async move {
                session::assumed_account(&base, &spec, &home)
                    .await
                    .map_err(|f| (spec.role_arn.clone(), f))
            }
        })
        .await,
    );

    let mut pairs: Vec<(SdkConfig, Scope)> = Vec::new();
    for account in accounts {
        let account = match account {
            Ok(account) => account,
            Err((label, failure)) => {
                inventory.failures.push(ScopeFailure {
                    account: label,
                    region: None,
                    resource: None,
                    reason: failure.reason,
                    message: failure.message,
                });
                continue;
            }
        };
        let account_regions = if options.all_regions {
            match regions::enabled_regions(&account.config).await {
                Ok(found) if !found.is_empty() => found,
                result => {
                    let why = match result {
                        Err(failure) => failure,
                        Ok(_) => Failure {
                            reason: crate::model::inventory::FailureReason::Other,
                            message: "ListRegions returned no region".to_string(),
                        },
                    };
                    inventory.failures.push(ScopeFailure {
                        account: account.id.clone(),
                        region: None,
                        resource: Some("account:ListRegions".to_string()),
                        reason: why.reason,
                        message: format!(
                            "ListRegions: {}; read the {} regions every account has, not the \
                             opt-in regions this account may have enabled (allow \
                             account:ListRegions, or name them with --region)",
                            why.message,
                            regions::default_enabled().len()
                        ),
                    });
                    regions::default_enabled()
                }
            }
        } else if options.regions.is_empty() {
            vec![home.clone()]
        } else {
            options.regions.clone()
        };
        for region in account_regions {
            pairs.push((
                account.config.clone(),
                Scope {
                    account: account.id.clone(),
                    region,
                },
            ));
        }
    }
    if options.all_regions {
        inventory.notes.push(
            "--all-regions: regions from account:ListRegions (enabled and enabled-by-default)"
                .to_string(),
        );
    }

    let (part, rate) = (options.part, options.api_rate);
    let readers = bounded_map(pairs, options.concurrency, |(config, scope)| {
        let sink = sink.clone();
        async move { read_scope(config, scope, sink, part, rate).await }
    })
    .await;
    drop(sink);
    for reader in readers {
        inventory.scopes.push(reader.scope);
        inventory.load_balancers.extend(reader.load_balancers);
        inventory.outside_part.extend(reader.outside_part);
        inventory.failures.extend(reader.failures);
    }
    inventory.sort();
    Ok(inventory)
}

/// Reads ELBv2 and Classic in one account/region, the two APIs at once.
async fn read_scope(
    config: SdkConfig,
    scope: Scope,
    sink: Option<Sink>,
    part: Option<(u32, u32)>,
    rate: u32,
) -> ScopeReader {
    let endpoint = error::endpoint(config.endpoint_url(), "elasticloadbalancing", &scope.region);
    let mut v2 = ScopeReader::new(scope.clone(), sink.clone(), part, rate);
    v2.endpoint.clone_from(&endpoint);
    let mut classic = ScopeReader::new(scope, sink, part, rate);
    classic.endpoint = endpoint;
    tokio::join!(
        elbv2::read(&config, &mut v2),
        classic::read(&config, &mut classic)
    );
    v2.load_balancers.append(&mut classic.load_balancers);
    v2.outside_part.append(&mut classic.outside_part);
    v2.failures.append(&mut classic.failures);
    v2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn bounded_map_keeps_item_order() {
        let out = bounded_map((0..20u64).collect(), 3, |i| async move {
            tokio::time::sleep(std::time::Duration::from_millis(20 - i)).await;
            i * 2
        })
        .await;
        assert_eq!(out, (0..20u64).map(|i| i * 2).collect::<Vec<_>>());
    }
}
