//! UP42: `/up42/workspaces/{workspace}/webhooks…`, `/up42/webhooks/events` and the
//! token endpoint under `/up42/auth/…`. Every answer is `{"data", "error"}`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hook_model::{DeliveryStatus, EventType, Provider};
use hook_up42::EVENTS as UP42_EVENTS;
use serde::Serialize;

use crate::EmulatorHandle;
use crate::app::App;
use crate::common::{
    Answer, Authorized, Dialect, Object, canonical_events, form, json, now, oauth_answer, valid_url,
};
use crate::deliver::{self, Payload};
use crate::plugin::{Plugin, Records};
use crate::schema::{Kind, Record};
use crate::state::State as AppState;

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route(
            "/up42/auth/realms/public/protocol/openid-connect/token",
            post(token),
        )
        .route("/up42/webhooks/events", get(events))
        .route("/up42/users/me", get(me))
        .route(
            "/up42/auth/realms/public/protocol/openid-connect/userinfo",
            get(userinfo),
        )
        .route(
            "/up42/workspaces/{workspace}/webhooks",
            get(list).post(create),
        )
        .route(
            "/up42/workspaces/{workspace}/webhooks/{id}",
            get(read).put(update).delete(delete),
        )
        .route(
            "/up42/workspaces/{workspace}/webhooks/{id}/tests",
            post(test),
        )
}

fn ok<T: Serialize>(status: StatusCode, data: &T) -> Response {
    json(status, &serde_json::json!({"data": data, "error": null}))
}

/// UP42's error shape: `{"data": null, "error": {"code", "message", "details"}}`.
pub(crate) struct Up42;

impl Dialect for Up42 {
    const PROVIDER: Provider = hook_up42::PROVIDER;
    const INVALID: StatusCode = StatusCode::BAD_REQUEST;

    fn error(status: StatusCode, _code: &str, message: String, field: Option<&str>) -> Response {
        let details = field.map_or(serde_json::Value::Null, |f| serde_json::json!({"field": f}));
        json(
            status,
            &serde_json::json!({"data": null, "error": {"code": status.as_u16(), "message": message, "details": details}}),
        )
    }

    fn not_found(id: &str) -> Response {
        Self::error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Webhook {id} not found"),
            None,
        )
    }

    /// Workspace routes answer only for the emulator's workspace (403 otherwise).
    fn scope(app: &App, params: &HashMap<String, String>) -> Result<(), Response> {
        match params.get("workspace") {
            Some(workspace) if *workspace != app.credentials.up42.workspace_id => Err(Up42::error(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("no access to workspace {workspace}"),
                None,
            )),
            _ => Ok(()),
        }
    }
}

type Auth = Authorized<Up42>;

async fn token(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let form = form(&body);
    let creds = &app.credentials.up42;
    let get = |key: &str| form.get(key).map(String::as_str);
    let known = match get("grant_type") {
        Some("password") => Some(
            get("username") == Some(creds.username.as_str())
                && get("password") == Some(creds.password.expose()),
        ),
        Some("client_credentials") => Some(
            get("client_id") == Some(creds.client_id.as_str())
                && get("client_secret") == Some(creds.password.expose()),
        ),
        _ => None,
    };
    let checked = match known {
        Some(true) => Ok(()),
        Some(false) => Err((
            StatusCode::UNAUTHORIZED,
            "invalid_grant",
            "Invalid user credentials",
        )),
        None => Err((
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "use password or client_credentials",
        )),
    };
    oauth_answer(&app, hook_up42::PROVIDER, "openid", checked).await
}

/// `GET /users/me`: the one user, whose id is the workspace's.
async fn me(Auth { app, .. }: Auth) -> Response {
    let c = &app.credentials.up42;
    ok(
        StatusCode::OK,
        &serde_json::json!({"id": c.workspace_id, "email": c.username}),
    )
}

/// `GET …/openid-connect/userinfo` (OpenID Connect Core §5.3): the signed-in user's
/// claims, `sub` being the user's id, which is the workspace's; what UP42's SDK has read
/// since December 2024. A plain JSON object, no `data` envelope.
async fn userinfo(Auth { app, .. }: Auth) -> Response {
    let c = &app.credentials.up42;
    json(
        StatusCode::OK,
        &serde_json::json!({
            "sub": c.workspace_id,
            "email": c.username,
            "email_verified": true,
            "preferred_username": c.username,
        }),
    )
}

async fn events(_: Auth) -> Response {
    let list: Vec<serde_json::Value> = UP42_EVENTS
        .iter()
        .map(|e| {
            serde_json::json!({
                "name": e.name,
                "title": e.description.trim_end_matches('.'),
                "category": e.group,
                "description": e.description,
                "documentation": "https://docs.up42.com/account/webhooks",
            })
        })
        .collect();
    ok(StatusCode::OK, &list)
}

async fn list(Auth { app, .. }: Auth) -> Answer {
    let all: Vec<Object> = app.read(|state| {
        let mut ids: Vec<(&u64, &String)> =
            state.up42_order.iter().map(|(id, seq)| (seq, id)).collect();
        ids.sort();
        ids.iter()
            .filter_map(|(_, id)| state.up42.get(*id).cloned())
            .collect()
    });
    Ok(ok(StatusCode::OK, &all))
}

async fn read(Auth { app, .. }: Auth, Path((_, id)): Path<(String, String)>) -> Answer {
    let webhook = Up42::found(app.read(|state| state.up42.get(&id).cloned()), &id)?;
    Ok(ok(StatusCode::OK, &webhook))
}

/// The webhook record as up42-py reads and writes it (`id`, `createdAt` and `updatedAt`
/// are UP42's; other properties are kept as they are).
pub(crate) const PROPERTIES: &str = "name: string, url: string, events?: [string], \
    active?: boolean, secret?: string, id?: string, createdAt?: string, updatedAt?: string";

/// Decodes and checks a full body: name, HTTPS URL, events from the catalog.
fn validate(body: &[u8]) -> Result<Object, Response> {
    let mut map = Up42::object(body)?;
    crate::schema::check(&map, PROPERTIES, true, |_| true)
        .map_err(|misfit| Up42::invalid(misfit.field(), misfit.to_string()))?;
    if map.text("name").is_none_or(|n| n.trim().is_empty()) {
        return Err(Up42::invalid("name", "name is required"));
    }
    valid_url(map.text("url").unwrap_or_default(), true)
        .map_err(|m| Up42::invalid("url", format!("url: {m}")))?;
    let events = canonical_events(hook_up42::PROVIDER, &map.events("events"))
        .map_err(|m| Up42::invalid("events", m))?;
    map.set_events("events", Kind::Texts, &events);
    map.entry("active")
        .and_modify(|a| *a = a.as_bool().unwrap_or(false).into())
        .or_insert(false.into());
    if map.get("secret").is_none_or(serde_json::Value::is_null) {
        map.insert("secret".into(), "".into());
    }
    for read_only in ["id", "createdAt", "updatedAt"] {
        map.remove(read_only);
    }
    Ok(map)
}

/// RFC 3339 now, as UP42 writes its timestamps.
fn stamp() -> serde_json::Value {
    now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
        .into()
}

async fn create(Auth { app, .. }: Auth, body: Bytes) -> Answer {
    let mut webhook = validate(&body)?;
    let id = uuid::Uuid::new_v4().to_string();
    webhook.insert("id".into(), id.clone().into());
    webhook.insert("createdAt".into(), stamp());
    webhook.insert("updatedAt".into(), webhook["createdAt"].clone());
    app.write(|state| {
        state.record_up42(&id);
        state.up42.insert(id, webhook.clone());
    })
    .await;
    Ok(ok(StatusCode::CREATED, &webhook))
}

async fn update(
    Auth { app, .. }: Auth,
    Path((_, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let mut webhook = validate(&body)?;
    let stored = app
        .write(|state| {
            let slot = state.up42.get_mut(&id)?;
            webhook.insert("id".into(), id.clone().into());
            let created = slot.get("createdAt").cloned().unwrap_or_else(stamp);
            webhook.insert("createdAt".into(), created);
            webhook.insert("updatedAt".into(), stamp());
            *slot = webhook.clone();
            Some(webhook)
        })
        .await;
    Ok(ok(StatusCode::OK, &Up42::found(stored, &id)?))
}

async fn delete(Auth { app, .. }: Auth, Path((_, id)): Path<(String, String)>) -> Answer {
    let removed = app
        .write(|state| {
            state.up42_order.remove(&id);
            state.up42.remove(&id)
        })
        .await;
    Up42::found(removed, &id)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Sends one message per subscribed event, each tried once, and answers how many reached
/// the URL.
async fn test(Auth { app, .. }: Auth, Path((_, id)): Path<(String, String)>) -> Answer {
    let webhook = Up42::found(app.read(|state| state.up42.get(&id).cloned()), &id)?;
    let started_at = stamp();
    let mut version = app.log_version.subscribe();
    let mut ids: Vec<String> = Vec::new();
    for event in &webhook.events("events") {
        let status = if *event == "order.status" {
            "FULFILLED"
        } else {
            "SUCCEEDED"
        };
        let data = serde_json::json!({"test": true, "status": status});
        let payload = Up42.payload(event, data);
        ids.push(deliver::enqueue(&app, hook_up42::PROVIDER, &id, event, &payload, false).await);
    }
    // Wait for the single attempts to settle (the delivery timeout bounds each).
    let settled = |app: &App| {
        app.read(|state| {
            let mine: Vec<_> = state
                .deliveries
                .values()
                .filter(|d| ids.contains(&d.id))
                .collect();
            mine.iter()
                .all(|d| d.status != DeliveryStatus::Pending)
                .then(|| {
                    mine.iter()
                        .filter(|d| d.status == DeliveryStatus::Success)
                        .count()
                })
        })
    };
    let succeeded = loop {
        if let Some(count) = settled(&app) {
            break count;
        }
        if version.changed().await.is_err() {
            break 0;
        }
    };
    Ok(ok(
        StatusCode::OK,
        &serde_json::json!({
            "startedAt": started_at,
            "testsRun": ids.len(),
            "testsSucceeded": succeeded,
        }),
    ))
}

/// UP42's plugin: HTTPS receivers only (its capabilities say so).
impl Plugin for Up42 {
    crate::plugin::builtin!(hook_up42::DESCRIPTOR);

    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)> {
        let c = &emulator.credentials().up42;
        vec![
            (hook_up42::env::URL, emulator.up42_base()),
            (hook_up42::env::TOKEN_URL, emulator.up42_token_url()),
            (hook_up42::env::USERNAME, c.username.clone()),
            (hook_up42::env::PASSWORD, c.password.expose().to_owned()),
            (hook_up42::env::WORKSPACE, c.workspace_id.clone()),
        ]
    }

    /// Webhooks are off unless `active` says otherwise.
    fn records<'a>(&self, state: &'a AppState) -> Option<Records<'a>> {
        Some(Records {
            webhooks: &state.up42,
            on: ("active", false),
        })
    }

    /// UP42's shape: `{"event", "body"}`, the event data as the body. The payload has no
    /// event id; the delivery log keeps one of the emulator's own.
    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload {
        let body = serde_json::json!({"event": event.as_str(), "body": data});
        Payload {
            event_id: crate::app::new_id("evt_"),
            body: deliver::json(&body),
        }
    }
}
