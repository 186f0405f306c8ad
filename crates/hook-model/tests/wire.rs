//! Serde round trips for every wire record of PROVIDERS.md, with the seed examples
//! verbatim: decode, encode, and compare with the original JSON value.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_model::wire::{OAuthToken, generic, port, uipath, up42};
use hook_model::{Delivery, DeliveryStatus, Error, Event, EventType, Provider, decode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes `json` as `T`, encodes it again, and checks nothing was lost or added.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    let record: T = decode("test record", json.as_bytes()).unwrap();
    let original: Value = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_value(&record).unwrap(), original);
    record
}

// Seed 002, verbatim.
const UIPATH_LIST: &str = r#"{
"@odata.context": "https://govcloud.uipath.us/{organizationName}/{tenantName}/orchestrator_/odata/$metadata#Webhooks",
"@odata.count": 1,
"value": [{
"Url": "http://documentation.azurewebsites.net/webhook/documentation",
"Enabled": true,
"Secret": "1234567890",
"SubscribeToAllEvents": false,
"AllowInsecureSsl": false,
"Id": 4,
"Events": [{
"EventType": "job.started"
},
{
"EventType": "process.created"
},
{
"EventType": "process.deleted"
},
{
"EventType": "process.updated"
},
{
"EventType": "queue.created"
}
]
}]
}"#;

const UIPATH_GET: &str = r#"{
"@odata.context": "https://govcloud.uipath.us/{organizationName}/{tenantName}/orchestrator_/odata/$metadata#Webhooks/$entity",
"Url": "https://orchestrator.uipath.com",
"Enabled": false,
"Secret": "1234567890",
"SubscribeToAllEvents": true,
"AllowInsecureSsl": false,
"Id": 10,
"Events": []
}"#;

const UIPATH_PUT: &str = r#"{
"Url": "https://orchestrator.uipath.com/reference",
"Enabled": false,
"Secret": "This is a new secret.",
"AllowInsecureSsl": true,
"Events": [{
"EventType": "process.created"
},
{
"EventType": "queue.created"
},
{
"EventType": "robot.deleted"
}
]
}"#;

const UIPATH_PING: &str = r#"{
"@odata.context": "https://govcloud.uipath.us/{organizationName}/{tenantName}/orchestrator_/odata/$metadata#UiPath.Webhooks.Dto.PingEventDto",
"Type": "ping",
"EventId": "c3319a2d83c44b2f989bdd7eba1f0297",
"Timestamp": "2018-11-19T14:32:47.6024779Z",
"TenantId": 57,
"OrganizationUnitId": null,
"UserId": 583
}"#;

#[test]
fn uipath_list_of_seed_002() {
    let list: uipath::ODataList<uipath::WebhookDto> = round_trip(UIPATH_LIST);
    assert_eq!(list.count, Some(1));
    let webhook = &list.value[0];
    assert_eq!(webhook.id, Some(4));
    assert_eq!(
        webhook.events.as_ref().unwrap()[0].event_type,
        EventType::new("job.started")
    );
    assert_eq!(webhook.secret.as_ref().unwrap().expose(), "1234567890");
    assert!(!format!("{webhook:?}").contains("1234567890"));
}

#[test]
fn uipath_get_keeps_the_odata_context() {
    let webhook: uipath::WebhookDto = round_trip(UIPATH_GET);
    assert_eq!(webhook.subscribe_to_all_events, Some(true));
    assert!(webhook.extra.contains_key("@odata.context"));
}

#[test]
fn uipath_put_body_and_answer_of_seed_002() {
    let body: uipath::WebhookDto = round_trip(UIPATH_PUT);
    assert_eq!(body.id, None);
    assert_eq!(body.allow_insecure_ssl, Some(true));
    let answer = UIPATH_PUT.replacen("{", r#"{"SubscribeToAllEvents": false, "Id": 10,"#, 1);
    let answer: uipath::WebhookDto = round_trip(&answer);
    assert_eq!(answer.id, Some(10));
}

#[test]
fn uipath_event_types_of_seed_002() {
    // Copied verbatim from seed 002 (shared/seeds/002_…txt).
    let list: uipath::ODataList<uipath::EventTypeDto> =
        round_trip(include_str!("fixtures/seed_002_event_types.json"));
    let names: Vec<&str> = list.value.iter().map(|e| e.name.as_str()).collect();
    let catalog: Vec<&str> = hook_model::UIPATH_EVENTS.iter().map(|e| e.name).collect();
    assert_eq!(names, catalog);
    for (dto, entry) in list.value.iter().zip(hook_model::UIPATH_EVENTS) {
        assert_eq!(dto.group.as_deref(), Some(entry.group));
    }
}

#[test]
fn uipath_ping_of_seed_002_keeps_its_seven_digit_fraction() {
    let ping: uipath::UiPathEvent = round_trip(UIPATH_PING);
    assert_eq!(ping.kind, "ping");
    assert_eq!(ping.timestamp.nanosecond(), 602_477_900);
    assert_eq!(ping.organization_unit_id, None);
}

#[test]
fn uipath_seed_000_create_body_decodes_strings_and_writes_objects() {
    let seed_000 = r#"{
        "Name": "JobMonitor", "Url": "https://monitor.company.com/webhook", "Enabled": true,
        "Secret": "secure-secret-key",
        "Events": ["Job.Created", "Job.Started", "Job.Completed", "Job.Faulted", "Job.Stopped"],
        "Headers": {"X-Source": "UiPath", "Content-Type": "application/json"}
    }"#;
    let body: uipath::WebhookDto = decode("seed 000 body", seed_000.as_bytes()).unwrap();
    let written = serde_json::to_value(&body).unwrap();
    assert_eq!(
        written["Events"][2],
        serde_json::json!({"EventType": "Job.Completed"})
    );
    assert_eq!(written["Headers"]["X-Source"], "UiPath");
    assert_eq!(
        body.events.unwrap()[2].event_type,
        EventType::new("job.completed")
    );
}

#[test]
fn uipath_error_body_and_delivery() {
    let error: uipath::ErrorBody =
        round_trip(r#"{"message":"Webhook does not exist.","errorCode":1002,"resourceIds":[7]}"#);
    assert_eq!(error.error_code, Some(uipath::ERROR_NOT_FOUND));
    let event: uipath::UiPathEvent = round_trip(
        r#"{"Type":"job.completed","EventId":"0123456789abcdef0123456789abcdef","Timestamp":"2026-01-15T12:30:00Z",
            "TenantId":1,"OrganizationUnitId":2,"Job":{"Id":3,"State":"Successful"},"Custom":true}"#,
    );
    assert_eq!(event.job.unwrap()["State"], "Successful");
    assert_eq!(event.extra["Custom"], true);
}

// Seed 001.
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
    let webhook: port::PortWebhook = round_trip(PORT_WEBHOOK);
    assert_eq!(
        webhook.security.unwrap().secret.unwrap().expose(),
        "webhook-secret"
    );
}

#[test]
fn port_envelopes_accept_both_keys_and_write_the_seed_key() {
    let list = format!(r#"{{"ok":true,"webhooks":[{PORT_WEBHOOK}]}}"#);
    let _: port::WebhookList = round_trip(&list);
    let real = format!(r#"{{"ok":true,"integrations":[{PORT_WEBHOOK}]}}"#);
    let decoded: port::WebhookList = decode("port list", real.as_bytes()).unwrap();
    assert_eq!(decoded.webhooks.len(), 1);
    let one = format!(r#"{{"ok":true,"integration":{PORT_WEBHOOK}}}"#);
    let decoded: port::WebhookEnvelope = decode("port webhook", one.as_bytes()).unwrap();
    assert_eq!(decoded.webhook.identifier, "entity-created-webhook");
    let _: port::WebhookEnvelope =
        round_trip(&format!(r#"{{"ok":true,"webhook":{PORT_WEBHOOK}}}"#));
}

#[test]
fn port_security_mappings_and_unknown_algorithms_survive() {
    let webhook: port::PortWebhook = round_trip(
        r#"{"identifier":"x","security":{"secret":"s","signatureHeaderName":"x-sig","signatureAlgorithm":"sha512",
            "signaturePrefix":"sha512=","requestIdentifierPath":".body.id"},"mappings":[{"blueprint":"svc"}],
            "integrationType":"custom","webhookKey":"k","createdBy":"me","updatedBy":"you","brandNew":1}"#,
    );
    let security = webhook.security.unwrap();
    assert_eq!(
        security.signature_algorithm,
        Some(port::SignatureAlgorithm::Other("sha512".into()))
    );
    let known: port::Security = round_trip(r#"{"signatureAlgorithm":"sha256"}"#);
    assert_eq!(
        known.signature_algorithm,
        Some(port::SignatureAlgorithm::Sha256)
    );
    assert_eq!(webhook.extra["brandNew"], 1);
}

#[test]
fn port_payload_errors_and_tokens() {
    let event: port::PortEvent = round_trip(
        r#"{"event":"entity.created","timestamp":"2024-01-15T10:30:00Z","data":{"entity":{"identifier":"payment-service",
            "title":"Payment Service","blueprint":"service","properties":{"language":"Python"}}},
            "organization":"your-org-id","source":"port"}"#,
    );
    assert_eq!(event.data["entity"]["blueprint"], "service");
    let error: port::ErrorBody =
        round_trip(r#"{"ok":false,"error":"not_found","message":"Webhook not found"}"#);
    assert_eq!(error.error, "not_found");
    let _: port::Ok = round_trip(r#"{"ok":true}"#);
    let _: port::TokenRequest = round_trip(r#"{"clientId":"id","clientSecret":"cs"}"#);
    let token: port::TokenAnswer =
        round_trip(r#"{"ok":true,"accessToken":"tok","expiresIn":3600,"tokenType":"Bearer"}"#);
    assert!(!format!("{token:?}").contains("tok\""));
}

// Seed 003 and PROVIDERS.md.
#[test]
fn up42_records() {
    let list: up42::Envelope<Vec<up42::Up42Webhook>> = round_trip(
        r#"{"data":[{"id":"1df1ebb0-78a4-55d9-b806-15d22e391bd3","url":"https://receiving-url.com","name":"new-webhook",
            "active":true,"events":["job.status","order.status"],"secret":"QWZTFnMEXhqZKNmu",
            "createdAt":"2024-01-15T10:30:00Z","updatedAt":"2024-01-15T10:30:00Z"}],"error":null}"#,
    );
    assert_eq!(
        list.data.unwrap()[0].events[1],
        EventType::new("order.status")
    );
    let error: up42::Envelope<Value> = round_trip(
        r#"{"data":null,"error":{"code":404,"message":"Webhook not found","details":null}}"#,
    );
    assert_eq!(error.error.unwrap().code, 404);
    let run: up42::Envelope<up42::TestRun> = round_trip(
        r#"{"data":{"startedAt":"2024-01-15T10:30:00Z","testsRun":2,"testsSucceeded":1},"error":null}"#,
    );
    assert_eq!(run.data.unwrap().tests_succeeded, 1);
    let _: up42::Envelope<Vec<up42::EventInfo>> = round_trip(
        r#"{"data":[{"name":"job.status","title":"Job status","category":"job","description":"d","documentation":"https://docs.up42.com"}],"error":null}"#,
    );
    let token: OAuthToken = round_trip(
        r#"{"access_token":"t","expires_in":300,"token_type":"Bearer","scope":"openid"}"#,
    );
    assert_eq!(token.extra["scope"], "openid");
}

// Seed 004, verbatim.
#[test]
fn generic_records_of_seed_004() {
    let _: generic::GenericWebhook = round_trip(
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
    let created: generic::GenericWebhook = round_trip(
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
    let event: generic::GenericEvent = round_trip(
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
    let log: generic::DeliveryList = round_trip(
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
    let _: generic::WebhookList = round_trip(r#"{"data":[],"has_more":false}"#);
    let _: generic::ErrorBody =
        round_trip(r#"{"error":{"code":"validation","message":"bad","field":"url"}}"#);
}

#[test]
fn the_seed_004_manual_test_payload_parses_without_created_at() {
    let body = br#"{
    "id": "evt_test",
    "type": "user.created",
    "data": {
      "id": "user_test",
      "name": "Test User"
    }
  }"#;
    let event = Event::parse(Provider::Generic, body).unwrap();
    assert_eq!(event.id(), Some("evt_test"));
}

#[test]
fn every_provider_parses_its_delivery_body() {
    let cases = [
        (Provider::UiPath, UIPATH_PING.as_bytes().to_vec(), "ping"),
        (
            Provider::Port,
            br#"{"event":"run.completed","timestamp":"2024-01-15T10:30:00Z","data":{}}"#.to_vec(),
            "run.completed",
        ),
        (
            Provider::Up42,
            br#"{"id":"evt_1","type":"job.status","created_at":"2024-01-15T10:30:00Z","data":{"status":"SUCCEEDED"}}"#.to_vec(),
            "job.status",
        ),
    ];
    for (provider, body, kind) in cases {
        let event = Event::parse(provider, &body).unwrap();
        assert_eq!(event.provider(), provider);
        assert_eq!(event.kind(), kind);
    }
}

#[test]
fn decode_errors_name_the_path_that_failed() {
    let bad = r#"{"value":[{"Id":1,"Events":[{"EventType":"job.started"},{"EventType":5}]}]}"#;
    match decode::<uipath::ODataList<uipath::WebhookDto>>("UiPath webhook list", bad.as_bytes()) {
        Err(Error::Decode { what, path, .. }) => {
            assert_eq!(what, "UiPath webhook list");
            assert_eq!(path, "value[0].Events[1]");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let err = Event::parse(Provider::UiPath, br#"{"Type":"ping","EventId":"x","Timestamp":"yesterday","TenantId":1,"OrganizationUnitId":null}"#).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot decode UiPath event at Timestamp:"),
        "{err}"
    );
}

#[test]
fn trailing_garbage_and_deep_nesting_are_errors_not_crashes() {
    assert!(matches!(
        decode::<Value>("x", b"{} {}"),
        Err(Error::Decode { .. })
    ));
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(matches!(
        Event::parse(Provider::Generic, deep.as_bytes()),
        Err(Error::Decode { .. })
    ));
    let deep_data = format!(
        r#"{{"id":"e","type":"t","data":{}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    assert!(matches!(
        Event::parse(Provider::Generic, deep_data.as_bytes()),
        Err(Error::Decode { .. })
    ));
}

#[test]
fn non_utf8_bodies_are_decode_errors() {
    assert!(matches!(
        Event::parse(Provider::Port, b"{\"event\":\"\xff\"}"),
        Err(Error::Decode { .. })
    ));
}
