//! The Port client against the emulator over real loopback HTTP: the exact bodies sent are
//! checked against Port's documented schema (the eight accepted properties), not only
//! against what the emulator accepts.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle};
use hook_model::{Direction, Error, ListQuery, WebhookApi, WebhookPatch, WebhookSpec};
use hook_port::{EntityMapping, Mapping, PortClient, PortConfig, WebhookBody, ingest_scheme};
use hook_sign::{Message, Signer};

/// An emulator, and a Port client of it.
async fn start() -> (EmulatorHandle, PortClient) {
    let emulator = Emulator::builder().start().await.unwrap();
    let config = PortConfig::from_vars(|name| emulator.var(name)).unwrap();
    (emulator, PortClient::new(config).unwrap())
}

/// Port's custom-integration guide's GitHub configuration, as the SDK's recipe writes it.
fn github_prs() -> WebhookBody {
    hook_port::recipes::github_pull_requests("github-secret")
}

#[tokio::test]
async fn the_seed_methods_speak_ports_real_wire() {
    let (emulator, port) = start().await;
    let created = port.create_webhook(&github_prs()).await.unwrap();
    let ingest = created.url.clone().unwrap();
    assert!(
        ingest.ends_with(&format!(
            "/ingest/{}",
            created.webhook_key.as_deref().unwrap()
        )),
        "{ingest}"
    );
    let log = emulator.admin().requests().await.unwrap();
    assert_eq!(log[0].path, "/port/v1/auth/access_token");
    assert_eq!(log[0].body.as_ref().unwrap()["clientSecret"], "<redacted>");
    let create = log[1].body.as_ref().unwrap();
    assert_eq!(create["security"]["secret"], "<redacted>");
    assert_eq!(
        (&create["title"], &create["enabled"]),
        (
            &serde_json::json!("GitHub pull requests"),
            &serde_json::json!(true)
        )
    );

    let updated = port
        .update_webhook("github-prs", &WebhookBody::patch().enabled(false))
        .await
        .unwrap();
    assert_eq!(updated.enabled, Some(false));
    assert_eq!(updated.mappings.as_ref().unwrap().len(), 1);
    let patch = emulator.admin().requests().await.unwrap().pop().unwrap();
    assert_eq!(
        (patch.method.as_str(), patch.path.as_str()),
        ("PATCH", "/port/v1/webhooks/github-prs")
    );
    assert_eq!(
        patch.body.unwrap(),
        serde_json::json!({"enabled": false}),
        "only the changed property"
    );

    // Replace keeps what the answer holds, through WebhookBody::from.
    let mut whole = WebhookBody::from(&updated);
    whole.description = Some("Replaced".into());
    let replaced = port.replace_webhook("github-prs", &whole).await.unwrap();
    assert_eq!(replaced.description.as_deref(), Some("Replaced"));
    assert_eq!(replaced.url.as_deref(), Some(ingest.as_str()));

    assert_eq!(port.get_webhooks().await.unwrap().len(), 1);
    let lists = emulator
        .admin()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/port/v1/webhooks")
        .count();
    assert_eq!(lists, 1, "one request, no paging loop");
    // Every body sent here is checked against Port's route schemas in the workspace's
    // conformance suite (`tests/conformance_port.rs`).

    assert!(port.delete_webhook("github-prs").await.unwrap());
    assert!(
        matches!(port.get_webhook("github-prs").await, Err(Error::NotFound { reply: e, .. }) if e.code.as_deref() == Some("not_found"))
    );
    assert_eq!(port.http().token_fetches(), 1);
}

#[tokio::test]
async fn required_fields_and_limits_are_checked_before_sending() {
    let (emulator, port) = start().await;
    let mut untitled = WebhookBody::patch().enabled(true);
    for (body, field) in [
        (
            WebhookBody::new("t").identifier("x".repeat(31)),
            "identifier",
        ),
        (WebhookBody::new("t".repeat(31)), "title"),
        (untitled.clone(), "title"),
        (
            WebhookBody::new("t").mapping(Mapping::new("b", EntityMapping::new(" "))),
            "mappings[0].entity.identifier",
        ),
    ] {
        let error = port.create_webhook(&body).await.unwrap_err();
        assert!(
            matches!(&error, Error::Invalid { field: f, .. } if f == field),
            "{error}"
        );
    }
    untitled.title = Some("t".into());
    untitled.enabled = None;
    let error = port.replace_webhook("x", &untitled).await.unwrap_err();
    assert_eq!(error.field(), Some("enabled"));
    assert!(matches!(
        port.get_entity("a/b", "x").await,
        Err(Error::Invalid { .. })
    ));
    assert!(
        emulator.admin().requests().await.unwrap().is_empty(),
        "nothing was sent"
    );

    port.create_webhook(&github_prs()).await.unwrap();
    assert!(matches!(
        port.create_webhook(&github_prs()).await,
        Err(Error::Conflict { .. })
    ));
}

#[tokio::test]
async fn the_common_trait_is_inbound() {
    let (emulator, client) = start().await;
    let api: Box<dyn WebhookApi> = Box::new(client);
    let capabilities = api.capabilities();
    assert_eq!(capabilities.direction, Direction::Inbound);
    assert!(!capabilities.test);

    for spec in [
        WebhookSpec::builder("https://x.example/hook").name("n"),
        WebhookSpec::inbound().name("n").event("ENTITY_CREATED"),
    ] {
        let error = api.create(&spec.build()).await.unwrap_err();
        assert!(matches!(error, Error::Invalid { .. }), "{error}");
        let message = error.to_string();
        assert!(
            message.contains("inbound") && message.contains("create webhook"),
            "{message}"
        );
    }
    assert!(emulator.admin().requests().await.unwrap().is_empty());

    let created = api
        .create(
            &WebhookSpec::inbound()
                .name("Deploy Events")
                .secret("s3cret")
                .build(),
        )
        .await
        .unwrap();
    assert_eq!(
        (created.id.as_str(), created.name.as_deref()),
        ("deploy-events", Some("Deploy Events"))
    );
    assert!(created.url.contains("/port/ingest/"), "{}", created.url);
    assert!(created.events.is_empty());
    assert!(created.has_secret && !format!("{created:?}").contains("s3cret"));
    let patched = api
        .update(&created.id, &WebhookPatch::new().enabled(false))
        .await
        .unwrap();
    assert!(!patched.enabled);
    assert!(matches!(
        api.update(&created.id, &WebhookPatch::new().url("https://x.example"))
            .await,
        Err(Error::Invalid { .. })
    ));
    assert_eq!(
        api.list(&ListQuery::new().enabled(false))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert!(matches!(
        api.test(&created.id).await,
        Err(Error::Unsupported {
            provider: hook_port::PROVIDER,
            ..
        })
    ));
    let triggers = api.event_types().await.unwrap();
    assert!(triggers.iter().any(|t| t.name.as_str() == "ENTITY_CREATED"));
    api.delete(&created.id).await.unwrap();
}

#[tokio::test]
async fn test_traffic_signed_for_the_ingest_url_becomes_an_entity() {
    let (emulator, port) = start().await;
    let webhook = port.create_webhook(&github_prs()).await.unwrap();
    let security = webhook.security.as_ref().unwrap();
    let scheme = ingest_scheme(security).unwrap().unwrap();
    let body = serde_json::to_vec(&serde_json::json!({
        "pull_request": {"id": 7, "title": "Add CI", "user": {"login": "octocat"}},
        "repository": {"full_name": "o/r"}
    }))
    .unwrap();
    let signed = Signer::new(scheme, "github-secret")
        .unwrap()
        .sign(&Message::new(&body))
        .unwrap();
    let mut request = reqwest::Client::builder()
        .no_proxy()
        .build()
        .unwrap()
        .post(webhook.url.unwrap())
        .header("x-github-event", "pull_request")
        .body(body);
    for (name, value) in signed.iter() {
        request = request.header(name, value);
    }
    assert_eq!(request.send().await.unwrap().status().as_u16(), 202);
    emulator
        .admin()
        .ingested("github-prs", 1, Duration::from_secs(10))
        .await
        .unwrap();
    let entity = port.get_entity("pullRequest", "7").await.unwrap();
    assert_eq!(entity.title.as_deref(), Some("Add CI"));
    assert_eq!(entity.properties["author"], "octocat");
    assert_eq!(entity.relations["repository"], "o/r");
    assert_eq!(port.get_entities("pullRequest").await.unwrap().len(), 1);
    assert!(matches!(
        port.get_entity("pullRequest", "8").await,
        Err(Error::NotFound { .. })
    ));
}

/// A webhook whose mapping selects entities with a search query is created, listed and
/// read back through the client (one such webhook used to make every read fail to decode).
#[tokio::test]
async fn search_query_mappings_are_written_and_read_back() {
    use hook_port::{Combinator, SearchQuery, SearchRule, Selector};
    let (_emulator, port) = start().await;
    let query = SearchQuery::new(
        Combinator::And,
        [SearchRule::property("$title", "=", "checkout")],
    );
    let body = WebhookBody::new("By query")
        .identifier("by-query")
        .mapping(Mapping::new(
            "service",
            EntityMapping::new(query.clone())
                .team(query.clone())
                .property("tier", "'gold'"),
        ));
    port.create_webhook(&body).await.unwrap();
    port.create_webhook(&github_prs()).await.unwrap();
    let all = port.get_webhooks().await.unwrap();
    assert_eq!(all.len(), 2);
    let read = port.get_webhook("by-query").await.unwrap();
    let entity = &read.mappings.as_ref().unwrap()[0].entity;
    assert_eq!(entity.identifier, Selector::Query(query.clone()));
    assert_eq!(entity.team, Some(Selector::Query(query)));
    let listed = hook_model::WebhookApi::list(&port, &hook_model::ListQuery::default())
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 2);
}
