//! Chaos rules: a sender at its most hostile for one webhook's deliveries, switched on by
//! an integration test through the admin API (`POST /_admin/chaos`,
//! [`crate::AdminClient::chaos`]): a share of deliveries sent twice at once, held back
//! until the webhook's next delivery has gone (out of order), delayed, or signed with a
//! timestamp older than the scheme's tolerance. Draws come from the fault generator's
//! seed, so a seeded run replays.

use std::collections::HashMap;
use std::time::Duration;

use hook_model::Provider;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// The longest delay a rule may add: an hour of emulated time.
pub const MAX_CHAOS_DELAY: Duration = Duration::from_secs(3600);

/// What the sender does to one webhook's deliveries; each share is from 0 (never) to 1
/// (always).
///
/// ```
/// use std::time::Duration;
/// use hook_emulator::ChaosRule;
/// let rule = ChaosRule::new(hook_generic::PROVIDER, "hook_1").duplicate(0.5).delay(0.1, Duration::from_secs(30));
/// assert_eq!(rule.duplicate, 0.5);
/// assert!(rule.check().is_ok());
/// assert!(ChaosRule::new(hook_generic::PROVIDER, "hook_1").stale(2.0).check().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ChaosRule {
    /// The webhook's provider.
    pub provider: Provider,
    /// The webhook's id.
    pub webhook: String,
    /// The share of attempts sent twice at once (the same bytes and signature).
    #[serde(default)]
    pub duplicate: f64,
    /// The share of deliveries held back until the webhook's next delivery has been
    /// attempted (one held at a time; released after [`MAX_CHAOS_DELAY`] at the latest).
    #[serde(default)]
    pub reorder: f64,
    /// The share of attempts delayed by `delay_ms` of emulated time first.
    #[serde(default)]
    pub delay: f64,
    /// How long a delayed attempt waits, in milliseconds (at most an hour).
    #[serde(default)]
    pub delay_ms: u64,
    /// The share of attempts signed with a timestamp a minute older than the scheme's
    /// tolerance (for schemes that sign one; the others are sent as they are).
    #[serde(default)]
    pub stale: f64,
}

impl ChaosRule {
    /// A rule for webhook `webhook` of `provider` that changes nothing yet.
    pub fn new(provider: Provider, webhook: impl Into<String>) -> Self {
        ChaosRule {
            provider,
            webhook: webhook.into(),
            duplicate: 0.0,
            reorder: 0.0,
            delay: 0.0,
            delay_ms: 0,
            stale: 0.0,
        }
    }

    /// The same, sending a `share` of attempts twice at once.
    #[must_use]
    pub fn duplicate(mut self, share: f64) -> Self {
        self.duplicate = share;
        self
    }

    /// The same, holding a `share` of deliveries back until the next has gone.
    #[must_use]
    pub fn reorder(mut self, share: f64) -> Self {
        self.reorder = share;
        self
    }

    /// The same, delaying a `share` of attempts by `by`.
    #[must_use]
    pub fn delay(mut self, share: f64, by: Duration) -> Self {
        self.delay = share;
        self.delay_ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self
    }

    /// The same, signing a `share` of attempts with a stale timestamp.
    #[must_use]
    pub fn stale(mut self, share: f64) -> Self {
        self.stale = share;
        self
    }

    /// Whether the rule can be applied: each share from 0 to 1, the delay at most an hour.
    ///
    /// # Errors
    ///
    /// A message naming the field that is out of range.
    pub fn check(&self) -> Result<(), String> {
        for (name, share) in [
            ("duplicate", self.duplicate),
            ("reorder", self.reorder),
            ("delay", self.delay),
            ("stale", self.stale),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return Err(format!("{name} is a share from 0 to 1, not {share}"));
            }
        }
        if Duration::from_millis(self.delay_ms) > MAX_CHAOS_DELAY {
            return Err(format!(
                "delay_ms is at most {}, not {}",
                MAX_CHAOS_DELAY.as_millis(),
                self.delay_ms
            ));
        }
        Ok(())
    }
}

/// What one attempt meets.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Twists {
    /// Wait this long first.
    pub delay: Option<Duration>,
    /// Sign with a stale timestamp.
    pub stale: bool,
    /// Send it twice at once.
    pub duplicate: bool,
}

/// The rules, and the deliveries held back for reordering.
#[derive(Debug)]
pub(crate) struct Chaos {
    pub rules: Vec<ChaosRule>,
    state: u64,
    held: HashMap<(Provider, String), oneshot::Sender<()>>,
}

impl Chaos {
    pub(crate) fn new(seed: u64) -> Self {
        Chaos {
            rules: Vec::new(),
            state: seed,
            held: HashMap::new(),
        }
    }

    fn rule(&self, provider: Provider, webhook: &str) -> Option<ChaosRule> {
        let mine = |r: &&ChaosRule| r.provider == provider && r.webhook == webhook;
        self.rules.iter().rev().find(mine).cloned()
    }

    fn roll(&mut self, share: f64) -> bool {
        share > 0.0 && crate::faults::unit(&mut self.state) < share
    }

    /// At enqueue: a signal to wait for when this delivery is to be held back (none is
    /// held for its webhook yet, and the rule's reorder share says so).
    pub(crate) fn hold(
        &mut self,
        provider: Provider,
        webhook: &str,
    ) -> Option<oneshot::Receiver<()>> {
        let rule = self.rule(provider, webhook)?;
        let key = (provider, webhook.to_owned());
        if self.held.contains_key(&key) || !self.roll(rule.reorder) {
            return None;
        }
        let (release, held) = oneshot::channel();
        self.held.insert(key, release);
        Some(held)
    }

    /// After an attempt to `webhook`: lets its held delivery go.
    pub(crate) fn release(&mut self, provider: Provider, webhook: &str) {
        // Every attempt calls this: without chaos, nothing to look up or allocate.
        if self.held.is_empty() {
            return;
        }
        if let Some(release) = self.held.remove(&(provider, webhook.to_owned())) {
            let _ = release.send(());
        }
    }

    /// What the next attempt to `webhook` meets.
    pub(crate) fn twists(&mut self, provider: Provider, webhook: &str) -> Twists {
        let Some(rule) = self.rule(provider, webhook) else {
            return Twists::default();
        };
        Twists {
            delay: self
                .roll(rule.delay)
                .then(|| Duration::from_millis(rule.delay_ms)),
            stale: self.roll(rule.stale),
            duplicate: self.roll(rule.duplicate),
        }
    }

    /// Forgets every rule and lets every held delivery go.
    pub(crate) fn clear(&mut self) {
        self.rules.clear();
        for (_, release) in self.held.drain() {
            let _ = release.send(());
        }
    }
}
