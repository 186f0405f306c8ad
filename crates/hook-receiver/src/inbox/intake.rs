//! The endpoint: a verified delivery is stored, then acknowledged.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use hook_sign::layer::{VerifiedBody, VerifyLayer, VerifyService};
use hook_sign::{KeySource, Scheme, Verified, Verifier};
use http::{Request, Response, StatusCode};
use tower_layer::Layer as _;
use tower_service::Service;

use super::{Inbox, NewDelivery, Stored};
use crate::IdempotencyKey;
use crate::guard::{RETRY_SOON, answer};

/// Where bodies name their event type: UiPath's `Type`, the generic service's and
/// Stripe's `type`, UP42's `event`, and the common spellings.
const EVENT_TYPE_FIELDS: [&str; 5] = ["type", "Type", "event", "eventType", "event_type"];

/// The event type a JSON body names at its top level, if any.
pub fn event_type(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Top(serde_json::Map<String, serde_json::Value>);
    let Top(fields) = serde_json::from_slice(body).ok()?;
    EVENT_TYPE_FIELDS
        .iter()
        .find_map(|name| fields.get(*name)?.as_str().map(str::to_owned))
}

/// The terminal service that stores each verified delivery in an [`Inbox`] and answers
/// 200 once it is durable; see the module docs for every answer. Sits inside
/// [`VerifyLayer`] ([`Inbox::endpoint`] stacks the two).
#[derive(Debug, Clone)]
pub struct Intake {
    inbox: Inbox,
    scheme: Arc<Scheme>,
    source: KeySource,
    namespace: Arc<str>,
}

impl Inbox {
    /// The terminal service storing deliveries verified with `scheme`'s rules, keyed by
    /// its key source ([`Scheme::idempotency_key`]) and namespaced by its name.
    pub fn intake(&self, scheme: &Scheme) -> Intake {
        Intake {
            inbox: self.clone(),
            scheme: Arc::new(scheme.clone()),
            source: scheme.idempotency_key.clone(),
            namespace: Arc::from(scheme.name.as_ref()),
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
    /// Reads keys from `source` instead of the scheme's default.
    pub fn key_source(mut self, source: KeySource) -> Self {
        self.source = source;
        self
    }

    /// Prefixes keys with `namespace` (default: the scheme's name).
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Arc::from(namespace.into());
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
        let verified = request.extensions().get::<Verified>().is_some();
        let body = request
            .extensions()
            .get::<VerifiedBody>()
            .map(|VerifiedBody(body)| body.clone());
        let (true, Some(body)) = (verified, body) else {
            return answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                "misconfigured receiver: the inbox's Intake must sit inside hook_sign's VerifyLayer".into(),
            );
        };
        let key = match IdempotencyKey::read(
            &self.namespace,
            &self.source,
            &self.scheme,
            request.headers(),
            &body,
        ) {
            Ok(key) => key,
            Err(error) => return answer(StatusCode::BAD_REQUEST, None, error.to_string()),
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
        let delivery = NewDelivery {
            key: key.as_str().to_owned(),
            provider: self.scheme.name.to_string(),
            event_type: event_type(&body),
            method: request.method().to_string(),
            path: request.uri().path_and_query().map_or_else(
                || request.uri().path().to_owned(),
                |p| p.as_str().to_owned(),
            ),
            headers,
            body: body.to_vec(),
        };
        match self.inbox.put(delivery).await {
            Ok(Stored::New(id)) => answer(StatusCode::OK, None, format!("stored as delivery {id}")),
            Ok(Stored::Duplicate(id)) => answer(
                StatusCode::OK,
                None,
                format!("delivery {key} was stored before, as {id}"),
            ),
            Err(error) => {
                tracing::warn!(%key, %error, "a delivery could not be stored; answered 503");
                answer(
                    StatusCode::SERVICE_UNAVAILABLE,
                    Some(RETRY_SOON),
                    format!("{error}: retry later"),
                )
            }
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
