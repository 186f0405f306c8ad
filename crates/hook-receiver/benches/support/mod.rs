//! What both receiver benchmarks share: the server, the signed deliveries, the load.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use hook_sign::{Message, Scheme, Signer, Verifier};

/// Requests in flight, and per iteration.
pub const IN_FLIGHT: usize = 64;
/// The secret every benchmark signs and verifies with.
pub const SECRET: &str = "s3cret";

/// A two-thread runtime, as on the 2-core machine the figures come from.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

/// A client that goes nowhere but loopback.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a client")
}

/// The generic scheme's verifier with [`SECRET`].
pub fn verifier() -> Verifier {
    Verifier::new(Scheme::generic(), SECRET).expect("a verifier")
}

/// The generic scheme's signer with [`SECRET`].
pub fn signer() -> Signer {
    Signer::new(Scheme::generic(), SECRET).expect("a signer")
}

/// Serves `app` on a free loopback port; its `/hook` URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let url = format!("http://{}/hook", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
    url
}

/// A POST of a signed 1 KiB delivery with a new id:
/// `{"id":"evt_…","type":"user.created","data":"xx…"}`.
pub fn post(
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

/// [`IN_FLIGHT`] deliveries at once, each answered 200.
pub async fn batch(client: &reqwest::Client, url: &str, signer: &Signer, next: &AtomicU64) {
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..IN_FLIGHT {
        let request = post(client, url, signer, next);
        set.spawn(async move { request.send().await.map(|r| r.status()) });
    }
    while let Some(answer) = set.join_next().await {
        let status = answer.expect("joined").expect("answered");
        assert_eq!(status, StatusCode::OK);
    }
}

/// Criterion group `group`: for each `(name, url)` of `urls`, batches of [`IN_FLIGHT`]
/// signed deliveries timed as bench `name` (each delivery a new event), `samples` samples
/// in ten seconds of measuring.
pub fn measure_batches(
    c: &mut criterion::Criterion,
    runtime: &tokio::runtime::Runtime,
    group: &str,
    samples: usize,
    urls: &[(String, String)],
) {
    let (client, signer, next) = (client(), signer(), AtomicU64::new(0));
    let mut group = c.benchmark_group(group);
    group
        .throughput(criterion::Throughput::Elements(IN_FLIGHT as u64))
        .sample_size(samples)
        .measurement_time(std::time::Duration::from_secs(10));
    for (name, url) in urls {
        group.bench_function(name.as_str(), |b| {
            b.iter(|| runtime.block_on(batch(&client, url, &signer, &next)))
        });
    }
    group.finish();
}
