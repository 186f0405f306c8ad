//! Port over real HTTP: token, CRUD with both PATCH and PUT, limits, conflicts, 413, and
//! deliveries signed the real Port way.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use hook_emulator::Emulator;
use hook_model::Provider;
use reqwest::Method;
use serde_json::json;
use support::{Receiver, call, http, token};

#[tokio::test]
async fn token_lifecycle_and_the_seed_envelopes() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (http, base) = (http(), format!("{}/v1/webhooks", emulator.port_base()));
    let (status, refused) = call(&http, Method::GET, &base, "nope", None).await;
    assert_eq!(
        (status, &refused["ok"], &refused["error"]),
        (401, &json!(false), &json!("unauthorized"))
    );
    let token = token(&emulator, Provider::Port).await;

    // Seed 001's create body.
    let (status, created) = call(&http, Method::POST, &base, &token, Some(json!({
        "identifier": "entity-updated-webhook", "title": "Entity Updated Notifications",
        "description": "Webhook for entity update events", "url": "https://api.example.com/webhooks/port",
        "events": ["entity.created", "entity.updated"],
        "headers": {"Authorization": "Bearer your-api-token", "Content-Type": "application/json"},
        "security": {"secret": "your-webhook-secret"}
    }))).await;
    assert_eq!((status, &created["ok"]), (201, &json!(true)), "{created}");
    assert_eq!(created["webhook"]["enabled"], true);
    assert!(created["webhook"]["createdAt"].is_string());

    let one = format!("{base}/entity-updated-webhook");
    let (status, got) = call(&http, Method::GET, &one, &token, None).await;
    assert_eq!(
        (status, &got["webhook"]["title"]),
        (200, &json!("Entity Updated Notifications"))
    );

    let (status, patched) = call(&http, Method::PATCH, &one, &token, Some(json!({
        "url": "https://api.example.com/webhooks/port/v2", "events": ["entity.created", "entity.updated", "entity.deleted"]
    }))).await;
    assert_eq!(status, 200);
    assert_eq!(patched["webhook"]["title"], "Entity Updated Notifications");
    assert_eq!(patched["webhook"]["events"].as_array().unwrap().len(), 3);

    let (status, replaced) = call(
        &http,
        Method::PUT,
        &one,
        &token,
        Some(json!({"url": "https://x.example"})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        replaced["webhook"].get("title").is_none(),
        "PUT replaces: {replaced}"
    );

    let (status, deleted) = call(&http, Method::DELETE, &one, &token, None).await;
    assert_eq!((status, deleted), (200, json!({"ok": true})));
    let (status, missing) = call(&http, Method::GET, &one, &token, None).await;
    assert_eq!((status, &missing["error"]), (404, &json!("not_found")));
}

#[tokio::test]
async fn limits_conflicts_and_schema_errors() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (http, base) = (http(), format!("{}/v1/webhooks", emulator.port_base()));
    let token = token(&emulator, Provider::Port).await;
    let ok = json!({"identifier": "taken", "url": "https://x.example"});
    assert_eq!(
        call(&http, Method::POST, &base, &token, Some(ok.clone()))
            .await
            .0,
        201
    );
    let (status, conflict) = call(&http, Method::POST, &base, &token, Some(ok)).await;
    assert_eq!((status, &conflict["error"]), (409, &json!("conflict")));

    for bad in [
        json!({"identifier": "x".repeat(31), "url": "https://x.example"}),
        json!({"identifier": "ok", "title": "t".repeat(31), "url": "https://x.example"}),
        json!({"identifier": "ok", "description": "d".repeat(201), "url": "https://x.example"}),
        json!({"identifier": "has space", "url": "https://x.example"}),
        json!({"identifier": "ok", "url": "https://x.example", "events": "entity.created"}),
        json!({"identifier": "ok", "url": "https://x.example", "events": ["entity.exploded"]}),
        json!({"identifier": "ok"}),
        json!(["not", "an", "object"]),
    ] {
        let (status, error) = call(&http, Method::POST, &base, &token, Some(bad.clone())).await;
        assert_eq!(
            (status, &error["error"], &error["ok"]),
            (422, &json!("validation_error"), &json!(false)),
            "{bad}"
        );
    }

    let huge = json!({"identifier": "big", "url": "https://x.example", "description": "d".repeat(1024 * 1024)});
    let (status, error) = call(&http, Method::POST, &base, &token, Some(huge)).await;
    assert_eq!(
        (status, &error["error"]),
        (413, &json!("payload_too_large"))
    );
}

#[tokio::test]
async fn pages_follow_page_and_per_page() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (http, base) = (http(), format!("{}/v1/webhooks", emulator.port_base()));
    let token = token(&emulator, Provider::Port).await;
    for i in 0..5 {
        let body = json!({"identifier": format!("hook-{i}"), "url": "https://x.example"});
        assert_eq!(
            call(&http, Method::POST, &base, &token, Some(body)).await.0,
            201
        );
    }
    let (_, page) = call(
        &http,
        Method::GET,
        &format!("{base}?page=2&per_page=2"),
        &token,
        None,
    )
    .await;
    let ids: Vec<&str> = page["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["hook-2", "hook-3"]);
    let (status, _) = call(
        &http,
        Method::GET,
        &format!("{base}?per_page=0"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn deliveries_carry_custom_headers_and_verify_with_the_port_preset() {
    let emulator = Emulator::builder().start().await.unwrap();
    let mut receiver = Receiver::start(Provider::Port, "port-secret").await;
    let token = token(&emulator, Provider::Port).await;
    let body = json!({"identifier": "recv", "url": receiver.url, "events": ["entity.created"],
        "headers": {"X-Team": "platform"}, "security": {"secret": "port-secret"}});
    let (status, _) = call(
        &http(),
        Method::POST,
        &format!("{}/v1/webhooks", emulator.port_base()),
        &token,
        Some(body),
    )
    .await;
    assert_eq!(status, 201);
    let fired = emulator
        .admin()
        .fire(
            Provider::Port,
            "Entity.Created",
            json!({"entity": {"identifier": "payment-service"}}),
        )
        .await
        .unwrap();
    assert_eq!(fired.deliveries.len(), 1);
    let delivery = receiver.next().await;
    delivery.verified.unwrap();
    assert_eq!(delivery.headers["x-team"], "platform");
    assert!(
        delivery.headers["x-port-signature"]
            .to_str()
            .unwrap()
            .starts_with("v1,")
    );
    let event = hook_port::parse_event(&delivery.body).unwrap();
    assert_eq!(event.event, "entity.created");
}
