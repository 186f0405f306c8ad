//! Deliveries, their log records, and the retry schedule.

use std::time::Duration;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::Error;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// A receiver answered 2xx.
    Success,
    /// Every attempt failed; it will not be retried.
    Failed,
    /// Not delivered yet; another attempt is due.
    Pending,
}

/// One delivery of one event to one webhook: a delivery log record (the generic service's
/// shape), which the emulator also keeps for every provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// `del_…`.
    pub id: String,
    /// `evt_…` (or the provider's event id).
    pub event_id: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// The receiver's last HTTP status, if it answered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// Attempts made so far.
    pub attempts: u32,
    /// When it succeeded (or was last tried), if it was.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub delivered_at: Option<OffsetDateTime>,
    /// The last failure, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Fields the model does not name, kept as received.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// When delivery attempts happen: the delay before each attempt, the first usually zero.
///
/// Each provider crate that retries says its own schedule; tests scale it down.
///
/// ```
/// use std::time::Duration;
/// use hook_model::RetrySchedule;
/// let schedule = RetrySchedule::from_delays([0, 30, 300, 1_800, 7_200].map(Duration::from_secs))?;
/// assert_eq!(schedule.max_attempts(), 5);
/// assert_eq!(schedule.delay_before(2), Some(Duration::from_secs(30)));
/// assert_eq!(schedule.delay_before(6), None);
/// let fast = schedule.scaled(0.001)?;
/// assert_eq!(fast.delay_before(5), Some(Duration::from_millis(7_200)));
/// # Ok::<(), hook_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    delays: Vec<Duration>,
}

impl RetrySchedule {
    /// A schedule from explicit delays before each attempt (at least one).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when no delay is given.
    pub fn from_delays(delays: impl Into<Vec<Duration>>) -> Result<Self, Error> {
        let delays = delays.into();
        if delays.is_empty() {
            return Err(Error::invalid(
                "delays",
                "a schedule needs at least one attempt",
            ));
        }
        Ok(RetrySchedule { delays })
    }

    /// Every delay multiplied by `factor` (0.001 turns 2 h into 7.2 s). The factor must
    /// be finite and above zero.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `factor` is not a finite number above zero, or a delay would
    /// overflow.
    pub fn scaled(&self, factor: f64) -> Result<Self, Error> {
        if !factor.is_finite() || factor <= 0.0 {
            return Err(Error::invalid(
                "factor",
                format!("{factor} is not a finite number above zero"),
            ));
        }
        let delays = self
            .delays
            .iter()
            .map(|d| Duration::try_from_secs_f64(d.as_secs_f64() * factor))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::invalid(
                    "factor",
                    format!("{factor} scales a delay out of range: {e}"),
                )
            })?;
        Ok(RetrySchedule { delays })
    }

    /// How many attempts are made before a delivery is `failed`.
    pub fn max_attempts(&self) -> u32 {
        u32::try_from(self.delays.len()).unwrap_or(u32::MAX)
    }

    /// The delay before `attempt` (1-based), or `None` past the last attempt.
    pub fn delay_before(&self, attempt: u32) -> Option<Duration> {
        let index = usize::try_from(attempt.checked_sub(1)?).ok()?;
        self.delays.get(index).copied()
    }

    /// The delays before each attempt.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// When each attempt happens, measured from the event (running sums of the delays).
    pub fn offsets(&self) -> Vec<Duration> {
        self.delays
            .iter()
            .scan(Duration::ZERO, |sum, d| {
                *sum = sum.saturating_add(*d);
                Some(*sum)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schedule() -> RetrySchedule {
        RetrySchedule::from_delays([0, 30, 300, 1_800, 7_200].map(Duration::from_secs)).unwrap()
    }

    #[test]
    fn offsets_are_running_sums() {
        let secs: Vec<u64> = schedule().offsets().iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 30, 330, 2_130, 9_330]);
        assert_eq!(schedule().delay_before(0), None);
    }

    #[test]
    fn bad_factors_and_empty_schedules_are_typed_errors() {
        for factor in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert!(schedule().scaled(factor).is_err(), "{factor}");
        }
        assert!(RetrySchedule::from_delays(Vec::new()).is_err());
    }

    #[test]
    fn delivery_records_keep_their_spelling() {
        let json = r#"{"id":"del_124","event_id":"evt_def","status":"failed","status_code":500,"attempts":3,"error":"Connection timeout"}"#;
        let delivery: Delivery = serde_json::from_str(json).unwrap();
        assert_eq!(delivery.status, DeliveryStatus::Failed);
        assert_eq!(serde_json::to_string(&delivery).unwrap(), json);
    }
}
