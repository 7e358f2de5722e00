//! Signed calls in the AWS JSON protocols (1.0, 1.1, and REST-JSON) for the few operations elbtls
//! makes without an SDK crate: CloudWatch `GetMetricData` (the SDK crate speaks only RPC v2 CBOR,
//! which moto cannot serve), Organizations `ListAccounts` (one operation, not worth a crate's
//! build) and Security Hub `BatchImportFindings`/`GetFindings` (REST-JSON; `aws-sdk-securityhub`
//! is one of the largest SDK crates). SigV4 with the run's credentials, the run's retry count on
//! throttling and server errors, one line per failure as [`Failure`].

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::SdkConfig;
use aws_credential_types::provider::ProvideCredentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use serde_json::Value;

use super::error::{Failure, reason_for_code};
use crate::model::inventory::FailureReason;

/// Where the calls to `service` (`monitoring`, `securityhub`, …) in `region` go:
/// `AWS_ENDPOINT_URL_<ENV>` (the SDK's variable for that service, `env` = `CLOUDWATCH`, …), else
/// the configured endpoint (`--endpoint-url`, `AWS_ENDPOINT_URL`), else the regional AWS one.
pub(super) fn service_endpoint(
    config: &SdkConfig,
    env: &str,
    service: &str,
    region: &str,
) -> String {
    std::env::var(format!("AWS_ENDPOINT_URL_{env}"))
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| super::error::endpoint(config.endpoint_url(), service, region))
}

/// The HTTP client for these calls: rustls (ring), 5 s to connect, `read` for an answer.
pub(super) fn connector(read: Duration) -> Arc<dyn HttpConnector> {
    Arc::new(
        aws_smithy_http_client::Connector::builder()
            .connector_settings(
                HttpConnectorSettings::builder()
                    .connect_timeout(Duration::from_secs(5))
                    .read_timeout(read)
                    .build(),
            )
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build(),
    )
}

/// One operation: how it is signed, named and where it goes.
#[derive(Clone, Debug)]
pub(super) struct Rpc {
    /// The SigV4 service name (`monitoring`, `organizations`).
    pub signing_name: &'static str,
    /// `X-Amz-Target` (`GraniteServiceVersion20100801.GetMetricData`).
    pub target: &'static str,
    /// `application/x-amz-json-1.0` or `-1.1`.
    pub content_type: &'static str,
    /// The URL.
    pub endpoint: String,
}

/// One REST-JSON operation: how it is signed, named, and where it goes.
#[derive(Clone, Debug)]
pub(super) struct Rest {
    /// The SigV4 service name (`securityhub`).
    pub signing_name: &'static str,
    /// The operation's name (`BatchImportFindings`), for messages and the IAM action.
    pub operation: &'static str,
    /// `POST`, `PATCH`, …
    pub method: &'static str,
    /// The path under the endpoint (`/findings/import`).
    pub path: &'static str,
    /// The service's endpoint URL (`https://securityhub.us-east-1.amazonaws.com`).
    pub endpoint: String,
}

/// A request about to be signed and sent.
struct Call<'a> {
    method: &'a str,
    url: String,
    headers: Vec<(&'static str, &'a str)>,
    signing_name: &'a str,
    /// The operation, for messages.
    operation: &'a str,
}

impl Rpc {
    fn call(&self) -> Call<'_> {
        Call {
            method: "POST",
            url: format!("{}/", self.endpoint.trim_end_matches('/')),
            headers: vec![
                ("content-type", self.content_type),
                ("x-amz-target", self.target),
            ],
            signing_name: self.signing_name,
            operation: self.target.rsplit('.').next().unwrap_or(self.target),
        }
    }
}

impl Rest {
    fn call(&self) -> Call<'_> {
        Call {
            method: self.method,
            url: format!("{}{}", self.endpoint.trim_end_matches('/'), self.path),
            headers: vec![("content-type", "application/json")],
            signing_name: self.signing_name,
            operation: self.operation,
        }
    }
}

/// One signed REST-JSON call, retried on throttling and server errors as the configuration
/// allows.
pub(super) async fn call_rest(
    config: &SdkConfig,
    connector: &dyn HttpConnector,
    rest: &Rest,
    region: &str,
    body: &[u8],
) -> Result<Value, Failure> {
    retried(config, || {
        call_once(config, connector, rest.call(), region, body)
    })
    .await
}

/// One signed call, retried on throttling and server errors as the configuration allows.
pub(super) async fn call(
    config: &SdkConfig,
    connector: &dyn HttpConnector,
    rpc: &Rpc,
    region: &str,
    body: &[u8],
) -> Result<Value, Failure> {
    retried(config, || {
        call_once(config, connector, rpc.call(), region, body)
    })
    .await
}

async fn retried<F, Fut>(config: &SdkConfig, attempt_once: F) -> Result<Value, Failure>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Value, Failure>>,
{
    let attempts = config.retry_config().map_or(3, |r| r.max_attempts()).max(1);
    let mut attempt = 1;
    loop {
        match attempt_once().await {
            Err(failure)
                if attempt < attempts
                    && matches!(
                        failure.reason,
                        FailureReason::Throttled
                            | FailureReason::ServiceError
                            | FailureReason::Unreachable
                    ) =>
            {
                tokio::time::sleep(Duration::from_millis(200 << attempt.min(6))).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

async fn call_once(
    config: &SdkConfig,
    connector: &dyn HttpConnector,
    call: Call<'_>,
    region: &str,
    body: &[u8],
) -> Result<Value, Failure> {
    let failure = |reason, message: String| Failure { reason, message };
    let provider = config.credentials_provider().ok_or_else(|| {
        failure(
            FailureReason::InvalidCredentials,
            "no credentials".to_string(),
        )
    })?;
    let credentials = provider.provide_credentials().await.map_err(|e| {
        failure(
            FailureReason::InvalidCredentials,
            format!("credentials: {e}"),
        )
    })?;
    let url = &call.url;
    let mut builder = http::Request::builder().method(call.method).uri(url);
    for (name, value) in &call.headers {
        builder = builder.header(*name, *value);
    }
    let request = builder
        .body(SdkBody::from(body.to_vec()))
        .map_err(|e| failure(FailureReason::Other, format!("endpoint {url}: {e}")))?;
    let signed = sign_request(
        request,
        credentials.into(),
        call.signing_name,
        call.method,
        region,
        body,
    )
    .map_err(|e| failure(FailureReason::Other, format!("signing: {e}")))?;
    let request = HttpRequest::try_from(signed)
        .map_err(|e| failure(FailureReason::Other, format!("request: {e}")))?;
    let response = tokio::time::timeout(Duration::from_secs(60), connector.call(request))
        .await
        .map_err(|_| {
            failure(
                FailureReason::Unreachable,
                format!("{} at {url}: timed out", call.operation),
            )
        })?
        .map_err(|e| failure(FailureReason::Unreachable, super::error::chain(&e)))?;
    let status = response.status().as_u16();
    let query_error = response
        .headers()
        .get("x-amzn-query-error")
        .map(str::to_string);
    // REST-JSON: `x-amzn-ErrorType: InvalidAccessException:http://…`.
    let error_type = response
        .headers()
        .get("x-amzn-errortype")
        .map(|t| t.split(':').next().unwrap_or(t).to_string());
    let bytes = ByteStream::new(response.into_body())
        .collect()
        .await
        .map_err(|e| {
            failure(
                FailureReason::Unreachable,
                format!("reading the answer: {e}"),
            )
        })?
        .into_bytes();
    let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if (200..300).contains(&status) {
        return Ok(answer);
    }
    let code = query_error
        .as_deref()
        .and_then(|h| h.split(';').next())
        .map(str::to_string)
        .or(error_type)
        .or_else(|| {
            answer["__type"]
                .as_str()
                .map(|t| t.rsplit('#').next().unwrap_or(t).to_string())
        })
        .or_else(|| answer["Code"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("HTTP {status}"));
    let message = answer["message"]
        .as_str()
        .or_else(|| answer["Message"].as_str())
        .map_or_else(|| code.clone(), |m| format!("{code}: {m}"));
    let reason = match reason_for_code(&code) {
        FailureReason::Other if status >= 500 => FailureReason::ServiceError,
        reason => reason,
    };
    Err(failure(reason, message))
}

/// Signs `request` (SigV4, for the service `signing_name`).
fn sign_request(
    mut request: http::Request<SdkBody>,
    identity: Identity,
    signing_name: &str,
    method: &str,
    region: &str,
    body: &[u8],
) -> Result<http::Request<SdkBody>, Box<dyn std::error::Error + Send + Sync>> {
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name(signing_name)
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()?
        .into();
    let headers: Vec<(&str, &str)> = request
        .headers()
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
        .collect();
    let uri = request.uri().to_string();
    let signable =
        SignableRequest::new(method, &uri, headers.into_iter(), SignableBody::Bytes(body))?;
    let (instructions, _signature) = sign(signable, &params)?.into_parts();
    instructions.apply_to_request_http1x(&mut request);
    Ok(request)
}
