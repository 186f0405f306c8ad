//! The UP42 client against the emulator over real loopback HTTP, with an HTTPS receiver
//! whose self-signed certificate the emulator trusts.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, Receiver};
use hook_model::{Error, WebhookApi, WebhookPatch, WebhookSpec};
use hook_up42::{CreateWebhook, Up42Client, Up42Config, UpdateWebhook};

fn client(emulator: &EmulatorHandle) -> Up42Client {
    Up42Client::new(Up42Config::from_vars(|name| emulator.var(name)).unwrap()).unwrap()
}

/// An emulator, and a UP42 client of it.
async fn start() -> (EmulatorHandle, Up42Client) {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = client(&emulator);
    (emulator, client)
}

#[tokio::test]
async fn the_sdk_methods_from_create_to_delete() {
    let (emulator, up42) = start().await;
    let mut webhook = up42
        .create_webhook(
            &CreateWebhook::new(
                "new-webhook",
                "https://receiving-url.com",
                ["job.status", "order.status"],
            )
            .active(true)
            .secret("QWZTFnMEXhqZKNmu"),
        )
        .await
        .unwrap();
    let id = webhook.id().to_owned();
    let log = emulator.admin().requests().await.unwrap();
    let token = &log[0];
    assert_eq!(
        token.path,
        "/up42/auth/realms/public/protocol/openid-connect/token"
    );
    let form = token.body.as_ref().unwrap().as_str().unwrap();
    assert!(
        form.contains("grant_type=password")
            && form.contains("password=<redacted>")
            && form.contains("client_id=up42-sdk")
    );
    let create = &log[1];
    assert_eq!(
        create.path,
        format!("/up42/workspaces/{}/webhooks", up42.workspace())
    );
    assert_eq!(
        create.body.as_ref().unwrap()["events"],
        serde_json::json!(["job.status", "order.status"])
    );

    webhook
        .update({
            let mut changes = UpdateWebhook::new().active(false);
            changes.name = Some("new-name".into());
            changes
        })
        .await
        .unwrap();
    assert_eq!(
        (webhook.info().name.as_str(), webhook.info().active),
        ("new-name", false)
    );
    let put = emulator.admin().requests().await.unwrap().pop().unwrap();
    assert_eq!(put.method, "PUT");
    assert_eq!(
        put.body.unwrap()["url"],
        "https://receiving-url.com",
        "PUT sends the full body"
    );

    let again = up42.initialize_webhook(&id).await.unwrap();
    assert_eq!(again.info().name, "new-name");
    assert_eq!(up42.get_webhooks().await.unwrap().len(), 1);
    let events = up42.get_webhook_events().await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["job.status", "order.status"]
    );
    again.delete().await.unwrap();
    let gone = up42.initialize_webhook(&id).await.map(drop);
    assert!(matches!(gone, Err(Error::NotFound { .. })), "{gone:?}");
}

#[tokio::test]
async fn http_urls_are_refused_before_sending() {
    let (emulator, up42) = start().await;
    let http_url = CreateWebhook::new("n", "http://receiving-url.com", ["job.status"]);
    let refused = [
        up42.create_webhook(&http_url).await.map(drop),
        up42.initialize_webhook("../x").await.map(drop),
    ];
    for (refusal, field) in refused.into_iter().zip(["url", "id"]) {
        let error = refusal.unwrap_err();
        assert!(matches!(&error, Error::Invalid { .. }), "{error}");
        assert_eq!(error.field(), Some(field), "{error}");
    }
    assert!(emulator.admin().requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn test_events_reach_an_https_receiver_and_verify() {
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::up42(), "QWZTFnMEXhqZKNmu").unwrap();
    let (mut receiver, certificate) = Receiver::start_tls(verifier).await.unwrap();
    let emulator = Emulator::builder()
        .trust_root_pem(certificate.pem)
        .start()
        .await
        .unwrap();
    let up42 = client(&emulator);
    let webhook = up42
        .create_webhook(
            &CreateWebhook::new("tls", receiver.url(), ["job.status", "order.status"])
                .active(true)
                .secret("QWZTFnMEXhqZKNmu"),
        )
        .await
        .unwrap();
    let run = webhook.trigger_test_events().await.unwrap();
    assert_eq!((run.tests_run, run.tests_succeeded), (2, 2));
    let mut statuses = Vec::new();
    for _ in 0..2 {
        let delivery = receiver.next(Duration::from_secs(10)).await.unwrap();
        delivery.verified.unwrap();
        // UP42's header-list layout: the digest and the content type are listed, the
        // signature is under the up42-sig label, and no delivery id is sent (UP42 sends
        // none).
        let header = |name: &str| delivery.headers[name].to_str().unwrap().to_owned();
        let input = header("signature-input");
        assert!(
            input.starts_with(r#"up42-sig=("content-digest" "content-type");created="#),
            "{input}"
        );
        assert!(header("signature").starts_with("up42-sig="));
        assert!(header("content-digest").starts_with("sha-256=:"));
        assert!(!delivery.headers.contains_key("x-up42-delivery-id"));
        let event = hook_up42::parse_event(&delivery.body).unwrap();
        statuses.push(format!(
            "{:?}{:?}",
            event.job_status(),
            event.order_status()
        ));
    }
    statuses.sort();
    assert_eq!(
        statuses,
        ["NoneSome(Fulfilled)", "Some(Succeeded)None"],
        "one job.status and one order.status, in UP42's {{event, body}} shape"
    );
}

#[tokio::test]
async fn a_client_finds_its_workspace_from_the_current_user() {
    let emulator = Emulator::builder().start().await.unwrap();
    let mut config = Up42Config::from_vars(|name| emulator.var(name)).unwrap();
    config.workspace = String::new();
    let up42 = Up42Client::discover(config.clone()).await.unwrap();
    assert_eq!(up42.workspace(), emulator.credentials().up42.workspace_id);
    // The OpenID Connect userinfo endpoint first, as UP42's SDK since December 2024.
    let paths: Vec<String> = emulator
        .admin()
        .requests()
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert!(
        paths
            .iter()
            .any(|p| p.ends_with("/openid-connect/userinfo")),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|p| p.ends_with("/users/me")), "{paths:?}");
    // Where userinfo fails, the deprecated /users/me still finds it.
    emulator
        .admin()
        .inject(
            &hook_emulator::FaultRule::new(hook_emulator::FaultKind::Status { status: 404 }).on(
                "GET",
                "/up42/auth/realms/public/protocol/openid-connect/userinfo",
            ),
        )
        .await
        .unwrap();
    let fallback = Up42Client::discover(config).await.unwrap();
    assert_eq!(fallback.workspace(), up42.workspace());
    let me = up42.current_user().await.unwrap();
    assert_eq!(me.id, up42.workspace());
    assert_eq!(
        me.extra["email"],
        emulator.credentials().up42.username.as_str()
    );
    assert!(up42.get_webhooks().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_common_trait_lifecycle() {
    let (_emulator, client) = start().await;
    let api: Box<dyn WebhookApi> = Box::new(client);
    let spec = WebhookSpec::builder("https://x.example/hook")
        .name("orders")
        .events(["Order.Status"])
        .build();
    let created = api.create(&spec).await.unwrap();
    assert_eq!(
        (
            created.events[0].as_str(),
            created.enabled,
            created.has_secret
        ),
        ("order.status", true, false)
    );
    let patched = api
        .update(&created.id, &WebhookPatch::new().events(["job.status"]))
        .await
        .unwrap();
    assert_eq!(
        (patched.name.as_deref(), patched.events[0].as_str()),
        (Some("orders"), "job.status")
    );
    assert_eq!(api.get(&created.id).await.unwrap().events.len(), 1);
    let outcome = api.test(&created.id).await.unwrap();
    assert_eq!(
        (outcome.tests_run, outcome.tests_succeeded),
        (Some(1), Some(0)),
        "x.example is refused: not loopback"
    );
    assert_eq!(api.event_types().await.unwrap().len(), 2);
    assert_eq!(
        api.list(&hook_model::ListQuery::new())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    api.delete(&created.id).await.unwrap();
    assert!(
        api.list(&hook_model::ListQuery::new())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

/// UP42's SDK reads only `updatedAt` from a PUT answer: when the emulator answers with
/// that alone (after applying the update), the update succeeds and the record is read
/// back with a GET.
#[tokio::test]
async fn a_partial_put_answer_does_not_fail_an_applied_update() {
    use hook_emulator::{FaultKind, FaultRule};
    let (emulator, up42) = start().await;
    let mut webhook = up42
        .create_webhook(&CreateWebhook::new(
            "before",
            "https://example.com/hook",
            ["job.status"],
        ))
        .await
        .unwrap();
    let partial = serde_json::json!({"data": {"updatedAt": "2026-12-03T10:00:00Z"}, "error": null});
    emulator
        .admin()
        .inject(
            &FaultRule::new(FaultKind::Answer { body: partial })
                .on("PUT", "/up42/")
                .times(1),
        )
        .await
        .unwrap();
    let info = webhook
        .update(UpdateWebhook::new().name("after"))
        .await
        .unwrap()
        .clone();
    assert_eq!(info.name, "after");
    assert_eq!(info.id.as_deref(), Some(webhook.id()));
    let log = emulator.admin().requests().await.unwrap();
    let methods: Vec<&str> = log
        .iter()
        .rev()
        .take(2)
        .map(|r| r.method.as_str())
        .collect();
    assert_eq!(
        methods,
        ["GET", "PUT"],
        "read back after the partial answer"
    );
    // Through the common trait as well.
    emulator
        .admin()
        .inject(
            &FaultRule::new(FaultKind::Answer {
                body: serde_json::json!({"data": {"updatedAt": "2026-12-03T10:00:01Z"}}),
            })
            .on("PUT", "/up42/")
            .times(1),
        )
        .await
        .unwrap();
    let common = WebhookApi::update(
        &up42,
        &hook_model::WebhookId::new(webhook.id()),
        &WebhookPatch::default().name("again"),
    )
    .await
    .unwrap();
    assert_eq!(common.name.as_deref(), Some("again"));
}
