//! The inbox and its workers: each stored delivery reaches the handler until it succeeds,
//! with backoff between failures, and is parked as dead after the last attempt.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::FutureExt as _;
use futures_util::future::select;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use super::{Attempt, Delivery, InboxError, InboxStore, Leased, NewDelivery, Next, Stored, now_ms};
use crate::Settled;

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Handled: the delivery is done.
    Done,
    /// Not handled: try again later.
    Retry {
        /// What went wrong, kept in the delivery's history.
        error: String,
        /// When the handler knows better than the backoff (an app's `Retry-After`): wait
        /// this long (capped by [`Policy::max_retry_after`]).
        after: Option<Duration>,
    },
}

impl Outcome {
    /// A failure with `error`, retried on the backoff schedule.
    pub fn retry(error: impl Into<String>) -> Self {
        Outcome::Retry {
            error: error.into(),
            after: None,
        }
    }
}

/// Handles stored deliveries.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    /// Handles `delivery`: [`Outcome::Done`] only once it is handled.
    async fn handle(&self, delivery: &Delivery) -> Outcome;
}

/// A [`Handler`] made of an async function; see [`handler_fn`].
pub struct HandlerFn<F>(F);

impl<F> fmt::Debug for HandlerFn<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HandlerFn")
    }
}

/// A handler calling `f` with each delivery.
pub fn handler_fn<F, Fut>(f: F) -> HandlerFn<F>
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send,
{
    HandlerFn(f)
}

#[async_trait]
impl<F, Fut> Handler for HandlerFn<F>
where
    F: Fn(Delivery) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Outcome> + Send,
{
    async fn handle(&self, delivery: &Delivery) -> Outcome {
        (self.0)(delivery.clone()).await
    }
}

/// How workers run: how many, how long a call may take, and the retry schedule.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Policy {
    /// Workers per process (default 4).
    pub workers: usize,
    /// How long one handler call may take before it is cancelled and counted as failed
    /// (default 30 s). A delivery's lease is twice this.
    pub handler_timeout: Duration,
    /// The wait after the first failure (default 1 s); each later failure doubles it.
    pub first_backoff: Duration,
    /// The longest wait between attempts (default 15 min).
    pub max_backoff: Duration,
    /// Attempts before a delivery is parked as dead (default 12: about 47 minutes of
    /// retries on the default schedule).
    pub max_attempts: u32,
    /// The longest `Retry-After` honoured (default 1 h); longer ones wait this long.
    pub max_retry_after: Duration,
    /// How often an idle worker looks for deliveries other processes stored or whose
    /// lease ended (default 500 ms). Deliveries stored by this process wake a worker at once.
    pub poll: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            workers: 4,
            handler_timeout: Duration::from_secs(30),
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(15 * 60),
            max_attempts: 12,
            max_retry_after: Duration::from_secs(3600),
            poll: Duration::from_millis(500),
        }
    }
}

impl Policy {
    /// The lease a worker takes: twice the handler timeout.
    pub fn lease(&self) -> Duration {
        self.handler_timeout.saturating_mul(2)
    }

    /// What follows a failed attempt, the delivery having had `attempts` (this one
    /// included), the handler asking to wait `after`.
    pub fn next_after_failure(&self, id: u64, attempts: u32, after: Option<Duration>) -> Next {
        if attempts >= self.max_attempts.max(1) {
            return Next::Dead;
        }
        Next::Retry(match after {
            Some(after) => after.min(self.max_retry_after),
            None => backoff(self, id, attempts),
        })
    }
}

/// The wait after `attempts` failed attempts of delivery `id`: the first backoff doubled
/// per attempt, at most the maximum, less up to a fifth (derived from the id, so copies of
/// a burst spread out, and a schedule is the same on every run).
pub fn backoff(policy: &Policy, id: u64, attempts: u32) -> Duration {
    let doublings = attempts.saturating_sub(1).min(30);
    let full = policy
        .first_backoff
        .saturating_mul(1u32 << doublings)
        .min(policy.max_backoff);
    // A fraction in [0, 0.2) from the id and the attempt (a multiplicative hash).
    let mixed = (id ^ u64::from(attempts)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11;
    let fraction = (mixed as f64 / (1u64 << 53) as f64) * 0.2;
    full.mul_f64(1.0 - fraction)
}

/// A store of deliveries with the wake-up its workers wait on: [`Inbox::put`] stores and
/// wakes a worker; [`Inbox::spawn_workers`] runs the handler.
#[derive(Debug, Clone)]
pub struct Inbox {
    store: Arc<dyn InboxStore>,
    policy: Policy,
    wake: Arc<Notify>,
}

impl Inbox {
    /// An inbox over `store`, with the default [`Policy`].
    pub fn new(store: impl InboxStore + 'static) -> Self {
        Inbox::shared(Arc::new(store))
    }

    /// The same over a shared store.
    pub fn shared(store: Arc<dyn InboxStore>) -> Self {
        Inbox {
            store,
            policy: Policy::default(),
            wake: Arc::new(Notify::new()),
        }
    }

    /// Runs workers under `policy`.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn InboxStore> {
        &self.store
    }

    /// Stores `delivery` durably and wakes a worker. `Ok` means it will reach the handler.
    ///
    /// # Errors
    ///
    /// [`InboxError::Unavailable`] when the store cannot record it: the delivery is not stored
    /// and must not be acknowledged.
    pub async fn put(&self, delivery: NewDelivery) -> Result<Stored, InboxError> {
        let stored = self.store.put(delivery).await?;
        if matches!(stored, Stored::New(_)) {
            self.wake.notify_one();
        }
        Ok(stored)
    }

    /// Starts [`Policy::workers`] workers handing deliveries to `handler`, on the current
    /// tokio runtime.
    pub fn spawn_workers(&self, handler: impl Handler) -> Workers {
        let handler: Arc<dyn Handler> = Arc::new(handler);
        let (stop, stopped) = watch::channel(false);
        let tasks = (0..self.policy.workers.max(1))
            .map(|_| {
                let worker = Worker {
                    store: self.store.clone(),
                    policy: self.policy.clone(),
                    wake: self.wake.clone(),
                    handler: handler.clone(),
                };
                tokio::spawn(worker.run(stopped.clone()))
            })
            .collect();
        Workers { stop, tasks }
    }
}

/// Running workers; [`Workers::shutdown`] stops them after their current call. Dropping
/// the handle leaves them running.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Workers {
    /// Stops taking deliveries, and waits for the calls in progress to end (each within
    /// the handler timeout).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

struct Worker {
    store: Arc<dyn InboxStore>,
    policy: Policy,
    wake: Arc<Notify>,
    handler: Arc<dyn Handler>,
}

impl Worker {
    async fn run(self, mut stopped: watch::Receiver<bool>) {
        while !*stopped.borrow() {
            let wait = match self.store.take(self.policy.lease()).await {
                Ok(Some(leased)) => {
                    self.attempt(leased).await;
                    continue;
                }
                Ok(None) => match self.store.next_due().await {
                    Ok(Some(due)) => due.min(self.policy.poll),
                    Ok(None) | Err(_) => self.policy.poll,
                },
                Err(error) => {
                    tracing::warn!(%error, "the inbox cannot hand out deliveries; trying again");
                    self.policy.poll
                }
            };
            // Whichever comes first: a delivery stored here, the wait, or the stop.
            let sleep = std::pin::pin!(tokio::time::sleep(wait));
            let stop = std::pin::pin!(stopped.changed());
            let woken = std::pin::pin!(self.wake.notified());
            let _ = select(woken, select(sleep, stop)).await;
        }
    }

    async fn attempt(&self, leased: Leased) {
        let delivery = &leased.delivery;
        let call = AssertUnwindSafe(self.handler.handle(delivery)).catch_unwind();
        let outcome = match tokio::time::timeout(self.policy.handler_timeout, call).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_panic)) => Outcome::retry("the handler panicked"),
            Err(_elapsed) => Outcome::retry(format!(
                "the handler did not finish within {:?}",
                self.policy.handler_timeout
            )),
        };
        let attempts = delivery.attempts.saturating_add(1);
        let (attempt, next) = match outcome {
            Outcome::Done => (
                Attempt {
                    at_ms: now_ms(),
                    ok: true,
                    detail: "done".into(),
                },
                Next::Done,
            ),
            Outcome::Retry { error, after } => {
                let next = self.policy.next_after_failure(delivery.id, attempts, after);
                match next {
                    Next::Dead => tracing::error!(
                        id = delivery.id,
                        key = %delivery.request.key,
                        attempts,
                        %error,
                        "a delivery failed its last attempt and is parked as dead"
                    ),
                    _ => {
                        tracing::warn!(id = delivery.id, attempts, %error, "a delivery's attempt failed; it will be retried")
                    }
                }
                (
                    Attempt {
                        at_ms: now_ms(),
                        ok: false,
                        detail: error,
                    },
                    next,
                )
            }
        };
        // A settle that fails leaves the lease to end: the delivery is handed out again
        // (at least once, never lost).
        match self.store.settle(&leased, attempt, next).await {
            Ok(Settled::Applied) => {}
            Ok(Settled::Lost) => tracing::warn!(
                id = delivery.id,
                "a delivery's lease ended before its attempt did (raise the handler timeout); another worker has it"
            ),
            Err(error) => {
                tracing::warn!(id = delivery.id, %error, "could not record an attempt; the delivery is handed out again when its lease ends")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_down_only() {
        let policy = Policy {
            first_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
            ..Policy::default()
        };
        for id in 0..200 {
            for attempts in 1..40 {
                let full = Duration::from_secs(1u64 << (attempts - 1).min(30))
                    .min(Duration::from_secs(60));
                let wait = backoff(&policy, id, attempts);
                assert!(
                    wait <= full && wait >= full.mul_f64(0.8),
                    "{id} {attempts} {wait:?}"
                );
            }
        }
        assert_eq!(backoff(&policy, 7, 3), backoff(&policy, 7, 3));
    }

    #[test]
    fn the_last_attempt_parks_and_retry_after_is_capped() {
        let policy = Policy {
            max_attempts: 3,
            max_retry_after: Duration::from_secs(10),
            ..Policy::default()
        };
        assert_eq!(policy.next_after_failure(1, 3, None), Next::Dead);
        assert!(matches!(
            policy.next_after_failure(1, 2, None),
            Next::Retry(_)
        ));
        assert_eq!(
            policy.next_after_failure(1, 1, Some(Duration::from_secs(99))),
            Next::Retry(Duration::from_secs(10))
        );
        assert_eq!(
            policy.next_after_failure(1, 1, Some(Duration::from_secs(2))),
            Next::Retry(Duration::from_secs(2))
        );
    }
}
