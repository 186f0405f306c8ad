//! Property tests over signature round trips, for every preset.
//!
//! `cargo test` runs them at proptest's default case count; `cargo xtask proptest
//! [--cases N]` runs them deep by setting `PROPTEST_CASES`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::{Encoding, Layout, Message, Scheme, SignedHeaders, Signer, Verifier, explain};
use proptest::prelude::*;

/// Any preset this build can sign with.
fn preset() -> impl Strategy<Value = Scheme> {
    preset_where(|_| true)
}

/// A preset that passes `keep`.
fn preset_where(keep: fn(&Scheme) -> bool) -> impl Strategy<Value = Scheme> {
    proptest::sample::select(
        Scheme::presets()
            .into_iter()
            .filter(Scheme::is_available)
            .filter(keep)
            .collect::<Vec<_>>(),
    )
}

/// 1 to 128 secret bytes, written as the preset expects a secret to be written.
fn secret_text(scheme: &Scheme, bytes: &[u8]) -> Vec<u8> {
    scheme.key.encode(bytes)
}

fn secret_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 1..=128)
}

/// Arbitrary bytes (not only UTF-8), mostly small, up to 64 KiB.
fn body() -> impl Strategy<Value = Vec<u8>> {
    body_from(0)
}

fn body_from(min: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::collection::vec(any::<u8>(), min..=512),
        1 => proptest::collection::vec(any::<u8>(), min..=64 * 1024),
    ]
}

fn id() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.-]{1,64}"
}

fn timestamp() -> impl Strategy<Value = u64> {
    0u64..=10_000_000_000
}

fn sign(scheme: &Scheme, secret: &[u8], body: &[u8], id: &str, at: u64) -> SignedHeaders {
    Signer::new(scheme.clone(), secret)
        .unwrap()
        .sign(&Message::new(body).id(id).at(at))
        .unwrap()
}

fn owned(headers: &SignedHeaders) -> Vec<(String, Vec<u8>)> {
    headers
        .iter()
        .map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec()))
        .collect()
}

fn position(headers: &[(String, Vec<u8>)], name: &str) -> usize {
    headers
        .iter()
        .position(|(k, _)| k.eq_ignore_ascii_case(name))
        .unwrap()
}

/// Whether flipping `bit` of `byte` only changes the case of a hex letter, which hex
/// verifiers accept by design.
fn is_hex_case_flip(scheme: &Scheme, byte: u8, bit: u8) -> bool {
    bit == 5
        && byte.is_ascii_hexdigit()
        && byte.is_ascii_alphabetic()
        && scheme.forms.iter().any(|f| f.encoding == Encoding::Hex)
}

proptest! {
    // Failures print their minimal case; integration tests have no lib.rs beside them for
    // proptest's regression files, so persistence is off rather than warning each run.
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn sign_then_verify_accepts(scheme in preset(), key in secret_bytes(), body in body(), id in id(), at in timestamp()) {
        let secret = secret_text(&scheme, &key);
        let headers = sign(&scheme, &secret, &body, &id, at);
        let verified = Verifier::new(scheme.clone(), &secret).unwrap().verify_at(&headers, &body, at).unwrap();
        prop_assert_eq!(verified.secret_index, 0);
        prop_assert_eq!(verified.timestamp, scheme.uses_timestamp().then_some(at));
    }

    #[test]
    fn a_flipped_body_bit_rejects(scheme in preset(), key in secret_bytes(), body in body_from(1), id in id(), at in timestamp(), pick in any::<prop::sample::Index>(), bit in 0u8..8) {
        let secret = secret_text(&scheme, &key);
        let headers = sign(&scheme, &secret, &body, &id, at);
        let mut flipped = body.clone();
        flipped[pick.index(body.len())] ^= 1 << bit;
        prop_assert!(Verifier::new(scheme, &secret).unwrap().verify_at(&headers, &flipped, at).is_err());
    }

    #[test]
    fn a_flipped_signature_bit_rejects(scheme in preset(), key in secret_bytes(), body in body(), id in id(), at in timestamp(), pick in any::<prop::sample::Index>(), bit in 0u8..8) {
        let secret = secret_text(&scheme, &key);
        let mut headers = owned(&sign(&scheme, &secret, &body, &id, at));
        let slot = position(&headers, &scheme.signature_header);
        let value = &mut headers[slot].1;
        let index = pick.index(value.len());
        // Hex verifiers accept either case by design: flip another bit of a hex letter.
        let bit = if is_hex_case_flip(&scheme, value[index], bit) { 0 } else { bit };
        value[index] ^= 1 << bit;
        let verifier = Verifier::new(scheme, &secret).unwrap();
        prop_assert!(verifier.verify_ignoring_timestamp(&headers, &body).is_err());
    }

    // Header lists (UP42) are left out: their `created` is checked but not signed, as
    // `tests/up42.rs` shows.
    #[test]
    fn a_flipped_timestamp_bit_rejects(scheme in preset_where(|s| s.uses_timestamp() && s.header_list().is_none()), key in secret_bytes(), body in body(), id in id(), at in timestamp(), pick in any::<prop::sample::Index>(), bit in 0u8..8) {
        let secret = secret_text(&scheme, &key);
        let mut headers = owned(&sign(&scheme, &secret, &body, &id, at));
        let verifier = Verifier::new(scheme.clone(), &secret).unwrap();
        match scheme.timestamp_header() {
            Some(name) => {
                let slot = position(&headers, name);
                let value = &mut headers[slot].1;
                let index = pick.index(value.len());
                value[index] ^= 1 << bit;
            }
            None => {
                // Stripe: the timestamp is the `t=` item, the digits after "t=".
                let slot = position(&headers, &scheme.signature_header);
                let value = &mut headers[slot].1;
                let digits = value.iter().skip(2).take_while(|b| b.is_ascii_digit()).count();
                value[2 + pick.index(digits)] ^= 1 << bit;
            }
        }
        prop_assert!(verifier.verify_ignoring_timestamp(&headers, &body).is_err());
    }

    #[test]
    fn arbitrary_header_bytes_never_panic(scheme in preset(), values in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..10_000), 3), body in body(), now in any::<u64>()) {
        let verifier = Verifier::new(scheme.clone(), secret_text(&scheme, b"k")).unwrap();
        let names = [
            scheme.signature_header.to_string(),
            scheme.timestamp_header().or(scheme.header_list().map(|(_, input)| input)).unwrap_or("x-unused-1").to_owned(),
            scheme.id_header.as_deref().unwrap_or("x-unused-2").to_owned(),
        ];
        let headers: Vec<(String, Vec<u8>)> = names.into_iter().zip(values).collect();
        let _ = verifier.verify_at(&headers, &body, now);
        let _ = verifier.verify_ignoring_timestamp(&headers, &body);
        let _ = explain(&scheme, &secret_text(&scheme, b"k"), &headers, &body, now);
    }

    #[test]
    fn any_one_of_n_secrets_accepts(scheme in preset(), keys in proptest::collection::vec(secret_bytes(), 1..=5), pick in any::<prop::sample::Index>(), body in body(), id in id(), at in timestamp()) {
        let secrets: Vec<Vec<u8>> = keys.iter().map(|k| secret_text(&scheme, k)).collect();
        let signer_index = pick.index(secrets.len());
        let headers = sign(&scheme, &secrets[signer_index], &body, &id, at);
        let verifier = Verifier::with_secrets(scheme.clone(), &secrets).unwrap();
        let verified = verifier.verify_at(&headers, &body, at).unwrap();
        // Equal secrets may repeat in the list: the first equal one matches.
        prop_assert_eq!(&secrets[verified.secret_index], &secrets[signer_index]);
    }

    #[test]
    fn a_rotating_signer_is_accepted_by_each_secret(scheme in preset_where(|s| matches!(s.layout, Layout::Separated { .. })), keys in proptest::collection::vec(secret_bytes(), 2..=4), body in body(), id in id(), at in timestamp()) {
        let secrets: Vec<Vec<u8>> = keys.iter().map(|k| secret_text(&scheme, k)).collect();
        let headers = Signer::with_secrets(scheme.clone(), &secrets).unwrap().sign(&Message::new(&body).id(&id).at(at)).unwrap();
        for secret in &secrets {
            prop_assert!(Verifier::new(scheme.clone(), secret).unwrap().verify_at(&headers, &body, at).is_ok());
        }
    }
}
