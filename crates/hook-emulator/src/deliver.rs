//! The delivery engine: build each provider's payload, sign it with that provider's
//! `hook-sign` preset, POST it, and retry on the generic service's schedule.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use hook_model::{DeliveryStatus, EventType, Provider, Secret};
use hook_sign::{Message, Scheme, Signer};
use serde::Serialize;
use time::OffsetDateTime;

use crate::app::{App, lock, new_id};
use crate::state::{Attempt, DeliveryRecord};

/// Where and how one webhook receives deliveries, read afresh before every attempt.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Target {
    /// The URL.
    pub url: String,
    /// The signing secret (none: unsigned).
    pub secret: Option<Secret>,
    /// Extra headers sent with each delivery.
    pub headers: BTreeMap<String, String>,
    /// Whether an HTTPS URL whose certificate does not verify is delivered to anyway.
    pub allow_insecure: bool,
}

impl Target {
    /// `url`, signed with `secret`, no extra headers, certificates verified.
    pub fn to(url: &str, secret: Option<Secret>) -> Target {
        Target {
            url: url.to_owned(),
            secret,
            headers: BTreeMap::new(),
            allow_insecure: false,
        }
    }
}

/// The signature scheme the emulator signs `provider`'s deliveries with: the provider
/// crate's own (its descriptor's); `None` for a provider the emulator does not emulate.
pub fn scheme(provider: Provider) -> Option<Scheme> {
    crate::plugin::plugin(provider).map(|p| (p.descriptor().scheme)())
}

/// An event ready to send: its id and the exact body bytes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Payload {
    /// The event's id, for the delivery log.
    pub event_id: String,
    /// The body, as sent and signed.
    pub body: Vec<u8>,
}

impl Payload {
    /// An event `event_id` sent as `body`.
    pub fn new(event_id: impl Into<String>, body: Vec<u8>) -> Payload {
        Payload {
            event_id: event_id.into(),
            body,
        }
    }
}

pub(crate) fn json<T: Serialize>(value: &T) -> Vec<u8> {
    // Serializing these records (strings, numbers, maps) cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

/// Logs a new pending delivery and starts it. With `retry` false it is tried once.
pub(crate) async fn enqueue(
    app: &Arc<App>,
    provider: Provider,
    webhook_id: &str,
    event: &EventType,
    payload: &Payload,
    retry: bool,
) -> String {
    let mut ids = enqueue_all(app, provider, event, [(webhook_id, payload)], retry).await;
    ids.pop().unwrap_or_default()
}

/// Logs one pending delivery per `(webhook, payload)` in one write (with `--state`, one
/// transaction for all: a fan-out to 100 webhooks waits for one durable commit, not 100),
/// then starts each. Answers the delivery ids in order.
pub(crate) async fn enqueue_all<'a>(
    app: &Arc<App>,
    provider: Provider,
    event: &EventType,
    targets: impl IntoIterator<Item = (&'a str, &'a Payload)>,
    retry: bool,
) -> Vec<String> {
    let records: Vec<DeliveryRecord> = targets
        .into_iter()
        .map(|(webhook_id, payload)| DeliveryRecord {
            id: String::new(),
            provider,
            webhook_id: webhook_id.to_owned(),
            event_id: payload.event_id.clone(),
            event_type: event.as_str().to_owned(),
            status: DeliveryStatus::Pending,
            status_code: None,
            attempts: 0,
            delivered_at: None,
            error: None,
            attempt_log: Vec::new(),
            body: String::from_utf8_lossy(&payload.body).into_owned(),
            next_attempt_at: Some(OffsetDateTime::now_utc()),
        })
        .collect();
    if records.is_empty() {
        return Vec::new();
    }
    let ids = app
        .write_log(move |state| {
            records
                .into_iter()
                .map(|mut record| {
                    let id = state.next_delivery_id();
                    record.id.clone_from(&id);
                    let webhook = record.webhook_id.clone();
                    state.deliveries.insert(id.clone(), record);
                    (id, webhook)
                })
                .collect::<Vec<(String, String)>>()
        })
        .await;
    for (id, webhook) in &ids {
        // Decided now, in order: a delivery fired after this one finds it held, and a
        // delay is due from now, however late the task starts.
        let mut chaos = lock(&app.chaos);
        let first = Next {
            held: chaos.hold(provider, webhook),
            twists: chaos.twists(provider, webhook),
            due: None,
        };
        drop(chaos);
        let first = first.delayed(&app.clock, Duration::ZERO);
        app.spawn(run(app.clone(), id.clone(), retry, Duration::ZERO, first));
    }
    ids.into_iter().map(|(id, _)| id).collect()
}

/// Sends `body` to `url` once as a Port action invocation; returns the delivery's id.
pub(crate) async fn invoke(app: &Arc<App>, url: &str, body: &serde_json::Value) -> String {
    let id = new_id("inv_");
    app.write(|state| state.port_invocations.insert(id.clone(), url.to_owned()))
        .await;
    let payload = Payload {
        event_id: id.clone(),
        body: json(body),
    };
    enqueue(
        app,
        hook_port::PROVIDER,
        &id,
        &EventType::new("invocation"),
        &payload,
        false,
    )
    .await
}

/// Restarts every pending delivery of a loaded state, each at its due time.
pub(crate) fn resume(app: &Arc<App>) -> usize {
    let pending: Vec<(String, Duration)> = app.read(|state| {
        state
            .deliveries
            .values()
            .filter(|d| d.status == DeliveryStatus::Pending)
            .map(|d| {
                let wait = d
                    .next_attempt_at
                    .map(|at| at - OffsetDateTime::now_utc())
                    .and_then(|d| Duration::try_from(d).ok())
                    .unwrap_or(Duration::ZERO);
                (d.id.clone(), wait)
            })
            .collect()
    });
    for (id, wait) in &pending {
        app.spawn(run(app.clone(), id.clone(), true, *wait, Next::default()));
    }
    pending.len()
}

/// What comes before an attempt: a hold, a due time, and the chaos it meets.
#[derive(Default)]
struct Next {
    /// Held back by a chaos rule until the webhook's next delivery has gone.
    held: Option<tokio::sync::oneshot::Receiver<()>>,
    /// Emulated time it is due at; at once when `None`.
    due: Option<Duration>,
    twists: crate::chaos::Twists,
}

impl Next {
    /// Due `wait` from now, plus the chaos rule's delay.
    fn delayed(mut self, clock: &crate::clock::Clock, wait: Duration) -> Self {
        let wait = wait + self.twists.delay.unwrap_or_default();
        self.due = (!wait.is_zero()).then(|| clock.elapsed() + wait);
        self
    }

    async fn wait(self, clock: &crate::clock::Clock) {
        if let Some(held) = self.held {
            let hold_until = clock.elapsed() + crate::chaos::MAX_CHAOS_DELAY;
            tokio::select! {
                _ = held => {}
                () = clock.sleep_until(hold_until) => {}
            }
        }
        if let Some(due) = self.due {
            clock.sleep_until(due).await;
        }
    }
}

async fn run(app: Arc<App>, id: String, retry: bool, first_wait: Duration, first: Next) {
    if !first_wait.is_zero() {
        tokio::time::sleep(first_wait).await;
    }
    let mut next = first;
    loop {
        let twists = next.twists;
        next.wait(&app.clock).await;
        let Some((provider, webhook_id, body, attempts, ping)) = app.read(|state| {
            state.deliveries.get(&id).map(|d| {
                let ping = d.event_type == "ping";
                (
                    d.provider,
                    d.webhook_id.clone(),
                    d.body.clone(),
                    d.attempts,
                    ping,
                )
            })
        }) else {
            return; // reset removed it
        };
        let number = attempts + 1;
        let Some(plugin) = app.plugin(provider) else {
            return; // a record of a provider this build does not emulate
        };
        let policy = plugin.policy();
        let target = app.read(|state| plugin.target(state, &app.credentials, &webhook_id));
        let emulated_ms = u64::try_from(app.clock.elapsed().as_millis()).unwrap_or(u64::MAX);
        let at = OffsetDateTime::now_utc();
        let outcome = match &target {
            None => Err("the webhook no longer exists".to_owned()),
            Some(target) => {
                let scheme = (plugin.descriptor().scheme)();
                attempt(&app, scheme, target, &id, body.as_bytes(), twists).await
            }
        };
        lock(&app.chaos).release(provider, &webhook_id);
        let (status_code, error) = match &outcome {
            Ok(answer) if (200..300).contains(&answer.status) => (Some(answer.status), None),
            Ok(answer) => (
                Some(answer.status),
                Some(format!("receiver answered HTTP {}", answer.status)),
            ),
            Err(message) => (None, Some(message.clone())),
        };
        let succeeded = error.is_none();
        // 410 Gone, from a provider that takes it as "stop sending": the webhook is
        // disabled and the delivery not retried.
        let refused_for_good = policy.gone_disables && status_code == Some(410);
        let gone = target.is_none() || refused_for_good;
        let next_delay = match &policy.schedule {
            Some(schedule) if !succeeded && !gone && retry && number < schedule.max_attempts() => {
                // The receiver's Retry-After, honoured up to a cap, where it asks for
                // longer than the schedule's wait.
                let asked = outcome.as_ref().ok().and_then(|a| a.retry_after);
                let asked = asked.map(|wait| wait.min(RETRY_AFTER_CAP));
                schedule
                    .delay_before(number + 1)
                    .map(|planned| asked.map_or(planned, |wait| planned.max(wait)))
            }
            _ => None,
        };
        // A failed event opens a circuit breaker where the provider has one (UiPath); a
        // failed ping does not: whether Orchestrator's does is *unconfirmed*.
        let disable_until = policy
            .disable_for
            .filter(|_| !succeeded && !gone && !ping)
            .map(|for_| app.clock.elapsed() + for_);
        // The next attempt's due time, fixed before the log says it is pending.
        let following = next_delay.map(|delay| {
            let twists = lock(&app.chaos).twists(provider, &webhook_id);
            let next = Next {
                twists,
                ..Next::default()
            };
            next.delayed(&app.clock, delay)
        });
        app.write_log(|state| {
            if let Some(until) = disable_until {
                plugin.disable(state, &webhook_id, until);
            }
            if refused_for_good {
                plugin.gone(state, &webhook_id);
            }
            let Some(record) = state.deliveries.get_mut(&id) else {
                return;
            };
            record.attempts = number;
            record.status_code = status_code;
            record.error.clone_from(&error);
            // Set on success only: a failed or pending delivery was not delivered.
            if succeeded {
                record.delivered_at = Some(at);
            }
            record.attempt_log.push(Attempt {
                number,
                at,
                emulated_ms,
                status_code,
                error: error.clone(),
            });
            record.status = match (succeeded, next_delay) {
                (true, _) => DeliveryStatus::Success,
                (false, None) => DeliveryStatus::Failed,
                (false, Some(_)) => DeliveryStatus::Pending,
            };
            record.next_attempt_at =
                next_delay.map(|d| OffsetDateTime::now_utc() + app.clock.real(d));
        })
        .await;
        match following {
            Some(following) => next = following,
            None => return,
        }
    }
}

/// The headers a delivery of `body` carries: `Content-Type: application/json` and, with a
/// signer, the signature headers of its scheme, as the emulator sends them.
///
/// Header-list schemes (UP42) list and sign `content-digest` and `content-type` (UP42
/// sends no delivery id); the others sign as their scheme says. `hook trigger`
/// signs with this too, so a triggered delivery carries what the emulator's would.
///
/// # Errors
///
/// [`hook_sign::SignError`] when the signer's scheme cannot sign this delivery.
pub fn delivery_headers(
    signer: Option<&Signer>,
    delivery_id: &str,
    body: &[u8],
) -> Result<Vec<(String, String)>, hook_sign::SignError> {
    delivery_headers_at(signer, delivery_id, body, None)
}

/// [`delivery_headers`] signed as of `at` (Unix seconds; now when `None`), for a sender
/// that means to send a stale or future timestamp.
///
/// # Errors
///
/// [`hook_sign::SignError`] when the signer's scheme cannot sign this delivery.
pub fn delivery_headers_at(
    signer: Option<&Signer>,
    delivery_id: &str,
    body: &[u8],
    at: Option<u64>,
) -> Result<Vec<(String, String)>, hook_sign::SignError> {
    const CONTENT_TYPE: (&str, &str) = ("content-type", "application/json");
    let mut headers = vec![(CONTENT_TYPE.0.to_owned(), CONTENT_TYPE.1.to_owned())];
    if let Some(signer) = signer {
        let covered = [CONTENT_TYPE];
        let mut message = Message::new(body).id(delivery_id).cover(&covered);
        if let Some(at) = at {
            message = message.at(at);
        }
        let signed = signer.sign(&message)?;
        headers.extend(signed.iter().map(|(n, v)| (n.to_owned(), v.to_owned())));
    }
    Ok(headers)
}

/// One POST. `Ok(status)` when the receiver answered, `Err(why)` when it could not be
/// reached or the target was refused.
async fn attempt(
    app: &App,
    scheme: Scheme,
    target: &Target,
    delivery_id: &str,
    body: &[u8],
    twists: crate::chaos::Twists,
) -> Result<Answered, String> {
    check_target(&target.url, app.allow_remote_delivery)?;
    let client = if target.allow_insecure {
        &app.http_insecure
    } else {
        &app.http
    };
    // A stale timestamp, where the scheme signs one: a minute past its tolerance.
    let stale = scheme
        .tolerance
        .filter(|_| twists.stale && scheme.uses_timestamp())
        .map(|tolerance| {
            let now = OffsetDateTime::now_utc().unix_timestamp().unsigned_abs();
            now.saturating_sub(tolerance.as_secs() + 60)
        });
    let signer = match target.secret.as_ref().filter(|s| !s.is_empty()) {
        Some(secret) => {
            Some(Signer::new(scheme, secret.expose()).map_err(|e| format!("cannot sign: {e}"))?)
        }
        None => None,
    };
    let headers = delivery_headers_at(signer.as_ref(), delivery_id, body, stale)
        .map_err(|e| format!("cannot sign: {e}"))?;
    let request = || {
        let mut request = client.post(&target.url);
        for (name, value) in target
            .headers
            .iter()
            .chain(headers.iter().map(|(n, v)| (n, v)))
        {
            request = request.header(name.as_str(), value.as_str());
        }
        request.body(body.to_vec()).send()
    };
    let response = if twists.duplicate {
        // The same bytes and signature twice at once; the first answer is logged.
        let (first, _copy) = tokio::join!(request(), request());
        first
    } else {
        request().await
    }
    .map_err(|e| describe(&e))?;
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(hook_http::retry_after);
    Ok(Answered {
        status: response.status().as_u16(),
        retry_after,
    })
}

/// The longest `Retry-After` the emulator honours: an hour (emulated time).
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(3600);

/// What a receiver answered.
struct Answered {
    status: u16,
    /// Its `Retry-After`, as a wait.
    retry_after: Option<Duration>,
}

fn describe(error: &reqwest::Error) -> String {
    let mut message = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        "connection failed".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// Refuses URLs that are not http(s) or, unless allowed, not on loopback.
pub(crate) fn check_target(url: &str, allow_remote: bool) -> Result<(), String> {
    let parsed =
        url::Url::parse(url).map_err(|e| format!("refused: {url:?} is not a URL ({e})"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!(
            "refused: scheme {:?} is not http or https",
            parsed.scheme()
        ));
    }
    if allow_remote {
        return Ok(());
    }
    let loopback = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    };
    if loopback {
        Ok(())
    } else {
        Err(format!(
            "refused: {} is not a loopback address; start the emulator with --allow-remote-delivery to deliver there",
            parsed.host_str().unwrap_or("(no host)")
        ))
    }
}

/// Fans `event` out to every subscribed webhook of `provider`.
pub(crate) async fn fire(
    app: &Arc<App>,
    provider: Provider,
    event: &EventType,
    data: &serde_json::Value,
) -> (Vec<String>, Vec<String>) {
    let now = app.clock.elapsed();
    let Some(plugin) = app.plugin(provider) else {
        return (Vec::new(), Vec::new());
    };
    let webhooks = app.read(|state| plugin.subscribers(state, event, now));
    let payloads: Vec<Payload> = webhooks
        .iter()
        .map(|_| plugin.payload(event, data.clone()))
        .collect();
    let event_ids = payloads.iter().map(|p| p.event_id.clone()).collect();
    let targets = webhooks.iter().map(String::as_str).zip(&payloads);
    let deliveries = enqueue_all(app, provider, event, targets, true).await;
    (event_ids, deliveries)
}

/// Delivers one already-built `payload` of `event` to every subscriber (UiPath's
/// `TriggerCustom`: one event, answered to the caller, sent to each webhook).
pub(crate) async fn fan_out(
    app: &Arc<App>,
    provider: Provider,
    event: &EventType,
    payload: &Payload,
) {
    let now = app.clock.elapsed();
    let webhooks = app.read(|state| {
        app.plugin(provider)
            .map_or_else(Vec::new, |p| p.subscribers(state, event, now))
    });
    let targets = webhooks.iter().map(|webhook| (webhook.as_str(), payload));
    enqueue_all(app, provider, event, targets, true).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Plugin as _;

    #[test]
    fn only_loopback_targets_pass_by_default() {
        assert!(check_target("http://127.0.0.1:9/x", false).is_ok());
        assert!(check_target("https://localhost/x", false).is_ok());
        assert!(check_target("http://[::1]:80/", false).is_ok());
        assert!(
            check_target("https://example.com/x", false)
                .unwrap_err()
                .contains("not a loopback")
        );
        assert!(check_target("http://10.0.0.1/", false).is_err());
        assert!(check_target("ftp://127.0.0.1/", true).is_err());
        assert!(check_target("https://example.com/x", true).is_ok());
    }

    #[test]
    fn uipath_payloads_put_data_at_the_top_level() {
        let payload = crate::uipath::UiPath.payload(
            &EventType::new("job.completed"),
            serde_json::json!({"Job": {"Id": 3}, "Custom": 1}),
        );
        let value: serde_json::Value = serde_json::from_slice(&payload.body).unwrap();
        assert_eq!(value["Type"], "job.completed");
        assert_eq!(value["Job"]["Id"], 3);
        assert_eq!(value["Custom"], 1);
        assert_eq!(value["EventId"].as_str().map(str::len), Some(32));
    }

    #[test]
    fn uipath_data_cannot_replace_the_common_fields() {
        let payload = crate::uipath::UiPath.payload(
            &EventType::new("job.completed"),
            serde_json::json!({"Type": "forged", "EventId": "x", "Job": {"Id": 1}}),
        );
        let text = String::from_utf8(payload.body).unwrap();
        assert_eq!(text.matches("\"Type\"").count(), 1, "{text}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (value["Type"].as_str(), value["EventId"].as_str()),
            (Some("job.completed"), Some(payload.event_id.as_str()))
        );
    }
}
