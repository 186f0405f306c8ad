//! The admin API and Port's ingest URLs on arbitrary input: JSON bodies (valid, near-valid
//! and garbage) and query strings. Every request gets an HTTP answer below 500: a handler
//! that panicked would drop the connection instead. Seeded: the seed is printed, and
//! `HOOK_PROPTEST_SEED` replays a run.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::OnceLock;

mod support;

use hook_emulator::{Emulator, EmulatorHandle};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

struct Shared {
    runtime: tokio::runtime::Runtime,
    emulator: EmulatorHandle,
    http: reqwest::Client,
    ingest: String,
}

/// One emulator for every case, with one Port webhook whose ingest URL takes bodies.
fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let http = support::http();
        let (emulator, ingest) = runtime.block_on(async {
            let emulator = Emulator::builder().manual_clock().start().await.unwrap();
            let token = support::token(&emulator, hook_port::PROVIDER).await;
            let (status, created) = support::call(
                &http,
                reqwest::Method::POST,
                &format!("{}/v1/webhooks", emulator.port_base()),
                &token,
                Some(serde_json::json!({"title": "props", "enabled": true,
                    "mappings": [{"blueprint": "b", "itemsToParse": ".body.items", "entity": {"identifier": ".item.id | tostring", "properties": {"v": ".item.v"}}}],
                    "security": {"requestIdentifierPath": ".body.id"}})),
            )
            .await;
            assert_eq!(status, 200, "{created}");
            let ingest = created["integration"]["url"].as_str().unwrap().to_owned();
            (emulator, ingest)
        });
        Shared {
            runtime,
            emulator,
            http,
            ingest,
        }
    })
}

/// One of `words` (each as likely as one draw of `other`), or a string matching `other`.
fn word_or(words: &'static [&'static str], other: &'static str) -> BoxedStrategy<String> {
    let weight = u32::try_from(words.len()).unwrap_or(u32::MAX);
    prop_oneof![
        weight => proptest::sample::select(words).prop_map(str::to_owned),
        1 => other,
    ]
    .boxed()
}

/// Any JSON value, a few levels deep, with the keys the admin bodies use.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let key = word_or(
        &[
            "provider", "type", "data", "seconds", "seed", "url", "body", "fault", "rate", "count",
            "items", "id",
        ],
        "[a-z]{1,6}",
    );
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        word_or(
            &[
                "uipath",
                "port",
                "generic",
                "user.created",
                "http://127.0.0.1:9/x"
            ],
            ".{0,12}",
        )
        .prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => json().prop_map(|v| v.to_string().into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..256),
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = proptest::sample::select(
        &[
            "provider",
            "webhook_id",
            "id",
            "event_type",
            "wait",
            "attempts",
            "min",
            "webhook",
            "timeout_ms",
        ][..],
    );
    let value = word_or(
        &[
            "settled",
            "any",
            "attempts",
            "99999999999999999999999",
            "-1",
        ],
        "[ -~]{0,12}",
    );
    proptest::collection::vec((key, value), 0..5).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.replace(['&', '#', ' '], "_")))
            .collect::<Vec<_>>()
            .join("&")
    })
}

const POSTS: [&str; 6] = [
    "/_admin/events",
    "/_admin/faults",
    "/_admin/faults/seed",
    "/_admin/clock/advance",
    "/_admin/port/invoke",
    "/_admin/tokens/expire",
];

const GETS: [&str; 4] = [
    "/_admin/deliveries",
    "/_admin/port/ingests",
    "/_admin/requests",
    "/_admin/faults",
];

fn seed() -> u64 {
    let seed = std::env::var("HOOK_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(7, |d| d.as_nanos() as u64)
        });
    println!("proptest seed {seed} (replay with HOOK_PROPTEST_SEED={seed})");
    seed
}

fn config() -> Config {
    Config {
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed()),
        ..Config::default()
    }
}

/// Sends and answers the status, or fails the case when no HTTP answer came.
fn status(request: reqwest::RequestBuilder) -> Result<u16, TestCaseError> {
    let shared = shared();
    shared
        .runtime
        .block_on(async { request.send().await.map(|r| r.status().as_u16()) })
        .map_err(|e| TestCaseError::fail(format!("no answer (a panic drops the connection): {e}")))
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn admin_posts_answer_any_body(route in proptest::sample::select(POSTS.to_vec()), body in body()) {
        let shared = shared();
        let url = format!("{}{route}", shared.emulator.url());
        let code = status(shared.http.post(url).body(body))?;
        prop_assert!(code < 500, "{route} answered {code}");
        // Rules added with random rates must not leak into the next case.
        status(shared.http.delete(format!("{}/_admin/faults", shared.emulator.url())))?;
    }

    #[test]
    fn admin_gets_answer_any_query(route in proptest::sample::select(GETS.to_vec()), query in query()) {
        let shared = shared();
        // A last timeout_ms keeps waits short whatever the query asked.
        let url = format!("{}{route}?{query}&timeout_ms=5", shared.emulator.url());
        let code = status(shared.http.get(url))?;
        prop_assert!(code < 500, "{route}?{query} answered {code}");
    }

    #[test]
    fn ingest_urls_answer_any_body(body in body(), query in query()) {
        let shared = shared();
        let url = format!("{}?{query}", shared.ingest);
        let code = status(shared.http.post(url).body(body))?;
        prop_assert_eq!(code, 202);
    }
}
