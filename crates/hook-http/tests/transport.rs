//! The transport against the emulator over real loopback HTTP: token caching, refresh and
//! retries of the token endpoint, retries and their limits, POST never retried, timeouts,
//! and error mapping through a plugged-in decoder.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, FaultKind, FaultRule};
use hook_http::{Auth, ClientConfig, ErrorReply, HttpClient, OAuth2, Request, RetryPolicy};
use hook_model::{Applied, Error, Provider};

const TOKEN_PATH: &str = "/uipath/identity_/connect/token";
const LIST: &str = "odata/Webhooks";

fn fast_retries() -> RetryPolicy {
    RetryPolicy::new(3, Duration::from_millis(5), Duration::from_millis(20))
        .max_retry_after(Duration::from_secs(2))
}

/// An OAuth 2 client-credentials client, the token endpoint being the emulator's UiPath one.
fn oauth_client(emulator: &EmulatorHandle, secret: &str) -> HttpClient {
    let c = &emulator.credentials().uipath;
    let token_url = format!("{}/identity_/connect/token", emulator.uipath_host());
    let auth = Auth::token(OAuth2::client_credentials(
        token_url,
        c.client_id.clone(),
        secret,
    ));
    let config = ClientConfig::new(Provider::new("uipath"), &emulator.uipath_base(), auth)
        .unwrap()
        .retry(fast_retries());
    HttpClient::new(config).unwrap()
}

fn good_oauth_client(emulator: &EmulatorHandle) -> HttpClient {
    let secret = emulator
        .credentials()
        .uipath
        .client_secret
        .expose()
        .to_owned();
    oauth_client(emulator, &secret)
}

/// The generic service's error shape, `{"error": {"code", "message", "field"}}`, read here
/// to check that the transport uses the decoder a provider plugs in.
fn nested_errors(body: &[u8]) -> ErrorReply {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |key: &str| value["error"][key].as_str().map(str::to_owned);
    ErrorReply::new(text("code"), text("message").unwrap_or_default()).field(text("field"))
}

fn generic_client(emulator: &EmulatorHandle) -> HttpClient {
    let auth = Auth::Bearer(emulator.credentials().generic.api_key.clone());
    let config = ClientConfig::new(Provider::new("generic"), &emulator.generic_base(), auth)
        .unwrap()
        .retry(fast_retries())
        .errors(nested_errors);
    HttpClient::new(config).unwrap()
}

/// An emulator, and a client of its generic service.
async fn generic() -> (EmulatorHandle, HttpClient) {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
    (emulator, client)
}

const GENERIC: &str = "/generic/";

fn status(status: u16) -> FaultKind {
    FaultKind::Status { status }
}

fn rate_limit(retry_after_secs: u64) -> FaultKind {
    FaultKind::RateLimit { retry_after_secs }
}

/// The generic service's list, sent with `fault` injected for `count` GETs: the error.
async fn list_failing(fault: FaultKind, count: u32) -> (EmulatorHandle, Error) {
    let (emulator, client) = generic().await;
    inject(&emulator, "GET", GENERIC, fault, count).await;
    let error = client.send(Request::get("v1/webhooks")).await.unwrap_err();
    (emulator, error)
}

/// Injects `fault` for the next `count` requests with `method` under `prefix`.
async fn inject(
    emulator: &EmulatorHandle,
    method: &str,
    prefix: &str,
    fault: FaultKind,
    count: u32,
) {
    let rule = FaultRule::new(fault).on(method, prefix).times(count);
    emulator.admin().inject(&rule).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_token_fetch() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = good_oauth_client(&emulator);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move { client.send(Request::get(LIST)).await.map(|r| r.status) });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    assert_eq!(client.token_fetches(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_on_a_401() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = good_oauth_client(&emulator);
    client.send(Request::get(LIST)).await.unwrap();
    emulator.admin().expire_tokens().await.unwrap();
    assert_eq!(client.send(Request::get(LIST)).await.unwrap().status, 200);
    assert_eq!(client.token_fetches(), 2);
}

#[tokio::test]
async fn the_token_endpoint_is_retried_through_5xx_429_and_dropped_connections() {
    let emulator = Emulator::builder().start().await.unwrap();
    for fault in [status(503), rate_limit(0), FaultKind::Drop] {
        inject(&emulator, "POST", TOKEN_PATH, fault, 1).await;
    }
    let client = good_oauth_client(&emulator);
    assert_eq!(client.send(Request::get(LIST)).await.unwrap().status, 200);
    let fired: Vec<u64> = emulator.admin().fired().await.unwrap();
    assert_eq!(fired, [1, 1, 1]);
    assert_eq!(client.token_fetches(), 1);
}

#[tokio::test]
async fn a_token_endpoint_asking_for_too_long_a_wait_is_rate_limited_like_any_call() {
    let emulator = Emulator::builder().start().await.unwrap();
    let fault = rate_limit(60);
    inject(&emulator, "POST", TOKEN_PATH, fault, 1).await;
    let error = good_oauth_client(&emulator)
        .send(Request::get(LIST))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(60)),
        "{error}"
    );
    assert_eq!(error.context().operation, Some("fetch token"));
}

/// `error` says operation `operation` was not sent (`Applied::No`) and may be retried.
fn not_sent(error: &Error, operation: &str) {
    assert!(
        matches!(
            error,
            Error::Transport {
                applied: Applied::No,
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(error.context().operation, Some(operation));
    assert!(error.is_retryable(), "nothing reached the service: {error}");
}

#[tokio::test]
async fn a_failing_token_endpoint_is_not_a_credential_refusal() {
    let emulator = Emulator::builder().start().await.unwrap();
    inject(&emulator, "POST", TOKEN_PATH, status(502), 10).await;
    let error = good_oauth_client(&emulator)
        .send(Request::get(LIST).operation("list webhooks"))
        .await
        .unwrap_err();
    // Nothing was sent: the call's own error, `Applied::No`, with the token's as source.
    not_sent(&error, "list webhooks");
    let token = std::error::Error::source(&error)
        .and_then(|s| s.downcast_ref::<Error>())
        .unwrap();
    assert!(
        matches!(token, Error::ServiceFailed { reply, .. } if reply.status == Some(502)),
        "{token}"
    );
    assert_eq!(token.context().operation, Some("fetch token"));
    assert!(error.report().contains("HTTP 502"), "{}", error.report());
    assert_eq!(emulator.admin().fired().await.unwrap()[0], 4);
}

#[tokio::test]
async fn a_create_whose_token_fails_was_not_sent_and_may_be_retried() {
    let emulator = Emulator::builder().start().await.unwrap();
    inject(&emulator, "POST", TOKEN_PATH, status(503), 10).await;
    let body = serde_json::json!({"Name": "x"});
    let error = good_oauth_client(&emulator)
        .send(
            Request::post("odata/Webhooks")
                .operation("create webhook")
                .json(&body)
                .unwrap(),
        )
        .await
        .unwrap_err();
    not_sent(&error, "create webhook");
    assert!(
        !error.to_string().contains("may have been applied"),
        "{error}"
    );
    let requests = emulator.admin().requests().await.unwrap();
    assert!(
        requests.iter().all(|r| !r.path.ends_with("odata/Webhooks")),
        "the create was never sent"
    );
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized_and_name_no_secret() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = oauth_client(&emulator, "hunter2");
    let error = client.send(Request::get(LIST)).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized { .. }), "{error}");
    assert!(!error.is_retryable());
    assert!(!error.to_string().contains("hunter2") && !format!("{error:?}").contains("hunter2"));
}

#[tokio::test]
async fn idempotent_requests_retry_through_5xx_and_429() {
    let (emulator, client) = generic().await;
    inject(&emulator, "GET", GENERIC, status(500), 2).await;
    inject(&emulator, "GET", GENERIC, rate_limit(0), 1).await;
    assert_eq!(
        client
            .send(Request::get("v1/webhooks"))
            .await
            .unwrap()
            .status,
        200
    );
    let fired: Vec<u64> = emulator.admin().fired().await.unwrap();
    assert_eq!(fired, [2, 1]);
}

#[tokio::test]
async fn retries_stop_at_the_budget_with_a_typed_error() {
    let (emulator, error) = list_failing(status(503), 10).await;
    assert!(
        matches!(&error, Error::ServiceFailed { reply, .. } if reply.status == Some(503)),
        "{error}"
    );
    assert!(error.is_retryable(), "a GET may be sent again");
    assert_eq!(
        emulator.admin().fired().await.unwrap()[0],
        4,
        "one try and three retries"
    );
}

#[tokio::test]
async fn a_retry_after_over_the_cap_is_reported_not_waited() {
    let (_emulator, error) = list_failing(rate_limit(60), 1).await;
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(60)),
        "{error}"
    );
}

#[tokio::test]
async fn post_is_never_retried_and_a_lost_answer_says_it_may_have_been_applied() {
    let (emulator, client) = generic().await;
    let body = serde_json::json!({"url": "https://x.example", "events": ["user.created"]});
    inject(&emulator, "POST", GENERIC, status(500), 5).await;
    let error = client
        .send(Request::post("v1/webhooks").json(&body).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(&error, Error::ServiceFailed { reply, .. } if reply.status == Some(500)));
    assert!(
        !error.is_retryable(),
        "a POST answered 500 may have been applied"
    );
    assert_eq!(emulator.admin().fired().await.unwrap()[0], 1);

    emulator.admin().clear_faults().await.unwrap();
    inject(&emulator, "POST", GENERIC, FaultKind::Drop, 1).await;
    let error = client
        .send(Request::post("v1/webhooks").json(&body).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::Transport {
            applied: Applied::Maybe,
            ..
        }
    ));
    assert!(!error.is_retryable());
    assert!(
        error.to_string().contains("may have been applied"),
        "{error}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let emulator = Emulator::builder().start().await.unwrap();
    let auth = Auth::Bearer(emulator.credentials().generic.api_key.clone());
    let config = ClientConfig::new(Provider::new("generic"), &emulator.generic_base(), auth)
        .unwrap()
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none());
    let client = HttpClient::new(config).unwrap();
    inject(
        &emulator,
        "GET",
        GENERIC,
        FaultKind::Latency { millis: 2_000 },
        1,
    )
    .await;
    let error = client.send(Request::get("v1/webhooks")).await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { after, .. } if after == Duration::from_millis(100)),
        "{error}"
    );
}

#[tokio::test]
async fn provider_error_bodies_map_to_typed_errors() {
    let (_emulator, client) = generic().await;
    let error = client
        .send(
            Request::get("v1/webhooks/hook_missing")
                .operation("get webhook")
                .webhook("hook_missing"),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::NotFound { reply: e, .. } if e.code.as_deref() == Some("not_found")),
        "{error}"
    );
    let context = error.context();
    assert_eq!(
        (
            context.operation,
            context.webhook_id.as_deref(),
            context.method
        ),
        (
            Some("get webhook"),
            Some("hook_missing"),
            Some(hook_model::Method::Get)
        )
    );
    let bad = serde_json::json!({"url": "nope", "events": ["user.created"]});
    let error = client
        .send(Request::post("v1/webhooks").json(&bad).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Rejected { reply, .. } if reply.field.as_deref() == Some("url")),
        "{error}"
    );
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_succeeds_on_retry() {
    let (emulator, client) = generic().await;
    let body = serde_json::json!({"url": "https://x.example", "events": ["user.created"]});
    let created = client
        .send(Request::post("v1/webhooks").json(&body).unwrap())
        .await
        .unwrap()
        .value()
        .unwrap();
    let path = format!("v1/webhooks/{}", created["id"].as_str().unwrap());
    // Stand in for a DELETE that was applied but whose answer was lost: delete the webhook
    // behind the client's back, then drop the connection of the client's first try.
    let bare = reqwest::Client::builder().no_proxy().build().unwrap();
    let status = bare
        .delete(format!("{}/{path}", emulator.generic_base()))
        .bearer_auth(emulator.credentials().generic.api_key.expose())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    inject(&emulator, "DELETE", GENERIC, FaultKind::Drop, 1).await;
    assert_eq!(
        client
            .send(Request::delete(path.as_str()))
            .await
            .unwrap()
            .status,
        204
    );
}

#[tokio::test]
async fn an_invalid_certificate_is_refused_by_default() {
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::generic(), "s").unwrap();
    let (receiver, _certificate) = hook_emulator::Receiver::start_tls(verifier).await.unwrap();
    let base = receiver.url().trim_end_matches("/hook").to_owned();
    let config = ClientConfig::new(Provider::new("generic"), &base, Auth::None)
        .unwrap()
        .retry(RetryPolicy::none());
    let client = HttpClient::new(config).unwrap();
    let error = client.send(Request::get("hook")).await.unwrap_err();
    let text = error.report().to_lowercase();
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert!(
        text.contains("certificate") || text.contains("unknownissuer"),
        "{text}"
    );
}
