//! Keys: a secret turned into a ready-keyed MAC state.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
#[cfg(feature = "sha1")]
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use zeroize::Zeroizing;

use crate::ConfigError;
use crate::codec::{self, MacBytes};
use crate::scheme::{Algorithm, Coverage, KeyFormat, Scheme};

type HmacSha256 = Hmac<Sha256>;
#[cfg(feature = "sha1")]
type HmacSha1 = Hmac<Sha1>;

/// A key, keyed once so each MAC only clones the prepared state.
///
/// The raw secret is kept only for [`Algorithm::PlainSecret`], whose signature is the
/// secret itself; prepared states and kept secrets are zeroed on drop. `Debug` prints no
/// key material.
#[derive(Clone)]
pub(crate) enum Key {
    Sha256(HmacSha256),
    #[cfg(feature = "sha1")]
    Sha1(HmacSha1),
    /// The secret, and its SHA-256 for constant-time comparison with what was sent.
    Plain(Zeroizing<Vec<u8>>, MacBytes),
    /// A `whpk_` public key: verifies `v1a` signatures.
    #[cfg(feature = "ed25519")]
    Ed25519Public(ed25519_dalek::VerifyingKey),
    /// A `whsk_` secret key: signs `v1a` (and verifies with its public half).
    #[cfg(feature = "ed25519")]
    Ed25519Secret(Box<ed25519_dalek::SigningKey>),
}

impl Key {
    /// Reads `secret` as `format` says, for `algorithm`.
    pub(crate) fn new(
        secret: &[u8],
        format: KeyFormat,
        algorithm: Algorithm,
    ) -> Result<Self, ConfigError> {
        if secret.starts_with(b"whpk_") || secret.starts_with(b"whsk_") {
            return ed25519_key(secret);
        }
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
        Ok(match algorithm {
            Algorithm::HmacSha256 => Key::from_bytes(&bytes),
            // HMAC takes keys of any length; new_from_slice cannot fail for it.
            #[cfg(feature = "sha1")]
            Algorithm::HmacSha1 => match HmacSha1::new_from_slice(&bytes) {
                Ok(mac) => Key::Sha1(mac),
                Err(_) => unreachable_key_length(),
            },
            #[cfg(not(feature = "sha1"))]
            Algorithm::HmacSha1 => {
                return Err(ConfigError::FeatureMissing {
                    algorithm: "HMAC-SHA1",
                    feature: "sha1",
                });
            }
            // An ed25519 form takes whpk_/whsk_ keys (above); a secret for the HMAC forms
            // beside it is an HMAC-SHA256 key.
            Algorithm::Ed25519 => Key::from_bytes(&bytes),
            Algorithm::PlainSecret => {
                if !bytes.iter().all(|b| b.is_ascii_graphic()) {
                    return Err(ConfigError::Scheme {
                        reason: "a plain secret is sent as a header value: use visible ASCII only"
                            .into(),
                    });
                }
                let digest = Sha256::digest(bytes.as_slice()).into();
                Key::Plain(bytes, digest)
            }
        })
    }

    pub(crate) fn from_bytes(bytes: &[u8]) -> Self {
        // HMAC takes keys of any length; new_from_slice cannot fail for it.
        match HmacSha256::new_from_slice(bytes) {
            Ok(mac) => Key::Sha256(mac),
            Err(_) => unreachable_key_length(),
        }
    }

    /// The MAC of the message `signed` describes, fed piecewise: nothing is concatenated.
    /// A plain secret's "MAC" is the SHA-256 of the secret, whatever the message.
    pub(crate) fn mac(
        &self,
        signed: Coverage,
        id: &[u8],
        timestamp: &[u8],
        body: &[u8],
    ) -> MacBytes {
        let (parts, len) = crate::verify::message_parts(signed, id, timestamp, body);
        self.mac_parts(&parts[..len])
    }

    /// The MAC of `parts` concatenated with no separator, fed piecewise. SHA-1 MACs fill
    /// the first 20 bytes; the rest stay zero.
    pub(crate) fn mac_parts(&self, parts: &[&[u8]]) -> MacBytes {
        fn run<M: Mac + Clone>(state: &M, parts: &[&[u8]]) -> MacBytes {
            let mut mac = state.clone();
            for part in parts {
                mac.update(part);
            }
            let bytes = mac.finalize().into_bytes();
            let mut out = [0u8; codec::MAC_LEN];
            let len = bytes.len().min(codec::MAC_LEN);
            out[..len].copy_from_slice(&bytes[..len]);
            out
        }
        match self {
            Key::Sha256(state) => run(state, parts),
            #[cfg(feature = "sha1")]
            Key::Sha1(state) => run(state, parts),
            Key::Plain(_, digest) => *digest,
            // Never compared: ed25519 keys check `v1a` forms only (`Key::verifies`).
            #[cfg(feature = "ed25519")]
            Key::Ed25519Public(_) | Key::Ed25519Secret(_) => [0; codec::MAC_LEN],
        }
    }

    /// Whether this key can sign (a `whpk_` public key only verifies).
    pub(crate) fn can_sign(&self) -> bool {
        #[cfg(feature = "ed25519")]
        if matches!(self, Key::Ed25519Public(_)) {
            return false;
        }
        true
    }

    /// Whether this key checks ed25519 forms (and no HMAC form).
    pub(crate) fn is_ed25519(&self) -> bool {
        #[cfg(feature = "ed25519")]
        if matches!(self, Key::Ed25519Public(_) | Key::Ed25519Secret(_)) {
            return true;
        }
        false
    }

    /// Whether `signature` is this key's ed25519 signature of `parts` concatenated (the
    /// message is assembled once: ed25519 needs it whole).
    #[cfg(feature = "ed25519")]
    pub(crate) fn verifies(&self, parts: &[&[u8]], signature: &codec::SigBytes) -> bool {
        let public = match self {
            Key::Ed25519Public(key) => *key,
            Key::Ed25519Secret(key) => key.verifying_key(),
            _ => return false,
        };
        let message = parts.concat();
        let signature = ed25519_dalek::Signature::from_bytes(signature);
        public.verify_strict(&message, &signature).is_ok()
    }

    #[cfg(not(feature = "ed25519"))]
    pub(crate) fn verifies(&self, _parts: &[&[u8]], _signature: &codec::SigBytes) -> bool {
        false
    }

    /// This key's ed25519 signature of `parts` concatenated, for a `whsk_` key.
    #[cfg(feature = "ed25519")]
    pub(crate) fn ed25519_sign(&self, parts: &[&[u8]]) -> Option<[u8; 64]> {
        use ed25519_dalek::Signer as _;
        match self {
            Key::Ed25519Secret(key) => Some(key.sign(&parts.concat()).to_bytes()),
            _ => None,
        }
    }

    #[cfg(not(feature = "ed25519"))]
    pub(crate) fn ed25519_sign(&self, _parts: &[&[u8]]) -> Option<[u8; 64]> {
        None
    }

    /// The secret a plain-secret signature carries.
    pub(crate) fn plain(&self) -> Option<&[u8]> {
        match self {
            Key::Plain(secret, _) => Some(secret),
            _ => None,
        }
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
        .map(|secret| Key::new(secret.as_ref(), scheme.key, scheme.algorithm))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(ConfigError::NoSecrets);
    }
    Ok(keys)
}

/// A `whpk_` public or `whsk_` secret ed25519 key: base64 of 32 bytes (a secret key may
/// also be the 64-byte seed-and-public pair).
#[cfg(feature = "ed25519")]
fn ed25519_key(text: &[u8]) -> Result<Key, ConfigError> {
    let bad = |what: &str| ConfigError::Scheme {
        reason: format!("{what}: expected base64 of 32 bytes after the prefix"),
    };
    let bytes: Zeroizing<Vec<u8>> = Zeroizing::new(
        codec::decode_base64_vec(&text[5..]).ok_or_else(|| bad("the key is not base64"))?,
    );
    if text.starts_with(b"whpk_") {
        let bytes: [u8; 32] = bytes
            .as_slice()
            .try_into()
            .map_err(|_| bad("a whpk_ public key has the wrong length"))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|_| bad("a whpk_ key is not an ed25519 public key"))?;
        return Ok(Key::Ed25519Public(key));
    }
    let key = match bytes.len() {
        32 => {
            let mut seed = Zeroizing::new([0u8; 32]);
            seed.copy_from_slice(&bytes);
            ed25519_dalek::SigningKey::from_bytes(&seed)
        }
        64 => {
            let mut pair = Zeroizing::new([0u8; 64]);
            pair.copy_from_slice(&bytes);
            ed25519_dalek::SigningKey::from_keypair_bytes(&pair)
                .map_err(|_| bad("a whsk_ key pair does not match"))?
        }
        _ => return Err(bad("a whsk_ secret key has the wrong length")),
    };
    Ok(Key::Ed25519Secret(Box::new(key)))
}

#[cfg(not(feature = "ed25519"))]
fn ed25519_key(_text: &[u8]) -> Result<Key, ConfigError> {
    Err(ConfigError::Scheme {
        reason: "ed25519 keys (whpk_, whsk_) need hook-sign's ed25519 feature".into(),
    })
}

#[cold]
fn unreachable_key_length() -> ! {
    // HMAC accepts every key length (RFC 2104 §2), so `new_from_slice` never refuses.
    unreachable!("HMAC accepts keys of any length")
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

#[cfg(all(test, feature = "ed25519"))]
mod tests {
    use super::*;

    /// RFC 8032 §7.1 TESTS 1 and 2: our `whsk_` key reading signs the RFC's messages with
    /// the RFC's signatures.
    #[test]
    fn rfc_8032_vectors() {
        let cases = [
            (
                "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=",
                &b""[..],
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "whsk_TM0Imyj/ltqdtsNG7BFOD1uKMZ81q6Yk2oz27U+4pvs=",
                &b"\x72"[..],
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
        ];
        for (secret, message, expected) in cases {
            let key = Key::new(
                secret.as_bytes(),
                KeyFormat::WhsecBase64,
                Algorithm::Ed25519,
            )
            .unwrap();
            let signature = key.ed25519_sign(&[message]).unwrap();
            assert_eq!(codec::encode_hex(&signature), expected);
            let mut sig = [0u8; codec::SIG_LEN];
            sig.copy_from_slice(&signature);
            assert!(key.verifies(&[message], &sig));
        }
    }
}
