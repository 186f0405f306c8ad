//! Deliveries, faults, state and load: the retry schedule on manual and scaled clocks,
//! UiPath's disable-for-an-hour, refused targets, fault injection, the request log,
//! restarts with a state file, and 1,000 concurrent creates.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::collections::HashSet;
use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, FaultKind, FaultRule, RouteMatch};
use hook_model::{DeliveryStatus, Provider};
use serde_json::json;
use support::{Api, Receiver};

const WAIT: Duration = Duration::from_secs(20);

async fn generic_hook(emulator: &EmulatorHandle, url: &str, secret: &str) -> String {
    let api = Api::new(emulator, hook_generic::PROVIDER).await;
    let body = json!({"url": url, "events": ["user.created"], "secret": secret});
    let (status, created) = api.post("", body).await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

/// Waits until delivery `id` has made `attempts` attempts (the emulator answers when the
/// log changes; no polling).
async fn attempts(
    emulator: &EmulatorHandle,
    id: &str,
    attempts: u32,
) -> hook_emulator::DeliveryRecord {
    emulator
        .admin()
        .attempts(&[("id", id)], attempts, WAIT)
        .await
        .unwrap()
        .remove(0)
}

/// Delivery `id` once it is no longer pending.
async fn settled(emulator: &EmulatorHandle, id: &str) -> hook_emulator::DeliveryRecord {
    let mut settled = emulator.admin().settled(&[("id", id)], WAIT).await.unwrap();
    settled.remove(0)
}

#[tokio::test]
async fn a_wrong_token_is_refused_in_each_providers_error_shape() {
    let emulator = Emulator::builder().start().await.unwrap();
    // What each provider's 401 body says, by JSON pointer.
    let shapes: [(Provider, &[(&str, serde_json::Value)]); 4] = [
        (
            hook_uipath::PROVIDER,
            &[("/message", json!("You are not authenticated!"))],
        ),
        (
            hook_port::PROVIDER,
            &[("/ok", json!(false)), ("/error", json!("unauthorized"))],
        ),
        (
            hook_up42::PROVIDER,
            &[("/data", json!(null)), ("/error/code", json!(401))],
        ),
        (
            hook_generic::PROVIDER,
            &[("/error/code", json!("unauthorized"))],
        ),
    ];
    for (provider, says) in shapes {
        let api = Api::new(&emulator, provider).await.with_token("wrong");
        let (status, refused) = api.get("").await;
        assert_eq!(status, 401, "{provider}: {refused}");
        for (pointer, said) in says {
            assert_eq!(
                refused.pointer(pointer),
                Some(said),
                "{provider}: {refused}"
            );
        }
        if provider == hook_uipath::PROVIDER {
            assert!(refused["errorCode"].is_number(), "{refused}");
        }
    }
}

#[tokio::test]
async fn failed_deliveries_follow_the_seed_schedule_on_a_manual_clock() {
    let emulator = Emulator::builder().manual_clock().start().await.unwrap();
    let mut receiver = Receiver::start(hook_generic::PROVIDER, "s").await;
    receiver.answer(500);
    generic_hook(&emulator, &receiver.url, "s").await;
    let fired = emulator
        .admin()
        .fire(hook_generic::PROVIDER, "user.created", json!({"id": "u1"}))
        .await
        .unwrap();
    let id = &fired.deliveries[0];

    receiver.next().await.verified.unwrap();
    assert_eq!(
        attempts(&emulator, id, 1).await.status,
        DeliveryStatus::Pending
    );
    // 29 s is not enough for the 30 s retry.
    emulator
        .admin()
        .advance(Duration::from_secs(29))
        .await
        .unwrap();
    let record = emulator.admin().deliveries(&[("id", id)]).await.unwrap();
    assert_eq!(record[0].attempts, 1);
    for (advance, attempt) in [(1, 2), (300, 3), (1_800, 4), (7_200, 5)] {
        emulator
            .admin()
            .advance(Duration::from_secs(advance))
            .await
            .unwrap();
        receiver.next().await;
        attempts(&emulator, id, attempt).await;
    }
    let done = settled(&emulator, id).await;
    assert_eq!(
        (done.status, done.attempts, done.status_code),
        (DeliveryStatus::Failed, 5, Some(500))
    );
    let offsets: Vec<u64> = done
        .attempt_log
        .iter()
        .map(|a| a.emulated_ms / 1000)
        .collect();
    assert_eq!(offsets, [0, 30, 330, 2_130, 9_330]);
    // Not retried after the fifth failure, however long we wait.
    emulator
        .admin()
        .advance(Duration::from_secs(86_400))
        .await
        .unwrap();
    assert!(!receiver.has_more());
    assert_eq!(
        emulator.admin().deliveries(&[("id", id)]).await.unwrap()[0].attempts,
        5
    );
}

#[tokio::test]
async fn a_receiver_back_up_gets_the_event_on_a_later_attempt_under_a_scaled_clock() {
    // 1/10000: 30 s → 3 ms, 5 min → 30 ms.
    let emulator = Emulator::builder()
        .time_scale(0.0001)
        .start()
        .await
        .unwrap();
    let mut receiver = Receiver::start(hook_generic::PROVIDER, "s").await;
    // Scripted before the first attempt: switching the answer after the second attempt
    // raced the third, 30 ms later in real time, on a busy machine.
    receiver.script([503, 503]);
    generic_hook(&emulator, &receiver.url, "s").await;
    let fired = emulator
        .admin()
        .fire(hook_generic::PROVIDER, "user.created", json!({}))
        .await
        .unwrap();
    receiver.next().await;
    receiver.next().await;
    let done = settled(&emulator, &fired.deliveries[0]).await;
    assert_eq!((done.status, done.attempts), (DeliveryStatus::Success, 3));
    let offsets: Vec<u64> = done.attempt_log.iter().map(|a| a.emulated_ms).collect();
    // Emulated time: attempt 2 at ≥ 30 s, attempt 3 at ≥ 330 s after the first.
    assert!(offsets[1] - offsets[0] >= 30_000, "{offsets:?}");
    assert!(offsets[2] - offsets[0] >= 330_000, "{offsets:?}");
}

#[tokio::test]
async fn a_failed_uipath_delivery_disables_the_webhook_for_an_hour() {
    let emulator = Emulator::builder().manual_clock().start().await.unwrap();
    let mut receiver = Receiver::start(hook_uipath::PROVIDER, "s").await;
    let api = Api::new(&emulator, hook_uipath::PROVIDER).await;
    let (status, _) = api.post("", json!({
        "Name": "jobs", "Url": receiver.url, "Enabled": true, "Secret": "s", "Events": [{"EventType": "job.completed"}],
        "SubscribeToAllEvents": false, "AllowInsecureSsl": false
    })).await;
    assert_eq!(status, 201);
    assert!(
        receiver.next().await.body.starts_with(b"{"),
        "the automatic ping"
    );
    receiver.answer(500);
    let first = emulator
        .admin()
        .fire(
            hook_uipath::PROVIDER,
            "job.completed",
            json!({"Job": {"Id": 1}}),
        )
        .await
        .unwrap();
    receiver.next().await.verified.unwrap();
    let done = settled(&emulator, &first.deliveries[0]).await;
    assert_eq!(
        (done.status, done.attempts),
        (DeliveryStatus::Failed, 1),
        "UiPath does not retry"
    );

    receiver.answer(200);
    let during = emulator
        .admin()
        .fire(hook_uipath::PROVIDER, "job.completed", json!({}))
        .await
        .unwrap();
    assert!(during.deliveries.is_empty(), "disabled for an hour");
    emulator
        .admin()
        .advance(Duration::from_secs(3_600))
        .await
        .unwrap();
    let after = emulator
        .admin()
        .fire(hook_uipath::PROVIDER, "job.completed", json!({}))
        .await
        .unwrap();
    assert_eq!(after.deliveries.len(), 1);
    receiver.next().await.verified.unwrap();
}

#[tokio::test]
async fn non_loopback_targets_are_refused_and_logged() {
    let emulator = Emulator::builder().start().await.unwrap();
    generic_hook(&emulator, "https://example.com/hook", "s").await;
    let fired = emulator
        .admin()
        .fire(hook_generic::PROVIDER, "user.created", json!({}))
        .await
        .unwrap();
    let record = attempts(&emulator, &fired.deliveries[0], 1).await;
    assert!(
        record
            .error
            .as_deref()
            .unwrap()
            .contains("not a loopback address"),
        "{:?}",
        record.error
    );
    assert_eq!(record.status_code, None);
}

#[tokio::test]
async fn injected_faults_answer_then_run_out() {
    let (emulator, api) = Api::start(hook_generic::PROVIDER).await;
    let (http, url, key) = (&api.http, &api.base, &api.token);
    let route = RouteMatch {
        method: Some("GET".into()),
        path_prefix: Some("/generic/".into()),
    };
    emulator
        .admin()
        .inject(
            &FaultRule::new(FaultKind::Status { status: 503 })
                .within(route.clone())
                .times(2),
        )
        .await
        .unwrap();
    for expected in [503, 503, 200] {
        assert_eq!(api.get("").await.0, expected);
    }
    let body = json!({"url": "https://x.example", "events": ["user.created"]});
    assert_eq!(api.post("", body).await.0, 201);

    emulator
        .admin()
        .inject(
            &FaultRule::new(FaultKind::RateLimit {
                retry_after_secs: 7,
            })
            .within(route.clone())
            .times(1),
        )
        .await
        .unwrap();
    let limited = http.get(url).bearer_auth(key).send().await.unwrap();
    assert_eq!(
        (
            limited.status().as_u16(),
            limited.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "7")
    );

    emulator
        .admin()
        .inject(
            &FaultRule::new(FaultKind::Drop)
                .within(route.clone())
                .times(1),
        )
        .await
        .unwrap();
    let dropped = http.get(url).bearer_auth(key).send().await;
    let failed = match dropped {
        Err(_) => true,
        Ok(response) => response.bytes().await.is_err(),
    };
    assert!(failed, "a dropped connection is an error for the client");
    let fired: Vec<u64> = emulator.admin().fired().await.unwrap();
    assert_eq!(fired, [2, 1, 1]);
}

#[tokio::test]
async fn the_request_log_shows_the_wire_with_secrets_redacted() {
    let (emulator, api) = Api::start(hook_generic::PROVIDER).await;
    let body = json!({"url": "https://x.example", "events": ["user.created"], "secret": "hunter2"});
    api.post("", body).await;
    Api::new(&emulator, hook_up42::PROVIDER).await;
    let log = emulator.admin().requests().await.unwrap();
    let create = &log[0];
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/generic/v1/webhooks")
    );
    assert_eq!(create.body.as_ref().unwrap()["secret"], "<redacted>");
    let auth = create
        .headers
        .iter()
        .find(|(k, _)| k == "authorization")
        .unwrap();
    assert_eq!(auth.1, "Bearer <redacted>");
    let dump = serde_json::to_string(&log).unwrap();
    assert!(
        !dump.contains("hunter2")
            && !dump.contains(api.token.as_str())
            && !dump.contains("emulator-up42-password")
    );
}

#[tokio::test]
async fn expired_tokens_are_refused_until_a_new_one_is_fetched() {
    let emulator = Emulator::builder().start().await.unwrap();
    let old = Api::new(&emulator, hook_port::PROVIDER).await;
    assert_eq!(old.get("").await.0, 200);
    assert_eq!(emulator.admin().expire_tokens().await.unwrap(), 1);
    assert_eq!(old.get("").await.0, 401);
    let new = Api::new(&emulator, hook_port::PROVIDER).await;
    assert_eq!(new.get("").await.0, 200);
    // A Port token is not a UP42 token.
    let up42 = Api::new(&emulator, hook_up42::PROVIDER).await;
    assert_eq!(up42.with_token(&new.token).get("").await.0, 401);
}

#[tokio::test]
async fn a_restart_with_a_state_file_keeps_webhooks_and_pending_deliveries() {
    let dir = std::env::temp_dir().join(format!("hook-emulator-state-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    // Both emulators keep state in `file`, on manual clocks.
    let start = || Emulator::builder().manual_clock().state_file(&file).start();
    let first = start().await.unwrap();
    // Nothing listens on port 9: the first attempt fails and the delivery stays pending.
    let hook = generic_hook(&first, "http://127.0.0.1:9/hook", "s").await;
    let port_before = Api::new(&first, hook_port::PROVIDER).await;
    let fired = first
        .admin()
        .fire(hook_generic::PROVIDER, "user.created", json!({}))
        .await
        .unwrap();
    assert_eq!(
        attempts(&first, &fired.deliveries[0], 1).await.status,
        DeliveryStatus::Pending
    );
    // The pending delivery's task waits on the first emulator's clock: shutdown stops it,
    // so nothing the first emulator started can write over the second one's file.
    assert_eq!(
        first.shutdown().await,
        1,
        "the waiting delivery task was stopped"
    );
    let after_shutdown = std::fs::read(&file).unwrap();

    let second = start().await.unwrap();
    assert_eq!(second.resumed_deliveries(), 1);
    let (status, got) = Api::new(&second, hook_generic::PROVIDER)
        .await
        .get(&format!("/{hook}"))
        .await;
    assert_eq!((status, got["id"].as_str()), (200, Some(hook.as_str())));
    let port = Api::new(&second, hook_port::PROVIDER).await;
    assert_eq!(
        port.with_token(&port_before.token).get("").await.0,
        200,
        "tokens survive"
    );
    let pending = second
        .admin()
        .deliveries(&[("id", &fired.deliveries[0])])
        .await
        .unwrap();
    assert_eq!(pending[0].status, DeliveryStatus::Pending);
    assert!(
        pending[0].attempts >= 1,
        "the second emulator took over the first's record"
    );
    assert!(!after_shutdown.is_empty());
    second.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_creates_get_a_thousand_unique_ids() {
    let emulator = Emulator::builder().start().await.unwrap();
    let generic_api = Api::new(&emulator, hook_generic::PROVIDER).await;
    let uipath_api = Api::new(&emulator, hook_uipath::PROVIDER).await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1_000 {
        let (generic_api, uipath_api) = (generic_api.clone(), uipath_api.clone());
        tasks.spawn(async move {
            let generic = json!({"url": "https://x.example", "events": ["user.created"]});
            let uipath = json!({"Name": format!("n{i}"), "Url": "https://x.example", "Enabled": true,
                "SubscribeToAllEvents": false, "AllowInsecureSsl": false});
            (
                generic_api.post("", generic).await,
                uipath_api.post("", uipath).await,
            )
        });
    }
    let (mut generic, mut uipath_ids) = (HashSet::new(), HashSet::new());
    while let Some(result) = tasks.join_next().await {
        let ((gs, g), (us, u)) = result.unwrap();
        assert_eq!((gs, us), (201, 201));
        generic.insert(g["id"].as_str().unwrap().to_owned());
        uipath_ids.insert(u["Id"].as_i64().unwrap());
    }
    assert_eq!((generic.len(), uipath_ids.len()), (1_000, 1_000));
}

#[tokio::test]
async fn bodies_over_the_limits_are_refused_without_harm() {
    let (_emulator, api) = Api::start(hook_generic::PROVIDER).await;
    let huge = vec![b'x'; 3 * 1024 * 1024];
    assert_eq!(api.post_raw(huge).await, 413);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        api.post_raw(deep).await,
        400,
        "nested JSON is a client error, not a crash"
    );
    // Still serving.
    assert_eq!(api.get("").await.0, 200);
}

#[tokio::test]
async fn reset_forgets_everything() {
    let emulator = Emulator::builder().start().await.unwrap();
    generic_hook(&emulator, "https://x.example", "s").await;
    emulator.admin().reset().await.unwrap();
    let (_, list) = Api::new(&emulator, hook_generic::PROVIDER)
        .await
        .get("")
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
    assert!(
        emulator.admin().requests().await.unwrap().len() <= 1,
        "the log restarted"
    );
}

/// With a state store: 200 events fanned out to 10 webhooks (2,000 deliveries), then one
/// create, timed. A figure for RELIABILITY.md, not an assertion on time: run with
/// `cargo test --release -p hook-emulator --test engine -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: run by hand, figures in RELIABILITY.md"]
async fn state_store_throughput() {
    let dir = std::env::temp_dir().join(format!("hook-emulator-state-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let emulator = Emulator::builder()
        .state_file(dir.join("state.redb"))
        .start()
        .await
        .unwrap();
    let mut receiver = Receiver::start(hook_generic::PROVIDER, "s").await;
    for _ in 0..10 {
        generic_hook(&emulator, &receiver.url, "s").await;
    }
    let started = std::time::Instant::now();
    for i in 0..200 {
        emulator
            .admin()
            .fire(hook_generic::PROVIDER, "user.created", json!({"i": i}))
            .await
            .unwrap();
    }
    let log = emulator
        .admin()
        .settled(&[("provider", "generic")], Duration::from_secs(60))
        .await
        .unwrap();
    let took = started.elapsed();
    assert_eq!(log.len(), 2_000);
    assert!(log.iter().all(|d| d.status == DeliveryStatus::Success));
    let create = std::time::Instant::now();
    generic_hook(&emulator, &receiver.url, "s").await;
    println!(
        "RELIABILITY state store: 2,000 deliveries in {:.2} s ({:.0}/s), then a create in {:.1} ms",
        took.as_secs_f64(),
        2_000.0 / took.as_secs_f64(),
        create.elapsed().as_secs_f64() * 1e3
    );
    while receiver.has_more() {}
    emulator.shutdown().await;
    std::fs::remove_dir_all(&dir).unwrap();
}
