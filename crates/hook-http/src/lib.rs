//! The one HTTP transport of hook, knowing no provider: a `reqwest` client (rustls, its
//! crypto from `ring` by default or `aws-lc-rs` by feature: see [`tls`]),
//! bearer tokens from a provider's [`TokenSource`] (cached, refreshed, the endpoint
//! retried), retries with capped exponential backoff and full jitter, timeouts, error
//! answers mapped to [`hook_model::Error`] by the provider's [`ErrorDecoder`], and a
//! `tracing` span per request with no secret or token in it.
//!
//! Provider crates build an [`HttpClient`] from a [`ClientConfig`] and send [`Request`]s.
//!
//! ```
//! use hook_http::{Auth, ClientConfig, HttpClient, OAuth2};
//! use hook_model::{Provider, Secret};
//! let config = ClientConfig::new(Provider::new("acme"), "https://api.example.com", Auth::Bearer(Secret::new("key")))?;
//! let client = HttpClient::new(config)?;
//! assert!(!format!("{client:?}").contains("key\""));
//! let oauth = Auth::token(OAuth2::client_credentials("https://id.example/token", "app", "s3cret"));
//! assert!(ClientConfig::new(Provider::new("acme"), "https://api.example.com", oauth).is_ok());
//! // Plain HTTP is refused unless the host is loopback or allow_http is set:
//! assert!(ClientConfig::new(Provider::new("acme"), "http://api.example.com", Auth::None).is_err());
//! # Ok::<(), hook_model::Error>(())
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod client;
mod config;
mod errors;
pub mod tls;
mod token;

pub use client::{Call, HttpClient, REFRESH_MARGIN, Request, Response, retry_after};
pub use config::{
    Auth, ClientConfig, DEFAULT_MAX_IDLE, DEFAULT_TIMEOUT, RetryPolicy, Settings, is_loopback,
};
pub use errors::{
    BODY_EXCERPT, ErrorDecoder, ErrorReply, REQUEST_ID_HEADERS, excerpt, map_error, plain_errors,
    request_id,
};
pub use reqwest::Method;
pub use token::{OAuth2, OAuthToken, Token, TokenBody, TokenSource, seconds};
