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

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::StatusCode;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hook_receiver::inbox::{Inbox, PostgresInbox, SqliteInbox};
use hook_sign::{Message, Scheme, Signer, Verifier};

const IN_FLIGHT: usize = 64;
const LATENCY_SAMPLES: usize = 2000;
const SECRET: &str = "s3cret";

async fn serve(inbox: &Inbox) -> String {
    let verifier = Verifier::new(Scheme::generic(), SECRET).expect("a verifier");
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post_service(inbox.endpoint(verifier)),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/hook", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
    url
}

fn request(
    client: &reqwest::Client,
    url: &str,
    signer: &Signer,
    next: &AtomicU64,
) -> reqwest::RequestBuilder {
    let id = next.fetch_add(1, Ordering::Relaxed);
    let mut json = format!(r#"{{"id":"evt_{id:020}","type":"user.created","data":""#).into_bytes();
    json.resize(1022, b'x');
    json.extend_from_slice(b"\"}");
    let headers = signer.sign(&Message::new(&json)).expect("signs");
    let mut request = client.post(url).body(Bytes::from(json));
    for (name, value) in headers.iter() {
        request = request.header(name, value);
    }
    request
}

async fn batch(client: &reqwest::Client, url: &str, signer: &Signer, next: &AtomicU64) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let request = request(client, url, signer, next);
        set.spawn(async move { request.send().await.map(|r| r.status()) });
    }
    while let Some(answer) = set.join_next().await {
        assert_eq!(answer.expect("joined").expect("answered"), StatusCode::OK);
    }
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
        let request = request(client, url, signer, next);
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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
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
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let signer = Signer::new(Scheme::generic(), SECRET).expect("a signer");
    let next = AtomicU64::new(0);
    let mut group = c.benchmark_group("inbox");
    group
        .throughput(Throughput::Elements(IN_FLIGHT as u64))
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    for (name, url) in &urls {
        group.bench_function(format!("{name}_64"), |b| {
            b.iter(|| runtime.block_on(batch(&client, url, &signer, &next)))
        });
    }
    group.finish();
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
