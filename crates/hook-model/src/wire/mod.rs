//! Wire records of each provider, exactly as PROVIDERS.md describes them.
//!
//! Tolerant readers, exact writers: each record decodes both the seed's and the real
//! shape, encodes the real one, and keeps fields it does not name in `extra`. Clients
//! send and receive these; the emulator serves them.

pub mod generic;
pub mod port;
pub mod uipath;
pub mod up42;

use serde::{Deserialize, Serialize};

use crate::Secret;

/// An OAuth 2 token answer (UiPath identity and UP42's auth server).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OAuthToken {
    /// The bearer token.
    pub access_token: Secret,
    /// Seconds until it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// Usually `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
    /// Fields not named here (`scope`, `refresh_token`, …), kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl OAuthToken {
    /// `Debug` of the extra fields with token-like values redacted.
    pub fn redacted_extra(&self) -> serde_json::Value {
        crate::redact_json(&serde_json::Value::Object(self.extra.clone()))
    }
}
