//! Port: `/port/v1/webhooks…` and `/port/v1/auth/access_token`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use hook_model::Provider;
use hook_port::wire::{PortWebhook, TokenRequest};

use crate::app::App;
use crate::common::{canonical_events, json, now, page_params, paginate, valid_url};

/// Port refuses bodies over 1 MiB.
pub const MAX_BODY: usize = 1024 * 1024;

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/port/v1/auth/access_token", post(token))
        .route("/port/v1/webhooks", get(list).post(create))
        .route(
            "/port/v1/webhooks/{identifier}",
            get(read).patch(patch).put(put).delete(delete),
        )
}

fn error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    json(
        status,
        &serde_json::json!({"ok": false, "error": code, "message": message.into()}),
    )
}

fn invalid(message: impl Into<String>) -> Response {
    error(
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_error",
        message,
    )
}

fn not_found(identifier: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("Webhook with identifier \"{identifier}\" was not found"),
    )
}

fn guard(app: &App, headers: &HeaderMap) -> Result<(), Response> {
    if app.authorized(Provider::Port, headers) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        ))
    }
}

async fn token(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<TokenRequest>(&body) else {
        return invalid("body must be {\"clientId\", \"clientSecret\"}");
    };
    let creds = &app.credentials.port;
    if request.client_id != creds.client_id
        || request.client_secret.expose() != creds.client_secret.expose()
    {
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "invalid client credentials",
        );
    }
    let (token, ttl) = app.issue_token(Provider::Port);
    json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "accessToken": token.expose(), "expiresIn": ttl, "tokenType": "Bearer"}),
    )
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
        Err(message) => return invalid(message),
    };
    let all: Vec<PortWebhook> = app.read(|state| state.port.values().cloned().collect());
    let (webhooks, _) = paginate(&all, page, per_page);
    json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "webhooks": webhooks}),
    )
}

async fn read(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    match app.read(|state| state.port.get(&identifier).cloned()) {
        Some(webhook) => json(
            StatusCode::OK,
            &serde_json::json!({"ok": true, "webhook": webhook}),
        ),
        None => not_found(&identifier),
    }
}

fn decode(body: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, Response> {
    if body.len() > MAX_BODY {
        return Err(error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("the body is {} bytes, over the 1 MiB limit", body.len()),
        ));
    }
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(invalid("the body must be a JSON object")),
        Err(e) => Err(invalid(format!("the body is not JSON: {e}"))),
    }
}

/// Port's documented limits, checked here independently of the client's own checks:
/// identifier 1 to 30 of letters, digits and `@_.+:\/=-`; title ≤ 30; description ≤ 200.
fn check_limits(webhook: &PortWebhook) -> Result<(), hook_model::Error> {
    let id = &webhook.identifier;
    hook_model::check::max_chars("identifier", id, 30)?;
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@_.+:\\/=-".contains(c))
    {
        return Err(hook_model::Error::invalid(
            "identifier",
            "use letters, digits and @ _ . + : \\ / = - only",
        ));
    }
    if let Some(title) = &webhook.title {
        hook_model::check::max_chars("title", title, 30)?;
    }
    if let Some(description) = &webhook.description {
        hook_model::check::max_chars("description", description, 200)?;
    }
    Ok(())
}

/// Checks a full record against Port's schema and limits.
fn validate(map: serde_json::Map<String, serde_json::Value>) -> Result<PortWebhook, Response> {
    let mut webhook: PortWebhook = serde_json::from_value(serde_json::Value::Object(map))
        .map_err(|e| invalid(format!("the body does not match the webhook schema: {e}")))?;
    check_limits(&webhook).map_err(|e| invalid(e.to_string()))?;
    let url = webhook
        .url
        .as_deref()
        .ok_or_else(|| invalid("url is required"))?;
    valid_url(url, false).map_err(|m| invalid(format!("url: {m}")))?;
    if let Some(events) = &webhook.events {
        webhook.events = Some(canonical_events(Provider::Port, events).map_err(invalid)?);
    }
    Ok(webhook)
}

async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let mut webhook = match decode(&body).and_then(validate) {
        Ok(webhook) => webhook,
        Err(response) => return response,
    };
    let at = now();
    webhook.enabled.get_or_insert(true);
    webhook.created_at = Some(at);
    webhook.updated_at = Some(at);
    webhook.created_by = Some("emulator".into());
    webhook.updated_by = Some("emulator".into());
    webhook
        .integration_type
        .get_or_insert_with(|| "custom".into());
    webhook.webhook_key = Some(uuid::Uuid::new_v4().simple().to_string());
    let stored = app.write(|state| {
        if state.port.contains_key(&webhook.identifier) {
            return false;
        }
        state
            .port
            .insert(webhook.identifier.clone(), webhook.clone());
        true
    });
    if !stored {
        return error(
            StatusCode::CONFLICT,
            "conflict",
            format!(
                "a webhook with identifier \"{}\" already exists",
                webhook.identifier
            ),
        );
    }
    json(
        StatusCode::CREATED,
        &serde_json::json!({"ok": true, "webhook": webhook}),
    )
}

async fn patch(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
    body: Bytes,
) -> Response {
    change(app, headers, identifier, body, false)
}

async fn put(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
    body: Bytes,
) -> Response {
    change(app, headers, identifier, body, true)
}

fn change(
    app: Arc<App>,
    headers: HeaderMap,
    identifier: String,
    body: Bytes,
    replace: bool,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    let mut incoming = match decode(&body) {
        Ok(map) => map,
        Err(response) => return response,
    };
    let Some(current) = app.read(|state| state.port.get(&identifier).cloned()) else {
        return not_found(&identifier);
    };
    match incoming.get("identifier") {
        Some(serde_json::Value::String(id)) if *id != identifier => {
            return invalid("identifier cannot be changed");
        }
        _ => {}
    }
    let mut map = if replace {
        serde_json::Map::new()
    } else {
        match serde_json::to_value(&current) {
            Ok(serde_json::Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        }
    };
    map.append(&mut incoming);
    map.insert(
        "identifier".into(),
        serde_json::Value::String(identifier.clone()),
    );
    let mut webhook = match validate(map) {
        Ok(webhook) => webhook,
        Err(response) => return response,
    };
    webhook.enabled.get_or_insert(true);
    webhook.created_at = current.created_at;
    webhook.created_by = current.created_by.clone();
    webhook.webhook_key = current.webhook_key.clone();
    webhook.updated_at = Some(now());
    webhook.updated_by = Some("emulator".into());
    let stored = app.write(|state| match state.port.get_mut(&identifier) {
        Some(slot) => {
            *slot = webhook.clone();
            true
        }
        None => false,
    });
    if stored {
        json(
            StatusCode::OK,
            &serde_json::json!({"ok": true, "webhook": webhook}),
        )
    } else {
        not_found(&identifier)
    }
}

async fn delete(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(identifier): Path<String>,
) -> Response {
    if let Err(response) = guard(&app, &headers) {
        return response;
    }
    match app.write(|state| state.port.remove(&identifier)) {
        Some(_) => json(StatusCode::OK, &serde_json::json!({"ok": true})),
        None => not_found(&identifier),
    }
}
