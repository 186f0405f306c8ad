//! The one error type: what went wrong, in which call, and what to do next.
//!
//! Five families, kept apart so a caller can act on each (after smithy-rs):
//!
//! | family | variants | retry? |
//! |---|---|---|
//! | refused before sending | [`Error::Invalid`] | no: fix the input |
//! | refused by the service | [`Error::Rejected`], [`Error::NotFound`], [`Error::Conflict`], [`Error::Unauthorized`], [`Error::RateLimited`] | 429 only |
//! | failed on the service's side | [`Error::ServiceFailed`] (5xx) | unless a change may have been applied |
//! | not answered | [`Error::Transport`], [`Error::Timeout`] | unless a change may have been applied |
//! | answered wrongly | [`Error::Decode`] | no |
//! | not offered | [`Error::Unsupported`] | no |
//!
//! Every variant carries a [`Context`]: the provider, the operation and the webhook id of
//! the call that failed, and the provider's request or trace id when it sent one.
//!
//! Whether a failure may be sent again is one rule, [`retryable`], which the transport's
//! retry loop and [`Error::is_retryable`] both apply.

use std::fmt;
use std::time::Duration;

use crate::Provider;

/// An HTTP method, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`: never sent again when it may have been applied (a create must not happen
    /// twice).
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
    /// `HEAD`.
    Head,
    /// Any other.
    Other,
}

impl Method {
    /// Whether sending it twice has the effect of sending it once (all but POST and
    /// methods we do not know).
    pub const fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Other)
    }

    /// The method's name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Other => "other",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a call failed, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure {
    /// The service answered this status.
    Status(u16),
    /// No answer came.
    NotAnswered(Applied),
}

/// The one retry rule: whether a call with `method` (`None`: a call that changes nothing,
/// such as fetching a token) that failed as `failure` may be sent again without harm.
///
/// 429 is always retryable (the service did nothing); 5xx and a lost answer only for an
/// idempotent call (the change may have been applied); a request that never left
/// (`Applied::No`) always; any other status never.
///
/// ```
/// use hook_model::{Applied, Failure, Method, retryable};
/// assert!(retryable(Some(Method::Post), Failure::Status(429)));
/// assert!(!retryable(Some(Method::Post), Failure::Status(503)));
/// assert!(retryable(Some(Method::Put), Failure::NotAnswered(Applied::Maybe)));
/// assert!(!retryable(Some(Method::Post), Failure::NotAnswered(Applied::Maybe)));
/// assert!(retryable(Some(Method::Post), Failure::NotAnswered(Applied::No)));
/// assert!(!retryable(None, Failure::Status(404)));
/// ```
pub fn retryable(method: Option<Method>, failure: Failure) -> bool {
    let idempotent = method.is_none_or(Method::is_idempotent);
    match failure {
        Failure::Status(429) => true,
        Failure::Status(status) => status >= 500 && idempotent,
        Failure::NotAnswered(Applied::No) => true,
        Failure::NotAnswered(Applied::Maybe) => idempotent,
    }
}

/// Which call failed. Filled in by the client that made it; empty fields are unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context {
    /// The provider called.
    pub provider: Option<Provider>,
    /// The operation, such as `create webhook` or `fetch token`.
    pub operation: Option<&'static str>,
    /// The HTTP method, when a request was built (`POST` is never retried blindly).
    pub method: Option<Method>,
    /// The webhook the call was about.
    pub webhook_id: Option<String>,
    /// The provider's request or trace id (a response header or UiPath's `traceId`).
    pub request_id: Option<String>,
}

impl Context {
    /// A context for `operation` on `provider`.
    pub fn new(provider: Provider, operation: &'static str) -> Self {
        Context {
            provider: Some(provider),
            operation: Some(operation),
            ..Context::default()
        }
    }

    /// The same context about `webhook_id`.
    pub fn webhook(mut self, webhook_id: impl fmt::Display) -> Self {
        self.webhook_id = Some(webhook_id.to_string());
        self
    }

    /// Fills the fields this context leaves empty from `outer`.
    fn fill_from(&mut self, outer: &Context) {
        self.provider = self.provider.or(outer.provider);
        self.operation = self.operation.or(outer.operation);
        self.method = self.method.or(outer.method);
        if self.webhook_id.is_none() {
            self.webhook_id.clone_from(&outer.webhook_id);
        }
        if self.request_id.is_none() {
            self.request_id.clone_from(&outer.request_id);
        }
    }

    fn is_empty(&self) -> bool {
        self.provider.is_none() && self.operation.is_none() && self.webhook_id.is_none()
    }
}

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(provider) = self.provider {
            parts.push(provider.to_string());
        }
        if let Some(operation) = self.operation {
            parts.push(operation.to_owned());
        }
        if let Some(id) = &self.webhook_id {
            parts.push(format!("{id:?}"));
        }
        f.write_str(&parts.join(" "))
    }
}

/// What a provider said about a refused call: its own code and message, kept verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ProviderError {
    /// The HTTP status.
    pub status: Option<u16>,
    /// The provider's own code (UiPath `errorCode` 1002, Port `not_found`, …).
    pub code: Option<String>,
    /// The provider's message, or the start of the body when it was not the provider's shape.
    pub message: String,
    /// The field the provider blamed, when it named one.
    pub field: Option<String>,
}

impl ProviderError {
    /// What a provider said: `status`, its `code` if any, and its `message`.
    pub fn new(status: u16, code: Option<String>, message: impl Into<String>) -> Self {
        ProviderError {
            status: Some(status),
            code,
            message: message.into(),
            field: None,
        }
    }

    /// The same, blaming `field`.
    pub fn field(mut self, field: Option<String>) -> Self {
        self.field = field;
        self
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.message.is_empty() {
            "(no message)"
        } else {
            &self.message
        })?;
        let mut notes = Vec::new();
        if let Some(code) = &self.code {
            notes.push(format!("code {code}"));
        }
        if let Some(status) = self.status {
            notes.push(format!("HTTP {status}"));
        }
        if let Some(field) = &self.field {
            notes.push(format!("field {field}"));
        }
        if !notes.is_empty() {
            write!(f, " ({})", notes.join(", "))?;
        }
        Ok(())
    }
}

/// Whether a request that got no answer may have changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Applied {
    /// Nothing reached the service (the connection failed): nothing changed.
    No,
    /// The request went out and its answer was lost: it may have taken effect.
    Maybe,
}

/// Everything that can go wrong managing webhooks, for every provider.
///
/// Match on the variant to act; print it to tell a person what happened and what to do.
/// `Display` names the call and gives the next step; the underlying cause, when there is
/// one, is only [`std::error::Error::source`], so a report that walks the chain prints
/// each cause once. Never holds a secret or a token.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Refused before sending: our own check of the input.
    Invalid {
        /// The field at fault (`url`, `identifier`, `events[2]`, `HOOK_PORT_CLIENT_ID`, …).
        field: String,
        /// Why, and what would be accepted.
        message: String,
        /// The call.
        context: Box<Context>,
    },
    /// Refused by the service for a reason other than those below (400, 413, 422, other
    /// 4xx): the request must change before it is sent again.
    Rejected {
        /// What the service said.
        reply: ProviderError,
        /// The call.
        context: Box<Context>,
    },
    /// The service failed on its side (5xx): the request may be fine, and may have been
    /// applied.
    ServiceFailed {
        /// What the service said.
        reply: ProviderError,
        /// The call.
        context: Box<Context>,
    },
    /// The webhook (or other resource) does not exist.
    NotFound {
        /// What the service said.
        reply: ProviderError,
        /// The call.
        context: Box<Context>,
    },
    /// The request conflicts with existing state (a name or identifier already used).
    Conflict {
        /// What the service said.
        reply: ProviderError,
        /// The call.
        context: Box<Context>,
    },
    /// The credentials were refused, or the token expired and could not be refreshed.
    Unauthorized {
        /// What the service said.
        reply: ProviderError,
        /// The call.
        context: Box<Context>,
    },
    /// Too many requests; try again after `retry_after` when the provider said.
    RateLimited {
        /// The provider's `Retry-After`, when given.
        retry_after: Option<Duration>,
        /// The call.
        context: Box<Context>,
    },
    /// No answer: the connection failed or the answer was cut off.
    Transport {
        /// What happened.
        message: String,
        /// Whether the request may have taken effect.
        applied: Applied,
        /// The underlying error, when there is one.
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
        /// The call.
        context: Box<Context>,
    },
    /// No answer in time.
    Timeout {
        /// The per-try timeout that ran out.
        after: Duration,
        /// Whether the request may have taken effect.
        applied: Applied,
        /// The call.
        context: Box<Context>,
    },
    /// An answer or payload did not have the expected shape.
    Decode {
        /// What was being decoded (`UiPath event`, `Port webhook list`, …).
        what: &'static str,
        /// The JSON path that failed, such as `value[3].Events[0]`; `.` for the root.
        path: String,
        /// The parser's error.
        source: serde_json::Error,
        /// The call.
        context: Box<Context>,
    },
    /// The provider has no such operation or field; `Capabilities` says so beforehand.
    Unsupported {
        /// The provider.
        provider: Provider,
        /// What is not offered: an operation such as `test`, or a field such as
        /// `identifier` (the call it was refused in is [`Context::operation`]).
        feature: &'static str,
        /// Why, and what to do instead.
        reason: String,
        /// The call.
        context: Box<Context>,
    },
}

/// The context of any variant (every variant has one).
macro_rules! context_of {
    ($error:expr) => {
        match $error {
            Error::Invalid { context, .. }
            | Error::Rejected { context, .. }
            | Error::ServiceFailed { context, .. }
            | Error::NotFound { context, .. }
            | Error::Conflict { context, .. }
            | Error::Unauthorized { context, .. }
            | Error::RateLimited { context, .. }
            | Error::Transport { context, .. }
            | Error::Timeout { context, .. }
            | Error::Decode { context, .. }
            | Error::Unsupported { context, .. } => context,
        }
    };
}

impl Error {
    /// Refused before sending: `field` is at fault, `message` says why and what is accepted.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
            context: Box::default(),
        }
    }

    /// `provider` does not offer `feature` (an operation, or a field); `reason` says why
    /// and what to do instead. The context names `feature` as the call until
    /// [`Error::within`] or [`Error::in_call`] says which call it was.
    pub fn unsupported(
        provider: Provider,
        feature: &'static str,
        reason: impl Into<String>,
    ) -> Self {
        Error::Unsupported {
            provider,
            feature,
            reason: reason.into(),
            context: Box::new(Context::new(provider, feature)),
        }
    }

    /// The same error, refused in the call `operation` (replacing the operation its
    /// context named).
    pub fn in_call(mut self, operation: &'static str) -> Self {
        self.context_mut().operation = Some(operation);
        self
    }

    /// The call that failed.
    pub fn context(&self) -> &Context {
        context_of!(self)
    }

    fn context_mut(&mut self) -> &mut Context {
        context_of!(self)
    }

    /// The field at fault: ours ([`Error::Invalid`]) or the one the service named.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Invalid { field, .. } => Some(field),
            _ => self.reply().and_then(|r| r.field.as_deref()),
        }
    }

    /// The same error, with the fields `context` knows filled in where this error's own
    /// context leaves them empty (the innermost call's knowledge wins).
    pub fn within(mut self, context: &Context) -> Self {
        self.context_mut().fill_from(context);
        self
    }

    /// What the service said, for the refused-by-the-service variants.
    pub fn reply(&self) -> Option<&ProviderError> {
        match self {
            Error::Rejected { reply, .. }
            | Error::ServiceFailed { reply, .. }
            | Error::NotFound { reply, .. }
            | Error::Conflict { reply, .. }
            | Error::Unauthorized { reply, .. } => Some(reply),
            _ => None,
        }
    }

    /// The HTTP status the service answered, when it answered one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::RateLimited { .. } => Some(429),
            _ => self.reply().and_then(|r| r.status),
        }
    }

    /// Whether sending the same request again may succeed without harm, by [`retryable`]:
    /// rate limits, 5xx and lost answers, but never a POST that may have been applied
    /// (create must not happen twice).
    pub fn is_retryable(&self) -> bool {
        let failure = match self {
            Error::RateLimited { .. } => Failure::Status(429),
            Error::ServiceFailed { reply, .. } => Failure::Status(reply.status.unwrap_or(500)),
            Error::Transport { applied, .. } | Error::Timeout { applied, .. } => {
                Failure::NotAnswered(*applied)
            }
            _ => return false,
        };
        retryable(self.context().method, failure)
    }

    /// What to do next, where there is something to do.
    pub fn hint(&self) -> Option<String> {
        let post = self.context().method.is_some_and(|m| !m.is_idempotent());
        Some(match self {
            Error::Invalid { .. } | Error::Decode { .. } => return None,
            Error::Rejected { reply, .. } => match &reply.field {
                Some(field) => format!("correct {field} and send again"),
                None => "correct the request as the message says and send again".into(),
            },
            Error::ServiceFailed { .. } if post => {
                "the service failed and the change may have been applied: list before sending it again".into()
            }
            Error::ServiceFailed { .. } => "the service failed; try again later".into(),
            Error::NotFound { .. } => "check the id: list the webhooks to see which exist".into(),
            Error::Conflict { .. } => {
                "choose another name or identifier, or update the existing webhook".into()
            }
            Error::Unauthorized { .. } => {
                "check the credentials, their scope and the token URL".into()
            }
            Error::RateLimited { .. } => "wait, then send again".into(),
            Error::Transport { applied, .. } | Error::Timeout { applied, .. } => {
                match (applied, post) {
                    (Applied::Maybe, true) => {
                        "the change may have been applied: list before sending it again".into()
                    }
                    (Applied::No, _) => {
                        "nothing reached the service: check the URL and the network, then retry"
                            .into()
                    }
                    (Applied::Maybe, false) => "retrying is safe".into(),
                }
            }
            Error::Unsupported { reason, .. } => {
                return (!reason.is_empty()).then(|| reason.clone());
            }
        })
    }

    /// This error and each cause, once, joined by `: ` (for a one-line report).
    pub fn report(&self) -> String {
        let mut text = self.to_string();
        let mut source = std::error::Error::source(self);
        while let Some(cause) = source {
            let line = cause.to_string();
            if !text.contains(&line) {
                text.push_str(": ");
                text.push_str(&line);
            }
            source = cause.source();
        }
        text
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let context = self.context();
        if !context.is_empty() {
            write!(f, "{context}: ")?;
        }
        match self {
            Error::Invalid { field, message, .. } => write!(f, "invalid {field}: {message}")?,
            Error::Rejected { reply, .. } => write!(f, "refused by the service: {reply}")?,
            Error::ServiceFailed { reply, .. } => write!(f, "the service failed: {reply}")?,
            Error::NotFound { reply, .. } => write!(f, "not found: {reply}")?,
            Error::Conflict { reply, .. } => write!(f, "conflict: {reply}")?,
            Error::Unauthorized { reply, .. } => write!(f, "unauthorized: {reply}")?,
            Error::RateLimited { retry_after, .. } => {
                f.write_str("rate limited")?;
                if let Some(wait) = retry_after {
                    write!(f, " (retry after {} s)", wait.as_secs_f64())?;
                }
            }
            Error::Transport { message, .. } => write!(f, "no answer: {message}")?,
            Error::Timeout { after, .. } => write!(f, "no answer within {after:?}")?,
            Error::Decode { what, path, .. } => {
                write!(f, "answered wrongly: cannot decode {what} at {path}")?
            }
            Error::Unsupported { feature, .. } => write!(f, "not supported: {feature}")?,
        }
        if let Some(request_id) = &context.request_id {
            write!(f, " [request id {request_id}]")?;
        }
        if let Some(hint) = self.hint() {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            Error::Decode { source, .. } => Some(source),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn not_found() -> Error {
        Error::NotFound {
            reply: ProviderError::new(404, Some("1002".into()), "Webhook does not exist."),
            context: Box::new(Context::new(Provider::new("uipath"), "get webhook").webhook(42)),
        }
    }

    #[test]
    fn messages_name_the_call_keep_the_providers_words_and_say_what_to_do() {
        assert_eq!(
            not_found().to_string(),
            "uipath get webhook \"42\": not found: Webhook does not exist. (code 1002, HTTP 404); \
             check the id: list the webhooks to see which exist"
        );
        assert_eq!(
            Error::invalid("url", "must use https").to_string(),
            "invalid url: must use https"
        );
    }

    #[test]
    fn the_inner_context_wins_and_the_outer_fills_gaps() {
        let mut inner = Context::new(Provider::new("port"), "fetch token");
        inner.request_id = Some("r-1".into());
        let error = Error::Unauthorized {
            reply: ProviderError::default(),
            context: Box::new(inner),
        }
        .within(&Context::new(Provider::new("port"), "create webhook").webhook("w"));
        let context = error.context();
        assert_eq!(context.operation, Some("fetch token"));
        assert_eq!(context.webhook_id.as_deref(), Some("w"));
        assert!(error.to_string().contains("[request id r-1]"));
    }

    fn parse(method: &str) -> Method {
        match method {
            "POST" => Method::Post,
            "PUT" => Method::Put,
            _ => Method::Get,
        }
    }

    #[test]
    fn a_post_that_may_have_been_applied_is_never_retryable() {
        let lost = |method: &str, applied| Error::Timeout {
            after: Duration::from_secs(1),
            applied,
            context: Box::new(Context {
                method: Some(parse(method)),
                ..Context::default()
            }),
        };
        assert!(!lost("POST", Applied::Maybe).is_retryable());
        assert!(lost("POST", Applied::No).is_retryable());
        assert!(lost("PUT", Applied::Maybe).is_retryable());
        assert!(
            lost("POST", Applied::Maybe)
                .to_string()
                .contains("may have been applied")
        );
        let server = |method: &str| Error::ServiceFailed {
            reply: ProviderError::new(503, None, ""),
            context: Box::new(Context {
                method: Some(parse(method)),
                ..Context::default()
            }),
        };
        assert!(server("GET").is_retryable());
        assert!(!server("POST").is_retryable());
        assert!(!not_found().is_retryable());
    }

    #[test]
    fn the_cause_prints_once_in_a_report() {
        let source = serde_json::from_str::<u8>("\"x\"").unwrap_err();
        let cause = source.to_string();
        let error = Error::Decode {
            what: "test",
            path: ".".into(),
            source,
            context: Box::default(),
        };
        assert!(!error.to_string().contains(&cause));
        assert_eq!(error.report().matches(&cause).count(), 1);
    }
}
