//! Serde round trips of the UP42 wire records.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_model::EventType;
use hook_up42::wire;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `json` as `T`, encodes it again, and checks nothing was lost or added.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    hook_emulator::round_trip(json).unwrap()
}

// UP42's documented shapes.
#[test]
fn up42_records() {
    let list: wire::Envelope<Vec<wire::Up42Webhook>> = round_trip(
        r#"{"data":[{"id":"1df1ebb0-78a4-55d9-b806-15d22e391bd3","url":"https://receiving-url.com","name":"new-webhook",
            "active":true,"events":["job.status","order.status"],"secret":"QWZTFnMEXhqZKNmu",
            "createdAt":"2024-01-15T10:30:00Z","updatedAt":"2024-01-15T10:30:00Z"}],"error":null}"#,
    );
    assert_eq!(
        list.data.unwrap()[0].events[1],
        EventType::new("order.status")
    );
    let error: wire::Envelope<Value> = round_trip(
        r#"{"data":null,"error":{"code":404,"message":"Webhook not found","details":null}}"#,
    );
    assert_eq!(error.error.unwrap().code, 404);
    let run: wire::Envelope<wire::TestRun> = round_trip(
        r#"{"data":{"startedAt":"2024-01-15T10:30:00Z","testsRun":2,"testsSucceeded":1},"error":null}"#,
    );
    assert_eq!(run.data.unwrap().tests_succeeded, 1);
    let _: wire::Envelope<Vec<wire::EventInfo>> = round_trip(
        r#"{"data":[{"name":"job.status","title":"Job status","category":"job","description":"d","documentation":"https://docs.up42.com"}],"error":null}"#,
    );
    let token: hook_http::OAuthToken = round_trip(
        r#"{"access_token":"t","expires_in":300,"token_type":"Bearer","scope":"openid"}"#,
    );
    assert_eq!(token.extra["scope"], "openid");
}

// The delivery shapes UP42's own handler samples read.
#[test]
fn up42_deliveries_read_event_and_body_with_typed_statuses() {
    let job: hook_up42::Up42Event = round_trip(
        r#"{"event":"job.status","body":{"jobId":"2a3b","jobName":"ndvi","status":"FAILED","finishedAt":"2024-01-15T10:30:00Z"}}"#,
    );
    assert_eq!(job.job_status(), Some(hook_up42::JobStatus::Failed));
    assert_eq!(job.order_status(), None);
    assert_eq!(job.body.extra["jobName"], "ndvi");
    let order: hook_up42::Up42Event = round_trip(
        r#"{"event":"order.status","body":{"orderId":"o-1","status":"FAILED PERMANENTLY"},"sentAt":1}"#,
    );
    assert_eq!(
        order.order_status(),
        Some(hook_up42::OrderStatus::FailedPermanently)
    );
    assert_eq!(order.extra["sentAt"], 1);
    let unknown: hook_up42::Up42Event =
        round_trip(r#"{"event":"job.status","body":{"status":"QUEUED"}}"#);
    assert_eq!(
        unknown.job_status(),
        Some(hook_up42::JobStatus::Other("QUEUED".into()))
    );
    let user: wire::Envelope<hook_up42::CurrentUser> =
        round_trip(r#"{"data":{"id":"8f0c","email":"me@example.com"},"error":null}"#);
    assert_eq!(user.data.unwrap().id, "8f0c");
    // The generic shape this SDK once assumed is not a UP42 delivery.
    assert!(hook_up42::parse_event(br#"{"id":"evt_1","type":"job.status","data":{}}"#).is_err());
}
