//! Port's published route schemas are the oracle for Port, as UiPath's OpenAPI is for
//! UiPath (`conformance.rs`): the client and the emulator are each checked against
//! `tests/specs/port-webhooks.schema.json`, written in this repository from the facts of
//! Port's API reference (its `$comment` cites the pages), so a misreading the two share
//! cannot pass.
//!
//! - every body hook-port sends to `/v1/webhooks` (its native API and the `WebhookApi`
//!   path), over a scenario using every route and both mapping forms, validates against
//!   its route's request schema;
//! - the emulator agrees with the schema on bodies it did not write: each valid one is
//!   accepted, each invalid one refused with 422;
//! - every error answer the emulator gives has the documented shape for its status.
//!
//! The schema is compiled in: it cannot be missing, so nothing here is ever skipped.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed unwrap is a failed check

use std::collections::BTreeMap;

use hook_emulator::{Emulator, EmulatorHandle};
use hook_facade::port::wire::{
    Combinator, EntityMapping, IntegrationType, Mapping, Operation, SearchQuery, SearchRule,
    Security, SignatureAlgorithm, WebhookBody,
};
use hook_facade::port::{PortClient, PortConfig};
use hook_facade::{ProviderConfig, WebhookPatch, WebhookSpec, connect, port};
use serde_json::{Value, json};

const SCHEMA: &str = include_str!("specs/port-webhooks.schema.json");

/// The schema file, and validators for its definitions.
struct Spec {
    root: Value,
}

impl Spec {
    fn load() -> Spec {
        Spec {
            root: serde_json::from_str(SCHEMA).expect("the Port schema is JSON"),
        }
    }

    /// The failures of `instance` against the definition `name`, as text.
    fn errors(&self, name: &str, instance: &Value) -> Vec<String> {
        let mut schema = self.root.clone();
        schema["$ref"] = json!(format!("#/$defs/{name}"));
        let validator = jsonschema::draft202012::new(&schema)
            .unwrap_or_else(|e| panic!("the {name} schema does not compile: {e}"));
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    /// The request body definition of `method path` (`{identifier}` for an id), if any.
    fn body_of(&self, route: &str) -> Option<String> {
        self.root["routes"][route]["body"]
            .as_str()
            .map(str::to_owned)
    }

    /// The error statuses `route` documents.
    fn error_statuses(&self, route: &str) -> Vec<u16> {
        self.root["routes"][route]["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("no route {route} in the schema"))
            .iter()
            .map(|s| u16::try_from(s.as_u64().unwrap()).unwrap())
            .collect()
    }
}

/// The route template of a recorded request (`/port/v1/webhooks/x` → `PATCH
/// /v1/webhooks/{identifier}`), or `None` for another route.
fn route(method: &str, path: &str) -> Option<String> {
    let rest = path.strip_prefix("/port")?;
    let template = match rest.trim_end_matches('/') {
        "/v1/webhooks" => "/v1/webhooks".to_owned(),
        other if other.starts_with("/v1/webhooks/") && other.matches('/').count() == 3 => {
            "/v1/webhooks/{identifier}".to_owned()
        }
        _ => return None,
    };
    Some(format!("{method} {template}"))
}

fn client(emulator: &EmulatorHandle) -> PortClient {
    PortClient::new(PortConfig::from_vars(|name| emulator.var(name)).unwrap()).unwrap()
}

/// A bearer token from the emulator's token route.
async fn token(emulator: &EmulatorHandle) -> String {
    let c = &emulator.credentials().port;
    let answer: Value = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(format!("{}/v1/auth/access_token", emulator.port_base()))
        .json(&json!({"clientId": c.client_id, "clientSecret": c.client_secret.expose()}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["accessToken"].as_str().unwrap().to_owned()
}

/// Sends `method path` with `body` (a JSON value, or raw bytes when a string is too
/// large to be JSON text the caller wants) and answers the status and the JSON body.
async fn send(
    emulator: &EmulatorHandle,
    bearer: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Vec<u8>>,
) -> (u16, Value) {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut request = http
        .request(method, format!("{}{path}", emulator.port_base()))
        .bearer_auth(bearer);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A search query for the entities whose `name` property is `checkout`.
fn query() -> SearchQuery {
    SearchQuery::new(
        Combinator::And,
        [SearchRule::property("name", "=", json!("checkout"))],
    )
}

#[tokio::test]
async fn every_body_hook_port_sends_validates_against_its_route_schema() {
    let spec = Spec::load();
    let emulator = Emulator::builder().start().await.unwrap();
    let port = client(&emulator);

    // The native API, with both mapping forms, search queries, security and every field.
    let full = WebhookBody::new("Deploys")
        .identifier("deploys".to_owned())
        .description("From CI".to_owned())
        .icon("Github".to_owned())
        .integration_type(IntegrationType::Custom)
        .security(
            Security::hmac(
                SignatureAlgorithm::Sha256,
                "s3cret",
                "x-hub-signature-256",
                "sha256=",
            )
            .request_identifier_path(".body.id".to_owned()),
        )
        .mappings(vec![
            Mapping::new(
                "service",
                EntityMapping::new(".body.name")
                    .title(".body.title".to_owned())
                    .team(query())
                    .property("url", ".body.url"),
            )
            .filter(".headers.\"x-event\" == \"push\"".to_owned())
            .items_to_parse(".body.items".to_owned()),
            Mapping::new("service", EntityMapping::new(query())),
            Mapping::new("service", EntityMapping::new(".body.gone")).operation(Operation::Delete),
            Mapping::new("service", EntityMapping::new(".body.gone")).operation(Operation::Other(
                json!({"type": "delete", "deleteDependents": true}),
            )),
        ]);
    port.create_webhook(&full).await.unwrap();
    port.update_webhook(
        "deploys",
        &WebhookBody::patch().title("Deploys 2".to_owned()),
    )
    .await
    .unwrap();
    port.replace_webhook("deploys", &WebhookBody::new("Deploys 3"))
        .await
        .unwrap();
    port.get_webhook("deploys").await.unwrap();
    port.get_webhooks().await.unwrap();
    assert!(port.delete_webhook("deploys").await.unwrap());

    // The same through the common trait.
    let api =
        connect(ProviderConfig::from_pairs(port::PROVIDER, &emulator.env(port::PROVIDER)).unwrap())
            .unwrap();
    let created = api
        .create(
            &WebhookSpec::inbound()
                .name("inbound hook")
                .secret("s3cret")
                .build(),
        )
        .await
        .unwrap();
    api.update(
        &created.id,
        &WebhookPatch::new().enabled(false).name("renamed"),
    )
    .await
    .unwrap();
    api.delete(&created.id).await.unwrap();

    let mut checked: BTreeMap<String, usize> = BTreeMap::new();
    for request in emulator.admin().requests().await.unwrap() {
        let Some(route) = route(&request.method, &request.path) else {
            continue;
        };
        assert!(
            spec.root["routes"].get(&route).is_some(),
            "hook-port called {route}, which Port's API reference does not have"
        );
        *checked.entry(route.clone()).or_default() += 1;
        let Some(definition) = spec.body_of(&route) else {
            assert!(
                request.body.is_none(),
                "{route} takes no body: {:?}",
                request.body
            );
            continue;
        };
        let body = request
            .body
            .unwrap_or_else(|| panic!("{route} sent no body"));
        let problems = spec.errors(&definition, &body);
        assert!(problems.is_empty(), "{route} {body}: {problems:#?}");
    }
    let routes: Vec<&str> = spec.root["routes"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for route in routes {
        assert!(
            checked.contains_key(route),
            "{route} was not exercised: {checked:?}"
        );
    }
    println!("conformance (Port route schemas): client requests checked per route {checked:?}");
    emulator.shutdown().await;
}

/// Bodies the emulator did not write, each a small change to a valid one.
fn create_cases() -> Vec<(&'static str, Value)> {
    let long = |n: usize| "x".repeat(n);
    let mapping = json!({"blueprint": "service", "entity": {"identifier": ".body.id"}});
    vec![
        ("minimal", json!({"title": "T", "enabled": true})),
        (
            "every field",
            json!({
                "title": "T", "enabled": false, "description": long(200), "icon": "Git",
                "integrationType": "template",
                "security": {"secret": "s", "signatureHeaderName": "x-sig", "signatureAlgorithm": "plain",
                             "signaturePrefix": null, "requestIdentifierPath": null},
                "mappings": [mapping.clone()]
            }),
        ),
        (
            "30-character title",
            json!({"title": long(30), "enabled": true}),
        ),
        (
            "search-query identifier and team",
            json!({"title": "T", "enabled": true, "mappings": [
                {"blueprint": "service", "entity": {
                    "identifier": {"combinator": "and", "rules": [{"property": "name", "operator": "=", "value": "x"}]},
                    "team": {"combinator": "or", "rules": []}}}
            ]}),
        ),
        (
            "delete mapping, object form",
            json!({"title": "T", "enabled": true, "mappings": [
                {"operation": {"type": "delete", "deleteDependents": true}, "blueprint": "service",
                 "entity": {"identifier": ".body.id"}, "filter": "true", "itemsToParse": ".body.items"}
            ]}),
        ),
        (
            "create mapping, object form",
            json!({"title": "T", "enabled": true, "mappings": [
                {"operation": {"type": "create"}, "blueprint": "service", "entity": {"identifier": ".body.id"}}
            ]}),
        ),
        (
            "31-character title",
            json!({"title": long(31), "enabled": true}),
        ),
        (
            "201-character description",
            json!({"title": "T", "enabled": true, "description": long(201)}),
        ),
        (
            "31-character identifier",
            json!({"identifier": long(31), "title": "T", "enabled": true}),
        ),
        ("no title", json!({"enabled": true})),
        ("no enabled", json!({"title": "T"})),
        (
            "unknown property",
            json!({"title": "T", "enabled": true, "url": "https://x.example"}),
        ),
        ("title not a string", json!({"title": 7, "enabled": true})),
        (
            "unknown integration type",
            json!({"title": "T", "enabled": true, "integrationType": "native"}),
        ),
        (
            "unknown signature algorithm",
            json!({"title": "T", "enabled": true, "security": {"signatureAlgorithm": "md5"}}),
        ),
        (
            "unknown security property",
            json!({"title": "T", "enabled": true, "security": {"secret": "s", "hash": "x"}}),
        ),
        (
            "mapping without blueprint",
            json!({"title": "T", "enabled": true, "mappings": [{"entity": {"identifier": ".id"}}]}),
        ),
        (
            "mapping without entity identifier",
            json!({"title": "T", "enabled": true, "mappings": [{"blueprint": "b", "entity": {"title": ".t"}}]}),
        ),
        (
            "unknown entity property",
            json!({"title": "T", "enabled": true, "mappings": [{"blueprint": "b", "entity": {"identifier": ".id", "colour": ".c"}}]}),
        ),
        (
            "unknown create-mapping property",
            json!({"title": "T", "enabled": true, "mappings": [{"blueprint": "b", "entity": {"identifier": ".id"}, "port": 1}]}),
        ),
        (
            "delete mapping with an entity title",
            json!({"title": "T", "enabled": true, "mappings": [
                {"operation": "delete", "blueprint": "b", "entity": {"identifier": ".id", "title": ".t"}}
            ]}),
        ),
        (
            "unknown operation",
            json!({"title": "T", "enabled": true, "mappings": [
                {"operation": "upsert", "blueprint": "b", "entity": {"identifier": ".id"}}
            ]}),
        ),
        (
            "search query without rules",
            json!({"title": "T", "enabled": true, "mappings": [
                {"blueprint": "b", "entity": {"identifier": {"combinator": "and"}}}
            ]}),
        ),
    ]
}

#[tokio::test]
async fn the_emulator_accepts_what_the_schema_accepts_and_refuses_the_rest_with_422() {
    let spec = Spec::load();
    let emulator = Emulator::builder().start().await.unwrap();
    let bearer = token(&emulator).await;
    let mut disagreements = Vec::new();
    let (mut accepted, mut refused) = (0, 0);
    for (n, (name, body)) in create_cases().into_iter().enumerate() {
        let valid = spec.errors("createBody", &body).is_empty();
        let mut sent = body.clone();
        // A fresh identifier each (or the given one), so no case conflicts with another.
        if sent.get("identifier").is_none() && valid {
            sent["identifier"] = json!(format!("case-{n}"));
        }
        let bytes = serde_json::to_vec(&sent).unwrap();
        let (status, answer) = send(
            &emulator,
            &bearer,
            reqwest::Method::POST,
            "/v1/webhooks",
            Some(bytes),
        )
        .await;
        match (valid, status) {
            (true, 200..=299) => accepted += 1,
            (false, 422) => {
                let problems = spec.errors("refused", &answer);
                assert!(
                    problems.is_empty(),
                    "{name}: the 422 {answer}: {problems:?}"
                );
                refused += 1;
            }
            _ => disagreements.push(format!(
                "{name}: the schema says {}, the emulator answered {status} {answer}",
                if valid { "valid" } else { "invalid" }
            )),
        }
    }
    // PATCH takes any subset; PUT needs what POST needs.
    let (status, _) = send(
        &emulator,
        &bearer,
        reqwest::Method::PATCH,
        "/v1/webhooks/case-0",
        Some(b"{}".to_vec()),
    )
    .await;
    assert!(spec.errors("patchBody", &json!({})).is_empty());
    assert_eq!(status, 200, "an empty PATCH changes nothing and is valid");
    let no_enabled = json!({"title": "T"});
    assert!(!spec.errors("createBody", &no_enabled).is_empty());
    let (status, _) = send(
        &emulator,
        &bearer,
        reqwest::Method::PUT,
        "/v1/webhooks/case-0",
        Some(serde_json::to_vec(&no_enabled).unwrap()),
    )
    .await;
    assert_eq!(status, 422, "PUT requires enabled, as POST does");
    assert!(disagreements.is_empty(), "{disagreements:#?}");
    assert!(
        accepted >= 5 && refused >= 15,
        "{accepted} accepted, {refused} refused"
    );
    println!(
        "conformance (Port route schemas): {accepted} bodies accepted and {refused} refused by both the schema and the emulator"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn every_error_answer_has_the_documented_shape_for_its_status() {
    let spec = Spec::load();
    let emulator = Emulator::builder().start().await.unwrap();
    let bearer = token(&emulator).await;
    let get = reqwest::Method::GET;
    let cases = [
        (
            "GET /v1/webhooks",
            send(&emulator, "not-a-token", get.clone(), "/v1/webhooks", None).await,
        ),
        (
            "GET /v1/webhooks/{identifier}",
            send(&emulator, &bearer, get, "/v1/webhooks/missing", None).await,
        ),
        (
            "DELETE /v1/webhooks/{identifier}",
            send(
                &emulator,
                &bearer,
                reqwest::Method::DELETE,
                "/v1/webhooks/missing",
                None,
            )
            .await,
        ),
        (
            "POST /v1/webhooks",
            send(
                &emulator,
                &bearer,
                reqwest::Method::POST,
                "/v1/webhooks",
                Some(serde_json::to_vec(&json!({"title": "T"})).unwrap()),
            )
            .await,
        ),
        (
            "PATCH /v1/webhooks/{identifier}",
            send(
                &emulator,
                &bearer,
                reqwest::Method::PATCH,
                "/v1/webhooks/missing",
                Some(vec![b' '; 1024 * 1024 + 1]),
            )
            .await,
        ),
    ];
    let mut statuses = Vec::new();
    for (route, (status, answer)) in cases {
        assert!(
            spec.error_statuses(route).contains(&status),
            "{route} answered {status}, which Port's API reference does not list"
        );
        let definition = if matches!(status, 401 | 413) {
            "failed"
        } else {
            "refused"
        };
        let problems = spec.errors(definition, &answer);
        assert!(
            problems.is_empty(),
            "{route} {status} {answer}: {problems:?}"
        );
        statuses.push(status);
    }
    statuses.sort_unstable();
    statuses.dedup();
    assert_eq!(statuses, [401, 404, 413, 422]);
    emulator.shutdown().await;
}
