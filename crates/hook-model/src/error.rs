//! The one error type of the model layer.

use std::fmt;
use std::time::Duration;

use crate::Provider;

/// What a provider said about a failed call: its own code and message, kept verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderError {
    /// The HTTP status, when the error came over HTTP.
    pub status: Option<u16>,
    /// The provider's own code (UiPath `errorCode` 1002, Port `not_found`, …).
    pub code: Option<String>,
    /// The provider's message.
    pub message: String,
}

impl ProviderError {
    /// An error with only a message.
    pub fn message(message: impl Into<String>) -> Self {
        ProviderError {
            message: message.into(),
            ..ProviderError::default()
        }
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.message.is_empty() {
            "(no message)"
        } else {
            &self.message
        })?;
        match (&self.code, self.status) {
            (Some(code), Some(status)) => write!(f, " (code {code}, HTTP {status})"),
            (Some(code), None) => write!(f, " (code {code})"),
            (None, Some(status)) => write!(f, " (HTTP {status})"),
            (None, None) => Ok(()),
        }
    }
}

/// Everything that can go wrong managing webhooks, for every provider.
///
/// Provider error bodies are parsed into these variants, keeping the provider's own code
/// and message in a [`ProviderError`]. Never holds a secret or a token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The webhook (or other resource) does not exist.
    #[error("not found: {0}")]
    NotFound(ProviderError),
    /// The request conflicts with existing state (a name or identifier already used).
    #[error("conflict: {0}")]
    Conflict(ProviderError),
    /// Input was refused, before sending or by the provider.
    #[error("invalid {field}: {message}")]
    Validation {
        /// The field at fault (`url`, `identifier`, `events[2]`, …).
        field: String,
        /// Why, and what would be accepted.
        message: String,
    },
    /// The credentials were refused, or the token expired and could not be refreshed.
    #[error("unauthorized: {0}")]
    Unauthorized(ProviderError),
    /// Too many requests; try again after `retry_after` when the provider said.
    #[error("rate limited{}", retry_after.map(|d| format!(", retry after {} s", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        /// The provider's `Retry-After`, when given.
        retry_after: Option<Duration>,
    },
    /// The provider failed or answered an unexpected status.
    #[error("server error {status}: {body}")]
    Server {
        /// The HTTP status.
        status: u16,
        /// The start of the answer's body, for diagnosis.
        body: String,
    },
    /// The request did not reach the provider or its answer was cut off.
    #[error("transport error: {message}")]
    Transport {
        /// What happened.
        message: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The provider did not answer in time.
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// An answer or payload did not have the expected shape.
    #[error("cannot decode {what} at {path}: {source}")]
    Decode {
        /// What was being decoded (`UiPath event`, `Port webhook list`, …).
        what: &'static str,
        /// The JSON path that failed, such as `value[3].Events[0]`; `.` for the root.
        path: String,
        /// The parser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The provider has no such operation; [`crate::Capabilities`] says so beforehand.
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// The provider.
        provider: Provider,
        /// The operation, such as `test`.
        operation: &'static str,
    },
}

impl Error {
    /// A validation error for `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Whether retrying the same idempotent request may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::RateLimited { .. } | Error::Transport { .. } | Error::Timeout(_) => true,
            Error::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_the_providers_code_and_status() {
        let error = Error::NotFound(ProviderError {
            status: Some(404),
            code: Some("1002".into()),
            message: "Webhook does not exist.".into(),
        });
        assert_eq!(
            error.to_string(),
            "not found: Webhook does not exist. (code 1002, HTTP 404)"
        );
        assert_eq!(
            Error::RateLimited {
                retry_after: Some(Duration::from_secs(3))
            }
            .to_string(),
            "rate limited, retry after 3 s"
        );
        assert_eq!(
            Error::validation("url", "must use https").to_string(),
            "invalid url: must use https"
        );
    }

    #[test]
    fn only_transient_errors_are_retryable() {
        assert!(Error::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(
            Error::Server {
                status: 503,
                body: String::new()
            }
            .is_retryable()
        );
        assert!(
            !Error::Server {
                status: 418,
                body: String::new()
            }
            .is_retryable()
        );
        assert!(!Error::Conflict(ProviderError::default()).is_retryable());
    }
}
