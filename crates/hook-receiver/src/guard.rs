//! A claim held for the length of one handler call: completed or released explicitly, and
//! released when dropped unsettled (a cancelled or abandoned call).

use std::sync::Arc;
use std::time::Duration;

use http::{HeaderValue, Response, StatusCode, header};

use crate::store::{Claim, ClaimToken, IdempotencyStore, Settled, StoreError};
use crate::{IdempotencyKey, KeyError};

/// The `Retry-After` (seconds) of a 503 for an unreachable store or a handler that timed out.
pub const RETRY_SOON: u64 = 5;

/// Why a delivery's handler is not run, and what the sender is answered: the same
/// outcomes, worded the same, for the tower layer and `hook listen`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Unhandled {
    /// The key was completed before: `200`, nothing to do.
    Done {
        /// The key.
        key: IdempotencyKey,
    },
    /// Another attempt holds the key: a retryable non-2xx with `Retry-After`.
    InFlight {
        /// The key.
        key: IdempotencyKey,
        /// Seconds until the holder's lease ends (at least 1, at most the lease).
        retry_after: u64,
    },
    /// The store could not answer: `503` with `Retry-After: 5`.
    Unavailable(StoreError),
    /// The delivery carries no usable key: `400` naming the key source.
    NoKey(KeyError),
}

impl Unhandled {
    /// A short name for logs and records: `done`, `in-flight`, `unavailable`, `no-key`.
    pub fn label(&self) -> &'static str {
        match self {
            Unhandled::Done { .. } => "done",
            Unhandled::InFlight { .. } => "in-flight",
            Unhandled::Unavailable(_) => "unavailable",
            Unhandled::NoKey(_) => "no-key",
        }
    }

    /// The answer, a key in flight answered with `in_flight` (429 unless configured; see
    /// the crate docs).
    pub fn response<B: From<String>>(&self, in_flight: StatusCode) -> Response<B> {
        match self {
            Unhandled::Done { key } => answer(
                StatusCode::OK,
                None,
                format!("delivery {key} was already handled"),
            ),
            Unhandled::InFlight { key, retry_after } => answer(
                in_flight,
                Some(*retry_after),
                format!("delivery {key} is being handled by another attempt: retry later"),
            ),
            Unhandled::Unavailable(error) => answer(
                StatusCode::SERVICE_UNAVAILABLE,
                Some(RETRY_SOON),
                format!("{error}: retry later"),
            ),
            Unhandled::NoKey(error) => answer(StatusCode::BAD_REQUEST, None, error.to_string()),
        }
    }
}

/// The body hook-sign's `VerifyLayer` verified, or, when the request did not pass through
/// it, the 500 that says `who` is misplaced (the handler must not run on an unverified body).
pub(crate) fn verified_body<B, R: From<String>>(
    request: &http::Request<B>,
    who: &str,
) -> Result<hook_sign::layer::VerifiedBody, Response<R>> {
    let verified = request.extensions().get::<hook_sign::Verified>().is_some();
    let body = request.extensions().get::<hook_sign::layer::VerifiedBody>();
    match (verified, body) {
        (true, Some(body)) => Ok(body.clone()),
        _ => Err(answer(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            format!("misconfigured receiver: {who} must sit inside hook_sign's VerifyLayer"),
        )),
    }
}

/// A plain-text answer with an optional `Retry-After`.
pub(crate) fn answer<B: From<String>>(
    status: StatusCode,
    retry_after: Option<u64>,
    message: String,
) -> Response<B> {
    let mut response = Response::new(B::from(message));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

/// Claims `key` in `store` for `lease`: a guard to run the handler under, or why not to
/// run it. The tower layer uses this; so can callers outside it (`hook listen`, a queue
/// consumer). The guard releases the claim when dropped unsettled.
///
/// # Errors
///
/// [`Unhandled`] when the key is already completed (answer 200 without handling), in flight
/// elsewhere (answer a retryable status), or the store cannot be reached (503):
/// [`Unhandled::response`] gives the answer.
pub async fn claim(
    store: Arc<dyn IdempotencyStore>,
    key: IdempotencyKey,
    lease: Duration,
) -> Result<ClaimGuard, Unhandled> {
    match store.claim(&key, lease).await {
        Ok(Claim::Acquired(token)) => Ok(ClaimGuard {
            store,
            key,
            token: Some(token),
        }),
        Ok(Claim::Done) => Err(Unhandled::Done { key }),
        Ok(Claim::InFlight { expires_in }) => Err(Unhandled::InFlight {
            key,
            retry_after: expires_in
                .map_or(lease, |left| left.min(lease))
                .as_secs()
                .max(1),
        }),
        Err(error) => {
            tracing::warn!(%key, %error, "the idempotency store is unavailable");
            Err(Unhandled::Unavailable(error))
        }
    }
}

/// An acquired claim; see [`claim`].
#[derive(derive_more::Debug)]
pub struct ClaimGuard {
    #[debug(skip)]
    store: Arc<dyn IdempotencyStore>,
    key: IdempotencyKey,
    #[debug(skip)]
    token: Option<ClaimToken>,
}

impl ClaimGuard {
    /// The claimed key.
    pub fn key(&self) -> &IdempotencyKey {
        &self.key
    }

    /// The handler succeeded: the key is done. A store failure here is logged, not
    /// returned: the event was handled, and the claim ends with its lease.
    pub async fn complete(mut self) -> Option<Settled> {
        self.settle(true).await
    }

    /// The handler did not succeed: the key is free for a retry.
    pub async fn release(mut self) -> Option<Settled> {
        self.settle(false).await
    }

    async fn settle(&mut self, complete: bool) -> Option<Settled> {
        let token = self.token.take()?;
        let result = if complete {
            self.store.complete(&self.key, &token).await
        } else {
            self.store.release(&self.key, &token).await
        };
        let action = if complete { "complete" } else { "release" };
        match result {
            Ok(Settled::Applied) => Some(Settled::Applied),
            Ok(Settled::Lost) => {
                tracing::warn!(
                    key = %self.key,
                    "could not {action} the claim: its lease had expired (raise the handler timeout)"
                );
                Some(Settled::Lost)
            }
            Err(error) => {
                tracing::warn!(
                    key = %self.key,
                    %error,
                    "could not {action} the claim; it ends with its lease"
                );
                None
            }
        }
    }
}

impl Drop for ClaimGuard {
    fn drop(&mut self) {
        let Some(token) = self.token.take() else {
            return;
        };
        let (store, key) = (self.store.clone(), self.key.clone());
        // Without a runtime (the process is ending) the lease frees the key instead.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = store.release(&key, &token).await {
                    tracing::warn!(%key, %error, "could not release an abandoned claim");
                }
            });
        }
    }
}
