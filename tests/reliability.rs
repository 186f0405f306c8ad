//! The SDK under faults, against the emulator's fault injection, on the webhook routes and
//! the token endpoints alike: about 30% of answers are 500/503, 429 with Retry-After,
//! latency past the client timeout, or a connection dropped mid-answer (before or after the
//! request was applied). Faults are drawn from a seeded generator: the seed is printed, and
//! `HOOK_FAULT_SEED` replays a run. Idempotent calls complete within their retry budget; no create happens
//! twice; what fails, fails with a typed error. The figures go to RELIABILITY.md.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::collections::HashMap;
use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, FaultKind, FaultRule, RouteMatch};
use hook_facade::model::Applied;
use hook_facade::transport::{RetryPolicy, Settings};
use hook_facade::{
    Error, ListQuery, Provider, ProviderConfig, WebhookApi, WebhookPatch, connect, list_all,
};

/// A retry budget sized for 30% faults: 10 retries leave a 0.3^11 ≈ 2e-6 chance per call.
fn policy() -> RetryPolicy {
    RetryPolicy::new(10, Duration::from_millis(2), Duration::from_millis(40))
        .max_retry_after(Duration::from_secs(2))
}

/// A client of `provider` through the facade, with the fault-sized retry policy and a
/// short timeout: the same path a user takes, whatever the provider.
fn client(emulator: &EmulatorHandle, provider: Provider) -> Box<dyn WebhookApi> {
    let settings = Settings::default()
        .retry(policy())
        .timeout(Duration::from_millis(400));
    let config = ProviderConfig::from_pairs(provider, &emulator.env(provider))
        .unwrap()
        .transport(settings);
    connect(config).unwrap()
}

/// Every route of `provider` on the emulator, its token endpoint among them.
fn routes(provider: Provider) -> Vec<String> {
    vec![format!("/{provider}/")]
}

/// The fault seed: `HOOK_FAULT_SEED` to replay a run, random otherwise; printed either way.
fn fault_seed() -> u64 {
    let seed = std::env::var("HOOK_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        });
    println!("fault seed {seed} (replay with HOOK_FAULT_SEED={seed})");
    seed
}

async fn inject_faults(emulator: &EmulatorHandle, provider: Provider) {
    for prefix in routes(provider) {
        inject_faults_on(emulator, &prefix).await;
    }
}

async fn inject_faults_on(emulator: &EmulatorHandle, prefix: &str) {
    let route = RouteMatch {
        method: None,
        path_prefix: Some(prefix.into()),
    };
    // Checked in order, each at its rate: about 30% of requests meet one.
    let faults = [
        (FaultKind::Status { status: 500 }, 0.10),
        (FaultKind::Status { status: 503 }, 0.08),
        (
            FaultKind::RateLimit {
                retry_after_secs: 0,
            },
            0.05,
        ),
        (FaultKind::Drop, 0.02),
        (FaultKind::DropAfter, 0.02),
        (FaultKind::Latency { millis: 600 }, 0.03),
    ];
    for (fault, rate) in faults {
        let rule = FaultRule::new(fault).within(route.clone()).rate(rate);
        emulator.admin().inject(&rule).await.unwrap();
    }
}

/// An event of `provider`'s catalog, as its crate lists it.
fn event(provider: Provider) -> &'static str {
    hook_facade::catalog(provider)[0].name
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_idempotent_call_completes_and_no_create_happens_twice() {
    const CREATES: usize = 40;
    let seed = fault_seed();
    for provider in hook_facade::providers().iter().map(|d| d.provider) {
        let emulator = Emulator::builder().fault_seed(seed).start().await.unwrap();
        let api = client(&emulator, provider);
        inject_faults(&emulator, provider).await;

        // Creates: tried once each; an error must be typed, and the webhook created at most once.
        let mut created = Vec::new();
        let mut create_errors: HashMap<&'static str, usize> = HashMap::new();
        for i in 0..CREATES {
            // Every tenth create, the token expires: the next call fetches one through the
            // faulty token endpoint.
            if i % 10 == 9 {
                emulator.admin().expire_tokens().await.unwrap();
            }
            let spec = hook_contract_tests::spec_for(
                api.as_ref(),
                &format!("reliable {i}"),
                &format!("https://x.example/{provider}/{i}"),
                event(provider),
            );
            match api.create(&spec).await {
                Ok(webhook) => created.push(webhook.id),
                Err(error) => {
                    let kind = match error {
                        Error::ServiceFailed { .. } => "server",
                        Error::RateLimited { .. } => "rate limited",
                        Error::Transport {
                            applied: Applied::No,
                            ..
                        }
                        | Error::Timeout {
                            applied: Applied::No,
                            ..
                        } => "not sent",
                        Error::Transport { .. } => "transport",
                        Error::Timeout { .. } => "timeout",
                        ref other => panic!("{provider}: untyped create failure {other:?}"),
                    };
                    // Retryable exactly when the create certainly did nothing: refused for
                    // the rate, or never sent (its token could not be fetched, say).
                    assert_eq!(
                        error.is_retryable(),
                        matches!(kind, "rate limited" | "not sent"),
                        "{provider}: a create that may have been applied is never retryable: {error}"
                    );
                    *create_errors.entry(kind).or_default() += 1;
                }
            }
        }

        // Idempotent calls: every one must succeed through the faults.
        let mut calls = 0;
        for id in &created {
            api.get(id)
                .await
                .unwrap_or_else(|e| panic!("{provider} get: {e}"));
            let patch = WebhookPatch::new().enabled(false);
            let updated = api
                .update(id, &patch)
                .await
                .unwrap_or_else(|e| panic!("{provider} update: {e}"));
            assert!(!updated.enabled);
            calls += 2;
        }
        let all: Vec<_> = futures_util::TryStreamExt::try_collect(list_all(
            api.as_ref(),
            ListQuery::new().per_page(10),
        ))
        .await
        .unwrap_or_else(|e| panic!("{provider} list: {e}"));
        calls += 1;

        // Without faults, count what exists: each URL at most once, every success present.
        let rules = emulator.admin().faults().await.unwrap();
        let fired: u64 = rules.iter().map(|f| f.fired).sum();
        let mut per_route: std::collections::BTreeMap<String, u64> = Default::default();
        for rule in &rules {
            let route = rule.route.path_prefix.clone().unwrap_or_default();
            *per_route.entry(route).or_default() += rule.fired;
        }
        emulator.admin().clear_faults().await.unwrap();
        let truth: Vec<_> =
            futures_util::TryStreamExt::try_collect(list_all(api.as_ref(), ListQuery::new()))
                .await
                .unwrap();
        let mut per_url: HashMap<String, usize> = HashMap::new();
        for webhook in &truth {
            *per_url
                .entry(hook_contract_tests::destination(api.as_ref(), webhook))
                .or_default() += 1;
        }
        let duplicates: usize = per_url.values().map(|n| n - 1).sum();
        assert_eq!(duplicates, 0, "{provider}: a create happened twice");
        assert!(
            created.iter().all(|id| truth.iter().any(|w| &w.id == id)),
            "{provider}: a success is missing"
        );
        assert!(
            all.len() >= created.len(),
            "{provider}: listing under faults lost webhooks"
        );

        for id in &created {
            api.delete(id)
                .await
                .unwrap_or_else(|e| panic!("{provider} delete: {e}"));
        }
        println!(
            "RELIABILITY {provider}: {CREATES} creates ({} ok, errors {create_errors:?}), {calls} idempotent calls all ok, \
             {fired} faults fired {per_route:?}, {} applied despite a lost answer, duplicates {duplicates}",
            created.len(),
            truth.len() - created.len(),
        );
    }
}
