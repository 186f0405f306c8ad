//! The admin API's routes, answered inside the emulator.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use hook_model::{DeliveryStatus, EventType, Provider};

use super::{DeliveryLog, FireRequest, Fired, IngestLog, InvokeRequest, MAX_WAIT};
use crate::app::{App, lock};
use crate::common::json;
use crate::deliver;
use crate::faults::{FaultRule, RecordedRequest};
use crate::state::DeliveryRecord;

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/_admin/events", post(fire))
        .route("/_admin/deliveries", get(deliveries))
        .route("/_admin/requests", get(requests).delete(clear_requests))
        .route(
            "/_admin/faults",
            get(faults).post(add_fault).delete(clear_faults),
        )
        .route("/_admin/faults/seed", post(seed_faults))
        .route(
            "/_admin/chaos",
            get(chaos_rules).post(add_chaos).delete(clear_chaos),
        )
        .route("/_admin/tokens/expire", post(expire_tokens))
        .route("/_admin/webhooks", get(super::ui::webhooks))
        .route("/_admin/stream", get(super::ui::stream))
        .route("/_ui", get(super::ui::page))
        .route("/_admin/clock/advance", post(advance))
        .route("/_admin/reset", post(reset))
        .route("/_admin/port/ingests", get(ingests))
        .route("/_admin/port/invoke", post(invoke))
}

/// `?webhook=&min=N&timeout_ms=`: the ingest log (of one webhook); with `min`, the answer
/// waits (at most `timeout_ms`, capped at [`MAX_WAIT`]) until that many records match,
/// answering 408 with what there is on time-out.
async fn ingests(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let min: usize = query.get("min").and_then(|m| m.parse().ok()).unwrap_or(0);
    let read = || {
        app.read(|state| {
            state
                .port_ingests
                .values()
                .filter(|r| query.get("webhook").is_none_or(|w| *w == r.webhook))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let (status, ingests) =
        wait_until(&app.ingest_version, &query, read, |list| list.len() >= min).await;
    json(status, &IngestLog { ingests })
}

/// `timeout_ms` from `query`, capped at [`MAX_WAIT`] (the default).
fn timeout(query: &HashMap<String, String>) -> Duration {
    query
        .get("timeout_ms")
        .and_then(|t| t.parse().ok())
        .map_or(MAX_WAIT, Duration::from_millis)
        .min(MAX_WAIT)
}

/// What `read` answers once `done` accepts it (200), read again each time `version` moves;
/// or what it answers when the query's [`timeout`] passes first (408).
async fn wait_until<T>(
    version: &tokio::sync::watch::Sender<u64>,
    query: &HashMap<String, String>,
    read: impl Fn() -> Vec<T>,
    done: impl Fn(&[T]) -> bool,
) -> (StatusCode, Vec<T>) {
    let mut version = version.subscribe();
    let waited = tokio::time::timeout(timeout(query), async {
        loop {
            version.borrow_and_update();
            let list = read();
            if done(&list) || version.changed().await.is_err() {
                return list;
            }
        }
    })
    .await;
    match waited {
        Ok(list) => (StatusCode::OK, list),
        Err(_) => (StatusCode::REQUEST_TIMEOUT, read()),
    }
}

/// Sends `body` to `url` as a Port action invocation: one attempt, `x-port-timestamp` and
/// `x-port-signature: v1,<base64>` keyed with the emulator's Port client secret.
async fn invoke(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: InvokeRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => return bad(format!("body must be {{\"url\", \"body\"}}: {e}")),
    };
    if let Err(message) = deliver::check_target(&request.url, app.allow_remote_delivery) {
        return bad(message);
    }
    let delivery = deliver::invoke(&app, &request.url, &request.body).await;
    json(
        StatusCode::ACCEPTED,
        &serde_json::json!({"delivery": delivery}),
    )
}

fn bad(message: impl Into<String>) -> Response {
    json(
        StatusCode::BAD_REQUEST,
        &serde_json::json!({"error": message.into()}),
    )
}

async fn fire(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let request: FireRequest = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return bad(format!(
                "body must be {{\"provider\", \"type\", \"data\"}}: {e}"
            ));
        }
    };
    let Some(plugin) = app.plugin(request.provider) else {
        return bad(format!(
            "the emulator does not emulate {}: it emulates {}",
            request.provider,
            app.plugins()
                .map(|p| p.provider().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    };
    if plugin.descriptor().capabilities.is_inbound() {
        return bad(format!(
            "{}'s webhooks are inbound: they receive requests at their ingest URL and are sent no events; send an action invocation with POST /_admin/port/invoke (AdminClient::invoke)",
            plugin.descriptor().display_name
        ));
    }
    let Some(entry) = EventType::new(request.kind.clone()).find_in(plugin.descriptor().catalog)
    else {
        return bad(format!(
            "{:?} is not in {}'s catalog",
            request.kind, request.provider
        ));
    };
    let (event_ids, deliveries) = deliver::fire(
        &app,
        request.provider,
        &EventType::new(entry.name),
        &request.data,
    )
    .await;
    json(
        StatusCode::ACCEPTED,
        &Fired {
            event_ids,
            deliveries,
        },
    )
}

/// `?provider=&webhook_id=&id=&wait=settled|any|attempts&attempts=N&timeout_ms=`: with
/// `wait=settled`, the answer waits (at most `timeout_ms`, capped at [`MAX_WAIT`]) until no
/// matching delivery is pending; with `wait=any`, until at least one matches; with
/// `wait=attempts`, until at least one matches and each has made `attempts` attempts.
async fn deliveries(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let provider = match query.get("provider").map(|p| p.parse::<Provider>()) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(e)) => return bad(e.to_string()),
    };
    let select = |d: &DeliveryRecord| {
        provider.is_none_or(|p| d.provider == p)
            && query.get("webhook_id").is_none_or(|w| *w == d.webhook_id)
            && query.get("id").is_none_or(|i| *i == d.id)
            && query
                .get("event_type")
                .is_none_or(|t| t.eq_ignore_ascii_case(&d.event_type))
    };
    let wait = query.get("wait").map(String::as_str);
    let min_attempts: u32 = query
        .get("attempts")
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let done = |list: &[DeliveryRecord]| match wait {
        Some("settled") => list.iter().all(|d| d.status != DeliveryStatus::Pending),
        Some("any") => !list.is_empty(),
        Some("attempts") => !list.is_empty() && list.iter().all(|d| d.attempts >= min_attempts),
        _ => true,
    };
    let read = || {
        app.read(|state| {
            state
                .deliveries
                .values()
                .filter(|d| select(d))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let (status, deliveries) = wait_until(&app.log_version, &query, read, done).await;
    json(status, &DeliveryLog { deliveries })
}

async fn requests(State(app): State<Arc<App>>) -> Response {
    let list: Vec<RecordedRequest> = lock(&app.requests).iter().cloned().collect();
    json(StatusCode::OK, &serde_json::json!({"requests": list}))
}

async fn clear_requests(State(app): State<Arc<App>>) -> Response {
    lock(&app.requests).clear();
    json(StatusCode::OK, &serde_json::json!({"ok": true}))
}

async fn faults(State(app): State<Arc<App>>) -> Response {
    let faults = lock(&app.faults);
    json(
        StatusCode::OK,
        &serde_json::json!({"faults": faults.rules, "seed": faults.seed()}),
    )
}

async fn add_fault(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let mut rule: FaultRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(e) => return bad(format!("not a fault rule: {e}")),
    };
    if rule.rate.is_some_and(|r| !(0.0..=1.0).contains(&r)) {
        return bad("rate must be between 0 and 1");
    }
    rule.id = crate::app::new_id("flt_");
    rule.fired = 0;
    let id = rule.id.clone();
    lock(&app.faults).rules.push(rule);
    json(StatusCode::CREATED, &serde_json::json!({"id": id}))
}

/// `{"seed": N}`: restarts the fault generator from N (a `u64`), so a run replays.
async fn seed_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let seed = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("seed").and_then(serde_json::Value::as_u64));
    let Some(seed) = seed else {
        return bad("body must be {\"seed\": <unsigned 64-bit integer>}");
    };
    lock(&app.faults).reseed(seed);
    json(StatusCode::OK, &serde_json::json!({"seed": seed}))
}

async fn clear_faults(State(app): State<Arc<App>>) -> Response {
    lock(&app.faults).rules.clear();
    json(StatusCode::OK, &serde_json::json!({"ok": true}))
}

async fn chaos_rules(State(app): State<Arc<App>>) -> Response {
    let rules = lock(&app.chaos).rules.clone();
    json(StatusCode::OK, &serde_json::json!({"rules": rules}))
}

/// A [`crate::ChaosRule`] for a webhook that exists; the latest rule for a webhook wins.
async fn add_chaos(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let rule: crate::ChaosRule = match serde_json::from_slice(&body) {
        Ok(rule) => rule,
        Err(e) => return bad(format!("not a chaos rule: {e}")),
    };
    if let Err(message) = rule.check() {
        return bad(message);
    }
    let Some(plugin) = app.plugin(rule.provider) else {
        return bad(format!("{} is not emulated here", rule.provider));
    };
    let exists = app.read(|state| {
        plugin
            .target(state, &app.credentials, &rule.webhook)
            .is_some()
    });
    if !exists {
        return bad(format!(
            "{} has no webhook {:?}",
            rule.provider, rule.webhook
        ));
    }
    lock(&app.chaos).rules.push(rule);
    json(StatusCode::CREATED, &serde_json::json!({"ok": true}))
}

async fn clear_chaos(State(app): State<Arc<App>>) -> Response {
    lock(&app.chaos).clear();
    json(StatusCode::OK, &serde_json::json!({"ok": true}))
}

async fn expire_tokens(State(app): State<Arc<App>>) -> Response {
    let expired = app.expire_tokens().await;
    json(StatusCode::OK, &serde_json::json!({"expired": expired}))
}

async fn advance(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let seconds = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("seconds").and_then(serde_json::Value::as_f64))
        .filter(|s| s.is_finite() && *s >= 0.0);
    let Some(seconds) = seconds else {
        return bad("body must be {\"seconds\": <non-negative number>}");
    };
    // Any finite non-negative number: beyond Duration's range it saturates.
    let by = Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX);
    if app.clock.advance(by) {
        json(
            StatusCode::OK,
            &serde_json::json!({"elapsed_ms": app.clock.elapsed().as_millis() as u64}),
        )
    } else {
        json(
            StatusCode::CONFLICT,
            &serde_json::json!({"error": "the clock is scaled, not manual: start the emulator with a manual clock"}),
        )
    }
}

async fn reset(State(app): State<Arc<App>>) -> Response {
    app.write_log(crate::state::State::reset).await;
    lock(&app.faults).rules.clear();
    lock(&app.chaos).clear();
    lock(&app.requests).clear();
    json(StatusCode::OK, &serde_json::json!({"ok": true}))
}
