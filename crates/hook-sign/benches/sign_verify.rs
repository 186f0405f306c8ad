//! Sign and verify throughput against the hardware limit (raw SHA-256 over the same
//! bytes) and against the `svix` crate on identical Standard Webhooks input.
//!
//! `cargo xtask bench` runs this and writes the figures into BENCHMARKS.md.

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, Throughput, criterion_group, criterion_main,
};
use hook_sign::{Message, Scheme, SignedHeaders, Signer, Verifier, unix_now};
use sha2::{Digest, Sha256};

const SIZES: [(usize, &str); 4] = [
    (64, "64B"),
    (1024, "1KiB"),
    (64 * 1024, "64KiB"),
    (1024 * 1024, "1MiB"),
];
const SW_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

/// An ASCII JSON-like body (svix signs UTF-8 only).
fn body(size: usize) -> Vec<u8> {
    let pattern = br#"{"type":"user.created","data":{"id":"user_123","name":"John Doe"}},"#;
    pattern.iter().copied().cycle().take(size).collect()
}

fn schemes() -> [(&'static str, Scheme, &'static str); 3] {
    [
        ("generic", Scheme::generic(), "s3cret"),
        ("uipath", Scheme::uipath(), "s3cret"),
        ("standard_webhooks", Scheme::standard_webhooks(), SW_SECRET),
    ]
}

fn sign(scheme: &Scheme, secret: &str, body: &[u8], at: u64) -> SignedHeaders {
    let signer = Signer::new(scheme.clone(), secret).expect("valid secret");
    signer
        .sign(&Message::new(body).id("msg_1").at(at))
        .expect("signs")
}

/// Bytes of throughput, and fewer, longer samples for the large bodies.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, size: usize) {
    group.throughput(Throughput::Bytes(size as u64));
    if size >= 64 * 1024 {
        group
            .sample_size(30)
            .measurement_time(Duration::from_secs(3));
    }
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    for (size, label) in SIZES {
        let body = body(size);
        configure(&mut group, size);
        group.bench_with_input(BenchmarkId::new("sha256", label), &body, |b, body| {
            b.iter(|| Sha256::digest(black_box(body)))
        });
        for (name, scheme, secret) in schemes() {
            let now = unix_now();
            let headers = sign(&scheme, secret, &body, now);
            let verifier = Verifier::new(scheme, secret).expect("valid secret");
            group.bench_with_input(BenchmarkId::new(name, label), &body, |b, body| {
                b.iter(|| {
                    verifier
                        .verify_at(black_box(&headers), black_box(body), now)
                        .is_ok()
                })
            });
        }
        // svix checks the timestamp against its own clock: sign as of now, just before.
        let now = unix_now();
        let map = sign(&Scheme::standard_webhooks(), SW_SECRET, &body, now).to_header_map();
        let svix = svix::webhooks::Webhook::new(SW_SECRET).expect("valid secret");
        assert!(
            svix.verify(&body, &map).is_ok(),
            "svix accepts our signature"
        );
        group.bench_with_input(BenchmarkId::new("svix", label), &body, |b, body| {
            b.iter(|| svix.verify(black_box(body), black_box(&map)).is_ok())
        });
    }
    group.finish();
}

fn sign_bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    for (size, label) in SIZES {
        let body = body(size);
        configure(&mut group, size);
        for (name, scheme, secret) in schemes() {
            let signer = Signer::new(scheme, secret).expect("valid secret");
            group.bench_with_input(BenchmarkId::new(name, label), &body, |b, body| {
                b.iter(|| signer.sign(&Message::new(black_box(body)).id("msg_1").at(1_700_000_000)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, verify, sign_bench);
criterion_main!(benches);
