//! Port: `/port/v1/webhooks…` and `/port/v1/auth/access_token`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use hook_model::Provider;
use hook_port::wire::{PortWebhook, TokenRequest};

use crate::app::App;
use crate::common::{
    Answer, Authorized, Dialect, Object, canonical_events, json, merged, now, page_params,
    paginate, valid_url,
};

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

/// Port's error shape: `{"ok": false, "error": "<code>", "message"}`.
pub(crate) struct Port;

impl Dialect for Port {
    const PROVIDER: Provider = Provider::Port;
    const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    const MALFORMED: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
    const MAX_BODY: Option<usize> = Some(MAX_BODY);

    fn error(status: StatusCode, code: &str, message: String, _field: Option<&str>) -> Response {
        json(
            status,
            &serde_json::json!({"ok": false, "error": code, "message": message}),
        )
    }

    fn not_found(identifier: &str) -> Response {
        Self::error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Webhook with identifier \"{identifier}\" was not found"),
            None,
        )
    }
}

type Auth = Authorized<Port>;

fn invalid(message: impl Into<String>) -> Response {
    Port::invalid("body", message)
}

async fn token(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let Ok(request) = serde_json::from_slice::<TokenRequest>(&body) else {
        return invalid("body must be {\"clientId\", \"clientSecret\"}");
    };
    let creds = &app.credentials.port;
    if request.client_id != creds.client_id
        || request.client_secret.expose() != creds.client_secret.expose()
    {
        return Port::error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "invalid client credentials".into(),
            None,
        );
    }
    let (token, ttl) = app.issue_token(Provider::Port);
    json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "accessToken": token.expose(), "expiresIn": ttl, "tokenType": "Bearer"}),
    )
}

async fn list(
    _: Auth,
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
) -> Answer {
    let (page, per_page) =
        page_params(query.get("page"), query.get("per_page"), 100).map_err(invalid)?;
    let all: Vec<PortWebhook> = app.read(|state| state.port.values().cloned().collect());
    let (webhooks, _) = paginate(&all, page, per_page);
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "webhooks": webhooks}),
    ))
}

fn one(status: StatusCode, webhook: &PortWebhook) -> Response {
    json(status, &serde_json::json!({"ok": true, "webhook": webhook}))
}

async fn read(_: Auth, State(app): State<Arc<App>>, Path(identifier): Path<String>) -> Answer {
    let webhook = Port::found(
        app.read(|state| state.port.get(&identifier).cloned()),
        &identifier,
    )?;
    Ok(one(StatusCode::OK, &webhook))
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
fn validate(map: Object) -> Result<PortWebhook, Response> {
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

async fn create(_: Auth, State(app): State<Arc<App>>, body: Bytes) -> Answer {
    let mut webhook = Port::object(&body).and_then(validate)?;
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
        return Err(Port::error(
            StatusCode::CONFLICT,
            "conflict",
            format!(
                "a webhook with identifier \"{}\" already exists",
                webhook.identifier
            ),
            None,
        ));
    }
    Ok(one(StatusCode::CREATED, &webhook))
}

async fn patch(
    _: Auth,
    State(app): State<Arc<App>>,
    Path(identifier): Path<String>,
    body: Bytes,
) -> Answer {
    change(&app, &identifier, &body, Body::Partial)
}

async fn put(
    _: Auth,
    State(app): State<Arc<App>>,
    Path(identifier): Path<String>,
    body: Bytes,
) -> Answer {
    change(&app, &identifier, &body, Body::Whole)
}

/// Whether a change replaces the record (PUT) or lays over it (PATCH).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Body {
    Whole,
    Partial,
}

fn change(app: &App, identifier: &str, body: &[u8], kind: Body) -> Answer {
    let incoming = Port::object(body)?;
    let current = Port::found(
        app.read(|state| state.port.get(identifier).cloned()),
        identifier,
    )?;
    match incoming.get("identifier") {
        Some(serde_json::Value::String(id)) if id != identifier => {
            return Err(invalid("identifier cannot be changed"));
        }
        _ => {}
    }
    let map = merged(&current, incoming, kind == Body::Whole, &["identifier"]);
    let mut webhook = validate(map)?;
    webhook.enabled.get_or_insert(true);
    webhook.created_at = current.created_at;
    webhook.created_by = current.created_by.clone();
    webhook.webhook_key = current.webhook_key.clone();
    webhook.updated_at = Some(now());
    webhook.updated_by = Some("emulator".into());
    let stored = app.write(|state| {
        let slot = state.port.get_mut(identifier)?;
        *slot = webhook.clone();
        Some(webhook)
    });
    Ok(one(StatusCode::OK, &Port::found(stored, identifier)?))
}

async fn delete(_: Auth, State(app): State<Arc<App>>, Path(identifier): Path<String>) -> Answer {
    Port::found(
        app.write(|state| state.port.remove(&identifier)),
        &identifier,
    )?;
    Ok(json(StatusCode::OK, &serde_json::json!({"ok": true})))
}
