//! Port's webhooks, whole: the wire records ([`wire`]), checks of Port's limits, its
//! error bodies, its token exchange ([`PortToken`]), its hosts and `HOOK_PORT_*`
//! variables ([`PortConfig`]), a native client in Port's words (`get_webhooks`,
//! `get_webhook`, `create_webhook`, `update_webhook` (PATCH), `replace_webhook` (PUT),
//! `delete_webhook`), and [`hook_model::WebhookApi`]. Port has no test call: the trait's
//! `test` answers [`hook_model::Error::Unsupported`] and `capabilities()` says so.
//!
//! Both envelope keys decode (`webhooks`/`webhook` and Port's `integrations`/
//! `integration`). Identifier, title and description limits are checked before anything
//! is sent. The wire contract, with its sources, is in this repository's
//! `docs/providers.md`.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_port::{PortClient, PortConfig, PortWebhook};
//! let port = PortClient::new(PortConfig::new("client-id", "client-secret"))?;
//! let webhook = PortWebhook {
//!     identifier: "entity-updated-webhook".into(),
//!     url: Some("https://api.example.com/webhooks/port".into()),
//!     events: Some(vec!["entity.created".into()]),
//!     ..PortWebhook::default()
//! };
//! port.create_webhook(&webhook).await?;
//! assert!(port.delete_webhook("entity-updated-webhook").await?);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod api;
mod catalog;
mod client;
mod config;
pub mod wire;

pub use api::{CAPABILITIES, from_patch, from_spec, to_common};
pub use catalog::EVENTS;
pub use client::{
    DESCRIPTION_MAX, IDENTIFIER_MAX, PortClient, TITLE_MAX, UpdateWebhook, check_identifier,
    decode_error, identifier_from, secret_only,
};
pub use config::{DEFAULT_BASE_URL, PortConfig, PortToken, env};
pub use wire::{PortEvent, PortWebhook, Security, SignatureAlgorithm};

/// Parses a delivery body in this SDK's Port payload shape.
pub fn parse_event(body: &[u8]) -> Result<PortEvent, hook_model::Error> {
    hook_model::decode("Port event", body)
}

impl hook_model::DeliveryEvent for PortEvent {
    fn kind(&self) -> &hook_model::EventType {
        &self.event
    }

    /// This payload carries no id.
    fn event_id(&self) -> Option<&str> {
        None
    }
}
