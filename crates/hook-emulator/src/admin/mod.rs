//! The admin API under `/_admin`: fire events, read the delivery and request logs, inject
//! faults and chaos, expire tokens, move a manual clock, reset; and the emulator's page at
//! `/_ui` (`ui`), which reads it. `server` answers it inside the
//! emulator; [`AdminClient`] (`client`) calls it over HTTP. The bodies both sides share
//! are here.

mod client;
mod server;
mod ui;

pub use ui::{PAGE_HEAD, page_response};

use std::time::Duration;

use hook_model::Provider;
use serde::{Deserialize, Serialize};

use crate::ingest::IngestRecord;
use crate::state::DeliveryRecord;

pub use client::{AdminClient, AdminError};
pub(crate) use server::routes;

/// The longest a `wait` query holds the answer.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

// The admin API's bodies.

/// `GET /_admin/port/ingests` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestLog {
    /// What became of requests sent to Port ingest URLs, oldest first.
    pub ingests: Vec<IngestRecord>,
}

/// `POST /_admin/port/invoke` body: a Port action invocation to send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvokeRequest {
    /// Where the action's webhook backend listens.
    pub url: String,
    /// The body the action sends (Port's `invocationMethod.body`, user-defined).
    #[serde(default)]
    pub body: serde_json::Value,
}

/// `POST /_admin/events` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FireRequest {
    /// Whose webhooks receive it.
    pub provider: Provider,
    /// The event type; must be in the provider's catalog.
    #[serde(rename = "type")]
    pub kind: String,
    /// Event data.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// `POST /_admin/events` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    /// One event id per receiving webhook.
    pub event_ids: Vec<String>,
    /// The deliveries started, one per receiving webhook.
    pub deliveries: Vec<String>,
}

/// `GET /_admin/deliveries` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryLog {
    /// The matching deliveries, oldest first.
    pub deliveries: Vec<DeliveryRecord>,
}
