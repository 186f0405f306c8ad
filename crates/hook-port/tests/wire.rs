//! Serde round trips of the Port wire records.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_model::{Error, decode};
use hook_port::wire;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `json` as `T`, encodes it again, and checks nothing was lost or added.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    hook_emulator::round_trip(json).unwrap()
}

// The webhook structure of Port's SDK documentation.
const PORT_WEBHOOK: &str = r#"{
    "identifier": "entity-created-webhook",
    "title": "Entity Created Notifications",
    "description": "Webhook for new entity events",
    "url": "https://api.example.com/webhooks/port",
    "events": ["entity.created"],
    "headers": {
        "Authorization": "Bearer token",
        "Content-Type": "application/json"
    },
    "security": {
        "secret": "webhook-secret"
    },
    "enabled": true,
    "createdAt": "2024-01-15T10:30:00Z",
    "updatedAt": "2024-01-20T14:45:00Z"
}"#;

#[test]
fn port_webhook_structure_of_seed_001() {
    let webhook: wire::PortWebhook = round_trip(PORT_WEBHOOK);
    assert_eq!(
        webhook.security.unwrap().secret.unwrap().expose(),
        "webhook-secret"
    );
}

#[test]
fn port_envelopes_accept_both_keys_and_write_the_seed_key() {
    let list = format!(r#"{{"ok":true,"webhooks":[{PORT_WEBHOOK}]}}"#);
    let _: wire::WebhookList = round_trip(&list);
    let real = format!(r#"{{"ok":true,"integrations":[{PORT_WEBHOOK}]}}"#);
    let decoded: wire::WebhookList = decode("port list", real.as_bytes()).unwrap();
    assert_eq!(decoded.webhooks.len(), 1);
    let one = format!(r#"{{"ok":true,"integration":{PORT_WEBHOOK}}}"#);
    let decoded: wire::WebhookEnvelope = decode("port webhook", one.as_bytes()).unwrap();
    assert_eq!(decoded.webhook.identifier, "entity-created-webhook");
    let _: wire::WebhookEnvelope =
        round_trip(&format!(r#"{{"ok":true,"webhook":{PORT_WEBHOOK}}}"#));
}

#[test]
fn port_security_mappings_and_unknown_algorithms_survive() {
    let webhook: wire::PortWebhook = round_trip(
        r#"{"identifier":"x","security":{"secret":"s","signatureHeaderName":"x-sig","signatureAlgorithm":"sha512",
            "signaturePrefix":"sha512=","requestIdentifierPath":".body.id"},"mappings":[{"blueprint":"svc"}],
            "integrationType":"custom","webhookKey":"k","createdBy":"me","updatedBy":"you","brandNew":1}"#,
    );
    let security = webhook.security.unwrap();
    assert_eq!(
        security.signature_algorithm,
        Some(wire::SignatureAlgorithm::Other("sha512".into()))
    );
    let known: wire::Security = round_trip(r#"{"signatureAlgorithm":"sha256"}"#);
    assert_eq!(
        known.signature_algorithm,
        Some(wire::SignatureAlgorithm::Sha256)
    );
    assert_eq!(webhook.extra["brandNew"], 1);
}

#[test]
fn port_payload_errors_and_tokens() {
    let event: wire::PortEvent = round_trip(
        r#"{"event":"entity.created","timestamp":"2024-01-15T10:30:00Z","data":{"entity":{"identifier":"payment-service",
            "title":"Payment Service","blueprint":"service","properties":{"language":"Python"}}},
            "organization":"your-org-id","source":"port"}"#,
    );
    assert_eq!(event.data["entity"]["blueprint"], "service");
    let error: wire::ErrorBody =
        round_trip(r#"{"ok":false,"error":"not_found","message":"Webhook not found"}"#);
    assert_eq!(error.error, "not_found");
    let _: wire::Ok = round_trip(r#"{"ok":true}"#);
    let _: wire::TokenRequest = round_trip(r#"{"clientId":"id","clientSecret":"cs"}"#);
    let token: wire::TokenAnswer =
        round_trip(r#"{"ok":true,"accessToken":"tok","expiresIn":3600,"tokenType":"Bearer"}"#);
    assert!(!format!("{token:?}").contains("tok\""));
}

#[test]
fn port_bodies_that_are_not_utf8_are_decode_errors() {
    assert!(matches!(
        hook_port::parse_event(b"{\"event\":\"\xff\"}"),
        Err(Error::Decode { .. })
    ));
}
