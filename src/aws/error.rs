//! Errors of the AWS layer, and the classification of SDK errors into [`FailureReason`]s that the
//! inventory records while the rest of the run goes on.

use std::error::Error as StdError;

use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::answer::{UnreadableAnswer, snippet};

use crate::model::inventory::FailureReason;

/// The standard places credentials come from, for the "no credentials" message.
pub const CREDENTIALS_HELP: &str = "provide them the usual AWS way: AWS_ACCESS_KEY_ID and \
AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), a profile in ~/.aws/credentials or ~/.aws/config \
(AWS_PROFILE or --profile; for SSO profiles run `aws sso login` first), web identity \
(AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN), or an instance or container role";

/// Why the AWS layer could not start, or a single call it depends on failed.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The credential chain found nothing.
    #[error("no AWS credentials found: {CREDENTIALS_HELP}")]
    NoCredentials,
    /// The profile asked for (`--profile`, `AWS_PROFILE`) is in none of the shared files.
    #[error(
        "{origin} {profile}: no such profile in {files}; name one of those, or add it (`aws \
         configure --profile {profile}`, or `aws configure sso` for SSO)"
    )]
    UnknownProfile {
        /// The profile name.
        profile: String,
        /// `--profile` or `AWS_PROFILE`.
        origin: &'static str,
        /// The files read and the profiles they define.
        files: String,
    },
    /// Credentials were found but could not be loaded (for example an expired SSO session).
    #[error("could not load AWS credentials{profile}: {cause}; {fix}")]
    Credentials {
        /// ` (profile P)` or empty.
        profile: String,
        /// What went wrong, in one short clause (the provider's whole chain is logged with `-v`).
        cause: String,
        /// What to do about it.
        fix: String,
    },
    /// No region was given or configured.
    #[error(
        "no AWS region: pass --region REGION (repeatable) or --all-regions, or set AWS_REGION or \
         `region` in the profile"
    )]
    NoRegion,
    /// A bad option value.
    #[error("{0}")]
    Config(String),
    /// A call that the command cannot do without failed.
    #[error("{operation} in {region}: {reason}: {message}")]
    Call {
        /// The API operation.
        operation: &'static str,
        /// The region.
        region: String,
        /// The class of failure.
        reason: FailureReason,
        /// What the API said.
        message: String,
    },
}

/// A classified failure of one call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The class.
    pub reason: FailureReason,
    /// A one-line explanation.
    pub message: String,
}

impl Failure {
    /// Names the endpoint a connection failure was about (`https://sts.us-east-1.amazonaws.com:
    /// cannot connect …`); other failures are returned as they are.
    pub fn reached_at(mut self, endpoint: &str) -> Self {
        if self.reason == FailureReason::Unreachable {
            self.message = format!("{endpoint}: {}", self.message);
        }
        self
    }
}

/// The endpoint a service's calls go to: the `--endpoint-url` / `AWS_ENDPOINT_URL` override
/// when set, else the service's regional AWS endpoint (`.amazonaws.com.cn` in China).
pub fn endpoint(override_url: Option<&str>, service: &str, region: &str) -> String {
    match override_url {
        Some(url) => url.to_string(),
        None if region.starts_with("cn-") => format!("https://{service}.{region}.amazonaws.com.cn"),
        None => format!("https://{service}.{region}.amazonaws.com"),
    }
}

/// Classifies an error code as AWS returns it (`AccessDenied`, `ExpiredToken`, `Throttling`, …).
pub fn reason_for_code(code: &str) -> FailureReason {
    match code {
        "AccessDenied" | "AccessDeniedException" | "UnauthorizedOperation" | "AuthFailure" => {
            FailureReason::AccessDenied
        }
        "OptInRequired" | "UnrecognizedClientException" => FailureReason::RegionNotEnabled,
        "ExpiredToken"
        | "ExpiredTokenException"
        | "RequestExpired"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "InvalidAccessKeyId" => FailureReason::InvalidCredentials,
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequests"
        | "TooManyRequestsException"
        | "RequestThrottled" => FailureReason::Throttled,
        "InternalFailure"
        | "InternalError"
        | "ServiceUnavailable"
        | "ServiceUnavailableException" => FailureReason::ServiceError,
        _ => FailureReason::Other,
    }
}

/// Classifies an SDK error. `opt_in_region` says whether the region is an opt-in one, where AWS
/// answers an account that has not enabled it with an invalid-token error.
///
/// Every message is one line a person can read: what happened, and what to check. An answer that
/// is not a complete AWS document ([`UnreadableAnswer`]) is `invalid-response` (or
/// `service-error` for a 5xx page); a timeout says how long was waited and which flag raises it.
pub fn classify<E>(error: &SdkError<E, HttpResponse>, opt_in_region: bool) -> Failure
where
    E: ProvideErrorMetadata + StdError + 'static,
{
    if let Some(answer) = find_in_chain::<UnreadableAnswer>(error) {
        return Failure {
            reason: if answer.is_server_error() {
                FailureReason::ServiceError
            } else {
                FailureReason::InvalidResponse
            },
            message: answer.to_string(),
        };
    }
    match error {
        SdkError::ServiceError(_) => {
            let Some(code) = error.code() else {
                return no_error_code(error);
            };
            let mut reason = reason_for_code(code);
            if opt_in_region && reason == FailureReason::InvalidCredentials {
                reason = FailureReason::RegionNotEnabled;
            }
            let message = match error.message() {
                Some(message) => format!("{code}: {}", one_line(message)),
                None => code.to_string(),
            };
            let message = if reason == FailureReason::RegionNotEnabled {
                format!("{message} (an opt-in region not enabled for this account?)")
            } else {
                message
            };
            Failure { reason, message }
        }
        SdkError::TimeoutError(_) => Failure {
            reason: FailureReason::Unreachable,
            message: timeout_message(&chain(error)),
        },
        SdkError::DispatchFailure(dispatch) => {
            if dispatch.is_user() {
                Failure {
                    reason: FailureReason::Other,
                    message: chain(error),
                }
            } else if dispatch.is_timeout() {
                Failure {
                    reason: FailureReason::Unreachable,
                    message: timeout_message(&chain(error)),
                }
            } else {
                let chain = chain(error);
                tracing::debug!(error = %chain, "an AWS endpoint could not be reached");
                let root = chain.rsplit(": ").next().unwrap_or(&chain).to_string();
                Failure {
                    reason: FailureReason::Unreachable,
                    message: format!(
                        "cannot connect ({root}); check the network, any HTTPS proxy, and \
                         --endpoint-url / AWS_ENDPOINT_URL"
                    ),
                }
            }
        }
        SdkError::ResponseError(_) => Failure {
            reason: FailureReason::InvalidResponse,
            message: format!(
                "{}; the answer could not be read (the connection was cut, or something other \
                 than AWS answered: check any HTTPS proxy and --endpoint-url / AWS_ENDPOINT_URL)",
                chain(error)
            ),
        },
        _ => {
            let text = chain(error);
            Failure {
                reason: credential_reason(&text),
                message: text,
            }
        }
    }
}

/// A service error without an error code: the body was not an AWS error document.
fn no_error_code<E>(error: &SdkError<E, HttpResponse>) -> Failure {
    let Some(raw) = error.raw_response() else {
        return Failure {
            reason: FailureReason::InvalidResponse,
            message: "the endpoint answered with an error that names no error code; check any \
                      HTTPS proxy and --endpoint-url / AWS_ENDPOINT_URL"
                .to_string(),
        };
    };
    let status = raw.status().as_u16();
    let content_type = raw
        .headers()
        .get("content-type")
        .map_or_else(|| "no content type".to_string(), snippet);
    let start = raw.body().bytes().map_or_else(String::new, |b| {
        format!(": it starts `{}`", snippet(&String::from_utf8_lossy(b)))
    });
    Failure {
        reason: if status >= 500 {
            FailureReason::ServiceError
        } else {
            FailureReason::InvalidResponse
        },
        message: format!(
            "the endpoint answered HTTP {status} ({content_type}) without an AWS error code{start}; \
             check any HTTPS proxy and --endpoint-url / AWS_ENDPOINT_URL"
        ),
    }
}

/// "no answer within 30 s" from the SDK's "… timeout … occurred after 30s".
fn timeout_message(text: &str) -> String {
    let waited = text
        .split("occurred after ")
        .nth(1)
        .and_then(|rest| rest.split([' ', ':', ';', ')']).next())
        .map(|d| match d.strip_suffix('s') {
            Some(n) if !n.ends_with('m') && !n.ends_with('n') && !n.ends_with('µ') => {
                format!(" within {n} s")
            }
            _ => format!(" within {d}"),
        })
        .unwrap_or_default();
    format!(
        "no answer{waited}: the endpoint accepted the request but did not answer in time (raise \
         --api-timeout, or check the network, any HTTPS proxy and --endpoint-url / \
         AWS_ENDPOINT_URL)"
    )
}

/// The first error of type `T` in `error`'s source chain.
fn find_in_chain<'a, T: StdError + 'static>(error: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}

/// An error and its sources on one line, each text once (the SDK's own display repeats nested
/// messages and appends a debug dump).
pub fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut current = Some(error);
    while let Some(e) = current {
        let text = one_line(&e.to_string());
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        current = e.source();
    }
    parts.join(": ")
}

/// A construction failure is usually the credentials provider failing (AssumeRole, SSO).
fn credential_reason(text: &str) -> FailureReason {
    if text.contains("AssumeRole") {
        FailureReason::AssumeRoleFailed
    } else if text.contains("credentials") {
        FailureReason::InvalidCredentials
    } else {
        FailureReason::Other
    }
}

/// Classifies a credentials-provider error (the provider's message, never the credentials).
pub fn classify_credentials(
    error: &aws_credential_types::provider::error::CredentialsError,
    assumed_role: bool,
) -> Failure {
    let message = credentials_message(error);
    let lower = message.to_ascii_lowercase();
    let reason = if lower.contains("accessdenied") || lower.contains("not authorized") {
        if assumed_role {
            FailureReason::AssumeRoleFailed
        } else {
            FailureReason::AccessDenied
        }
    } else if lower.contains("expired") || lower.contains("invalidclienttokenid") {
        FailureReason::InvalidCredentials
    } else if lower.contains("dispatch failure") || lower.contains("timed out") {
        FailureReason::Unreachable
    } else if assumed_role {
        FailureReason::AssumeRoleFailed
    } else {
        FailureReason::InvalidCredentials
    };
    Failure { reason, message }
}

/// A credentials provider's failure as one cause and one fix, from what it said (`chain`): an
/// expired or missing SSO session, expired session credentials, the instance metadata service, a
/// failing `credential_process`, a refused AssumeRole. `profile` is the profile in use, if any.
pub fn credentials_advice(chain: &str, profile: Option<&str>) -> (String, String) {
    let lower = chain.to_ascii_lowercase();
    let with_profile = profile
        .map(|p| format!(" --profile {p}"))
        .unwrap_or_default();
    let last = chain
        .rsplit(": ")
        .next()
        .unwrap_or(chain)
        .trim()
        .to_string();
    // The process's own words come first: they may mention SSO or expiry themselves.
    if lower.contains("external process") || lower.contains("credential_process") {
        (
            format!("the profile's credential_process failed ({chain})"),
            "run that command by hand to see why, then fix it or the profile".to_string(),
        )
    } else if lower.contains("sso") && lower.contains("expired") {
        (
            "the SSO session has expired".to_string(),
            format!("run `aws sso login{with_profile}`, then run elbtls again"),
        )
    } else if lower.contains("sso") && (lower.contains("cache") || lower.contains("token")) {
        (
            format!("no usable SSO session ({last})"),
            format!("run `aws sso login{with_profile}`, then run elbtls again"),
        )
    } else if lower.contains("imds") || lower.contains("metadata") {
        (
            format!("the instance metadata service (IMDS) gave no credentials ({last})"),
            format!(
                "on EC2 or ECS check the instance or task role (and that no proxy answers for \
                 169.254.169.254); elsewhere {CREDENTIALS_HELP}"
            ),
        )
    } else if lower.contains("assumerole") || lower.contains("assume role") {
        (
            format!("the profile's AssumeRole was refused ({last})"),
            "check the role's trust policy and the source credentials of the profile".to_string(),
        )
    } else if lower.contains("expired") {
        (
            format!("the credentials have expired ({last})"),
            "get new ones (a new session token, or `aws sso login`) and run elbtls again"
                .to_string(),
        )
    } else {
        (last, CREDENTIALS_HELP.to_string())
    }
}

/// What a credentials provider said, on one line, each part once, with a hint when a
/// `credential_process` failed.
pub fn credentials_message(
    error: &aws_credential_types::provider::error::CredentialsError,
) -> String {
    let message = chain(error);
    if message.contains("external process") {
        format!(
            "{message} (the profile's credential_process failed: run that command by hand to see \
             why, then fix it or the profile)"
        )
    } else {
        message
    }
}

/// SDK error chains span lines; the report wants one.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_error_codes_an_auditor_meets() {
        assert_eq!(reason_for_code("AccessDenied"), FailureReason::AccessDenied);
        assert_eq!(
            reason_for_code("ExpiredToken"),
            FailureReason::InvalidCredentials
        );
        assert_eq!(
            reason_for_code("OptInRequired"),
            FailureReason::RegionNotEnabled
        );
        assert_eq!(reason_for_code("Throttling"), FailureReason::Throttled);
        assert_eq!(reason_for_code("Whatever"), FailureReason::Other);
    }

    #[test]
    fn timeouts_say_how_long_was_waited() {
        let text = "timeout error: operation attempt timeout (single attempt) occurred after 1s";
        assert!(timeout_message(text).starts_with("no answer within 1 s: "));
        let text = "operation timeout (all attempts including retries) occurred after 1.5s";
        assert!(timeout_message(text).starts_with("no answer within 1.5 s: "));
        let text = "occurred after 500ms";
        assert!(timeout_message(text).starts_with("no answer within 500ms: "));
        assert!(timeout_message("timed out").starts_with("no answer: "));
    }

    #[test]
    fn an_error_chain_is_one_line_with_each_text_once() {
        #[derive(Debug)]
        struct Layer(&'static str, Option<Box<Layer>>);
        impl std::fmt::Display for Layer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.0)
            }
        }
        impl StdError for Layer {
            fn source(&self) -> Option<&(dyn StdError + 'static)> {
                self.1.as_deref().map(|l| l as _)
            }
        }
        let error = Layer(
            "loading credentials",
            Some(Box::new(Layer(
                "loading credentials",
                Some(Box::new(Layer("process failed.\nStderr: boom\n", None))),
            ))),
        );
        assert_eq!(
            chain(&error),
            "loading credentials: process failed. Stderr: boom"
        );
    }

    #[test]
    fn the_no_credentials_message_says_how_to_provide_them() {
        let text = AwsError::NoCredentials.to_string();
        for hint in ["AWS_ACCESS_KEY_ID", "--profile", "aws sso login", "role"] {
            assert!(text.contains(hint), "{text}");
        }
    }
}
