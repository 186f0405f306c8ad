//! The one HTTP transport of hook: a `reqwest` client (rustls), authentication with
//! cached, refreshed tokens, retries with capped exponential backoff and full jitter,
//! timeouts, each provider's error bodies mapped to [`hook_model::Error`], and a `tracing`
//! span per request with no secret or token in it.
//!
//! Provider crates build an [`HttpClient`] from a [`ClientConfig`] and send [`Request`]s.
//!
//! ```
//! use hook_http::{Auth, ClientConfig, HttpClient};
//! use hook_model::{Provider, Secret};
//! let config = ClientConfig::new(Provider::Generic, "https://api.example.com", Auth::Bearer(Secret::new("key")))?;
//! let client = HttpClient::new(config)?;
//! assert!(!format!("{client:?}").contains("key\""));
//! // Plain HTTP is refused unless the host is loopback or allow_http is set:
//! assert!(ClientConfig::new(Provider::Generic, "http://api.example.com", Auth::None).is_err());
//! # Ok::<(), hook_model::Error>(())
//! ```
#![deny(missing_docs)]

mod client;
mod config;
mod errors;

pub use client::{HttpClient, REFRESH_MARGIN, Request, Response};
pub use config::{Auth, ClientConfig, RetryPolicy, is_loopback};
pub use errors::{BODY_EXCERPT, excerpt, map_error};
pub use reqwest::Method;
