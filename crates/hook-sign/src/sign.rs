//! Signing: the headers a sender attaches to a body.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest as _, Sha256};

use crate::ConfigError;
use crate::codec;
use crate::header_list::{MAX_COMPONENTS, is_token};
use crate::key::{self, Key};
use crate::scheme::{Algorithm, Encoding, Form, Layout, Scheme, TimestampSource};
use crate::verify::{message_parts, unix_now};

/// The longest message id a signer accepts, in bytes.
pub const MAX_ID_LEN: usize = 256;

/// Produces the signature headers of one [`Scheme`] for bodies.
///
/// With several secrets (rotation), schemes with a separated layout get one signature per
/// secret in the one header; single-signature schemes take exactly one secret.
///
/// ```
/// use hook_sign::{Message, Scheme, Signer};
/// let signer = Signer::new(Scheme::github(), "It's a Secret to Everybody")?;
/// let headers = signer.sign(&Message::new(b"Hello, World!"))?;
/// assert_eq!(
///     headers.get("x-hub-signature-256"),
///     Some("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Signer {
    scheme: Scheme,
    keys: Vec<Key>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("scheme", &self.scheme.name)
            .field("secrets", &format_args!("{} (redacted)", self.keys.len()))
            .finish()
    }
}

/// What to sign: a body, and the timestamp and id for schemes that sign them.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    body: &'a [u8],
    timestamp: Option<u64>,
    id: Option<&'a str>,
    covered: &'a [(&'a str, &'a str)],
}

impl<'a> Message<'a> {
    /// A message with `body`, stamped with the current time unless [`Message::at`] says.
    pub fn new(body: &'a [u8]) -> Self {
        Message {
            body,
            timestamp: None,
            id: None,
            covered: &[],
        }
    }

    /// Signs as of `timestamp` (unix seconds).
    pub fn at(mut self, timestamp: u64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// The message id, for schemes that sign one (Standard Webhooks' `webhook-id`).
    pub fn id(mut self, id: &'a str) -> Self {
        self.id = Some(id);
        self
    }

    /// Headers the request will carry that a header-list scheme ([`Layout::HeaderList`])
    /// should list and sign, such as `("content-type", "application/json")`. The signer
    /// does not write them: send them with exactly these values. Other layouts ignore them.
    pub fn cover(mut self, headers: &'a [(&'a str, &'a str)]) -> Self {
        self.covered = headers;
        self
    }
}

/// Why a message could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignError {
    /// The scheme signs a message id and none was given.
    MissingId {
        /// The scheme's name.
        scheme: String,
    },
    /// The id cannot be sent as a header value.
    InvalidId,
    /// A header given with [`Message::cover`] cannot be listed.
    InvalidHeader {
        /// The header's name.
        name: String,
    },
}

impl fmt::Display for SignError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignError::MissingId { scheme } => write!(
                f,
                "the {scheme} scheme signs a message id: give one with Message::id"
            ),
            SignError::InvalidId => write!(
                f,
                "the message id must be 1 to {MAX_ID_LEN} visible ASCII characters"
            ),
            SignError::InvalidHeader { name } => write!(
                f,
                "header {name:?} cannot be signed: names are HTTP tokens, values visible ASCII \
                 or spaces, and at most {MAX_COMPONENTS} headers are listed"
            ),
        }
    }
}

impl std::error::Error for SignError {}

/// Header names and values produced by a [`Signer`], in the order to send them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    headers: Vec<(Cow<'static, str>, String)>,
}

impl SignedHeaders {
    /// The value of `name` (case-insensitive).
    pub fn get(&self, name: &str) -> Option<&str> {
        crate::headers::first(&self.headers, name)
    }

    /// Every `(name, value)` pair.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().map(|(k, v)| (k.as_ref(), v.as_str()))
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.headers.len()
    }

    /// Whether there are none (never, for a valid scheme).
    pub fn is_empty(&self) -> bool {
        self.headers.is_empty()
    }

    /// The headers as an `http::HeaderMap`.
    #[cfg(feature = "http")]
    pub fn to_header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            // Names passed Scheme::validate and values are ASCII we wrote ourselves, with
            // ids checked by the signer: both conversions succeed.
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(value),
            ) {
                map.append(name, value);
            }
        }
        map
    }
}

impl crate::Headers for SignedHeaders {
    fn find(&self, name: &str) -> crate::headers::Found<'_> {
        self.headers.as_slice().find(name)
    }
}

impl IntoIterator for SignedHeaders {
    type Item = (Cow<'static, str>, String);
    type IntoIter = std::vec::IntoIter<Self::Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.headers.into_iter()
    }
}

impl Signer {
    /// A signer for `scheme` with one secret.
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the scheme is invalid or the secret is empty or malformed for it.
    pub fn new(scheme: Scheme, secret: impl AsRef<[u8]>) -> Result<Self, ConfigError> {
        Signer::with_secrets(scheme, [secret])
    }

    /// A signer writing one signature per secret (key rotation).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] when the scheme is invalid, no secret is given, or one is empty or
    /// malformed for it.
    pub fn with_secrets<S: AsRef<[u8]>>(
        scheme: Scheme,
        secrets: impl IntoIterator<Item = S>,
    ) -> Result<Self, ConfigError> {
        let keys = key::keys_for(&scheme, secrets)?;
        if !keys.iter().all(Key::can_sign) {
            return Err(ConfigError::Scheme {
                reason:
                    "a whpk_ public key verifies but cannot sign: sign with the whsk_ secret key"
                        .into(),
            });
        }
        match (keys.len(), &scheme.layout) {
            (2.., Layout::Single | Layout::HeaderList { .. }) => Err(ConfigError::Scheme {
                reason: format!(
                    "the {} scheme carries one signature: sign with one secret",
                    scheme.name
                ),
            }),
            _ => Ok(Signer { scheme, keys }),
        }
    }

    /// The scheme this signer follows.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// The headers to send with `message`'s body.
    ///
    /// # Errors
    ///
    /// [`SignError`] when the message lacks what the scheme signs (a delivery id or a timestamp
    /// it requires).
    pub fn sign(&self, message: &Message<'_>) -> Result<SignedHeaders, SignError> {
        let scheme = &self.scheme;
        let Some(form) = scheme.primary_form() else {
            // Scheme::validate refused schemes without forms when the signer was built.
            return Ok(SignedHeaders {
                headers: Vec::new(),
            });
        };
        let id = match (form.signed.needs_id(), message.id) {
            (false, _) => "",
            (true, None) => {
                return Err(SignError::MissingId {
                    scheme: scheme.name.to_string(),
                });
            }
            (true, Some(id)) if !valid_id(id) => return Err(SignError::InvalidId),
            (true, Some(id)) => id,
        };
        let timestamp = message.timestamp.unwrap_or_else(unix_now).to_string();
        let separator = match &scheme.layout {
            Layout::Single => ' ',
            Layout::Separated { separator } => char::from(*separator),
            Layout::HeaderList {
                label,
                input_header,
            } => {
                return self.sign_list(message, form, label, input_header, &timestamp);
            }
        };
        let mut value = String::new();
        if form.signed.needs_timestamp()
            && let Some(TimestampSource::Item(prefix)) = &scheme.timestamp
        {
            value.push_str(prefix);
            value.push_str(&timestamp);
        }
        let len = scheme.algorithm.mac_len();
        for key in &self.keys {
            if !value.is_empty() {
                value.push(separator);
            }
            // A whsk_ key writes the scheme's ed25519 form (Standard Webhooks' v1a).
            if key.is_ed25519() {
                let ed_form = scheme
                    .forms
                    .iter()
                    .find(|f| f.algorithm_in(scheme) == Algorithm::Ed25519);
                let (parts, len) = message_parts(
                    form.signed,
                    id.as_bytes(),
                    timestamp.as_bytes(),
                    message.body,
                );
                if let (Some(ed_form), Some(signature)) = (ed_form, key.ed25519_sign(&parts[..len]))
                {
                    value.push_str(&ed_form.prefix);
                    value.push_str(&codec::encode_base64(&signature));
                }
                continue;
            }
            value.push_str(&form.prefix);
            if let Some(secret) = key.plain() {
                // Key::new admitted only visible ASCII for a plain secret.
                value.push_str(&String::from_utf8_lossy(secret));
                continue;
            }
            let mac = key.mac(
                form.signed,
                id.as_bytes(),
                timestamp.as_bytes(),
                message.body,
            );
            value.push_str(&match form.encoding {
                Encoding::Hex => codec::encode_hex(&mac[..len]),
                Encoding::Base64 => codec::encode_base64(&mac[..len]),
            });
        }
        let mut headers = Vec::with_capacity(3);
        if form.signed.needs_id()
            && let Some(name) = &scheme.id_header
        {
            headers.push((name.clone(), id.to_owned()));
        }
        if form.signed.needs_timestamp()
            && let Some(TimestampSource::Header(name)) = &scheme.timestamp
        {
            headers.push((name.clone(), timestamp));
        }
        headers.push((scheme.signature_header.clone(), value));
        Ok(SignedHeaders { headers })
    }
}

impl Signer {
    /// `Content-Digest`, the id header, `Signature-Input` and `Signature` of a header list.
    fn sign_list(
        &self,
        message: &Message<'_>,
        form: &Form,
        label: &str,
        // Takes the Cow itself so the header name stays borrowed for presets.
        #[allow(clippy::ptr_arg)] input_header: &Cow<'static, str>,
        created: &str,
    ) -> Result<SignedHeaders, SignError> {
        let scheme = &self.scheme;
        let digest = format!(
            "sha-256=:{}:",
            codec::encode_base64(&Sha256::digest(message.body))
        );
        let mut listed: Vec<(&str, &str)> = vec![("content-digest", digest.as_str())];
        for &(name, value) in message.covered {
            let value = value.trim_matches(' ');
            let visible = value.bytes().all(|b| b == b' ' || b.is_ascii_graphic());
            if name.is_empty() || !name.bytes().all(is_token) || !visible {
                return Err(SignError::InvalidHeader {
                    name: name.to_owned(),
                });
            }
            listed.push((name, value));
        }
        let id = match (&scheme.id_header, message.id) {
            (Some(name), Some(id)) if valid_id(id) => Some((name, id)),
            (Some(_), Some(_)) => return Err(SignError::InvalidId),
            _ => None,
        };
        if let Some((name, id)) = id {
            listed.push((name, id));
        }
        if let Some((name, _)) = listed.get(MAX_COMPONENTS) {
            return Err(SignError::InvalidHeader {
                name: (*name).to_owned(),
            });
        }
        let values: Vec<&[u8]> = listed.iter().map(|(_, v)| v.as_bytes()).collect();
        let mac = self
            .keys
            .first()
            .map(|key| key.mac_parts(&values))
            .unwrap_or_default();
        let names: Vec<String> = listed
            .iter()
            .map(|(name, _)| format!("\"{}\"", name.to_ascii_lowercase()))
            .collect();
        let len = scheme.algorithm.mac_len();
        let encoded = match form.encoding {
            Encoding::Hex => codec::encode_hex(&mac[..len]),
            Encoding::Base64 => codec::encode_base64(&mac[..len]),
        };
        let mut headers = vec![(Cow::Borrowed("Content-Digest"), digest.clone())];
        if let Some((name, id)) = id {
            headers.push((name.clone(), id.to_owned()));
        }
        headers.push((
            input_header.clone(),
            format!("{label}=({});created={created}", names.join(" ")),
        ));
        headers.push((
            scheme.signature_header.clone(),
            format!("{label}={}{encoded}", form.prefix),
        ));
        Ok(SignedHeaders { headers })
    }
}

fn valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verifier;

    #[test]
    fn standard_webhooks_needs_an_id() {
        let signer = Signer::new(
            Scheme::standard_webhooks(),
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        )
        .unwrap();
        assert!(matches!(
            signer.sign(&Message::new(b"{}")),
            Err(SignError::MissingId { .. })
        ));
        assert_eq!(
            signer.sign(&Message::new(b"{}").id("bad id")),
            Err(SignError::InvalidId)
        );
    }

    #[test]
    fn single_signature_schemes_refuse_two_secrets() {
        assert!(matches!(
            Signer::with_secrets(Scheme::generic(), ["a", "b"]),
            Err(ConfigError::Scheme { .. })
        ));
    }

    #[test]
    fn rotation_writes_one_signature_per_secret_and_either_verifies() {
        let signer = Signer::with_secrets(Scheme::stripe(), ["old", "new"]).unwrap();
        let headers = signer.sign(&Message::new(b"x").at(1_700_000_000)).unwrap();
        let value = headers.get("stripe-signature").unwrap();
        assert!(value.starts_with("t=1700000000,v1="), "{value}");
        assert_eq!(value.matches("v1=").count(), 2);
        for secret in ["old", "new"] {
            let verifier = Verifier::new(Scheme::stripe(), secret).unwrap();
            verifier.verify_at(&headers, b"x", 1_700_000_000).unwrap();
        }
    }

    #[test]
    fn debug_shows_no_secret() {
        let signer = Signer::new(Scheme::generic(), "hunter2").unwrap();
        assert!(!format!("{signer:?}").contains("hunter2"));
    }

    #[cfg(feature = "http")]
    #[test]
    fn header_map_holds_every_header() {
        let signer = Signer::new(Scheme::port(), "s").unwrap();
        let map = signer
            .sign(&Message::new(b"{}").at(5))
            .unwrap()
            .to_header_map();
        assert_eq!(map.get("x-port-timestamp").unwrap(), "5");
        assert!(
            map.get("x-port-signature")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("v1,")
        );
    }
}
