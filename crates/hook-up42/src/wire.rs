//! UP42 records: every answer is `{"data": …, "error": null}`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

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
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// When it last changed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
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
    #[serde(with = "time::serde::rfc3339")]
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

/// A delivery body as this SDK has assumed it: `{"id", "type", "created_at", "data"}`
/// (*unconfirmed*: UP42's own samples show `{"event", "body"}`; to be settled against
/// them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Up42Event {
    /// The event's id.
    pub id: String,
    /// The event type, `job.status` or `order.status`.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When it happened.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub created_at: Option<OffsetDateTime>,
    /// What happened.
    #[serde(default)]
    pub data: serde_json::Value,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
