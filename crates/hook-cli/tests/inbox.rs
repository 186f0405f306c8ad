//! `hook listen --inbox` as a sidecar, killed with SIGKILL at random moments while a
//! seeded sender posts deliveries: every delivery the sender saw acknowledged reaches the
//! app (counted), duplicates are counted and reported. Then the same with two instances
//! sharing a real PostgreSQL; an app that stalls while acknowledgements keep arriving; and
//! `hook inbox` steering dead deliveries.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

#[path = "support/listen.rs"]
mod listen;
#[path = "../../hook-receiver/tests/support/servers.rs"]
mod servers;

use std::collections::{HashMap, HashSet};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::StatusCode;
use hook_sign::{Message, Scheme, Signer};
use listen::Listener;

const SECRET: &str = "inbox-secret";

/// What the app does with a delivery.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Counts it, answers 200.
    Handle,
    /// Never answers (a stalled app).
    Stall,
    /// Answers 503 with `Retry-After: 1`.
    Busy,
}

#[derive(Clone)]
struct App {
    handled: Arc<Mutex<HashMap<String, usize>>>,
    arrived: Arc<std::sync::atomic::AtomicUsize>,
    mode: Arc<Mutex<Mode>>,
    changed: Arc<tokio::sync::Notify>,
}

impl App {
    async fn start(mode: Mode) -> (App, String) {
        let app = App {
            handled: Arc::default(),
            arrived: Arc::default(),
            mode: Arc::new(Mutex::new(mode)),
            changed: Arc::default(),
        };
        let state = app.clone();
        let router = axum::Router::new().fallback(move |body: Bytes| {
            let state = state.clone();
            async move {
                state
                    .arrived
                    .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
                let id = json["id"].as_str().unwrap().to_owned();
                let mode = *state.mode.lock().unwrap();
                match mode {
                    Mode::Stall => std::future::pending::<axum::response::Response>().await,
                    Mode::Busy => axum::response::IntoResponse::into_response((
                        StatusCode::SERVICE_UNAVAILABLE,
                        [("retry-after", "1")],
                        "busy",
                    )),
                    Mode::Handle => {
                        *state.handled.lock().unwrap().entry(id).or_default() += 1;
                        state.changed.notify_waiters();
                        axum::response::IntoResponse::into_response(StatusCode::OK)
                    }
                }
            }
        });
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/app", socket.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(socket, router).await.unwrap() });
        (app, url)
    }

    fn handled(&self) -> HashMap<String, usize> {
        self.handled.lock().unwrap().clone()
    }

    /// Waits (bounded) until every id in `ids` was handled.
    async fn wait_for(&self, ids: &HashSet<String>) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
        loop {
            let changed = self.changed.notified();
            let handled = self.handled();
            let missing: Vec<&String> =
                ids.iter().filter(|id| !handled.contains_key(*id)).collect();
            if missing.is_empty() {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "acknowledged, never handled: {missing:?}"
            );
            let _ = tokio::time::timeout(Duration::from_secs(1), changed).await;
        }
    }
}

/// `hook listen --inbox` forwarding to `app`.
fn listen(app: &str, inbox: &str, extra: &[&str]) -> Listener {
    let mut args = vec!["--inbox", inbox];
    args.extend_from_slice(extra);
    Listener::forwarding("generic", SECRET, app, &args)
}

fn signed(id: &str) -> (String, Vec<(String, String)>) {
    let body = format!(r#"{{"id":"{id}","type":"order.paid","data":{{}}}}"#);
    let signer = Signer::new(Scheme::generic(), SECRET).unwrap();
    let headers = signer.sign(&Message::new(body.as_bytes())).unwrap();
    let pairs = headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_owned()))
        .collect();
    (body, pairs)
}

/// Posts event `id`; the status, or `None` when no answer came (the listener died).
async fn send(client: &reqwest::Client, url: &str, id: &str) -> Option<u16> {
    let (body, headers) = signed(id);
    let mut request = client
        .post(url)
        .body(body)
        .timeout(Duration::from_secs(30))
        .header("authorization", "Bearer inbox-token");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    Some(request.send().await.ok()?.status().as_u16())
}

/// `instances` listeners on `inbox`, each killed with SIGKILL and restarted at random
/// moments, while `events` deliveries are sent (each retried until acknowledged, to a
/// random live instance).
async fn kill_nine(inbox: &str, instances: usize, events: usize, label: &str) {
    // `HOOK_INBOX_EVENTS=2000` for a longer run (RELIABILITY.md's figures).
    let events = std::env::var("HOOK_INBOX_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(events);
    let seed = servers::seed();
    let (app, app_url) = App::start(Mode::Handle).await;
    let extra = ["--timeout", "2"];
    let listeners: Arc<Vec<Mutex<Listener>>> = Arc::new(
        (0..instances)
            .map(|_| Mutex::new(listen(&app_url, inbox, &extra)))
            .collect(),
    );
    let urls = || -> Vec<String> {
        listeners
            .iter()
            .map(|l| l.lock().unwrap().url.clone())
            .collect()
    };
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let kills = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // The killer: at seeded moments, SIGKILL one instance and start it again.
    let killer = {
        let (listeners, done, kills) = (listeners.clone(), done.clone(), kills.clone());
        let (app_url, inbox) = (app_url.clone(), inbox.to_owned());
        std::thread::spawn(move || {
            let mut rng = fastrand::Rng::with_seed(seed);
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(rng.u64(30..250)));
                let victim = &listeners[rng.usize(..listeners.len())];
                let fresh = {
                    victim.lock().unwrap().kill();
                    kills.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    listen(&app_url, &inbox, &extra)
                };
                *victim.lock().unwrap() = fresh;
            }
        })
    };
    let client = reqwest::Client::new();
    let mut rng = fastrand::Rng::with_seed(seed ^ 0x5eed);
    let mut acknowledged = HashSet::new();
    let mut refused = 0usize;
    for n in 0..events {
        let id = format!("evt_{n}");
        loop {
            // A killer that failed (a listener that would not start) fails the test
            // instead of leaving the sender on a dead address.
            if killer.is_finished() {
                match killer.join() {
                    Err(panic) => std::panic::resume_unwind(panic),
                    Ok(()) => panic!("the killer stopped early"),
                }
            }
            let all = urls();
            let url = &all[rng.usize(..all.len())];
            match send(&client, url, &id).await {
                Some(200) => {
                    acknowledged.insert(id.clone());
                    break;
                }
                Some(status) => {
                    assert_eq!(status, 503, "{id}: only 200 or 503 while storing");
                    refused += 1;
                }
                None => refused += 1, // the instance was killed mid-request: send again
            }
            // A copy now and then, as providers send.
        }
        if rng.f64() < 0.2 {
            let all = urls();
            let _ = send(&client, &all[rng.usize(..all.len())], &id).await;
        }
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    killer.join().unwrap();
    app.wait_for(&acknowledged).await;
    let handled = app.handled();
    let duplicates: usize = handled.values().map(|n| n - 1).sum();
    eprintln!(
        "kill -9 [{label}]: {} acknowledged, {} handled, {duplicates} duplicate forwards, {} kills, {refused} sends unanswered or 503 (seed {seed})",
        acknowledged.len(),
        handled.len(),
        kills.load(std::sync::atomic::Ordering::SeqCst),
    );
    assert_eq!(acknowledged.len(), events);
    assert!(acknowledged.iter().all(|id| handled.contains_key(id)));
    assert!(
        kills.load(std::sync::atomic::Ordering::SeqCst) > 0,
        "nothing was killed"
    );
    drop(listeners);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_loses_nothing_with_a_file_inbox() {
    let dir = servers::scratch("cli-inbox");
    let inbox = dir.join("inbox.db");
    kill_nine(inbox.to_str().unwrap(), 1, 150, "sqlite, 1 instance").await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_nine_loses_nothing_with_two_instances_on_postgres() {
    let server = servers::Postgres::start();
    kill_nine(&server.conninfo(), 2, 150, "postgres, 2 instances").await;
}

fn hook(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_hook"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// While the app stalls (it never answers), every delivery is still acknowledged: the
/// answers wait for storage, not for the app.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_arrive_while_the_app_stalls() {
    let dir = servers::scratch("cli-inbox-stall");
    let inbox = dir.join("inbox.db");
    let (app, app_url) = App::start(Mode::Stall).await;
    let listener = listen(&app_url, inbox.to_str().unwrap(), &["--timeout", "30"]);
    let client = reqwest::Client::new();
    for n in 0..20 {
        assert_eq!(
            send(&client, &listener.url, &format!("slow_{n}")).await,
            Some(200)
        );
    }
    assert!(app.handled().is_empty(), "the app has finished nothing");
    // The stored deliveries are in the inbox, visible from another process meanwhile.
    let (code, out, err) = hook(&[
        "inbox",
        "list",
        "--inbox",
        inbox.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 20, "{out}");
    drop(listener);
    let _ = std::fs::remove_dir_all(dir);
}

/// An app that answers 503 with `Retry-After` until the attempts run out: parked as dead,
/// listed, shown with its errors, retried by hand once the app is back, then purged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_deliveries_are_listed_retried_and_purged() {
    let dir = servers::scratch("cli-inbox-dead");
    let inbox = dir.join("inbox.db");
    let path = inbox.to_str().unwrap();
    let (app, app_url) = App::start(Mode::Busy).await;
    let listener = listen(&app_url, path, &["--timeout", "5", "--max-attempts", "2"]);
    let client = reqwest::Client::new();
    assert_eq!(send(&client, &listener.url, "dead_1").await, Some(200));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let dead = loop {
        let (code, out, err) = hook(&[
            "inbox", "list", "--inbox", path, "--status", "dead", "--json",
        ]);
        assert_eq!(code, 0, "{err}");
        if let Some(line) = out.lines().next() {
            break serde_json::from_str::<serde_json::Value>(line).unwrap();
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never parked as dead"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(dead["attempts"], 2);
    assert_eq!(dead["event_type"], "order.paid");
    assert!(
        dead["last_error"].as_str().unwrap().starts_with("503"),
        "{dead}"
    );
    assert_eq!(app.arrived.load(std::sync::atomic::Ordering::SeqCst), 2);
    let id = dead["id"].as_u64().unwrap().to_string();
    let (code, shown, _) = hook(&["inbox", "show", &id, "--inbox", path, "--json"]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&shown).unwrap();
    assert_eq!(shown["history"].as_array().unwrap().len(), 2);
    assert!(shown["body"].as_str().unwrap().contains("dead_1"));
    let headers = shown["headers"].to_string();
    assert!(headers.contains("x-webhook-signature"), "{headers}");
    assert!(
        headers.contains(r#"["authorization","[redacted]"]"#),
        "{headers}"
    );
    assert!(!headers.contains("Bearer inbox-token"), "{headers}");
    // The app is back: retry the dead ones by hand.
    *app.mode.lock().unwrap() = Mode::Handle;
    let (code, out, err) = hook(&["inbox", "retry", "--dead", "--inbox", path, "--json"]);
    assert_eq!((code, out.trim()), (0, r#"{"retried":1}"#), "{err}");
    app.wait_for(&HashSet::from(["dead_1".to_owned()])).await;
    // Purge: pending ones are kept; handled ones before the time go.
    let (code, out, _) = hook(&[
        "inbox",
        "purge",
        "--before",
        "2000-01-01T00:00:00Z",
        "--inbox",
        path,
        "--json",
    ]);
    assert_eq!((code, out.trim()), (0, r#"{"purged":0}"#));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (_, out, _) = hook(&[
            "inbox", "list", "--inbox", path, "--status", "done", "--json",
        ]);
        if out.lines().count() == 1 {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never recorded as done"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (code, out, _) = hook(&[
        "inbox", "purge", "--before", "0s", "--inbox", path, "--json",
    ]);
    assert_eq!((code, out.trim()), (0, r#"{"purged":1}"#));
    // Bad input: an unknown id, a foreign file, a missing --inbox.
    let (code, _, err) = hook(&["inbox", "show", "999", "--inbox", path]);
    assert_eq!(code, 1);
    assert!(err.contains("no delivery 999"), "{err}");
    let foreign = dir.join("notes.txt");
    std::fs::write(
        &foreign,
        "these are my notes, not a database, and long enough to be read as one".repeat(20),
    )
    .unwrap();
    let (code, _, err) = hook(&["inbox", "list", "--inbox", foreign.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("notes.txt is not a hook inbox"), "{err}");
    let (code, _, err) = hook(&["inbox", "list"]);
    assert_eq!(code, 2, "{err}");
    drop(listener);
    let _ = std::fs::remove_dir_all(dir);
}
