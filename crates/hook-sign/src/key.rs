//! Keys: a secret turned into a ready-keyed HMAC state.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::ConfigError;
use crate::codec::{self, MacBytes};
use crate::scheme::{KeyFormat, Scheme, Signed};

type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 key, keyed once so each MAC only clones the prepared state.
///
/// The raw secret is not kept; the prepared state is zeroed on drop. `Debug` prints no
/// key material.
#[derive(Clone)]
pub(crate) struct Key {
    mac: HmacSha256,
}

impl Key {
    /// Reads `secret` as `format` says.
    pub(crate) fn new(secret: &[u8], format: KeyFormat) -> Result<Self, ConfigError> {
        let bytes: Zeroizing<Vec<u8>> = match format {
            KeyFormat::Raw => Zeroizing::new(secret.to_vec()),
            KeyFormat::WhsecBase64 => {
                let text = secret.strip_prefix(b"whsec_").unwrap_or(secret);
                Zeroizing::new(codec::decode_base64_vec(text).ok_or(ConfigError::SecretNotBase64)?)
            }
        };
        if bytes.is_empty() {
            return Err(ConfigError::EmptySecret);
        }
        Ok(Key::from_bytes(&bytes))
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        // HMAC takes keys of any length; new_from_slice cannot fail for it.
        let mac = match HmacSha256::new_from_slice(bytes) {
            Ok(mac) => mac,
            Err(_) => unreachable_key_length(),
        };
        Key { mac }
    }

    /// The MAC of the message `signed` describes, fed piecewise: nothing is concatenated.
    pub(crate) fn mac(&self, signed: Signed, id: &[u8], timestamp: &[u8], body: &[u8]) -> MacBytes {
        let mut mac = self.mac.clone();
        if signed.needs_id() {
            mac.update(id);
            mac.update(b".");
        }
        if signed.needs_timestamp() {
            mac.update(timestamp);
            mac.update(b".");
        }
        // `Signed::Components` is never passed here: its parts go to `mac_parts`.
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    /// The MAC of `parts` concatenated with no separator, fed piecewise.
    pub(crate) fn mac_parts(&self, parts: &[&[u8]]) -> MacBytes {
        let mut mac = self.mac.clone();
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

/// Validates `scheme` and reads every secret as it says; at least one is required.
pub(crate) fn keys_for<S: AsRef<[u8]>>(
    scheme: &Scheme,
    secrets: impl IntoIterator<Item = S>,
) -> Result<Vec<Key>, ConfigError> {
    scheme.validate()?;
    let keys = secrets
        .into_iter()
        .map(|secret| Key::new(secret.as_ref(), scheme.key))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(ConfigError::NoSecrets);
    }
    Ok(keys)
}

#[cold]
fn unreachable_key_length() -> ! {
    // HMAC accepts every key length (RFC 2104 §2), so `new_from_slice` never refuses.
    unreachable!("HMAC-SHA256 accepts keys of any length")
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}
