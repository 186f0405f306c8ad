//! UiPath's published OpenAPI is the oracle: the client and the emulator are each checked
//! against it, so a misreading they share cannot pass.
//!
//! - every request hook-uipath sends, over a scenario calling every operation, goes to a
//!   method and path the spec has, and its body validates against the operation's request
//!   schema with no property the schema lacks;
//! - every answer the emulator gives on those routes (to a plain HTTP client) has a status
//!   the spec lists for the operation, and its body validates against that status's schema;
//! - a delivery of every `x-webhook-event` type, fired through the emulator, validates
//!   against its schema, and hook-uipath's typed event decodes it; the catalog is exactly
//!   the spec's event types;
//! - the client's decoders accept an instance built from each response schema's required
//!   properties alone.
//!
//! The spec is read at run time from `../shared/specs` beside the repository (or
//! `HOOK_UIPATH_SPEC`); it is never copied in. Without it a plain `cargo test` says so;
//! under `cargo xtask conformance` (and so `cargo xtask ci`, which set `HOOK_REQUIRE_SPEC`)
//! or `CI=true` it fails.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed check

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, Receiver};
use hook_facade::model::EventType;
use hook_facade::uipath::{
    EventSubscription, ODataList, UiPathClient, UiPathConfig, WebhookDto, WebhookFilter, wire,
};
use serde_json::{Map, Value, json};

/// Where the spec is: `HOOK_UIPATH_SPEC`, else `../shared/specs/` beside the repository.
fn spec_path() -> PathBuf {
    std::env::var_os("HOOK_UIPATH_SPEC").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../shared/specs/uipath-orchestrator-webhooks.openapi.yaml")
        },
        PathBuf::from,
    )
}

/// The spec as JSON, or `None` (said loudly; a failure under `CI=true`).
fn load_spec() -> Option<Value> {
    let path = spec_path();
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(serde_yaml_ng::from_str(&text).expect("the spec is YAML")),
        Err(e) => {
            let message = format!(
                "UiPath's OpenAPI is not at {} ({e}): the conformance suite cannot run. \
                 Put shared/specs beside the repository or set HOOK_UIPATH_SPEC.",
                path.display()
            );
            let required = std::env::var("CI").as_deref() == Ok("true")
                || std::env::var_os("HOOK_REQUIRE_SPEC").is_some();
            assert!(!required, "{message}");
            eprintln!("\n*** {message} ***\n");
            None
        }
    }
}

/// The spec's schemas as JSON Schema: `$ref`s pointed at `#/definitions/…`, and every
/// optional property allowed to be null (the generator omitted `nullable`, and the service
/// sends `null` for unset optional values).
struct Schemas {
    root: Value,
}

impl Schemas {
    fn new(spec: &Value) -> Schemas {
        let mut definitions = spec["components"]["schemas"].clone();
        relax(&mut definitions);
        let text = definitions
            .to_string()
            .replace("#/components/schemas/", "#/definitions/");
        Schemas {
            root: json!({"definitions": serde_json::from_str::<Value>(&text).unwrap()}),
        }
    }

    /// A validator for the schema `reference` (`#/components/schemas/X`) or an inline one.
    fn validator(&self, schema: &Value) -> jsonschema::Validator {
        let text = schema
            .to_string()
            .replace("#/components/schemas/", "#/definitions/");
        let mut document = self.root.clone();
        document["allOf"] = json!([serde_json::from_str::<Value>(&text).unwrap()]);
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .should_validate_formats(true)
            .build(&document)
            .expect("the spec's schema compiles")
    }

    /// The definition a `$ref` names.
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap_or_default();
                &self.root["definitions"][name]
            }
            None => schema,
        }
    }
}

/// Lets every property a schema does not require be null, recursively.
fn relax(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let required: BTreeSet<String> = map
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = map.get_mut("properties") {
                for (name, property) in properties.iter_mut() {
                    relax(property);
                    if !required.contains(name) {
                        *property = json!({"anyOf": [property.clone(), {"type": "null"}]});
                    }
                }
            }
            for (key, child) in map.iter_mut() {
                if key != "properties" {
                    relax(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(relax),
        _ => {}
    }
}

/// One operation of the spec: method, path template, request schema, answers by status.
#[derive(Debug)]
struct Operation {
    method: String,
    template: String,
    request: Option<Value>,
    responses: BTreeMap<u16, Option<Value>>,
}

impl Operation {
    /// Whether `path` (relative to `orchestrator_`) fills this operation's template.
    fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let Some((head, tail)) = self.template.split_once("{key}") else {
            return self.template == path;
        };
        path.strip_prefix(head)
            .and_then(|rest| rest.strip_suffix(tail))
            .is_some_and(|key| !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()))
    }
}

fn operations(spec: &Value) -> Vec<Operation> {
    let mut operations = Vec::new();
    for (template, methods) in spec["paths"].as_object().unwrap() {
        for (method, operation) in methods.as_object().unwrap() {
            let request = operation["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|s| Value::Object(s.clone()));
            let responses = operation["responses"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(status, answer)| {
                    let schema = answer["content"]["application/json"]["schema"]
                        .as_object()
                        .map(|s| Value::Object(s.clone()));
                    (status.parse().unwrap(), schema)
                })
                .collect();
            operations.push(Operation {
                method: method.to_uppercase(),
                template: template.clone(),
                request,
                responses,
            });
        }
    }
    operations
}

/// The errors of `instance` against `validator`, as text.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// The properties of an object body the schema does not declare (the service refuses
/// them), OData annotations aside.
fn undeclared(schemas: &Schemas, schema: &Value, body: &Value) -> Vec<String> {
    let schema = schemas.resolve(schema);
    if !matches!(
        schema["additionalProperties"],
        Value::Null | Value::Bool(false)
    ) {
        return Vec::new(); // a map: any key is declared
    }
    let declared = &schema["properties"];
    body.as_object()
        .into_iter()
        .flat_map(|map| map.keys())
        .filter(|key| !key.starts_with("@odata") && declared.get(key.as_str()).is_none())
        .cloned()
        .collect()
}

/// An instance with `schema`'s required properties only, each the simplest valid value.
fn minimal(schemas: &Schemas, schema: &Value, depth: usize) -> Value {
    let schema = schemas.resolve(schema);
    if let Some(all) = schema["allOf"].as_array() {
        return all
            .first()
            .map_or(Value::Null, |s| minimal(schemas, s, depth));
    }
    if let Some(any) = schema["anyOf"].as_array() {
        return any
            .first()
            .map_or(Value::Null, |s| minimal(schemas, s, depth));
    }
    if let Some(values) = schema["enum"].as_array() {
        return values.first().cloned().unwrap_or(Value::Null);
    }
    match schema["type"].as_str() {
        Some("string") => match schema["format"].as_str() {
            Some("date-time") => json!("2024-01-15T10:30:00Z"),
            Some("uuid") => json!("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            Some("uri") => json!("https://example.com/hook"),
            _ => json!("x"),
        },
        Some("integer") | Some("number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([]),
        _ => {
            let mut map = Map::new();
            if depth < 8 {
                for name in schema["required"].as_array().into_iter().flatten() {
                    let name = name.as_str().unwrap_or_default();
                    let property = &schema["properties"][name];
                    map.insert(name.to_owned(), minimal(schemas, property, depth + 1));
                }
            }
            Value::Object(map)
        }
    }
}

/// The event type → schema name map of the spec's delivery bodies.
fn webhook_events(spec: &Value) -> BTreeMap<String, String> {
    spec["components"]["schemas"]
        .as_object()
        .unwrap()
        .iter()
        .filter_map(|(name, schema)| {
            schema["x-webhook-event"]
                .as_str()
                .map(|event| (event.to_owned(), name.clone()))
        })
        .collect()
}

fn client(emulator: &EmulatorHandle) -> UiPathClient {
    UiPathClient::new(UiPathConfig::from_vars(|name| emulator.var(name)).unwrap()).unwrap()
}

fn dto(name: &str, url: &str, events: &[&str]) -> WebhookDto {
    WebhookDto {
        name: Some(name.into()),
        url: Some(url.into()),
        enabled: Some(true),
        subscribe_to_all_events: Some(false),
        allow_insecure_ssl: Some(false),
        secret: Some("conformance-secret".into()),
        events: Some(
            events
                .iter()
                .map(|e| EventSubscription::from(EventType::new(*e)))
                .collect(),
        ),
        ..WebhookDto::default()
    }
}

/// The counts the suite prints.
#[derive(Debug, Default)]
struct Counts {
    operations: BTreeSet<String>,
    requests: usize,
    answers: usize,
    statuses: BTreeSet<String>,
    events: usize,
    schemas: BTreeSet<String>,
    instances: usize,
    fixtures: usize,
}

const PREFIX: &str = "/uipath/emulator-org/DefaultTenant/orchestrator_";

#[tokio::test]
#[ignore = "run by `cargo xtask conformance`, which `cargo xtask ci` runs"]
async fn uipath_client_and_emulator_conform_to_the_published_openapi() {
    let Some(spec) = load_spec() else {
        return;
    };
    let schemas = Schemas::new(&spec);
    let operations = operations(&spec);
    let mut counts = Counts::default();

    client_requests(&schemas, &operations, &mut counts).await;
    emulator_answers(&schemas, &operations, &mut counts).await;
    deliveries(&spec, &schemas, &mut counts).await;
    decoders(&spec, &schemas, &mut counts);
    fixtures(&spec, &schemas, &mut counts);

    println!(
        "conformance (UiPath OpenAPI): {} of {} operations called by the client, {} client \
         requests and {} emulator answers checked, statuses {}, {} delivery bodies checked \
         against {} schemas, {} minimal instances decoded, {} `hook trigger` fixtures valid",
        counts.operations.len(),
        operations.len(),
        counts.requests,
        counts.answers,
        counts
            .statuses
            .iter()
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        counts.events,
        counts.schemas.len(),
        counts.instances,
        counts.fixtures,
    );
    assert_eq!(
        counts.operations.len(),
        operations.len(),
        "the scenario calls every operation"
    );
}

/// Every request hook-uipath sends, over a scenario calling every operation.
async fn client_requests(schemas: &Schemas, operations: &[Operation], counts: &mut Counts) {
    let emulator = Emulator::builder().start().await.unwrap();
    let orchestrator = client(&emulator);
    let webhooks = orchestrator.webhooks();
    let created = webhooks
        .create(&dto(
            "conformance",
            "https://example.com/hook",
            &["job.completed"],
        ))
        .await
        .unwrap();
    let id = created.id.unwrap();
    let filter = WebhookFilter::new()
        .enabled(true)
        .event_type("job.completed")
        .url("https://example.com/hook")
        .page(10, 0)
        .count(true)
        .order_by("Id");
    assert_eq!(webhooks.get(&filter).await.unwrap().value.len(), 1);
    webhooks.get_by_id(id).await.unwrap();
    let patch = WebhookDto {
        enabled: Some(false),
        ..WebhookDto::default()
    };
    webhooks.update(id, &patch).await.unwrap();
    webhooks
        .replace(
            id,
            &dto("conformance", "https://example.com/v2", &["queue.created"]),
        )
        .await
        .unwrap();
    webhooks.ping(id).await.unwrap();
    webhooks.event_types().await.unwrap();
    let data = json!({"order": {"id": 7}});
    webhooks
        .trigger_custom(data.as_object().unwrap())
        .await
        .unwrap();
    webhooks.delete(id).await.unwrap();

    for request in emulator.admin().requests().await.unwrap() {
        let Some(path) = request.path.strip_prefix(PREFIX) else {
            continue; // the token endpoint
        };
        let operation = operations
            .iter()
            .find(|o| o.matches(&request.method, path))
            .unwrap_or_else(|| panic!("{} {path} is not in the spec", request.method));
        counts
            .operations
            .insert(format!("{} {}", operation.method, operation.template));
        counts.requests += 1;
        match (&operation.request, &request.body) {
            (Some(schema), Some(body)) => {
                let problems = errors(&schemas.validator(schema), body);
                assert!(
                    problems.is_empty(),
                    "{} {path}: {problems:?}\n{body}",
                    request.method
                );
                let extra = undeclared(schemas, schema, body);
                assert!(
                    extra.is_empty(),
                    "{} {path} sends undeclared {extra:?}",
                    request.method
                );
            }
            (None, Some(body)) => panic!("{} {path} takes no body, got {body}", request.method),
            _ => {}
        }
    }
    emulator.shutdown().await;
}

/// Every answer the emulator gives a plain HTTP client on the spec's routes.
async fn emulator_answers(schemas: &Schemas, operations: &[Operation], counts: &mut Counts) {
    let emulator = Emulator::builder().start().await.unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let c = &emulator.credentials().uipath;
    let token: Value = http
        .post(format!(
            "{}/{}/identity_/connect/token",
            emulator.uipath_host(),
            c.organization
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.expose()),
            ("scope", "OR.Webhooks"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let base = format!("{}{PREFIX}", emulator.url());
    let body = |name: &str| {
        json!({"Name": name, "Url": "https://example.com/hook", "Enabled": true,
            "SubscribeToAllEvents": false, "AllowInsecureSsl": false, "Secret": "s",
            "Events": [{"EventType": "job.completed"}]})
    };
    let mut calls = vec![("POST", "/odata/Webhooks".to_owned(), Some(body("answers")))];
    let send = |method: &str, path: &str, payload: Option<Value>| {
        let mut request = http
            .request(method.parse().unwrap(), format!("{base}{path}"))
            .bearer_auth(&token);
        if let Some(payload) = payload {
            request = request.json(&payload);
        }
        request.send()
    };
    // Create first, to have a key for the rest.
    let (method, path, payload) = calls.remove(0);
    let created = send(method, &path, payload.clone()).await.unwrap();
    let mut answers = vec![(
        method,
        path,
        created.status().as_u16(),
        created.bytes().await.unwrap(),
    )];
    let key: Value = serde_json::from_slice(&answers[0].3).unwrap();
    let key = key["Id"].as_i64().unwrap();
    for (method, path, payload) in [
        (
            "GET",
            "/odata/Webhooks?$top=10&$count=true".to_owned(),
            None,
        ),
        ("GET", format!("/odata/Webhooks({key})"), None),
        (
            "PATCH",
            format!("/odata/Webhooks({key})"),
            Some(json!({"Enabled": false})),
        ),
        (
            "PUT",
            format!("/odata/Webhooks({key})"),
            Some(body("answers-2")),
        ),
        (
            "POST",
            format!("/odata/Webhooks({key})/UiPath.Server.Configuration.OData.Ping"),
            None,
        ),
        (
            "GET",
            "/odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes".to_owned(),
            None,
        ),
        (
            "POST",
            "/odata/Webhooks/UiPath.Server.Configuration.OData.TriggerCustom".to_owned(),
            Some(json!({"order": {"id": 7}})),
        ),
        ("DELETE", format!("/odata/Webhooks({key})"), None),
    ] {
        let answer = send(method, &path, payload).await.unwrap();
        answers.push((
            method,
            path,
            answer.status().as_u16(),
            answer.bytes().await.unwrap(),
        ));
    }
    for (method, path, status, bytes) in answers {
        let route = path.split('?').next().unwrap_or_default();
        let operation = operations
            .iter()
            .find(|o| o.matches(method, route))
            .unwrap_or_else(|| panic!("{method} {route} is not in the spec"));
        let schema = operation.responses.get(&status).unwrap_or_else(|| {
            panic!(
                "{method} {route} answered {status}; the spec lists {:?}",
                operation.responses.keys().collect::<Vec<_>>()
            )
        });
        counts.answers += 1;
        counts.statuses.insert(format!("{method}:{status}"));
        if let Some(schema) = schema {
            let answer: Value = serde_json::from_slice(&bytes).unwrap();
            let problems = errors(&schemas.validator(schema), &answer);
            assert!(
                problems.is_empty(),
                "{method} {route} → {status}: {problems:?}\n{answer}"
            );
        }
    }
    emulator.shutdown().await;
}

/// A delivery of every event type, fired through the emulator.
async fn deliveries(spec: &Value, schemas: &Schemas, counts: &mut Counts) {
    let events = webhook_events(spec);
    let catalog: BTreeSet<String> = hook_facade::uipath::EVENTS
        .iter()
        .map(|e| e.name.to_owned())
        .collect();
    let published: BTreeSet<String> = events.keys().cloned().collect();
    assert_eq!(catalog, published, "the catalog is the spec's event types");

    let verifier =
        hook_facade::Verifier::new(hook_facade::Scheme::uipath(), "conformance-secret").unwrap();
    let mut receiver = Receiver::start(verifier).await.unwrap();
    let emulator = Emulator::builder().start().await.unwrap();
    let all = WebhookDto {
        subscribe_to_all_events: Some(true),
        ..dto("every event", receiver.url(), &[])
    };
    client(&emulator).webhooks().create(&all).await.unwrap();
    let mut expected: Vec<&String> = vec![&events["ping"]];
    for (event, schema) in &events {
        if event == "ping" {
            continue;
        }
        emulator
            .admin()
            .fire(hook_facade::uipath::PROVIDER, event, json!({}))
            .await
            .unwrap();
        expected.push(schema);
    }
    for _ in 0..expected.len() {
        let delivery = receiver
            .next(Duration::from_secs(10))
            .await
            .expect("a delivery");
        delivery.verified.unwrap();
        let body: Value = serde_json::from_slice(&delivery.body).unwrap();
        let kind = body["Type"].as_str().unwrap().to_owned();
        let schema = &events[&kind];
        let reference = json!({"$ref": format!("#/components/schemas/{schema}")});
        let problems = errors(&schemas.validator(&reference), &body);
        assert!(problems.is_empty(), "{kind}: {problems:?}\n{body}");
        let event = hook_facade::uipath::parse_event(&delivery.body).unwrap();
        assert_eq!(event.kind, kind.as_str());
        counts.events += 1;
        counts.schemas.insert(schema.clone());
    }
    emulator.shutdown().await;
}

/// Every UiPath fixture `hook trigger` sends (hook-uipath's descriptor's) validates
/// against its event's schema, one fixture per `x-webhook-event`, and hook-uipath's typed
/// event decodes it; the descriptor lists every file in the crate's `fixtures/`.
fn fixtures(spec: &Value, schemas: &Schemas, counts: &mut Counts) {
    let events = webhook_events(spec);
    let mut seen = BTreeSet::new();
    for fixture in hook_facade::uipath::DESCRIPTOR.fixtures {
        let event = fixture.event.to_owned();
        let schema = events
            .get(&event)
            .unwrap_or_else(|| panic!("{event}: no such event in the spec"));
        let body: Value = serde_json::from_str(fixture.json).unwrap();
        assert_eq!(body["Type"], event.as_str(), "{event}");
        let reference = json!({"$ref": format!("#/components/schemas/{schema}")});
        let problems = errors(&schemas.validator(&reference), &body);
        assert!(problems.is_empty(), "{event}: {problems:?}");
        hook_facade::uipath::parse_event(fixture.json.as_bytes()).unwrap();
        seen.insert(event);
        counts.fixtures += 1;
    }
    let published: BTreeSet<String> = events.keys().cloned().collect();
    assert_eq!(seen, published, "one fixture per published event");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/hook-uipath/fixtures");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            e.unwrap()
                .path()
                .file_stem()
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        files,
        seen,
        "every file in {} is in the descriptor",
        dir.display()
    );
}

/// The client's decoders accept instances of the response schemas with required
/// properties only.
fn decoders(spec: &Value, schemas: &Schemas, counts: &mut Counts) {
    let schema = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    let mut check = |name: &str, decode: &dyn Fn(&[u8]) -> Result<(), hook_facade::Error>| {
        let instance = minimal(schemas, &schema(name), 0);
        let problems = errors(&schemas.validator(&schema(name)), &instance);
        assert!(
            problems.is_empty(),
            "{name}: the minimal instance is invalid: {problems:?}"
        );
        let bytes = serde_json::to_vec(&instance).unwrap();
        decode(&bytes).unwrap_or_else(|e| panic!("{name}: {instance} → {}", e.report()));
        counts.instances += 1;
    };
    check("WebhookDto", &|b| {
        hook_facade::model::decode::<WebhookDto>("webhook", b).map(drop)
    });
    check("ODataValueOfIEnumerableOfWebhookDto", &|b| {
        hook_facade::model::decode::<ODataList<WebhookDto>>("list", b).map(drop)
    });
    check("ODataValueOfIEnumerableOfWebhookEventTypeDto", &|b| {
        hook_facade::model::decode::<ODataList<wire::EventTypeDto>>("event types", b).map(drop)
    });
    for name in webhook_events(spec).values() {
        check(name, &|b| hook_facade::uipath::parse_event(b).map(drop));
    }
}
