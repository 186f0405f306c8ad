//! Test support: real servers, a scripted receiver app behind hook-receiver's layer, and a
//! sender that signs as a provider does.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod backends;
pub mod servers;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use hook_receiver::{IdempotencyLayer, IdempotencyStore};
use hook_sign::layer::VerifyLayer;
use hook_sign::{Message, Scheme, Signer, Verifier};
use tokio::sync::{mpsc, oneshot};

/// The secret every test app verifies with.
pub const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the handler does on one call for an event.
#[derive(Debug)]
pub enum Step {
    /// Handles it: counted as a success, 200.
    Ok,
    /// Fails: 500, nothing counted.
    Fail,
    /// Panics.
    Panic,
    /// Says it started, then waits for the test's word: `true` succeeds, `false` fails. A
    /// dropped sender never answers (a handler that hangs).
    Hold(oneshot::Receiver<bool>),
}

/// Every handler of a fleet shares one: the successes per event, and the calls.
#[derive(Debug, Default)]
pub struct Ledger {
    successes: Mutex<HashMap<String, usize>>,
    calls: AtomicUsize,
}

impl Ledger {
    /// How many times the handler succeeded for `id`.
    pub fn successes(&self, id: &str) -> usize {
        self.successes.lock().unwrap().get(id).copied().unwrap_or(0)
    }

    /// Every event's success count.
    pub fn all(&self) -> HashMap<String, usize> {
        self.successes.lock().unwrap().clone()
    }

    /// Handler calls, successful or not.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

/// The handler's behaviour: scripted steps per event id, otherwise `Ok`, or failing at a
/// seeded rate.
pub struct Script {
    steps: Mutex<HashMap<String, VecDeque<Step>>>,
    pub ledger: Arc<Ledger>,
    started: mpsc::UnboundedSender<String>,
    failures: Option<(Mutex<fastrand::Rng>, f64)>,
}

impl Script {
    /// A script; the receiver yields the ids of held calls as they start.
    pub fn new(ledger: Arc<Ledger>) -> (Arc<Script>, mpsc::UnboundedReceiver<String>) {
        let (started, rx) = mpsc::unbounded_channel();
        let script = Script {
            steps: Mutex::new(HashMap::new()),
            ledger,
            started,
            failures: None,
        };
        (Arc::new(script), rx)
    }

    /// A script failing a `rate` of unscripted calls, drawn from `seed`.
    pub fn failing(ledger: Arc<Ledger>, seed: u64, rate: f64) -> Arc<Script> {
        let (started, _) = mpsc::unbounded_channel();
        Arc::new(Script {
            steps: Mutex::new(HashMap::new()),
            ledger,
            started,
            failures: Some((Mutex::new(fastrand::Rng::with_seed(seed)), rate)),
        })
    }

    /// Queues `step` for the next call for `id`.
    pub fn then(&self, id: &str, step: Step) {
        self.steps
            .lock()
            .unwrap()
            .entry(id.to_owned())
            .or_default()
            .push_back(step);
    }

    /// Queues a held step; the sender answers it.
    pub fn hold(&self, id: &str) -> oneshot::Sender<bool> {
        let (tx, rx) = oneshot::channel();
        self.then(id, Step::Hold(rx));
        tx
    }

    fn next(&self, id: &str) -> Step {
        if let Some(step) = self
            .steps
            .lock()
            .unwrap()
            .get_mut(id)
            .and_then(VecDeque::pop_front)
        {
            return step;
        }
        match &self.failures {
            Some((rng, rate)) if rng.lock().unwrap().f64() < *rate => Step::Fail,
            _ => Step::Ok,
        }
    }
}

async fn handle(State(script): State<Arc<Script>>, body: Bytes) -> StatusCode {
    script.ledger.calls.fetch_add(1, Ordering::SeqCst);
    let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON deliveries");
    let id = json["id"].as_str().expect("an id").to_owned();
    let ok = match script.next(&id) {
        Step::Ok => true,
        Step::Fail => false,
        Step::Panic => panic!("the handler panics for {id}, as scripted"),
        Step::Hold(verdict) => {
            let _ = script.started.send(id.clone());
            match verdict.await {
                Ok(ok) => ok,
                // Nobody will answer: the handler hangs, as a stuck one does.
                Err(_) => std::future::pending::<bool>().await,
            }
        }
    };
    if ok {
        *script
            .ledger
            .successes
            .lock()
            .unwrap()
            .entry(id)
            .or_default() += 1;
        StatusCode::OK
    } else {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

/// The router: `/hook` behind `hook_receiver::layer` with `scheme` and `store`.
pub fn router(
    scheme: Scheme,
    store: Arc<dyn IdempotencyStore>,
    script: Arc<Script>,
    timeout: Duration,
) -> Router {
    let verifier = Verifier::new(scheme.clone(), SECRET).expect("a verifier");
    let idempotency = IdempotencyLayer::shared(&scheme, store).handler_timeout(timeout);
    Router::new()
        .route("/hook", post(handle))
        .with_state(script)
        .layer(idempotency)
        .layer(VerifyLayer::new(verifier))
}

/// Serves `router` on a free loopback port; its URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// A sender signing as `scheme` does.
#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    signer: Arc<Signer>,
}

/// An answer: status, `Retry-After`, body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub text: String,
}

impl Sender {
    pub fn new(scheme: Scheme) -> Sender {
        Sender {
            client: reqwest::Client::new(),
            signer: Arc::new(Signer::new(scheme, SECRET).expect("a signer")),
        }
    }

    /// The event's body.
    pub fn body(id: &str) -> String {
        format!(r#"{{"id":"{id}","type":"user.created","data":{{"n":1}}}}"#)
    }

    /// Posts event `id` (signed now; the message id is the event id); `None` when no
    /// answer came.
    pub async fn send(&self, url: &str, id: &str) -> Option<Answer> {
        let body = Sender::body(id);
        let headers = self
            .signer
            .sign(&Message::new(body.as_bytes()).id(id))
            .expect("signs");
        let mut request = self.client.post(url).body(body);
        for (name, value) in headers.iter() {
            request = request.header(name, value);
        }
        let response = request.send().await.ok()?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.unwrap_or_default();
        Some(Answer {
            status,
            retry_after,
            text,
        })
    }
}
