//! A fleet: three receivers, each with its own store client, sharing one real Redis or
//! PostgreSQL; a seeded sender posts events to random instances with duplicates,
//! concurrent copies and 20% handler failures, retrying as a provider does. Every event
//! succeeds exactly once, and no 2xx ever answers an event that was not handled. Then an
//! outage: the store server dies mid-run, deliveries get 503 and the handler does not
//! run; after a restart the retries complete.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;

use hook_receiver::{IdempotencyStore, PostgresStore, RedisStore};
use hook_sign::Scheme;
use support::servers::{Postgres, Redis, seed};
use support::{Ledger, Script, Sender, router, serve};

const EVENTS: usize = 80;
const TIMEOUT: Duration = Duration::from_secs(30);

async fn fleet(stores: Vec<Arc<dyn IdempotencyStore>>) {
    let seed = seed();
    let ledger = Arc::new(Ledger::default());
    let mut urls = Vec::new();
    for (i, store) in stores.into_iter().enumerate() {
        let script = Script::failing(ledger.clone(), seed.wrapping_add(i as u64), 0.2);
        urls.push(serve(router(Scheme::generic(), store, script, TIMEOUT)).await);
    }
    let urls = Arc::new(urls);
    let sender = Sender::new(Scheme::generic());
    let mut events = tokio::task::JoinSet::new();
    for n in 0..EVENTS {
        let (urls, sender, ledger) = (urls.clone(), sender.clone(), ledger.clone());
        let mut rng =
            fastrand::Rng::with_seed(seed ^ (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
        events.spawn(async move {
            let id = format!("evt_{n}");
            for attempt in 0..200 {
                // A provider's attempt, sometimes with a concurrent copy (a duplicate
                // delivery racing it) to another instance.
                let copies = if rng.f64() < 0.3 { 2 } else { 1 };
                let mut sends = Vec::new();
                for _ in 0..copies {
                    let url = urls[rng.usize(..urls.len())].clone();
                    let (sender, id) = (sender.clone(), id.clone());
                    sends.push(tokio::spawn(async move { sender.send(&url, &id).await }));
                }
                let mut acknowledged = false;
                for send in sends {
                    let answer = send.await.unwrap().expect("every instance answers");
                    assert!(matches!(answer.status, 200 | 429 | 500), "{id}: {answer:?}");
                    if answer.status == 200 {
                        assert!(
                            ledger.successes(&id) >= 1,
                            "{id} acknowledged but never handled"
                        );
                        acknowledged = true;
                    }
                }
                if acknowledged {
                    // A late duplicate, as providers send: acknowledged, not handled again.
                    if rng.f64() < 0.3 {
                        let url = &urls[rng.usize(..urls.len())];
                        let answer = sender.send(url, &id).await.unwrap();
                        assert_eq!(answer.status, 200, "{id}: {answer:?}");
                    }
                    return attempt;
                }
            }
            panic!("{id} was never acknowledged in 200 attempts");
        });
    }
    let mut attempts = 0;
    while let Some(done) = events.join_next().await {
        attempts += done.unwrap() + 1;
    }
    let successes = ledger.all();
    assert_eq!(successes.len(), EVENTS, "every event was handled");
    for (id, count) in &successes {
        assert_eq!(*count, 1, "{id} was handled {count} times");
    }
    assert!(
        attempts > EVENTS,
        "some deliveries failed and were retried: {attempts}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_fleet_handles_every_event_once() {
    let server = Redis::start();
    let stores = (0..3)
        .map(|_| Arc::new(RedisStore::connect(&server.url()).unwrap()) as Arc<dyn IdempotencyStore>)
        .collect();
    fleet(stores).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_fleet_handles_every_event_once() {
    let server = Postgres::start();
    let mut stores: Vec<Arc<dyn IdempotencyStore>> = Vec::new();
    for _ in 0..3 {
        let store = PostgresStore::with_pool_size(&server.conninfo(), 4).unwrap();
        store.migrate().await.unwrap();
        stores.push(Arc::new(store));
    }
    fleet(stores).await;
}

/// What an outage must look like to a sender: 503 with Retry-After, the handler not run,
/// and after the restart the retries complete (completed keys kept).
async fn outage(store: Arc<dyn IdempotencyStore>, kill: impl FnOnce(), restart: impl FnOnce()) {
    let (script, mut started) = Script::new(Arc::new(Ledger::default()));
    let url = serve(router(Scheme::generic(), store, script.clone(), TIMEOUT)).await;
    let sender = Sender::new(Scheme::generic());
    assert_eq!(sender.send(&url, "evt_before").await.unwrap().status, 200);
    // One handler is running when the store dies.
    let verdict = script.hold("evt_during");
    let during = tokio::spawn({
        let (sender, url) = (sender.clone(), url.clone());
        async move { sender.send(&url, "evt_during").await }
    });
    assert_eq!(started.recv().await.as_deref(), Some("evt_during"));
    kill();
    let calls = script.ledger.calls();
    for id in ["evt_new", "evt_before"] {
        let answer = sender.send(&url, id).await.unwrap();
        assert_eq!(answer.status, 503, "{id} during the outage: {answer:?}");
        assert_eq!(answer.retry_after.as_deref(), Some("5"));
    }
    assert_eq!(
        script.ledger.calls(),
        calls,
        "no handler runs without a claim"
    );
    // The running handler succeeds: its event was handled, so it is acknowledged even
    // though the store cannot record it (the claim ends with its lease).
    verdict.send(true).unwrap();
    assert_eq!(during.await.unwrap().unwrap().status, 200);
    restart();
    // The sender retries as a provider does, until the store answers again.
    let mut answer = sender.send(&url, "evt_new").await.unwrap();
    for _ in 0..600 {
        if answer.status != 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        answer = sender.send(&url, "evt_new").await.unwrap();
    }
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(script.ledger.successes("evt_new"), 1);
    let again = sender.send(&url, "evt_before").await.unwrap();
    assert_eq!(again.status, 200);
    assert!(
        again.text.contains("already handled"),
        "kept across the restart: {again:?}"
    );
    assert_eq!(script.ledger.successes("evt_before"), 1);
}

/// A store's server, killed and restarted by the outage test.
trait Server: Send + 'static {
    fn kill(&mut self);
    fn restart(&mut self);
}

impl Server for Redis {
    fn kill(&mut self) {
        Redis::kill(self);
    }
    fn restart(&mut self) {
        Redis::restart(self);
    }
}

impl Server for Postgres {
    fn kill(&mut self) {
        Postgres::kill(self);
    }
    fn restart(&mut self) {
        Postgres::restart(self);
    }
}

/// [`outage`] with `server` behind `store`.
async fn outage_of(server: impl Server, store: Arc<dyn IdempotencyStore>) {
    let server = Arc::new(std::sync::Mutex::new(server));
    let (a, b) = (server.clone(), server.clone());
    outage(
        store,
        move || a.lock().unwrap().kill(),
        move || b.lock().unwrap().restart(),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_outage_answers_503_and_recovers() {
    let server = Redis::start();
    let store = RedisStore::connect(&server.url())
        .unwrap()
        .timeout(Duration::from_millis(500));
    outage_of(server, Arc::new(store)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_answers_503_and_recovers() {
    let server = Postgres::start();
    let store = PostgresStore::connect(&server.conninfo()).unwrap();
    store.migrate().await.unwrap();
    outage_of(server, Arc::new(store)).await;
}
