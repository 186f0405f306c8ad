//! Token answers from any server: any `expires_in` (huge, negative, fractional, a string,
//! missing), any bytes. Parsing never panics; a present `access_token` always yields a
//! token; and a client keeps working against an emulator whose tokens live for u64::MAX
//! seconds (the cache's clock arithmetic saturates).
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use hook_http::{Auth, ClientConfig, HttpClient, OAuth2, Request, TokenSource};
use hook_model::Provider;
use proptest::prelude::*;

fn source() -> OAuth2 {
    OAuth2::client_credentials("https://id.example/token", "app", "s3cret")
}

/// JSON values a server might put in `expires_in`.
fn expires_in() -> impl Strategy<Value = serde_json::Value> {
    prop_oneof![
        any::<u64>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        "[0-9]{0,25}".prop_map(serde_json::Value::from),
        ".{0,10}".prop_map(serde_json::Value::from),
        Just(serde_json::Value::Null),
        Just(serde_json::json!([1, 2])),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_expires_in_reads_without_failing_the_token(value in expires_in()) {
        let body = serde_json::json!({"access_token": "t", "expires_in": value});
        let token = source().parse(body.to_string().as_bytes()).unwrap();
        prop_assert_eq!(token.access_token.expose(), "t");
        if let Some(seconds) = value.as_u64() {
            prop_assert_eq!(token.expires_in, Some(Duration::from_secs(seconds)));
        }
    }

    #[test]
    fn any_bytes_are_a_typed_error_or_a_token(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = source().parse(&bytes);
    }
}

#[test]
fn numbers_as_servers_write_them() {
    let read = |v: serde_json::Value| {
        source()
            .parse(
                serde_json::json!({"access_token": "t", "expires_in": v})
                    .to_string()
                    .as_bytes(),
            )
            .unwrap()
            .expires_in
    };
    assert_eq!(
        read(serde_json::json!(3600)),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(
        read(serde_json::json!("3600")),
        Some(Duration::from_secs(3600))
    );
    assert_eq!(
        read(serde_json::json!(3599.9)),
        Some(Duration::from_secs(3599))
    );
    assert_eq!(read(serde_json::json!(-5)), Some(Duration::ZERO));
    assert_eq!(read(serde_json::json!(1e300)), None);
    assert_eq!(read(serde_json::json!("soon")), None);
}

#[tokio::test]
async fn tokens_that_never_expire_keep_the_client_working() {
    for ttl in [u64::MAX, i64::MAX as u64, 3600] {
        let emulator = hook_emulator::Emulator::builder()
            .token_ttl(Duration::from_secs(ttl))
            .start()
            .await
            .unwrap();
        let c = emulator.credentials();
        let auth = Auth::token(OAuth2::client_credentials(
            format!("{}/identity_/connect/token", emulator.uipath_host()),
            c.uipath.client_id.clone(),
            c.uipath.client_secret.clone(),
        ));
        let client = HttpClient::new(
            ClientConfig::new(Provider::new("uipath"), &emulator.uipath_base(), auth).unwrap(),
        )
        .unwrap();
        for _ in 0..2 {
            let answer = client
                .send(Request::get("odata/Webhooks").operation("list webhooks"))
                .await
                .unwrap();
            assert_eq!(answer.status, 200, "ttl {ttl}");
        }
        assert_eq!(client.token_fetches(), 1, "ttl {ttl}: cached");
    }
}
