//! Serde round trips of the generic service's wire records.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_generic::wire;
use hook_model::{Delivery, DeliveryStatus, Error, decode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `json` as `T`, encodes it again, and checks nothing was lost or added.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    hook_emulator::round_trip(json).unwrap()
}

// The service's documented examples, verbatim.
#[test]
fn generic_records_of_the_documentation() {
    let _: wire::GenericWebhook = round_trip(
        r#"{
  "url": "https://yourapp.com/webhook",
  "events": [
    "user.created",
    "user.updated",
    "project.created"
  ],
  "secret": "whsec_abc123...",
  "active": true
}"#,
    );
    let created: wire::GenericWebhook = round_trip(
        r#"{
  "id": "hook_123",
  "url": "https://yourapp.com/webhook",
  "events": ["user.created", "user.updated", "project.created"],
  "secret": "whsec_abc123...",
  "active": true,
  "created_at": "2026-01-15T12:00:00Z"
}"#,
    );
    assert_eq!(created.id.as_deref(), Some("hook_123"));
    let event: wire::GenericEvent = round_trip(
        r#"{
  "id": "evt_abc123",
  "type": "user.created",
  "created_at": "2026-01-15T12:30:00Z",
  "data": {
    "id": "user_123",
    "name": "John Doe",
    "email": "john@example.com",
    "status": "active"
  }
}"#,
    );
    assert_eq!(event.data["email"], "john@example.com");
    let log: wire::DeliveryList = round_trip(
        r#"{
  "deliveries": [
    {
      "id": "del_123",
      "event_id": "evt_abc",
      "status": "success",
      "status_code": 200,
      "attempts": 1,
      "delivered_at": "2026-01-15T12:30:00Z"
    },
    {
      "id": "del_124",
      "event_id": "evt_def",
      "status": "failed",
      "status_code": 500,
      "attempts": 3,
      "error": "Connection timeout"
    }
  ]
}"#,
    );
    let statuses: Vec<DeliveryStatus> =
        log.deliveries.iter().map(|d: &Delivery| d.status).collect();
    assert_eq!(statuses, [DeliveryStatus::Success, DeliveryStatus::Failed]);
    let _: wire::WebhookList = round_trip(r#"{"data":[],"has_more":false}"#);
    let _: wire::ErrorBody =
        round_trip(r#"{"error":{"code":"validation","message":"bad","field":"url"}}"#);
}

#[test]
fn the_manual_test_payload_parses_without_created_at() {
    let body = br#"{
    "id": "evt_test",
    "type": "user.created",
    "data": {
      "id": "user_test",
      "name": "Test User"
    }
  }"#;
    let event = hook_generic::parse_event(body).unwrap();
    assert_eq!(event.id, "evt_test");
}

#[test]
fn trailing_garbage_and_deep_nesting_are_errors_not_crashes() {
    assert!(matches!(
        decode::<Value>("x", b"{} {}"),
        Err(Error::Decode { .. })
    ));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        hook_generic::parse_event(deep.as_bytes()),
        Err(Error::Decode { .. })
    ));
    let deep_data = format!(
        r#"{{"id":"e","type":"t","data":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        hook_generic::parse_event(deep_data.as_bytes()),
        Err(Error::Decode { .. })
    ));
}
