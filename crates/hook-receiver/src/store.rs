//! Where claims live: the [`IdempotencyStore`] trait and its answers.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::IdempotencyKey;

/// How long a completed key is remembered by default: 7 days, longer than any of hook's
/// providers retries (Stripe retries for up to 3 days, the generic service for 2 h 35 min,
/// Standard Webhooks senders such as Svix for about a day and a half).
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// Proof that one claim is this attempt's: completing or releasing a key needs the token
/// its claim returned, so an instance whose lease expired (and whose key another instance
/// has claimed since) cannot complete or release the other's claim.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClaimToken(String);

impl ClaimToken {
    /// A fresh token, unique across processes and instances: 128 random bits drawn once
    /// per process, and a counter (a random draw per claim would cost a system call each).
    pub fn generate() -> Self {
        static PROCESS: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let process = PROCESS.get_or_init(|| uuid::Uuid::new_v4().simple().to_string());
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ClaimToken(format!("{process}-{n:x}"))
    }

    /// A token as a store kept it.
    pub fn from_stored(text: impl Into<String>) -> Self {
        ClaimToken(text.into())
    }

    /// The token's text, as stores keep it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ClaimToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClaimToken({})", self.0)
    }
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a claim acquired must be completed or released"]
#[non_exhaustive]
pub enum Claim {
    /// The key is this attempt's until the lease ends: run the handler, then complete or
    /// release with the token.
    Acquired(ClaimToken),
    /// A handler already succeeded for this key: acknowledge without running it.
    Done,
    /// Another attempt holds the key now: answer a retryable non-2xx.
    InFlight {
        /// How long its lease still runs, when the store knows (a hint for `Retry-After`).
        expires_in: Option<Duration>,
    },
}

/// What completing or releasing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Settled {
    /// The claim was this attempt's, and is now done (complete) or gone (release).
    Applied,
    /// The claim was no longer this attempt's: its lease expired and the key was released,
    /// completed or claimed again since. Nothing was changed.
    Lost,
}

/// A store could not answer. The layer answers 503: no event is acknowledged unhandled.
#[derive(Debug, thiserror::Error)]
#[error("the idempotency store ({store}) is unavailable: {message}")]
pub struct StoreError {
    /// Which store, such as `redis` or `postgres`.
    pub store: &'static str,
    /// What failed (never a password: connection strings are not echoed).
    pub message: String,
    /// The underlying error.
    #[source]
    pub source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// An error of `store` saying `message`, caused by `source`.
    pub fn new(
        store: &'static str,
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        StoreError {
            store,
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// An error of `store` saying `message`, with no underlying error.
    pub fn message(store: &'static str, message: impl Into<String>) -> Self {
        StoreError {
            store,
            message: message.into(),
            source: None,
        }
    }
}

/// What a store's calls answer: `Ok`, or a [`StoreError`] unless another error is named.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Claims, completes and releases idempotency keys, for one receiver or a fleet sharing
/// the store.
///
/// The protocol, which every implementation keeps:
/// - `claim` on a key nobody holds (never claimed, released, or its lease or retention
///   over) returns [`Claim::Acquired`] with a new token, and holds the key for `lease`;
/// - `claim` on a key held by an unexpired claim returns [`Claim::InFlight`]; on a key
///   completed within the retention, [`Claim::Done`];
/// - `complete` with the holding token marks the key done for the store's retention;
///   `release` with it forgets the key; with any other token (the lease expired and
///   someone else claimed it, or it was completed or released already) both change nothing
///   and return [`Settled::Lost`];
/// - an unreachable store is a [`StoreError`], never a guess.
#[async_trait]
pub trait IdempotencyStore: Send + Sync + fmt::Debug {
    /// Claims `key` for `lease`.
    async fn claim(&self, key: &IdempotencyKey, lease: Duration) -> Result<Claim>;

    /// The handler succeeded: remember `key` as done.
    async fn complete(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled>;

    /// The handler did not succeed: forget the claim, so a retry runs the handler again.
    async fn release(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled>;
}
