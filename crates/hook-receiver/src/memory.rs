//! The in-memory store: one process, bounded.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::IdempotencyKey;
use crate::store::{
    Claim, ClaimToken, DEFAULT_RETENTION, IdempotencyStore, Result, Settled, StoreError,
};

/// The default number of keys a [`MemoryStore`] holds.
pub const DEFAULT_CAPACITY: usize = 100_000;

type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// Claims in this process's memory: right for one receiver instance; a fleet behind a load
/// balancer needs a shared store (`RedisStore`, `PostgresStore`).
///
/// Bounded: at most `capacity` keys. When full, the oldest completed key goes (an evicted
/// completed key lets a later retry run the handler again: size the capacity for the
/// deliveries of one retention period), then expired claims. A store full of claims in
/// flight answers [`StoreError`] (503) rather than forget one.
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
    entries: Mutex<Entries>,
}

/// The keys, and the completed ones in the order they completed (so, with one retention
/// for all, in the order they expire): eviction takes the front, no scan and no sort
/// under the lock. A queued key whose entry has changed since (claimed again after it
/// expired) is skipped when it comes up.
#[derive(Default)]
struct Entries {
    map: HashMap<IdempotencyKey, Entry>,
    done: VecDeque<(Duration, IdempotencyKey)>,
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
            entries: Mutex::new(Entries::default()),
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
        self.lock().map.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes room for one more key, or says why there is none: the oldest completed key
    /// goes (expired or not); failing that, a sweep of expired claims (crashed handlers).
    fn make_room(&self, entries: &mut Entries, now: Duration) -> bool {
        if entries.map.len() < self.capacity {
            return true;
        }
        while let Some((until, key)) = entries.done.pop_front() {
            let current = entries
                .map
                .get(&key)
                .is_some_and(|entry| entry.token.is_none() && entry.until == until);
            if current {
                entries.map.remove(&key);
                return true;
            }
        }
        entries.map.retain(|_, entry| entry.until > now);
        entries.map.len() < self.capacity
    }

    fn settle(&self, key: &IdempotencyKey, token: &ClaimToken, complete: bool) -> Settled {
        let now = (self.clock)();
        let entries = &mut *self.lock();
        match entries.map.get_mut(key) {
            Some(entry) if entry.until > now && entry.token.as_ref() == Some(token) => {
                if complete {
                    entry.token = None;
                    entry.until = now.saturating_add(self.retention);
                    entries.done.push_back((entry.until, key.clone()));
                    // Stale queue entries (keys completed, expired and claimed again) are
                    // dropped once they outnumber the keys, so the queue stays bounded.
                    if entries.done.len() > 2 * self.capacity {
                        let map = &entries.map;
                        entries.done.retain(|(until, key)| {
                            map.get(key)
                                .is_some_and(|e| e.token.is_none() && e.until == *until)
                        });
                    }
                } else {
                    entries.map.remove(key);
                }
                Settled::Applied
            }
            _ => Settled::Lost,
        }
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn claim(&self, key: &IdempotencyKey, lease: Duration) -> Result<Claim> {
        let now = (self.clock)();
        let entries = &mut *self.lock();
        if let Some(entry) = entries.map.get(key)
            && entry.until > now
        {
            return Ok(match entry.token {
                None => Claim::Done,
                Some(_) => Claim::InFlight {
                    expires_in: Some(entry.until - now),
                },
            });
        }
        if !entries.map.contains_key(key) && !self.make_room(entries, now) {
            return Err(StoreError::message(
                "memory",
                format!(
                    "all {} keys are claims in flight; raise MemoryStore::capacity",
                    self.capacity
                ),
            ));
        }
        let token = ClaimToken::generate();
        entries.map.insert(
            key.clone(),
            Entry {
                token: Some(token.clone()),
                until: now.saturating_add(lease),
            },
        );
        Ok(Claim::Acquired(token))
    }

    async fn complete(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled> {
        Ok(self.settle(key, token, true))
    }

    async fn release(&self, key: &IdempotencyKey, token: &ClaimToken) -> Result<Settled> {
        Ok(self.settle(key, token, false))
    }
}
