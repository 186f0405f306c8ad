//! The SDK's overhead: the same GET against the emulator through `HttpClient` and through
//! a bare `reqwest::Client`, in one run; and 64 requests in flight through one client.
//!
//! `cargo xtask bench` runs this and writes the figures into BENCHMARKS.md.

use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use hook_emulator::Emulator;
use hook_http::{Auth, ClientConfig, HttpClient, Request};
use hook_model::Provider;
use tokio::runtime::Runtime;

fn overhead(c: &mut Criterion) {
    let runtime = Runtime::new().expect("runtime");
    let emulator = runtime
        .block_on(Emulator::builder().start())
        .expect("emulator");
    let key = emulator.credentials().generic.api_key.clone();
    let sdk = HttpClient::new(
        ClientConfig::new(
            Provider::new("generic"),
            &emulator.generic_base(),
            Auth::Bearer(key.clone()),
        )
        .expect("config"),
    )
    .expect("client");
    let bare = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let url = format!("{}/v1/webhooks", emulator.generic_base());
    let id: String = runtime.block_on(async {
        let created: serde_json::Value = bare
            .post(&url)
            .bearer_auth(key.expose())
            .json(&serde_json::json!({"url": "https://x.example", "events": ["user.created"]}))
            .send()
            .await
            .expect("create")
            .json()
            .await
            .expect("json");
        created["id"].as_str().expect("id").to_owned()
    });
    let one = format!("{url}/{id}");
    let path = format!("v1/webhooks/{id}");

    let mut group = c.benchmark_group("get");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(6));
    group.bench_function("sdk", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = sdk.send(Request::get(path.as_str())).await.expect("get");
            assert_eq!(response.status, 200);
        })
    });
    group.bench_function("reqwest", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = bare
                .get(&one)
                .bearer_auth(key.expose())
                .send()
                .await
                .expect("get");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("body");
        })
    });
    group.finish();

    let mut group = c.benchmark_group("in_flight");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(6));
    group.throughput(Throughput::Elements(64));
    group.bench_function("sdk_64", |b| {
        b.to_async(&runtime).iter(|| async {
            let answers = join_all((0..64).map(|_| sdk.send(Request::get(path.as_str())))).await;
            assert!(answers.iter().all(Result::is_ok));
        })
    });
    group.finish();
    runtime.block_on(emulator.shutdown());
}

criterion_group!(benches, overhead);
criterion_main!(benches);
