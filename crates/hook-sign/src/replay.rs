//! Remembering delivery ids, so a replayed delivery is noticed.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

/// A bounded record of recently seen delivery ids: at most `capacity` ids, none older than
/// `max_age`. Webhook providers deliver at least once and ask receivers to be idempotent;
/// this flags the repeats.
///
/// Keep `max_age` at least the signature tolerance: an id forgotten sooner could be
/// replayed with a still-valid timestamp.
///
/// ```
/// use std::time::Duration;
/// use hook_sign::ReplayGuard;
/// let seen = ReplayGuard::new(10_000, Duration::from_secs(600));
/// assert!(seen.check("evt_1", 1_000).is_ok());
/// assert!(seen.check("evt_1", 1_001).is_err()); // a replay
/// assert!(seen.check("evt_1", 1_700).is_ok());  // forgotten after 10 minutes
/// ```
pub struct ReplayGuard {
    capacity: usize,
    max_age: Duration,
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    order: VecDeque<(u64, String)>,
    ids: HashSet<String>,
}

/// The id was seen within the window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replayed {
    /// The repeated id.
    pub id: String,
}

impl fmt::Display for Replayed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_replayed(f, &self.id)
    }
}

/// The words for a repeated delivery id: [`Replayed`]'s and
/// [`VerifyError::Replayed`](crate::VerifyError::Replayed)'s alike.
pub(crate) fn write_replayed(f: &mut fmt::Formatter<'_>, id: &str) -> fmt::Result {
    write!(
        f,
        "delivery {id} was already received: a replay or a retry of a handled delivery"
    )
}

impl std::error::Error for Replayed {}

/// Where seen delivery ids are kept, so a repeated delivery is noticed: the bounded
/// in-memory [`ReplayGuard`], or a store of your own (Redis, a database table) shared by
/// several receivers. A [`Verifier`](crate::Verifier) given one with
/// [`Verifier::replay_store`](crate::Verifier::replay_store) checks each verified
/// delivery's id, read from the scheme's id header.
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Records `id` as seen at `now` (unix seconds); [`Replayed`] when it was already seen
    /// within the store's window.
    fn check(&self, id: &str, now: u64) -> Result<(), Replayed>;
}

impl ReplayStore for ReplayGuard {
    fn check(&self, id: &str, now: u64) -> Result<(), Replayed> {
        ReplayGuard::check(self, id, now)
    }
}

/// The longest id remembered; longer ids are refused as replays would be unbounded memory.
pub const MAX_REPLAY_ID_LEN: usize = 256;

impl fmt::Debug for ReplayGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayGuard")
            .field("capacity", &self.capacity)
            .field("max_age", &self.max_age)
            .finish_non_exhaustive()
    }
}

impl ReplayGuard {
    /// Remembers at most `capacity` ids (at least 1), each for `max_age`.
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        ReplayGuard {
            capacity: capacity.max(1),
            max_age,
            seen: Mutex::new(Seen::default()),
        }
    }

    /// Records `id` as seen at `now` (unix seconds); an error if it was seen within the
    /// window. Ids over [`MAX_REPLAY_ID_LEN`] bytes count as replays.
    pub fn check(&self, id: &str, now: u64) -> Result<(), Replayed> {
        let replayed = || Replayed {
            id: id.chars().take(64).collect(),
        };
        if id.len() > MAX_REPLAY_ID_LEN {
            return Err(replayed());
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let horizon = now.saturating_sub(self.max_age.as_secs());
        while let Some((at, _)) = seen.order.front() {
            if *at >= horizon && seen.order.len() < self.capacity {
                break;
            }
            if let Some((_, old)) = seen.order.pop_front() {
                seen.ids.remove(&old);
            }
        }
        if !seen.ids.insert(id.to_owned()) {
            return Err(replayed());
        }
        seen.order.push_back((now, id.to_owned()));
        Ok(())
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .ids
            .len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_bounds_memory_and_forgets_the_oldest() {
        let guard = ReplayGuard::new(3, Duration::from_secs(3600));
        for id in ["a", "b", "c", "d"] {
            guard.check(id, 10).unwrap();
        }
        assert_eq!(guard.len(), 3);
        assert!(guard.check("a", 11).is_ok(), "a was evicted by capacity");
        assert!(guard.check("d", 11).is_err());
    }

    #[test]
    fn overlong_ids_are_refused() {
        let guard = ReplayGuard::new(3, Duration::from_secs(60));
        assert!(guard.check(&"x".repeat(MAX_REPLAY_ID_LEN + 1), 0).is_err());
        assert!(guard.is_empty());
    }
}
