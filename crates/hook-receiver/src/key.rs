//! Idempotency keys: read from where each provider puts them, bounded, namespaced.

use std::fmt;
use std::sync::Arc;

use hook_sign::{Headers, KeySource, Scheme};
use sha2::{Digest as _, Sha256};

/// The longest key value read from a header or the body, in bytes. A longer value is
/// refused ([`KeyError::TooLong`]): keys are stored, and a store must not grow with what a
/// sender chooses to write. Signature keys are SHA-256 digests, always 64 characters.
pub const MAX_KEY_LEN: usize = 256;

/// One delivery's idempotency key, as stored: `{namespace}:{value}`.
///
/// The value is what the key source gave (a header, a JSON value) or, for
/// [`KeySource::Signature`], `sig-` and the hex SHA-256 of the signature header, so a
/// store never holds a signature.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A key from a namespace and a value of your own (1 to [`MAX_KEY_LEN`] bytes).
    ///
    /// # Errors
    ///
    /// [`KeyError::BadLength`] when `value` is empty or longer than [`MAX_KEY_LEN`].
    pub fn new(namespace: &str, value: &str) -> Result<Self, KeyError> {
        if value.is_empty() || value.len() > MAX_KEY_LEN {
            return Err(KeyError::BadLength {
                len: value.len(),
                max: MAX_KEY_LEN,
            });
        }
        Ok(IdempotencyKey(format!("{namespace}:{value}")))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Reads a delivery's key from `source`, the verified `body` and its `headers`.
    /// `scheme` names the signature header for [`KeySource::Signature`].
    ///
    /// # Errors
    ///
    /// [`KeyError`] when the key source finds no key in the delivery (a missing header, a body
    /// without the JSON pointer's value) or the value is not a valid key.
    pub fn read<H: Headers + ?Sized>(
        namespace: &str,
        source: &KeySource,
        scheme: &Scheme,
        headers: &H,
        body: &[u8],
    ) -> Result<Self, KeyError> {
        let missing = || KeyError::Missing {
            from: source.clone(),
        };
        let value = match source {
            KeySource::Header(name) => {
                let raw = match headers.find(name) {
                    hook_sign::Found::One(value) => value,
                    hook_sign::Found::Missing => return Err(missing()),
                    hook_sign::Found::Repeated => {
                        return Err(KeyError::Repeated {
                            from: source.clone(),
                        });
                    }
                };
                std::str::from_utf8(raw)
                    .map_err(|_| KeyError::NotText {
                        from: source.clone(),
                    })?
                    .trim()
                    .to_owned()
            }
            KeySource::JsonPointer(pointer) => match crate::pointer::read(body, pointer) {
                Err(_) => {
                    return Err(KeyError::NotJson {
                        from: source.clone(),
                    });
                }
                Ok(crate::pointer::Found::Missing) => return Err(missing()),
                Ok(crate::pointer::Found::Text(text)) => text,
                Ok(crate::pointer::Found::NotScalar) => {
                    return Err(KeyError::NotScalar {
                        from: source.clone(),
                    });
                }
            },
            KeySource::Signature => match headers.find(&scheme.signature_header) {
                hook_sign::Found::One(value) => {
                    let mut text = String::with_capacity(68);
                    text.push_str("sig-");
                    for byte in Sha256::digest(value) {
                        text.push(char::from(HEX[usize::from(byte >> 4)]));
                        text.push(char::from(HEX[usize::from(byte & 15)]));
                    }
                    text
                }
                hook_sign::Found::Missing => return Err(missing()),
                hook_sign::Found::Repeated => {
                    return Err(KeyError::Repeated {
                        from: source.clone(),
                    });
                }
            },
            // A source added to hook-sign later: named, never guessed.
            other => {
                return Err(KeyError::Unsupported {
                    from: other.clone(),
                });
            }
        };
        check_value(&value, source)?;
        Ok(IdempotencyKey(format!("{namespace}:{value}")))
    }
}

/// How an endpoint reads each delivery's idempotency key: from a source (by default the
/// scheme's, [`Scheme::idempotency_key`]), under a namespace (by default the scheme's
/// name). [`crate::IdempotencyLayer::keys`] and [`crate::inbox::Intake::keys`] take one.
///
/// ```
/// use hook_receiver::KeyReader;
/// use hook_sign::{KeySource, Scheme};
/// let keys = KeyReader::new(&Scheme::generic())
///     .source(KeySource::Header("x-request-id".into()))
///     .namespace("billing");
/// let key = keys.read(&[("X-Request-Id", "r-1")][..], b"{}")?;
/// assert_eq!(key.as_str(), "billing:r-1");
/// # Ok::<(), hook_receiver::KeyError>(())
/// ```
#[derive(Debug, Clone)]
pub struct KeyReader {
    scheme: Arc<Scheme>,
    source: KeySource,
    namespace: Arc<str>,
}

impl KeyReader {
    /// Keys as `scheme` has them: from its key source, namespaced by its name.
    pub fn new(scheme: &Scheme) -> Self {
        KeyReader {
            scheme: Arc::new(scheme.clone()),
            source: scheme.idempotency_key.clone(),
            namespace: Arc::from(scheme.name.as_ref()),
        }
    }

    /// Reads keys from `source` instead of the scheme's default.
    pub fn source(mut self, source: KeySource) -> Self {
        self.source = source;
        self
    }

    /// Prefixes keys with `namespace` (default: the scheme's name), so endpoints sharing
    /// a store keep their keys apart.
    pub fn namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = Arc::from(namespace.into());
        self
    }

    /// Reads a delivery's key from its verified `body` and `headers`.
    ///
    /// # Errors
    ///
    /// [`KeyError`] as [`IdempotencyKey::read`] says.
    pub fn read<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<IdempotencyKey, KeyError> {
        IdempotencyKey::read(&self.namespace, &self.source, &self.scheme, headers, body)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn check_value(value: &str, source: &KeySource) -> Result<(), KeyError> {
    if value.is_empty() {
        return Err(KeyError::Missing {
            from: source.clone(),
        });
    }
    if value.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong {
            from: source.clone(),
            len: value.len(),
            max: MAX_KEY_LEN,
        });
    }
    Ok(())
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdempotencyKey({:?})", self.0)
    }
}

/// A delivery's key could not be read: answered 400, the handler not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The source is absent or empty.
    #[error(
        "the delivery has no idempotency key: {from} is missing or empty; if the sender puts its delivery id elsewhere, choose that key source"
    )]
    Missing {
        /// Where the key was looked for.
        from: KeySource,
    },
    /// The header appears more than once.
    #[error("the delivery's idempotency key is ambiguous: {from} appears more than once")]
    Repeated {
        /// Where the key was looked for.
        from: KeySource,
    },
    /// The header is not UTF-8 text.
    #[error("the delivery's idempotency key is not text: {from} is not UTF-8")]
    NotText {
        /// Where the key was looked for.
        from: KeySource,
    },
    /// The key is a JSON pointer and the body is not JSON.
    #[error("the delivery's idempotency key is {from}, but the body is not JSON")]
    NotJson {
        /// Where the key was looked for.
        from: KeySource,
    },
    /// The pointer names an object, array or boolean instead of a string or integer.
    #[error("the delivery's idempotency key, {from}, is not a string or an integer")]
    NotScalar {
        /// Where the key was looked for.
        from: KeySource,
    },
    /// The key is longer than [`MAX_KEY_LEN`].
    #[error("the delivery's idempotency key ({from}) is {len} bytes, over the {max}-byte limit")]
    TooLong {
        /// Where the key was read.
        from: KeySource,
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A value given to [`IdempotencyKey::new`] is empty or longer than [`MAX_KEY_LEN`].
    #[error("an idempotency key value must be 1 to {max} bytes, not {len}: hash a longer one")]
    BadLength {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A key source this version does not read.
    #[error("{from} is a key source this version of hook-receiver does not read")]
    Unsupported {
        /// The source.
        from: KeySource,
    },
}
