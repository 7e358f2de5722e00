//! `audit --security-hub`: imports the run's ASFF findings into AWS Security Hub, in the account
//! each belongs to (its own credentials: with the default product ARN the caller must be the
//! finding's account) and the region each names, and archives the findings of earlier runs that
//! this run found gone.
//!
//! Per account and region: `GetFindings` (elbtls's active findings there: product ARN, generator
//! prefix `elbtls/`, record state `ACTIVE`; filtered again here, since not every endpoint applies
//! filters), then `BatchImportFindings` in batches of 100 — this run's findings (a finding seen
//! before keeps its `CreatedAt`) and, re-imported with `RecordState` `ARCHIVED`, the earlier ones
//! the caller's `archive` function accepts (Security Hub then resolves their workflow). Every
//! failed call and every finding a batch refuses (`FailedCount`, `FailedFindings`) is a
//! [`ScopeFailure`] (resource `securityhub:…`): recorded, never the end of the run. A region whose
//! `GetFindings` failed archives nothing.
//!
//! Both operations are REST-JSON calls signed here ([`super::json_rpc`]), not through
//! `aws-sdk-securityhub`, one of the largest SDK crates, for two operations.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::HttpConnector;
use serde_json::{Value, json};

use super::error::Failure;
use super::json_rpc::{self, Rest, call_rest};
use super::pages::Pages;
use super::{Options, bounded_map, session};
use crate::model::inventory::{FailureReason, ScopeFailure};

/// Findings in one `BatchImportFindings` call (the API's limit).
pub const BATCH: usize = 100;

/// What the import did.
#[derive(Debug, Default)]
pub struct SyncOutcome {
    /// Account/region pairs imported into.
    pub targets: usize,
    /// Findings of this run Security Hub accepted (new or updated).
    pub imported: usize,
    /// Of those, how many it already held (updated, not added).
    pub updated: usize,
    /// Earlier findings archived (gone since).
    pub archived: usize,
    /// Earlier findings left active: not in this run, but not checked again either (an
    /// unverified listener, a filtered run, …).
    pub kept: usize,
    /// Calls that failed and findings refused.
    pub failures: Vec<ScopeFailure>,
}

/// Turns an earlier finding this run did not produce into its archived form, or `None` to leave
/// it active.
pub type Archive = dyn Fn(&Value) -> Option<Value> + Send + Sync;

/// The findings of one account and Security Hub region (possibly none: the region is then only
/// checked for findings to archive).
pub type Groups = BTreeMap<(String, String), Vec<Value>>;

/// Imports `groups` and archives what `archive` turns into an archived finding (it is given each
/// active elbtls finding of the account and region that this run did not produce).
pub async fn sync(options: &Options, groups: Groups, archive: Arc<Archive>) -> SyncOutcome {
    let mut outcome = SyncOutcome::default();
    if groups.is_empty() {
        return outcome;
    }
    let (configs, failures) =
        session::AccountConfigs::assume(options, "securityhub:BatchImportFindings", "Security Hub")
            .await;
    outcome.failures.extend(failures);
    let connector = json_rpc::connector(Duration::from_secs(60));
    let mut work = Vec::new();
    for ((account, region), findings) in groups {
        // None: its AssumeRole failed, recorded above.
        let Some(config) = configs.get(&account) else {
            continue;
        };
        work.push((config, account, region, findings));
    }
    outcome.targets = work.len();
    let results = bounded_map(
        work,
        options.concurrency,
        |(config, account, region, findings)| {
            let connector = Arc::clone(&connector);
            let archive = Arc::clone(&archive);
            async move {
                sync_region(
                    &config,
                    connector.as_ref(),
                    &account,
                    &region,
                    findings,
                    archive.as_ref(),
                )
                .await
            }
        },
    )
    .await;
    for one in results {
        outcome.imported += one.imported;
        outcome.updated += one.updated;
        outcome.archived += one.archived;
        outcome.kept += one.kept;
        outcome.failures.extend(one.failures);
    }
    outcome
}

fn import_op(config: &SdkConfig, region: &str) -> Rest {
    Rest {
        signing_name: "securityhub",
        operation: "BatchImportFindings",
        method: "POST",
        path: "/findings/import",
        endpoint: json_rpc::service_endpoint(config, "SECURITYHUB", "securityhub", region),
    }
}

fn get_op(config: &SdkConfig, region: &str) -> Rest {
    Rest {
        signing_name: "securityhub",
        operation: "GetFindings",
        method: "POST",
        path: "/findings",
        endpoint: json_rpc::service_endpoint(config, "SECURITYHUB", "securityhub", region),
    }
}

/// The default product ARN of the account's own findings (as `report::audit::asff` writes it).
fn product_arn(region: &str, account: &str) -> String {
    let partition = if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    };
    format!("arn:{partition}:securityhub:{region}:{account}:product/{account}/default")
}

async fn sync_region(
    config: &SdkConfig,
    connector: &dyn HttpConnector,
    account: &str,
    region: &str,
    mut findings: Vec<Value>,
    archive: &Archive,
) -> SyncOutcome {
    let mut outcome = SyncOutcome::default();
    let failure = |resource: &str, failure: Failure, what: String| ScopeFailure {
        account: account.to_string(),
        region: Some(region.to_string()),
        resource: Some(resource.to_string()),
        reason: failure.reason,
        message: format!("{what}: {}", failure.message),
    };
    let product = product_arn(region, account);
    let mut archived = Vec::new();
    match active_findings(config, connector, account, region, &product).await {
        Ok(existing) => {
            let now: HashSet<String> = findings
                .iter()
                .filter_map(|f| f["Id"].as_str().map(str::to_string))
                .collect();
            let created: HashMap<&str, &Value> = existing
                .iter()
                .filter_map(|f| Some((f["Id"].as_str()?, &f["CreatedAt"])))
                .collect();
            for finding in &mut findings {
                if let Some(first) = finding["Id"].as_str().and_then(|id| created.get(id))
                    && first.is_string()
                {
                    finding["CreatedAt"] = (*first).clone();
                    outcome.updated += 1;
                }
            }
            for old in &existing {
                if old["Id"].as_str().is_some_and(|id| now.contains(id)) {
                    continue;
                }
                match archive(old) {
                    Some(finding) => archived.push(finding),
                    None => outcome.kept += 1,
                }
            }
        }
        Err(e) => outcome.failures.push(failure(
            "securityhub:GetFindings",
            e,
            "GetFindings (the earlier findings could not be read, so none was archived here; the \
             role needs securityhub:GetFindings)"
                .to_string(),
        )),
    }
    let new_count = findings.len();
    let all: Vec<Value> = findings.into_iter().chain(archived).collect();
    let batches = all.len().div_ceil(BATCH);
    let op = import_op(config, region);
    for (index, batch) in all.chunks(BATCH).enumerate() {
        let body = serde_json::to_vec(&json!({ "Findings": batch })).unwrap_or_default();
        let what = format!(
            "BatchImportFindings batch {} of {batches} ({} findings)",
            index + 1,
            batch.len()
        );
        let answer = match call_rest(config, connector, &op, region, &body).await {
            Ok(answer) => answer,
            Err(e) => {
                outcome.failures.push(failure(
                    "securityhub:BatchImportFindings",
                    e,
                    format!(
                        "{what} failed (Security Hub must be enabled in the account and region; \
                         the role needs securityhub:BatchImportFindings)"
                    ),
                ));
                continue;
            }
        };
        let (Some(failed), Some(succeeded)) = (
            answer["FailedCount"].as_u64(),
            answer["SuccessCount"].as_u64(),
        ) else {
            outcome.failures.push(failure(
                "securityhub:BatchImportFindings",
                Failure {
                    reason: FailureReason::InvalidResponse,
                    message: "the answer has no FailedCount and SuccessCount: not a \
                              BatchImportFindings result"
                        .to_string(),
                },
                what,
            ));
            continue;
        };
        let refused: HashSet<&str> = answer["FailedFindings"]
            .as_array()
            .map(|list| list.iter().filter_map(|f| f["Id"].as_str()).collect())
            .unwrap_or_default();
        // Refusals that name no finding leave every finding of the batch in doubt.
        let unknown = failed > 0 && refused.is_empty();
        for (position, finding) in batch.iter().enumerate() {
            let accepted = !unknown
                && finding["Id"]
                    .as_str()
                    .is_some_and(|id| !refused.contains(id));
            if accepted && index * BATCH + position >= new_count {
                outcome.archived += 1;
            } else if accepted {
                outcome.imported += 1;
            }
        }
        if failed > 0 || succeeded + failed != batch.len() as u64 {
            let details: Vec<String> = answer["FailedFindings"]
                .as_array()
                .into_iter()
                .flatten()
                .take(5)
                .map(|f| {
                    format!(
                        "{}: {} {}",
                        f["Id"].as_str().unwrap_or("?"),
                        f["ErrorCode"].as_str().unwrap_or("?"),
                        f["ErrorMessage"].as_str().unwrap_or("")
                    )
                })
                .collect();
            outcome.failures.push(failure(
                "securityhub:BatchImportFindings",
                Failure {
                    reason: FailureReason::ServiceError,
                    message: format!(
                        "{failed} of {} findings refused{}{}",
                        batch.len(),
                        if details.is_empty() { "" } else { ": " },
                        details.join("; ")
                    ),
                },
                what,
            ));
        }
    }
    outcome
}

/// elbtls's active findings in the account and region.
async fn active_findings(
    config: &SdkConfig,
    connector: &dyn HttpConnector,
    account: &str,
    region: &str,
    product: &str,
) -> Result<Vec<Value>, Failure> {
    let op = get_op(config, region);
    let mut found = Vec::new();
    let mut pages = Pages::new();
    let mut token: Option<String> = None;
    loop {
        let mut body = json!({
            "Filters": {
                "ProductArn": [{ "Value": product, "Comparison": "EQUALS" }],
                "GeneratorId": [{ "Value": "elbtls/", "Comparison": "PREFIX" }],
                "RecordState": [{ "Value": "ACTIVE", "Comparison": "EQUALS" }],
                "AwsAccountId": [{ "Value": account, "Comparison": "EQUALS" }],
            },
            "MaxResults": 100,
        });
        if let Some(token) = &token {
            body["NextToken"] = json!(token);
        }
        let body = serde_json::to_vec(&body).unwrap_or_default();
        let answer = call_rest(config, connector, &op, region, &body).await?;
        let list = answer["Findings"].as_array().ok_or_else(|| Failure {
            reason: FailureReason::InvalidResponse,
            message: "the answer has no `Findings` list: not a GetFindings result".to_string(),
        })?;
        found.extend(
            list.iter()
                .filter(|f| {
                    f["ProductArn"] == product
                        && f["AwsAccountId"] == account
                        && f["RecordState"] == "ACTIVE"
                        && f["GeneratorId"]
                            .as_str()
                            .is_some_and(|g| g.starts_with("elbtls/"))
                })
                .cloned(),
        );
        match pages.next(answer["NextToken"].as_str())? {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_arns_follow_the_partition() {
        assert_eq!(
            product_arn("us-east-1", "111122223333"),
            "arn:aws:securityhub:us-east-1:111122223333:product/111122223333/default"
        );
        assert!(product_arn("cn-north-1", "1").starts_with("arn:aws-cn:"));
        assert!(product_arn("us-gov-west-1", "1").starts_with("arn:aws-us-gov:"));
    }
}
