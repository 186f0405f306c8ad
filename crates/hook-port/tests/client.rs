//! The Port client against the emulator over real loopback HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle};
use hook_model::{Error, ListQuery, Provider, WebhookApi, WebhookPatch, WebhookSpec};
use hook_port::{PortClient, PortConfig, PortWebhook, Security, UpdateWebhook};

fn client(emulator: &EmulatorHandle) -> PortClient {
    PortClient::new(PortConfig::from_vars(|name| emulator.var(name)).unwrap()).unwrap()
}

fn seed_webhook() -> PortWebhook {
    serde_json::from_value(serde_json::json!({
        "identifier": "entity-updated-webhook", "title": "Entity Updated Notifications",
        "description": "Webhook for entity update events", "url": "https://api.example.com/webhooks/port",
        "events": ["entity.created", "entity.updated"],
        "headers": {"Authorization": "Bearer your-api-token", "Content-Type": "application/json"},
        "security": {"secret": "your-webhook-secret"}
    }))
    .unwrap()
}

#[tokio::test]
async fn the_seed_methods_send_the_seed_wire_shape() {
    let emulator = Emulator::builder().start().await.unwrap();
    let port = client(&emulator);
    let created = port.create_webhook(&seed_webhook()).await.unwrap();
    assert_eq!(created.enabled, Some(true));
    let log = emulator.admin().requests().await.unwrap();
    assert_eq!(log[0].path, "/port/v1/auth/access_token");
    assert_eq!(log[0].body.as_ref().unwrap()["clientSecret"], "<redacted>");
    assert_eq!(
        (log[1].method.as_str(), log[1].path.as_str()),
        ("POST", "/port/v1/webhooks")
    );
    assert_eq!(
        log[1].body.as_ref().unwrap()["security"]["secret"],
        "<redacted>"
    );
    assert_eq!(
        log[1].body.as_ref().unwrap()["events"],
        serde_json::json!(["entity.created", "entity.updated"])
    );

    let mut update = UpdateWebhook::new();
    update.url = Some("https://api.example.com/webhooks/port/v2".into());
    update.events = Some(vec![
        "entity.created".into(),
        "entity.updated".into(),
        "entity.deleted".into(),
    ]);
    let updated = port
        .update_webhook("entity-updated-webhook", &update)
        .await
        .unwrap();
    assert_eq!(
        updated.title.as_deref(),
        Some("Entity Updated Notifications")
    );
    let patch = emulator.admin().requests().await.unwrap().pop().unwrap();
    assert_eq!(
        (patch.method.as_str(), patch.path.as_str()),
        ("PATCH", "/port/v1/webhooks/entity-updated-webhook")
    );
    assert_eq!(
        patch.body.unwrap().as_object().unwrap().len(),
        2,
        "only the changed fields"
    );

    let replaced = port
        .replace_webhook(
            "entity-updated-webhook",
            &PortWebhook {
                identifier: "entity-updated-webhook".into(),
                url: Some("https://x.example".into()),
                ..PortWebhook::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(replaced.title, None);
    assert_eq!(port.get_webhooks(Some(1), Some(10)).await.unwrap().len(), 1);
    assert!(port.delete_webhook("entity-updated-webhook").await.unwrap());
    assert!(
        matches!(port.get_webhook("entity-updated-webhook").await, Err(Error::NotFound { reply: e, .. }) if e.code.as_deref() == Some("not_found"))
    );
    assert_eq!(port.http().token_fetches(), 1);
}

#[tokio::test]
async fn limits_are_checked_before_sending_and_conflicts_come_back_typed() {
    let emulator = Emulator::builder().start().await.unwrap();
    let port = client(&emulator);
    let long = PortWebhook {
        identifier: "x".repeat(31),
        url: Some("https://x.example".into()),
        ..PortWebhook::default()
    };
    assert!(
        matches!(port.create_webhook(&long).await, Err(Error::Invalid { field, .. }) if field == "identifier")
    );
    let titled = PortWebhook {
        title: Some("t".repeat(31)),
        ..seed_webhook()
    };
    assert!(
        matches!(port.create_webhook(&titled).await, Err(Error::Invalid { field, .. }) if field == "title")
    );
    assert!(matches!(
        port.get_webhook("a/b").await,
        Err(Error::Invalid { .. })
    ));
    assert!(
        emulator.admin().requests().await.unwrap().is_empty(),
        "nothing was sent"
    );

    port.create_webhook(&seed_webhook()).await.unwrap();
    assert!(matches!(
        port.create_webhook(&seed_webhook()).await,
        Err(Error::Conflict { .. })
    ));
}

#[tokio::test]
async fn the_common_trait_maps_names_secrets_and_says_test_is_unsupported() {
    let emulator = Emulator::builder().start().await.unwrap();
    let api: Box<dyn WebhookApi> = Box::new(client(&emulator));
    assert!(!api.capabilities().test);
    let spec = WebhookSpec::builder("https://x.example/hook")
        .name("Deploy Events")
        .events(["Run.Completed"])
        .secret("s3cret")
        .header("X-Team", "platform")
        .build();
    let created = api.create(&spec).await.unwrap();
    assert_eq!(
        (created.id.as_str(), created.name.as_deref()),
        ("deploy-events", Some("Deploy Events"))
    );
    assert!(created.has_secret && !format!("{created:?}").contains("s3cret"));
    assert_eq!(created.events[0].as_str(), "run.completed");
    let patched = api
        .update(&created.id, &WebhookPatch::new().enabled(false))
        .await
        .unwrap();
    assert!(!patched.enabled);
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
            provider: Provider::Port,
            ..
        })
    ));
    assert_eq!(api.event_types().await.unwrap().len(), 12);
    api.delete(&created.id).await.unwrap();
}

#[tokio::test]
async fn deliveries_to_a_created_webhook_verify_with_the_port_preset() {
    let emulator = Emulator::builder().start().await.unwrap();
    let port = client(&emulator);
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::port(), "port-secret").unwrap();
    let mut receiver = hook_emulator::Receiver::start(verifier).await.unwrap();
    let webhook = PortWebhook {
        identifier: "recv".into(),
        url: Some(receiver.url().to_owned()),
        events: Some(vec!["blueprint.created".into()]),
        security: Some(Security {
            secret: Some("port-secret".into()),
            ..Security::default()
        }),
        ..PortWebhook::default()
    };
    port.create_webhook(&webhook).await.unwrap();
    emulator
        .admin()
        .fire(
            Provider::Port,
            "blueprint.created",
            serde_json::json!({"blueprint": "service"}),
        )
        .await
        .unwrap();
    receiver
        .next(Duration::from_secs(10))
        .await
        .unwrap()
        .verified
        .unwrap();
}
