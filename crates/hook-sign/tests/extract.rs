//! The axum extractors (feature `axum`) in a real server over loopback.
#![cfg(feature = "axum")]
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;

use axum::Router;
use axum::routing::post;
use hook_sign::extract::{Signed, SignedBody};
use hook_sign::{Message, Scheme, Signer, Verifier};

#[derive(serde::Deserialize)]
struct Event {
    id: String,
}

async fn typed(
    Signed {
        event, verified, ..
    }: Signed<Event>,
) -> String {
    format!("{} via secret {}", event.id, verified.secret_index)
}

async fn raw(SignedBody { body, .. }: SignedBody) -> String {
    format!("{} bytes", body.len())
}

async fn serve() -> String {
    let verifier = Arc::new(Verifier::with_secrets(Scheme::generic(), ["old", "new"]).unwrap());
    let app = Router::new()
        .route("/typed", post(typed))
        .route("/raw", post(raw))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

async fn post_signed(base: &str, path: &str, secret: &str, body: &'static [u8]) -> (u16, String) {
    let headers = Signer::new(Scheme::generic(), secret)
        .unwrap()
        .sign(&Message::new(body))
        .unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let response = client
        .post(format!("{base}{path}"))
        .headers(headers.to_header_map())
        .body(body)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_signed_delivery_reaches_the_handler_typed() {
    let base = serve().await;
    assert_eq!(
        post_signed(&base, "/typed", "new", br#"{"id":"evt_1"}"#).await,
        (200, "evt_1 via secret 1".into())
    );
    assert_eq!(
        post_signed(&base, "/raw", "old", b"not json").await,
        (200, "8 bytes".into())
    );
}

#[tokio::test]
async fn a_bad_signature_is_401_with_the_reason_and_bad_json_is_400() {
    let base = serve().await;
    let (status, text) = post_signed(&base, "/typed", "wrong", br#"{"id":"evt_1"}"#).await;
    assert_eq!(status, 401);
    assert!(
        text.starts_with("invalid signature: no signature matched"),
        "{text}"
    );
    let (status, text) = post_signed(&base, "/typed", "new", br#"{"no_id":1}"#).await;
    assert_eq!(status, 400);
    assert!(text.contains("missing field `id`"), "{text}");
    let unsigned = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{base}/raw"))
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 401);
    assert_eq!(
        unsigned.text().await.unwrap(),
        "invalid signature: missing header X-Webhook-Signature"
    );
}
