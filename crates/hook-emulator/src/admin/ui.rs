//! The emulator's page, `/_ui`: each provider's webhooks, the deliveries with their attempts
//! on a timeline beside the provider's retry schedule, the fault and chaos rules, and a
//! form to fire an event. One HTML file (`ui.html` after the [`PAGE_HEAD`] all of hook's
//! pages share, embedded: no CDN, no build step) reading the admin API; it refreshes on `/_admin/stream`, a server-sent
//! event each time the delivery log changes. It shows no secret: webhooks by id and URL.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::App;

/// The start every page of hook's shares (the emulator's `/_ui`, `hook listen --ui`'s
/// inspector): the doctype, the viewport, and the hook that keeps each script error in
/// `window.__hookErrors`, which the browser tests read to fail on a broken page.
pub const PAGE_HEAD: &str = include_str!("head.html");

/// A page of hook's as an answer: [`PAGE_HEAD`], then `rest` (the page from its `<title>`
/// on), as HTML never cached.
pub fn page_response(rest: &str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/html; charset=utf-8"),
        (header::CACHE_CONTROL, "no-store"),
    ];
    (headers, format!("{PAGE_HEAD}{rest}")).into_response()
}

pub(crate) async fn page() -> Response {
    page_response(include_str!("ui.html"))
}

/// `GET /_admin/webhooks`: per provider, its name, retry schedule (seconds before each
/// attempt; one entry: no retry), the catalog's event names, and its webhooks by id and URL.
pub(crate) async fn webhooks(State(app): State<Arc<App>>) -> Response {
    let providers: Vec<serde_json::Value> = app
        .plugins()
        .map(|plugin| {
            let descriptor = plugin.descriptor();
            let schedule: Vec<f64> = match plugin.policy().schedule {
                Some(schedule) => (1..=schedule.max_attempts())
                    .filter_map(|n| schedule.delay_before(n))
                    .map(|d| d.as_secs_f64())
                    .collect(),
                None => vec![0.0],
            };
            let listed = app.read(|state| plugin.listed(state));
            let webhooks: Vec<serde_json::Value> = listed
                .into_iter()
                .map(|(id, url)| json!({"id": id, "url": url}))
                .collect();
            let events: Vec<&str> = descriptor.catalog.iter().map(|e| e.name).collect();
            json!({
                "provider": descriptor.provider.as_str(),
                "name": descriptor.display_name,
                "inbound": descriptor.capabilities.is_inbound(),
                "schedule": schedule,
                "events": events,
                "webhooks": webhooks,
            })
        })
        .collect();
    axum::Json(json!({"providers": providers})).into_response()
}

/// `GET /_admin/stream`: an event each time the delivery log changes.
pub(crate) async fn stream(State(app): State<Arc<App>>) -> Response {
    let changes = app.log_version.subscribe();
    let events = futures_util::stream::unfold(changes, |mut changes| async move {
        changes.changed().await.ok()?;
        let version = *changes.borrow_and_update();
        let event = Event::default().data(version.to_string());
        Some((Ok::<_, std::convert::Infallible>(event), changes))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}
