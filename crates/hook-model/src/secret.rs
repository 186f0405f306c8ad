//! Secrets: redacted in `Debug` and `Display`, zeroed on drop, read only on purpose.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroizing;

/// A signing secret, API key or token.
///
/// `Debug` and `Display` print `<redacted>`; the memory is zeroed when dropped; the value
/// is read with [`Secret::expose`], a call that is easy to find in review. Serializing
/// writes the value: wire records must carry it to the provider.
///
/// ```
/// use hook_model::Secret;
/// let secret = Secret::new("whsec_abc123");
/// assert_eq!(format!("{secret:?} {secret}"), "Secret(<redacted>) <redacted>");
/// assert_eq!(secret.expose(), "whsec_abc123");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(Zeroizing::new(value.into()))
    }

    /// The secret's text. Keep it out of logs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (UP42 sends `""` when none is set).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

/// Object keys whose values [`redact_json`] hides, compared case-insensitively.
pub const SECRET_KEYS: [&str; 8] = [
    "secret",
    "clientsecret",
    "client_secret",
    "accesstoken",
    "access_token",
    "refresh_token",
    "password",
    "token",
];

/// A copy of `value` with the values of secret-named keys ([`SECRET_KEYS`]) replaced by
/// `"<redacted>"`, at any depth. Empty strings stay empty, so "no secret" is still visible.
///
/// ```
/// let native = serde_json::json!({"Url": "https://x", "Secret": "s", "security": {"secret": ""}});
/// let shown = hook_model::redact_json(&native);
/// assert_eq!(shown, serde_json::json!({"Url": "https://x", "Secret": "<redacted>", "security": {"secret": ""}}));
/// ```
pub fn redact_json(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, value)| {
                    let secret = SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key));
                    let shown = match value {
                        Value::String(s) if secret && !s.is_empty() => {
                            Value::String("<redacted>".into())
                        }
                        Value::Null | Value::String(_) if secret => value.clone(),
                        _ if secret => Value::String("<redacted>".into()),
                        _ => redact_json(value),
                    };
                    (key.clone(), shown)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_reaches_nested_arrays_and_objects() {
        let value = serde_json::json!([{"a": {"ClientSecret": "x", "password": 5}}]);
        assert_eq!(
            redact_json(&value),
            serde_json::json!([{"a": {"ClientSecret": "<redacted>", "password": "<redacted>"}}])
        );
    }

    #[test]
    fn debug_and_display_redact_and_serde_carries_the_value() {
        let secret = Secret::new("hunter2");
        assert!(!format!("{secret:?}{secret}{:?}", Some(&secret)).contains("hunter2"));
        let json = serde_json::to_string(&secret).unwrap();
        assert_eq!(json, "\"hunter2\"");
        assert_eq!(serde_json::from_str::<Secret>(&json).unwrap(), secret);
    }
}
