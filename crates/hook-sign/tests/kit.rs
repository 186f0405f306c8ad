//! The test kit on every preset: its signed delivery verifies, and every breakage that
//! applies is refused with the error its kind calls for.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::testing::{Breakage, TestKit};
use hook_sign::{Scheme, Verifier, VerifyError};

#[test]
fn every_preset_verifies_the_kit_and_refuses_each_breakage() {
    let body = br#"{"id":"evt_1","data":{"n":1}}"#;
    for scheme in Scheme::presets().into_iter().filter(Scheme::is_available) {
        let secret = String::from_utf8(scheme.key.encode(b"kit-secret")).unwrap();
        let kit = TestKit::new(scheme.clone(), &secret)
            .unwrap()
            .at(1_700_000_000);
        let verifier = Verifier::new(scheme.clone(), &secret).unwrap();
        let good = kit.signed(body).unwrap();
        verifier
            .verify_at(&good.headers, &good.body, 1_700_000_000)
            .unwrap_or_else(|e| panic!("{}: {e}", scheme.name));
        let broken = kit.every_breakage(body).unwrap();
        assert!(broken.len() >= 5, "{}: {broken:?}", scheme.name);
        for (how, delivery) in broken {
            let error = verifier
                .verify_at(&delivery.headers, &delivery.body, 1_700_000_000)
                .unwrap_err();
            let fits = match how {
                Breakage::Stale | Breakage::Future => {
                    matches!(error, VerifyError::OutsideTolerance { .. })
                }
                Breakage::MissingSignature | Breakage::OtherProvider => {
                    matches!(error, VerifyError::MissingHeader { .. })
                }
                _ => matches!(
                    error,
                    VerifyError::NoMatch { .. } | VerifyError::BodyDigestMismatch
                ),
            };
            assert!(fits, "{} {how:?}: {error}", scheme.name);
        }
    }
}
