//! Port records.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use hook_model::{EventType, Secret};

/// How Port signs deliveries of a webhook it receives (`security.signatureAlgorithm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureAlgorithm {
    /// HMAC-SHA1.
    #[serde(rename = "sha1")]
    Sha1,
    /// HMAC-SHA256.
    #[serde(rename = "sha256")]
    Sha256,
    /// The secret itself, compared as-is.
    #[serde(rename = "plain")]
    Plain,
    /// A value this version does not know, kept.
    #[serde(untagged)]
    Other(String),
}

/// `security`: how deliveries are signed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Security {
    /// The signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// The header carrying the signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_header_name: Option<String>,
    /// `sha1`, `sha256` or `plain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// Text before the signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_prefix: Option<String>,
    /// A JQ path to a request id, for de-duplication.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_identifier_path: Option<String>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A Port webhook. Only `identifier` is required on the wire.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PortWebhook {
    /// The id: at most 30 characters.
    pub identifier: String,
    /// At most 30 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// At most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Where deliveries go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The subscribed events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventType>>,
    /// Headers sent with each delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Whether deliveries are sent (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How deliveries are signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// Mappings of incoming payloads to entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Vec<serde_json::Value>>,
    /// The integration type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_type: Option<String>,
    /// The key in Port's ingest URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_key: Option<String>,
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
    /// Who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `GET /v1/webhooks`: `{"ok": true, "webhooks": […]}`; Port may say `integrations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookList {
    /// Always true on success.
    pub ok: bool,
    /// The webhooks.
    #[serde(alias = "integrations")]
    pub webhooks: Vec<PortWebhook>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One webhook: `{"ok": true, "webhook": {…}}`; Port may say `integration`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEnvelope {
    /// Always true on success.
    pub ok: bool,
    /// The webhook.
    #[serde(alias = "integration")]
    pub webhook: PortWebhook,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `{"ok": true}` (delete).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ok {
    /// Whether it worked.
    pub ok: bool,
}

/// `{"ok": false, "error": "<code>", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Always false.
    pub ok: bool,
    /// Port's code, such as `not_found`.
    pub error: String,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `POST /v1/auth/access_token` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
}

/// `POST /v1/auth/access_token` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAnswer {
    /// Always true on success.
    pub ok: bool,
    /// The bearer token.
    pub access_token: Secret,
    /// Seconds until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Usually `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// A delivery body in this SDK's earlier model: `{"event", "timestamp", "data", "organization", "source"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortEvent {
    /// The event type.
    pub event: EventType,
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub timestamp: OffsetDateTime,
    /// What changed.
    #[serde(default)]
    pub data: serde_json::Value,
    /// The organization id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization: Option<String>,
    /// Always `port`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}
