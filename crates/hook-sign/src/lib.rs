//! Sign and verify webhook deliveries, for any provider: HMAC-SHA256 (and, where a sender
//! insists, HMAC-SHA1 or a plain shared secret).
//!
//! A [`Scheme`] is a signature recipe as data: which headers, what is signed, how the MAC
//! is written, how secrets become keys, and how old a timestamp may be. Presets cover the
//! providers hook speaks to ([`Scheme::uipath`], [`Scheme::port`], [`Scheme::up42`],
//! [`Scheme::generic`]) and the schemes users meet elsewhere
//! ([`Scheme::standard_webhooks`], [`Scheme::github`], [`Scheme::github_sha1`],
//! [`Scheme::stripe`]); [`Scheme::hex_body`] builds the body signatures Port's ingest URL
//! checks (hex HMAC-SHA256 or HMAC-SHA1 in a named header, or the plain secret).
//!
//! ```
//! use hook_sign::{Message, Scheme, Signer, Verifier};
//!
//! let body = br#"{"id":"evt_1","type":"user.created"}"#;
//! let signer = Signer::new(Scheme::standard_webhooks(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! let headers = signer.sign(&Message::new(body).id("msg_1").at(1_700_000_000))?;
//!
//! let verifier = Verifier::new(Scheme::standard_webhooks(), "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
//! let verified = verifier.verify_at(&headers, body, 1_700_000_060)?;
//! assert_eq!(verified.timestamp, Some(1_700_000_000));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! When verification fails, [`explain`] names the likely mistake.
//!
//! ## Rotating a secret without downtime
//!
//! 1. **Receivers first:** verify with both secrets, old and new
//!    ([`Verifier::with_secrets`]). [`Verified::secret_index`] says which one matched, so
//!    the move can be watched.
//! 2. **Then the sender:** where the layout carries several signatures (Standard Webhooks,
//!    Stripe, Port's `v1,`), sign with both during the overlap ([`Signer::with_secrets`]
//!    writes one signature per key) and any receiver accepts; single-signature layouts
//!    (UiPath, GitHub, the generic service, UP42) switch to the new secret at once, which
//!    receivers already accept.
//! 3. **Last, drop the old secret** from receivers once `secret_index` shows only the new
//!    one, and no earlier delivery can still be retried (providers retry for hours).
//!
//! With the `ed25519` feature, moving from a shared `whsec_` secret to a `v1a` key pair
//! follows the same steps: receivers hold the `whsec_` and the new `whpk_`, the sender signs
//! with the `whsec_` and the `whsk_`.
//!
//! ```
//! use hook_sign::{Message, Scheme, Signer, Verifier};
//! let (old, new) = ("whsec_b2xkIHNlY3JldA==", "whsec_bmV3IHNlY3JldA==");
//! let receiver = Verifier::with_secrets(Scheme::standard_webhooks(), [old, new])?;
//! let overlap = Signer::with_secrets(Scheme::standard_webhooks(), [old, new])?;
//! let headers = overlap.sign(&Message::new(b"{}").id("msg_1").at(1_700_000_000))?;
//! assert_eq!(receiver.verify_at(&headers, b"{}", 1_700_000_000)?.secret_index, 0);
//! let after = Signer::new(Scheme::standard_webhooks(), new)?;
//! let headers = after.sign(&Message::new(b"{}").id("msg_2").at(1_700_000_000))?;
//! assert_eq!(receiver.verify_at(&headers, b"{}", 1_700_000_000)?.secret_index, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The crate depends on no async runtime, HTTP client or serde; the default `http` feature
//! adds `http::HeaderMap` support, the `axum` feature extractors that verify a delivery
//! before a handler runs (module `extract`), the `tower` feature a layer that verifies
//! before any tower service (module `layer`), the `testing` feature a kit of signed and
//! broken deliveries for handler tests (module `testing`), the `ed25519` feature
//! Standard Webhooks' asymmetric `v1a` signatures, and the `sha1` feature HMAC-SHA1 for
//! GitHub's legacy header and Port's `sha1` ingest check (without it those schemes are
//! data only: a signer or verifier for them is [`ConfigError::FeatureMissing`]). With
//! default features the crate's whole dependency tree is 16 crates. Secrets never appear in `Debug`, `Display` or errors.
//!
//! Verification says who sent a delivery, not whether it was handled before. Each scheme
//! names where its deliveries' idempotency key is read ([`Scheme::idempotency_key`]);
//! the `hook-receiver` crate claims that key before a handler runs, keeps it on the
//! handler's success and releases it on anything else, in memory, Redis or Postgres.
//! Header values are read up to [`MAX_HEADER_LEN`] bytes and [`MAX_SIGNATURES`]
//! signatures, so hostile headers cost bounded time and no allocation.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod codec;
mod explain;
#[cfg(feature = "axum")]
pub mod extract;
mod header_list;
mod headers;
mod key;
#[cfg(feature = "tower")]
pub mod layer;
mod scheme;
mod sign;
#[cfg(feature = "testing")]
pub mod testing;
mod verify;

pub use explain::{BodyChange, Explanation, Mistake, explain};
pub use header_list::MAX_COMPONENTS;
pub use headers::{Found, Headers};
pub use scheme::{
    Algorithm, Coverage, Encoding, Form, KeyFormat, KeySource, Layout, MAX_FORMS, PRESETS, Scheme,
    TimestampSource,
};
use std::fmt;

pub use sign::{MAX_ID_LEN, Message, SignError, SignedHeaders, Signer};
pub use verify::{
    MAX_HEADER_LEN, MAX_SIGNATURES, Malformed, Verified, Verifier, VerifyError, unix_now,
};

/// A signer or verifier could not be built. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// The scheme's recipe cannot be followed.
    Scheme {
        /// What is wrong.
        reason: String,
    },
    /// No preset has this name.
    UnknownScheme {
        /// The name asked for.
        name: String,
    },
    /// A secret is empty.
    EmptySecret,
    /// The scheme wants `whsec_` + base64 and the secret is not base64 after the prefix.
    SecretNotBase64,
    /// No secret was given.
    NoSecrets,
    /// The scheme's algorithm is behind a feature this build does not have.
    FeatureMissing {
        /// The algorithm, such as `HMAC-SHA1`.
        algorithm: &'static str,
        /// The feature that brings it.
        feature: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Scheme { reason } => write!(f, "invalid scheme: {reason}"),
            ConfigError::UnknownScheme { name } => write!(
                f,
                "unknown scheme {name:?}: expected one of {}",
                PRESETS.join(", ")
            ),
            ConfigError::EmptySecret => f.write_str("the secret is empty"),
            ConfigError::SecretNotBase64 => f.write_str(
                "the secret is not base64 after its whsec_ prefix, as this scheme requires",
            ),
            ConfigError::NoSecrets => f.write_str("at least one secret is required"),
            ConfigError::FeatureMissing { algorithm, feature } => write!(
                f,
                "{algorithm} needs hook-sign's `{feature}` feature: enable it in Cargo.toml"
            ),
        }
    }
}

impl std::error::Error for ConfigError {}
