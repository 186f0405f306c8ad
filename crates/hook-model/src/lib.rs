//! The shared types of hook, a Rust SDK for webhooks across providers.
//!
//! Types only: [`Provider`]s and their event catalogs, [`Webhook`]s and what creates and
//! changes them, delivery bodies ([`Event`]) and API records ([`wire`]), deliveries and the
//! [`RetrySchedule`], [`Secret`]s that never print, one [`Error`], and the [`WebhookApi`]
//! trait every provider client implements.
//!
//! ```
//! use hook_model::{Event, EventType, Provider, WebhookSpec};
//!
//! let spec = WebhookSpec::builder("https://example.com/hooks")
//!     .name("jobs")
//!     .events(["Job.Completed", "job.faulted"])
//!     .secret("s3cret")
//!     .build();
//! spec.validate(Provider::UiPath)?;
//! assert_eq!(spec.events[0], EventType::new("job.completed"));
//! assert!(!format!("{spec:?}").contains("s3cret"));
//!
//! let body = br#"{"Type":"job.completed","EventId":"c3319a2d83c44b2f989bdd7eba1f0297",
//!   "Timestamp":"2018-11-19T14:32:47.6024779Z","TenantId":57,"OrganizationUnitId":null}"#;
//! let event = Event::parse(Provider::UiPath, body)?;
//! assert_eq!(event.kind(), "Job.Completed");
//! # Ok::<(), hook_model::Error>(())
//! ```
#![deny(missing_docs)]

mod api;
mod delivery;
mod envelope;
mod error;
mod event;
mod provider;
mod secret;
mod stream;
mod webhook;
pub mod wire;

pub use api::WebhookApi;
pub use delivery::{Delivery, DeliveryStatus, RetrySchedule};
pub use envelope::{Event, decode};
pub use error::{Error, ProviderError};
pub use event::{
    CatalogEntry, EventType, EventTypeInfo, GENERIC_EVENTS, PORT_EVENTS, UIPATH_EVENTS,
    UP42_EVENTS, catalog,
};
pub use provider::{Provider, UnknownProvider};
pub use secret::{SECRET_KEYS, Secret, redact_json};
pub use stream::{MAX_PAGES, list_all};
pub use webhook::{
    Capabilities, EVENT_NAME_MAX, ListQuery, PORT_DESCRIPTION_MAX, PORT_IDENTIFIER_MAX, Page,
    Paging, TestOutcome, Webhook, WebhookId, WebhookPatch, WebhookSpec, WebhookSpecBuilder,
    check_port_fields,
};

// async-trait is part of the public trait's shape; re-export it so implementors use the
// same version.
pub use async_trait::async_trait;
