//! Serde round trips of the UiPath wire records, with the provider's examples verbatim.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use hook_model::{Error, EventType, decode};
use hook_uipath::wire;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Decodes `json` as `T`, encodes it again, and checks nothing was lost or added.
fn round_trip<T: Serialize + DeserializeOwned>(json: &str) -> T {
    hook_emulator::round_trip(json).unwrap()
}

// Orchestrator API reference examples, verbatim.
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
    let list: wire::ODataList<wire::WebhookDto> = round_trip(UIPATH_LIST);
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
    let webhook: wire::WebhookDto = round_trip(UIPATH_GET);
    assert_eq!(webhook.subscribe_to_all_events, Some(true));
    assert!(webhook.extra.contains_key("@odata.context"));
}

#[test]
fn uipath_put_body_and_answer_of_seed_002() {
    let body: wire::WebhookDto = round_trip(UIPATH_PUT);
    assert_eq!(body.id, None);
    assert_eq!(body.allow_insecure_ssl, Some(true));
    let answer = UIPATH_PUT.replacen("{", r#"{"SubscribeToAllEvents": false, "Id": 10,"#, 1);
    let answer: wire::WebhookDto = round_trip(&answer);
    assert_eq!(answer.id, Some(10));
}

#[test]
fn uipath_event_types_of_the_api_reference_are_all_in_the_catalog() {
    // Copied verbatim from the Orchestrator API reference.
    let list: wire::ODataList<wire::EventTypeDto> =
        round_trip(include_str!("fixtures/event_types.json"));
    for dto in &list.value {
        let entry = dto.name.find_in(&hook_uipath::EVENTS).unwrap();
        assert_eq!(dto.group.as_deref(), Some(entry.group), "{}", entry.name);
    }
}

#[test]
fn uipath_ping_of_seed_002_keeps_its_seven_digit_fraction() {
    let ping: wire::UiPathEvent = round_trip(UIPATH_PING);
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
    let body: wire::WebhookDto = decode("seed 000 body", seed_000.as_bytes()).unwrap();
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
    let error: wire::ErrorBody =
        round_trip(r#"{"message":"Webhook does not exist.","errorCode":1002,"resourceIds":[7]}"#);
    assert_eq!(error.error_code, Some(wire::ERROR_NOT_FOUND));
    let event: wire::UiPathEvent = round_trip(
        r#"{"Type":"job.completed","EventId":"0123456789abcdef0123456789abcdef","Timestamp":"2026-01-15T12:30:00Z",
            "TenantId":1,"OrganizationUnitId":2,"Job":{"Id":3,"State":"Successful"},"Custom":true}"#,
    );
    assert_eq!(event.job.unwrap()["State"], "Successful");
    assert_eq!(event.extra["Custom"], true);
}

#[test]
fn decode_errors_name_the_path_that_failed() {
    let bad = r#"{"value":[{"Id":1,"Events":[{"EventType":"job.started"},{"EventType":5}]}]}"#;
    match decode::<wire::ODataList<wire::WebhookDto>>("UiPath webhook list", bad.as_bytes()) {
        Err(Error::Decode { what, path, .. }) => {
            assert_eq!(what, "UiPath webhook list");
            assert_eq!(path, "value[0].Events[1]");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    let err = hook_uipath::parse_event(br#"{"Type":"ping","EventId":"x","Timestamp":"yesterday","TenantId":1,"OrganizationUnitId":null}"#).unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot decode UiPath event at Timestamp"),
        "{err}"
    );
}
