//! What a region's APIs say the predefined policies are: ELBv2 `DescribeSSLPolicies`
//! (paginated) and Classic `DescribeLoadBalancerPolicies` without a load balancer name.

use aws_sdk_elasticloadbalancingv2::Client as V2Client;

use super::classic::SSL_POLICY_TYPE;
use super::error::{AwsError, classify};
use super::{Options, classic, elbv2, session};
use crate::model::inventory::{ApiClassicPolicy, ApiPolicies, ApiSslPolicy};

/// The largest page `DescribeSSLPolicies` accepts.
const PAGE_SIZE: i32 = 400;

/// Reads the predefined policies of the first `--region` (or the configured region).
pub async fn api_policies(options: &Options) -> Result<ApiPolicies, AwsError> {
    let base = session::base_config(options).await;
    session::check_credentials(&base, options).await?;
    let region = match options.regions.first() {
        Some(region) => region.clone(),
        None => base
            .region()
            .map(|r| r.as_ref().to_string())
            .ok_or(AwsError::NoRegion)?,
    };
    let elbv2 = ssl_policies(&elbv2::client(&base, &region), &region).await?;
    let classic = classic_predefined(&classic::client(&base, &region)).await;
    Ok(ApiPolicies {
        region,
        elbv2,
        classic,
    })
}

async fn ssl_policies(client: &V2Client, region: &str) -> Result<Vec<ApiSslPolicy>, AwsError> {
    let mut policies = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = super::pages::Pages::new();
    loop {
        let page = client
            .describe_ssl_policies()
            .page_size(PAGE_SIZE)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| {
                let failure = classify(&e, super::regions::is_opt_in(region));
                AwsError::Call {
                    operation: "DescribeSSLPolicies",
                    region: region.to_string(),
                    reason: failure.reason,
                    message: failure.message,
                }
            })?;
        for policy in page.ssl_policies() {
            let mut ciphers: Vec<(String, i32)> = policy
                .ciphers()
                .iter()
                .filter_map(|c| Some((c.name()?.to_string(), c.priority().unwrap_or(i32::MAX))))
                .collect();
            ciphers.sort_by_key(|(_, priority)| *priority);
            policies.push(ApiSslPolicy {
                name: policy.name().unwrap_or("").to_string(),
                protocols: policy.ssl_protocols().to_vec(),
                ciphers,
                load_balancer_types: policy.supported_load_balancer_types().to_vec(),
            });
        }
        match pages.next(page.next_marker()) {
            Ok(Some(next)) => marker = Some(next),
            Ok(None) => break,
            Err(failure) => {
                return Err(AwsError::Call {
                    operation: "DescribeSSLPolicies",
                    region: region.to_string(),
                    reason: failure.reason,
                    message: failure.message,
                });
            }
        }
    }
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(policies)
}

/// The predefined Classic policies, or why the API would not list them (moto, for one, answers
/// `LoadBalancerNotFound`).
async fn classic_predefined(
    client: &aws_sdk_elasticloadbalancing::Client,
) -> Result<Vec<ApiClassicPolicy>, String> {
    let output = client
        .describe_load_balancer_policies()
        .send()
        .await
        .map_err(|e| {
            let failure = classify(&e, false);
            format!("{}: {}", failure.reason, failure.message)
        })?;
    let mut policies: Vec<ApiClassicPolicy> = output
        .policy_descriptions()
        .iter()
        .filter(|p| p.policy_type_name() == Some(SSL_POLICY_TYPE))
        .map(classic::api_policy)
        .collect();
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(policies)
}
