//! UP42 records: every answer is `{"data": …, "error": null}`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::serde::rfc3339;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use hook_model::{EventType, Secret};

/// The envelope of every answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The payload, or null on error.
    pub data: Option<T>,
    /// The error, or null on success.
    #[serde(default)]
    pub error: Option<ErrorBody>,
}

/// `{"code", "message", "details"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// UP42's code (a number or a string).
    #[serde(default)]
    pub code: serde_json::Value,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// More, when given.
    #[serde(default)]
    pub details: Option<serde_json::Value>,
}

/// A webhook of a workspace.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Up42Webhook {
    /// A UUID; absent in create and update bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where deliveries go; HTTPS required.
    pub url: String,
    /// The name.
    pub name: String,
    /// Whether deliveries are sent (default false).
    #[serde(default)]
    pub active: bool,
    /// `job.status`, `order.status`.
    #[serde(default)]
    pub events: Vec<EventType>,
    /// The signing secret; `""` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub updated_at: Option<OffsetDateTime>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The answer of `POST …/webhooks/{id}/tests`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestRun {
    /// When the tests started.
    #[serde(with = "rfc3339")]
    pub started_at: OffsetDateTime,
    /// One per subscribed event.
    pub tests_run: u32,
    /// How many reached the URL.
    pub tests_succeeded: u32,
}

/// One entry of `GET /webhooks/events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInfo {
    /// `job.status`, `order.status`.
    pub name: EventType,
    /// A title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A documentation link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
}

/// A delivery body, as UP42's own handler samples read it:
/// `{"event": "job.status" | "order.status", "body": {…, "status": …}}`. Fields not named
/// here are kept, at both levels.
///
/// ```
/// use hook_up42::{JobStatus, Up42Event};
/// let event: Up42Event = serde_json::from_str(
///     r#"{"event": "job.status", "body": {"jobId": "j-1", "status": "SUCCEEDED"}}"#,
/// )?;
/// assert_eq!(event.job_status(), Some(JobStatus::Succeeded));
/// assert_eq!(event.body.extra["jobId"], "j-1");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Up42Event {
    /// `job.status` or `order.status`.
    pub event: EventType,
    /// What changed.
    #[serde(default)]
    pub body: Up42EventBody,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The `body` of a delivery: the new status, and the job's or order's other fields kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Up42EventBody {
    /// The new status, as UP42 writes it (`SUCCEEDED`, `FAILED PERMANENTLY`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Every other field (ids, names, timestamps), kept as sent; UP42 documents no more.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Up42Event {
    /// The job status, for a `job.status` delivery.
    pub fn job_status(&self) -> Option<JobStatus> {
        (self.event == "job.status")
            .then(|| self.body.status.as_deref().map(JobStatus::from))
            .flatten()
    }

    /// The order status, for an `order.status` delivery.
    pub fn order_status(&self) -> Option<OrderStatus> {
        (self.event == "order.status")
            .then(|| self.body.status.as_deref().map(OrderStatus::from))
            .flatten()
    }
}

/// A job's status in a `job.status` delivery; statuses this version does not know are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JobStatus {
    /// `SUCCEEDED`.
    Succeeded,
    /// `FAILED`.
    Failed,
    /// `ERROR`.
    Error,
    /// `CANCELLED`.
    Cancelled,
    /// Any other status, as written.
    Other(String),
}

impl From<&str> for JobStatus {
    fn from(status: &str) -> Self {
        match status {
            "SUCCEEDED" => JobStatus::Succeeded,
            "FAILED" => JobStatus::Failed,
            "ERROR" => JobStatus::Error,
            "CANCELLED" => JobStatus::Cancelled,
            other => JobStatus::Other(other.to_owned()),
        }
    }
}

/// An order's status in an `order.status` delivery; statuses this version does not know
/// are kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OrderStatus {
    /// `FULFILLED`.
    Fulfilled,
    /// `FAILED PERMANENTLY`.
    FailedPermanently,
    /// Any other status, as written.
    Other(String),
}

impl From<&str> for OrderStatus {
    fn from(status: &str) -> Self {
        match status {
            "FULFILLED" => OrderStatus::Fulfilled,
            "FAILED PERMANENTLY" => OrderStatus::FailedPermanently,
            other => OrderStatus::Other(other.to_owned()),
        }
    }
}

/// `GET /users/me`: the signed-in user; up42-py uses its `id` as the workspace id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The user's id, also the id of their workspace.
    pub id: String,
    /// Fields not named here (`email`, names, …), kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
