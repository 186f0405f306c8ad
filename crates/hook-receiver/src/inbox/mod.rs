//! A durable inbox: a verified delivery is stored, and only then acknowledged; workers hand
//! stored deliveries to the handler later, retry failures with backoff, and park what keeps
//! failing as dead, with its last error.
//!
//! Why: a receiver that answers only after its handler has finished loses events whenever
//! the handler is slow or down and the sender gives up. UiPath Orchestrator (Automation
//! Cloud) never retries a failed call and disables the webhook for an hour after one: a
//! handler that is briefly down loses every event of that hour. With an inbox the answer
//! waits only for a durable write (milliseconds); the handler may take as long as it needs
//! and fail as often as it must.
//!
//! ```no_run
//! # #[cfg(feature = "sqlite")]
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use hook_receiver::inbox::{Delivery, Inbox, Outcome, SqliteInbox};
//! use hook_sign::{Scheme, Verifier};
//!
//! let inbox = Inbox::new(SqliteInbox::open("inbox.db")?);
//! // The workers: each stored delivery reaches this function until it answers Done.
//! let workers = inbox.spawn_workers(hook_receiver::inbox::handler_fn(|delivery: Delivery| async move {
//!     println!("{} {}", delivery.id, String::from_utf8_lossy(&delivery.request.body));
//!     Outcome::Done
//! }));
//! // The endpoint: verify, store, answer 200 (axum: `post_service(endpoint)`).
//! let verifier = Verifier::new(Scheme::uipath(), "the webhook's secret")?;
//! let endpoint = inbox.endpoint(verifier);
//! # let _ = (endpoint, workers); Ok(()) }
//! ```
//!
//! ## What the sender sees
//!
//! | outcome | answer |
//! |---|---|
//! | stored (or stored before: the same key) | `200`, the handler runs later |
//! | the signature is refused | `401` (hook-sign's [`VerifyLayer`](hook_sign::layer::VerifyLayer)) |
//! | the body is over the limit | `413`, nothing stored |
//! | the delivery has no key where the scheme says | `400` naming the key source |
//! | the inbox cannot store it (database down, disk or size limit full) | `503` with `Retry-After: 5` |
//!
//! No 2xx answers a delivery that was not durably stored.
//!
//! ## What the handler sees
//!
//! Each delivery reaches [`Handler::handle`] until it returns [`Outcome::Done`]: at least
//! once. A delivery is handed to one worker at a time, under a lease; a worker that dies
//! mid-call (a crash, `kill -9`) leaves its lease to expire, and the delivery is handed out
//! again. A handler that must not repeat work keys it on `delivery.request.key`
//! ([`NewDelivery::key`]), which is the same for every copy of one event.
//!
//! ## Stores
//!
//! - [`SqliteInbox`] (feature `sqlite`): one file on local disk, the embedded default;
//! - [`PostgresInbox`] (feature `postgres`): one table a fleet
//!   shares; a delivery is handed to one worker of the fleet at a time
//!   (`FOR UPDATE SKIP LOCKED`).

mod intake;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;
mod worker;

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;

pub use intake::{Intake, Kept, event_type};
#[cfg(feature = "postgres")]
pub use postgres::{MIGRATION as POSTGRES_MIGRATION, PostgresInbox};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteInbox;
pub use worker::{Handler, HandlerFn, Inbox, Outcome, Policy, Workers, backoff, handler_fn};

pub use crate::store::{ClaimToken as LeaseToken, Settled};

/// What the inbox's calls answer: `Ok`, or an [`InboxError`] unless another error is named.
pub type Result<T, E = InboxError> = std::result::Result<T, E>;

/// The most attempts a delivery keeps in its history (the oldest are dropped first; the
/// count of attempts keeps counting).
pub const MAX_HISTORY: usize = 20;

/// Where a delivery is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// Stored, waiting for its (next) attempt.
    Pending,
    /// Handed to a worker, whose lease has not ended.
    Working,
    /// The handler answered [`Outcome::Done`].
    Done,
    /// Every attempt failed; kept with its last error until retried or purged.
    Dead,
}

impl Status {
    /// Every status, in the order of a delivery's life.
    pub const ALL: [Status; 4] = [Status::Pending, Status::Working, Status::Done, Status::Dead];

    /// `pending`, `working`, `done` or `dead`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Working => "working",
            Status::Done => "done",
            Status::Dead => "dead",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Status {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        Status::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| format!("{text:?} is not a status: pending, working, done or dead"))
    }
}

/// A verified delivery to store.
#[derive(Clone, derive_more::Debug)]
pub struct NewDelivery {
    /// Its idempotency key: a second delivery with the same key is stored once.
    pub key: String,
    /// Who sent it: the verifying scheme's name (`uipath`, `github`, …).
    pub provider: String,
    /// The event type, where the body names one.
    pub event_type: Option<String>,
    /// The request's method.
    #[debug(skip)]
    pub method: String,
    /// The request's path and query.
    #[debug(skip)]
    pub path: String,
    /// The request's headers, in order (values not UTF-8 are stored lossily).
    #[debug(skip)]
    pub headers: Vec<(String, String)>,
    /// The raw body, exactly as received.
    #[debug("{} bytes", body.len())]
    pub body: Vec<u8>,
}

/// One attempt's result, kept in the delivery's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Attempt {
    /// When it ended, in Unix milliseconds.
    pub at_ms: u64,
    /// Whether the handler answered [`Outcome::Done`].
    pub ok: bool,
    /// What happened, such as `200` or `500 Internal Server Error: …` or `timed out`.
    pub detail: String,
}

/// A stored delivery, as [`InboxStore::get`] and [`InboxStore::list`] read it and workers
/// hand it to the handler.
#[derive(Clone, derive_more::Debug)]
#[non_exhaustive]
pub struct Delivery {
    /// The inbox's id for it.
    pub id: u64,
    /// The delivery as it arrived and was stored: key, sender, event type, method, path,
    /// headers, and the raw body.
    pub request: NewDelivery,
    /// When it was stored, in Unix milliseconds.
    #[debug(skip)]
    pub received_ms: u64,
    /// Where it is in its life.
    pub status: Status,
    /// Attempts since it was stored or last retried by hand.
    pub attempts: u32,
    /// Pending: when its next attempt is due; working: when its lease ends (Unix ms).
    #[debug(skip)]
    pub due_ms: u64,
    /// The last failed attempt's detail.
    #[debug(skip)]
    pub last_error: Option<String>,
    /// The latest attempts, oldest first (at most [`MAX_HISTORY`]).
    #[debug(skip)]
    pub history: Vec<Attempt>,
}

/// What storing a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stored {
    /// Stored now, under this id.
    New(u64),
    /// A delivery with the same key was stored before, under this id; nothing changed.
    Duplicate(u64),
}

impl Stored {
    /// The delivery's id either way.
    pub fn id(self) -> u64 {
        match self {
            Stored::New(id) | Stored::Duplicate(id) => id,
        }
    }
}

/// A delivery handed to one worker until its lease ends.
#[derive(Debug)]
pub struct Leased {
    /// The delivery.
    pub delivery: Delivery,
    /// Proof the lease is this worker's: settling needs it.
    pub token: LeaseToken,
}

/// What happens to a delivery after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Next {
    /// It was handled.
    Done,
    /// Try again after this long.
    Retry(Duration),
    /// No more attempts: park it as dead.
    Dead,
}

/// Which deliveries [`InboxStore::list`] reads. The default reads the newest 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Only this status.
    pub status: Option<Status>,
    /// Only this provider (scheme name).
    pub provider: Option<String>,
    /// Only this event type.
    pub event_type: Option<String>,
    /// Only those stored at or after this time (Unix ms).
    pub since_ms: Option<u64>,
    /// At most this many, newest first.
    pub limit: usize,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            status: None,
            provider: None,
            event_type: None,
            since_ms: None,
            limit: 100,
        }
    }
}

impl Filter {
    /// Whether `delivery` passes the filter (limit aside).
    pub fn matches(&self, delivery: &Delivery) -> bool {
        self.status.is_none_or(|s| s == delivery.status)
            && self
                .provider
                .as_ref()
                .is_none_or(|p| *p == delivery.request.provider)
            && self
                .event_type
                .as_ref()
                .is_none_or(|t| Some(t) == delivery.request.event_type.as_ref())
            && self.since_ms.is_none_or(|t| delivery.received_ms >= t)
    }
}

/// Which deliveries [`InboxStore::retry`] makes due again now, with a fresh budget of
/// attempts. A delivery a worker holds now is never changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Which {
    /// One delivery.
    Id(u64),
    /// Every dead delivery.
    Dead,
    /// Every delivery stored at or after this time (Unix ms), handled ones included.
    Since(u64),
}

/// The inbox could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// The store could not answer (database unreachable, disk or size limit full): the
    /// endpoint answers 503, nothing is acknowledged.
    #[error("the inbox ({store}) is unavailable: {message}")]
    Unavailable {
        /// Which store: `sqlite` or `postgres`.
        store: &'static str,
        /// What failed (never a password: connection strings are not echoed).
        message: String,
        /// The underlying error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The file is not a hook inbox (another program's database, or damaged): refused
    /// rather than changed.
    #[error("{path} is not a hook inbox: {reason}")]
    NotAnInbox {
        /// The file.
        path: String,
        /// Why, and what to do.
        reason: String,
    },
}

impl InboxError {
    /// The store is unavailable, saying `message`, with no underlying error.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn message(store: &'static str, message: impl Into<String>) -> Self {
        InboxError::Unavailable {
            store,
            message: message.into(),
            source: None,
        }
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub(crate) fn unavailable(
        store: &'static str,
        message: impl Into<String>,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        InboxError::Unavailable {
            store,
            message: message.into(),
            source: Some(source.into()),
        }
    }
}

/// Stores deliveries and hands them out, for one receiver or a fleet sharing the store.
///
/// The protocol every implementation keeps:
/// - `put` stores a delivery as pending, due now, unless one with the same key is stored:
///   then it changes nothing and answers [`Stored::Duplicate`]. `Ok` means durable;
/// - `take` hands out the pending delivery due first (or a working one whose lease has
///   ended) as working for `lease`, with a new token; at most one holder at a time;
/// - `settle` with the holding token records the attempt and moves the delivery on
///   ([`Next`]); with another token (the lease ended and someone took it since) it changes
///   nothing and answers [`Settled::Lost`];
/// - `retry` and `purge` never touch a working delivery; `purge` never deletes a pending
///   one: only handled (done) and dead deliveries.
#[async_trait]
pub trait InboxStore: Send + Sync + fmt::Debug {
    /// Stores `delivery` durably.
    async fn put(&self, delivery: NewDelivery) -> Result<Stored>;

    /// Hands out the delivery due first, for `lease`.
    async fn take(&self, lease: Duration) -> Result<Option<Leased>>;

    /// Records `attempt` on the delivery `held` (under its lease's token), then moves it to
    /// `next`.
    async fn settle(&self, held: &Leased, attempt: Attempt, next: Next) -> Result<Settled>;

    /// How long until the next pending delivery or lease is due (zero when one is due
    /// now); `None` when nothing waits.
    async fn next_due(&self) -> Result<Option<Duration>>;

    /// The deliveries `filter` selects, newest first.
    async fn list(&self, filter: &Filter) -> Result<Vec<Delivery>>;

    /// One delivery.
    async fn get(&self, id: u64) -> Result<Option<Delivery>>;

    /// Makes `which` due now with a fresh budget of attempts; how many.
    async fn retry(&self, which: Which) -> Result<u64>;

    /// Deletes done and dead deliveries stored before `before_ms` (Unix ms); how many.
    async fn purge(&self, before_ms: u64) -> Result<u64>;
}

/// Now, in Unix milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `duration` in whole milliseconds, saturating.
#[cfg(feature = "sqlite")]
pub(crate) fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// `history` with `attempt` appended, the oldest dropped past [`MAX_HISTORY`].
/// `n` as a database integer, saturating.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A database integer as `u64` (a negative one, which no store writes, as 0).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn push_history(history: &mut Vec<Attempt>, attempt: Attempt) {
    history.push(attempt);
    if history.len() > MAX_HISTORY {
        let extra = history.len() - MAX_HISTORY;
        history.drain(..extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_prints_neither_header_values_nor_its_body() {
        let request = NewDelivery {
            key: "generic:evt_1".into(),
            provider: "generic".into(),
            event_type: Some("user.created".into()),
            method: "POST".into(),
            path: "/hook".into(),
            headers: vec![("authorization".into(), "Bearer hunter2".into())],
            body: b"{\"card\": \"4242\"}".to_vec(),
        };
        let delivery = Delivery {
            id: 7,
            request,
            received_ms: 0,
            status: Status::Pending,
            attempts: 0,
            due_ms: 0,
            last_error: None,
            history: Vec::new(),
        };
        let shown = format!("{delivery:?}");
        assert!(
            shown.contains("generic:evt_1") && shown.contains("16 bytes"),
            "{shown}"
        );
        assert!(
            !shown.contains("hunter2") && !shown.contains("4242"),
            "{shown}"
        );
    }
}
