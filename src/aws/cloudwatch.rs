//! `audit --negotiation-errors`: each ELBv2 load balancer's CloudWatch
//! `ClientTLSNegotiationErrorCount`, summed over the last N hours.
//!
//! The metric is `ClientTLSNegotiationErrorCount` in `AWS/ApplicationELB` (ALB) and
//! `AWS/NetworkELB` (NLB), with the `LoadBalancer` dimension `app/NAME/ID` or `net/NAME/ID` (the
//! end of the ARN). Classic load balancers publish no such metric, and Gateway load balancers do
//! not terminate TLS. CloudWatch reports the metric only when it is not zero, so a load balancer
//! without data points had no errors.
//!
//! One `GetMetricData` call asks for up to 500 load balancers of one account and region (one
//! query each, a single period spanning the whole window), following `NextToken`. The call is
//! made here, signed with SigV4, in CloudWatch's AWS JSON 1.0 protocol, instead of through
//! `aws-sdk-cloudwatch`: that crate speaks only Smithy RPC v2 CBOR, which moto (the test suite's
//! AWS) does not implement, and it adds 30–60 s to a cold build on two cores for one operation.
//! Real CloudWatch accepts JSON 1.0 (it lists `smithy-rpc-v2-cbor`, `json` and `query`).
//!
//! A region whose call fails is a [`ScopeFailure`] (the audit is then incomplete), never an error.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_smithy_runtime_api::client::http::HttpConnector;
use serde::Deserialize;
use serde_json::{Value, json};

use super::error::{Failure, reason_for_code};
use super::json_rpc::{self, Rpc, call};
use super::{Options, bounded_map, session};
use crate::model::LoadBalancerType;
use crate::model::inventory::{FailureReason, LoadBalancer, ScopeFailure};

/// The longest window CloudWatch keeps hourly data for: 455 days.
pub const MAX_HOURS: u32 = 455 * 24;

/// Queries in one `GetMetricData` call (CloudWatch's limit).
const QUERIES_PER_CALL: usize = 500;

/// The metric, in both namespaces.
const METRIC: &str = "ClientTLSNegotiationErrorCount";

/// The JSON 1.0 operation name.
const TARGET: &str = "GraniteServiceVersion20100801.GetMetricData";

/// What the calls found.
#[derive(Debug, Default)]
pub struct NegotiationErrors {
    /// Errors per load-balancer ARN, for every ELBv2 load balancer with a TLS listener whose
    /// region was read (0 when CloudWatch has no data point).
    pub counts: HashMap<String, u64>,
    /// Accounts and regions whose metrics could not be read.
    pub failures: Vec<ScopeFailure>,
}

/// One load balancer's query.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Query {
    arn: String,
    namespace: &'static str,
    dimension: String,
}

impl Query {
    /// The query for an ALB or NLB with a TLS listener; `None` for anything else.
    fn of(lb: &LoadBalancer) -> Option<Self> {
        let namespace = match lb.lb_type {
            LoadBalancerType::Application => "AWS/ApplicationELB",
            LoadBalancerType::Network => "AWS/NetworkELB",
            _ => return None,
        };
        if !lb.listeners.iter().any(|l| l.terminates_tls()) {
            return None;
        }
        let arn = lb.arn.clone()?;
        let dimension = arn.split_once(":loadbalancer/")?.1.to_string();
        Some(Self {
            arn,
            namespace,
            dimension,
        })
    }
}

/// Reads the error counts of every ALB and NLB with a TLS listener in `load_balancers`.
pub async fn negotiation_errors(
    options: &Options,
    load_balancers: &[LoadBalancer],
    hours: u32,
) -> NegotiationErrors {
    let mut groups: BTreeMap<(String, String), Vec<Query>> = BTreeMap::new();
    for lb in load_balancers {
        if let Some(query) = Query::of(lb) {
            groups
                .entry((lb.scope.account.clone(), lb.scope.region.clone()))
                .or_default()
                .push(query);
        }
    }
    let mut result = NegotiationErrors::default();
    if groups.is_empty() {
        return result;
    }
    let (configs, failures) =
        session::AccountConfigs::assume(options, "cloudwatch:GetMetricData", "CloudWatch").await;
    result.failures.extend(failures);
    let connector = json_rpc::connector(Duration::from_secs(30));
    let end = (crate::clock::now_unix() / 60) * 60;
    let window = Window {
        start: end - i64::from(hours) * 3600,
        end,
    };
    let work: Vec<(SdkConfig, String, String, Vec<Query>)> = groups
        .into_iter()
        .filter_map(|((account, region), queries)| {
            let config = configs.get(&account)?;
            Some((config, account, region, queries))
        })
        .collect();
    let outcomes = bounded_map(
        work,
        options.concurrency,
        |(config, account, region, queries)| {
            let connector = Arc::clone(&connector);
            async move {
                let outcome =
                    read_region(&config, connector.as_ref(), &region, &queries, window).await;
                (account, region, queries, outcome)
            }
        },
    )
    .await;
    for (account, region, queries, outcome) in outcomes {
        match outcome {
            Ok(sums) => {
                for (query, sum) in queries.into_iter().zip(sums) {
                    result.counts.insert(query.arn, sum);
                }
            }
            Err(failure) => result.failures.push(ScopeFailure {
                account,
                region: Some(region),
                resource: Some("cloudwatch:GetMetricData".to_string()),
                reason: failure.reason,
                message: format!(
                    "GetMetricData: {} (the negotiation-error counts of this region are missing; \
                     the role needs cloudwatch:GetMetricData)",
                    failure.message
                ),
            }),
        }
    }
    result
}

/// The time window, in Unix seconds.
#[derive(Clone, Copy, Debug)]
struct Window {
    start: i64,
    end: i64,
}

/// The sums for `queries`, in their order.
async fn read_region(
    config: &SdkConfig,
    connector: &dyn HttpConnector,
    region: &str,
    queries: &[Query],
    window: Window,
) -> Result<Vec<u64>, Failure> {
    let mut sums = Vec::with_capacity(queries.len());
    for batch in queries.chunks(QUERIES_PER_CALL) {
        let mut totals = vec![0.0_f64; batch.len()];
        let mut answered = vec![false; batch.len()];
        let mut next_token: Option<String> = None;
        loop {
            let body = request_body(batch, window, next_token.as_deref());
            let rpc = Rpc {
                signing_name: "monitoring",
                target: TARGET,
                content_type: "application/x-amz-json-1.0",
                endpoint: json_rpc::service_endpoint(config, "CLOUDWATCH", "monitoring", region),
            };
            let answer = call(config, connector, &rpc, region, &body).await?;
            let page = MetricDataPage::read(answer)?;
            for result in page.metric_data_results {
                let index = result
                    .id
                    .strip_prefix('m')
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|i| *i < batch.len())
                    .ok_or_else(|| Failure {
                        reason: FailureReason::InvalidResponse,
                        message: format!(
                            "GetMetricData answered for query `{}`, which was not asked",
                            crate::text::excerpt(&result.id, 40)
                        ),
                    })?;
                if let Some(code @ ("Forbidden" | "InternalError")) = result.status_code.as_deref()
                {
                    return Err(Failure {
                        reason: reason_for_code(if code == "Forbidden" {
                            "AccessDenied"
                        } else {
                            "InternalError"
                        }),
                        message: format!("{code} for {}", batch[index].dimension),
                    });
                }
                answered[index] = true;
                totals[index] += result.values.iter().sum::<f64>();
            }
            next_token = page.next_token;
            if next_token.is_none() {
                break;
            }
        }
        // A load balancer CloudWatch said nothing about is not one with zero errors.
        if let Some(missing) = answered.iter().position(|a| !a) {
            return Err(Failure {
                reason: FailureReason::InvalidResponse,
                message: format!(
                    "GetMetricData returned no result for {}",
                    batch[missing].dimension
                ),
            });
        }
        sums.extend(totals.into_iter().map(|t| t.max(0.0).round() as u64));
    }
    Ok(sums)
}

/// One page of a `GetMetricData` answer, as far as the counts need it. What they depend on is
/// required: an answer without `MetricDataResults`, or with values that are not numbers, is an
/// invalid response, never zero errors.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDataPage {
    metric_data_results: Vec<MetricDataResult>,
    #[serde(default)]
    next_token: Option<String>,
}

/// One query's result.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MetricDataResult {
    id: String,
    /// Absent when the window has no data point.
    #[serde(default)]
    values: Vec<f64>,
    /// `Complete`, `PartialData` (more on the next page), `InternalError`, `Forbidden`.
    #[serde(default)]
    status_code: Option<String>,
}

impl MetricDataPage {
    fn read(answer: Value) -> Result<Self, Failure> {
        let invalid = |message: String| Failure {
            reason: FailureReason::InvalidResponse,
            message,
        };
        if answer.is_null() {
            return Err(invalid(
                "GetMetricData answered with a body that is not JSON".into(),
            ));
        }
        serde_json::from_value(answer).map_err(|e| {
            invalid(format!(
                "GetMetricData answered with a body that is not a GetMetricData result ({e})"
            ))
        })
    }
}

/// The `GetMetricData` request: one `Sum` per load balancer over one period spanning the window.
fn request_body(batch: &[Query], window: Window, next_token: Option<&str>) -> Vec<u8> {
    let queries: Vec<Value> = batch
        .iter()
        .enumerate()
        .map(|(i, q)| {
            json!({
                "Id": format!("m{i}"),
                "MetricStat": {
                    "Metric": {
                        "Namespace": q.namespace,
                        "MetricName": METRIC,
                        "Dimensions": [{"Name": "LoadBalancer", "Value": q.dimension}],
                    },
                    "Period": window.end - window.start,
                    "Stat": "Sum",
                },
                "ReturnData": true,
            })
        })
        .collect();
    let mut body = json!({
        "MetricDataQueries": queries,
        "StartTime": window.start,
        "EndTime": window.end,
    });
    if let Some(token) = next_token {
        body["NextToken"] = json!(token);
    }
    body.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::inventory::{DeclaredPolicy, Listener, Scheme, Scope};

    fn lb(lb_type: LoadBalancerType, arn: &str, protocol: &str) -> LoadBalancer {
        LoadBalancer {
            scope: Scope {
                account: "123456789012".into(),
                region: "eu-west-1".into(),
            },
            name: "x".into(),
            arn: Some(arn.into()),
            lb_type,
            scheme: Scheme::Unknown,
            dns_name: None,
            state: None,
            vpc_id: None,
            tags: Default::default(),
            listeners: vec![Listener {
                arn: None,
                port: 443,
                protocol: protocol.into(),
                declared: DeclaredPolicy::None,
                certificates: Vec::new(),
                alpn_policy: Vec::new(),
                mutual_tls: None,
                redirects_to_https: None,
            }],
        }
    }

    #[test]
    fn queries_albs_and_nlbs_with_tls_by_their_arn_suffix() {
        let alb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188";
        let nlb = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/api/73e2d6bc24d8a067";
        let query = Query::of(&lb(LoadBalancerType::Application, alb, "HTTPS")).unwrap();
        assert_eq!(query.namespace, "AWS/ApplicationELB");
        assert_eq!(query.dimension, "app/web/50dc6c495c0c9188");
        let query = Query::of(&lb(LoadBalancerType::Network, nlb, "TLS")).unwrap();
        assert_eq!(query.namespace, "AWS/NetworkELB");
        assert_eq!(query.dimension, "net/api/73e2d6bc24d8a067");
        // No TLS listener, or no such metric: nothing to ask.
        assert_eq!(
            Query::of(&lb(LoadBalancerType::Application, alb, "HTTP")),
            None
        );
        assert_eq!(
            Query::of(&lb(LoadBalancerType::Classic, alb, "HTTPS")),
            None
        );
    }

    #[test]
    fn one_sum_per_load_balancer_over_the_whole_window() {
        let query = Query {
            arn: "a".into(),
            namespace: "AWS/NetworkELB",
            dimension: "net/api/1".into(),
        };
        let body = request_body(
            &[query],
            Window {
                start: 1_000,
                end: 87_400,
            },
            Some("tok"),
        );
        let body: Value = serde_json::from_slice(&body).unwrap();
        let stat = &body["MetricDataQueries"][0]["MetricStat"];
        assert_eq!(stat["Period"], 86_400);
        assert_eq!(stat["Stat"], "Sum");
        assert_eq!(stat["Metric"]["MetricName"], METRIC);
        assert_eq!(stat["Metric"]["Dimensions"][0]["Value"], "net/api/1");
        assert_eq!(body["NextToken"], "tok");
        assert_eq!(body["StartTime"], 1_000);
    }

    /// Issue 11: an answer that is not a `GetMetricData` result used to count as zero errors.
    #[test]
    fn an_unexpected_answer_is_invalid_not_zero() {
        let page = MetricDataPage::read(json!({
            "MetricDataResults": [
                {"Id": "m0", "Values": [2.0, 3.0], "StatusCode": "Complete"},
                {"Id": "m1", "StatusCode": "Complete"}
            ],
            "NextToken": "tok"
        }))
        .unwrap();
        assert_eq!(page.metric_data_results.len(), 2);
        assert_eq!(page.metric_data_results[0].values, [2.0, 3.0]);
        assert!(page.metric_data_results[1].values.is_empty());
        assert_eq!(page.next_token.as_deref(), Some("tok"));

        for (answer, says) in [
            (Value::Null, "not JSON"),
            (json!({}), "MetricDataResults"),
            (
                json!({"MetricDataResults": {"Id": "m0"}}),
                "not a GetMetricData result",
            ),
            (
                json!({"MetricDataResults": [{"Id": "m0", "Values": ["7"]}]}),
                "not a GetMetricData result",
            ),
        ] {
            let failure = MetricDataPage::read(answer.clone()).unwrap_err();
            assert_eq!(failure.reason, FailureReason::InvalidResponse, "{answer}");
            assert!(
                failure.message.contains(says),
                "{answer}: {}",
                failure.message
            );
        }
    }
}
