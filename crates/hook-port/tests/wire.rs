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

// A webhook as Port answers it: the configuration of Port's custom-integration guide
// (a GitHub pull-request mapping and GitHub's signature header), with the read-only
// properties Port computes.
const PORT_WEBHOOK: &str = r#"{
    "identifier": "github-prs",
    "title": "GitHub pull requests",
    "description": "Pull requests from GitHub",
    "icon": "Github",
    "mappings": [
        {
            "blueprint": "pullRequest",
            "filter": ".headers.\"X-GitHub-Event\" == \"pull_request\"",
            "entity": {
                "identifier": ".body.pull_request.id | tostring",
                "title": ".body.pull_request.title",
                "properties": {
                    "author": ".body.pull_request.user.login",
                    "url": ".body.pull_request.html_url"
                },
                "relations": {"repository": ".body.repository.full_name"}
            }
        },
        {
            "blueprint": "alert",
            "itemsToParse": ".body.alerts",
            "operation": "delete",
            "entity": {"identifier": ".item.id", "team": "\"sre\"", "icon": "\"Alert\""}
        }
    ],
    "enabled": true,
    "security": {
        "secret": "github-secret",
        "signatureHeaderName": "x-hub-signature-256",
        "signatureAlgorithm": "sha256",
        "signaturePrefix": "sha256=",
        "requestIdentifierPath": ".headers.\"X-GitHub-Delivery\""
    },
    "integrationType": "custom",
    "url": "https://ingest.getport.io/abc123",
    "webhookKey": "abc123",
    "createdAt": "2024-01-15T10:30:00Z",
    "createdBy": "auth0|1",
    "updatedAt": "2024-01-20T14:45:00Z",
    "updatedBy": "auth0|1"
}"#;

#[test]
fn a_webhook_of_ports_guide_round_trips() {
    let webhook: wire::PortWebhook = round_trip(PORT_WEBHOOK);
    let mappings = webhook.mappings.unwrap();
    assert_eq!(
        mappings[0].entity.properties["author"],
        ".body.pull_request.user.login"
    );
    assert_eq!(mappings[1].operation, Some(wire::Operation::Delete));
    assert_eq!(mappings[1].items_to_parse.as_deref(), Some(".body.alerts"));
    assert_eq!(
        webhook.security.unwrap().secret.unwrap().expose(),
        "github-secret"
    );
    assert_eq!(
        webhook.url.as_deref(),
        Some("https://ingest.getport.io/abc123")
    );
}

#[test]
fn a_body_carries_only_ports_eight_properties() {
    let webhook: wire::PortWebhook = decode("port", PORT_WEBHOOK.as_bytes()).unwrap();
    let body = serde_json::to_value(wire::WebhookBody::from(&webhook)).unwrap();
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "description",
            "enabled",
            "icon",
            "identifier",
            "integrationType",
            "mappings",
            "security",
            "title"
        ],
        "url, webhookKey and the timestamps are never sent"
    );
    // The seed's outgoing fields are not Port's: a body refuses them.
    for field in ["url", "events", "headers"] {
        let text = format!(r#"{{"title":"t","enabled":true,"{field}":1}}"#);
        assert!(
            serde_json::from_str::<wire::WebhookBody>(&text).is_err(),
            "{field}"
        );
    }
}

#[test]
fn port_envelopes_accept_both_keys_and_write_ports() {
    let list = format!(r#"{{"ok":true,"integrations":[{PORT_WEBHOOK}]}}"#);
    let _: wire::WebhookList = round_trip(&list);
    let seed = format!(r#"{{"ok":true,"webhooks":[{PORT_WEBHOOK}]}}"#);
    let decoded: wire::WebhookList = decode("port list", seed.as_bytes()).unwrap();
    assert_eq!(decoded.webhooks.len(), 1);
    let one = format!(r#"{{"ok":true,"webhook":{PORT_WEBHOOK}}}"#);
    let decoded: wire::WebhookEnvelope = decode("port webhook", one.as_bytes()).unwrap();
    assert_eq!(decoded.webhook.identifier, "github-prs");
    let _: wire::WebhookEnvelope =
        round_trip(&format!(r#"{{"ok":true,"integration":{PORT_WEBHOOK}}}"#));
}

#[test]
fn port_security_mappings_entities_and_unknown_values_survive() {
    let webhook: wire::PortWebhook = round_trip(
        r#"{"identifier":"x","security":{"secret":"s","signatureHeaderName":"x-sig","signatureAlgorithm":"sha512",
            "signaturePrefix":"sha512=","requestIdentifierPath":".body.id"},
            "mappings":[{"blueprint":"svc","entity":{"identifier":".body.id","relations":{"owner":{"combinator":"and","rules":[]}}},"operation":{"type":"delete","deleteDependents":true},"brandNew":2}],
            "integrationType":"template","webhookKey":"k","createdBy":"me","updatedBy":"you","brandNew":1}"#,
    );
    let security = webhook.security.unwrap();
    assert_eq!(
        security.signature_algorithm,
        Some(wire::SignatureAlgorithm::Other("sha512".into()))
    );
    let mapping = &webhook.mappings.unwrap()[0];
    assert!(matches!(mapping.operation, Some(wire::Operation::Other(_))));
    assert_eq!(mapping.extra["brandNew"], 2);
    assert_eq!(
        webhook.integration_type,
        Some(wire::IntegrationType::Template)
    );
    assert_eq!(webhook.extra["brandNew"], 1);
    let entities: wire::EntityList = round_trip(
        r#"{"ok":true,"entities":[{"identifier":"42","title":"Fix","blueprint":"pullRequest","team":["sre"],
            "properties":{"author":"octocat"},"relations":{"repository":"o/r"},"createdAt":"2024-01-15T10:30:00Z","icon":"Github"}]}"#,
    );
    assert_eq!(entities.entities[0].properties["author"], "octocat");
    let _: wire::EntityEnvelope =
        round_trip(r#"{"ok":true,"entity":{"identifier":"a","properties":{},"relations":{}}}"#);
}

#[test]
fn port_payload_errors_and_tokens() {
    // Whatever body the action defines is read as it came: Port's classic default body,
    // a bare user-defined object, and the envelope an earlier model of ours assumed.
    for body in [
        r#"{"action":{"identifier":"deploy_service"},"resourceType":"run","status":"TRIGGERED",
            "context":{"runId":"r_1"},"payload":{"entity":{"identifier":"checkout"}}}"#,
        r#"{"service":"checkout","version":"1.2.3"}"#,
        r#"{"event":"entity.created","timestamp":"2024-01-15T10:30:00Z","data":{}}"#,
    ] {
        let event = hook_port::parse_event(body.as_bytes()).unwrap();
        assert_eq!(
            event.body,
            serde_json::from_str::<serde_json::Value>(body).unwrap()
        );
        assert_eq!(event.kind().as_str(), "invocation");
        assert_eq!(event.timestamp, None);
        assert_eq!(event.at(Some(1_700_000_000)).timestamp, Some(1_700_000_000));
    }
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

/// `entity.identifier` and `entity.team` are a jq string or a search query (Port's API
/// reference and terraform provider); a webhook using queries reads, and writes back the
/// same JSON, typed.
#[test]
fn search_query_identifiers_and_teams_round_trip_typed() {
    let json = r#"{"identifier":"q","title":"Q","enabled":true,"mappings":[
        {"blueprint":"service","operation":{"type":"delete","deleteDependents":false},
         "entity":{"identifier":{"combinator":"and","rules":[
            {"property":"$title","operator":"=","value":".body.name"},
            {"combinator":"or","rules":[{"property":"tier","operator":"in","value":["a","b"]}]},
            {"relation":"owner","operator":"relatedTo","value":"x"}]},
          "team":{"combinator":"or","rules":[{"property":"$identifier","operator":"=","value":"sre"}]}}},
        {"blueprint":"service","entity":{"identifier":".body.id","team":".body.team"}}]}"#;
    let webhook: wire::PortWebhook = round_trip(json);
    let mappings = webhook.mappings.as_ref().unwrap();
    let wire::Selector::Query(query) = &mappings[0].entity.identifier else {
        panic!("a search query: {:?}", mappings[0].entity.identifier)
    };
    assert_eq!(query.combinator, wire::Combinator::And);
    assert!(
        matches!(&query.rules[0], wire::SearchRule::Property(rule) if rule.property == "$title" && rule.operator == "=")
    );
    assert!(
        matches!(&query.rules[1], wire::SearchRule::Nested(inner) if inner.combinator == wire::Combinator::Or)
    );
    assert!(
        matches!(&query.rules[2], wire::SearchRule::Other(_)),
        "kept as it came"
    );
    assert!(matches!(
        mappings[0].entity.team,
        Some(wire::Selector::Query(_))
    ));
    assert!(mappings[0].operation.as_ref().unwrap().is_delete());
    assert_eq!(mappings[1].entity.identifier.jq(), Some(".body.id"));
    assert_eq!(
        mappings[1].entity.team,
        Some(wire::Selector::Jq(".body.team".into()))
    );
    // Built in code, written as Port reads it.
    let built = wire::EntityMapping::new(wire::SearchQuery::new(
        wire::Combinator::Or,
        [wire::SearchRule::property("$identifier", "=", "svc")],
    ))
    .team(".body.team");
    assert_eq!(
        serde_json::to_value(&built).unwrap(),
        serde_json::json!({"identifier": {"combinator": "or", "rules": [
            {"property": "$identifier", "operator": "=", "value": "svc"}]}, "team": ".body.team"})
    );
}
