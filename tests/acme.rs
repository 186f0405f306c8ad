//! Acme's emulated service, the other half of the test-only provider (`hook-acme`): an
//! [`EmulatedProvider`] the emulator mounts under `/acme` with one line,
//! `Emulator::builder().provider(AcmeService::default())`. It keeps its own records and
//! hands deliveries to the emulator's engine, which signs them with Acme's descriptor.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hook_acme::{Hook, HookList, Ping};
use hook_emulator::{EmulatedProvider, Payload, ProviderContext, Target};
use hook_facade::model::{Descriptor, EventType, Secret};
use serde_json::{Value, json};

/// The API key the emulated service accepts.
pub const KEY: &str = "acme-test-key";

/// Acme's emulated service.
#[derive(Debug, Clone, Default)]
pub struct AcmeService {
    hooks: Arc<Mutex<BTreeMap<String, Hook>>>,
    next: Arc<AtomicU64>,
}

#[derive(Clone)]
struct Shared {
    service: AcmeService,
    context: ProviderContext,
}

impl AcmeService {
    fn hooks(&self) -> MutexGuard<'_, BTreeMap<String, Hook>> {
        self.hooks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An answer showing a hook: whether a secret is set, never its value.
fn shown(hook: &Hook) -> Value {
    let mut value = serde_json::to_value(hook).unwrap_or_default();
    if hook.secret.is_some() {
        value["secret"] = json!("********");
    }
    value
}

fn error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"code": status.as_u16(), "message": message})),
    )
        .into_response()
}

/// Whether `headers` carry the API key.
fn authorized(headers: &HeaderMap) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        == Some(KEY)
}

/// Lets a request through to its route only with the API key.
async fn require_key(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    if authorized(request.headers()) {
        next.run(request).await
    } else {
        error(StatusCode::UNAUTHORIZED, "a valid API key is required")
    }
}

async fn list(State(shared): State<Shared>) -> Response {
    let hooks: Vec<Hook> = shared.service.hooks().values().cloned().collect();
    let list = HookList { hooks };
    let mut value = serde_json::to_value(&list).unwrap_or_default();
    for (shown_hook, hook) in value["hooks"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .zip(&list.hooks)
    {
        *shown_hook = shown(hook);
    }
    Json(value).into_response()
}

async fn create(State(shared): State<Shared>, body: String) -> Response {
    let Ok(mut hook) = serde_json::from_str::<Hook>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not an Acme hook");
    };
    if hook.url.is_empty() {
        return error(StatusCode::BAD_REQUEST, "url is required");
    }
    let taken = hook.name.as_ref().is_some_and(|name| {
        shared
            .service
            .hooks()
            .values()
            .any(|h| h.name.as_ref() == Some(name))
    });
    if taken {
        return error(StatusCode::CONFLICT, "a hook of that name exists");
    }
    hook.id = format!(
        "hk_{}",
        shared.service.next.fetch_add(1, Ordering::SeqCst) + 1
    );
    shared.service.hooks().insert(hook.id.clone(), hook.clone());
    (StatusCode::CREATED, Json(shown(&hook))).into_response()
}

async fn read(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    match shared.service.hooks().get(&id) {
        Some(hook) => Json(shown(hook)).into_response(),
        None => error(StatusCode::NOT_FOUND, "no such hook"),
    }
}

async fn patch(State(shared): State<Shared>, Path(id): Path<String>, body: String) -> Response {
    let Ok(changes) = serde_json::from_str::<serde_json::Map<String, Value>>(&body) else {
        return error(StatusCode::BAD_REQUEST, "the body is not a JSON object");
    };
    let mut hooks = shared.service.hooks();
    let Some(hook) = hooks.get_mut(&id) else {
        return error(StatusCode::NOT_FOUND, "no such hook");
    };
    for (key, value) in changes {
        match (key.as_str(), value) {
            ("name", Value::String(name)) => hook.name = Some(name),
            ("url", Value::String(url)) => hook.url = url,
            ("enabled", Value::Bool(enabled)) => hook.enabled = enabled,
            ("secret", Value::String(secret)) => hook.secret = Some(Secret::new(secret)),
            ("events", Value::Array(events)) => {
                hook.events = events
                    .iter()
                    .filter_map(|e| e.as_str().map(str::to_owned))
                    .collect();
            }
            (other, _) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    &format!("{other} cannot be changed"),
                );
            }
        }
    }
    Json(shown(hook)).into_response()
}

async fn delete(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    match shared.service.hooks().remove(&id) {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => error(StatusCode::NOT_FOUND, "no such hook"),
    }
}

async fn ping(State(shared): State<Shared>, Path(id): Path<String>) -> Response {
    let event = match shared.service.hooks().get(&id) {
        Some(hook) => EventType::new(
            hook.events
                .first()
                .cloned()
                .unwrap_or_else(|| "order.placed".into()),
        ),
        None => return error(StatusCode::NOT_FOUND, "no such hook"),
    };
    let payload = shared.service.payload(&event, json!({"ping": true}));
    let event_id = payload.event_id.clone();
    if shared
        .context
        .deliver(&id, &event, &payload)
        .await
        .is_none()
    {
        return error(StatusCode::SERVICE_UNAVAILABLE, "the emulator is stopping");
    }
    Json(Ping { event_id }).into_response()
}

impl EmulatedProvider for AcmeService {
    fn descriptor(&self) -> &'static Descriptor {
        &hook_acme::DESCRIPTOR
    }

    fn routes(&self, context: ProviderContext) -> axum::Router {
        axum::Router::new()
            .route("/hooks", get(list).post(create))
            .route("/hooks/{id}", get(read).patch(patch).delete(delete))
            .route("/hooks/{id}/ping", post(ping))
            .route_layer(axum::middleware::from_fn(require_key))
            .with_state(Shared {
                service: self.clone(),
                context,
            })
    }

    fn env(&self, base: &str) -> Vec<(&'static str, String)> {
        vec![
            (hook_acme::env::URL, base.to_owned()),
            (hook_acme::env::KEY, KEY.to_owned()),
        ]
    }

    fn target(&self, id: &str) -> Option<Target> {
        let hooks = self.hooks();
        let hook = hooks.get(id)?;
        Some(Target::to(&hook.url, hook.secret.clone()))
    }

    fn subscribers(&self, event: &EventType) -> Vec<String> {
        self.hooks()
            .values()
            .filter(|h| {
                h.enabled
                    && h.events
                        .iter()
                        .any(|e| EventType::new(e.as_str()) == *event)
            })
            .map(|h| h.id.clone())
            .collect()
    }

    fn payload(&self, event: &EventType, data: Value) -> Payload {
        let id = format!("evt_{}", self.next.fetch_add(1, Ordering::SeqCst) + 1);
        let body = json!({"id": id, "type": event.as_str(), "data": data});
        Payload::new(id, serde_json::to_vec(&body).unwrap_or_default())
    }
}
