//! `hook listen --ui`: the inspector page at `/_hook/ui`, served by the listener itself.
//!
//! The page (one HTML file, `inspector.html`, after the head all of hook's pages share,
//! `hook_emulator::PAGE_HEAD`; embedded in the binary: no CDN, no build step) lists the exchanges the listener saw, newest first, and learns of new
//! ones over server-sent events (`/_hook/ui/stream`) without reloading. Each shows its
//! verdict, `explain`'s reason when it failed, the headers (credentials redacted, as
//! `listen --json` prints them), the body (pretty JSON or raw) and what the app answered;
//! **replay** sends it to the listener again, exact or re-signed with the listener's first
//! secret, and **copy as curl** copies the command. With `--inbox`, the inbox's deliveries,
//! their statuses and attempts, with retry and purge.
//!
//! The routes exist only with `--ui`; deliveries to other paths are received as before.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::listen::Listener;
use crate::record::Exchange;

/// How many exchanges the page can show (the oldest go first).
pub const KEPT: usize = 1000;

/// What the inspector keeps: the exchanges, as received (for an exact replay), and the
/// channel new ones are announced on.
pub struct Inspector {
    exchanges: Mutex<VecDeque<(u64, Exchange)>>,
    next: std::sync::atomic::AtomicU64,
    announce: broadcast::Sender<String>,
    /// The listener's own URL, for replays: set once it is bound.
    pub own_url: OnceLock<String>,
}

impl Default for Inspector {
    fn default() -> Self {
        Inspector {
            exchanges: Mutex::new(VecDeque::new()),
            next: std::sync::atomic::AtomicU64::new(1),
            announce: broadcast::channel(256).0,
            own_url: OnceLock::new(),
        }
    }
}

impl std::fmt::Debug for Inspector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inspector").finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Inspector {
    /// Keeps `exchange` and announces it to open pages; `shown` is the same, redacted.
    pub fn add(&self, exchange: &Exchange, shown: &Exchange) {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        {
            let mut kept = lock(&self.exchanges);
            if kept.len() == KEPT {
                kept.pop_front();
            }
            kept.push_back((id, exchange.clone()));
        }
        let _ = self.announce.send(view(id, shown).to_string());
    }

    /// Tells open pages the inbox changed.
    pub fn inbox_changed(&self) {
        let _ = self.announce.send(json!({"inbox": true}).to_string());
    }

    fn get(&self, id: u64) -> Option<Exchange> {
        let kept = lock(&self.exchanges);
        kept.iter().find(|(i, _)| *i == id).map(|(_, e)| e.clone())
    }
}

/// What the page gets of one exchange.
fn view(id: u64, shown: &Exchange) -> Value {
    let kind = shown
        .body
        .as_deref()
        .and_then(|text| hook_receiver::inbox::event_type(text.as_bytes()));
    json!({"id": id, "event_type": kind, "exchange": shown})
}

/// The inspector's routes, under `/_hook/ui`.
pub fn routes() -> Router<Arc<Listener>> {
    Router::new()
        .route("/_hook/ui", get(page))
        // A browser asks for an icon: answered here, not logged as a failed delivery.
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/_hook/ui/exchanges", get(exchanges))
        .route("/_hook/ui/stream", get(stream))
        .route("/_hook/ui/replay/{id}", post(replay))
        .route("/_hook/ui/inbox", get(inbox))
        .route("/_hook/ui/inbox/{id}/retry", post(inbox_retry))
        .route("/_hook/ui/inbox/purge", post(inbox_purge))
}

/// The page: the head all of hook's pages share, then `inspector.html`.
async fn page() -> Response {
    hook_emulator::page_response(include_str!("inspector.html"))
}

/// The routes exist only with `--ui`, so the inspector is there; `404` otherwise.
fn not_inspecting() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

async fn exchanges(State(listener): State<Arc<Listener>>) -> Response {
    let Some(inspector) = &listener.inspector else {
        return not_inspecting();
    };
    let kept = lock(&inspector.exchanges);
    let list: Vec<Value> = kept
        .iter()
        .map(|(id, exchange)| view(*id, &listener.redacted(exchange)))
        .collect();
    let inbox = listener.inbox_enabled();
    axum::Json(json!({"exchanges": list, "inbox": inbox})).into_response()
}

async fn stream(State(listener): State<Arc<Listener>>) -> Response {
    let Some(inspector) = &listener.inspector else {
        return not_inspecting();
    };
    let receiver = inspector.announce.subscribe();
    let events = futures_util::stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(data) => Event::default().data(data),
            // A page too slow to keep up misses some; it reloads the list on `lagged`.
            Err(broadcast::error::RecvError::Lagged(_)) => {
                Event::default().event("lagged").data("{}")
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        };
        Some((Ok::<_, std::convert::Infallible>(event), receiver))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

#[derive(serde::Deserialize)]
struct ReplayQuery {
    #[serde(default)]
    mode: Option<String>,
}

/// Sends exchange `id` to the listener again: `mode=exact` (the default) byte for byte,
/// `mode=resign` with fresh signature headers from the first `--secret`, under the scheme
/// it was verified or refused under (the first `--scheme` when none is known).
async fn replay(
    State(listener): State<Arc<Listener>>,
    Path(id): Path<u64>,
    Query(query): Query<ReplayQuery>,
) -> Response {
    let Some(inspector) = &listener.inspector else {
        return not_inspecting();
    };
    let Some(exchange) = inspector.get(id) else {
        return problem(StatusCode::NOT_FOUND, format!("no exchange {id} is kept"));
    };
    let Some(base) = inspector.own_url.get() else {
        return problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the listener is starting".into(),
        );
    };
    let body = match exchange.body_bytes() {
        Ok(body) => body,
        Err(e) => return problem(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    };
    let headers: Vec<(String, String)> = crate::listen::forwarded(&exchange.headers);
    let headers = match query.mode.as_deref() {
        None | Some("exact") => headers,
        Some("resign") => {
            // The scheme it was verified (or refused) under, else the listener's first.
            let fallback = exchange
                .verification
                .scheme
                .is_none()
                .then(|| listener.first_scheme());
            match crate::replay::re_sign(
                fallback.as_ref(),
                listener.secrets(),
                &exchange,
                headers,
                &body,
                0,
            ) {
                Ok(headers) => headers,
                Err(crate::Fail::Usage(why) | crate::Fail::Error(why)) => {
                    return problem(StatusCode::BAD_REQUEST, why);
                }
            }
        }
        Some(other) => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("mode is exact or resign, not {other:?}"),
            );
        }
    };
    let url = format!("{}{}", base.trim_end_matches('/'), exchange.path);
    let sent = crate::send::send(
        &exchange.method,
        &url,
        &headers,
        Bytes::from(body),
        listener.timeout(),
    )
    .await;
    match sent {
        Ok(answer) => axum::Json(json!({"status": answer.status})).into_response(),
        Err(why) => problem(StatusCode::BAD_GATEWAY, why),
    }
}

fn problem(status: StatusCode, message: String) -> Response {
    (status, axum::Json(json!({"error": message}))).into_response()
}

async fn inbox(State(listener): State<Arc<Listener>>) -> Response {
    let Some(store) = listener.inbox_store() else {
        return axum::Json(json!({"deliveries": []})).into_response();
    };
    match store.list(&hook_receiver::inbox::Filter::default()).await {
        Ok(list) => {
            let list: Vec<Value> = list.iter().map(crate::inbox::summary_json).collect();
            axum::Json(json!({"deliveries": list})).into_response()
        }
        Err(e) => problem(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

async fn inbox_retry(State(listener): State<Arc<Listener>>, Path(id): Path<u64>) -> Response {
    let Some(store) = listener.inbox_store() else {
        return problem(StatusCode::NOT_FOUND, "no --inbox".into());
    };
    let which = hook_receiver::inbox::Which::Id(id);
    match store.retry(which).await {
        Ok(n) => {
            if let Some(inspector) = &listener.inspector {
                inspector.inbox_changed();
            }
            axum::Json(json!({"retried": n})).into_response()
        }
        Err(e) => problem(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}

/// Purges the handled and dead deliveries stored before now.
async fn inbox_purge(State(listener): State<Arc<Listener>>) -> Response {
    let Some(store) = listener.inbox_store() else {
        return problem(StatusCode::NOT_FOUND, "no --inbox".into());
    };
    match store.purge(hook_receiver::inbox::now_ms()).await {
        Ok(n) => {
            if let Some(inspector) = &listener.inspector {
                inspector.inbox_changed();
            }
            axum::Json(json!({"purged": n})).into_response()
        }
        Err(e) => problem(StatusCode::SERVICE_UNAVAILABLE, e.to_string()),
    }
}
