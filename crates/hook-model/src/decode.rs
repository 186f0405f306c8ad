//! Decoding JSON from raw bytes, with errors that name the JSON path that failed.

use serde::de::DeserializeOwned;

use crate::Error;

/// Decodes `bytes` as JSON into `T`; on failure the error names `what` was decoded and
/// the path that failed (`value[3].Events[0]`).
///
/// serde_json's recursion limit (128 levels) bounds nesting, so deep input is an error,
/// not a stack overflow.
///
/// ```
/// use hook_model::{decode, Error};
/// #[derive(Debug, serde::Deserialize)]
/// struct Event { id: String, r#type: String }
/// let err = decode::<Event>("event", br#"{"id":"evt_1","type":7}"#).unwrap_err();
/// match err {
///     Error::Decode { path, .. } => assert_eq!(path, "type"),
///     other => panic!("{other}"),
/// }
/// ```
///
/// # Errors
///
/// [`Error::Decode`] naming `what`, the JSON path that failed and the parser's error.
pub fn decode<T: DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| Error::Decode {
        what,
        path: e.path().to_string(),
        source: e.into_inner(),
        context: Box::default(),
    })?;
    deserializer.end().map_err(|source| Error::Decode {
        what,
        path: ".".into(),
        source,
        context: Box::default(),
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_garbage_and_deep_nesting_are_errors_not_crashes() {
        assert!(decode::<serde_json::Value>("x", b"{} {}").is_err());
        let deep = "[".repeat(100_000);
        assert!(decode::<serde_json::Value>("x", deep.as_bytes()).is_err());
        assert!(decode::<serde_json::Value>("x", &[0xff, 0xfe]).is_err());
    }
}
