//! Small helpers the provider route trees share.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hook_model::{EventType, Provider};
use serde::Serialize;

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
/// crate's own.
pub(crate) fn catalog(provider: Provider) -> &'static [hook_model::CatalogEntry] {
    match provider {
        Provider::UiPath => &hook_uipath::EVENTS,
        Provider::Port => &hook_port::EVENTS,
        Provider::Up42 => &hook_up42::EVENTS,
        Provider::Generic => &hook_generic::EVENTS,
    }
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
