//! The sender's policies over real loopback HTTP: a receiver's `Retry-After` honoured up to
//! a cap, `410 Gone` disabling a webhook where the provider's policy says so, and the chaos
//! rules an integration test switches on through the admin API.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use hook_emulator::{ChaosRule, Emulator, EmulatorHandle};
use hook_model::DeliveryStatus;
use serde_json::json;
use support::Api;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(20);

/// One request a [`Scripted`] receiver got.
struct Hit {
    headers: HeaderMap,
    body: Bytes,
}

/// Statuses and `Retry-After` values to answer, in order.
type Script = VecDeque<(u16, Option<String>)>;

/// A receiver answering from a script: each request takes the next `(status, Retry-After)`,
/// the last one repeating; every request is reported on `hits`.
struct Scripted {
    url: String,
    hits: mpsc::UnboundedReceiver<Hit>,
}

impl Scripted {
    async fn start(script: &[(u16, Option<&str>)]) -> Scripted {
        let script: Arc<Mutex<Script>> = Arc::new(Mutex::new(
            script
                .iter()
                .map(|(s, r)| (*s, r.map(str::to_owned)))
                .collect(),
        ));
        let (tx, hits) = mpsc::unbounded_channel();
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let (script, tx) = (script.clone(), tx.clone());
                async move {
                    let _ = tx.send(Hit { headers, body });
                    let mut script = script.lock().unwrap();
                    let (status, retry_after) = if script.len() > 1 {
                        script.pop_front().unwrap()
                    } else {
                        script.front().cloned().unwrap()
                    };
                    let mut answer = StatusCode::from_u16(status).unwrap().into_response();
                    if let Some(wait) = retry_after {
                        answer
                            .headers_mut()
                            .insert("retry-after", wait.parse().unwrap());
                    }
                    answer
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Scripted { url, hits }
    }

    async fn next(&mut self) -> Hit {
        tokio::time::timeout(WAIT, self.hits.recv())
            .await
            .expect("a delivery within the wait")
            .unwrap()
    }
}

async fn generic_hook(emulator: &EmulatorHandle, url: &str) -> (Api, String) {
    let api = Api::new(emulator, hook_generic::PROVIDER).await;
    let body = json!({"url": url, "events": ["user.created"], "secret": "s"});
    let (status, created) = api.post("", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    (api, id)
}

async fn fire(emulator: &EmulatorHandle) -> Vec<String> {
    let fired = emulator
        .admin()
        .fire(hook_generic::PROVIDER, "user.created", json!({}))
        .await;
    fired.unwrap().deliveries
}

async fn advance(emulator: &EmulatorHandle, seconds: u64) {
    let admin = emulator.admin();
    admin.advance(Duration::from_secs(seconds)).await.unwrap();
}

/// Delivery `id`'s record (one, in a list) once it is no longer pending.
async fn settled(emulator: &EmulatorHandle, id: &str) -> Vec<hook_emulator::DeliveryRecord> {
    emulator.admin().settled(&[("id", id)], WAIT).await.unwrap()
}

/// Seconds of emulated time at which each attempt of delivery `id` was made.
async fn offsets(emulator: &EmulatorHandle, id: &str, attempts: u32) -> Vec<u64> {
    let record = emulator
        .admin()
        .attempts(&[("id", id)], attempts, WAIT)
        .await;
    let record = record.unwrap().remove(0);
    record
        .attempt_log
        .iter()
        .map(|a| a.emulated_ms / 1000)
        .collect()
}

#[tokio::test]
async fn retry_after_is_honoured_when_longer_than_the_schedule_up_to_the_cap() {
    let emulator = Emulator::builder().manual_clock().start().await.unwrap();
    let mut receiver = Scripted::start(&[
        (503, Some("120")),
        (429, Some("999999")),
        (503, Some("5")),
        (200, None),
    ])
    .await;
    generic_hook(&emulator, &receiver.url).await;
    let id = fire(&emulator).await.remove(0);
    let first = receiver.next().await;
    // The schedule says 30 s; the receiver asked for 120 s.
    advance(&emulator, 30).await;
    advance(&emulator, 90).await;
    let second = receiver.next().await;
    assert_eq!(first.body, second.body, "a retry carries the same event");
    let signature = |hit: &Hit| hit.headers.get("x-webhook-signature").cloned();
    assert!(signature(&first).is_some() && signature(&first) == signature(&second));
    assert_eq!(offsets(&emulator, &id, 2).await, [0, 120]);
    // Asked for 11 days: the cap (an hour) wins over the schedule's 5 min.
    advance(&emulator, 300).await;
    advance(&emulator, 3_300).await;
    receiver.next().await;
    assert_eq!(offsets(&emulator, &id, 3).await, [0, 120, 3_720]);
    // Asked for less than the schedule's 30 min: the schedule wins.
    advance(&emulator, 1_800).await;
    receiver.next().await;
    assert_eq!(offsets(&emulator, &id, 4).await, [0, 120, 3_720, 5_520]);
    let done = settled(&emulator, &id).await;
    assert_eq!(done[0].status, DeliveryStatus::Success);
    assert_eq!(hook_emulator::RETRY_AFTER_CAP, Duration::from_secs(3_600));
}

#[tokio::test]
async fn gone_disables_the_generic_webhook_and_stops_its_retries() {
    let emulator = Emulator::builder().manual_clock().start().await.unwrap();
    let mut receiver = Scripted::start(&[(410, None)]).await;
    let (api, hook) = generic_hook(&emulator, &receiver.url).await;
    let id = fire(&emulator).await.remove(0);
    receiver.next().await;
    let done = settled(&emulator, &id).await;
    assert_eq!(
        (done[0].status, done[0].attempts, done[0].status_code),
        (DeliveryStatus::Failed, 1, Some(410)),
        "410 is not retried"
    );
    let (status, webhook) = api.get(&format!("/{hook}")).await;
    assert_eq!(
        (status, &webhook["active"]),
        (200, &json!(false)),
        "{webhook}"
    );
    assert!(
        fire(&emulator).await.is_empty(),
        "a disabled webhook gets nothing"
    );
    // A provider whose policy does not say so (UiPath) keeps its webhook on a 410.
    assert!(!hook_uipath::DESCRIPTOR.delivery.gone_disables);
    assert!(hook_generic::DESCRIPTOR.delivery.gone_disables);
}

/// The `data.n` of a generic delivery body.
fn n_of(hit: &Hit) -> i64 {
    let body: serde_json::Value = serde_json::from_slice(&hit.body).unwrap();
    body["data"]["n"].as_i64().unwrap()
}

async fn fire_n(emulator: &EmulatorHandle, n: i64) -> String {
    let admin = emulator.admin();
    let fired = admin.fire(hook_generic::PROVIDER, "user.created", json!({"n": n}));
    fired.await.unwrap().deliveries.remove(0)
}

/// An emulator, a receiver answering 200, and a generic webhook to it under the chaos
/// rule `rule` makes of a fresh rule.
async fn under_chaos(rule: impl FnOnce(ChaosRule) -> ChaosRule) -> (EmulatorHandle, Scripted) {
    let emulator = Emulator::builder().start().await.unwrap();
    let receiver = Scripted::start(&[(200, None)]).await;
    let (_, hook) = generic_hook(&emulator, &receiver.url).await;
    let rule = rule(ChaosRule::new(hook_generic::PROVIDER, &hook));
    emulator.admin().chaos(&rule).await.unwrap();
    (emulator, receiver)
}

#[tokio::test]
async fn a_duplicate_rule_sends_each_attempt_twice_at_once() {
    let (emulator, mut receiver) = under_chaos(|rule| rule.duplicate(1.0)).await;
    let id = fire_n(&emulator, 1).await;
    let (first, copy) = (receiver.next().await, receiver.next().await);
    assert_eq!(first.body, copy.body);
    assert_eq!(
        first.headers.get("x-webhook-signature"),
        copy.headers.get("x-webhook-signature")
    );
    let done = settled(&emulator, &id).await;
    assert_eq!(
        (done[0].status, done[0].attempts),
        (DeliveryStatus::Success, 1)
    );
    // Cleared: one copy again.
    emulator.admin().clear_chaos().await.unwrap();
    let id = fire_n(&emulator, 2).await;
    assert_eq!(n_of(&receiver.next().await), 2);
    settled(&emulator, &id).await;
    assert!(receiver.hits.try_recv().is_err(), "no second copy");
}

#[tokio::test]
async fn a_reorder_rule_sends_the_next_event_first() {
    let (emulator, mut receiver) = under_chaos(|rule| rule.reorder(1.0)).await;
    fire_n(&emulator, 1).await;
    fire_n(&emulator, 2).await;
    let order = [n_of(&receiver.next().await), n_of(&receiver.next().await)];
    assert_eq!(
        order,
        [2, 1],
        "the first event was held until the second had gone"
    );
}

#[tokio::test]
async fn a_delay_rule_holds_an_attempt_for_emulated_time() {
    let emulator = Emulator::builder().manual_clock().start().await.unwrap();
    let mut receiver = Scripted::start(&[(200, None)]).await;
    let (_, hook) = generic_hook(&emulator, &receiver.url).await;
    let rule = ChaosRule::new(hook_generic::PROVIDER, &hook).delay(1.0, Duration::from_secs(60));
    emulator.admin().chaos(&rule).await.unwrap();
    let id = fire_n(&emulator, 1).await;
    advance(&emulator, 59).await;
    let log = emulator.admin().deliveries(&[("id", &id)]).await.unwrap();
    assert_eq!(
        (log[0].attempts, log[0].status),
        (0, DeliveryStatus::Pending)
    );
    advance(&emulator, 1).await;
    assert_eq!(n_of(&receiver.next().await), 1);
    assert_eq!(offsets(&emulator, &id, 1).await, [60]);
}

#[tokio::test]
async fn a_stale_rule_signs_past_the_schemes_tolerance() {
    // UP42 signs a `created` time (HTTPS receivers only).
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::up42(), "s").unwrap();
    let (mut receiver, certificate) = hook_emulator::Receiver::start_tls(verifier).await.unwrap();
    let emulator = Emulator::builder()
        .trust_root_pem(certificate.pem.as_bytes())
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator, hook_up42::PROVIDER).await;
    let body = json!({"name": "stale", "url": receiver.url(), "events": ["job.status"],
        "active": true, "secret": "s"});
    let (status, created) = api.post("", body).await;
    assert_eq!(status, 201, "{created}");
    let hook = created["data"]["id"].as_str().unwrap().to_owned();
    let rule = ChaosRule::new(hook_up42::PROVIDER, &hook).stale(1.0);
    emulator.admin().chaos(&rule).await.unwrap();
    let fire = || {
        emulator
            .admin()
            .fire(hook_up42::PROVIDER, "job.status", json!({}))
    };
    fire().await.unwrap();
    let stale = receiver.next(WAIT).await.unwrap();
    let refused = stale.verified.unwrap_err().to_string();
    assert!(
        refused.contains("behind now") && refused.contains("tolerance"),
        "{refused}"
    );
    emulator.admin().clear_chaos().await.unwrap();
    fire().await.unwrap();
    let fresh = receiver.next(WAIT).await.unwrap();
    fresh.verified.unwrap();
}

#[tokio::test]
async fn chaos_rules_are_checked() {
    let emulator = Emulator::builder().start().await.unwrap();
    let receiver = Scripted::start(&[(200, None)]).await;
    let (_, hook) = generic_hook(&emulator, &receiver.url).await;
    let admin = emulator.admin();
    for bad in [
        ChaosRule::new(hook_generic::PROVIDER, &hook).duplicate(1.5),
        ChaosRule::new(hook_generic::PROVIDER, &hook).delay(0.5, Duration::from_secs(7_200)),
        ChaosRule::new(hook_generic::PROVIDER, "hook_nosuch").stale(0.5),
    ] {
        let refused = admin.chaos(&bad).await.unwrap_err();
        assert!(refused.to_string().contains("400"), "{refused}");
    }
}
