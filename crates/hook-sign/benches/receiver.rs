//! The receiver's cost of verifying: the same axum app on loopback, with and without
//! [`VerifyLayer`] in front, fed identical signed 1 KiB deliveries by one load generator
//! (a reqwest client, 64 requests in flight) in one run, each timed batch interleaved with
//! one to the other app. `cargo xtask bench` writes the
//! throughput ratio into BENCHMARKS.md.

use std::hint::black_box;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hook_sign::layer::VerifyLayer;
use hook_sign::{Message, Scheme, Signer, Verifier};

/// Requests in flight, and per iteration.
const IN_FLIGHT: usize = 64;

/// What either app does with a delivery: read it whole and answer 200.
async fn handler(body: Bytes) -> StatusCode {
    black_box(body.len());
    StatusCode::OK
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/hook", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
    url
}

/// One batch: `IN_FLIGHT` identical deliveries at once; every answer must be 200.
async fn batch(client: &reqwest::Client, url: &str, headers: &[(String, String)], body: &Bytes) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let mut request = client.post(url).body(body.clone());
        for (name, value) in headers {
            request = request.header(name, value);
        }
        set.spawn(async move { request.send().await.map(|r| r.status()) });
    }
    while let Some(answer) = set.join_next().await {
        let status = answer.expect("joined").expect("answered");
        assert_eq!(status, StatusCode::OK);
    }
}

fn receiver(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let body: Bytes = br#"{"type":"user.created","data":{"id":"user_123","name":"John Doe"}},"#
        .iter()
        .copied()
        .cycle()
        .take(1024)
        .collect::<Vec<u8>>()
        .into();
    let signer = Signer::new(Scheme::generic(), "s3cret").expect("a signer");
    let headers: Vec<(String, String)> = signer
        .sign(&Message::new(&body))
        .expect("signs")
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect();
    let verifier = Verifier::new(Scheme::generic(), "s3cret").expect("a verifier");
    let (plain, verifying) = runtime.block_on(async {
        let plain = serve(Router::new().route("/hook", post(handler))).await;
        let verifying = serve(
            Router::new()
                .route("/hook", post(handler))
                .layer(VerifyLayer::new(verifier)),
        )
        .await;
        (plain, verifying)
    });
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client");
    let mut group = c.benchmark_group("receiver");
    group
        .throughput(Throughput::Elements(IN_FLIGHT as u64))
        .sample_size(40)
        .measurement_time(std::time::Duration::from_secs(10));
    // Each timed batch runs beside an untimed one to the other app, in alternating order,
    // so both apps always see the same load and scheduling: a difference is the layer's.
    for (name, url, other) in [
        ("plain", &plain, &verifying),
        ("verifying", &verifying, &plain),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut timed = std::time::Duration::ZERO;
                for i in 0..iterations {
                    runtime.block_on(async {
                        if i % 2 == 1 {
                            batch(&client, other, &headers, &body).await;
                        }
                        let started = std::time::Instant::now();
                        batch(&client, url, &headers, &body).await;
                        timed += started.elapsed();
                        if i % 2 == 0 {
                            batch(&client, other, &headers, &body).await;
                        }
                    });
                }
                timed
            })
        });
    }
    group.finish();
}

criterion_group!(benches, receiver);
criterion_main!(benches);
