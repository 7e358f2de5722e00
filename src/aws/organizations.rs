//! `--organization`: the accounts of the caller's AWS Organization (`organizations:ListAccounts`,
//! paginated, from the management account or a delegated administrator), each to be read by
//! assuming `--role-name` in it. Suspended (and closed) accounts are skipped and counted.
//!
//! Signed here in the AWS JSON 1.1 protocol ([`super::json_rpc`]) rather than through
//! `aws-sdk-organizations`: one operation does not earn a crate's build. Organizations answers
//! in us-east-1 (aws) or the partition's one region.

use std::time::Duration;

use aws_config::SdkConfig;
use serde_json::{Value, json};

use super::error::{AwsError, Failure};
use super::json_rpc::{self, Rpc, call};
use super::pages::Pages;
use crate::model::inventory::FailureReason;

/// What ListAccounts says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrganizationAccounts {
    /// Active account ids, in the order listed.
    pub active: Vec<String>,
    /// Accounts skipped: suspended, closed or pending closure (id and state).
    pub skipped: Vec<(String, String)>,
}

/// The region Organizations is called in, for the partition of `home`.
fn organizations_region(home: &str) -> &'static str {
    if home.starts_with("cn-") {
        "cn-northwest-1"
    } else if home.starts_with("us-gov-") {
        "us-gov-west-1"
    } else {
        "us-east-1"
    }
}

/// Lists the organization's accounts with the caller's credentials (`config`).
pub async fn list_accounts(
    config: &SdkConfig,
    home: &str,
) -> Result<OrganizationAccounts, AwsError> {
    let region = organizations_region(home);
    let rpc = Rpc {
        signing_name: "organizations",
        target: "AWSOrganizationsV20161128.ListAccounts",
        content_type: "application/x-amz-json-1.1",
        endpoint: json_rpc::service_endpoint(config, "ORGANIZATIONS", "organizations", region),
    };
    let connector = json_rpc::connector(Duration::from_secs(30));
    let fail = |failure: Failure| AwsError::Call {
        operation: "organizations:ListAccounts",
        region: region.to_string(),
        reason: failure.reason,
        message: format!(
            "{} (--organization needs the organization's management account or a delegated \
             administrator, with organizations:ListAccounts)",
            failure.message
        ),
    };
    let mut found = OrganizationAccounts::default();
    let mut pages = Pages::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({ "MaxResults": 20 });
        if let Some(token) = &token {
            body["NextToken"] = json!(token);
        }
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let answer = call(config, connector.as_ref(), &rpc, region, &body)
            .await
            .map_err(fail)?;
        read_page(&answer, &mut found).map_err(|message| {
            fail(Failure {
                reason: FailureReason::InvalidResponse,
                message,
            })
        })?;
        match pages.next(answer["NextToken"].as_str()).map_err(fail)? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(found)
}

/// One ListAccounts page into `found`; an answer without `Accounts` is an error, never an empty
/// organization.
fn read_page(answer: &Value, found: &mut OrganizationAccounts) -> Result<(), String> {
    let accounts = answer["Accounts"]
        .as_array()
        .ok_or("the answer has no `Accounts` list: not a ListAccounts result")?;
    for account in accounts {
        let id = account["Id"]
            .as_str()
            .filter(|id| id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("an account without a 12-digit `Id`: {account}"))?;
        // `State` (2024 on), else the older `Status`.
        let state = account["State"]
            .as_str()
            .or_else(|| account["Status"].as_str())
            .unwrap_or("UNKNOWN");
        if state == "ACTIVE" {
            found.active.push(id.to_string());
        } else {
            found.skipped.push((id.to_string(), state.to_string()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_active_and_skips_the_rest_by_state_or_status() {
        let mut found = OrganizationAccounts::default();
        read_page(
            &json!({ "Accounts": [
                { "Id": "111111111111", "State": "ACTIVE" },
                { "Id": "222222222222", "Status": "SUSPENDED" },
                { "Id": "333333333333", "State": "PENDING_CLOSURE", "Status": "ACTIVE" },
            ]}),
            &mut found,
        )
        .unwrap();
        assert_eq!(found.active, ["111111111111"]);
        assert_eq!(
            found.skipped,
            [
                ("222222222222".to_string(), "SUSPENDED".to_string()),
                ("333333333333".to_string(), "PENDING_CLOSURE".to_string())
            ]
        );
        assert!(read_page(&json!({}), &mut found).is_err());
        assert!(read_page(&json!({ "Accounts": [{ "Id": "12" }] }), &mut found).is_err());
    }
}
