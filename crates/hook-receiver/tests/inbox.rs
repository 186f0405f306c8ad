//! The durable inbox against real stores: a SQLite file and a real PostgreSQL server.
//! Each scenario runs on both; the protocol of `InboxStore` is what is checked.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hook_receiver::inbox::{
    Attempt, Filter, Inbox, InboxError, InboxStore, Leased, NewDelivery, Next, Outcome, Policy,
    Settled, SqliteInbox, Status, Stored, Which, handler_fn, now_ms,
};

fn delivery(key: &str, event_type: &str) -> NewDelivery {
    NewDelivery {
        key: key.to_owned(),
        provider: "generic".into(),
        event_type: Some(event_type.to_owned()),
        method: "POST".into(),
        path: "/hook?x=1".into(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("x-signature".into(), "t=1,v1=abc".into()),
        ],
        body: format!(r#"{{"id":"{key}","type":"{event_type}"}}"#).into_bytes(),
    }
}

fn attempt(ok: bool, detail: &str) -> Attempt {
    Attempt {
        at_ms: now_ms(),
        ok,
        detail: detail.into(),
    }
}

const LEASE: Duration = Duration::from_secs(60);

/// Stored once per key, exactly as given; handed out, done, and then never again.
/// Settles `leased` as handled.
async fn done(store: &dyn InboxStore, leased: &Leased) {
    let settled = store.settle(leased, attempt(true, "ok"), Next::Done);
    assert_eq!(settled.await.unwrap(), Settled::Applied);
}

async fn stores_once_and_hands_out_once(store: Arc<dyn InboxStore>) {
    let first = store.put(delivery("k1", "a.created")).await.unwrap();
    let Stored::New(id) = first else {
        panic!("{first:?}")
    };
    assert_eq!(
        store.put(delivery("k1", "a.created")).await.unwrap(),
        Stored::Duplicate(id)
    );
    let leased = store.take(LEASE).await.unwrap().unwrap();
    let d = &leased.delivery;
    assert_eq!(
        (d.id, d.request.key.as_str(), d.status),
        (id, "k1", Status::Working)
    );
    assert_eq!(
        d.request.body,
        delivery("k1", "a.created").body,
        "exact bytes"
    );
    assert_eq!(
        d.request.headers,
        delivery("k1", "a.created").headers,
        "headers in order"
    );
    assert_eq!(
        (d.request.method.as_str(), d.request.path.as_str()),
        ("POST", "/hook?x=1")
    );
    assert!(
        store.take(LEASE).await.unwrap().is_none(),
        "held by one worker"
    );
    let settled = store
        .settle(&leased, attempt(true, "200"), Next::Done)
        .await;
    assert_eq!(settled.unwrap(), Settled::Applied);
    assert!(
        store.take(LEASE).await.unwrap().is_none(),
        "done is never handed out"
    );
    assert_eq!(
        store.put(delivery("k1", "a.created")).await.unwrap(),
        Stored::Duplicate(id)
    );
    let done = store.get(id).await.unwrap().unwrap();
    assert_eq!((done.status, done.attempts), (Status::Done, 1));
    assert_eq!(done.history.len(), 1);
    assert_eq!(store.next_due().await.unwrap(), None);
}

/// A failure waits its backoff, keeps its error, and the last attempt parks it as dead;
/// a retry by hand brings it back with a fresh budget.
async fn failures_wait_then_park_as_dead(store: Arc<dyn InboxStore>) {
    let id = store.put(delivery("k2", "b")).await.unwrap().id();
    let leased = store.take(LEASE).await.unwrap().unwrap();
    let next = Next::Retry(Duration::from_secs(3600));
    store
        .settle(&leased, attempt(false, "500 boom"), next)
        .await
        .unwrap();
    assert!(
        store.take(LEASE).await.unwrap().is_none(),
        "not due for an hour"
    );
    let due = store.next_due().await.unwrap().unwrap();
    assert!(due > Duration::from_secs(3500), "{due:?}");
    let waiting = store.get(id).await.unwrap().unwrap();
    assert_eq!(waiting.status, Status::Pending);
    assert_eq!(waiting.last_error.as_deref(), Some("500 boom"));
    assert_eq!(store.retry(Which::Id(id)).await.unwrap(), 1);
    let leased = store.take(LEASE).await.unwrap().unwrap();
    assert_eq!(
        leased.delivery.attempts, 0,
        "a retry by hand resets the budget"
    );
    store
        .settle(&leased, attempt(false, "timed out"), Next::Dead)
        .await
        .unwrap();
    let dead = store.get(id).await.unwrap().unwrap();
    assert_eq!(
        (dead.status, dead.last_error.as_deref()),
        (Status::Dead, Some("timed out"))
    );
    assert_eq!(dead.history.len(), 2, "history keeps both attempts");
    assert!(store.take(LEASE).await.unwrap().is_none(), "dead is parked");
    assert_eq!(store.retry(Which::Dead).await.unwrap(), 1);
    let again = store.take(LEASE).await.unwrap().unwrap();
    assert_eq!(again.delivery.id, id);
    assert_eq!(again.delivery.last_error.as_deref(), Some("timed out"));
}

/// A worker that dies leaves its lease to end; the delivery is handed out again, and the
/// dead worker's late settle changes nothing.
async fn an_ended_lease_is_taken_over(store: Arc<dyn InboxStore>) {
    let id = store.put(delivery("k3", "c")).await.unwrap().id();
    let first = store
        .take(Duration::from_millis(200))
        .await
        .unwrap()
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let second = loop {
        if let Some(leased) = store.take(LEASE).await.unwrap() {
            break leased;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the lease never ended"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(second.delivery.id, id);
    let late = store.settle(&first, attempt(true, "200"), Next::Done).await;
    assert_eq!(
        late.unwrap(),
        Settled::Lost,
        "the old lease settles nothing"
    );
    let settled = store
        .settle(&second, attempt(true, "200"), Next::Done)
        .await;
    assert_eq!(settled.unwrap(), Settled::Applied);
}

/// Listing filters by status, provider, event type and time; purge deletes only handled
/// and dead deliveries; retry --since brings back handled ones.
async fn list_retry_and_purge(store: Arc<dyn InboxStore>) {
    for (key, kind) in [("l1", "x.one"), ("l2", "x.two"), ("l3", "x.one")] {
        store.put(delivery(key, kind)).await.unwrap();
    }
    let mut other = delivery("l4", "x.one");
    other.provider = "uipath".into();
    store.put(other).await.unwrap();
    let all = store.list(&Filter::default()).await.unwrap();
    assert_eq!(
        all.iter()
            .map(|d| d.request.key.as_str())
            .collect::<Vec<_>>(),
        ["l4", "l3", "l2", "l1"]
    );
    let ones = Filter {
        event_type: Some("x.one".into()),
        provider: Some("generic".into()),
        ..Filter::default()
    };
    assert_eq!(store.list(&ones).await.unwrap().len(), 2);
    let limited = Filter {
        limit: 1,
        ..Filter::default()
    };
    assert_eq!(store.list(&limited).await.unwrap().len(), 1);
    let future = Filter {
        since_ms: Some(now_ms() + 3_600_000),
        ..Filter::default()
    };
    assert!(store.list(&future).await.unwrap().is_empty());
    // Handle l1; l2 dead; l3 and l4 stay pending.
    for (next, ok) in [(Next::Done, true), (Next::Dead, false)] {
        let leased = store.take(LEASE).await.unwrap().unwrap();
        store.settle(&leased, attempt(ok, "x"), next).await.unwrap();
    }
    let done = Filter {
        status: Some(Status::Done),
        ..Filter::default()
    };
    assert_eq!(store.list(&done).await.unwrap()[0].request.key, "l1");
    let purged = store.purge(now_ms() + 1).await.unwrap();
    assert_eq!(purged, 2, "done and dead only");
    let left: Vec<String> = store
        .list(&Filter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|d| d.request.key)
        .collect();
    assert_eq!(left, ["l4", "l3"], "pending deliveries are never purged");
    // A held delivery is not retried by hand; the rest are.
    let held = store.take(LEASE).await.unwrap().unwrap();
    assert_eq!(store.retry(Which::Id(held.delivery.id)).await.unwrap(), 0);
    assert_eq!(store.retry(Which::Since(0)).await.unwrap(), 1);
    assert_eq!(store.retry(Which::Id(999_999)).await.unwrap(), 0);
    assert!(store.get(999_999).await.unwrap().is_none());
}

/// Eight workers racing for forty deliveries: each is handed out exactly once.
async fn racing_workers_never_share(store: Arc<dyn InboxStore>) {
    for n in 0..40 {
        store.put(delivery(&format!("r{n}"), "r")).await.unwrap();
    }
    let taken = Arc::new(Mutex::new(HashMap::<u64, usize>::new()));
    let workers = (0..8).map(|_| {
        let (store, taken) = (store.clone(), taken.clone());
        tokio::spawn(async move {
            while let Some(leased) = store.take(LEASE).await.unwrap() {
                *taken.lock().unwrap().entry(leased.delivery.id).or_default() += 1;
                done(&*store, &leased).await;
            }
        })
    });
    for worker in workers.collect::<Vec<_>>() {
        worker.await.unwrap();
    }
    let taken = taken.lock().unwrap();
    assert_eq!(taken.len(), 40);
    assert!(taken.values().all(|n| *n == 1), "{taken:?}");
}

/// Workers: a handler that fails twice then succeeds, one that panics once, one that
/// hangs past its timeout once, and one that always fails (parked dead after 3).
async fn workers_retry_until_done_or_dead(store: Arc<dyn InboxStore>) {
    let mut policy = Policy::default();
    policy.workers = 3;
    policy.handler_timeout = Duration::from_millis(300);
    policy.first_backoff = Duration::from_millis(10);
    policy.max_backoff = Duration::from_millis(40);
    policy.max_attempts = 3;
    policy.poll = Duration::from_millis(20);
    let inbox = Inbox::shared(store.clone()).policy(policy);
    let calls = Arc::new(Mutex::new(HashMap::<String, usize>::new()));
    let (finished, mut settled) = tokio::sync::mpsc::unbounded_channel::<()>();
    let seen = calls.clone();
    let workers = inbox.spawn_workers(handler_fn(move |d: hook_receiver::inbox::Delivery| {
        let n = {
            let mut calls = seen.lock().unwrap();
            let n = calls.entry(d.request.key.clone()).or_default();
            *n += 1;
            *n
        };
        let finished = finished.clone();
        async move {
            let outcome = match (d.request.key.as_str(), n) {
                ("twice", 1 | 2) => Outcome::retry("503 not yet"),
                ("panics", 1) => panic!("a handler bug"),
                ("hangs", 1) => {
                    std::future::pending::<()>().await;
                    unreachable!()
                }
                ("never", _) => Outcome::retry("500 always"),
                _ => Outcome::Done,
            };
            let _ = finished.send(());
            outcome
        }
    }));
    for key in ["twice", "panics", "hangs", "never", "fine"] {
        inbox.put(delivery(key, "w")).await.unwrap();
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let all = store.list(&Filter::default()).await.unwrap();
        let settled_all = all
            .iter()
            .all(|d| matches!(d.status, Status::Done | Status::Dead));
        if settled_all {
            let status: HashMap<String, Status> =
                all.into_iter().map(|d| (d.request.key, d.status)).collect();
            assert_eq!(status["never"], Status::Dead);
            for key in ["twice", "panics", "hangs", "fine"] {
                assert_eq!(status[key], Status::Done, "{key}");
            }
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not settled: {all:?}"
        );
        let _ = tokio::time::timeout(Duration::from_millis(200), settled.recv()).await;
    }
    workers.shutdown().await;
    let calls = calls.lock().unwrap().clone();
    assert_eq!(
        (
            calls["twice"],
            calls["panics"],
            calls["hangs"],
            calls["never"],
            calls["fine"]
        ),
        (3, 2, 2, 3, 1)
    );
    let dead = store
        .list(&Filter {
            status: Some(Status::Dead),
            ..Filter::default()
        })
        .await
        .unwrap();
    assert_eq!(dead[0].last_error.as_deref(), Some("500 always"));
    assert_eq!(dead[0].attempts, 3);
}

support::backends::on_each_backend!(
    [sqlite_inbox, postgres_inbox];
    (stores_once_and_hands_out_once,
    failures_wait_then_park_as_dead,
    an_ended_lease_is_taken_over,
    list_retry_and_purge,
    racing_workers_never_share,
    workers_retry_until_done_or_dead,)
);

/// Files that are not an inbox are refused, named, and left as they were.
#[tokio::test]
async fn foreign_and_damaged_files_are_refused_unchanged() {
    let dir = support::servers::scratch("inbox-foreign");
    let garbage = dir.join("garbage.db");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&garbage, &bytes).unwrap();
    let refused = SqliteInbox::open(&garbage).unwrap_err();
    assert!(
        matches!(refused, InboxError::NotAnInbox { .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("garbage.db"), "{refused}");
    assert_eq!(std::fs::read(&garbage).unwrap(), bytes, "unchanged");

    let foreign = dir.join("app.db");
    {
        let conn = rusqlite::Connection::open(&foreign).unwrap();
        conn.execute_batch("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
            .unwrap();
    }
    let before = std::fs::read(&foreign).unwrap();
    let refused = SqliteInbox::open(&foreign).unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("another program's SQLite database"),
        "{refused}"
    );
    assert_eq!(std::fs::read(&foreign).unwrap(), before, "unchanged");

    // Its own file opens again, by a second handle at once (the CLI beside a listener).
    let own = dir.join("inbox.db");
    let first = SqliteInbox::open(&own).unwrap();
    let id = first.put(delivery("shared", "s")).await.unwrap().id();
    let second = SqliteInbox::open(&own).unwrap();
    assert_eq!(second.get(id).await.unwrap().unwrap().request.key, "shared");
    assert_eq!(second.retry(Which::Id(id)).await.unwrap(), 1);
    drop((first, second));
    let _ = std::fs::remove_dir_all(dir);
}

/// A full inbox answers an error (the endpoint's 503), never a silent loss, and accepts
/// again once handled deliveries are purged.
#[tokio::test]
async fn a_full_inbox_refuses_then_recovers_after_a_purge() {
    let dir = support::servers::scratch("inbox-full");
    let inbox = SqliteInbox::open_sized(dir.join("inbox.db"), Some(256 * 1024)).unwrap();
    let mut stored = 0;
    let full = loop {
        let mut big = delivery(&format!("f{stored}"), "f");
        big.body = vec![b'x'; 16 * 1024];
        match inbox.put(big).await {
            Ok(_) => stored += 1,
            Err(error) => break error,
        }
        assert!(stored < 100, "the size limit never applied");
    };
    assert!(full.to_string().contains("full"), "{full}");
    assert!(stored > 3);
    // Everything stored before is intact and can be handled, then purged.
    while let Some(leased) = inbox.take(LEASE).await.unwrap() {
        done(&inbox, &leased).await;
    }
    assert_eq!(inbox.purge(now_ms() + 1).await.unwrap(), stored);
    inbox.put(delivery("after", "f")).await.unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// The endpoint over real HTTP: acknowledgements arrive while the handler is stalled; a
/// copy is stored once; a body over the limit is 413 and a delivery without its key 400,
/// nothing stored; a database that is down answers 503, never 2xx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_endpoint_acknowledges_while_the_handler_stalls() {
    use hook_sign::{Scheme, Verifier};
    use support::{SECRET, Sender};

    let mut server = support::servers::Postgres::start();
    let store = hook_receiver::inbox::PostgresInbox::connect(&server.conninfo()).unwrap();
    store.migrate().await.unwrap();
    let inbox = Inbox::new(store);
    // The handler holds every call until the test lets go.
    let (release, released) = tokio::sync::watch::channel(false);
    let handled = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = handled.clone();
    let workers = inbox.spawn_workers(handler_fn(move |d: hook_receiver::inbox::Delivery| {
        let mut released = released.clone();
        let log = log.clone();
        async move {
            let _ = released.wait_for(|go| *go).await;
            log.lock().unwrap().push(d.request.key);
            Outcome::Done
        }
    }));
    let verifier = Verifier::new(Scheme::standard_webhooks(), SECRET).unwrap();
    let endpoint = inbox.endpoint(verifier);
    let router = axum::Router::new().route("/hook", axum::routing::post_service(endpoint));
    let url = support::serve(router).await;
    let sender = Sender::new(Scheme::standard_webhooks());
    for n in 0..10 {
        let answer = sender.send(&url, &format!("evt_{n}")).await.unwrap();
        assert_eq!(answer.status, 200, "{answer:?}");
        assert!(answer.text.starts_with("stored as delivery"), "{answer:?}");
    }
    let copy = sender.send(&url, "evt_3").await.unwrap();
    assert!(
        copy.status == 200 && copy.text.contains("stored before"),
        "{copy:?}"
    );
    assert!(
        handled.lock().unwrap().is_empty(),
        "the handler is still stalled"
    );

    let client = reqwest::Client::new();
    // Refused before its body is read: the server may close the connection after the
    // answer, so it must not go back to the pool for the next request.
    let huge = client
        .post(&url)
        .header("connection", "close")
        .body(vec![b'x'; 3 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);
    let signer = hook_sign::Signer::new(Scheme::standard_webhooks(), SECRET).unwrap();
    let body = Sender::body("evt_nokey");
    let headers = signer
        .sign(&hook_sign::Message::new(body.as_bytes()).id("evt_nokey"))
        .unwrap();
    let mut request = client.post(&url).body(body);
    for (name, value) in headers.iter() {
        if !name.eq_ignore_ascii_case("webhook-id") {
            request = request.header(name, value);
        }
    }
    let refused = request.send().await.unwrap();
    assert!(
        matches!(refused.status().as_u16(), 400 | 401),
        "{}",
        refused.status()
    );

    server.kill();
    let down = sender.send(&url, "evt_down").await.unwrap();
    assert_eq!(down.status, 503, "{down:?}");
    assert_eq!(down.retry_after.as_deref(), Some("5"));
    server.restart();

    release.send(true).unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while handled.lock().unwrap().len() < 10 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{:?}",
            handled.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut keys = handled.lock().unwrap().clone();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 10, "each stored delivery handled once");
    assert!(!keys.iter().any(|k| k.contains("evt_down")));
    workers.shutdown().await;
}
