//! The generic client against the emulator over real loopback HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use futures_util::TryStreamExt as _;
use hook_emulator::{Emulator, EmulatorHandle};
use hook_generic::{CreateWebhook, GenericClient, UpdateWebhook};
use hook_model::{Error, ListQuery, WebhookApi, WebhookId, WebhookPatch, WebhookSpec, list_all};

/// An emulator, and a client of its generic service.
async fn start() -> (EmulatorHandle, GenericClient) {
    let emulator = Emulator::builder().start().await.unwrap();
    let key = emulator.credentials().generic.api_key.clone();
    let client = GenericClient::new(&emulator.generic_base(), key).unwrap();
    (emulator, client)
}

#[tokio::test]
async fn the_native_api_sends_the_documented_wire_shape() {
    let (emulator, client) = start().await;
    let created = client
        .create_webhook(
            &CreateWebhook::new(
                "https://yourapp.com/webhook",
                ["user.created", "project.created"],
            )
            .secret("whsec_abc")
            .active(true),
        )
        .await
        .unwrap();
    let id = created.id.clone().unwrap();
    let requests = emulator.admin().requests().await.unwrap();
    let create = requests.last().unwrap();
    assert_eq!(
        (create.method.as_str(), create.path.as_str()),
        ("POST", "/generic/v1/webhooks")
    );
    assert_eq!(
        create.body.as_ref().unwrap(),
        &serde_json::json!({"url": "https://yourapp.com/webhook", "events": ["user.created", "project.created"], "secret": "<redacted>", "active": true})
    );
    assert!(
        create
            .headers
            .iter()
            .any(|(k, v)| k == "authorization" && v == "Bearer <redacted>")
    );

    let updated = client
        .update_webhook(&id, &UpdateWebhook::new().active(false))
        .await
        .unwrap();
    assert_eq!(updated.active, Some(false));
    let patch = emulator.admin().requests().await.unwrap().pop().unwrap();
    assert_eq!(
        (patch.method.as_str(), patch.body.unwrap()),
        ("PATCH", serde_json::json!({"active": false}))
    );

    assert_eq!(
        client.get_webhook(&id).await.unwrap().url,
        "https://yourapp.com/webhook"
    );
    let page = client.list_webhooks(Some(1), Some(10)).await.unwrap();
    assert_eq!((page.data.len(), page.has_more), (1, false));
    client.delete_webhook(&id).await.unwrap();
    assert!(matches!(
        client.get_webhook(&id).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn bad_input_fails_before_any_request() {
    let (emulator, client) = start().await;
    let error = client
        .create_webhook(&CreateWebhook::new("not a url", ["user.created"]))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Invalid { .. }) && error.field() == Some("url"),
        "{error}"
    );
    assert!(matches!(
        client.get_webhook("../admin").await,
        Err(Error::Invalid { .. })
    ));
    assert!(emulator.admin().requests().await.unwrap().is_empty());
    assert!(
        GenericClient::new("http://api.example.com", "k").is_err(),
        "plain HTTP off loopback"
    );
}

#[tokio::test]
async fn a_test_delivery_reaches_a_verifying_receiver_and_the_log_shows_it() {
    let (emulator, client) = start().await;
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::generic(), "whsec_rcv").unwrap();
    let mut receiver = hook_emulator::Receiver::start(verifier).await.unwrap();
    let created = client
        .create_webhook(&CreateWebhook::new(receiver.url(), ["payment.failed"]).secret("whsec_rcv"))
        .await
        .unwrap();
    let id = created.id.unwrap();
    let answer = client.test_webhook(&id).await.unwrap();
    let delivery = receiver.next(Duration::from_secs(10)).await.unwrap();
    delivery.verified.unwrap();
    emulator
        .admin()
        .settled(&[("id", &answer.delivery_id)], Duration::from_secs(10))
        .await
        .unwrap();
    let log = client.deliveries(&id).await.unwrap();
    assert_eq!(
        (log[0].id.as_str(), log[0].attempts, log[0].status_code),
        (answer.delivery_id.as_str(), 1, Some(200))
    );
}

#[tokio::test]
async fn the_common_trait_runs_the_lifecycle_and_pages_with_list_all() {
    let (_emulator, client) = start().await;
    let api: Box<dyn WebhookApi> = Box::new(client);
    let mut ids = Vec::new();
    for i in 0..5 {
        let spec = WebhookSpec::builder(format!("https://x.example/{i}"))
            .events(["User.Created"])
            .secret("s")
            .build();
        let created = api.create(&spec).await.unwrap();
        assert_eq!(created.events[0].as_str(), "user.created");
        assert!(created.has_secret);
        ids.push(created.id);
    }
    let query = ListQuery::new().per_page(2);
    let all: Vec<_> = list_all(api.as_ref(), query).try_collect().await.unwrap();
    assert_eq!(all.iter().map(|w| w.id.clone()).collect::<Vec<_>>(), ids);

    let disabled = api
        .update(&ids[0], &WebhookPatch::new().enabled(false))
        .await
        .unwrap();
    assert!(!disabled.enabled);
    let only_enabled = api.list(&ListQuery::new().enabled(true)).await.unwrap();
    assert_eq!(only_enabled.items.len(), 4);
    let renamed = api.update(&ids[1], &WebhookPatch::new().name("n")).await;
    assert!(matches!(renamed, Err(Error::Unsupported { .. })));
    assert_eq!(api.test(&ids[1]).await.unwrap().tests_run, Some(1));
    assert_eq!(api.event_types().await.unwrap().len(), 9);
    api.delete(&ids[0]).await.unwrap();
    assert!(matches!(
        api.get(&WebhookId::new(ids[0].as_str())).await,
        Err(Error::NotFound { .. })
    ));
    assert_eq!(api.provider(), hook_generic::PROVIDER);
}
