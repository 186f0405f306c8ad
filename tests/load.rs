//! Load: rounds of 1,000 concurrent calls through one client against the emulator, every
//! one of which must succeed. Its own test binary, so its counting allocator sees only
//! this test.
//!
//! The live heap (allocated minus freed, counted by the global allocator) is measured and
//! printed for RELIABILITY.md, never asserted: what a process holds moves with how many
//! connections are still closing and with the machine's load, so a bound on it either
//! fails on a busy machine or is too loose to catch anything.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
#![allow(unsafe_code)] // a GlobalAlloc impl is unsafe by definition

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use hook_emulator::Emulator;
use hook_facade::{ProviderConfig, WebhookSpec, connect};

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: defers every call to the system allocator; only counts on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as ours.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as ours.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn live_kib() -> i64 {
    (LIVE.load(Ordering::Relaxed) / 1024) as i64
}

/// Rounds of 1,000 concurrent calls.
const ROUNDS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_through_one_client_all_succeed() {
    let emulator = Emulator::builder().start().await.unwrap();
    let api = std::sync::Arc::new(
        connect(
            ProviderConfig::from_pairs(
                hook_facade::generic::PROVIDER,
                &emulator.env(hook_facade::generic::PROVIDER),
            )
            .unwrap(),
        )
        .unwrap(),
    );
    let spec = WebhookSpec::builder("https://x.example/load")
        .events(["user.created"])
        .build();
    let id = api.create(&spec).await.unwrap().id;
    emulator.admin().clear_requests().await.unwrap();
    let start = live_kib();
    let mut after_round = Vec::new();
    for round in 0..ROUNDS {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..1_000 {
            let (api, id) = (api.clone(), id.clone());
            tasks.spawn(async move { api.get(&id).await.map(|w| w.id) });
        }
        let mut ok = 0;
        while let Some(result) = tasks.join_next().await {
            assert_eq!(result.unwrap().unwrap(), id);
            ok += 1;
        }
        assert_eq!(ok, 1_000, "round {round}");
        // The emulator shares this process and keeps up to 10,000 requests in its log:
        // empty it so the figure is the client's and the server's steady state.
        emulator.admin().clear_requests().await.unwrap();
        after_round.push(live_kib());
    }
    let (first, half, end) = (
        after_round[0],
        after_round[ROUNDS / 2 - 1],
        after_round[ROUNDS - 1],
    );
    let peak = after_round.iter().max().copied().unwrap_or_default();
    println!(
        "RELIABILITY load: {ROUNDS} rounds × 1000 concurrent gets through one client, all ok; \
         live heap {start} KiB at start, {first} KiB after round 1 (64 connections kept idle, \
         connections, client and emulator), {half} KiB after round {}, {end} KiB after round \
         {ROUNDS}, peak {peak} KiB",
        ROUNDS / 2
    );
    // What 1,000 open connections hold: a client that keeps them all idle, one round.
    let config = hook_facade::generic::GenericConfig::from_vars(|name| emulator.var(name)).unwrap();
    let transport = hook_facade::transport::ClientConfig::new(
        hook_facade::generic::PROVIDER,
        &config.base_url,
        hook_facade::transport::Auth::Bearer(config.api_key),
    )
    .unwrap()
    .max_idle(1_000);
    let wide = hook_facade::generic::GenericClient::with_config(transport).unwrap();
    let wide = std::sync::Arc::new(wide);
    let before = live_kib();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..1_000 {
        let (api, id) = (wide.clone(), id.clone());
        tasks.spawn(async move {
            hook_facade::WebhookApi::get(api.as_ref(), &id)
                .await
                .map(|_| ())
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.unwrap().unwrap();
    }
    emulator.admin().clear_requests().await.unwrap();
    println!(
        "RELIABILITY load: 1,000 open idle connections hold {} KiB of heap (client and emulator sides together)",
        live_kib() - before
    );
}
