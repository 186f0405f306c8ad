//! What handling each delivery once costs a receiver: one axum app behind
//! `hook_receiver::layer` (generic scheme, key `/id`), served four times on loopback: with
//! verification alone (no store), and with the in-memory, Redis and PostgreSQL stores;
//! fed signed 1 KiB deliveries, each with a new id (so every one is claimed and
//! completed), 64 in flight, by one reqwest client, in one run. Redis syncs its
//! append-only file every second (its recommended setting); PostgreSQL runs with its
//! durable defaults (fsync on, synchronous commit), and once more with
//! `synchronous_commit=off` for the store's sessions. The servers are started here on unix
//! sockets, as the tests start them. `cargo xtask bench` writes the ratios into
//! BENCHMARKS.md.

#[path = "../tests/support/servers.rs"]
mod servers;
mod support;

use std::hint::black_box;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::routing::post;
use criterion::{Criterion, criterion_group, criterion_main};
use hook_receiver::{IdempotencyStore, MemoryStore, PostgresStore, RedisStore};
use hook_sign::Scheme;
use hook_sign::layer::VerifyLayer;
use support::{serve, verifier};

async fn handler(body: Bytes) -> StatusCode {
    black_box(body.len());
    StatusCode::OK
}

fn receiver(c: &mut Criterion) {
    let runtime = support::runtime();
    let redis = servers::Redis::start_with_fsync("everysec");
    let postgres = servers::Postgres::start_with(servers::DURABLE);
    let urls = runtime.block_on(async {
        let postgres_store =
            PostgresStore::with_pool_size(&postgres.conninfo(), 32).expect("a postgres store");
        postgres_store.migrate().await.expect("migrated");
        // The same table with commits acknowledged before their WAL reaches the disk, set
        // in the connection string as a user would.
        let asynchronous = format!(
            "{} options='-c synchronous_commit=off'",
            postgres.conninfo()
        );
        let asynchronous_store =
            PostgresStore::with_pool_size(&asynchronous, 32).expect("a postgres store");
        let stores: [(&str, Arc<dyn IdempotencyStore>); 4] = [
            ("memory", Arc::new(MemoryStore::new())),
            (
                "redis",
                Arc::new(RedisStore::connect(&redis.url()).expect("a redis store")),
            ),
            ("postgres", Arc::new(postgres_store)),
            ("postgres_async_commit", Arc::new(asynchronous_store)),
        ];
        let mut urls = vec![(
            "no_store",
            serve(
                Router::new()
                    .route("/hook", post(handler))
                    .layer(VerifyLayer::new(verifier())),
            )
            .await,
        )];
        for (name, store) in stores {
            let layer = hook_receiver::IdempotencyLayer::shared(&Scheme::generic(), store);
            let app = Router::new()
                .route("/hook", post(handler))
                .layer(layer)
                .layer(VerifyLayer::new(verifier()));
            urls.push((name, serve(app).await));
        }
        urls
    });
    let urls: Vec<(String, String)> = urls
        .into_iter()
        .map(|(name, url)| (name.to_owned(), url))
        .collect();
    support::measure_batches(c, &runtime, "idempotency", 30, &urls);
    drop((redis, postgres));
}

criterion_group!(benches, receiver);
criterion_main!(benches);
