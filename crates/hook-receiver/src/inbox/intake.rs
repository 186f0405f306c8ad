//! The endpoint: a verified delivery is stored, then acknowledged.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hook_sign::layer::{VerifiedBody, VerifyLayer, VerifyService};
use hook_sign::{Scheme, Verifier};
use http::{Request, Response, StatusCode};
use tower_layer::Layer as _;
use tower_service::Service;

use super::{Inbox, InboxError, NewDelivery, Stored};
use crate::guard::{RETRY_SOON, answer, verified_body};
use crate::{IdempotencyKey, KeyError, KeyReader};

/// The event type a JSON body names at its top level, if any: the first string of the
/// generic service's and Stripe's `type`, UiPath's `Type`, UP42's `event`, then `eventType`
/// and `event_type`. Only those fields are decoded; the rest of the body is skipped, not
/// built.
pub fn event_type(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Top {
        #[serde(rename = "type")]
        lower: Option<serde_json::Value>,
        #[serde(rename = "Type")]
        upper: Option<serde_json::Value>,
        event: Option<serde_json::Value>,
        #[serde(rename = "eventType")]
        camel: Option<serde_json::Value>,
        event_type: Option<serde_json::Value>,
    }
    let top: Top = serde_json::from_slice(body).ok()?;
    [top.lower, top.upper, top.event, top.camel, top.event_type]
        .into_iter()
        .flatten()
        .find_map(|value| match value {
            serde_json::Value::String(text) => Some(text),
            _ => None,
        })
}

/// The terminal service that stores each verified delivery in an [`Inbox`] and answers
/// 200 once it is durable; see the module docs for every answer. Sits inside
/// [`VerifyLayer`] ([`Inbox::endpoint`] stacks the two).
#[derive(Debug, Clone)]
pub struct Intake {
    inbox: Inbox,
    /// The verifying scheme's name, stored as each delivery's provider.
    provider: Arc<str>,
    keys: KeyReader,
}

impl Inbox {
    /// The terminal service storing deliveries verified with `scheme`'s rules, keyed by
    /// its key source ([`Scheme::idempotency_key`]) and namespaced by its name.
    pub fn intake(&self, scheme: &Scheme) -> Intake {
        Intake {
            inbox: self.clone(),
            provider: Arc::from(scheme.name.as_ref()),
            keys: KeyReader::new(scheme),
        }
    }

    /// Verification, then storage, as one service: mount it on the route the provider
    /// posts to (axum: `post_service(inbox.endpoint(verifier))`).
    pub fn endpoint(&self, verifier: Verifier) -> VerifyService<Intake> {
        let intake = self.intake(verifier.scheme());
        VerifyLayer::new(verifier).layer(intake)
    }
}

impl Intake {
    /// Reads keys as `keys` says instead of the scheme's default source and namespace; the
    /// stored provider stays the intake's scheme.
    pub fn keys(mut self, keys: KeyReader) -> Self {
        self.keys = keys;
        self
    }
}

impl<B> Service<Request<B>> for Intake
where
    B: Send + 'static,
{
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<String>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let intake = self.clone();
        Box::pin(async move { Ok(intake.store(request).await) })
    }
}

impl Intake {
    async fn store<B>(&self, request: Request<B>) -> Response<String> {
        let body = match verified_body(&request, "the inbox's Intake") {
            Ok(VerifiedBody(body)) => body,
            Err(misplaced) => return misplaced,
        };
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let uri = request.uri();
        let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
        self.keep(request.method().as_str(), path, headers, &body)
            .await
            .response()
    }

    /// Keeps one verified request (already verified by the caller): reads its key,
    /// stores it, and says what came of it. The service does this for each request; a
    /// receiver that verifies on its own (`hook listen`) calls it directly.
    pub async fn keep(
        &self,
        method: &str,
        path: &str,
        headers: Vec<(String, String)>,
        body: &[u8],
    ) -> Kept {
        let key = match self.keys.read(&headers, body) {
            Ok(key) => key,
            Err(error) => return Kept::NoKey(error),
        };
        let delivery = NewDelivery {
            key: key.as_str().to_owned(),
            provider: self.provider.to_string(),
            event_type: event_type(body),
            method: method.to_owned(),
            path: path.to_owned(),
            headers,
            body: body.to_vec(),
        };
        match self.inbox.put(delivery).await {
            Ok(stored) => Kept::Stored { key, stored },
            Err(error) => {
                tracing::warn!(%key, %error, "a delivery could not be stored; answered 503");
                Kept::Unavailable(error)
            }
        }
    }
}

/// What keeping one request came to, and the answer the sender gets: the same words for
/// the inbox's service and `hook listen --inbox`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Kept {
    /// Stored durably now, or stored before under the same key: `200`.
    Stored {
        /// The key.
        key: IdempotencyKey,
        /// Its id, new or not.
        stored: Stored,
    },
    /// The request carries no usable key: `400` naming the key source.
    NoKey(KeyError),
    /// The inbox could not store it: `503` with `Retry-After: 5`, never a 2xx.
    Unavailable(InboxError),
}

impl Kept {
    /// A short account for logs and records: `stored 7`, `stored before 7`, `no-key` or
    /// `unavailable`.
    pub fn label(&self) -> String {
        match self {
            Kept::Stored {
                stored: Stored::New(id),
                ..
            } => format!("stored {id}"),
            Kept::Stored {
                stored: Stored::Duplicate(id),
                ..
            } => format!("stored before {id}"),
            Kept::NoKey(_) => "no-key".into(),
            Kept::Unavailable(_) => "unavailable".into(),
        }
    }

    /// The answer to the sender.
    pub fn response<B: From<String>>(&self) -> Response<B> {
        match self {
            Kept::Stored {
                stored: Stored::New(id),
                ..
            } => answer(StatusCode::OK, None, format!("stored as delivery {id}")),
            Kept::Stored {
                key,
                stored: Stored::Duplicate(id),
            } => answer(
                StatusCode::OK,
                None,
                format!("delivery {key} was stored before, as {id}"),
            ),
            Kept::NoKey(error) => answer(StatusCode::BAD_REQUEST, None, error.to_string()),
            Kept::Unavailable(error) => answer(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(RETRY_SOON),
                format!("{error}: retry later"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_types_are_read_where_providers_put_them() {
        assert_eq!(
            super::event_type(br#"{"Type":"job.completed"}"#).as_deref(),
            Some("job.completed")
        );
        assert_eq!(
            super::event_type(br#"{"type":"a.b","event":"x"}"#).as_deref(),
            Some("a.b")
        );
        assert_eq!(
            super::event_type(br#"{"event":"job.status"}"#).as_deref(),
            Some("job.status")
        );
        assert_eq!(super::event_type(br#"{"type":3}"#), None);
        assert_eq!(super::event_type(b"[1]"), None);
        assert_eq!(super::event_type(b"\xff"), None);
    }
}
