//! UiPath Orchestrator: `/uipath/{org}/{tenant}/orchestrator_/odata/…` and the identity
//! token endpoints.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use hook_model::{EventType, Provider, Secret};
use hook_uipath::EVENTS as UIPATH_EVENTS;
use hook_uipath::wire::{ERROR_INVALID_REQUEST, ERROR_NAME_TAKEN, ERROR_NOT_FOUND};

use crate::app::App;
use crate::common::{
    Dialect, Object, canonical_events, form, json, merged, oauth_answer, valid_url,
};
use crate::deliver;
use crate::deliver::{Payload, Target};
use crate::odata;
use crate::plugin::Plugin;
use crate::schema::{Kind, Record};
use crate::state::State as AppState;
use crate::{Credentials, EmulatorHandle};

const PING: &str = "UiPath.Server.Configuration.OData.Ping";
/// The spec's path of the event-type list; clients in the wild add `()`, also served.
const EVENT_TYPES: &str = "UiPath.Server.Configuration.OData.GetEventTypes";
const EVENT_TYPES_CALL: &str = "UiPath.Server.Configuration.OData.GetEventTypes()";
const TRIGGER_CUSTOM: &str = "UiPath.Server.Configuration.OData.TriggerCustom";
/// `WebhookDto` as Orchestrator's OpenAPI publishes it; anything else in a body is
/// refused, as Orchestrator does. POST and PUT bodies must carry the required five.
pub(crate) const PROPERTIES: &str = "Id?: integer, Key?: string, Name: string, \
    Description?: string, Url: string, Enabled: boolean, Secret?: string, \
    SubscribeToAllEvents: boolean, AllowInsecureSsl: boolean, Events?: [{EventType}]";

/// Where a webhook's subscribed events are, and in which form.
const EVENTS: (&str, Kind) = ("Events", Kind::Subscriptions("EventType"));

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/uipath/identity_/connect/token", post(token))
        .route("/uipath/identity/connect/token", post(token))
        .route("/uipath/{org}/identity_/connect/token", post(token))
        .route(
            "/uipath/{org}/{tenant}/orchestrator_/odata/{*rest}",
            any(odata_route),
        )
}

/// Orchestrator's error shape: `{"message", "errorCode", "resourceIds"}`.
pub(crate) struct UiPath;

impl Dialect for UiPath {
    const PROVIDER: Provider = hook_uipath::PROVIDER;
    const INVALID: StatusCode = StatusCode::BAD_REQUEST;
    const UNAUTHORIZED: &'static str = "You are not authenticated!";

    /// `code` is Orchestrator's `errorCode` as text, or a shared word mapped onto one.
    fn error(status: StatusCode, code: &str, message: String, _field: Option<&str>) -> Response {
        let code = match code {
            "validation_error" | "invalid_json" => ERROR_INVALID_REQUEST,
            "conflict" => ERROR_NAME_TAKEN,
            "not_found" => ERROR_NOT_FOUND,
            other => other.parse().unwrap_or(0),
        };
        json(
            status,
            &serde_json::json!({"message": message, "errorCode": code, "resourceIds": null, "traceId": trace_id()}),
        )
    }

    fn not_found(id: &str) -> Response {
        let id: serde_json::Value = id.parse::<i64>().map_or_else(|_| id.into(), Into::into);
        json(
            StatusCode::NOT_FOUND,
            &serde_json::json!({"message": "Webhook does not exist.", "errorCode": ERROR_NOT_FOUND, "resourceIds": [id], "traceId": trace_id()}),
        )
    }
}

fn error(status: StatusCode, code: i64, message: impl Into<String>) -> Response {
    UiPath::error(status, &code.to_string(), message.into(), None)
}

fn not_found(id: i64) -> Response {
    UiPath::not_found(&id.to_string())
}

fn invalid(message: impl Into<String>) -> Response {
    UiPath::invalid("body", message)
}

fn context(base: &str, fragment: &str) -> serde_json::Value {
    serde_json::Value::String(format!("{base}$metadata#{fragment}"))
}

async fn token(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let form = form(&body);
    let creds = &app.credentials.uipath;
    let known = form.get("client_id") == Some(&creds.client_id)
        && form.get("client_secret").map(String::as_str) == Some(creds.client_secret.expose());
    let checked = match form.get("grant_type").map(String::as_str) {
        Some("client_credentials") if known => Ok(()),
        Some("client_credentials") => Err((
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "unknown client or wrong secret",
        )),
        _ => Err((
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "use client_credentials",
        )),
    };
    oauth_answer(&app, hook_uipath::PROVIDER, "OR.Webhooks", checked).await
}

async fn odata_route(
    State(app): State<Arc<App>>,
    Path((org, tenant, rest)): Path<(String, String, String)>,
    Query(query): Query<HashMap<String, String>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let creds = &app.credentials.uipath;
    if org != creds.organization || tenant != creds.tenant {
        return error(
            StatusCode::NOT_FOUND,
            0,
            format!("no tenant {org}/{tenant} here"),
        );
    }
    if let Err(refused) = UiPath::guard(&app, &headers) {
        return refused;
    }
    let base = format!("/uipath/{org}/{tenant}/orchestrator_/odata/");
    let (id, action) = match parse_path(&rest) {
        Ok(parts) => parts,
        Err(message) => return error(StatusCode::NOT_FOUND, 0, message),
    };
    match (method, id, action.as_deref()) {
        (Method::GET, None, None) => list(&app, &base, &query),
        (Method::POST, None, None) => create(&app, &base, &body).await,
        (Method::GET, None, Some(EVENT_TYPES | EVENT_TYPES_CALL)) => event_types(&base),
        (Method::POST, None, Some(TRIGGER_CUSTOM)) => trigger_custom(&app, &base, &body).await,
        (Method::GET, Some(id), None) => get(&app, &base, id),
        (Method::PUT, Some(id), None) => update(&app, &base, id, &body, true).await,
        (Method::PATCH, Some(id), None) => update(&app, &base, id, &body, false).await,
        (Method::DELETE, Some(id), None) => delete(&app, id).await,
        (Method::POST, Some(id), Some(PING)) => ping(&app, &base, id).await,
        (method, _, _) => error(
            StatusCode::METHOD_NOT_ALLOWED,
            0,
            format!("{method} is not supported on odata/{rest}"),
        ),
    }
}

/// `Webhooks`, `Webhooks(7)`, `Webhooks(7)/Action`, `Webhooks/Action`.
fn parse_path(rest: &str) -> Result<(Option<i64>, Option<String>), String> {
    let unknown = || format!("No HTTP resource was found that matches odata/{rest}");
    let (head, action) = match rest.split_once('/') {
        Some((head, action)) => (head, Some(action.to_owned())),
        None => (rest, None),
    };
    if head == "Webhooks" {
        return Ok((None, action));
    }
    let inner = head
        .strip_prefix("Webhooks(")
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(unknown)?;
    let id = inner
        .parse::<i64>()
        .map_err(|_| format!("{inner:?} is not a webhook id"))?;
    Ok((Some(id), action))
}

fn list(app: &App, base: &str, query: &HashMap<String, String>) -> Response {
    let filter = match query.get("$filter").map(|f| odata::parse(f)) {
        None => None,
        Some(Ok(filter)) => Some(filter),
        Some(Err(message)) => return invalid(format!("Invalid $filter: {message}")),
    };
    let top = match query.get("$top").map(|t| t.parse::<usize>()) {
        None => 1000,
        Some(Ok(top)) if top <= 1000 => top,
        Some(_) => return invalid("$top must be a whole number no greater than 1000"),
    };
    let skip = match query.get("$skip").map(|s| s.parse::<usize>()) {
        None => 0,
        Some(Ok(skip)) => skip,
        Some(Err(_)) => return invalid("$skip must be a whole number"),
    };
    let count = match query.get("$count").map(String::as_str) {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => return invalid(format!("$count must be true or false, not {other:?}")),
    };
    let mut items: Vec<Object> = app.read(|state| {
        state
            .uipath
            .values()
            .filter(|dto| filter.as_ref().is_none_or(|f| f.matches(dto)))
            .cloned()
            .collect()
    });
    if let Some(order) = query.get("$orderby") {
        let mut words = order.split_whitespace();
        let field = words.next().unwrap_or_default();
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return invalid(format!("$orderby direction {other:?} is not asc or desc"));
            }
        };
        match field {
            "Id" => items.sort_by_key(|d| d.get("Id").and_then(serde_json::Value::as_i64)),
            "Name" | "Url" => items.sort_by(|a, b| a.text(field).cmp(&b.text(field))),
            other => return invalid(format!("cannot order by {other:?}: use Id, Name or Url")),
        }
        if descending {
            items.reverse();
        }
    }
    let total = items.len() as u64;
    let value: Vec<Object> = items.into_iter().skip(skip).take(top).collect();
    let mut answer = serde_json::json!({
        "@odata.context": format!("{base}$metadata#Webhooks"),
        "value": value,
    });
    if count {
        answer["@odata.count"] = total.into();
    }
    json(StatusCode::OK, &answer)
}

fn entity(base: &str, dto: &Object) -> Response {
    let mut dto = dto.clone();
    dto.insert("@odata.context".into(), context(base, "Webhooks/$entity"));
    json(StatusCode::OK, &dto)
}

fn get(app: &App, base: &str, id: i64) -> Response {
    match app.read(|state| state.uipath.get(&id).cloned()) {
        Some(dto) => entity(base, &dto),
        None => not_found(id),
    }
}

/// A body of `WebhookDto` properties only; with `whole` (POST, PUT) carrying the five
/// required ones. OData annotations (`@odata.…`) are dropped.
fn decode_body(body: &[u8], whole: bool) -> Result<Object, Response> {
    let mut map = UiPath::object(body)?;
    crate::schema::check(&map, PROPERTIES, whole, |key| key.starts_with("@odata")).map_err(
        |misfit| {
            invalid(match misfit {
                crate::schema::Misfit::Unknown(key) => {
                    format!("The request body is invalid: WebhookDto has no property '{key}'.")
                }
                crate::schema::Misfit::Missing(key) => format!("The {key} field is required."),
                other => format!("The request body is invalid: {other}."),
            })
        },
    )?;
    map.retain(|key, _| !key.starts_with("@odata"));
    Ok(map)
}

/// A trace id for an error answer, as Orchestrator sends one.
fn trace_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Checks a full record and puts its events in catalog spelling.
fn validate(dto: &mut Object) -> Result<(), Response> {
    let url = dto.text("Url").ok_or_else(|| invalid("Url is required"))?;
    valid_url(url, false).map_err(|m| invalid(format!("Url: {m}")))?;
    if dto.text("Name").is_none_or(|n| n.trim().is_empty()) {
        return Err(invalid("Name is required"));
    }
    let events = canonical_events(hook_uipath::PROVIDER, &dto.events(EVENTS.0)).map_err(invalid)?;
    dto.set_events(EVENTS.0, EVENTS.1, &events);
    dto.retain(|_, value| !value.is_null());
    Ok(())
}

fn name_taken(state: &crate::state::State, name: Option<&str>, except: Option<i64>) -> bool {
    state.uipath.iter().any(|(id, d)| {
        Some(*id) != except
            && d.text("Name")
                .zip(name)
                .is_some_and(|(a, b)| a.eq_ignore_ascii_case(b))
    })
}

fn name_taken_answer() -> Response {
    error(
        StatusCode::CONFLICT,
        ERROR_NAME_TAKEN,
        "The name is already used by another webhook.",
    )
}

async fn create(app: &Arc<App>, base: &str, body: &[u8]) -> Response {
    let mut dto = match decode_body(body, true) {
        Ok(dto) => dto,
        Err(response) => return response,
    };
    if let Err(response) = validate(&mut dto) {
        return response;
    }
    dto.insert("Key".into(), uuid::Uuid::new_v4().to_string().into());
    let created = app
        .write(|state| {
            if name_taken(state, dto.text("Name"), None) {
                return None;
            }
            state.uipath_last_id += 1;
            dto.insert("Id".into(), state.uipath_last_id.into());
            state.uipath.insert(state.uipath_last_id, dto.clone());
            Some(state.uipath_last_id)
        })
        .await;
    let Some(id) = created else {
        return name_taken_answer();
    };
    send_ping(app, id).await;
    let mut response = entity(base, &dto);
    *response.status_mut() = StatusCode::CREATED;
    response
}

/// PUT (`replace`) or PATCH: the body over the stored record (PUT: the body alone), `Id`
/// and `Key` kept.
async fn update(app: &Arc<App>, base: &str, id: i64, body: &[u8], replace: bool) -> Response {
    let incoming = match decode_body(body, replace) {
        Ok(dto) => dto,
        Err(response) => return response,
    };
    let Some(current) = app.read(|state| state.uipath.get(&id).cloned()) else {
        return not_found(id);
    };
    let mut next = merged(&current, incoming, replace, &["Id", "Key"]);
    if let Err(response) = validate(&mut next) {
        return response;
    }
    let stored = app
        .write(|state| {
            if name_taken(state, next.text("Name"), Some(id)) {
                return Err(name_taken_answer());
            }
            if !state.uipath.contains_key(&id) {
                return Err(not_found(id));
            }
            state.uipath.insert(id, next.clone());
            state.uipath_disabled_until.remove(&id);
            Ok(next)
        })
        .await;
    match stored {
        Ok(dto) => {
            send_ping(app, id).await;
            entity(base, &dto)
        }
        Err(response) => response,
    }
}

async fn delete(app: &App, id: i64) -> Response {
    match app.write(|state| state.uipath.remove(&id)).await {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => not_found(id),
    }
}

fn event_types(base: &str) -> Response {
    let value: Vec<serde_json::Value> = UIPATH_EVENTS
        .iter()
        .map(|e| serde_json::json!({"Name": e.name, "Group": e.group}))
        .collect();
    let body = serde_json::json!({
        "@odata.context": context(
            base,
            "Collection(UiPath.Application.Dto.Webhooks.WebhookEventTypeDto)",
        ),
        "value": value,
    });
    json(StatusCode::OK, &body)
}

/// Delivers a `ping` to webhook `id`, once: Orchestrator does so right after a webhook
/// is created or updated, and on Ping.
async fn send_ping(app: &Arc<App>, id: i64) -> deliver::Payload {
    let event = EventType::new("ping");
    let payload = UiPath.payload(&event, serde_json::Value::Null);
    deliver::enqueue(
        app,
        hook_uipath::PROVIDER,
        &id.to_string(),
        &event,
        &payload,
        false,
    )
    .await;
    payload
}

/// Answers the ping body and delivers the same body to the webhook's URL, once, as
/// Orchestrator does.
async fn ping(app: &Arc<App>, base: &str, id: i64) -> Response {
    if app.read(|state| !state.uipath.contains_key(&id)) {
        return not_found(id);
    }
    let payload = send_ping(app, id).await;
    let mut answer: serde_json::Value = serde_json::from_slice(&payload.body).unwrap_or_default();
    answer["@odata.context"] = context(base, "UiPath.Webhooks.Dto.PingEventDto");
    json(StatusCode::ACCEPTED, &answer)
}

/// Raises a `custom` event carrying the body as `EventData`, delivered to the webhooks
/// subscribed to it (or to every event), and answers the event.
async fn trigger_custom(app: &Arc<App>, base: &str, body: &[u8]) -> Response {
    let data = match UiPath::object(body) {
        Ok(data) => data,
        Err(response) => return response,
    };
    let event = EventType::new("custom");
    let payload = UiPath.payload(&event, serde_json::json!({"EventData": data}));
    deliver::fan_out(app, hook_uipath::PROVIDER, &event, &payload).await;
    let mut answer: serde_json::Value = serde_json::from_slice(&payload.body).unwrap_or_default();
    answer["@odata.context"] = context(base, "UiPath.Webhooks.Dto.CustomEventDto");
    json(StatusCode::ACCEPTED, &answer)
}

/// Fields of every UiPath delivery that event data may not replace.
const COMMON_FIELDS: [&str; 7] = [
    "@odata.context",
    "Type",
    "EventId",
    "Timestamp",
    "TenantId",
    "OrganizationUnitId",
    "UserId",
];

/// UiPath Orchestrator's plugin: never retries, and disables a webhook for an hour after a
/// failed event delivery.
impl Plugin for UiPath {
    crate::plugin::builtin!(hook_uipath::DESCRIPTOR);

    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)> {
        let c = &emulator.credentials().uipath;
        vec![
            (hook_uipath::env::URL, emulator.uipath_host()),
            (hook_uipath::env::ORG, c.organization.clone()),
            (hook_uipath::env::TENANT, c.tenant.clone()),
            (hook_uipath::env::CLIENT_ID, c.client_id.clone()),
            (
                hook_uipath::env::CLIENT_SECRET,
                c.client_secret.expose().to_owned(),
            ),
        ]
    }

    /// The Orchestrator base, without its trailing slash: generated clients append
    /// `/odata/…` to it.
    fn base(&self, emulator: &EmulatorHandle) -> String {
        emulator.uipath_base().trim_end_matches('/').to_owned()
    }

    fn fixed_key<'a>(&self, credentials: &'a Credentials) -> Option<&'a Secret> {
        Some(&credentials.uipath.personal_access_token)
    }

    fn target(&self, state: &AppState, _: &Credentials, id: &str) -> Option<Target> {
        let dto = state.uipath.get(&id.parse().ok()?)?;
        let mut target = crate::schema::target(dto, "Url", "Secret")?;
        target.allow_insecure = dto.flag("AllowInsecureSsl", false);
        Some(target)
    }

    fn listed(&self, state: &AppState) -> Vec<(String, String)> {
        crate::schema::listed(state.uipath.iter(), "Url")
    }

    fn subscribers(&self, state: &AppState, event: &EventType, now: Duration) -> Vec<String> {
        state
            .uipath
            .iter()
            .filter(|(id, dto)| {
                dto.flag("Enabled", false)
                    && state
                        .uipath_disabled_until
                        .get(id)
                        .is_none_or(|until| *until <= now)
                    && (dto.flag("SubscribeToAllEvents", false)
                        || dto.events(EVENTS.0).contains(event))
            })
            .map(|(id, _)| id.to_string())
            .collect()
    }

    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload {
        let event_id = uuid::Uuid::new_v4().simple().to_string();
        // UiPath puts event-specific objects (`Job`, `Queue`, …) at the top level. They
        // ride in `extra`, flattened beside the common fields, which keep their own
        // values: the data cannot overwrite the event's type, id or time.
        let mut extra = match data {
            serde_json::Value::Object(map) => map,
            serde_json::Value::Null => serde_json::Map::new(),
            other => serde_json::Map::from_iter([("Data".to_owned(), other)]),
        };
        for owned in COMMON_FIELDS {
            extra.remove(owned);
        }
        // Built as JSON here, not from the client's record type, so a misreading of
        // the record cannot hide in both.
        let mut body = serde_json::Map::new();
        body.insert("Type".into(), event.as_str().into());
        body.insert("EventId".into(), event_id.clone().into());
        body.insert(
            "Timestamp".into(),
            time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
                .into(),
        );
        body.insert("TenantId".into(), 1.into());
        body.insert("OrganizationUnitId".into(), serde_json::Value::Null);
        body.insert("UserId".into(), 1.into());
        body.append(&mut extra);
        Payload {
            event_id,
            body: deliver::json(&serde_json::Value::Object(body)),
        }
    }

    fn disable(&self, state: &mut AppState, id: &str, until: Duration) {
        if let Ok(hook) = id.parse::<i64>() {
            state.uipath_disabled_until.insert(hook, until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_paths_parse() {
        assert_eq!(parse_path("Webhooks").unwrap(), (None, None));
        assert_eq!(parse_path("Webhooks(12)").unwrap(), (Some(12), None));
        assert_eq!(
            parse_path(&format!("Webhooks(3)/{PING}")).unwrap(),
            (Some(3), Some(PING.into()))
        );
        assert_eq!(
            parse_path(&format!("Webhooks/{EVENT_TYPES}")).unwrap(),
            (None, Some(EVENT_TYPES.into()))
        );
        assert!(parse_path("Webhooks(x)").is_err());
        assert!(parse_path("Robots").is_err());
    }
}
