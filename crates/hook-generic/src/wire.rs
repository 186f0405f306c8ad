//! Records of the generic `/v1/webhooks` service.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use hook_model::{Delivery, EventType, Secret};

/// A webhook: the create body (no `id`, no `created_at`) and the answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenericWebhook {
    /// `hook_…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// The subscribed events.
    #[serde(default)]
    pub events: Vec<EventType>,
    /// The signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Whether deliveries are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A delivery body: `{"id": "evt_…", "type", "created_at", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenericEvent {
    /// `evt_…`.
    pub id: String,
    /// The event type.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// When it happened. The service's "manual testing" example omits it.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// What happened.
    #[serde(default)]
    pub data: serde_json::Value,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `GET /v1/webhooks/{id}/deliveries`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryList {
    /// The log, newest last.
    pub deliveries: Vec<Delivery>,
}

/// `GET /v1/webhooks`: *unconfirmed* (the service documents no list call), assumed
/// `{"data": […], "has_more": bool}` as the usual REST shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookList {
    /// The webhooks.
    pub data: Vec<GenericWebhook>,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
}

/// An error body: *unconfirmed* (the service documents none), assumed
/// `{"error": {"code", "message"}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// A machine-readable code such as `not_found`.
    pub code: String,
    /// What went wrong.
    pub message: String,
    /// The field at fault, for validation errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `POST /v1/webhooks/{id}/test`: *unconfirmed* (the service documents the call, not its
/// answer), assumed `202 {"event_id", "delivery_id"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestAnswer {
    /// The test event's id.
    pub event_id: String,
    /// The delivery carrying it, to look up in the delivery log.
    pub delivery_id: String,
}
