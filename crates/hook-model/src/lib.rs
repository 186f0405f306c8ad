//! The shared, provider-agnostic types of hook, a Rust SDK for webhooks across providers.
//!
//! No provider's rules live here: each provider crate (`hook-uipath`, `hook-port`,
//! `hook-up42`, `hook-generic`) owns its wire records, catalog, validation, capabilities
//! and error decoding, and implements [`WebhookApi`]. This crate holds what they share:
//! [`Provider`] names and each provider's [`Descriptor`], [`EventType`]s and [`CatalogEntry`]s, [`Webhook`]s and what creates
//! and changes them, lists and [`Page`]s, [`Capabilities`], deliveries and the
//! [`RetrySchedule`], [`Secret`]s that never print, one [`Error`], provider-agnostic input
//! [`check`]s, and the [`WebhookApi`] trait.
//!
//! ```
//! use hook_model::{EventType, WebhookPatch, WebhookSpec, check};
//!
//! let spec = WebhookSpec::builder("https://example.com/hooks")
//!     .name("jobs")
//!     .events(["Job.Completed", "job.faulted"])
//!     .secret("s3cret")
//!     .build();
//! check::url("url", &spec.url, check::Scheme::HttpsOnly)?;
//! assert_eq!(spec.events[0], EventType::new("job.completed"));
//! assert!(!format!("{spec:?}").contains("s3cret"));
//! let patch = WebhookPatch::new().enabled(false);
//! assert!(!patch.is_empty());
//! # Ok::<(), hook_model::Error>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod api;
mod capabilities;
pub mod check;
mod decode;
mod delivery;
mod descriptor;
mod error;
mod event;
mod list;
mod options;
mod provider;
mod secret;
mod setters;
mod stream;
mod webhook;

pub use api::WebhookApi;
pub use capabilities::{Capabilities, Direction};
pub use decode::decode;
pub use delivery::{Delivery, DeliveryStatus, RetrySchedule};
pub use descriptor::{
    ConnectFn, DeliveryPolicy, Descriptor, Fixture, Fresh, ParseFn, Vars, boxed_api, boxed_event,
};
pub use error::{Applied, Context, Error, Failure, Method, ProviderError, retryable};
pub use event::{CatalogEntry, DeliveryEvent, EventType, EventTypeInfo};
pub use list::{ListQuery, Page, Paging};
pub use options::{Options, ProviderOption};
pub use provider::{Provider, UnknownProvider};
pub use secret::{SECRET_KEYS, Secret, redact_json};
pub use stream::{MAX_PAGES, list_all};
pub use webhook::{TestOutcome, Webhook, WebhookId, WebhookPatch, WebhookSpec, WebhookSpecBuilder};

// The descriptor names a provider's delivery scheme.
pub use hook_sign;

// async-trait is part of the public trait's shape; re-export it so implementors use the
// same version.
pub use async_trait::async_trait;
