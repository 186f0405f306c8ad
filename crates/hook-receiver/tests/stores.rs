//! The three outcomes over real loopback HTTP, for every store: an axum app behind
//! `hook_receiver::layer`, a sender signing as the provider does, and the store's real
//! server (Redis, PostgreSQL) started by the test.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use hook_receiver::{Claim, IdempotencyKey, IdempotencyStore, MemoryStore, Settled};
use hook_sign::Scheme;
use support::{Ledger, Script, Sender, Step, router, serve};

const TIMEOUT: Duration = Duration::from_secs(30);

/// A receiving app on `store`, its script and its sender.
struct App {
    url: String,
    script: Arc<Script>,
    /// The ids of handler calls as they start.
    started: tokio::sync::mpsc::UnboundedReceiver<String>,
    sender: Sender,
}

impl App {
    /// Event `id`, sent signed; the answer.
    async fn send(&self, id: &str) -> support::Answer {
        self.sender.send(&self.url, id).await.expect("an answer")
    }

    /// Event `id`, sent signed; the answer's status.
    async fn status(&self, id: &str) -> u16 {
        self.send(id).await.status
    }
}

async fn app(store: Arc<dyn IdempotencyStore>) -> App {
    let (script, started) = Script::new(Arc::new(Ledger::default()));
    let url = serve(router(Scheme::generic(), store, script.clone(), TIMEOUT)).await;
    let sender = Sender::new(Scheme::generic());
    App {
        url,
        script,
        started,
        sender,
    }
}

/// The handler fails once: the provider's retry runs it again, and a third copy is
/// acknowledged without running it.
async fn failed_handler_is_retried(store: Arc<dyn IdempotencyStore>) {
    let app = app(store).await;
    app.script.then("evt_1", Step::Fail);
    assert_eq!(app.status("evt_1").await, 500);
    assert_eq!(app.status("evt_1").await, 200);
    let repeat = app.send("evt_1").await;
    assert_eq!(repeat.status, 200);
    assert!(repeat.text.contains("already handled"), "{repeat:?}");
    assert_eq!(app.script.ledger.successes("evt_1"), 1);
    assert_eq!(app.script.ledger.calls(), 2);
}

/// A copy arrives while the first attempt runs: it is answered 429 with Retry-After, the
/// handler not run for it. When the first attempt then fails, a later retry is handled;
/// when it succeeds, the retry is acknowledged and the handler ran once.
async fn duplicate_during_attempt(store: Arc<dyn IdempotencyStore>, id: &str, succeeds: bool) {
    let mut app = app(store).await;
    let verdict = app.script.hold(id);
    let first = tokio::spawn({
        let (sender, url, id) = (app.sender.clone(), app.url.clone(), id.to_owned());
        async move { sender.send(&url, &id).await }
    });
    assert_eq!(app.started.recv().await.as_deref(), Some(id));
    let copy = app.send(id).await;
    assert_eq!(copy.status, 429, "{copy:?}");
    let seconds: u64 = copy.retry_after.as_deref().unwrap().parse().unwrap();
    assert!((1..=60).contains(&seconds), "{copy:?}");
    verdict.send(succeeds).unwrap();
    let first = first.await.unwrap().unwrap();
    assert_eq!(first.status, if succeeds { 200 } else { 500 });
    assert_eq!(app.script.ledger.successes(id), usize::from(succeeds));
    let retry = app.send(id).await;
    assert_eq!(retry.status, 200);
    assert_eq!(
        retry.text.contains("already handled"),
        succeeds,
        "{retry:?}"
    );
    assert_eq!(app.script.ledger.successes(id), 1);
    assert_eq!(app.script.ledger.calls(), if succeeds { 1 } else { 2 });
}

async fn duplicate_during_failing_attempt(store: Arc<dyn IdempotencyStore>) {
    duplicate_during_attempt(store, "evt_2", false).await;
}

async fn duplicate_during_succeeding_attempt(store: Arc<dyn IdempotencyStore>) {
    duplicate_during_attempt(store, "evt_3", true).await;
}

/// A panicking handler: 500, the claim released, the retry handled.
async fn panic_releases(store: Arc<dyn IdempotencyStore>) {
    let app = app(store).await;
    app.script.then("evt_4", Step::Panic);
    assert_eq!(app.status("evt_4").await, 500);
    assert_eq!(app.status("evt_4").await, 200);
    assert_eq!(app.script.ledger.successes("evt_4"), 1);
}

/// A handler past its timeout: 503 with Retry-After, the claim released, the retry handled.
async fn timeout_releases(store: Arc<dyn IdempotencyStore>) {
    let (script, _started) = Script::new(Arc::new(Ledger::default()));
    let url = serve(router(
        Scheme::generic(),
        store,
        script.clone(),
        Duration::from_millis(200),
    ))
    .await;
    let sender = Sender::new(Scheme::generic());
    drop(script.hold("evt_5")); // nobody answers: the handler hangs
    let answer = sender.send(&url, "evt_5").await.unwrap();
    assert_eq!(answer.status, 503, "{answer:?}");
    assert_eq!(answer.retry_after.as_deref(), Some("5"));
    assert_eq!(sender.send(&url, "evt_5").await.unwrap().status, 200);
    assert_eq!(script.ledger.successes("evt_5"), 1);
}

/// The store protocol itself: a lease ends, another attempt takes the key over, and the
/// late first attempt can neither complete nor release the new claim.
async fn lease_expiry_takeover(store: Arc<dyn IdempotencyStore>) {
    let key = IdempotencyKey::new("test", "lease").unwrap();
    // Long enough that a busy machine does not let it end between two calls.
    let lease = Duration::from_millis(1500);
    let Claim::Acquired(late) = store.claim(&key, lease).await.unwrap() else {
        panic!("a new key is acquired")
    };
    let Claim::InFlight { expires_in } = store.claim(&key, lease).await.unwrap() else {
        panic!("a held key is in flight")
    };
    assert!(expires_in.is_none_or(|d| d <= lease), "{expires_in:?}");
    // The lease is the thing under test: wait it out.
    tokio::time::sleep(lease + Duration::from_millis(500)).await;
    let Claim::Acquired(current) = store.claim(&key, lease * 100).await.unwrap() else {
        panic!("an expired claim is taken over")
    };
    assert_eq!(store.complete(&key, &late).await.unwrap(), Settled::Lost);
    assert_eq!(store.release(&key, &late).await.unwrap(), Settled::Lost);
    assert!(matches!(
        store.claim(&key, lease).await.unwrap(),
        Claim::InFlight { .. }
    ));
    assert_eq!(
        store.complete(&key, &current).await.unwrap(),
        Settled::Applied
    );
    assert_eq!(store.claim(&key, lease).await.unwrap(), Claim::Done);
    assert_eq!(store.release(&key, &current).await.unwrap(), Settled::Lost);
    assert_eq!(store.claim(&key, lease).await.unwrap(), Claim::Done);
}

/// A request dropped mid-handler (the sender hung up, the server shut down): the claim is
/// released, so a retry runs the handler.
async fn cancelled_request_releases(store: Arc<dyn IdempotencyStore>) {
    use axum::extract::Request;
    use tower::{Service as _, ServiceExt};
    let (script, mut started) = Script::new(Arc::new(Ledger::default()));
    let mut service = router(Scheme::generic(), store.clone(), script.clone(), TIMEOUT);
    let _verdict = script.hold("evt_6");
    let request = || {
        let body = Sender::body("evt_6");
        let headers = hook_sign::Signer::new(Scheme::generic(), support::SECRET)
            .unwrap()
            .sign(&hook_sign::Message::new(body.as_bytes()))
            .unwrap();
        let mut request = axum::http::Request::post("/hook");
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        request.body(axum::body::Body::from(body)).unwrap()
    };
    let call = ServiceExt::<Request>::ready(&mut service)
        .await
        .unwrap()
        .call(request());
    let running = tokio::spawn(call);
    assert_eq!(started.recv().await.as_deref(), Some("evt_6"));
    running.abort();
    assert!(running.await.unwrap_err().is_cancelled());
    // The release runs on a task of its own; the retry is answered once it has.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let answer = ServiceExt::<Request>::ready(&mut service)
            .await
            .unwrap()
            .call(request())
            .await
            .unwrap();
        if answer.status() == 200 {
            break;
        }
        assert_eq!(answer.status(), 429, "only in flight until released");
        assert!(
            tokio::time::Instant::now() < deadline,
            "the claim was never released"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(script.ledger.successes("evt_6"), 1);
}

support::backends::on_each_backend!(
    [memory, redis, postgres_store];
    (failed_handler_is_retried,
    duplicate_during_failing_attempt,
    duplicate_during_succeeding_attempt,
    panic_releases,
    timeout_releases,
    lease_expiry_takeover,
    cancelled_request_releases,)
);

/// Keys: missing and over-long keys are refused (400) before the handler runs.
#[tokio::test]
async fn missing_or_overlong_keys_are_refused() {
    let app = app(Arc::new(MemoryStore::new())).await;
    let client = reqwest::Client::new();
    let signer = hook_sign::Signer::new(Scheme::generic(), support::SECRET).unwrap();
    let long = "x".repeat(hook_receiver::MAX_KEY_LEN + 1);
    for (body, expected) in [
        (
            r#"{"type":"user.created"}"#.to_owned(),
            "the body's /id is missing",
        ),
        (format!(r#"{{"id":"{long}"}}"#), "over the 256-byte limit"),
        (
            r#"{"id":{"nested":1}}"#.to_owned(),
            "not a string or an integer",
        ),
    ] {
        let headers = signer
            .sign(&hook_sign::Message::new(body.as_bytes()))
            .unwrap();
        let mut request = client.post(&app.url).body(body.clone());
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let text = response.text().await.unwrap();
        assert!(text.contains(expected), "{text}");
    }
    assert_eq!(app.script.ledger.calls(), 0);
}

/// The layer outside hook-sign's VerifyLayer (a stack in the wrong order): every delivery
/// is answered 500 naming the mistake, and the handler never runs on an unverified body.
#[tokio::test]
async fn the_layer_outside_verification_refuses_to_run_the_handler() {
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = calls.clone();
    let handler = move || async move {
        counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        "handled"
    };
    let verifier = hook_sign::Verifier::new(Scheme::generic(), support::SECRET).unwrap();
    let wrong_order = axum::Router::new()
        .route("/hook", axum::routing::post(handler))
        .layer(hook_sign::layer::VerifyLayer::new(verifier))
        .layer(hook_receiver::IdempotencyLayer::new(
            &Scheme::generic(),
            MemoryStore::new(),
        ));
    let url = serve(wrong_order).await;
    let answer = Sender::new(Scheme::generic())
        .send(&url, "evt_1")
        .await
        .unwrap();
    assert_eq!(answer.status, 500);
    assert!(
        answer.text.contains("IdempotencyLayer must sit inside"),
        "{}",
        answer.text
    );
    assert_eq!(calls.load(std::sync::atomic::Ordering::SeqCst), 0);
}
