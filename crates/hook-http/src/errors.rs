//! Each provider's error body, parsed into [`hook_model::Error`] with its own code and
//! message kept.

use std::time::Duration;

use hook_model::wire::{generic, port, uipath, up42};
use hook_model::{Error, Provider, ProviderError};

/// The most of an unparsed error body kept in an error.
pub const BODY_EXCERPT: usize = 512;

/// What a provider said in an error body: its code, message and (if any) field.
#[derive(Debug, Default)]
struct Said {
    code: Option<String>,
    message: Option<String>,
    field: Option<String>,
}

fn said(provider: Provider, body: &[u8]) -> Said {
    match provider {
        Provider::UiPath => serde_json::from_slice::<uipath::ErrorBody>(body)
            .map(|e| Said {
                code: e.error_code.map(|c| c.to_string()),
                message: Some(e.message),
                field: None,
            })
            .unwrap_or_default(),
        Provider::Port => serde_json::from_slice::<port::ErrorBody>(body)
            .map(|e| Said {
                code: Some(e.error),
                message: Some(e.message),
                field: None,
            })
            .unwrap_or_default(),
        Provider::Up42 => serde_json::from_slice::<up42::Envelope<serde_json::Value>>(body)
            .ok()
            .and_then(|e| e.error)
            .map(|e| Said {
                code: match e.code {
                    serde_json::Value::Null => None,
                    serde_json::Value::String(s) => Some(s),
                    other => Some(other.to_string()),
                },
                message: Some(e.message),
                field: e
                    .details
                    .as_ref()
                    .and_then(|d| d.get("field"))
                    .and_then(|f| f.as_str())
                    .map(str::to_owned),
            })
            .unwrap_or_default(),
        Provider::Generic => serde_json::from_slice::<generic::ErrorBody>(body)
            .map(|e| Said {
                code: Some(e.error.code),
                message: Some(e.error.message),
                field: e.error.field,
            })
            .unwrap_or_default(),
    }
}

/// The start of `body` as text, for errors whose body is not the provider's shape.
pub fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match text.char_indices().nth(BODY_EXCERPT) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}

/// Maps a non-success answer to an [`Error`].
pub fn map_error(
    provider: Provider,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
) -> Error {
    let said = said(provider, body);
    let detail = ProviderError {
        status: Some(status),
        code: said.code.clone(),
        message: said.message.clone().unwrap_or_else(|| excerpt(body)),
    };
    match status {
        400 | 422 => Error::Validation {
            field: said.field.unwrap_or_else(|| "request".into()),
            message: detail.to_string(),
        },
        413 => Error::Validation {
            field: "body".into(),
            message: detail.to_string(),
        },
        401 | 403 => Error::Unauthorized(detail),
        404 => Error::NotFound(detail),
        409 => Error::Conflict(detail),
        429 => Error::RateLimited { retry_after },
        _ => Error::Server {
            status,
            body: said.message.unwrap_or_else(|| excerpt(body)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uipath_codes_are_kept() {
        let body = br#"{"message":"Webhook does not exist.","errorCode":1002,"resourceIds":[4]}"#;
        match map_error(Provider::UiPath, 404, None, body) {
            Error::NotFound(e) => assert_eq!(
                (e.code.as_deref(), e.message.as_str()),
                (Some("1002"), "Webhook does not exist.")
            ),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            map_error(
                Provider::UiPath,
                409,
                None,
                br#"{"message":"taken","errorCode":1001}"#
            ),
            Error::Conflict(_)
        ));
    }

    #[test]
    fn fields_are_named_where_the_provider_names_them() {
        let body =
            br#"{"error":{"code":"validation_error","message":"url is required","field":"url"}}"#;
        assert!(
            matches!(map_error(Provider::Generic, 422, None, body), Error::Validation { field, .. } if field == "url")
        );
        let body = br#"{"data":null,"error":{"code":400,"message":"HTTPS is required","details":{"field":"url"}}}"#;
        assert!(
            matches!(map_error(Provider::Up42, 400, None, body), Error::Validation { field, .. } if field == "url")
        );
        let body = br#"{"ok":false,"error":"validation_error","message":"title too long"}"#;
        match map_error(Provider::Port, 422, None, body) {
            Error::Validation { field, message } => {
                assert_eq!(field, "request");
                assert!(message.contains("title too long") && message.contains("validation_error"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unparsed_bodies_are_excerpted_and_statuses_still_map() {
        let long = vec![b'x'; 2_000];
        match map_error(Provider::Port, 502, None, &long) {
            Error::Server { status, body } => {
                assert_eq!((status, body.chars().count()), (502, BODY_EXCERPT + 1))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            map_error(Provider::Generic, 429, Some(Duration::from_secs(3)), b""),
            Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3)
        ));
        assert!(matches!(
            map_error(Provider::Up42, 401, None, b"<html>"),
            Error::Unauthorized(_)
        ));
    }
}
