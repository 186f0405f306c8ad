//! The admin API under `/_admin`: fire events, read the delivery and request logs, inject
//! faults, expire tokens, move a manual clock, reset. [`AdminClient`] calls it over HTTP.

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
use serde::{Deserialize, Serialize};

use crate::app::{App, lock};
use crate::common::json;
use crate::deliver;
use crate::faults::{FaultRule, RecordedRequest};
use crate::ingest::IngestRecord;
use crate::state::DeliveryRecord;

/// The longest a `wait` query holds the answer.
pub const MAX_WAIT: Duration = Duration::from_secs(60);

// The admin API's bodies.

/// `GET /_admin/port/ingests` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IngestLog {
    /// What became of requests sent to Port ingest URLs, oldest first.
    pub ingests: Vec<IngestRecord>,
}

/// `POST /_admin/port/invoke` body: a Port action invocation to send.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InvokeRequest {
    /// Where the action's webhook backend listens.
    pub url: String,
    /// The body the action sends (Port's `invocationMethod.body`, user-defined).
    #[serde(default)]
    pub body: serde_json::Value,
}

/// `POST /_admin/events` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FireRequest {
    /// Whose webhooks receive it.
    pub provider: Provider,
    /// The event type; must be in the provider's catalog.
    #[serde(rename = "type")]
    pub kind: String,
    /// Event data.
    #[serde(default)]
    pub data: serde_json::Value,
}

/// `POST /_admin/events` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fired {
    /// One event id per receiving webhook.
    pub event_ids: Vec<String>,
    /// The deliveries started, one per receiving webhook.
    pub deliveries: Vec<String>,
}

/// `GET /_admin/deliveries` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryLog {
    /// The matching deliveries, oldest first.
    pub deliveries: Vec<DeliveryRecord>,
}

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
        .route("/_admin/tokens/expire", post(expire_tokens))
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
    let Some(plugin) = crate::plugin::plugin(request.provider) else {
        return bad(format!(
            "the emulator does not emulate {}: it emulates {}",
            request.provider,
            crate::providers()
                .iter()
                .map(ToString::to_string)
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
    let Some(entry) =
        EventType::new(request.kind.clone()).find_in(crate::common::catalog(request.provider))
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
    lock(&app.requests).clear();
    json(StatusCode::OK, &serde_json::json!({"ok": true}))
}

/// Calls the admin API over HTTP.
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    http: reqwest::Client,
}

/// An admin call failed.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// The request did not complete.
    #[error("admin request failed: {0}")]
    Http(#[from] reqwest::Error),
    /// The emulator refused it.
    #[error("the emulator answered {status}: {body}")]
    Refused {
        /// The status.
        status: u16,
        /// The answer.
        body: String,
    },
}

impl AdminClient {
    /// A client for the emulator at `base` (`http://127.0.0.1:port`).
    pub fn new(base: impl Into<String>) -> Self {
        hook_http::tls::ensure_provider();
        AdminClient {
            base: base.into().trim_end_matches('/').to_owned(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap_or_default(),
        }
    }

    async fn call<T: for<'de> Deserialize<'de>>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, AdminError> {
        let response = request.send().await?;
        let status = response.status();
        if !status.is_success() {
            return Err(AdminError::Refused {
                status: status.as_u16(),
                body: response.text().await.unwrap_or_default(),
            });
        }
        Ok(response.json().await?)
    }

    /// Fires `kind` for `provider` with `data`.
    pub async fn fire(
        &self,
        provider: Provider,
        kind: &str,
        data: serde_json::Value,
    ) -> Result<Fired, AdminError> {
        let body = FireRequest {
            provider,
            kind: kind.to_owned(),
            data,
        };
        self.call(self.http.post(self.at("events")).json(&body))
            .await
    }

    /// Deliveries matching `query` pairs (`provider`, `webhook_id`, `id`, `event_type`).
    pub async fn deliveries(
        &self,
        query: &[(&str, &str)],
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        self.delivery_log(query, None).await
    }

    /// Waits until no delivery matching `query` is pending (at most `timeout`), then
    /// returns them. Fails with status 408 on time-out.
    pub async fn settled(
        &self,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        self.wait(query, "settled", timeout).await
    }

    /// Waits until at least one delivery matches `query` (at most `timeout`).
    pub async fn any(
        &self,
        query: &[(&str, &str)],
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        self.wait(query, "any", timeout).await
    }

    /// Waits until at least one delivery matches `query` and each has made `attempts`
    /// attempts (at most `timeout`).
    pub async fn attempts(
        &self,
        query: &[(&str, &str)],
        attempts: u32,
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        let attempts = attempts.to_string();
        let mut pairs = query.to_vec();
        pairs.push(("attempts", &attempts));
        self.wait(&pairs, "attempts", timeout).await
    }

    async fn wait(
        &self,
        query: &[(&str, &str)],
        how: &str,
        timeout: Duration,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        let ms = timeout.as_millis().to_string();
        let mut pairs = query.to_vec();
        pairs.push(("wait", how));
        pairs.push(("timeout_ms", &ms));
        self.delivery_log(&pairs, Some(timeout)).await
    }

    /// `GET /_admin/deliveries?{pairs}`; a request that waits up to `timeout` is given
    /// five seconds more to answer.
    async fn delivery_log(
        &self,
        pairs: &[(&str, &str)],
        timeout: Option<Duration>,
    ) -> Result<Vec<DeliveryRecord>, AdminError> {
        let mut request = self.http.get(self.at("deliveries")).query(pairs);
        if let Some(timeout) = timeout {
            request = request.timeout(timeout + Duration::from_secs(5));
        }
        let log: DeliveryLog = self.call(request).await?;
        Ok(log.deliveries)
    }

    /// The URL of the admin route `path`.
    fn at(&self, path: &str) -> String {
        format!("{}/_admin/{path}", self.base)
    }

    /// The request log.
    pub async fn requests(&self) -> Result<Vec<RecordedRequest>, AdminError> {
        #[derive(Deserialize)]
        struct List {
            requests: Vec<RecordedRequest>,
        }
        let list: List = self.call(self.http.get(self.at("requests"))).await?;
        Ok(list.requests)
    }

    /// Empties the request log.
    pub async fn clear_requests(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.delete(self.at("requests"))).await?;
        Ok(())
    }

    /// Adds a fault rule; returns its id.
    pub async fn inject(&self, rule: &FaultRule) -> Result<String, AdminError> {
        let answer: serde_json::Value = self
            .call(self.http.post(self.at("faults")).json(rule))
            .await?;
        Ok(answer["id"].as_str().unwrap_or_default().to_owned())
    }

    /// The fault rules, with how often each fired.
    pub async fn faults(&self) -> Result<Vec<FaultRule>, AdminError> {
        let answer: serde_json::Value = self.call(self.http.get(self.at("faults"))).await?;
        Ok(serde_json::from_value(answer["faults"].clone()).unwrap_or_default())
    }

    /// Restarts the fault generator from `seed`: the same requests, in the same order, meet
    /// the same faults.
    pub async fn seed_faults(&self, seed: u64) -> Result<(), AdminError> {
        let _: serde_json::Value = self
            .call(
                self.http
                    .post(self.at("faults/seed"))
                    .json(&serde_json::json!({"seed": seed})),
            )
            .await?;
        Ok(())
    }

    /// The seed the fault generator started from (print it to replay a failing run).
    pub async fn fault_seed(&self) -> Result<u64, AdminError> {
        let answer: serde_json::Value = self.call(self.http.get(self.at("faults"))).await?;
        Ok(answer["seed"].as_u64().unwrap_or_default())
    }

    /// How many times each fault rule fired, in the order they were injected.
    pub async fn fired(&self) -> Result<Vec<u64>, AdminError> {
        Ok(self.faults().await?.iter().map(|f| f.fired).collect())
    }

    /// Removes every fault rule.
    pub async fn clear_faults(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.delete(self.at("faults"))).await?;
        Ok(())
    }

    /// Expires every issued token.
    pub async fn expire_tokens(&self) -> Result<u64, AdminError> {
        let answer: serde_json::Value = self.call(self.http.post(self.at("tokens/expire"))).await?;
        Ok(answer["expired"].as_u64().unwrap_or_default())
    }

    /// Moves a manual clock forward.
    pub async fn advance(&self, by: Duration) -> Result<(), AdminError> {
        let body = serde_json::json!({"seconds": by.as_secs_f64()});
        let _: serde_json::Value = self
            .call(self.http.post(self.at("clock/advance")).json(&body))
            .await?;
        Ok(())
    }

    /// The ingest log: what became of requests sent to Port ingest URLs.
    pub async fn ingests(&self) -> Result<Vec<IngestRecord>, AdminError> {
        self.ingested("", 0, Duration::ZERO).await
    }

    /// Waits until `webhook`'s ingest log (every webhook's, when empty) holds at least `min`
    /// records (at most `timeout`), then returns it. Fails with status 408 on time-out.
    pub async fn ingested(
        &self,
        webhook: &str,
        min: usize,
        timeout: Duration,
    ) -> Result<Vec<IngestRecord>, AdminError> {
        let (min, ms) = (min.to_string(), timeout.as_millis().to_string());
        let mut pairs = vec![("min", min.as_str()), ("timeout_ms", ms.as_str())];
        if !webhook.is_empty() {
            pairs.push(("webhook", webhook));
        }
        let log: IngestLog = self
            .call(
                self.http
                    .get(self.at("port/ingests"))
                    .query(&pairs)
                    .timeout(timeout + Duration::from_secs(5)),
            )
            .await?;
        Ok(log.ingests)
    }

    /// Sends `body` to `url` as a Port action invocation, signed with the emulator's Port
    /// client secret (`Scheme::port()`); returns the delivery's id (see
    /// [`AdminClient::settled`]).
    pub async fn invoke(&self, url: &str, body: &serde_json::Value) -> Result<String, AdminError> {
        let request = InvokeRequest {
            url: url.to_owned(),
            body: body.clone(),
        };
        let answer: serde_json::Value = self
            .call(self.http.post(self.at("port/invoke")).json(&request))
            .await?;
        Ok(answer["delivery"].as_str().unwrap_or_default().to_owned())
    }

    /// Forgets every webhook, token, delivery, fault and recorded request.
    pub async fn reset(&self) -> Result<(), AdminError> {
        let _: serde_json::Value = self.call(self.http.post(self.at("reset"))).await?;
        Ok(())
    }
}
