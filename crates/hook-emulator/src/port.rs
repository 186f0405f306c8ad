//! Port as it really is: inbound webhooks at `/port/v1/webhooks…` (the eight accepted
//! properties, `url` and `webhookKey` assigned here), their ingest URLs
//! `/port/ingest/{webhookKey}` (processed by [`crate::ingest`]), the entities mappings make
//! at `/port/v1/blueprints/{blueprint}/entities…`, and `/port/v1/auth/access_token`.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use hook_model::{EventType, Provider};
use hook_port::wire::{
    IntegrationType, PortWebhook, SignatureAlgorithm, TokenRequest, WebhookBody,
};

use crate::app::App;
use crate::common::{Answer, Authorized, Dialect, Object, json, now};
use crate::deliver::{Payload, Target};
use crate::plugin::Plugin;
use crate::state::State as AppState;
use crate::{Credentials, EmulatorHandle};

/// Port refuses bodies over 1 MiB.
pub const MAX_BODY: usize = 1024 * 1024;

/// The largest body an ingest URL takes (Port's webhook guide: 512 KiB); the API routes
/// take [`MAX_BODY`].
pub const MAX_INGEST_BODY: usize = 512 * 1024;

/// The properties Port's webhook routes accept; anything else is a 422.
pub const ACCEPTED: [&str; 8] = [
    "identifier",
    "title",
    "description",
    "icon",
    "mappings",
    "enabled",
    "security",
    "integrationType",
];

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/port/v1/auth/access_token", post(token))
        .route("/port/v1/webhooks", get(list).post(create))
        .route(
            "/port/v1/webhooks/{identifier}",
            get(read).patch(patch).put(put).delete(delete),
        )
        .route("/port/v1/blueprints/{blueprint}/entities", get(entities))
        .route(
            "/port/v1/blueprints/{blueprint}/entities/{identifier}",
            get(entity),
        )
        .route("/port/ingest/{key}", post(ingest))
}

/// Port's error shape: `{"ok": false, "error": "<code>", "message"}`.
pub(crate) struct Port;

impl Dialect for Port {
    const PROVIDER: Provider = hook_port::PROVIDER;
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

/// Port's 422 wording, with what is wrong after it.
fn invalid(message: impl std::fmt::Display) -> Response {
    Port::invalid(
        "body",
        format!("The json provided does not match the route's schema: {message}"),
    )
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
    let (token, ttl) = app.issue_token(hook_port::PROVIDER).await;
    json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "accessToken": token.expose(), "expiresIn": ttl, "tokenType": "Bearer"}),
    )
}

/// Every webhook in one answer, under `integrations`; Port documents no paging.
async fn list(Auth { app, .. }: Auth) -> Answer {
    let all: Vec<PortWebhook> = app.read(|state| state.port.values().cloned().collect());
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "integrations": all}),
    ))
}

fn one(webhook: &PortWebhook) -> Response {
    json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "integration": webhook}),
    )
}

async fn read(Auth { app, .. }: Auth, Path(identifier): Path<String>) -> Answer {
    let webhook = Port::found(
        app.read(|state| state.port.get(&identifier).cloned()),
        &identifier,
    )?;
    Ok(one(&webhook))
}

/// Port's documented rules, checked here independently of the client's checks: only the
/// eight properties; identifier 1 to 30 of letters, digits and `@_.+:\/=-`; title ≤ 30
/// and description ≤ 200; each mapping names a blueprint and an entity identifier; a known
/// signature algorithm; with `whole` (POST, PUT), `title` and `enabled` present.
fn parse_body(map: Object, whole: bool) -> Result<WebhookBody, Response> {
    if let Some(key) = map.keys().find(|k| !ACCEPTED.contains(&k.as_str())) {
        return Err(invalid(format!(
            "{key:?} is not an accepted property (accepted: {})",
            ACCEPTED.join(", ")
        )));
    }
    shape(&map).map_err(invalid)?;
    let body: WebhookBody =
        serde_json::from_value(serde_json::Value::Object(map)).map_err(invalid)?;
    if whole && body.title.is_none() {
        return Err(invalid("must have required property 'title'"));
    }
    if whole && body.enabled.is_none() {
        return Err(invalid("must have required property 'enabled'"));
    }
    if let Some(id) = &body.identifier {
        let allowed = |c: char| c.is_ascii_alphanumeric() || "@_.+:\\/=-".contains(c);
        if id.is_empty() || id.chars().count() > 30 || !id.chars().all(allowed) {
            return Err(invalid(
                "identifier must be 1 to 30 letters, digits or @ _ . + : \\ / = -",
            ));
        }
    }
    if body.title.as_ref().is_some_and(|t| t.chars().count() > 30) {
        return Err(invalid("title must be at most 30 characters"));
    }
    if body
        .description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 200)
    {
        return Err(invalid("description must be at most 200 characters"));
    }
    for (index, mapping) in body.mappings.iter().flatten().enumerate() {
        if mapping.blueprint.is_empty() || mapping.entity.identifier.is_empty() {
            return Err(invalid(format!(
                "mappings[{index}] must have a blueprint and entity.identifier"
            )));
        }
    }
    if let Some(SignatureAlgorithm::Other(name)) = body
        .security
        .as_ref()
        .and_then(|s| s.signature_algorithm.as_ref())
    {
        return Err(invalid(format!(
            "security.signatureAlgorithm {name:?} is not one of sha1, sha256, plain"
        )));
    }
    Ok(body)
}

/// The properties a security object takes.
const SECURITY: [&str; 5] = [
    "secret",
    "signatureHeaderName",
    "signatureAlgorithm",
    "signaturePrefix",
    "requestIdentifierPath",
];
/// The properties of a mapping that creates or updates.
const CREATE_MAPPING: [&str; 5] = ["operation", "blueprint", "filter", "itemsToParse", "entity"];
/// The properties of a created entity.
const ENTITY: [&str; 6] = [
    "identifier",
    "title",
    "icon",
    "team",
    "properties",
    "relations",
];

/// The nested rules of Port's route schemas, read from the raw JSON (not through the
/// client's records, which keep unknown fields): `integrationType` is `custom` or
/// `template`; `security` names only its five properties; each mapping's operation is
/// `create`, `delete` or their object forms; a delete mapping's entity is its identifier
/// alone; a create mapping and its entity name only their documented properties; an
/// identifier or team is a jq string or a search query `{combinator, rules}`.
fn shape(map: &Object) -> Result<(), String> {
    use serde_json::Value;
    let only = |object: &serde_json::Map<String, Value>, allowed: &[&str], at: &str| match object
        .keys()
        .find(|k| !allowed.contains(&k.as_str()))
    {
        Some(key) => Err(format!("{at} must NOT have additional property {key:?}")),
        None => Ok(()),
    };
    if let Some(kind) = map.get("integrationType")
        && !matches!(kind.as_str(), Some("custom" | "template"))
    {
        return Err(
            "integrationType must be equal to one of the allowed values: custom, template".into(),
        );
    }
    if let Some(security) = map.get("security") {
        let security = security.as_object().ok_or("security must be object")?;
        only(security, &SECURITY, "security")?;
    }
    let Some(mappings) = map.get("mappings") else {
        return Ok(());
    };
    let mappings = mappings.as_array().ok_or("mappings must be array")?;
    for (index, mapping) in mappings.iter().enumerate() {
        let at = format!("mappings[{index}]");
        let mapping = mapping
            .as_object()
            .ok_or_else(|| format!("{at} must be object"))?;
        let delete = match mapping.get("operation") {
            None => false,
            Some(Value::String(op)) if op == "create" => false,
            Some(Value::String(op)) if op == "delete" => true,
            Some(Value::Object(op)) if op.get("type") == Some(&Value::from("create")) => {
                only(op, &["type"], &format!("{at}.operation"))?;
                false
            }
            Some(Value::Object(op)) if op.get("type") == Some(&Value::from("delete")) => {
                only(
                    op,
                    &["type", "deleteDependents"],
                    &format!("{at}.operation"),
                )?;
                if op.get("deleteDependents").is_some_and(|d| !d.is_boolean()) {
                    return Err(format!("{at}.operation.deleteDependents must be boolean"));
                }
                true
            }
            Some(_) => {
                return Err(format!(
                    "{at}.operation must be \"create\", \"delete\", {{\"type\": \"create\"}} or {{\"type\": \"delete\", \"deleteDependents\"}}"
                ));
            }
        };
        let entity = mapping.get("entity").and_then(Value::as_object);
        if delete {
            if let Some(entity) = entity {
                only(entity, &["identifier"], &format!("{at}.entity"))?;
                if entity.get("identifier").is_some_and(|i| !i.is_string()) {
                    return Err(format!("{at}.entity.identifier must be string"));
                }
            }
            continue;
        }
        only(mapping, &CREATE_MAPPING, &at)?;
        if let Some(entity) = entity {
            only(entity, &ENTITY, &format!("{at}.entity"))?;
            for key in ["identifier", "team"] {
                if let Some(selector) = entity.get(key) {
                    selector_shape(selector).map_err(|e| format!("{at}.entity.{key} {e}"))?;
                }
            }
        }
    }
    Ok(())
}

/// A jq string, or a search query: `{combinator, rules}` and nothing else.
fn selector_shape(value: &serde_json::Value) -> Result<(), String> {
    match value {
        serde_json::Value::String(_) => Ok(()),
        serde_json::Value::Object(query) => {
            if !query
                .get("combinator")
                .is_some_and(serde_json::Value::is_string)
                || !query.get("rules").is_some_and(serde_json::Value::is_array)
            {
                return Err("must have required properties 'combinator' and 'rules'".into());
            }
            match query
                .keys()
                .find(|k| !matches!(k.as_str(), "combinator" | "rules"))
            {
                Some(key) => Err(format!("must NOT have additional property {key:?}")),
                None => Ok(()),
            }
        }
        _ => Err("must be a jq string or a search query".into()),
    }
}

fn conflict(identifier: &str) -> Response {
    Port::error(
        StatusCode::CONFLICT,
        "identifier_taken",
        format!("a webhook with identifier \"{identifier}\" already exists"),
        None,
    )
}

/// The ingest URL of `key`, on the host the request reached.
fn ingest_url(headers: &HeaderMap, key: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}/port/ingest/{key}")
}

async fn create(Auth { app, .. }: Auth, headers: HeaderMap, body: Bytes) -> Answer {
    let body = Port::object(&body).and_then(|map| parse_body(map, true))?;
    let key = uuid::Uuid::new_v4().simple().to_string();
    let at = now();
    let mut webhook = PortWebhook::default();
    webhook.url = Some(ingest_url(&headers, &key));
    webhook.webhook_key = Some(key);
    webhook.created_at = Some(at);
    webhook.created_by = Some("emulator".into());
    webhook.updated_at = Some(at);
    webhook.updated_by = Some("emulator".into());
    let chosen = body.identifier.clone();
    apply(&mut webhook, body, true);
    let stored = app
        .write(|state| {
            let identifier = match chosen {
                Some(id) if state.port.contains_key(&id) => return Err(id),
                Some(id) => id,
                // Port makes an identifier when none is given; how is *unconfirmed*.
                None => webhook
                    .title
                    .as_deref()
                    .and_then(hook_port::identifier_from)
                    .filter(|id| !state.port.contains_key(id))
                    .unwrap_or_else(|| {
                        format!(
                            "webhook-{}",
                            &uuid::Uuid::new_v4().simple().to_string()[..8]
                        )
                    }),
            };
            webhook.identifier = identifier.clone();
            state.port.insert(identifier, webhook.clone());
            Ok(webhook)
        })
        .await;
    stored
        .map(|webhook| one(&webhook))
        .map_err(|id| conflict(&id))
}

/// Lays `body` over `webhook`: every writable property with `whole` (PUT, POST), the
/// ones `body` sets otherwise (PATCH). The identifier is handled by the caller.
fn apply(webhook: &mut PortWebhook, body: WebhookBody, whole: bool) {
    macro_rules! set {
        ($($field:ident),*) => {$(
            if whole || body.$field.is_some() {
                webhook.$field = body.$field;
            }
        )*};
    }
    set!(
        title,
        description,
        icon,
        mappings,
        enabled,
        security,
        integration_type
    );
    webhook
        .integration_type
        .get_or_insert(IntegrationType::Custom);
}

async fn patch(Auth { app, .. }: Auth, Path(identifier): Path<String>, body: Bytes) -> Answer {
    change(&app, &identifier, &body, false).await
}

async fn put(Auth { app, .. }: Auth, Path(identifier): Path<String>, body: Bytes) -> Answer {
    change(&app, &identifier, &body, true).await
}

/// PATCH (`whole` false) or PUT; a new `identifier` renames the webhook, as Port's
/// reference allows.
async fn change(app: &App, identifier: &str, body: &[u8], whole: bool) -> Answer {
    let body = Port::object(body).and_then(|map| parse_body(map, whole))?;
    let rename = body.identifier.clone().filter(|id| id != identifier);
    let outcome = app
        .write(|state| {
            let Some(current) = state.port.get(identifier) else {
                return Err(Port::not_found(identifier));
            };
            if let Some(new) = &rename
                && state.port.contains_key(new)
            {
                return Err(conflict(new));
            }
            let mut next = current.clone();
            apply(&mut next, body, whole);
            next.updated_at = Some(now());
            next.updated_by = Some("emulator".into());
            if let Some(new) = rename {
                state.port.remove(identifier);
                next.identifier = new;
            }
            state.port.insert(next.identifier.clone(), next.clone());
            Ok(next)
        })
        .await;
    outcome.map(|webhook| one(&webhook))
}

async fn delete(Auth { app, .. }: Auth, Path(identifier): Path<String>) -> Answer {
    Port::found(
        app.write(|state| {
            state.port_seen.remove(&identifier);
            state.port.remove(&identifier)
        })
        .await,
        &identifier,
    )?;
    Ok(json(StatusCode::OK, &serde_json::json!({"ok": true})))
}

async fn entities(Auth { app, .. }: Auth, Path(blueprint): Path<String>) -> Answer {
    let entities: Vec<hook_port::Entity> = app.read(|state| {
        state
            .port_entities
            .get(&blueprint)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    });
    Ok(json(
        StatusCode::OK,
        &serde_json::json!({"ok": true, "entities": entities}),
    ))
}

async fn entity(
    Auth { app, .. }: Auth,
    Path((blueprint, identifier)): Path<(String, String)>,
) -> Answer {
    let found = app.read(|state| {
        state
            .port_entities
            .get(&blueprint)
            .and_then(|m| m.get(&identifier))
            .cloned()
    });
    match found {
        Some(entity) => Ok(json(
            StatusCode::OK,
            &serde_json::json!({"ok": true, "entity": entity}),
        )),
        None => Err(Port::error(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("Entity \"{identifier}\" of blueprint \"{blueprint}\" was not found"),
            None,
        )),
    }
}

/// `POST /port/ingest/{webhookKey}`: no token (the key is the credential); answers 202 at
/// once (Port's status is *unconfirmed*) and processes off the request path.
async fn ingest(
    State(app): State<Arc<App>>,
    Path(key): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Answer {
    if body.len() > MAX_INGEST_BODY {
        return Err(Port::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the body is {} bytes, over the ingest limit of {MAX_INGEST_BODY}",
                body.len()
            ),
            None,
        ));
    }
    let identifier = app.read(|state| {
        state
            .port
            .values()
            .find(|w| w.webhook_key.as_deref() == Some(key.as_str()))
            .map(|w| w.identifier.clone())
    });
    let Some(identifier) = identifier else {
        return Err(Port::error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no webhook has this key".into(),
            None,
        ));
    };
    let headers = crate::header_pairs(&headers);
    let request = crate::ingest::Request {
        headers,
        query,
        body,
    };
    app.clone()
        .spawn(crate::ingest::process(app, identifier, request));
    Ok(json(StatusCode::ACCEPTED, &serde_json::json!({"ok": true})))
}

/// Port's plugin. Its webhooks are inbound: its outgoing calls are action invocations,
/// each sent to its own URL and signed with the organization's client secret.
impl Plugin for Port {
    crate::plugin::builtin!(hook_port::DESCRIPTOR);

    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)> {
        let c = &emulator.credentials().port;
        vec![
            (hook_port::env::URL, emulator.port_base()),
            (hook_port::env::CLIENT_ID, c.client_id.clone()),
            (
                hook_port::env::CLIENT_SECRET,
                c.client_secret.expose().to_owned(),
            ),
        ]
    }

    fn fixed_delivery_secret(&self) -> Option<&'static str> {
        Some(crate::PORT_CLIENT_SECRET)
    }

    fn target(&self, state: &AppState, credentials: &Credentials, id: &str) -> Option<Target> {
        Some(Target::to(
            state.port_invocations.get(id)?,
            Some(credentials.port.client_secret.clone()),
        ))
    }

    /// Each webhook with its ingest URL.
    fn listed(&self, state: &AppState) -> Vec<(String, String)> {
        let url = |w: &PortWebhook| w.url.clone().unwrap_or_default();
        state
            .port
            .iter()
            .map(|(id, w)| (id.clone(), url(w)))
            .collect()
    }

    /// Port's outgoing bodies are user-defined, so the data is the body, as an
    /// invocation sends it (`fire` refuses Port: its webhooks are inbound).
    fn payload(&self, _: &EventType, data: serde_json::Value) -> Payload {
        Payload {
            event_id: crate::app::new_id("inv_"),
            body: crate::deliver::json(&data),
        }
    }
}
