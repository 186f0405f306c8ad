//! Emulator throughput: signed deliveries per second to a local receiver (one webhook,
//! and a fan-out to 100, in memory and with a `--state` database persisting every
//! delivery), and CRUD requests per second, over real loopback HTTP.
//!
//! `cargo xtask bench` runs this and writes the figures into BENCHMARKS.md.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hook_emulator::{Emulator, EmulatorHandle};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

/// A receiver that answers 200 and adds one permit per delivery, so a benchmark can
/// await exactly the deliveries it caused.
async fn receiver() -> (String, Arc<Semaphore>) {
    let arrived = Arc::new(Semaphore::new(0));
    let counter = arrived.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |_body: Bytes| {
            let counter = counter.clone();
            async move {
                counter.add_permits(1);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    (url, arrived)
}

/// Sends a create request and reads its JSON answer.
async fn create(request: reqwest::RequestBuilder) -> serde_json::Value {
    let answer = request.send().await.expect("create");
    answer.json().await.expect("json")
}

/// A runtime, an emulator started on it, and an HTTP client.
fn started() -> (Runtime, EmulatorHandle, reqwest::Client) {
    let runtime = Runtime::new().expect("runtime");
    let emulator = runtime
        .block_on(Emulator::builder().start())
        .expect("emulator");
    (runtime, emulator, client())
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn generic_hook(http: &reqwest::Client, emulator: &EmulatorHandle, url: &str) {
    let status = http
        .post(format!("{}/v1/webhooks", emulator.generic_base()))
        .bearer_auth(emulator.credentials().generic.api_key.expose())
        .json(
            &serde_json::json!({"url": url, "events": ["user.created"], "secret": "bench-secret"}),
        )
        .send()
        .await
        .expect("create")
        .status();
    assert_eq!(status, 201);
}

fn deliveries(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("deliveries");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    let dir = std::env::temp_dir().join(format!("hook-bench-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    // (fan-out, with a `--state` database: every delivery persisted)
    for (fan_out, persisted) in [(1u32, false), (100, false), (100, true)] {
        let (emulator, arrived) = runtime.block_on(async {
            let mut builder = Emulator::builder();
            if persisted {
                let path = dir.join("state.redb");
                let _ = std::fs::remove_file(&path);
                builder = builder.state_file(path);
            }
            let emulator = builder.start().await.expect("emulator");
            let (url, arrived) = receiver().await;
            let http = client();
            for _ in 0..fan_out {
                generic_hook(&http, &emulator, &url).await;
            }
            (emulator, arrived)
        });
        group.throughput(Throughput::Elements(u64::from(fan_out)));
        let name = if persisted {
            format!("fan_out_{fan_out}_state")
        } else {
            format!("fan_out_{fan_out}")
        };
        let sent = std::sync::atomic::AtomicUsize::new(0);
        group.bench_function(name, |b| {
            b.to_async(&runtime).iter(|| async {
                sent.fetch_add(fan_out as usize, std::sync::atomic::Ordering::Relaxed);
                let fired = emulator
                    .admin()
                    .fire(
                        hook_generic::PROVIDER,
                        "user.created",
                        serde_json::json!({"id": "u"}),
                    )
                    .await
                    .expect("fire");
                assert_eq!(fired.deliveries.len() as u32, fan_out);
                arrived.acquire_many(fan_out).await.expect("open").forget();
            })
        });
        runtime.block_on(emulator.shutdown());
        if persisted {
            // Every delivery of the run is in the database, delivered: reopen it and count.
            let sent = sent.load(std::sync::atomic::Ordering::Relaxed);
            let stored = runtime.block_on(async {
                let emulator = Emulator::builder()
                    .state_file(dir.join("state.redb"))
                    .start()
                    .await
                    .expect("the emulator reopens its state");
                let log = emulator
                    .admin()
                    .deliveries(&[("provider", "generic")])
                    .await
                    .expect("the delivery log");
                emulator.shutdown().await;
                log
            });
            let delivered = stored
                .iter()
                .filter(|d| d.status == hook_model::DeliveryStatus::Success)
                .count();
            assert_eq!(
                (stored.len(), delivered),
                (sent, sent),
                "every delivery persisted as delivered"
            );
            println!("fan_out_100_state: {sent} deliveries persisted, all delivered");
        }
    }
    group.finish();
    let _ = std::fs::remove_dir_all(&dir);
}

fn crud(c: &mut Criterion) {
    let (runtime, emulator, http) = started();
    let base = format!("{}/v1/webhooks", emulator.generic_base());
    let key = emulator.credentials().generic.api_key.expose().to_owned();
    let mut group = c.benchmark_group("crud");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(8));
    // One iteration: create, get, update, delete: four requests.
    group.throughput(Throughput::Elements(4));
    group.bench_function("generic_lifecycle", |b| {
        b.to_async(&runtime).iter(|| async {
            let body = serde_json::json!({"url": "https://x.example", "events": ["user.created"]});
            let created = create(http.post(&base).bearer_auth(&key).json(&body)).await;
            let one = format!("{base}/{}", created["id"].as_str().expect("id"));
            http.get(&one).bearer_auth(&key).send().await.expect("get");
            http.patch(&one)
                .bearer_auth(&key)
                .json(&serde_json::json!({"active": false}))
                .send()
                .await
                .expect("patch");
            let status = http
                .delete(&one)
                .bearer_auth(&key)
                .send()
                .await
                .expect("delete")
                .status();
            assert_eq!(status, 204);
        })
    });
    group.finish();
    runtime.block_on(emulator.shutdown());
}

/// One Port ingest of 500 items with a two-field mapping (Port's per-request item limit),
/// from the POST to the ingest record: a fresh webhook per iteration, so each is the
/// webhook's first request, as after a create.
fn ingest(c: &mut Criterion) {
    let (runtime, emulator, http) = started();
    let base = emulator.port_base();
    let credentials = &emulator.credentials().port;
    let token: String = runtime.block_on(async {
        let answer: serde_json::Value = http
            .post(format!("{base}/v1/auth/access_token"))
            .json(&serde_json::json!({
                "clientId": credentials.client_id,
                "clientSecret": credentials.client_secret.expose(),
            }))
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        answer["accessToken"].as_str().expect("a token").to_owned()
    });
    let items: Vec<serde_json::Value> = (0..500)
        .map(|n| serde_json::json!({"id": format!("item-{n}"), "name": format!("Item {n}"), "size": n}))
        .collect();
    let body = serde_json::json!({"items": items}).to_string();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut group = c.benchmark_group("ingest");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("items_500", |b| {
        b.to_async(&runtime).iter(|| async {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let identifier = format!("bench-{n}");
            let created = create(
                http.post(format!("{base}/v1/webhooks"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({
                        "identifier": identifier, "title": "Bench", "enabled": true,
                        "mappings": [{"blueprint": "item", "itemsToParse": ".body.items",
                            "entity": {"identifier": ".item.id", "title": ".item.name",
                                       "properties": {"size": ".item.size"}}}]
                    })),
            )
            .await;
            let url = created["integration"]["url"]
                .as_str()
                .expect("url")
                .to_owned();
            http.post(&url)
                .body(body.clone())
                .send()
                .await
                .expect("ingest");
            let record = emulator
                .admin()
                .ingested(&identifier, 1, Duration::from_secs(30))
                .await
                .expect("an ingest record");
            assert_eq!(record[0].upserted.len(), 500, "{:?}", record[0].reason);
        })
    });
    group.finish();
    runtime.block_on(emulator.shutdown());
}

criterion_group!(benches, deliveries, crud, ingest);
criterion_main!(benches);
