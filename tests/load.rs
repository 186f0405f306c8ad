//! Load: 10 rounds of 1,000 concurrent calls through one client against the emulator:
//! all succeed, and memory reaches a plateau. Its own test binary, so nothing else shares
//! the process while resident memory is read.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_emulator::Emulator;
use hook_facade::{Provider, ProviderConfig, WebhookSpec, connect};

/// Resident memory of this process in KiB, from /proc (Linux).
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Rounds of 1,000 concurrent calls.
const ROUNDS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_calls_through_one_client_all_succeed_in_bounded_memory() {
    let emulator = Emulator::builder().start().await.unwrap();
    let api = std::sync::Arc::new(
        connect(
            ProviderConfig::from_pairs(Provider::Generic, &emulator.env(Provider::Generic))
                .unwrap(),
        )
        .unwrap(),
    );
    let spec = WebhookSpec::builder("https://x.example/load")
        .events(["user.created"])
        .build();
    let id = api.create(&spec).await.unwrap().id;
    let start = rss_kib();
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
        // empty it so the figure is the client's (and the server's steady state).
        emulator.admin().clear_requests().await.unwrap();
        after_round.push(rss_kib());
    }
    let figures: Vec<u64> = after_round.iter().flatten().copied().collect();
    if let (Some(start), Some(first), Some(half), Some(end)) = (
        start,
        figures.first(),
        figures.get(ROUNDS / 2 - 1),
        figures.last(),
    ) {
        println!(
            "RELIABILITY load: {ROUNDS} rounds × 1000 concurrent gets through one client, all ok; \
             RSS {start} KiB at start, {first} KiB after round 1, {half} KiB after round {}, \
             {end} KiB after round {ROUNDS} (client and emulator in one process)",
            ROUNDS / 2
        );
        // Connection pools on both sides, buffers and the allocator's arenas grow to a
        // plateau within about ten rounds; a leak of a kilobyte a call would add 10 MiB
        // over the last 10,000 calls.
        let growth = end.saturating_sub(*half);
        assert!(
            growth < 10 * 1024,
            "memory grew by {growth} KiB over the last {} rounds",
            ROUNDS / 2
        );
    }
}
