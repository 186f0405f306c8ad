//! Checks of input before anything is sent, with no provider's rules in them: each
//! provider crate composes these into its own validation, naming its own fields.
//!
//! Every check answers [`Error::Invalid`] naming the field and what would be accepted.
//!
//! ```
//! use hook_model::check::{self, Scheme};
//! check::url("Url", "https://example.com/hooks", Scheme::HttpOrHttps)?;
//! assert!(check::url("url", "http://example.com", Scheme::HttpsOnly).is_err());
//! assert!(check::max_chars("title", "x".repeat(31).as_str(), 30).is_err());
//! # Ok::<(), hook_model::Error>(())
//! ```

use std::collections::BTreeMap;

use crate::{Error, EventType};

/// The longest event name any check accepts.
pub const EVENT_NAME_MAX: usize = 100;

/// Which URL schemes a delivery URL may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scheme {
    /// `http://` or `https://`.
    HttpOrHttps,
    /// `https://` only.
    HttpsOnly,
}

/// `value` parses as an absolute URL with a host, in `scheme`.
///
/// # Errors
///
/// [`Error::Invalid`] naming `field` when the value is not an absolute URL with a host, or not
/// HTTPS where `scheme` requires it.
pub fn url(field: &str, value: &str, scheme: Scheme) -> Result<(), Error> {
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid(field, format!("{value:?} is not a URL: {e}")))?;
    match (parsed.scheme(), scheme) {
        ("https", _) | ("http", Scheme::HttpOrHttps) => {}
        ("http", Scheme::HttpsOnly) => {
            return Err(Error::invalid(
                field,
                "an https:// URL is required; http:// is refused",
            ));
        }
        (other, _) => {
            return Err(Error::invalid(
                field,
                format!("scheme {other:?} is not http or https"),
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::invalid(field, "the URL has no host"));
    }
    Ok(())
}

/// Every name is 1 to [`EVENT_NAME_MAX`] characters without spaces or control characters.
/// Names outside a provider's catalog pass: providers add events.
///
/// # Errors
///
/// [`Error::Invalid`] naming the event (`field[i]`) that is empty, too long or holds
/// whitespace or control characters.
pub fn event_names(field: &str, events: &[EventType]) -> Result<(), Error> {
    for (index, event) in events.iter().enumerate() {
        let name = event.as_str();
        if name.is_empty()
            || name.len() > EVENT_NAME_MAX
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::invalid(
                format!("{field}[{index}]"),
                format!("event names are 1 to {EVENT_NAME_MAX} characters without spaces"),
            ));
        }
    }
    Ok(())
}

/// Header names are HTTP tokens; values hold no CR, LF or NUL.
///
/// # Errors
///
/// [`Error::Invalid`] naming the header whose name or value is not valid HTTP.
pub fn headers(field: &str, headers: &BTreeMap<String, String>) -> Result<(), Error> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    for (name, value) in headers {
        if name.is_empty() || !name.bytes().all(token) {
            return Err(Error::invalid(
                format!("{field}[{name:?}]"),
                "not a valid header name",
            ));
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(Error::invalid(
                format!("{field}[{name:?}]"),
                "header values must not contain CR, LF or NUL",
            ));
        }
    }
    Ok(())
}

/// `value` is present and not blank.
///
/// # Errors
///
/// [`Error::Invalid`] naming `field` when the value is absent or empty.
pub fn required<'v>(field: &str, value: Option<&'v str>) -> Result<&'v str, Error> {
    match value {
        Some(value) if !value.trim().is_empty() => Ok(value),
        _ => Err(Error::invalid(field, "a non-empty value is required")),
    }
}

/// `value` has at most `max` characters.
///
/// # Errors
///
/// [`Error::Invalid`] naming `field` when the value has more than `max` characters.
pub fn max_chars(field: &str, value: &str, max: usize) -> Result<(), Error> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::invalid(
            field,
            format!("{len} characters, over the limit of {max}"),
        ));
    }
    Ok(())
}

/// `value` can stand as one URL path segment: not empty, not `.` or `..`, no `/ \ ? # %`, no
/// spaces.
///
/// # Errors
///
/// [`Error::Invalid`] naming `field` when the value is empty, `.` or `..`, or holds `/`,
/// `\`, `?`, `#`, `%`, whitespace or control characters.
pub fn path_segment<'v>(field: &str, value: &'v str) -> Result<&'v str, Error> {
    if value.is_empty()
        || value == "."
        || value == ".."
        || value.contains(['/', '\\', '?', '#', '%'])
        || value.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Error::invalid(
            field,
            format!("{value:?} cannot be used in a URL path"),
        ));
    }
    Ok(value)
}

/// A secret, when given, is not empty (leave it unset instead).
///
/// # Errors
///
/// [`Error::Invalid`] naming `field` when a secret is given but empty.
pub fn secret(field: &str, secret: Option<&crate::Secret>) -> Result<(), Error> {
    match secret {
        Some(secret) if secret.is_empty() => Err(Error::invalid(
            field,
            "must not be empty; leave it unset instead",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The field a refused-before-sending check names.
    fn field(result: Result<(), Error>) -> String {
        let error = result.expect_err("a refusal");
        assert!(matches!(error, Error::Invalid { .. }), "{error:?}");
        error.field().unwrap_or_default().to_owned()
    }

    #[test]
    fn urls_must_parse_have_a_host_and_use_the_scheme() {
        assert_eq!(field(url("u", "not a url", Scheme::HttpOrHttps)), "u");
        assert_eq!(field(url("u", "ftp://x.example", Scheme::HttpOrHttps)), "u");
        assert_eq!(field(url("u", "http://x.example", Scheme::HttpsOnly)), "u");
        url("u", "http://x.example", Scheme::HttpOrHttps).unwrap();
        url("u", "https://x.example", Scheme::HttpsOnly).unwrap();
    }

    #[test]
    fn events_and_headers_are_checked_by_syntax_only() {
        event_names("events", &["user.created".into(), "brand.new".into()]).unwrap();
        assert_eq!(
            field(event_names("events", &["ok".into(), "has space".into()])),
            "events[1]"
        );
        let bad = BTreeMap::from([("X-A".to_owned(), "1\r\nX-B: 2".to_owned())]);
        assert_eq!(field(headers("headers", &bad)), "headers[\"X-A\"]");
    }

    #[test]
    fn lengths_count_characters_and_blank_is_missing() {
        max_chars("t", "ééé", 3).unwrap();
        assert_eq!(field(max_chars("t", "éééé", 3)), "t");
        assert!(required("name", Some("  ")).is_err());
        assert!(path_segment("id", "a/b").is_err());
        assert!(path_segment("id", "..").is_err() && path_segment("id", ".").is_err());
        path_segment("id", "a..b").unwrap();
        assert!(path_segment("id", "a/b").is_err());
        assert!(secret("secret", Some(&crate::Secret::new(""))).is_err());
    }
}
