//! Cross-check against the `svix` crate, the reference Standard Webhooks implementation:
//! svix-signed messages verify with ours, and ours with svix.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_sign::{Message, Scheme, Signer, Verifier, unix_now};
use proptest::prelude::*;
use svix::webhooks::Webhook;

const SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

fn svix_headers(id: &str, timestamp: u64, signature: &str) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    map.insert("webhook-id", id.parse().unwrap());
    map.insert("webhook-timestamp", timestamp.to_string().parse().unwrap());
    map.insert("webhook-signature", signature.parse().unwrap());
    map
}

#[test]
fn svix_verifies_ours_and_we_verify_svix_at_the_current_time() {
    let body = br#"{"type":"user.created"}"#;
    let now = unix_now();
    let ours = Signer::new(Scheme::standard_webhooks(), SECRET)
        .unwrap()
        .sign(&Message::new(body).id("msg_1").at(now))
        .unwrap();
    Webhook::new(SECRET)
        .unwrap()
        .verify(body, &ours.to_header_map())
        .unwrap();

    let signature = Webhook::new(SECRET)
        .unwrap()
        .sign("msg_1", now as i64, body)
        .unwrap();
    Verifier::new(Scheme::standard_webhooks(), SECRET)
        .unwrap()
        .verify(&svix_headers("msg_1", now, &signature), body)
        .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn signatures_agree_with_svix(
        key in proptest::collection::vec(any::<u8>(), 1..=64),
        id in "[A-Za-z0-9_-]{1,64}",
        timestamp in 0u64..=4_000_000_000,
        // svix signs text only: it refuses bodies that are not UTF-8.
        body in "(?s).{0,2048}",
    ) {
        use base64::Engine as _;
        let secret = format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(&key));
        let svix = Webhook::new(&secret).unwrap();
        let body = body.into_bytes();
        let theirs = svix.sign(&id, timestamp as i64, &body).unwrap();
        let ours = Signer::new(Scheme::standard_webhooks(), &secret)
            .unwrap()
            .sign(&Message::new(&body).id(&id).at(timestamp))
            .unwrap();
        prop_assert_eq!(ours.get("webhook-signature"), Some(theirs.as_str()));

        let verifier = Verifier::new(Scheme::standard_webhooks(), &secret).unwrap();
        prop_assert!(verifier.verify_at(&svix_headers(&id, timestamp, &theirs), &body, timestamp).is_ok());
        prop_assert!(svix.verify_ignoring_timestamp(&body, &ours.to_header_map()).is_ok());
    }
}
