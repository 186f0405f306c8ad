//! The generic service: `/generic/v1/webhooks…`, bearer API key.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hook_generic::EVENTS as GENERIC_EVENTS;
use hook_generic::wire::{DeliveryList, GenericWebhook, TestAnswer, WebhookList};
use hook_model::{EventType, Provider, Secret};

use crate::app::{App, new_id};
use crate::common::{canonical_events, json, now, page_params, paginate, valid_url};
use crate::deliver;

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/generic/v1/webhooks", get(list).post(create))
        .route(
            "/generic/v1/webhooks/{id}",
            get(read).patch(update).delete(delete),
        )
        .route("/generic/v1/webhooks/{id}/test", post(test))
        .route("/generic/v1/webhooks/{id}/deliveries", get(deliveries))
}

fn error(
    status: StatusCode,
    code: &str,
    message: impl Into<String>,
    field: Option<&str>,
) -> Response {
    let mut detail = serde_json::json!({"code": code, "message": message.into()});
    if let Some(field) = field {
        detail["field"] = field.into();
    }
    json(status, &serde_json::json!({"error": detail}))
}

fn invalid(field: &str, message: impl Into<String>) -> Response {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        message,
        Some(field),
    )
}

fn not_found(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("no webhook {id}"),
        None,
    )
}

fn guard(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    if app.authorized(Provider::Generic, headers) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid API key is required as a bearer token",
            None,
        ))
    }
}

fn decode(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, Response> {
    match serde_json::from_slice(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            "the body must be a JSON object",
            None,
        )),
        Err(e) => Err(error(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("the body is not JSON: {e}"),
            None,
        )),
    }
}

fn validate(map: serde_json::Map<String, serde_json::Value>) -> Result<GenericWebhook, Response> {
    if !map.get("url").is_some_and(serde_json::Value::is_string) {
        return Err(invalid("url", "url is required"));
    }
    let mut webhook: GenericWebhook = serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| invalid("body", format!("the body does not match the schema: {e}")))?;
    valid_url(&webhook.url, false).map_err(|m| invalid("url", m))?;
    if webhook.events.is_empty() {
        return Err(invalid("events", "subscribe to at least one event"));
    }
    webhook.events =
        canonical_events(Provider::Generic, &webhook.events).map_err(|m| invalid("events", m))?;
    if webhook.secret.as_ref().is_some_and(Secret::is_empty) {
        return Err(invalid(
            "secret",
            "the secret must not be empty; omit it to have one generated",
        ));
    }
    Ok(webhook)
}

async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let (page, per_page) = match page_params(query.get("page"), query.get("per_page"), 100) {
        Ok(p) => p,
        Err(message) => return invalid("page", message),
    };
    // Ids start with a sequence number: the map is in creation order.
    let all: Vec<GenericWebhook> = app.read(|state| state.generic.values().cloned().collect());
    let (data, has_more) = paginate(&all, page, per_page);
    json(StatusCode::OK, &WebhookList { data, has_more })
}

async fn read(State(app): State<Arc<App>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    match app.read(|state| state.generic.get(&id).cloned()) {
        Some(webhook) => json(StatusCode::OK, &webhook),
        None => not_found(&id),
    }
}

async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let mut webhook = match decode(&body).and_then(validate) {
        Ok(webhook) => webhook,
        Err(response) => return response,
    };
    webhook.created_at = Some(now());
    webhook.active.get_or_insert(true);
    if webhook.secret.is_none() {
        webhook.secret = Some(Secret::new(new_id("whsec_")));
    }
    app.write(|state| {
        let id = state.next_generic_id();
        webhook.id = Some(id.clone());
        state.generic.insert(id, webhook.clone());
    });
    json(StatusCode::CREATED, &webhook)
}

async fn update(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let mut incoming = match decode(&body) {
        Ok(map) => map,
        Err(response) => return response,
    };
    let Some(current) = app.read(|state| state.generic.get(&id).cloned()) else {
        return not_found(&id);
    };
    let mut map = match serde_json::to_value(&current) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => serde_json::Map::new(),
    };
    incoming.remove("id");
    incoming.remove("created_at");
    map.append(&mut incoming);
    let webhook = match validate(map) {
        Ok(webhook) => webhook,
        Err(response) => return response,
    };
    let stored = app.write(|state| match state.generic.get_mut(&id) {
        Some(slot) => {
            *slot = webhook.clone();
            true
        }
        None => false,
    });
    if stored {
        json(StatusCode::OK, &webhook)
    } else {
        not_found(&id)
    }
}

async fn delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    match app.write(|state| state.generic.remove(&id)) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found(&id),
    }
}

/// Delivers a test event (the webhook's first event, with `"test": true` data) on the
/// normal retry schedule.
async fn test(State(app): State<Arc<App>>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let Some(webhook) = app.read(|state| state.generic.get(&id).cloned()) else {
        return not_found(&id);
    };
    let event = webhook
        .events
        .first()
        .cloned()
        .unwrap_or_else(|| EventType::new(GENERIC_EVENTS[0].name));
    let payload = deliver::payload(Provider::Generic, &event, serde_json::json!({"test": true}));
    let delivery_id = deliver::enqueue(&app, Provider::Generic, &id, &event, &payload, true);
    json(
        StatusCode::ACCEPTED,
        &TestAnswer {
            event_id: payload.event_id,
            delivery_id,
        },
    )
}

async fn deliveries(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let log = app.read(|state| {
        state.generic.contains_key(&id).then(|| {
            state
                .deliveries
                .values()
                .filter(|d| d.provider == Provider::Generic && d.webhook_id == id)
                .map(|d| d.to_model())
                .collect::<Vec<_>>()
        })
    });
    match log {
        Some(deliveries) => json(StatusCode::OK, &DeliveryList { deliveries }),
        None => not_found(&id),
    }
}
