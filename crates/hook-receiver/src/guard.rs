//! A claim held for the length of one handler call: completed or released explicitly, and
//! released when dropped unsettled (a cancelled or abandoned call).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::IdempotencyKey;
use crate::store::{Claim, ClaimToken, IdempotencyStore, Settled, StoreError};

/// The `Retry-After` (seconds) of a 503 for an unreachable store or a handler that timed out.
pub const RETRY_SOON: u64 = 5;

/// What [`claim`] found.
#[derive(Debug)]
#[must_use = "an acquired claim must run the handler"]
pub enum Guarded {
    /// The key is this call's: run the handler, then [`ClaimGuard::complete`] on success
    /// or [`ClaimGuard::release`] (dropping the guard releases too).
    Acquired(ClaimGuard),
    /// Already handled: acknowledge with 2xx, the handler not run.
    Done,
    /// Another attempt holds the key: answer a retryable non-2xx
    /// ([`retry_after`] seconds).
    InFlight {
        /// The rest of the holder's lease, when the store knows it.
        expires_in: Option<Duration>,
    },
}

/// Claims `key` in `store` for `lease`, for callers outside the tower layer (`hook
/// listen`, a queue consumer): the same protocol, with a guard that releases on drop.
pub async fn claim(
    store: Arc<dyn IdempotencyStore>,
    key: IdempotencyKey,
    lease: Duration,
) -> Result<Guarded, StoreError> {
    Ok(match store.claim(&key, lease).await? {
        Claim::Acquired(token) => Guarded::Acquired(ClaimGuard {
            store,
            key,
            token: Some(token),
        }),
        Claim::Done => Guarded::Done,
        Claim::InFlight { expires_in } => Guarded::InFlight { expires_in },
    })
}

/// The `Retry-After` for a key in flight: the rest of the holder's lease, at most
/// `lease`, at least 1 s.
pub fn retry_after(expires_in: Option<Duration>, lease: Duration) -> u64 {
    expires_in
        .map_or(lease, |left| left.min(lease))
        .as_secs()
        .max(1)
}

/// An acquired claim; see [`claim`].
pub struct ClaimGuard {
    store: Arc<dyn IdempotencyStore>,
    key: IdempotencyKey,
    token: Option<ClaimToken>,
}

impl fmt::Debug for ClaimGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClaimGuard")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
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
