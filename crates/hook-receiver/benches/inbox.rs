//! What the durable inbox costs a sender waiting for its acknowledgement: the inbox's
//! endpoint (`Inbox::endpoint`: verify, store, answer 200) on loopback with no workers
//! running (the app stalled: nothing leaves the inbox), fed signed 1 KiB deliveries, each a
//! new key, by one reqwest client; once with the embedded SQLite file (WAL, `synchronous =
//! FULL`: every acknowledgement is on disk), once with PostgreSQL at its durable defaults
//! (fsync on, synchronous commit), started here on a unix socket as the tests start it.
//!
//! - `inbox/<store>_64`: deliveries stored per second, 64 in flight;
//! - acknowledgement latency, one in flight: p50 and p99 over 2,000 deliveries each,
//!   written to `target/criterion/inbox/latency.json` (criterion keeps means only).
//!
//! `cargo xtask bench` writes both into BENCHMARKS.md.

#[path = "../tests/support/servers.rs"]
mod servers;
mod support;

use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use criterion::{Criterion, criterion_group, criterion_main};
use hook_receiver::inbox::{Inbox, PostgresInbox, SqliteInbox};
use hook_sign::Signer;
use support::post;

const LATENCY_SAMPLES: usize = 2000;

async fn serve(inbox: &Inbox) -> String {
    let endpoint = inbox.endpoint(support::verifier());
    support::serve(axum::Router::new().route("/hook", axum::routing::post_service(endpoint))).await
}

/// p50 and p99 of one-at-a-time acknowledgements, in milliseconds.
async fn latency(
    client: &reqwest::Client,
    url: &str,
    signer: &Signer,
    next: &AtomicU64,
) -> (f64, f64) {
    let mut samples: Vec<Duration> = Vec::with_capacity(LATENCY_SAMPLES);
    for _ in 0..LATENCY_SAMPLES {
        let request = post(client, url, signer, next);
        let started = Instant::now();
        let status = request.send().await.expect("answered").status();
        samples.push(started.elapsed());
        assert_eq!(status, StatusCode::OK);
    }
    samples.sort();
    let at = |q: f64| {
        samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)].as_secs_f64() * 1000.0
    };
    (at(0.50), at(0.99))
}

fn inbox(c: &mut Criterion) {
    let runtime = support::runtime();
    let dir = servers::scratch("bench-inbox");
    let postgres = servers::Postgres::start_with(servers::DURABLE);
    let urls = runtime.block_on(async {
        let sqlite = Inbox::new(SqliteInbox::open(dir.join("inbox.db")).expect("a file inbox"));
        let pg = PostgresInbox::connect(&postgres.conninfo()).expect("a postgres inbox");
        pg.migrate().await.expect("migrated");
        let pg = Inbox::new(pg);
        vec![
            ("sqlite", serve(&sqlite).await),
            ("postgres", serve(&pg).await),
        ]
    });
    let batches: Vec<(String, String)> = urls
        .iter()
        .map(|(name, url)| (format!("{name}_64"), url.clone()))
        .collect();
    support::measure_batches(c, &runtime, "inbox", 20, &batches);
    let client = support::client();
    let signer = support::signer();
    let next = AtomicU64::new(0);
    let mut figures = serde_json::Map::new();
    for (name, url) in &urls {
        let (p50, p99) = runtime.block_on(latency(&client, url, &signer, &next));
        println!("inbox/{name}: acknowledgement p50 {p50:.2} ms, p99 {p99:.2} ms (one in flight)");
        figures.insert(
            (*name).to_owned(),
            serde_json::json!({"p50_ms": p50, "p99_ms": p99}),
        );
    }
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/criterion/inbox");
    std::fs::create_dir_all(&out).expect("the criterion directory");
    std::fs::write(
        out.join("latency.json"),
        serde_json::Value::Object(figures).to_string(),
    )
    .expect("the latency figures written");
    drop(postgres);
    let _ = std::fs::remove_dir_all(dir);
}

criterion_group!(benches, inbox);
criterion_main!(benches);
