//! UP42 over real HTTP: password-grant tokens, the `{data, error}` envelope, HTTPS-only
//! URLs, the event catalog, and test runs.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use hook_emulator::Emulator;
use reqwest::Method;
use serde_json::json;
use support::{Api, call, http, token};

#[tokio::test]
async fn lifecycle_in_the_data_error_envelope() {
    let (_emulator, api) = Api::start(hook_up42::PROVIDER).await;
    // Seed 003's create_webhook arguments.
    let (status, created) = api.post("", json!({
        "name": "new-webhook", "url": "https://receiving-url.com", "events": ["job.status", "order.status"],
        "active": true, "secret": "QWZTFnMEXhqZKNmu"
    })).await;
    assert_eq!(
        (status, &created["error"]),
        (201, &json!(null)),
        "{created}"
    );
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(id.len(), 36);

    let (_, list) = api.get("").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let one = format!("/{id}");
    let (status, updated) = api.put(&one, json!({
        "name": "new-name", "url": "https://receiving-url.com", "events": ["job.status"], "active": false
    })).await;
    assert_eq!(
        (status, &updated["data"]["name"], &updated["data"]["secret"]),
        (200, &json!("new-name"), &json!(""))
    );
    assert_eq!(api.delete(&one).await, 204);
    let (status, missing) = api.get(&one).await;
    assert_eq!((status, &missing["error"]["code"]), (404, &json!(404)));
}

#[tokio::test]
async fn http_urls_unknown_events_and_other_workspaces_are_refused() {
    let (emulator, api) = Api::start(hook_up42::PROVIDER).await;
    for (body, field) in [
        (
            json!({"name": "n", "url": "http://receiving-url.com", "events": ["job.status"]}),
            "url",
        ),
        (
            json!({"name": "n", "url": "https://receiving-url.com", "events": ["job.done"]}),
            "events",
        ),
        (
            json!({"url": "https://receiving-url.com", "events": []}),
            "name",
        ),
    ] {
        let (status, error) = api.post("", body.clone()).await;
        assert_eq!(
            (status, &error["data"], &error["error"]["details"]["field"]),
            (400, &json!(null), &json!(field)),
            "{body}"
        );
    }
    // The workspace is compared decoded: its id with every `-` percent-encoded is the same.
    let ws = &emulator.credentials().up42.workspace_id;
    let encoded = format!(
        "{}/workspaces/{}/webhooks",
        emulator.up42_base(),
        ws.replace('-', "%2D")
    );
    assert_ne!(encoded, api.base, "the id has a dash to encode");
    let (status, listed) = call(&api.http, Method::GET, &encoded, &api.token, None).await;
    assert_eq!(status, 200, "{listed}");
    let other = format!("{}/workspaces/someone-else/webhooks", emulator.up42_base());
    assert_eq!(
        call(&api.http, Method::GET, &other, &api.token, None)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn the_event_catalog_and_a_test_run_against_an_unreachable_url() {
    let (emulator, api) = Api::start(hook_up42::PROVIDER).await;
    let catalog = format!("{}/webhooks/events", emulator.up42_base());
    let (_, events) = call(&api.http, Method::GET, &catalog, &api.token, None).await;
    let names: Vec<&str> = events["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["job.status", "order.status"]);

    // Port 9 on loopback: nothing listens, so both test messages fail fast.
    let (_, created) = api.post("", json!({
        "name": "t", "url": "https://127.0.0.1:9/hook", "events": ["job.status", "order.status"], "active": true
    })).await;
    let id = created["data"]["id"].as_str().unwrap();
    assert_eq!(api.up42_test_run(id).await, (json!(2), json!(0)));
    let log = emulator
        .admin()
        .deliveries(&[("webhook_id", id)])
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert!(
        log.iter().all(
            |d| d.attempts == 1 && d.error.as_deref().is_some_and(|e| e.contains("connection"))
        )
    );
}

#[tokio::test]
async fn users_me_answers_the_workspace_id() {
    let emulator = Emulator::builder().start().await.unwrap();
    let token = token(&emulator, hook_up42::PROVIDER).await;
    let url = format!("{}/users/me", emulator.up42_base());
    let (status, me) = call(&http(), Method::GET, &url, &token, None).await;
    assert_eq!(status, 200);
    assert_eq!(me["data"]["id"], emulator.credentials().up42.workspace_id);
    assert_eq!(me["error"], json!(null));
}
