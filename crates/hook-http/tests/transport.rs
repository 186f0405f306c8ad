//! The transport against the emulator over real loopback HTTP: token caching and refresh,
//! retries and their limits, POST never retried, timeouts, and error mapping.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, FaultKind, FaultRule, RouteMatch};
use hook_http::{Auth, ClientConfig, HttpClient, Request, RetryPolicy};
use hook_model::{Error, Provider};

fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_retry_after: Duration::from_secs(2),
    }
}

fn port_client(emulator: &EmulatorHandle) -> HttpClient {
    let c = &emulator.credentials().port;
    let auth = Auth::PortClient {
        token_url: format!("{}/v1/auth/access_token", emulator.port_base()),
        client_id: c.client_id.clone(),
        client_secret: c.client_secret.clone(),
    };
    let config = ClientConfig::new(Provider::Port, &emulator.port_base(), auth)
        .unwrap()
        .retry(fast_retries());
    HttpClient::new(config).unwrap()
}

fn generic_client(emulator: &EmulatorHandle) -> HttpClient {
    let auth = Auth::Bearer(emulator.credentials().generic.api_key.clone());
    let config = ClientConfig::new(Provider::Generic, &emulator.generic_base(), auth)
        .unwrap()
        .retry(fast_retries());
    HttpClient::new(config).unwrap()
}

fn rule(method: &str, prefix: &str, fault: FaultKind, count: u32) -> FaultRule {
    FaultRule {
        id: String::new(),
        route: RouteMatch {
            method: Some(method.into()),
            path_prefix: Some(prefix.into()),
        },
        fault,
        count: Some(count),
        rate: None,
        fired: 0,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_token_fetch() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = port_client(&emulator);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .send(Request::get("v1/webhooks"))
                .await
                .map(|r| r.status)
        });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap().unwrap(), 200);
    }
    assert_eq!(client.token_fetches(), 1);
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_on_a_401() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = port_client(&emulator);
    client.send(Request::get("v1/webhooks")).await.unwrap();
    emulator.admin().expire_tokens().await.unwrap();
    assert_eq!(
        client
            .send(Request::get("v1/webhooks"))
            .await
            .unwrap()
            .status,
        200
    );
    assert_eq!(client.token_fetches(), 2);
}

#[tokio::test]
async fn wrong_credentials_are_unauthorized_and_name_no_secret() {
    let emulator = Emulator::builder().start().await.unwrap();
    let auth = Auth::PortClient {
        token_url: format!("{}/v1/auth/access_token", emulator.port_base()),
        client_id: "who".into(),
        client_secret: hook_model::Secret::new("hunter2"),
    };
    let client =
        HttpClient::new(ClientConfig::new(Provider::Port, &emulator.port_base(), auth).unwrap())
            .unwrap();
    let error = client.send(Request::get("v1/webhooks")).await.unwrap_err();
    assert!(matches!(error, Error::Unauthorized(_)), "{error}");
    assert!(!error.to_string().contains("hunter2") && !format!("{error:?}").contains("hunter2"));
}

#[tokio::test]
async fn idempotent_requests_retry_through_5xx_and_429() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
    emulator
        .admin()
        .inject(&rule(
            "GET",
            "/generic/",
            FaultKind::Status { status: 500 },
            2,
        ))
        .await
        .unwrap();
    emulator
        .admin()
        .inject(&rule(
            "GET",
            "/generic/",
            FaultKind::RateLimit {
                retry_after_secs: 0,
            },
            1,
        ))
        .await
        .unwrap();
    assert_eq!(
        client
            .send(Request::get("v1/webhooks"))
            .await
            .unwrap()
            .status,
        200
    );
    let fired: Vec<u64> = emulator
        .admin()
        .faults()
        .await
        .unwrap()
        .iter()
        .map(|f| f.fired)
        .collect();
    assert_eq!(fired, [2, 1]);
}

#[tokio::test]
async fn retries_stop_at_the_budget_with_a_typed_error() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
    emulator
        .admin()
        .inject(&rule(
            "GET",
            "/generic/",
            FaultKind::Status { status: 503 },
            10,
        ))
        .await
        .unwrap();
    let error = client.send(Request::get("v1/webhooks")).await.unwrap_err();
    assert!(
        matches!(error, Error::Server { status: 503, .. }),
        "{error}"
    );
    assert_eq!(
        emulator.admin().faults().await.unwrap()[0].fired,
        4,
        "one try and three retries"
    );
}

#[tokio::test]
async fn a_retry_after_over_the_cap_is_reported_not_waited() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
    emulator
        .admin()
        .inject(&rule(
            "GET",
            "/generic/",
            FaultKind::RateLimit {
                retry_after_secs: 60,
            },
            1,
        ))
        .await
        .unwrap();
    let error = client.send(Request::get("v1/webhooks")).await.unwrap_err();
    assert!(
        matches!(error, Error::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(60)),
        "{error}"
    );
}

#[tokio::test]
async fn post_is_never_retried_and_a_lost_answer_says_it_may_have_been_applied() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
    let body = serde_json::json!({"url": "https://x.example", "events": ["user.created"]});
    emulator
        .admin()
        .inject(&rule(
            "POST",
            "/generic/",
            FaultKind::Status { status: 500 },
            5,
        ))
        .await
        .unwrap();
    let error = client
        .send(Request::post("v1/webhooks").json(&body).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Server { status: 500, .. }));
    assert_eq!(emulator.admin().faults().await.unwrap()[0].fired, 1);

    emulator.admin().clear_faults().await.unwrap();
    emulator
        .admin()
        .inject(&rule("POST", "/generic/", FaultKind::Drop, 1))
        .await
        .unwrap();
    let error = client
        .send(Request::post("v1/webhooks").json(&body).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Transport { .. }));
    assert!(
        error.to_string().contains("may have been applied"),
        "{error}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let emulator = Emulator::builder().start().await.unwrap();
    let auth = Auth::Bearer(emulator.credentials().generic.api_key.clone());
    let config = ClientConfig::new(Provider::Generic, &emulator.generic_base(), auth)
        .unwrap()
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none());
    let client = HttpClient::new(config).unwrap();
    emulator
        .admin()
        .inject(&rule(
            "GET",
            "/generic/",
            FaultKind::Latency { millis: 2_000 },
            1,
        ))
        .await
        .unwrap();
    let error = client.send(Request::get("v1/webhooks")).await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout(d) if d == Duration::from_millis(100)),
        "{error}"
    );
}

#[tokio::test]
async fn provider_error_bodies_map_to_typed_errors() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
    let error = client
        .send(Request::get("v1/webhooks/hook_missing"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::NotFound(e) if e.code.as_deref() == Some("not_found")),
        "{error}"
    );
    let bad = serde_json::json!({"url": "nope", "events": ["user.created"]});
    let error = client
        .send(Request::post("v1/webhooks").json(&bad).unwrap())
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Validation { field, .. } if field == "url"),
        "{error}"
    );
}

#[tokio::test]
async fn a_delete_whose_answer_was_lost_succeeds_on_retry() {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = generic_client(&emulator);
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
    emulator
        .admin()
        .inject(&rule("DELETE", "/generic/", FaultKind::Drop, 1))
        .await
        .unwrap();
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
    let config = ClientConfig::new(Provider::Generic, &base, Auth::None)
        .unwrap()
        .retry(RetryPolicy::none());
    let client = HttpClient::new(config).unwrap();
    let error = client.send(Request::get("hook")).await.unwrap_err();
    let text = error.to_string().to_lowercase();
    assert!(matches!(error, Error::Transport { .. }), "{error}");
    assert!(
        text.contains("certificate") || text.contains("unknownissuer"),
        "{text}"
    );
}
