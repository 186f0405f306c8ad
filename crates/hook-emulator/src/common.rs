//! The skeleton the provider route trees share: the auth guard, body decoding, validation
//! errors and not-found answers, with each provider's error shape plugged in through
//! [`Dialect`]; and small helpers for URLs, catalogs and paging.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use hook_model::{EventType, Provider};
use serde::Serialize;

use crate::app::App;

/// A JSON object body.
pub(crate) type Object = serde_json::Map<String, serde_json::Value>;

/// What a handler answers: the answer, or the provider-shaped error it stopped at.
pub(crate) type Answer = Result<Response, Response>;

/// What differs between the provider route trees: the provider, and how it shapes and
/// words its errors. The shared steps are the provided methods.
pub(crate) trait Dialect {
    /// The provider emulated.
    const PROVIDER: Provider;
    /// The status of a validation refusal (400 or 422).
    const INVALID: StatusCode;
    /// The status of a body that is not a JSON object.
    const MALFORMED: StatusCode = StatusCode::BAD_REQUEST;
    /// The largest body the provider accepts, if it says.
    const MAX_BODY: Option<usize> = None;
    /// What an unauthenticated request is told.
    const UNAUTHORIZED: &'static str = "a valid bearer token is required";

    /// An answer with `status` in the provider's error shape; `code` is the provider's
    /// word for it, `field` the field at fault.
    fn error(status: StatusCode, code: &str, message: String, field: Option<&str>) -> Response;

    /// How the provider says webhook `id` does not exist.
    fn not_found(id: &str) -> Response;

    /// A validation refusal naming `field`.
    fn invalid(field: &str, message: impl Into<String>) -> Response {
        Self::error(
            Self::INVALID,
            "validation_error",
            message.into(),
            Some(field),
        )
    }

    /// Refuses a request without the provider's credentials.
    fn guard(app: &App, headers: &HeaderMap) -> Result<(), Response> {
        if app.authorized(Self::PROVIDER, headers) {
            Ok(())
        } else {
            Err(Self::error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                Self::UNAUTHORIZED.into(),
                None,
            ))
        }
    }

    /// Refuses an authorized request the credentials do not reach, by the route's decoded
    /// path parameters (UP42: another workspace's routes).
    fn scope(_app: &App, _params: &HashMap<String, String>) -> Result<(), Response> {
        Ok(())
    }

    /// The body as a JSON object, within the provider's size limit.
    fn object(body: &[u8]) -> Result<Object, Response> {
        if let Some(max) = Self::MAX_BODY
            && body.len() > max
        {
            return Err(Self::error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                format!("the body is {} bytes, over the limit of {max}", body.len()),
                None,
            ));
        }
        let malformed = |message: String| {
            let code = if Self::MALFORMED == Self::INVALID {
                "validation_error"
            } else {
                "invalid_json"
            };
            Self::error(Self::MALFORMED, code, message, Some("body"))
        };
        match serde_json::from_slice(body) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            Ok(_) => Err(malformed("the body must be a JSON object".into())),
            Err(e) => Err(malformed(format!("the body is not JSON: {e}"))),
        }
    }

    /// `value`, or the provider's not-found answer for `id`.
    fn found<T>(value: Option<T>, id: &str) -> Result<T, Response> {
        value.ok_or_else(|| Self::not_found(id))
    }
}

/// An extractor that lets a request through only with `D`'s credentials and within their
/// reach ([`Dialect::guard`], then [`Dialect::scope`]), answering the provider's refusal
/// otherwise; it hands the handler the emulator.
pub(crate) struct Authorized<D> {
    pub(crate) app: Arc<App>,
    dialect: PhantomData<D>,
}

impl<D: Dialect> FromRequestParts<Arc<App>> for Authorized<D> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> Result<Self, Response> {
        D::guard(app, &parts.headers)?;
        // A route without parameters (or with undecodable ones, which its own `Path`
        // extractor refuses) has nothing to scope.
        let params = Path::<HashMap<String, String>>::from_request_parts(parts, app)
            .await
            .map(|Path(params)| params)
            .unwrap_or_default();
        D::scope(app, &params)?;
        Ok(Authorized {
            app: Arc::clone(app),
            dialect: PhantomData,
        })
    }
}

/// `incoming` laid over the stored `current` record (PATCH), or alone (PUT); `current`'s
/// `keep` fields win either way.
pub(crate) fn merged<T: Serialize>(
    current: &T,
    mut incoming: Object,
    replace: bool,
    keep: &[&str],
) -> Object {
    let stored = match serde_json::to_value(current) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => Object::new(),
    };
    let mut map = if replace {
        Object::new()
    } else {
        stored.clone()
    };
    map.append(&mut incoming);
    for key in keep {
        match stored.get(*key) {
            Some(value) => map.insert((*key).to_owned(), value.clone()),
            None => map.remove(*key),
        };
    }
    map
}

/// An OAuth 2 token endpoint's refusal (RFC 6749 §5.2): its status, `error` and
/// `error_description`.
pub(crate) type Refusal = (StatusCode, &'static str, &'static str);

/// What an OAuth 2 token endpoint answers (RFC 6749 §5): a fresh `provider` token for
/// `scope` when `checked` accepted the request, else its refusal.
pub(crate) async fn oauth_answer(
    app: &App,
    provider: Provider,
    scope: &str,
    checked: Result<(), Refusal>,
) -> Response {
    if let Err((status, error, description)) = checked {
        return json(
            status,
            &serde_json::json!({"error": error, "error_description": description}),
        );
    }
    let (token, ttl) = app.issue_token(provider).await;
    json(
        StatusCode::OK,
        &serde_json::json!({"access_token": token.expose(), "expires_in": ttl, "token_type": "Bearer", "scope": scope}),
    )
}

/// A form body's fields.
pub(crate) fn form(body: &[u8]) -> HashMap<String, String> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// A JSON answer with a status.
pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Whether `url` is an absolute http(s) URL with a host.
pub(crate) fn valid_url(url: &str, https_only: bool) -> Result<(), String> {
    let parsed = url::Url::parse(url).map_err(|e| format!("{url:?} is not a valid URL: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if !https_only => {}
        "http" => return Err("HTTPS is required".into()),
        other => return Err(format!("scheme {other:?} is not allowed")),
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("the URL has no host".into());
    }
    Ok(())
}

/// The event catalog the emulator validates `provider`'s events against: the provider
/// crate's own (empty for a provider it does not emulate).
pub(crate) fn catalog(provider: Provider) -> &'static [hook_model::CatalogEntry] {
    crate::plugin::plugin(provider).map_or(&[], |p| p.descriptor().catalog)
}

/// The catalog spelling of each event, or the first name the catalog lacks.
pub(crate) fn canonical_events(
    provider: Provider,
    events: &[EventType],
) -> Result<Vec<EventType>, String> {
    events
        .iter()
        .map(|event| {
            event
                .find_in(catalog(provider))
                .map(|entry| EventType::new(entry.name))
                .ok_or_else(|| format!("unknown event type {:?} for {provider}", event.as_str()))
        })
        .collect()
}

/// Pagination: `page` (1-based) and `per_page` (1 to 1000) from raw query values.
pub(crate) fn page_params(
    page: Option<&String>,
    per_page: Option<&String>,
    default_per_page: usize,
) -> Result<(usize, usize), String> {
    let number = |value: Option<&String>, name: &str, default: usize| -> Result<usize, String> {
        match value {
            None => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or_else(|| {
                    format!("{name} must be a whole number from 1 to 1000, not {text:?}")
                }),
        }
    };
    Ok((
        number(page, "page", 1)?,
        number(per_page, "per_page", default_per_page)?,
    ))
}

/// The slice of `items` on `page`, and whether more follow.
pub(crate) fn paginate<T: Clone>(items: &[T], page: usize, per_page: usize) -> (Vec<T>, bool) {
    let start = (page - 1).saturating_mul(per_page);
    let end = start.saturating_add(per_page).min(items.len());
    if start >= items.len() {
        return (Vec::new(), false);
    }
    (items[start..end].to_vec(), end < items.len())
}

/// RFC 3339 now, truncated to milliseconds as the providers write it.
pub(crate) fn now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_millisecond(now.millisecond()).unwrap_or(now)
}
