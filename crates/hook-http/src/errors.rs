//! Error answers mapped to [`hook_model::Error`], with the provider's own words read by
//! the provider's [`ErrorDecoder`].

use std::time::Duration;

use hook_model::{Context, Error, ProviderError};
use reqwest::header::HeaderMap;

/// The most of an unparsed error body kept in an error.
pub const BODY_EXCERPT: usize = 512;

/// Response headers that carry a provider's request or trace id, in the order tried.
pub const REQUEST_ID_HEADERS: [&str; 4] = [
    "x-request-id",
    "x-correlation-id",
    "request-id",
    "x-amzn-requestid",
];

/// What a provider's error body said. A body that is not the provider's shape leaves every
/// field empty, and the transport keeps an excerpt of the body as the message instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorReply {
    /// The provider's own code.
    pub code: Option<String>,
    /// The provider's message; empty when it gave none.
    pub message: String,
    /// The field the provider blamed.
    pub field: Option<String>,
    /// A request or trace id carried in the body (UiPath's `traceId`).
    pub request_id: Option<String>,
}

impl ErrorReply {
    /// A reply with a code and a message.
    pub fn new(code: Option<String>, message: impl Into<String>) -> Self {
        ErrorReply {
            code,
            message: message.into(),
            ..ErrorReply::default()
        }
    }

    /// The same, blaming `field`.
    pub fn field(mut self, field: Option<String>) -> Self {
        self.field = field;
        self
    }

    /// The same, carrying the provider's request or trace id.
    pub fn request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }
}

/// Reads a provider's error body; provider crates supply theirs in the
/// [`crate::ClientConfig`]. Must not panic on any input.
pub type ErrorDecoder = fn(&[u8]) -> ErrorReply;

/// The decoder for providers with no documented error shape: reads a top-level
/// `message` (and `code` or `error` when they are strings), else nothing.
pub fn plain_errors(body: &[u8]) -> ErrorReply {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return ErrorReply::default();
    };
    let text = |key: &str| value.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    ErrorReply {
        code: text("code").or_else(|| text("error")),
        message: text("message")
            .or_else(|| text("error_description"))
            .unwrap_or_default(),
        ..ErrorReply::default()
    }
}

/// The start of `body` as text, for errors whose body is not the provider's shape.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// The provider's request id from the response headers, if it sent one.
pub fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        let value = headers.get(*name)?.to_str().ok()?.trim();
        (!value.is_empty()).then(|| value.chars().take(200).collect())
    })
}

/// Maps a non-success answer to an [`Error`] in `context`.
pub fn map_error(
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    decoder: ErrorDecoder,
    mut context: Context,
) -> Error {
    let said = decoder(body);
    if context.request_id.is_none() {
        context.request_id = said.request_id;
    }
    let reply = ProviderError::new(
        status,
        said.code,
        if said.message.is_empty() {
            excerpt(body)
        } else {
            said.message
        },
    )
    .field(said.field);
    let context = Box::new(context);
    match status {
        401 | 403 => Error::Unauthorized { reply, context },
        404 => Error::NotFound { reply, context },
        409 => Error::Conflict { reply, context },
        429 => Error::RateLimited {
            retry_after,
            context,
        },
        500.. => Error::ServiceFailed { reply, context },
        _ => Error::Rejected { reply, context },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_their_family_and_keep_the_providers_words() {
        let body = br#"{"code":"validation","message":"url is required"}"#;
        match map_error(422, None, body, plain_errors, Context::default()) {
            Error::Rejected { reply, .. } => {
                assert_eq!(reply.code.as_deref(), Some("validation"));
                assert_eq!(reply.message, "url is required");
                assert_eq!(reply.status, Some(422));
            }
            other => panic!("{other:?}"),
        }
        for (status, check) in [
            (
                401,
                (|e: &Error| matches!(e, Error::Unauthorized { .. })) as fn(&Error) -> bool,
            ),
            (404, |e| matches!(e, Error::NotFound { .. })),
            (409, |e| matches!(e, Error::Conflict { .. })),
            (503, |e| matches!(e, Error::ServiceFailed { .. })),
            (400, |e| matches!(e, Error::Rejected { .. })),
        ] {
            assert!(
                check(&map_error(
                    status,
                    None,
                    b"",
                    plain_errors,
                    Context::default()
                )),
                "{status}"
            );
        }
        assert!(matches!(
            map_error(429, Some(Duration::from_secs(3)), b"", plain_errors, Context::default()),
            Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(3)
        ));
    }

    #[test]
    fn unparsed_bodies_are_excerpted() {
        let long = vec![b'x'; 2_000];
        let error = map_error(502, None, &long, plain_errors, Context::default());
        assert_eq!(
            error.reply().map(|r| r.message.chars().count()),
            Some(BODY_EXCERPT + 1)
        );
    }

    #[test]
    fn request_ids_come_from_headers_or_the_body() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "abc".parse().unwrap());
        assert_eq!(request_id(&headers).as_deref(), Some("abc"));
        fn traced(_: &[u8]) -> ErrorReply {
            ErrorReply::default().request_id(Some("trace-1".into()))
        }
        let error = map_error(400, None, b"{}", traced, Context::default());
        assert_eq!(error.context().request_id.as_deref(), Some("trace-1"));
    }
}
