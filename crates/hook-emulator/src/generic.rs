//! The generic service: `/generic/v1/webhooks…`, bearer API key.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hook_generic::EVENTS as GENERIC_EVENTS;
use hook_model::{EventType, Provider, Secret};

use crate::app::{App, new_id};
use crate::common::{
    Answer, Authorized, Dialect, Object, canonical_events, json, merged, now, page_params,
    paginate, valid_url,
};
use crate::deliver::{self, Payload};
use crate::plugin::{Plugin, Records};
use crate::schema::{Kind, Record};
use crate::state::State as AppState;
use crate::{Credentials, EmulatorHandle};

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

/// The generic service's error shape: `{"error": {"code", "message", "field"}}`.
pub(crate) struct Generic;

impl Dialect for Generic {
    const PROVIDER: Provider = hook_generic::PROVIDER;
    const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    const UNAUTHORIZED: &'static str = "a valid API key is required as a bearer token";

    fn error(status: StatusCode, code: &str, message: String, field: Option<&str>) -> Response {
        let mut detail = serde_json::json!({"code": code, "message": message});
        if let Some(field) = field {
            detail["field"] = field.into();
        }
        json(status, &serde_json::json!({"error": detail}))
    }

    fn not_found(id: &str) -> Response {
        Self::error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no webhook {id}"),
            None,
        )
    }
}

type Auth = Authorized<Generic>;

/// The webhook record as the service documents it (`id` and `created_at` are the
/// service's; other properties a client sends are kept as they are).
pub(crate) const PROPERTIES: &str = "url: string, events: [string], secret?: string, \
    active?: boolean, id?: string, created_at?: string";

/// Checks a whole record and puts its events in catalog spelling.
fn validate(mut map: Object) -> Result<Object, Response> {
    crate::schema::check(&map, PROPERTIES, true, |_| true)
        .map_err(|misfit| Generic::invalid(misfit.field(), misfit.to_string()))?;
    valid_url(map.text("url").unwrap_or_default(), false)
        .map_err(|m| Generic::invalid("url", m))?;
    let events = map.events("events");
    if events.is_empty() {
        return Err(Generic::invalid(
            "events",
            "subscribe to at least one event",
        ));
    }
    let events = canonical_events(hook_generic::PROVIDER, &events)
        .map_err(|m| Generic::invalid("events", m))?;
    map.set_events("events", Kind::Texts, &events);
    if map.text("secret") == Some("") {
        return Err(Generic::invalid(
            "secret",
            "the secret must not be empty; omit it to have one generated",
        ));
    }
    map.retain(|_, value| !value.is_null());
    Ok(map)
}

async fn list(Auth { app, .. }: Auth, Query(query): Query<HashMap<String, String>>) -> Answer {
    let (page, per_page) = page_params(query.get("page"), query.get("per_page"), 100)
        .map_err(|message| Generic::invalid("page", message))?;
    // Ids start with a sequence number: the map is in creation order.
    let all: Vec<Object> = app.read(|state| state.generic.values().cloned().collect());
    let (data, has_more) = paginate(&all, page, per_page);
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"data": data, "has_more": has_more}),
    ))
}

async fn read(Auth { app, .. }: Auth, Path(id): Path<String>) -> Answer {
    let webhook = Generic::found(app.read(|state| state.generic.get(&id).cloned()), &id)?;
    Ok(json(StatusCode::OK, &webhook))
}

async fn create(Auth { app, .. }: Auth, body: Bytes) -> Answer {
    let mut webhook = Generic::object(&body).and_then(validate)?;
    let created_at = now().format(&time::format_description::well_known::Rfc3339);
    webhook.insert("created_at".into(), created_at.unwrap_or_default().into());
    webhook.entry("active").or_insert(true.into());
    webhook
        .entry("secret")
        .or_insert_with(|| new_id("whsec_").into());
    app.write(|state| {
        let id = state.next_generic_id();
        webhook.insert("id".into(), id.clone().into());
        state.generic.insert(id, webhook.clone());
    })
    .await;
    Ok(json(StatusCode::CREATED, &webhook))
}

async fn update(Auth { app, .. }: Auth, Path(id): Path<String>, body: Bytes) -> Answer {
    let incoming = Generic::object(&body)?;
    let current = Generic::found(app.read(|state| state.generic.get(&id).cloned()), &id)?;
    let webhook = validate(merged(&current, incoming, false, &["id", "created_at"]))?;
    let stored = app
        .write(|state| {
            let slot = state.generic.get_mut(&id)?;
            *slot = webhook.clone();
            Some(webhook)
        })
        .await;
    Ok(json(StatusCode::OK, &Generic::found(stored, &id)?))
}

async fn delete(Auth { app, .. }: Auth, Path(id): Path<String>) -> Answer {
    Generic::found(app.write(|state| state.generic.remove(&id)).await, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Delivers a test event (the webhook's first event, with `"test": true` data) on the
/// normal retry schedule.
async fn test(Auth { app, .. }: Auth, Path(id): Path<String>) -> Answer {
    let webhook = Generic::found(app.read(|state| state.generic.get(&id).cloned()), &id)?;
    let event = webhook
        .events("events")
        .first()
        .cloned()
        .unwrap_or_else(|| EventType::new(GENERIC_EVENTS[0].name));
    let payload = Generic.payload(&event, serde_json::json!({"test": true}));
    let delivery_id =
        deliver::enqueue(&app, hook_generic::PROVIDER, &id, &event, &payload, true).await;
    Ok(json(
        StatusCode::ACCEPTED,
        &serde_json::json!({"event_id": payload.event_id, "delivery_id": delivery_id}),
    ))
}

async fn deliveries(Auth { app, .. }: Auth, Path(id): Path<String>) -> Answer {
    let log = app.read(|state| {
        state.generic.contains_key(&id).then(|| {
            state
                .deliveries
                .values()
                .filter(|d| d.provider == hook_generic::PROVIDER && d.webhook_id == id)
                .map(|d| d.to_model())
                .collect::<Vec<_>>()
        })
    });
    let deliveries = Generic::found(log, &id)?;
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"deliveries": deliveries}),
    ))
}

/// The generic service's plugin: its descriptor's policy (the documented schedule, 410 disables).
impl Plugin for Generic {
    crate::plugin::builtin!(hook_generic::DESCRIPTOR);

    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)> {
        vec![
            (hook_generic::env::URL, emulator.generic_base()),
            (
                hook_generic::env::API_KEY,
                emulator.credentials().generic.api_key.expose().to_owned(),
            ),
        ]
    }

    fn fixed_key<'a>(&self, credentials: &'a Credentials) -> Option<&'a Secret> {
        Some(&credentials.generic.api_key)
    }

    /// `active: false`, as a PATCH would set it.
    fn gone(&self, state: &mut AppState, id: &str) {
        if let Some(hook) = state.generic.get_mut(id) {
            hook.insert("active".into(), false.into());
        }
    }

    fn records<'a>(&self, state: &'a AppState) -> Option<Records<'a>> {
        Some(Records {
            webhooks: &state.generic,
            on: ("active", true),
        })
    }

    /// `{id, type, created_at, data}` in that order, from the emulator's own record of
    /// the documented payload rather than the client's type, so a misreading of the
    /// record cannot hide in both.
    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            id: &'a str,
            #[serde(rename = "type")]
            kind: &'a str,
            created_at: String,
            data: serde_json::Value,
        }
        let event_id = new_id("evt_");
        let body = Body {
            id: &event_id,
            kind: event.as_str(),
            created_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            data,
        };
        let body = deliver::json(&body);
        Payload { event_id, body }
    }
}
