//! The tower layer: claim before the handler, complete on its 2xx, release on anything else.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::FutureExt as _;
use hook_sign::layer::{VerifiedBody, VerifyLayer};
use hook_sign::{Scheme, Verifier};
use http::{Request, Response, StatusCode};
use tower_layer::{Layer, Stack};
use tower_service::Service;

use crate::guard::{self, Unhandled, answer};
use crate::{IdempotencyStore, KeyReader};

/// The default handler timeout: 30 s. The claim's lease is twice the timeout, so a live
/// instance always completes or releases its claim before another may take it over.
pub const DEFAULT_HANDLER_TIMEOUT: Duration = Duration::from_secs(30);

use crate::guard::RETRY_SOON;

/// Verification, then idempotency, as one layer: what most receivers want.
///
/// ```
/// use hook_receiver::MemoryStore;
/// use hook_sign::{Scheme, Verifier};
/// # fn main() -> Result<(), hook_sign::ConfigError> {
/// let layer = hook_receiver::layer(Verifier::new(Scheme::github(), "s3cret")?, MemoryStore::new());
/// // axum: Router::new().route("/hook", post(handler)).layer(layer)
/// # let _ = layer; Ok(()) }
/// ```
pub fn layer(
    verifier: Verifier,
    store: impl IdempotencyStore + 'static,
) -> Stack<IdempotencyLayer, VerifyLayer> {
    let idempotency = IdempotencyLayer::new(verifier.scheme(), store);
    Stack::new(idempotency, VerifyLayer::new(verifier))
}

/// Handles each delivery once: see the crate docs for the outcomes and what a sender sees.
///
/// Sits inside [`hook_sign::layer::VerifyLayer`] (it reads the [`Verified`](hook_sign::Verified) and
/// [`VerifiedBody`] extensions that layer sets; without them it answers 500, the handler
/// not run). [`layer`] stacks the two.
#[derive(Debug, Clone)]
pub struct IdempotencyLayer {
    store: Arc<dyn IdempotencyStore>,
    keys: KeyReader,
    timeout: Duration,
    in_flight: StatusCode,
}

impl IdempotencyLayer {
    /// Keys read from `scheme`'s source ([`Scheme::idempotency_key`]), namespaced by the
    /// scheme's name, claimed in `store`.
    pub fn new(scheme: &Scheme, store: impl IdempotencyStore + 'static) -> Self {
        IdempotencyLayer::shared(scheme, Arc::new(store))
    }

    /// The same, sharing a store between several endpoints or layers.
    pub fn shared(scheme: &Scheme, store: Arc<dyn IdempotencyStore>) -> Self {
        IdempotencyLayer {
            store,
            keys: KeyReader::new(scheme),
            timeout: DEFAULT_HANDLER_TIMEOUT,
            in_flight: StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// Reads keys as `keys` says instead of the scheme's default source and namespace
    /// (namespaces keep the keys of endpoints sharing a store apart).
    pub fn keys(mut self, keys: KeyReader) -> Self {
        self.keys = keys;
        self
    }

    /// Cancels a handler still running after `timeout` (its claim released, 503 answered);
    /// the claim's lease is twice this. Default [`DEFAULT_HANDLER_TIMEOUT`]; at least 1 ms.
    pub fn handler_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout.max(Duration::from_millis(1));
        self
    }

    /// The status answering a delivery whose key another attempt holds now. Default 429
    /// (see the crate docs for why); a 2xx is refused and the default kept, since a 2xx
    /// would acknowledge an event nobody has handled yet.
    pub fn in_flight_status(mut self, status: StatusCode) -> Self {
        if !status.is_success() {
            self.in_flight = status;
        }
        self
    }

    /// The lease a claim takes: twice the handler timeout.
    pub fn lease(&self) -> Duration {
        self.timeout.saturating_mul(2)
    }
}

impl<S> Layer<S> for IdempotencyLayer {
    type Service = IdempotencyService<S>;

    fn layer(&self, inner: S) -> IdempotencyService<S> {
        IdempotencyService {
            inner,
            layer: Arc::new(self.clone()),
        }
    }
}

/// The service [`IdempotencyLayer`] makes.
#[derive(Debug, Clone)]
pub struct IdempotencyService<S> {
    inner: S,
    /// Shared: each request takes a reference, not a copy of the key reader's source.
    layer: Arc<IdempotencyLayer>,
}

impl<S, B, ResBody> Service<Request<B>> for IdempotencyService<S>
where
    S: Service<Request<B>, Response = Response<ResBody>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Send,
    B: Send + 'static,
    ResBody: From<String> + Send,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let layer = self.layer.clone();
        Box::pin(async move {
            let body = match guard::verified_body(&request, "IdempotencyLayer") {
                Ok(VerifiedBody(body)) => body,
                Err(misplaced) => return Ok(misplaced),
            };
            let claimed = match layer.keys.read(request.headers(), &body) {
                Ok(key) => guard::claim(layer.store.clone(), key, layer.lease()).await,
                Err(error) => Err(Unhandled::NoKey(error)),
            };
            let held = match claimed {
                Ok(held) => held,
                Err(unhandled) => return Ok(unhandled.response(layer.in_flight)),
            };
            let key = held.key().clone();
            let run = AssertUnwindSafe(inner.call(request)).catch_unwind();
            match tokio::time::timeout(layer.timeout, run).await {
                Ok(Ok(Ok(response))) => {
                    if response.status().is_success() {
                        held.complete().await;
                    } else {
                        held.release().await;
                    }
                    Ok(response)
                }
                Ok(Ok(Err(error))) => {
                    held.release().await;
                    Err(error)
                }
                Ok(Err(_panic)) => {
                    held.release().await;
                    tracing::error!(%key, "the handler panicked; the claim is released");
                    Ok(answer(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        None,
                        "the handler failed; retry later".into(),
                    ))
                }
                Err(_elapsed) => {
                    held.release().await;
                    tracing::warn!(%key, timeout = ?layer.timeout, "the handler timed out; the claim is released");
                    Ok(answer(
                        StatusCode::SERVICE_UNAVAILABLE,
                        Some(RETRY_SOON),
                        "the handler did not finish in time; retry later".into(),
                    ))
                }
            }
        })
    }
}
