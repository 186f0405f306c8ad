//! Receive webhooks once: an event reaches the handler once, and is never lost, on one
//! instance or a fleet sharing a store.
//!
//! Providers deliver at least once: they retry what failed, and sometimes send a delivery
//! twice. A receiver must run its handler again for a retry of a *failed* attempt, and not
//! again for a repeat of a *handled* one. [`IdempotencyLayer`] does this with three steps
//! per delivery key:
//!
//! 1. **claim** the key before the handler runs ([`IdempotencyStore::claim`]), for a lease;
//! 2. **complete** it when the handler answers 2xx: later repeats are acknowledged with 200
//!    without running the handler;
//! 3. **release** it on anything else: a non-2xx answer, an error, a panic, a timeout, a
//!    dropped or cancelled request. The sender's retry runs the handler again.
//!
//! A crashed instance's claim ends with its lease, and another instance takes the key
//! over. No path answers 2xx for an event nobody handled.
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use hook_receiver::MemoryStore;
//! use hook_sign::{Scheme, Verifier};
//!
//! async fn handle(body: axum::body::Bytes) -> &'static str {
//!     // ... handle the verified event; answer 2xx only when it is handled.
//!     "ok"
//! }
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::new(Scheme::standard_webhooks(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! // One instance. A fleet shares Redis or Postgres instead (features `redis`, `postgres`):
//! // let store = hook_receiver::RedisStore::connect("redis://127.0.0.1:6379/")?;
//! let store = MemoryStore::new();
//! let app: Router = Router::new()
//!     .route("/hook", post(handle))
//!     .layer(hook_receiver::layer(verifier, store));
//! # let _ = app; Ok(()) }
//! ```
//!
//! ## What the sender sees
//!
//! | outcome | answer |
//! |---|---|
//! | the key was claimed, the handler answered | the handler's answer (2xx completes, anything else releases) |
//! | the key was completed before | `200 delivery … was already handled`, the handler not run |
//! | another attempt holds the key now | `429 Too Many Requests` with `Retry-After` (the rest of its lease, at least 1 s) |
//! | the handler panicked | `500`, the claim released |
//! | the handler ran past its timeout | `503` with `Retry-After: 5`, the claim released |
//! | the store cannot be reached | `503` with `Retry-After: 5`, the handler not run |
//! | the delivery has no key where the scheme says | `400` naming the key source |
//!
//! **Why 429 for a key in flight.** The answer must make the sender retry later, and must
//! not be 2xx: the first attempt may still fail. 429 is the status senders retry most
//! widely (Standard Webhooks senders, Stripe and the generic service retry any non-2xx;
//! senders that retry only some statuses include 429 and 5xx), it carries `Retry-After`,
//! and unlike a 5xx it does not count against the instance in a load balancer's outlier
//! detection. [`IdempotencyLayer::in_flight_status`] changes it (never to a 2xx).
//!
//! Per provider, with each preset's key source ([`hook_sign::Scheme::idempotency_key`]):
//!
//! | preset | key | what the sender does with a non-2xx |
//! |---|---|---|
//! | `uipath` | body `/EventId` | Automation Cloud never retries and disables the webhook for an hour after a failed call: a 429, 503 or a handler's failure loses that event and the hour's events; a standalone Orchestrator retries (0 s, 45 s, 2 min 30 s, 5 min). For UiPath, answer quickly: the durable [`inbox`] answers as soon as a delivery is stored |
//! | `port` | the signature (`x-port-signature`) | an action or automation run is marked failed; exact repeats are caught, a re-signed retry is a new key |
//! | `up42` | the signature (`Signature`) | UP42 sends no delivery id; exact repeats (replays) are caught |
//! | `generic` | body `/id` | retried after 30 s, 5 min, 30 min and 2 h, then failed |
//! | `standard-webhooks` | `webhook-id` header | retried on the sender's schedule (Svix: 5 s up to 10 h) |
//! | `github`, `github-sha1` | `X-GitHub-Delivery` header | not retried automatically; redeliver from the webhook's settings |
//! | `stripe` | body `/id` (the event id) | retried with backoff for up to 3 days |
//!
//! ## Stores
//!
//! - [`MemoryStore`]: one process, bounded; the default for a single instance.
//! - `RedisStore` (feature `redis`): atomic claims with an expiry in one Lua script;
//!   complete and release compare the claim token, so an instance whose lease expired
//!   cannot settle another's claim.
//! - `PostgresStore` (feature `postgres`): one table created by
//!   `PostgresStore::migrate` (the SQL is `postgres::MIGRATION`), claims by
//!   `INSERT … ON CONFLICT` with a lease column.
//!
//! ## Acknowledge first, handle later
//!
//! The [`inbox`] module stores each verified delivery durably and answers 200 at once;
//! workers hand it to the handler afterwards, with retries, backoff and dead-lettering.
//! For senders that give up quickly (UiPath) and handlers that are slow or down.
//!
//! Completing a key whose store fails after the handler succeeded answers the handler's
//! 2xx (the event was handled) and logs it; the claim then ends with its lease, after which
//! a retry would run the handler again. Between losing an event and running a handler
//! twice, the layer chooses twice.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod guard;
pub mod inbox;
mod key;
mod layer;
mod memory;
mod pointer;
#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(feature = "redis")]
pub mod redis;
mod store;

pub use guard::{ClaimGuard, RETRY_SOON, Unhandled, claim};
pub use key::{IdempotencyKey, KeyError, KeyReader, MAX_KEY_LEN};
pub use layer::{DEFAULT_HANDLER_TIMEOUT, IdempotencyLayer, IdempotencyService, layer};
pub use memory::{DEFAULT_CAPACITY, MemoryStore};
#[cfg(feature = "postgres")]
pub use postgres::PostgresStore;
#[cfg(feature = "redis")]
pub use redis::RedisStore;
pub use store::{
    Claim, ClaimToken, DEFAULT_RETENTION, IdempotencyStore, Result, Settled, StoreError,
};
