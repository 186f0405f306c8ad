//! The emulator's clock for delivery schedules: scaled real time, or manual for tests.

use std::time::Duration;

use tokio::sync::watch;

/// The smallest time scale: a 2-hour retry in 7.2 ms.
pub const MIN_SCALE: f64 = 1e-6;
/// The largest time scale: emulated time a million times slower than real time.
pub const MAX_SCALE: f64 = 1e6;

/// `duration × factor`, saturating at `Duration::MAX` (and 0 for a factor that is not a
/// positive number) instead of panicking.
fn times(duration: Duration, factor: f64) -> Duration {
    Duration::try_from_secs_f64(duration.as_secs_f64() * factor).unwrap_or(if factor > 0.0 {
        Duration::MAX
    } else {
        Duration::ZERO
    })
}

/// How the delivery schedule's delays pass.
///
/// Signature timestamps and payload times always use the real wall clock, so receivers'
/// tolerance checks hold; only waits (retry delays, UiPath's one-hour disable) follow
/// this clock.
#[derive(Debug, Clone)]
pub struct Clock {
    mode: Mode,
    started: tokio::time::Instant,
    manual: watch::Sender<Duration>,
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Scaled(f64),
    Manual,
}

impl Clock {
    /// Real time multiplied by `scale`: 0.001 turns the 2 h retry into 7.2 s. A scale
    /// outside [`MIN_SCALE`, `MAX_SCALE`] (or not a number) is refused.
    ///
    /// # Errors
    ///
    /// A message when `scale` is outside [`MIN_SCALE`], [`MAX_SCALE`] or not a number.
    pub fn scaled(scale: f64) -> Result<Self, String> {
        if !(MIN_SCALE..=MAX_SCALE).contains(&scale) {
            return Err(format!(
                "time scale {scale} is outside {MIN_SCALE} to {MAX_SCALE}: 0.001 runs a 2-hour retry in 7.2 s"
            ));
        }
        Ok(Clock {
            mode: Mode::Scaled(scale),
            started: tokio::time::Instant::now(),
            manual: watch::channel(Duration::ZERO).0,
        })
    }

    /// A clock that moves only when [`Clock::advance`] is called.
    pub fn manual() -> Self {
        Clock {
            mode: Mode::Manual,
            started: tokio::time::Instant::now(),
            manual: watch::channel(Duration::ZERO).0,
        }
    }

    /// Emulated time since the clock started.
    pub fn elapsed(&self) -> Duration {
        match self.mode {
            Mode::Scaled(scale) => times(self.started.elapsed(), 1.0 / scale),
            Mode::Manual => *self.manual.borrow(),
        }
    }

    /// The real time an emulated delay takes (zero for a manual clock).
    pub fn real(&self, emulated: Duration) -> Duration {
        match self.mode {
            Mode::Scaled(scale) => times(emulated, scale),
            Mode::Manual => Duration::ZERO,
        }
    }

    /// Waits `emulated` time.
    pub async fn sleep(&self, emulated: Duration) {
        match self.mode {
            Mode::Scaled(scale) => tokio::time::sleep(times(emulated, scale)).await,
            Mode::Manual => {
                let deadline = self.manual.borrow().saturating_add(emulated);
                let mut changes = self.manual.subscribe();
                // Sender lives as long as the clock: `changed` only fails once it is gone.
                while *changes.borrow_and_update() < deadline {
                    if changes.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Waits until emulated time `deadline` (at once when it has passed). A deadline
    /// fixed when a wait is decided, rather than a delay counted from when the waiting
    /// starts, keeps a manual clock's `advance` from racing the waiter.
    pub async fn sleep_until(&self, deadline: Duration) {
        match self.mode {
            Mode::Scaled(scale) => {
                let left = deadline.saturating_sub(self.elapsed());
                tokio::time::sleep(times(left, scale)).await;
            }
            Mode::Manual => {
                let mut changes = self.manual.subscribe();
                while *changes.borrow_and_update() < deadline {
                    if changes.changed().await.is_err() {
                        return;
                    }
                }
            }
        }
    }

    /// Moves a manual clock forward, waking every wait it completes. A scaled clock
    /// ignores it (and says so by returning false).
    pub fn advance(&self, by: Duration) -> bool {
        match self.mode {
            Mode::Scaled(_) => false,
            Mode::Manual => {
                self.manual.send_modify(|now| *now = now.saturating_add(by));
                true
            }
        }
    }

    /// Whether this is a manual clock.
    pub fn is_manual(&self) -> bool {
        matches!(self.mode, Mode::Manual)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_sleep_ends_exactly_when_advanced_past_it() {
        let clock = Clock::manual();
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep(Duration::from_secs(30)).await })
        };
        // Let the sleeper take its deadline before time moves.
        tokio::task::yield_now().await;
        clock.advance(Duration::from_secs(29));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished());
        clock.advance(Duration::from_secs(1));
        sleeper.await.unwrap();
        assert_eq!(clock.elapsed(), Duration::from_secs(30));
    }

    #[test]
    fn bad_scales_are_refused() {
        for scale in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e-300, 1e300] {
            assert!(Clock::scaled(scale).is_err(), "{scale}");
        }
        assert!(Clock::scaled(0.001).is_ok());
    }

    #[tokio::test]
    async fn extreme_times_saturate_instead_of_panicking() {
        let clock = Clock::scaled(MIN_SCALE).unwrap();
        assert_eq!(clock.real(Duration::MAX), times(Duration::MAX, MIN_SCALE));
        let slow = Clock::scaled(MAX_SCALE).unwrap();
        assert_eq!(slow.real(Duration::MAX), Duration::MAX);
        let _ = slow.elapsed();
        let manual = Clock::manual();
        manual.advance(Duration::MAX);
        manual.advance(Duration::MAX);
        assert_eq!(manual.elapsed(), Duration::MAX);
        manual.sleep(Duration::MAX).await;
    }
}
