//! The claim protocol against a model: any interleaving of claims, completions, releases
//! (with current, stale and foreign tokens) and time passing (leases and retention
//! ending) answers as the model says. Run on the in-memory store with a clock moved by
//! hand; the shared stores run the same protocol over real time in `stores.rs`.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::FutureExt as _;
use hook_receiver::{Claim, ClaimToken, IdempotencyKey, IdempotencyStore, MemoryStore, Settled};
use proptest::prelude::*;

const RETENTION: u64 = 10;

#[derive(Debug, Clone)]
enum Op {
    Claim { key: u8, lease: u64 },
    Complete { key: u8, token: usize },
    Release { key: u8, token: usize },
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..3, 1u64..5).prop_map(|(key, lease)| Op::Claim { key, lease }),
        (0u8..3, 0usize..8).prop_map(|(key, token)| Op::Complete { key, token }),
        (0u8..3, 0usize..8).prop_map(|(key, token)| Op::Release { key, token }),
        (0u64..7).prop_map(Op::Advance),
    ]
}

#[derive(Debug, Clone, PartialEq)]
enum State {
    Held { token: usize, until: u64 },
    Done { until: u64 },
}

/// The model: per key, who holds it until when, or until when it is done.
#[derive(Default)]
struct Model {
    keys: HashMap<u8, State>,
    now: u64,
}

impl Model {
    fn live(&self, key: u8) -> Option<&State> {
        self.keys.get(&key).filter(|state| match state {
            State::Held { until, .. } | State::Done { until } => *until > self.now,
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2_000, ..ProptestConfig::default() })]

    #[test]
    fn memory_store_follows_the_model(ops in proptest::collection::vec(op(), 1..60)) {
        let clock = Arc::new(AtomicU64::new(0));
        let time = clock.clone();
        let store = MemoryStore::new()
            .retention(Duration::from_secs(RETENTION))
            .clock(move || Duration::from_secs(time.load(Ordering::SeqCst)));
        let mut model = Model::default();
        // Every token the store handed out, by issue order, with its key.
        let mut tokens: Vec<(u8, ClaimToken)> = Vec::new();
        let key = |k: u8| IdempotencyKey::new("model", &k.to_string()).unwrap();
        for op in ops {
            match op {
                Op::Claim { key: k, lease } => {
                    let got = store.claim(&key(k), Duration::from_secs(lease)).now_or_never().unwrap().unwrap();
                    match model.live(k).cloned() {
                        Some(State::Done { .. }) => prop_assert_eq!(got, Claim::Done),
                        Some(State::Held { until, .. }) => prop_assert_eq!(
                            got,
                            Claim::InFlight { expires_in: Some(Duration::from_secs(until - model.now)) }
                        ),
                        None => {
                            let Claim::Acquired(token) = got else {
                                return Err(TestCaseError::fail(format!("{k} should be acquired: {got:?}")));
                            };
                            prop_assert!(tokens.iter().all(|(_, t)| *t != token), "tokens are unique");
                            tokens.push((k, token));
                            model.keys.insert(k, State::Held { token: tokens.len() - 1, until: model.now + lease });
                        }
                    }
                }
                Op::Complete { key: k, token } | Op::Release { key: k, token } => {
                    let complete = matches!(op, Op::Complete { .. });
                    // An issued token (maybe another key's, maybe stale), or a foreign one.
                    let (index, presented) = match tokens.get(token) {
                        Some((_, t)) => (Some(token), t.clone()),
                        None => (None, ClaimToken::generate()),
                    };
                    let settle = if complete {
                        store.complete(&key(k), &presented).now_or_never().unwrap().unwrap()
                    } else {
                        store.release(&key(k), &presented).now_or_never().unwrap().unwrap()
                    };
                    let holds = matches!(model.live(k), Some(State::Held { token: t, .. }) if Some(*t) == index);
                    if holds {
                        prop_assert_eq!(settle, Settled::Applied);
                        if complete {
                            model.keys.insert(k, State::Done { until: model.now + RETENTION });
                        } else {
                            model.keys.remove(&k);
                        }
                    } else {
                        prop_assert_eq!(settle, Settled::Lost);
                    }
                }
                Op::Advance(seconds) => {
                    model.now += seconds;
                    clock.fetch_add(seconds, Ordering::SeqCst);
                }
            }
        }
    }
}

/// Bounded: a full store evicts the oldest completed keys, and refuses a new claim rather
/// than forget one in flight.
#[test]
fn a_full_store_evicts_done_keys_and_never_claims_in_flight() {
    let store = MemoryStore::new().capacity(4);
    let key = |k: usize| IdempotencyKey::new("cap", &k.to_string()).unwrap();
    let lease = Duration::from_secs(60);
    let claim = |k| store.claim(&key(k), lease).now_or_never().unwrap();
    let mut held = Vec::new();
    for k in 0..4 {
        let Ok(Claim::Acquired(token)) = claim(k) else {
            panic!("room for {k}")
        };
        held.push(token);
    }
    assert!(claim(4).is_err(), "four claims in flight fill the store");
    assert_eq!(store.len(), 4);
    store
        .complete(&key(0), &held[0])
        .now_or_never()
        .unwrap()
        .unwrap();
    assert!(
        matches!(claim(4), Ok(Claim::Acquired(_))),
        "a done key makes room"
    );
    assert_eq!(store.len(), 4);
    for k in 1..4 {
        assert!(
            matches!(claim(k), Ok(Claim::InFlight { .. })),
            "claims in flight are kept"
        );
    }
}
