//! `hook listen --idempotency` as a fleet of sidecars: three `hook listen` processes in
//! front of one app, sharing a real Redis, then a real PostgreSQL (started by the test).
//! A seeded sender posts events to random instances with concurrent copies and late
//! duplicates; the app fails 20% of the calls; the sender retries as a provider does.
//! Every event reaches the app's success path exactly once, and no 2xx answers an event
//! the app has not handled.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[path = "support/listen.rs"]
mod listen;
#[path = "../../hook-receiver/tests/support/servers.rs"]
mod servers;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::StatusCode;
use hook_sign::{Message, Scheme, Signer};
use listen::Listener;

const EVENTS: usize = 40;
const SECRET: &str = "sidecar-secret";

/// The app: 20% of calls fail (seeded), the rest count a success for the event.
#[derive(Clone)]
struct App {
    successes: Arc<Mutex<HashMap<String, usize>>>,
    rng: Arc<Mutex<fastrand::Rng>>,
}

impl App {
    async fn start(seed: u64) -> (App, String) {
        let app = App {
            successes: Arc::default(),
            rng: Arc::new(Mutex::new(fastrand::Rng::with_seed(seed))),
        };
        let state = app.clone();
        let router = axum::Router::new().fallback(move |body: Bytes| {
            let state = state.clone();
            async move {
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let id = json["id"].as_str().unwrap().to_owned();
                if state.rng.lock().unwrap().f64() < 0.2 {
                    return StatusCode::INTERNAL_SERVER_ERROR;
                }
                *state.successes.lock().unwrap().entry(id).or_default() += 1;
                StatusCode::OK
            }
        });
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/app", socket.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(socket, router).await.unwrap() });
        (app, url)
    }

    fn successes(&self, id: &str) -> usize {
        self.successes.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

/// One `hook listen --idempotency` sidecar forwarding to `app`.
fn sidecar(app: &str, store: &str) -> Listener {
    Listener::forwarding("generic", SECRET, app, &["--idempotency", store])
}

async fn send(client: &reqwest::Client, signer: &Signer, url: &str, id: &str) -> u16 {
    let body = format!(r#"{{"id":"{id}","type":"user.created","data":{{}}}}"#);
    let headers = signer.sign(&Message::new(body.as_bytes())).unwrap();
    let mut request = client.post(url).body(body);
    for (name, value) in headers.iter() {
        request = request.header(name, value);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn fleet(store: &str) {
    let seed = servers::seed();
    let (app, app_url) = App::start(seed).await;
    let sidecars: Vec<Listener> = (0..3).map(|_| sidecar(&app_url, store)).collect();
    let urls: Arc<Vec<String>> = Arc::new(sidecars.iter().map(|s| s.url.clone()).collect());
    let signer = Arc::new(Signer::new(Scheme::generic(), SECRET).unwrap());
    let client = reqwest::Client::new();
    let mut events = tokio::task::JoinSet::new();
    for n in 0..EVENTS {
        let (urls, signer, client, app) =
            (urls.clone(), signer.clone(), client.clone(), app.clone());
        let mut rng = fastrand::Rng::with_seed(seed ^ (n as u64 + 1).wrapping_mul(0x9e37_79b9));
        events.spawn(async move {
            let id = format!("evt_{n}");
            for _ in 0..200 {
                let copies = if rng.f64() < 0.3 { 2 } else { 1 };
                let mut sends = Vec::new();
                for _ in 0..copies {
                    let url = urls[rng.usize(..urls.len())].clone();
                    let (client, signer, id) = (client.clone(), signer.clone(), id.clone());
                    sends.push(tokio::spawn(async move {
                        send(&client, &signer, &url, &id).await
                    }));
                }
                let mut acknowledged = false;
                for sent in sends {
                    let status = sent.await.unwrap();
                    assert!(matches!(status, 200 | 429 | 500), "{id}: {status}");
                    if status == 200 {
                        assert!(app.successes(&id) >= 1, "{id} acknowledged, never handled");
                        acknowledged = true;
                    }
                }
                if acknowledged {
                    if rng.f64() < 0.3 {
                        let url = &urls[rng.usize(..urls.len())];
                        assert_eq!(
                            send(&client, &signer, url, &id).await,
                            200,
                            "late copy of {id}"
                        );
                    }
                    return;
                }
            }
            panic!("{id} was never acknowledged");
        });
    }
    while let Some(done) = events.join_next().await {
        done.unwrap();
    }
    let successes = app.successes.lock().unwrap().clone();
    assert_eq!(successes.len(), EVENTS);
    for (id, count) in successes {
        assert_eq!(
            count, 1,
            "{id} reached the app's success path {count} times"
        );
    }
    drop(sidecars);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sidecars_sharing_redis_forward_each_event_once() {
    let server = servers::Redis::start();
    fleet(&server.url()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sidecars_sharing_postgres_forward_each_event_once() {
    let server = servers::Postgres::start();
    fleet(&server.conninfo()).await;
}
