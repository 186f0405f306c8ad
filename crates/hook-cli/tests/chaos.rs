//! `hook chaos` against real receivers over loopback HTTP: one built on hook-sign's layer
//! with hook-receiver's idempotency passes every scenario for every provider; one that
//! verifies with the `svix` crate and deduplicates nothing fails the duplicate scenarios;
//! one that parses JSON before verifying fails the re-serialization scenario; receivers
//! that hang or reset connections are graded, and bad flags exit 2.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use hook_receiver::{IdempotencyLayer, MemoryStore};
use hook_sign::layer::VerifyLayer;
use hook_sign::{Scheme, Verifier};
use serde_json::Value;

const SECRET: &str = "chaos-secret";
const WHSEC: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

/// What the receiver's code handled, in order: the probe's answer.
type Handled = Arc<Mutex<Vec<String>>>;

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

/// `/hook` behind `hook`'s layers, `/handled` the probe.
fn with_probe(hook: Router, handled: Handled) -> Router {
    let probe = move || {
        let handled = handled.clone();
        async move { axum::Json(handled.lock().unwrap().clone()) }
    };
    hook.merge(Router::new().route("/handled", get(probe)))
}

async fn record(State(handled): State<Handled>, body: Bytes) -> StatusCode {
    handled
        .lock()
        .unwrap()
        .push(String::from_utf8_lossy(&body).into_owned());
    StatusCode::OK
}

/// hook-sign's layer, then hook-receiver's idempotency, then the handler.
async fn good(scheme: Scheme, secret: &str) -> String {
    let handled = Handled::default();
    let verifier = Verifier::new(scheme.clone(), secret).unwrap();
    let hook = Router::new()
        .route("/hook", post(record))
        .with_state(handled.clone())
        .layer(IdempotencyLayer::new(&scheme, MemoryStore::new()))
        .layer(VerifyLayer::new(verifier));
    serve(with_probe(hook, handled)).await
}

/// Verifies with the `svix` crate, deduplicates nothing.
async fn svix_receiver() -> String {
    let handled = Handled::default();
    let hook = Router::new()
        .route(
            "/hook",
            post(
                |State(handled): State<Handled>, headers: HeaderMap, body: Bytes| async move {
                    let webhook = svix::webhooks::Webhook::new(WHSEC).unwrap();
                    if webhook.verify(&body, &headers).is_err() {
                        return StatusCode::BAD_REQUEST;
                    }
                    record(State(handled), body).await
                },
            ),
        )
        .with_state(handled.clone());
    serve(with_probe(hook, handled)).await
}

/// Parses the JSON first and verifies the bytes it re-serializes (the classic mistake);
/// deduplicates on the body's `id`.
async fn parse_first_receiver() -> String {
    let handled = Handled::default();
    let seen = Arc::new(Mutex::new(HashSet::new()));
    let hook = Router::new()
        .route(
            "/hook",
            post(
                move |State(handled): State<Handled>, headers: HeaderMap, body: Bytes| {
                    let seen = seen.clone();
                    async move {
                        let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                            return StatusCode::BAD_REQUEST;
                        };
                        let again = serde_json::to_vec(&value).unwrap();
                        let verifier = Verifier::new(Scheme::generic(), SECRET).unwrap();
                        if verifier.verify(&headers, &again).is_err() {
                            return StatusCode::UNAUTHORIZED;
                        }
                        let id = value["id"].as_str().unwrap_or_default().to_owned();
                        if seen.lock().unwrap().insert(id) {
                            record(State(handled), body).await
                        } else {
                            StatusCode::OK
                        }
                    }
                },
            ),
        )
        .with_state(handled.clone());
    serve(with_probe(hook, handled)).await
}

/// `hook chaos` with `args`: its exit code and its JSON report (Null when none printed).
async fn chaos(args: &[&str]) -> (i32, Value, String) {
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_hook"))
        .arg("chaos")
        .args(args)
        .env_remove("HOOK_SECRET")
        .output();
    let output = tokio::time::timeout(Duration::from_secs(300), output)
        .await
        .expect("hook chaos ends: every scenario is bounded")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), report, stderr)
}

/// `hook chaos` arguments grading the receiver at `to` through `probe`, as `who` (`--scheme`
/// or `--provider`) `name`, with `secret`, in JSON.
fn graded<'a>(
    who: &'a str,
    name: &'a str,
    to: &'a str,
    probe: &'a str,
    secret: &'a str,
) -> Vec<&'a str> {
    vec![
        who, name, "--to", to, "--probe", probe, "--secret", secret, "--json",
    ]
}

/// Each scenario's verdict by name.
fn verdicts(report: &Value) -> Vec<(String, String)> {
    report["scenarios"]
        .as_array()
        .unwrap_or_else(|| panic!("no scenarios in {report}"))
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_owned(),
                s["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn failing(report: &Value) -> Vec<String> {
    verdicts(report)
        .into_iter()
        .filter(|(_, v)| v == "fail")
        .map(|(n, _)| n)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_on_hooks_layers_passes_every_scenario_of_every_provider() {
    let mut runs: Vec<(String, Vec<&str>, String)> = Vec::new();
    for descriptor in hook_facade::providers() {
        let name = descriptor.provider.as_str().to_owned();
        runs.push((name, Vec::new(), SECRET.to_owned()));
    }
    runs.push((
        String::new(),
        vec!["--scheme", "standard-webhooks"],
        WHSEC.into(),
    ));
    for (provider, extra, secret) in &runs {
        let scheme = match extra.as_slice() {
            [_, name] => Scheme::preset(name).unwrap(),
            _ => Scheme::preset(provider).unwrap(),
        };
        let base = good(scheme, secret).await;
        let (to, probe) = (format!("{base}/hook"), format!("{base}/handled"));
        let mut args = vec!["--to", &to, "--probe", &probe, "--secret", secret];
        args.extend(["--seed", "11", "--json"]);
        if provider.is_empty() {
            args.extend(extra.iter().copied());
        } else {
            args.extend(["--provider", provider]);
        }
        let (code, report, stderr) = chaos(&args).await;
        let wrong: Vec<(String, String)> = verdicts(&report)
            .into_iter()
            .filter(|(_, v)| v != "pass" && v != "n/a")
            .collect();
        assert!(
            wrong.is_empty(),
            "{provider} {extra:?}: {wrong:?}\n{report:#}\n{stderr}"
        );
        assert_eq!(code, 0, "{report}");
        assert_eq!(report["fail"], 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_svix_receiver_that_dedupes_nothing_fails_the_duplicates() {
    let base = svix_receiver().await;
    let (to, probe) = (format!("{base}/hook"), format!("{base}/handled"));
    let (code, report, stderr) =
        chaos(&graded("--scheme", "standard-webhooks", &to, &probe, WHSEC)).await;
    assert_eq!(code, 1, "{report}\n{stderr}");
    assert_eq!(
        failing(&report),
        ["duplicate", "concurrent-duplicates"],
        "{report:#}"
    );
    // Without the probe the same receiver is ungraded there, not passed.
    let (code, report, _) = chaos(&[
        "--scheme",
        "standard-webhooks",
        "--to",
        &to,
        "--secret",
        WHSEC,
        "--json",
    ])
    .await;
    assert_eq!(code, 0, "{report:#}");
    let ungraded: Vec<String> = verdicts(&report)
        .into_iter()
        .filter(|(_, v)| v == "ungraded")
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        ungraded,
        ["duplicate", "concurrent-duplicates"],
        "{report:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_receiver_that_parses_before_verifying_fails_reserialization() {
    let base = parse_first_receiver().await;
    let (to, probe) = (format!("{base}/hook"), format!("{base}/handled"));
    let (code, report, stderr) = chaos(&graded("--provider", "generic", &to, &probe, SECRET)).await;
    assert_eq!(code, 1, "{report}\n{stderr}");
    assert_eq!(failing(&report), ["reserialized-body"], "{report:#}");
}

#[tokio::test(flavor = "multi_thread")]
async fn receivers_that_hang_or_reset_are_graded_not_waited_on() {
    // Accepts connections and never answers.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hang_url = format!("http://{}/hook", hang.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = hang.accept().await {
            held.push(socket);
        }
    });
    // Accepts connections and drops them at once.
    let reset = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let reset_url = format!("http://{}/hook", reset.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((socket, _)) = reset.accept().await {
            drop(socket);
        }
    });
    for url in [&hang_url, &reset_url] {
        let (code, report, stderr) = chaos(&[
            "--provider",
            "uipath",
            "--to",
            url,
            "--secret",
            SECRET,
            "--timeout",
            "0.3",
            "--json",
        ])
        .await;
        assert_eq!(code, 1, "{url}: {report}\n{stderr}");
        let valid = &report["scenarios"][0];
        assert_eq!(
            (valid["name"].as_str(), valid["verdict"].as_str()),
            (Some("valid"), Some("fail"))
        );
        assert!(
            valid["answer"].as_str().unwrap().starts_with("no answer"),
            "{valid}"
        );
        // The consequence, in UiPath's terms.
        let latency = &report["scenarios"][1];
        assert!(
            latency["detail"]
                .as_str()
                .unwrap()
                .contains("disables the webhook for an hour"),
            "{latency}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_flags_exit_2_with_a_message() {
    let cases: [&[&str]; 6] = [
        &["--provider", "generic", "--secret", "s"],
        &[
            "--provider",
            "nosuch",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "s",
        ],
        &[
            "--provider",
            "generic",
            "--to",
            "not a url",
            "--secret",
            "s",
        ],
        &[
            "--provider",
            "generic",
            "--scheme",
            "github",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "s",
        ],
        &[
            "--scheme",
            "standard-webhooks",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "not-a-whsec-9f3k",
        ],
        &[
            "--provider",
            "generic",
            "--to",
            "http://127.0.0.1:9/",
            "--secret",
            "s",
            "--probe",
            "ftp://x",
        ],
    ];
    for args in cases {
        let (code, _, stderr) = chaos(args).await;
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(!stderr.trim().is_empty(), "{args:?} says why");
        assert!(
            !stderr.contains("9f3k"),
            "a secret is never echoed: {stderr}"
        );
    }
}
