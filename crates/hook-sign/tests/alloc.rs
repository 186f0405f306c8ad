//! Verification allocates nothing on the heap, proven with a counting allocator.
//!
//! This file is its own test binary so the counting allocator sees only this test.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test
#![allow(unsafe_code)] // a GlobalAlloc impl is unsafe by definition

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use hook_sign::{Message, Scheme, Signer, Verifier};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: defers every call to the system allocator; only counts on the side.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn verify_allocates_nothing_for_any_preset() {
    let body = vec![b'x'; 64 * 1024];
    for scheme in Scheme::presets().into_iter().filter(Scheme::is_available) {
        let (other, secret) = (scheme.key.encode(b"other"), scheme.key.encode(b"a-secret"));
        let headers = Signer::new(scheme.clone(), &secret)
            .unwrap()
            .sign(&Message::new(&body).id("msg_1").at(1_700_000_000))
            .unwrap();
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        let map = headers.to_header_map();
        let verifier = Verifier::with_secrets(scheme.clone(), [&other, &secret]).unwrap();

        let count = allocations_during(|| {
            verifier.verify_at(&pairs, &body, 1_700_000_000).unwrap();
            verifier.verify_at(&map, &body, 1_700_000_000).unwrap();
            verifier.verify_ignoring_timestamp(&pairs, &body).unwrap();
        });
        assert_eq!(count, 0, "{} allocated {count} times", scheme.name);

        let failing = allocations_during(|| {
            assert!(
                verifier
                    .verify_at(&pairs, b"tampered", 1_700_000_000)
                    .is_err()
            );
        });
        assert_eq!(failing, 0, "{} allocated on a mismatch", scheme.name);
    }
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the test above against a counter that never counts.
    let count = allocations_during(|| {
        std::hint::black_box(vec![1u8; 16]);
    });
    assert!(count >= 1);
}
