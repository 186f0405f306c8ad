//! Port over real HTTP, on Port's real model: inbound webhooks with the eight accepted
//! properties, ingest URLs processed with jq mappings, entities, and action invocations
//! signed with the client secret. Bodies are written as raw JSON from Port's API reference
//! and its custom-integration guide, not with the client's types.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, IngestOutcome, IngestRecord};
use reqwest::Method;
use serde_json::{Value, json};
use support::{Api, Receiver, call};

const WAIT: Duration = Duration::from_secs(10);

/// A webhook in the shape of Port's custom-integration guide: GitHub pull requests into
/// the `pullRequest` blueprint, checked with GitHub's `x-hub-signature-256`.
fn github_webhook() -> Value {
    json!({
        "identifier": "github-prs",
        "title": "GitHub pull requests",
        "description": "Pull requests from GitHub",
        "icon": "Github",
        "enabled": true,
        "mappings": [{
            "blueprint": "pullRequest",
            "filter": ".headers.\"x-github-event\" == \"pull_request\"",
            "entity": {
                "identifier": ".body.pull_request.id | tostring",
                "title": ".body.pull_request.title",
                "properties": {
                    "author": ".body.pull_request.user.login",
                    "url": ".body.pull_request.html_url"
                },
                "relations": {"repository": ".body.repository.full_name"}
            }
        }],
        "security": {
            "secret": "github-secret",
            "signatureHeaderName": "x-hub-signature-256",
            "signatureAlgorithm": "sha256",
            "signaturePrefix": "sha256=",
            "requestIdentifierPath": ".headers.\"x-github-delivery\""
        },
        "integrationType": "custom"
    })
}

fn pull_request(id: u64, title: &str) -> Value {
    json!({
        "action": "opened",
        "pull_request": {"id": id, "title": title, "user": {"login": "octocat"}, "html_url": format!("https://github.com/o/r/pull/{id}")},
        "repository": {"full_name": "o/r"}
    })
}

/// Port's webhook routes (through `Deref`), its ingest URLs and its entities.
struct Port {
    emulator: EmulatorHandle,
    api: Api,
}

impl std::ops::Deref for Port {
    type Target = Api;
    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Port {
    async fn start() -> Port {
        let emulator = Emulator::builder().start().await.unwrap();
        let api = Api::new(&emulator, hook_port::PROVIDER).await;
        Port { emulator, api }
    }

    /// Creates `webhook`, answering its ingest URL.
    /// Creates an enabled webhook `identifier` (its title the same) with `mappings`;
    /// answers its ingest URL.
    async fn create_mapped(&self, identifier: &str, mappings: Value) -> String {
        let webhook = json!({
            "identifier": identifier, "title": identifier, "enabled": true, "mappings": mappings
        });
        self.create(webhook).await
    }

    async fn create(&self, webhook: Value) -> String {
        let (status, created) = self.post("", webhook).await;
        assert_eq!(status, 200, "{created}");
        created["integration"]["url"].as_str().unwrap().to_owned()
    }

    /// POSTs `body` to `url` with `headers`, raw; answers the status.
    async fn ingest(&self, url: &str, headers: &[(&str, &str)], body: &[u8]) -> u16 {
        let mut request = self.http.post(url).body(body.to_vec());
        if body.len() > 64 * 1024 {
            // Refused before it is read, the connection may be closed by the server: it
            // must not go back to the pool for the next request.
            request = request.header("connection", "close");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.unwrap().status().as_u16()
    }

    /// The `n`th ingest record of `webhook` (counting from 1), once processed.
    async fn record(&self, webhook: &str, n: usize) -> IngestRecord {
        self.emulator
            .admin()
            .ingested(webhook, n, WAIT)
            .await
            .unwrap()
            .swap_remove(n - 1)
    }

    async fn entity(&self, blueprint: &str, id: &str) -> (u16, Value) {
        let url = format!(
            "{}/v1/blueprints/{blueprint}/entities/{id}",
            self.emulator.port_base()
        );
        call(&self.http, Method::GET, &url, &self.token, None).await
    }
}

/// `sha256=` + hex HMAC-SHA256 of `body` under `secret`, computed with hook-sign's
/// GitHub preset (itself checked against GitHub's published vector).
fn github_signature(secret: &str, body: &[u8]) -> String {
    let headers = hook_sign::Signer::new(hook_sign::Scheme::github(), secret)
        .unwrap()
        .sign(&hook_sign::Message::new(body))
        .unwrap();
    headers.get("x-hub-signature-256").unwrap().to_owned()
}

#[tokio::test]
async fn crud_follows_ports_reference() {
    let port = Port::start().await;
    let (status, created) = port.post("", github_webhook()).await;
    assert_eq!((status, &created["ok"]), (200, &json!(true)), "{created}");
    let webhook = &created["integration"];
    let key = webhook["webhookKey"].as_str().unwrap();
    assert_eq!(
        webhook["url"],
        format!("{}/ingest/{key}", port.emulator.port_base())
    );
    assert!(webhook["createdAt"].is_string() && webhook.get("events").is_none());

    let (status, list) = port.get("").await;
    assert_eq!(
        (status, list["integrations"].as_array().unwrap().len()),
        (200, 1)
    );

    let (status, patched) = port
        .patch("/github-prs", json!({"title": "PRs", "enabled": false}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            &patched["integration"]["title"],
            &patched["integration"]["enabled"]
        ),
        (&json!("PRs"), &json!(false))
    );
    assert_eq!(
        patched["integration"]["mappings"][0]["blueprint"], "pullRequest",
        "PATCH keeps what it does not name"
    );
    assert_eq!(
        patched["integration"]["webhookKey"], key,
        "the ingest URL stays"
    );

    let (status, replaced) = port
        .put(
            "/github-prs",
            json!({"title": "Only this", "enabled": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        replaced["integration"].get("mappings").is_none(),
        "PUT replaces: {replaced}"
    );

    let (status, renamed) = port
        .patch("/github-prs", json!({"identifier": "prs"}))
        .await;
    assert_eq!(
        (status, &renamed["integration"]["identifier"]),
        (200, &json!("prs"))
    );
    assert_eq!(port.get("/github-prs").await.0, 404);

    let (status, deleted) = port.call(Method::DELETE, "/prs", None).await;
    assert_eq!((status, deleted), (200, json!({"ok": true})));
    let (status, missing) = port.call(Method::DELETE, "/prs", None).await;
    assert_eq!((status, &missing["error"]), (404, &json!("not_found")));
}

#[tokio::test]
async fn bodies_outside_ports_schema_are_422() {
    let port = Port::start().await;
    for (body, says) in [
        (
            json!({"title": "t", "enabled": true, "url": "https://x.example"}),
            "\"url\" is not an accepted property",
        ),
        (
            json!({"title": "t", "enabled": true, "events": ["x"]}),
            "\"events\"",
        ),
        (json!({"enabled": true}), "'title'"),
        (json!({"title": "t"}), "'enabled'"),
        (
            json!({"title": "t".repeat(31), "enabled": true}),
            "title must be at most 30",
        ),
        (
            json!({"title": "t", "enabled": true, "identifier": "has space"}),
            "identifier",
        ),
        (
            json!({"title": "t", "enabled": true, "mappings": [{"blueprint": "b", "entity": {"identifier": ""}}]}),
            "mappings[0]",
        ),
        (
            json!({"title": "t", "enabled": true, "security": {"signatureAlgorithm": "md5"}}),
            "md5",
        ),
    ] {
        let (status, error) = port.post("", body.clone()).await;
        assert_eq!((status, &error["ok"]), (422, &json!(false)), "{body}");
        let message = error["message"].as_str().unwrap();
        assert!(
            message.starts_with("The json provided does not match the route's schema")
                && message.contains(says),
            "{body}: {message}"
        );
    }
    port.create(github_webhook()).await;
    let (status, taken) = port.post("", github_webhook()).await;
    assert_eq!(status, 409, "{taken}");
    let (status, made) = port
        .post("", json!({"title": "No Identifier Given", "enabled": true}))
        .await;
    assert_eq!(
        (status, &made["integration"]["identifier"]),
        (200, &json!("no-identifier-given"))
    );
}

#[tokio::test]
async fn a_signed_request_becomes_an_entity_and_a_tampered_one_is_dropped() {
    let port = Port::start().await;
    let url = port.create(github_webhook()).await;
    let body = serde_json::to_vec(&pull_request(42, "Fix the build")).unwrap();
    let signature = github_signature("github-secret", &body);
    let headers = [
        ("x-github-event", "pull_request"),
        ("x-github-delivery", "d-1"),
        ("x-hub-signature-256", signature.as_str()),
        ("content-type", "application/json"),
    ];
    assert_eq!(port.ingest(&url, &headers, &body).await, 202);
    let record = port.record("github-prs", 1).await;
    assert_eq!(
        (
            &record.outcome,
            record.upserted.as_slice(),
            record.errors.len()
        ),
        (
            &IngestOutcome::Processed,
            &["pullRequest/42".to_owned()][..],
            0
        ),
        "{record:?}"
    );
    let (status, entity) = port.entity("pullRequest", "42").await;
    assert_eq!(status, 200);
    assert_eq!(
        entity["entity"],
        json!({
            "identifier": "42", "title": "Fix the build", "blueprint": "pullRequest",
            "properties": {"author": "octocat", "url": "https://github.com/o/r/pull/42"},
            "relations": {"repository": "o/r"},
            "createdAt": entity["entity"]["createdAt"], "updatedAt": entity["entity"]["updatedAt"]
        })
    );

    // The same delivery id again: de-duplicated on requestIdentifierPath.
    assert_eq!(port.ingest(&url, &headers, &body).await, 202);
    let again = port.record("github-prs", 2).await;
    assert_eq!(again.outcome, IngestOutcome::Dropped);
    assert!(again.reason.unwrap().contains("already processed"));

    // A changed body under the old signature: dropped, with the reason.
    let tampered = serde_json::to_vec(&pull_request(42, "Merged by mallory")).unwrap();
    let headers = [
        ("x-github-event", "pull_request"),
        ("x-github-delivery", "d-2"),
        ("x-hub-signature-256", signature.as_str()),
    ];
    assert_eq!(port.ingest(&url, &headers, &tampered).await, 202);
    let dropped = port.record("github-prs", 3).await;
    assert_eq!(dropped.outcome, IngestOutcome::Dropped);
    assert!(
        dropped
            .reason
            .as_deref()
            .unwrap()
            .contains("security check failed"),
        "{dropped:?}"
    );
    let (_, entity) = port.entity("pullRequest", "42").await;
    assert_eq!(entity["entity"]["title"], "Fix the build");

    // Another event type: the filter skips the mapping.
    let signature = github_signature("github-secret", b"{}");
    let headers = [
        ("x-github-event", "push"),
        ("x-hub-signature-256", signature.as_str()),
    ];
    port.ingest(&url, &headers, b"{}").await;
    let skipped = port.record("github-prs", 4).await;
    assert_eq!(
        (&skipped.outcome, skipped.upserted.len()),
        (&IngestOutcome::Processed, 0)
    );
}

#[tokio::test]
async fn items_to_parse_delete_and_jq_errors() {
    let port = Port::start().await;
    let mappings = json!([
        {
            "blueprint": "alert",
            "filter": ".body.kind == \"open\"",
            "itemsToParse": ".body.alerts",
            "entity": {
                "identifier": ".item.id",
                "title": ".item.name | ascii_upcase",
                "icon": "\"Alert\"",
                "team": ".queryParams.team",
                "properties": {"severity": ".item.severity", "source": ".headers.\"x-source\""}
            }
        },
        {
            "blueprint": "alert",
            "filter": ".body.kind == \"resolved\"",
            "itemsToParse": ".body.alerts",
            "operation": "delete",
            "entity": {"identifier": ".item.id"}
        },
        {
            "blueprint": "broken",
            "entity": {"identifier": ".body | nosuchfunction"}
        }
    ]);
    let url = port.create_mapped("alerts", mappings).await;
    let open = json!({"kind": "open", "alerts": [
        {"id": "a1", "name": "disk", "severity": 3},
        {"id": "a2", "name": "cpu", "severity": 1}
    ]});
    let with_team = format!("{url}?team=sre");
    port.ingest(
        &with_team,
        &[("x-source", "pager")],
        open.to_string().as_bytes(),
    )
    .await;
    let record = port.record("alerts", 1).await;
    assert_eq!(record.upserted, ["alert/a1", "alert/a2"]);
    assert_eq!(record.errors.len(), 1, "{record:?}");
    assert!(
        record.errors[0].starts_with("mappings[2]") && record.errors[0].contains("compile"),
        "{record:?}"
    );
    let (_, a1) = port.entity("alert", "a1").await;
    assert_eq!(
        (
            &a1["entity"]["title"],
            &a1["entity"]["icon"],
            &a1["entity"]["team"]
        ),
        (&json!("DISK"), &json!("Alert"), &json!("sre"))
    );
    assert_eq!(
        a1["entity"]["properties"],
        json!({"severity": 3, "source": "pager"})
    );

    let resolved = json!({"kind": "resolved", "alerts": [{"id": "a1"}]});
    port.ingest(&url, &[], resolved.to_string().as_bytes())
        .await;
    let record = port.record("alerts", 2).await;
    assert_eq!(record.deleted, ["alert/a1"]);
    assert_eq!(port.entity("alert", "a1").await.0, 404);
    let list_url = format!("{}/v1/blueprints/alert/entities", port.emulator.port_base());
    let (_, list) = call(&port.http, Method::GET, &list_url, &port.token, None).await;
    assert_eq!(list["entities"].as_array().unwrap().len(), 1);

    // Not JSON, and a mapping that never ends: recorded, and the emulator keeps answering.
    port.ingest(&url, &[], b"not json").await;
    assert!(
        port.record("alerts", 3)
            .await
            .reason
            .unwrap()
            .contains("not JSON")
    );
    let (status, _) = port
        .patch(
            "/alerts",
            json!({"mappings": [{"blueprint": "b", "entity": {"identifier": "def f: 1 + f; f"}}]}),
        )
        .await;
    assert_eq!(status, 200);
    port.ingest(&url, &[], b"{}").await;
    let refused = port.record("alerts", 4).await;
    assert!(refused.errors[0].contains("`def`"), "{refused:?}");
    assert_eq!(port.get("/alerts").await.0, 200);
}

#[tokio::test]
async fn disabled_webhooks_sha1_plain_and_limits() {
    let port = Port::start().await;
    let mut webhook = json!({"identifier": "plain", "title": "Plain", "enabled": false,
        "mappings": [{"blueprint": "thing", "entity": {"identifier": ".body.id"}}],
        "security": {"secret": "tok3n", "signatureHeaderName": "x-token", "signatureAlgorithm": "plain"}});
    let url = port.create(webhook.clone()).await;
    port.ingest(&url, &[("x-token", "tok3n")], br#"{"id":"t1"}"#)
        .await;
    assert_eq!(
        port.record("plain", 1).await.reason.as_deref(),
        Some("the webhook is disabled")
    );
    port.patch("/plain", json!({"enabled": true})).await;
    port.ingest(&url, &[("x-token", "wrong")], br#"{"id":"t2"}"#)
        .await;
    assert_eq!(
        port.record("plain", 2).await.outcome,
        IngestOutcome::Dropped
    );
    port.ingest(&url, &[("x-token", "tok3n")], br#"{"id":"t3"}"#)
        .await;
    assert_eq!(port.record("plain", 3).await.upserted, ["thing/t3"]);

    webhook["identifier"] = json!("sha1");
    webhook["enabled"] = json!(true);
    webhook["security"] = json!({"secret": "It's a Secret to Everybody", "signatureHeaderName": "x-hub-signature",
        "signatureAlgorithm": "sha1", "signaturePrefix": "sha1="});
    let url = port.create(webhook).await;
    // GitHub's documented body, and its SHA-1 signature computed with Python's hmac.
    let body = br#"{"id":"Hello, World!"}"#;
    let signed = hook_sign::Signer::new(
        hook_sign::Scheme::github_sha1(),
        "It's a Secret to Everybody",
    )
    .unwrap()
    .sign(&hook_sign::Message::new(body))
    .unwrap();
    let signature = signed.get("x-hub-signature").unwrap();
    port.ingest(&url, &[("x-hub-signature", signature)], body)
        .await;
    assert_eq!(
        port.record("sha1", 1).await.upserted,
        ["thing/Hello, World!"]
    );

    // Port's ingest limit is 512 KiB (the API routes take 1 MiB).
    let huge = vec![b' '; 512 * 1024 + 1];
    assert_eq!(port.ingest(&url, &[], &huge).await, 413);
    let mut at_limit = br#"{"id":"edge"}"#.to_vec();
    at_limit.resize(512 * 1024, b' ');
    assert_eq!(port.ingest(&url, &[], &at_limit).await, 202);
    let unknown = format!("{}/ingest/no-such-key", port.emulator.port_base());
    assert_eq!(port.ingest(&unknown, &[], b"{}").await, 404);
}

#[tokio::test]
async fn action_invocations_are_signed_with_the_client_secret() {
    let emulator = Emulator::builder().start().await.unwrap();
    let credentials = &emulator.credentials().port;
    let client_secret = credentials.client_secret.expose();
    let mut receiver = Receiver::start(hook_port::PROVIDER, client_secret).await;
    let body = json!({"action": "deploy", "properties": {"service": "payments"}});
    let id = emulator.admin().invoke(&receiver.url, &body).await.unwrap();
    let delivery = receiver.next().await;
    let verified = delivery.verified.unwrap();
    assert!(verified.timestamp.is_some(), "x-port-timestamp is signed");
    assert_eq!(
        serde_json::from_slice::<Value>(&delivery.body).unwrap(),
        body
    );
    let log = emulator
        .admin()
        .settled(&[("id", id.as_str())], WAIT)
        .await
        .unwrap();
    assert_eq!(log[0].status_code, Some(200));
    let refused = emulator
        .admin()
        .invoke("https://example.com/hook", &body)
        .await;
    assert!(refused.is_err(), "non-loopback targets are refused");
    // Inbound webhooks are sent no events: firing one says what to do instead.
    let fired = emulator
        .admin()
        .fire(hook_port::PROVIDER, "ENTITY_CREATED", json!({}))
        .await
        .unwrap_err();
    assert!(fired.to_string().contains("/_admin/port/invoke"), "{fired}");
}

/// What Port's docs write works as Port runs it: single-quoted strings, `env` as `{}`, the
/// object form of a delete, at most 500 items a request; a search-query identifier is
/// stored and read back whole, and said not to be evaluated.
#[tokio::test]
async fn port_documented_mappings_object_deletes_item_cap_and_queries() {
    let port = Port::start().await;
    let query = json!({"combinator": "and", "rules": [
        {"property": "$title", "operator": "=", "value": "x"},
        {"combinator": "or", "rules": [{"property": "status", "operator": "in", "value": ["a", "b"]}]}
    ]});
    let mappings = json!([
        {
            "blueprint": "alert",
            "filter": ".body.kind == 'open' and (env | length) == 0",
            "itemsToParse": ".body.alerts",
            "entity": {"identifier": ".item.id", "title": "'Alert ' + .item.id"}
        },
        {
            "blueprint": "alert",
            "filter": ".body.kind == 'resolved'",
            "itemsToParse": ".body.alerts",
            "operation": {"type": "delete", "deleteDependents": false},
            "entity": {"identifier": ".item.id"}
        },
        {
            "blueprint": "alert",
            "filter": ".body.kind == 'retitle'",
            "entity": {"identifier": query, "team": query, "title": "'renamed'"}
        }
    ]);
    let url = port.create_mapped("docs", mappings).await;
    let (status, stored) = port.get("/docs").await;
    assert_eq!(status, 200);
    assert_eq!(
        stored["integration"]["mappings"][2]["entity"]["identifier"],
        query
    );

    let alerts: Vec<Value> = (0..600).map(|n| json!({"id": format!("a{n}")})).collect();
    let open = json!({"kind": "open", "alerts": alerts});
    assert_eq!(
        port.ingest(&url, &[], open.to_string().as_bytes()).await,
        202
    );
    let record = port.record("docs", 1).await;
    assert_eq!(
        record.upserted.len(),
        500,
        "the first 500 items only: {record:?}"
    );
    assert_eq!(record.upserted[499], "alert/a499");
    let (_, a7) = port.entity("alert", "a7").await;
    assert_eq!(a7["entity"]["title"], "Alert a7");

    let resolved = json!({"kind": "resolved", "alerts": [{"id": "a7"}]});
    port.ingest(&url, &[], resolved.to_string().as_bytes())
        .await;
    let record = port.record("docs", 2).await;
    assert_eq!(record.deleted, ["alert/a7"], "{record:?}");
    assert!(
        record.upserted.is_empty(),
        "the object form deletes: {record:?}"
    );
    assert_eq!(port.entity("alert", "a7").await.0, 404);

    port.ingest(&url, &[], br#"{"kind":"retitle"}"#).await;
    let record = port.record("docs", 3).await;
    assert!(
        record.errors.iter().any(|e| e.contains("search query")),
        "{record:?}"
    );
}
