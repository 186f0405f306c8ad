//! A test kit (feature `testing`): a signed delivery for any scheme, and each way one goes
//! wrong, so a webhook handler is tested in a line, with no live sender.
//!
//! ```
//! use hook_sign::testing::{Breakage, TestKit};
//! use hook_sign::{Scheme, Verifier};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kit = TestKit::new(Scheme::stripe(), "whsec_test")?;
//! let verifier = Verifier::new(Scheme::stripe(), "whsec_test")?;
//! let good = kit.signed(br#"{"id":"evt_1"}"#)?;
//! assert!(verifier.verify(&good.headers, &good.body).is_ok());
//! for (how, bad) in kit.every_breakage(br#"{"id":"evt_1"}"#)? {
//!     assert!(verifier.verify(&bad.headers, &bad.body).is_err(), "{how:?}");
//! }
//! # Ok(()) }
//! ```

use std::time::Duration;

use crate::explain::{Style, json_tokens, layout_json};
use crate::{ConfigError, Message, Scheme, SignError, Signer, unix_now};

/// A delivery to send at a handler under test: its headers and exact body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestDelivery {
    /// Header names and values, in the order a sender writes them.
    pub headers: Vec<(String, String)>,
    /// The body, byte for byte.
    pub body: Vec<u8>,
}

impl TestDelivery {
    /// The value of `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        crate::headers::first(&self.headers, name)
    }

    /// A `POST` to `uri` carrying the delivery.
    ///
    /// # Errors
    ///
    /// `http::Error` when `uri` or a header is not valid for an HTTP request.
    #[cfg(feature = "http")]
    pub fn request(&self, uri: &str) -> Result<http::Request<Vec<u8>>, http::Error> {
        let mut request = http::Request::post(uri);
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        request.body(self.body.clone())
    }
}

/// A way a delivery goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Breakage {
    /// Signed further in the past than the scheme's tolerance (timestamped schemes).
    Stale,
    /// Signed further in the future than the tolerance (timestamped schemes).
    Future,
    /// The body changed after signing.
    TamperedBody,
    /// Signed with another secret.
    WrongSecret,
    /// The signature header is missing.
    MissingSignature,
    /// The JSON body re-serialized (pretty-printed) after signing, as a framework that
    /// parses and rewrites bodies does (JSON bodies only).
    Reserialized,
    /// Another provider's headers (signed with another preset).
    OtherProvider,
}

impl Breakage {
    /// Every breakage, in a stable order.
    pub const ALL: [Breakage; 7] = [
        Breakage::Stale,
        Breakage::Future,
        Breakage::TamperedBody,
        Breakage::WrongSecret,
        Breakage::MissingSignature,
        Breakage::Reserialized,
        Breakage::OtherProvider,
    ];
}

/// Signs test deliveries for one scheme and secret, as of a fixed time.
#[derive(Debug, Clone)]
pub struct TestKit {
    scheme: Scheme,
    signer: Signer,
    wrong: Signer,
    other: Signer,
    id: String,
    now: u64,
}

impl TestKit {
    /// A kit for `scheme` and `secret`, signing as of now with the id `msg_test_1`.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the scheme is invalid or the secret is empty or malformed for it.
    pub fn new(scheme: Scheme, secret: impl Into<String>) -> Result<Self, ConfigError> {
        let secret = secret.into();
        let wrong = match secret.strip_prefix("whsec_") {
            // A whsec_ key must stay base64: another valid key.
            Some(_) => "whsec_d3Jvbmcgc2VjcmV0IGtleQ==".to_owned(),
            None => format!("{secret}-wrong"),
        };
        let other = if scheme
            .signature_header
            .eq_ignore_ascii_case("X-Webhook-Signature")
        {
            Scheme::github()
        } else {
            Scheme::generic()
        };
        Ok(TestKit {
            signer: Signer::new(scheme.clone(), &secret)?,
            wrong: Signer::new(scheme.clone(), wrong)?,
            other: Signer::new(other, "another-secret")?,
            scheme,
            id: "msg_test_1".into(),
            now: unix_now(),
        })
    }

    /// Signs as of `now` (unix seconds) instead.
    pub fn at(mut self, now: u64) -> Self {
        self.now = now;
        self
    }

    /// Uses `id` as the message or delivery id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = id.into();
        self
    }

    fn sign_with(&self, signer: &Signer, body: &[u8], at: u64) -> Result<TestDelivery, SignError> {
        let covered = [("content-type", "application/json")];
        let headers = signer.sign(&Message::new(body).id(&self.id).at(at).cover(&covered))?;
        let mut headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        headers.push(("content-type".into(), "application/json".into()));
        if let Some(name) = &self.scheme.id_header
            && !headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name))
        {
            headers.push((name.to_string(), self.id.clone()));
        }
        Ok(TestDelivery {
            headers,
            body: body.to_vec(),
        })
    }

    /// A delivery of `body` that verifies.
    ///
    /// # Errors
    ///
    /// [`SignError`] when the scheme cannot sign `body` as this kit was set up.
    pub fn signed(&self, body: &[u8]) -> Result<TestDelivery, SignError> {
        self.sign_with(&self.signer, body, self.now)
    }

    /// A delivery of `body` broken `how`; `None` when that breakage does not apply to the
    /// scheme (a stale timestamp for a scheme that signs none, re-serialization of a body
    /// that is not JSON).
    ///
    /// # Errors
    ///
    /// [`SignError`] when the scheme cannot sign `body` as this kit was set up.
    pub fn broken(&self, body: &[u8], how: Breakage) -> Result<Option<TestDelivery>, SignError> {
        let skew = self
            .scheme
            .tolerance
            .filter(|_| self.scheme.uses_timestamp())
            .map(|t| t.saturating_add(Duration::from_secs(60)).as_secs());
        Ok(Some(match how {
            Breakage::Stale => match skew {
                Some(skew) => self.sign_with(&self.signer, body, self.now.saturating_sub(skew))?,
                None => return Ok(None),
            },
            Breakage::Future => match skew {
                Some(skew) => self.sign_with(&self.signer, body, self.now.saturating_add(skew))?,
                None => return Ok(None),
            },
            Breakage::TamperedBody => {
                let mut delivery = self.signed(body)?;
                delivery.body.extend_from_slice(b" tampered");
                delivery
            }
            Breakage::WrongSecret => self.sign_with(&self.wrong, body, self.now)?,
            Breakage::MissingSignature => {
                let mut delivery = self.signed(body)?;
                delivery
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(&self.scheme.signature_header));
                delivery
            }
            Breakage::Reserialized => {
                let Some(tokens) = json_tokens(body) else {
                    return Ok(None);
                };
                let rewritten = layout_json(&tokens, Style::Pretty(2));
                if rewritten == body {
                    return Ok(None);
                }
                let mut delivery = self.signed(body)?;
                delivery.body = rewritten;
                delivery
            }
            Breakage::OtherProvider => {
                let mut delivery = self.sign_with(&self.other, body, self.now)?;
                delivery
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(&self.scheme.signature_header));
                delivery
            }
        }))
    }

    /// Every breakage that applies to the scheme, each with its delivery of `body`.
    ///
    /// # Errors
    ///
    /// [`SignError`] when the scheme cannot sign `body` as this kit was set up.
    pub fn every_breakage(&self, body: &[u8]) -> Result<Vec<(Breakage, TestDelivery)>, SignError> {
        let mut all = Vec::new();
        for how in Breakage::ALL {
            if let Some(delivery) = self.broken(body, how)? {
                all.push((how, delivery));
            }
        }
        Ok(all)
    }
}
