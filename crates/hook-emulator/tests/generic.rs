//! The generic service over real HTTP: CRUD, validation, test deliveries verified by a
//! real receiver, and the delivery log.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::time::Duration;

use hook_emulator::Emulator;
use reqwest::Method;
use serde_json::json;
use support::{Api, Receiver};

#[tokio::test]
async fn create_list_get_update_delete() {
    let (_emulator, api) = Api::start(hook_generic::PROVIDER).await;

    // The documented request body.
    let (status, created) = api.post("", json!({
        "url": "https://yourapp.com/webhook", "events": ["user.created", "user.updated", "project.created"],
        "secret": "whsec_abc123...", "active": true
    })).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("hook_"));
    assert!(created["created_at"].is_string());
    assert_eq!(created["secret"], "whsec_abc123...");

    let only = json!({"url": "https://b.example", "events": ["file.uploaded"]});
    let (_, generated) = api.post("", only).await;
    assert!(generated["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(generated["active"], true);

    let (_, list) = api.get("?per_page=1").await;
    assert_eq!(
        (list["data"][0]["id"].as_str(), &list["has_more"]),
        (Some(id.as_str()), &json!(true))
    );

    let one = format!("/{id}");
    let (status, updated) = api.patch(&one, json!({"active": false})).await;
    assert_eq!(
        (status, &updated["active"], &updated["url"]),
        (200, &json!(false), &json!("https://yourapp.com/webhook"))
    );
    assert_eq!(api.delete(&one).await, 204);
    let (status, missing) = api.get(&one).await;
    assert_eq!(
        (status, &missing["error"]["code"]),
        (404, &json!("not_found"))
    );
}

#[tokio::test]
async fn validation_errors_name_the_field() {
    let (_emulator, api) = Api::start(hook_generic::PROVIDER).await;
    for (body, field) in [
        (json!({"events": ["user.created"]}), "url"),
        (json!({"url": "nope", "events": ["user.created"]}), "url"),
        (json!({"url": "https://x.example", "events": []}), "events"),
        (
            json!({"url": "https://x.example", "events": ["user.exploded"]}),
            "events",
        ),
        (
            json!({"url": "https://x.example", "events": ["user.created"], "secret": ""}),
            "secret",
        ),
    ] {
        let (status, error) = api.post("", body.clone()).await;
        assert_eq!(
            (status, &error["error"]["field"]),
            (422, &json!(field)),
            "{body} → {error}"
        );
    }
    assert_eq!(api.post_raw("{not json").await, 400);
}

#[tokio::test]
async fn a_test_delivery_is_signed_received_and_logged() {
    let emulator = Emulator::builder().start().await.unwrap();
    let mut receiver = Receiver::start(hook_generic::PROVIDER, "whsec_test").await;
    let api = Api::new(&emulator, hook_generic::PROVIDER).await;
    let body =
        json!({"url": receiver.url, "events": ["payment.succeeded"], "secret": "whsec_test"});
    let (_, created) = api.post("", body).await;
    let id = created["id"].as_str().unwrap();
    let test = format!("/{id}/test");
    let (status, answer) = api.call(Method::POST, &test, None).await;
    assert_eq!(status, 202);

    let delivery = receiver.next().await;
    delivery.verified.unwrap();
    let event = hook_generic::parse_event(&delivery.body).unwrap();
    assert_eq!(Some(event.id.as_str()), answer["event_id"].as_str());
    assert_eq!(event.kind, "payment.succeeded");

    let delivery_id = answer["delivery_id"].as_str().unwrap();
    emulator
        .admin()
        .settled(&[("id", delivery_id)], Duration::from_secs(10))
        .await
        .unwrap();
    let (_, log) = api.get(&format!("/{id}/deliveries")).await;
    let record = &log["deliveries"][0];
    assert_eq!(
        (
            &record["status"],
            &record["status_code"],
            &record["attempts"]
        ),
        (&json!("success"), &json!(200), &json!(1))
    );
    assert_eq!(record["event_id"], answer["event_id"]);
}
