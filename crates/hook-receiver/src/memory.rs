//! The in-memory store: one process, bounded.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::IdempotencyKey;
use crate::store::{Claim, ClaimToken, DEFAULT_RETENTION, IdempotencyStore, Settled, StoreError};

/// The default number of keys a [`MemoryStore`] holds.
pub const DEFAULT_CAPACITY: usize = 100_000;

type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// Claims in this process's memory: right for one receiver instance; a fleet behind a load
/// balancer needs a shared store (`RedisStore`, `PostgresStore`).
///
/// Bounded: at most `capacity` keys. When full, expired keys go first, then the
/// oldest completed ones (an evicted completed key lets a later retry run the handler
/// again: size the capacity for the deliveries of one retention period). A store full of
/// claims in flight answers [`StoreError`] (503) rather than forget one.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use std::time::Duration;
/// use hook_receiver::{Claim, IdempotencyKey, IdempotencyStore, MemoryStore, Settled};
/// let store = MemoryStore::new();
/// let key = IdempotencyKey::new("github", "d-1").unwrap();
/// let Claim::Acquired(token) = store.claim(&key, Duration::from_secs(60)).await.unwrap() else {
///     panic!("a new key is acquired")
/// };
/// // The handler failed: released, so the retry runs it again.
/// assert_eq!(store.release(&key, &token).await.unwrap(), Settled::Applied);
/// let Claim::Acquired(token) = store.claim(&key, Duration::from_secs(60)).await.unwrap() else {
///     panic!("a released key is acquired again")
/// };
/// store.complete(&key, &token).await.unwrap();
/// assert_eq!(store.claim(&key, Duration::from_secs(60)).await.unwrap(), Claim::Done);
/// # });
/// ```
pub struct MemoryStore {
    capacity: usize,
    retention: Duration,
    clock: Clock,
    entries: Mutex<HashMap<IdempotencyKey, Entry>>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The holding claim's token; `None` once done.
    token: Option<ClaimToken>,
    /// Until when the claim or the done record holds, on the store's clock.
    until: Duration,
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("retention", &self.retention)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// A store of [`DEFAULT_CAPACITY`] keys, remembering completed keys for
    /// [`DEFAULT_RETENTION`].
    pub fn new() -> Self {
        let start = Instant::now();
        MemoryStore {
            capacity: DEFAULT_CAPACITY,
            retention: DEFAULT_RETENTION,
            clock: Arc::new(move || start.elapsed()),
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Holds at most `keys` keys (at least 1).
    pub fn capacity(mut self, keys: usize) -> Self {
        self.capacity = keys.max(1);
        self
    }

    /// Remembers a completed key for `retention`.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    /// Reads time from `clock` (time since any fixed start) instead of the system's
    /// monotonic clock: for tests that move time by hand.
    pub fn clock(mut self, clock: impl Fn() -> Duration + Send + Sync + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How many keys are held now, expired ones included until they are swept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IdempotencyKey, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for one more key, or says why there is none.
    fn make_room(&self, entries: &mut HashMap<IdempotencyKey, Entry>, now: Duration) -> bool {
        if entries.len() < self.capacity {
            return true;
        }
        entries.retain(|_, entry| entry.until > now);
        if entries.len() < self.capacity {
            return true;
        }
        // Evict the oldest completed keys, an eighth of the capacity at once, so a full
        // store does not sort on every claim.
        let mut done: Vec<(Duration, IdempotencyKey)> = entries
            .iter()
            .filter(|(_, entry)| entry.token.is_none())
            .map(|(key, entry)| (entry.until, key.clone()))
            .collect();
        if done.is_empty() {
            return false;
        }
        done.sort_unstable();
        for (_, key) in done.into_iter().take((self.capacity / 8).max(1)) {
            entries.remove(&key);
        }
        true
    }

    fn settle(&self, key: &IdempotencyKey, token: &ClaimToken, complete: bool) -> Settled {
        let now = (self.clock)();
        let mut entries = self.lock();
        match entries.get_mut(key) {
            Some(entry) if entry.until > now && entry.token.as_ref() == Some(token) => {
                if complete {
                    entry.token = None;
                    entry.until = now.saturating_add(self.retention);
                } else {
                    entries.remove(key);
                }
                Settled::Applied
            }
            _ => Settled::Lost,
        }
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn claim(&self, key: &IdempotencyKey, lease: Duration) -> Result<Claim, StoreError> {
        let now = (self.clock)();
        let mut entries = self.lock();
        if let Some(entry) = entries.get(key)
            && entry.until > now
        {
            return Ok(match entry.token {
                None => Claim::Done,
                Some(_) => Claim::InFlight {
                    expires_in: Some(entry.until - now),
                },
            });
        }
        if !entries.contains_key(key) && !self.make_room(&mut entries, now) {
            return Err(StoreError::message(
                "memory",
                format!(
                    "all {} keys are claims in flight; raise MemoryStore::capacity",
                    self.capacity
                ),
            ));
        }
        let token = ClaimToken::generate();
        entries.insert(
            key.clone(),
            Entry {
                token: Some(token.clone()),
                until: now.saturating_add(lease),
            },
        );
        Ok(Claim::Acquired(token))
    }

    async fn complete(
        &self,
        key: &IdempotencyKey,
        token: &ClaimToken,
    ) -> Result<Settled, StoreError> {
        Ok(self.settle(key, token, true))
    }

    async fn release(
        &self,
        key: &IdempotencyKey,
        token: &ClaimToken,
    ) -> Result<Settled, StoreError> {
        Ok(self.settle(key, token, false))
    }
}
