//! The local development loop with the built binary, over loopback: `hook trigger` →
//! `hook listen --forward-to` → a small receiving app, recorded with `--record`, then
//! `hook replay`; the app verifies with hook-sign and sees the same bytes each time.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hook_sign::{Message, Scheme, Signer, Verifier};
use serde_json::Value;

#[path = "support/listen.rs"]
mod listen;
use listen::{Listener, WAIT};

fn hook(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hook"))
        .args(args)
        .env_remove("HOOK_SECRET")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// `output` of a command that must succeed (else its stderr is the failure).
fn succeeds(output: Output) -> Output {
    assert!(output.status.success(), "{}", text(&output.stderr));
    output
}

/// [`hook_async`], which must succeed.
async fn hook_ok(args: &[&str]) -> Output {
    succeeds(hook_async(args).await)
}

/// `hook trigger PROVIDER EVENT --to TO --secret SECRET`, then `extra`.
async fn trigger(provider: &str, event: &str, to: &str, secret: &str, extra: &[&str]) -> Output {
    let mut args = vec!["trigger", provider, event, "--to", to, "--secret", secret];
    args.extend_from_slice(extra);
    hook_async(&args).await
}

/// `hook` off the runtime's threads, so the app in this process keeps answering.
async fn hook_async(args: &[&str]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        hook(&args)
    })
    .await
    .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The receiving app: records each request, answers with the status set in `status`.
struct App {
    url: String,
    status: Arc<AtomicU16>,
    received: tokio::sync::mpsc::UnboundedReceiver<(HeaderMap, Bytes)>,
}

impl App {
    async fn start() -> App {
        let (tx, received) = tokio::sync::mpsc::unbounded_channel();
        let status = Arc::new(AtomicU16::new(200));
        let answer = status.clone();
        let router = axum::Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
            let tx = tx.clone();
            let answer = answer.clone();
            async move {
                let _ = tx.send((headers, body));
                StatusCode::from_u16(answer.load(Ordering::SeqCst)).unwrap()
            }
        });
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/app", socket.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(socket, router).await.unwrap() });
        App {
            url,
            status,
            received,
        }
    }

    async fn next(&mut self) -> (HeaderMap, Bytes) {
        tokio::time::timeout(WAIT, self.received.recv())
            .await
            .expect("the app received a request in time")
            .unwrap()
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trigger_listen_forward_record_replay_round_trip() {
    let mut app = App::start().await;
    let dir = std::env::temp_dir().join(format!("hook-devloop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("record.jsonl");
    let _ = std::fs::remove_file(&record);
    let record_arg = record.to_str().unwrap().to_owned();
    let app_url = app.url.clone();
    let listen = Listener::start(&[
        "--scheme",
        "uipath",
        "--scheme",
        "generic",
        "--secret",
        "old-secret",
        "--secret",
        "-new-secret",
        "--forward-to",
        &app_url,
        "--record",
        &record_arg,
        // Step 2 shows a tampered delivery reaching the app: the debugging mode.
        "--insecure-forward-invalid",
        "--json",
    ]);

    // 1. A realistic UiPath event, signed with the second (rotated-in) secret, overridden.
    let to = listen.url.clone();
    let triggered = succeeds(
        trigger(
            "uipath",
            "job.faulted",
            &to,
            "-new-secret",
            &["--set", "Job.Info=disk full", "--json"],
        )
        .await,
    );
    let sent: Value = serde_json::from_slice(&triggered.stdout).unwrap();
    assert_eq!(sent["status"], 200);
    let (headers, first_body) = app.next().await;
    Verifier::new(Scheme::uipath(), "-new-secret")
        .unwrap()
        .verify(&headers, &first_body)
        .expect("the app verifies the forwarded delivery");
    let event: Value = serde_json::from_slice(&first_body).unwrap();
    assert_eq!(event["Type"], "job.faulted");
    assert_eq!(event["Job"]["Info"], "disk full");
    assert_eq!(event["Job"]["State"], "Faulted");
    hook_facade::uipath::parse_event(&first_body).unwrap();
    // Every header trigger says it sent reached the app, the host excepted.
    for pair in sent["headers"].as_array().unwrap() {
        let (name, value) = (pair[0].as_str().unwrap(), pair[1].as_str().unwrap());
        if name != "host" {
            assert_eq!(header(&headers, name), value, "{name}");
        }
    }
    let seen = listen.next_json();
    assert_eq!(seen["verification"]["valid"], true);
    assert_eq!(seen["verification"]["scheme"], "uipath");
    assert_eq!(seen["verification"]["secret"], 2);
    assert_eq!(seen["forward"]["status"], 200);

    // 2. Tampered: shown invalid with the reason, and still forwarded.
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let tampered = client
        .post(&listen.url)
        .header("content-type", "application/json")
        .header(
            "x-uipath-signature",
            header(&headers, "x-uipath-signature").to_owned(),
        )
        .body(first_body.iter().copied().rev().collect::<Vec<u8>>())
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 200, "the app's answer comes back");
    let seen = listen.next_json();
    assert_eq!(seen["verification"]["valid"], false);
    assert!(
        seen["verification"]["reason"]
            .as_str()
            .unwrap()
            .contains("no signature matched"),
        "{seen}"
    );
    let (_, forwarded) = app.next().await;
    assert_ne!(forwarded, first_body);

    // 3. The app fails one: recorded with its status.
    app.status.store(500, Ordering::SeqCst);
    let to = listen.url.clone();
    let failed = trigger("generic", "payment.failed", &to, "old-secret", &[]).await;
    assert_eq!(failed.status.code(), Some(1), "a 500 is a failure");
    assert!(text(&failed.stdout).starts_with("500 in "));
    let (_, failed_body) = app.next().await;
    assert_eq!(listen.next_json()["forward"]["status"], 500);
    app.status.store(200, Ordering::SeqCst);

    let summary = listen.interrupt();
    assert_eq!(summary["summary"]["received"], 3);
    assert_eq!(summary["summary"]["valid"], 2);
    assert_eq!(summary["summary"]["forwarded"], 3);

    // 4. The record holds three exchanges; replay sends the same bytes again.
    let lines = std::fs::read_to_string(&record).unwrap();
    assert_eq!(lines.lines().count(), 3, "{lines}");
    hook_ok(&["replay", &record_arg, "--to", &app.url]).await;
    let (again_headers, again) = app.next().await;
    assert_eq!(again, first_body, "byte for byte");
    assert_eq!(
        header(&again_headers, "x-uipath-signature"),
        header(&headers, "x-uipath-signature")
    );
    app.next().await;
    let (_, third) = app.next().await;
    assert_eq!(third, failed_body);

    // 5. --only-failed: the app answered 500 to the third (the second it answered 200).
    let only = hook_ok(&[
        "replay",
        &record_arg,
        "--to",
        &app.url,
        "--only-failed",
        "--json",
    ])
    .await;
    let answers: Vec<Value> = text(&only.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(answers[0]["line"], 3);
    assert_eq!(app.next().await.1, failed_body);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_re_signs_stale_timestamped_deliveries() {
    let mut app = App::start().await;
    let body = br#"{"action":{"identifier":"deploy"},"context":{"runId":"r_1"}}"#;
    // Signed long ago: a byte-for-byte replay is stale under Port's five minutes.
    let signer = Signer::new(Scheme::port(), "client-secret").unwrap();
    let old = signer.sign(&Message::new(body).at(1_600_000_000)).unwrap();
    let exchange = serde_json::json!({
        "time": "2020-09-13T12:26:40Z", "method": "POST", "path": "/hooks",
        "headers": old.iter().map(|(n, v)| [n.to_ascii_lowercase(), v.to_owned()])
            .chain([["content-type".to_owned(), "application/json".to_owned()]])
            .collect::<Vec<_>>(),
        "body": std::str::from_utf8(body).unwrap(),
        "verification": {"valid": true, "scheme": "port", "secret": 1},
        "forward": {"url": "http://127.0.0.1:1/", "status": 503, "latency_ms": 1.0},
    });
    let dir = std::env::temp_dir().join(format!("hook-resign-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("stale.jsonl");
    std::fs::write(&file, format!("{exchange}\n")).unwrap();
    let file = file.to_str().unwrap().to_owned();
    let verifier = Verifier::new(Scheme::port(), "client-secret").unwrap();

    hook_ok(&["replay", &file, "--to", &app.url]).await;
    let (headers, bytes) = app.next().await;
    assert_eq!(&bytes[..], body);
    assert!(
        verifier.verify(&headers, &bytes).is_err(),
        "the original is stale"
    );

    let url = app.url.clone();
    hook_ok(&[
        "replay",
        &file,
        "--to",
        &url,
        "--only-failed",
        "--re-sign",
        "--secret",
        "client-secret",
    ])
    .await;
    let (headers, bytes) = app.next().await;
    assert_eq!(&bytes[..], body, "the body is never re-serialized");
    verifier
        .verify(&headers, &bytes)
        .expect("a fresh signature");
    assert_eq!(header(&headers, "content-type"), "application/json");
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_deliveries_are_refused_by_default_and_never_reach_the_app() {
    let mut app = App::start().await;
    let app_url = app.url.clone();
    let listen = Listener::forwarding("up42", "s3cret", &app_url, &["--json"]);
    let send = |secret: &'static str| {
        let to = listen.url.clone();
        async move {
            trigger(
                "up42",
                "order.status",
                &to,
                secret,
                &["--set", "body.status=FAILED PERMANENTLY"],
            )
            .await
        }
    };
    let bad = send("wrong").await;
    let good = send("s3cret").await;
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        text(&bad.stdout).starts_with("401 in "),
        "{}",
        text(&bad.stdout)
    );
    assert!(good.status.success(), "{}", text(&good.stderr));
    let dropped = listen.next_json();
    assert_eq!(dropped["dropped"], true);
    assert!(dropped.get("forward").is_none());
    // The first request the app sees is the good one: the bad one never reached it.
    let (headers, body) = app.next().await;
    Verifier::new(Scheme::up42(), "s3cret")
        .unwrap()
        .verify(&headers, &body)
        .unwrap();
    let event = hook_facade::up42::parse_event(&body).unwrap();
    assert_eq!(
        event.order_status(),
        Some(hook_facade::up42::OrderStatus::FailedPermanently)
    );
    assert_eq!(listen.next_json()["forward"]["status"], 200);
    let summary = listen.interrupt();
    assert_eq!(summary["summary"]["forwarded"], 1);
}

/// Forwarding what fails verification takes a loudly named flag, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insecure_forward_invalid_forwards_bad_deliveries() {
    let mut app = App::start().await;
    let app_url = app.url.clone();
    let listen = Listener::forwarding(
        "generic",
        "s3cret",
        &app_url,
        &["--insecure-forward-invalid", "--json"],
    );
    let to = listen.url.clone();
    let sent = trigger("generic", "user.created", &to, "wrong", &[]).await;
    assert!(sent.status.success(), "{}", text(&sent.stderr));
    let (headers, body) = app.next().await;
    assert!(
        Verifier::new(Scheme::generic(), "s3cret")
            .unwrap()
            .verify(&headers, &body)
            .is_err(),
        "the app saw the forged delivery, as asked"
    );
    let line = listen.next_json();
    assert_eq!(line["verification"]["valid"], false);
    assert_eq!(line["forward"]["status"], 200);
}

#[test]
fn trigger_refuses_unknown_paths_and_events_with_exit_2() {
    let cases: [(&[&str], &str); 4] = [
        (
            &["uipath", "job.completed", "--set", "Job.Stat=Faulted"],
            "Job.Stat",
        ),
        (&["uipath", "job.complete"], "no event"),
        (&["generic", "user.created", "--set", "data"], "path=value"),
        (
            &["port", "invocation", "--set", "payload.entity.nope=1"],
            "payload.entity.nope",
        ),
    ];
    for (args, named) in cases {
        let mut all = vec!["trigger"];
        all.extend(args);
        // Port 9 (discard) on loopback: nothing must be sent before the refusal.
        all.extend(["--to", "http://127.0.0.1:9/"]);
        let output = hook(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(named), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

#[test]
fn trigger_lists_every_event_with_a_fixture() {
    let output = hook(&["trigger", "--list", "--json"]);
    assert!(output.status.success());
    let events: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    let count = |p: &str| events.iter().filter(|e| e["provider"] == p).count();
    assert_eq!(
        (
            count("uipath"),
            count("up42"),
            count("generic"),
            count("port")
        ),
        (47, 2, 9, 1)
    );
    let uipath = hook(&["trigger", "--list", "uipath"]);
    let table = text(&uipath.stdout);
    assert!(table.contains("queueItem.transactionFailed") && !table.contains("generic"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forward_failure_is_answered_printed_and_recorded() {
    // An "app" that accepts each connection and closes it unanswered. (A released port
    // could be taken by another test in between; this one stays ours.)
    let closing = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/app", closing.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in closing.incoming() {
            drop(stream);
        }
    });
    let dir = std::env::temp_dir().join(format!("hook-deadfwd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let record = dir.join("record.jsonl");
    let record_arg = record.to_str().unwrap().to_owned();
    let listen = Listener::forwarding(
        "generic",
        "s",
        &dead,
        &["--record", &record_arg, "--heartbeat", "1", "--json"],
    );
    let sent = trigger("generic", "file.uploaded", &listen.url, "s", &[]).await;
    assert_eq!(sent.status.code(), Some(1));
    assert!(
        text(&sent.stdout).starts_with("502 in "),
        "{}",
        text(&sent.stdout)
    );
    // The exchange line, then (idle) a heartbeat: each awaited as a line, not slept for.
    let mut exchange = listen.next_json();
    while exchange.get("heartbeat").is_some() {
        exchange = listen.next_json();
    }
    assert!(
        exchange["forward"]["error"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{exchange}"
    );
    assert!(exchange["forward"].get("status").is_none());
    assert!(listen.next_json().get("heartbeat").is_some());
    let summary = listen.interrupt();
    assert_eq!(summary["summary"]["forward_failed"], 1);
    let recorded: Value =
        serde_json::from_str(std::fs::read_to_string(&record).unwrap().trim()).unwrap();
    assert_eq!(recorded["forward"], exchange["forward"]);
    let _ = std::fs::remove_dir_all(&dir);
}
