//! Errors of the AWS layer, and the classification of SDK errors into [`FailureReason`]s that the
//! inventory records while the rest of the run goes on.

use std::error::Error as StdError;

use aws_sdk_elasticloadbalancingv2::error::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

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
    /// Credentials were found but could not be loaded (for example an expired SSO session).
    #[error("could not load AWS credentials{profile}: {message}")]
    Credentials {
        /// ` (profile P)` or empty.
        profile: String,
        /// What the provider said.
        message: String,
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
pub fn classify<E, R>(error: &SdkError<E, R>, opt_in_region: bool) -> Failure
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug,
{
    match error {
        SdkError::ServiceError(_) => {
            let code = error.code().unwrap_or("Unknown");
            let mut reason = reason_for_code(code);
            if opt_in_region && reason == FailureReason::InvalidCredentials {
                reason = FailureReason::RegionNotEnabled;
            }
            let message = match error.message() {
                Some(message) => format!("{code}: {message}"),
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
            message: format!("timed out: {}", DisplayErrorContext(error)),
        },
        SdkError::DispatchFailure(dispatch) => {
            let reason = if dispatch.is_user() {
                FailureReason::Other
            } else {
                FailureReason::Unreachable
            };
            Failure {
                reason,
                message: one_line(&DisplayErrorContext(error).to_string()),
            }
        }
        SdkError::ResponseError(_) => Failure {
            reason: FailureReason::ServiceError,
            message: one_line(&DisplayErrorContext(error).to_string()),
        },
        _ => Failure {
            reason: credential_reason(&DisplayErrorContext(error).to_string()),
            message: one_line(&DisplayErrorContext(error).to_string()),
        },
    }
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
    let message = one_line(&DisplayErrorContext(error).to_string());
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
    fn the_no_credentials_message_says_how_to_provide_them() {
        let text = AwsError::NoCredentials.to_string();
        for hint in ["AWS_ACCESS_KEY_ID", "--profile", "aws sso login", "role"] {
            assert!(text.contains(hint), "{text}");
        }
    }
}
