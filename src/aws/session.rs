//! The SDK configuration a run uses: the standard credential and region chain, the explicit
//! ring-based HTTPS client, adaptive retries, timeouts, and one configuration per account
//! (the caller's own, or each `--role-arn` through STS AssumeRole).

use std::collections::HashMap;
use std::time::Duration;

use aws_config::sts::AssumeRoleProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;

use super::error::{AwsError, Failure, classify, classify_credentials, credentials_advice};
use super::{AccountSpec, Options};
use crate::model::inventory::ScopeFailure;

/// The region STS and the Account API are asked in when nothing else says.
pub const HOME_REGION_FALLBACK: &str = "us-east-1";

/// Loads the configuration every client of the run derives from.
///
/// Retries: the SDK's adaptive mode (client-side rate limiting on throttling, backoff on 5xx),
/// with the attempt count from `AWS_MAX_ATTEMPTS` / the profile (default 3). Setting
/// `AWS_RETRY_MODE` keeps the mode the user chose.
pub async fn base_config(options: &Options) -> SdkConfig {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    // A hanging endpoint costs at most `api_timeout` per attempt (AWS_MAX_ATTEMPTS attempts).
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(options.api_timeout.min(Duration::from_secs(5)))
        .operation_attempt_timeout(options.api_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts);
    if let Some(profile) = &options.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &options.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    let retry = config
        .retry_config()
        .cloned()
        .unwrap_or_else(RetryConfig::standard);
    let retry = if std::env::var_os("AWS_RETRY_MODE").is_some() {
        retry
    } else {
        RetryConfig::adaptive().with_max_attempts(retry.max_attempts())
    };
    config.into_builder().retry_config(retry).build()
}

/// The region of the configuration, or `fallback`.
pub fn home_region(config: &SdkConfig, fallback: Option<&str>) -> String {
    config
        .region()
        .map(|r| r.as_ref().to_string())
        .or_else(|| fallback.map(str::to_string))
        .unwrap_or_else(|| HOME_REGION_FALLBACK.to_string())
}

/// Makes sure the credential chain yields credentials, so that a missing setup gives one clear
/// message instead of one failure per region.
pub async fn check_credentials(config: &SdkConfig, options: &Options) -> Result<(), AwsError> {
    let Some(provider) = config.credentials_provider() else {
        return Err(AwsError::NoCredentials);
    };
    let error = match provider.provide_credentials().await {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    let chain = super::error::chain(&error);
    tracing::debug!(error = %chain, "the credential chain failed");
    // A profile named by --profile or AWS_PROFILE that no shared file defines is the cause to
    // name, whatever the chain says after it.
    let (selected, origin) = match &options.profile {
        Some(profile) => (Some(profile.clone()), "--profile"),
        None => (
            std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()),
            "AWS_PROFILE",
        ),
    };
    if let Some(profile) = &selected {
        let files = super::profiles::shared_files();
        if !super::profiles::defines(&files, profile) {
            return Err(AwsError::UnknownProfile {
                profile: profile.clone(),
                origin,
                files: super::profiles::describe(&files),
            });
        }
    }
    if let CredentialsError::CredentialsNotLoaded(_) = error {
        return Err(AwsError::NoCredentials);
    }
    let (cause, fix) = credentials_advice(&chain, selected.as_deref());
    Err(AwsError::Credentials {
        profile: selected
            .as_ref()
            .map(|p| format!(" (profile {p})"))
            .unwrap_or_default(),
        cause,
        fix,
    })
}

/// One account to read, with the configuration that reaches it.
#[derive(Clone, Debug)]
pub struct Account {
    /// The 12-digit id.
    pub id: String,
    /// The configuration (credentials of this account).
    pub config: SdkConfig,
}

/// The account the caller's own credentials belong to (STS GetCallerIdentity).
pub async fn own_account(config: &SdkConfig, home: &str) -> Result<Account, Failure> {
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(config)
            .region(Region::new(home.to_string()))
            .interceptor(super::answer::CompleteAnswers)
            .build(),
    );
    let identity = sts.get_caller_identity().send().await.map_err(|e| {
        classify(&e, false).reached_at(&super::error::endpoint(config.endpoint_url(), "sts", home))
    })?;
    Ok(Account {
        id: identity.account().unwrap_or("unknown").to_string(),
        config: config.clone(),
    })
}

/// The account id in an IAM role ARN (`arn:aws:iam::111111111111:role/name`).
pub fn account_of_role(role_arn: &str) -> Option<&str> {
    let mut parts = role_arn.split(':');
    let (Some("arn"), Some(_partition), Some("iam"), Some(""), Some(account), Some(resource)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let valid = account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource.starts_with("role/");
    valid.then_some(account)
}

/// An account reached by assuming `spec.role_arn` with the base credentials. The role is assumed
/// once here, so a role that cannot be assumed fails the account, not every region of it.
pub async fn assumed_account(
    base: &SdkConfig,
    spec: &AccountSpec,
    home: &str,
) -> Result<Account, Failure> {
    let mut builder = AssumeRoleProvider::builder(spec.role_arn.clone())
        .session_name("elbtls-inventory")
        .region(Region::new(home.to_string()))
        .configure(base);
    if let Some(external_id) = &spec.external_id {
        builder = builder.external_id(external_id.clone());
    }
    let provider = builder.build().await;
    // Resolve once: a role that cannot be assumed is one account failure, said once.
    provider
        .provide_credentials()
        .await
        .map_err(|e| classify_credentials(&e, true))?;
    let config = base
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(provider))
        .build();
    let id = account_of_role(&spec.role_arn)
        .unwrap_or(spec.role_arn.as_str())
        .to_string();
    Ok(Account { id, config })
}

/// The configuration of each account a run reaches, for the calls made after the inventory
/// (CloudWatch, Security Hub): each role's, assumed once, or the caller's own.
pub struct AccountConfigs {
    base: SdkConfig,
    assumed: HashMap<String, SdkConfig>,
    caller_too: bool,
}

impl AccountConfigs {
    /// Loads the run's configuration and assumes every `--role-arn` of `options`. A role that
    /// cannot be assumed is a [`ScopeFailure`] about `action` (`cloudwatch:GetMetricData`), its
    /// message starting "AssumeRole for `service`"; its account is then left out.
    pub async fn assume(
        options: &Options,
        action: &str,
        service: &str,
    ) -> (Self, Vec<ScopeFailure>) {
        let base = base_config(options).await;
        let home = home_region(&base, options.regions.first().map(String::as_str));
        let mut assumed = HashMap::new();
        let mut failures = Vec::new();
        for spec in &options.accounts {
            match assumed_account(&base, spec, &home).await {
                Ok(account) => {
                    assumed.insert(account.id, account.config);
                }
                Err(failure) => failures.push(ScopeFailure {
                    account: spec.role_arn.clone(),
                    region: None,
                    resource: Some(action.to_string()),
                    reason: failure.reason,
                    message: format!("AssumeRole for {service}: {}", failure.message),
                }),
            }
        }
        let configs = Self {
            base,
            assumed,
            caller_too: options.accounts.is_empty() || options.include_caller,
        };
        (configs, failures)
    }

    /// The configuration for `account`: its role's, else (no roles, or `--organization`'s own
    /// account) the caller's; `None` when its role could not be assumed (a failure already).
    pub fn get(&self, account: &str) -> Option<SdkConfig> {
        match self.assumed.get(account) {
            Some(config) => Some(config.clone()),
            None if self.caller_too => Some(self.base.clone()),
            None => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_account_of_a_role_arn() {
        assert_eq!(
            account_of_role("arn:aws:iam::111111111111:role/audit"),
            Some("111111111111")
        );
        assert_eq!(
            account_of_role("arn:aws-cn:iam::222222222222:role/path/audit"),
            Some("222222222222")
        );
        assert_eq!(account_of_role("arn:aws:iam::1111:role/audit"), None);
        assert_eq!(account_of_role("arn:aws:iam::111111111111:user/x"), None);
        assert_eq!(account_of_role("audit"), None);
    }
}
