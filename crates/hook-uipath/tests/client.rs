//! The UiPath client against the emulator over real loopback HTTP.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::time::Duration;

use futures_util::TryStreamExt as _;
use hook_emulator::{Emulator, EmulatorHandle};
use hook_model::{Error, ListQuery, WebhookApi, WebhookId, WebhookPatch, WebhookSpec, list_all};
use hook_uipath::{
    EventSubscription, UiPathAuth, UiPathClient, UiPathConfig, WebhookDto, WebhookFilter,
};

fn client(emulator: &EmulatorHandle) -> UiPathClient {
    let config = UiPathConfig::from_vars(|name| emulator.var(name)).unwrap();
    UiPathClient::new(config).unwrap()
}

/// A receiver verifying UiPath's signature with `secret`.
async fn receiver(secret: &str) -> hook_emulator::Receiver {
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::uipath(), secret).unwrap();
    hook_emulator::Receiver::start(verifier).await.unwrap()
}

/// An emulator, and a UiPath client of it.
async fn start() -> (EmulatorHandle, UiPathClient) {
    let emulator = Emulator::builder().start().await.unwrap();
    let client = client(&emulator);
    (emulator, client)
}

fn dto(name: &str, url: &str, events: &[&str]) -> WebhookDto {
    WebhookDto {
        name: Some(name.into()),
        url: Some(url.into()),
        enabled: Some(true),
        subscribe_to_all_events: Some(false),
        allow_insecure_ssl: Some(false),
        events: Some(
            events
                .iter()
                .map(|e| EventSubscription::from(hook_model::EventType::new(*e)))
                .collect(),
        ),
        ..WebhookDto::default()
    }
}

#[tokio::test]
async fn the_sdk_methods_and_their_wire_shape() {
    let (emulator, orchestrator) = start().await;
    let created = orchestrator
        .webhooks()
        .create(&dto(
            "JobNotifier",
            "https://my-service.com/webhook",
            &["Job.Completed"],
        ))
        .await
        .unwrap();
    let id = created.id.unwrap();
    let log = emulator.admin().requests().await.unwrap();
    assert_eq!(log[0].path, "/uipath/emulator-org/identity_/connect/token");
    let form = log[0].body.as_ref().unwrap().as_str().unwrap();
    assert!(
        form.contains("grant_type=client_credentials")
            && form.contains("scope=OR.Webhooks")
            && form.contains("client_secret=<redacted>")
    );
    assert_eq!(
        log[1].path,
        "/uipath/emulator-org/DefaultTenant/orchestrator_/odata/Webhooks"
    );
    assert_eq!(
        log[1].body.as_ref().unwrap()["Events"],
        serde_json::json!([{"EventType": "Job.Completed"}])
    );

    let filtered = orchestrator
        .webhooks()
        .get(
            &WebhookFilter::new()
                .enabled(true)
                .event_type("Job.Completed")
                .count(true),
        )
        .await
        .unwrap();
    assert_eq!((filtered.value.len(), filtered.count), (1, Some(1)));
    let query = emulator
        .admin()
        .requests()
        .await
        .unwrap()
        .pop()
        .unwrap()
        .query
        .unwrap();
    assert!(
        query.contains("%24filter=Enabled+eq+true+and+Events%2Fany"),
        "{query}"
    );

    let patched = orchestrator
        .webhooks()
        .update(
            id,
            &WebhookDto {
                enabled: Some(false),
                ..WebhookDto::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.enabled, patched.name.as_deref()),
        (Some(false), Some("JobNotifier"))
    );
    let replaced = orchestrator
        .webhooks()
        .replace(
            id,
            &WebhookDto {
                secret: Some("This is a new secret.".into()),
                allow_insecure_ssl: Some(true),
                ..dto(
                    "JobNotifier",
                    "https://orchestrator.uipath.com/reference",
                    &["process.created"],
                )
            },
        )
        .await
        .unwrap();
    assert_eq!(replaced.allow_insecure_ssl, Some(true));
    assert_eq!(
        orchestrator
            .webhooks()
            .get_by_id(id)
            .await
            .unwrap()
            .url
            .as_deref(),
        Some("https://orchestrator.uipath.com/reference")
    );
    let types = orchestrator.webhooks().event_types().await.unwrap();
    assert_eq!(types.len(), hook_uipath::EVENTS.len());
    orchestrator.webhooks().delete(id).await.unwrap();
    match orchestrator.webhooks().get_by_id(id).await {
        Err(Error::NotFound { reply: e, .. }) => assert_eq!(e.code.as_deref(), Some("1002")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn errors_keep_orchestrators_codes_and_bad_input_stays_local() {
    let (emulator, orchestrator) = start().await;
    orchestrator
        .webhooks()
        .create(&dto("Same", "https://x.example", &[]))
        .await
        .unwrap();
    match orchestrator
        .webhooks()
        .create(&dto("Same", "https://y.example", &[]))
        .await
    {
        Err(Error::Conflict { reply: e, context }) => {
            assert_eq!(e.code.as_deref(), Some("1001"));
            // Orchestrator's traceId is the error's request id, printed with it.
            let trace = context.request_id.clone().expect("a trace id");
            let error = Error::Conflict { reply: e, context };
            assert!(error.to_string().contains(&trace), "{error}");
        }
        other => panic!("{other:?}"),
    }
    let before = emulator.admin().requests().await.unwrap().len();
    assert!(
        matches!(orchestrator.webhooks().create(&dto("Bad", "invalid-url", &[])).await, Err(Error::Invalid { field, .. }) if field == "Url")
    );
    assert!(
        matches!(orchestrator.webhooks().create(&WebhookDto { name: None, ..dto("x", "https://x.example", &[]) }).await, Err(Error::Invalid { field, .. }) if field == "Name")
    );
    let partial = WebhookDto {
        subscribe_to_all_events: None,
        ..dto("x", "https://x.example", &[])
    };
    let error = orchestrator.webhooks().create(&partial).await.unwrap_err();
    assert_eq!(error.field(), Some("SubscribeToAllEvents"), "{error}");
    let mut with_headers = dto("x", "https://x.example", &[]);
    with_headers
        .extra
        .insert("Headers".into(), serde_json::json!({"X-Source": "UiPath"}));
    let error = orchestrator
        .webhooks()
        .create(&with_headers)
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("Headers"), "{error}");
    assert!(matches!(
        orchestrator
            .webhooks()
            .get(&WebhookFilter::new().page(1001, 0))
            .await,
        Err(Error::Invalid { .. })
    ));
    assert_eq!(
        emulator.admin().requests().await.unwrap().len(),
        before,
        "nothing was sent"
    );
    // Unknown events pass the client (providers add events) and the emulator refuses them.
    match orchestrator
        .webhooks()
        .create(&dto("New", "https://x.example", &["job.teleported"]))
        .await
    {
        Err(Error::Rejected { reply, context }) => {
            assert_eq!(reply.code.as_deref(), Some("1000"), "{reply}");
            assert_eq!(context.operation, Some("create webhook"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn trigger_custom_raises_a_custom_event_delivered_to_its_subscribers() {
    let (_emulator, orchestrator) = start().await;
    let mut receiver = receiver("custom-secret").await;
    orchestrator
        .webhooks()
        .create(&WebhookDto {
            secret: Some("custom-secret".into()),
            ..dto("custom", receiver.url(), &["custom"])
        })
        .await
        .unwrap();
    let ping = receiver.next(Duration::from_secs(10)).await.unwrap();
    assert_eq!(hook_uipath::parse_event(&ping.body).unwrap().kind, "ping");
    let data = serde_json::json!({"order": {"id": 7}});
    let answered = orchestrator
        .webhooks()
        .trigger_custom(data.as_object().unwrap())
        .await
        .unwrap();
    assert_eq!(answered.kind, "custom");
    let delivery = receiver.next(Duration::from_secs(10)).await.unwrap();
    delivery.verified.unwrap();
    let event = hook_uipath::parse_event(&delivery.body).unwrap();
    assert_eq!(event.event_id, answered.event_id);
    assert_eq!(event.event_data, Some(data));
    let not_objects = serde_json::json!({"order": 7});
    let error = orchestrator
        .webhooks()
        .trigger_custom(not_objects.as_object().unwrap())
        .await
        .unwrap_err();
    assert_eq!(error.field(), Some("data[\"order\"]"));
}

#[tokio::test]
async fn a_personal_access_token_and_the_on_premises_path_work() {
    let emulator = Emulator::builder().start().await.unwrap();
    let pat = emulator.credentials().uipath.personal_access_token.clone();
    let orchestrator = UiPathClient::on_premises(
        &emulator.uipath_base(),
        UiPathAuth::PersonalAccessToken(pat),
    )
    .unwrap();
    assert!(
        orchestrator
            .webhooks()
            .get(&WebhookFilter::new())
            .await
            .unwrap()
            .value
            .is_empty()
    );
    assert_eq!(orchestrator.http().token_fetches(), 0);
}

#[tokio::test]
async fn ping_delivers_a_verified_body() {
    let (_emulator, orchestrator) = start().await;
    let mut receiver = receiver("ping-secret").await;
    let created = orchestrator
        .webhooks()
        .create(&WebhookDto {
            secret: Some("ping-secret".into()),
            ..dto("pinged", receiver.url(), &[])
        })
        .await
        .unwrap();
    // Orchestrator pings a new webhook at once; then Ping pings it again.
    let automatic = receiver.next(Duration::from_secs(10)).await.unwrap();
    automatic.verified.unwrap();
    assert_eq!(
        hook_uipath::parse_event(&automatic.body).unwrap().kind,
        "ping"
    );
    let ping = orchestrator
        .webhooks()
        .ping(created.id.unwrap())
        .await
        .unwrap();
    let delivery = receiver.next(Duration::from_secs(10)).await.unwrap();
    delivery.verified.unwrap();
    let body: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(body["EventId"].as_str(), Some(ping.event_id.as_str()));
}

#[tokio::test]
async fn the_common_trait_filters_server_side_and_pages_with_odata() {
    let (_emulator, client) = start().await;
    let api: Box<dyn WebhookApi> = Box::new(client);
    for i in 0..5 {
        let spec = WebhookSpec::builder(format!("https://x.example/{i}"))
            .name(format!("hook {i}"))
            .events([if i % 2 == 0 {
                "Job.Completed"
            } else {
                "queue.created"
            }])
            .enabled(i != 4)
            .build();
        api.create(&spec).await.unwrap();
    }
    let jobs = api
        .list(&ListQuery::new().event_type("job.completed").enabled(true))
        .await
        .unwrap();
    assert_eq!((jobs.items.len(), jobs.total), (2, Some(2)));
    let all: Vec<_> = list_all(api.as_ref(), ListQuery::new().per_page(2))
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        all.iter()
            .map(|w| w.name.clone().unwrap())
            .collect::<Vec<_>>(),
        ["hook 0", "hook 1", "hook 2", "hook 3", "hook 4"]
    );
    let first = &all[0].id;
    let renamed = api
        .update(first, &WebhookPatch::new().name("renamed"))
        .await
        .unwrap();
    assert_eq!(renamed.name.as_deref(), Some("renamed"));
    assert_eq!(
        api.event_types().await.unwrap().len(),
        hook_uipath::EVENTS.len()
    );
    assert!(api.test(first).await.unwrap().event_id.is_some());
    let error = api.get(&WebhookId::new("not-a-number")).await.unwrap_err();
    assert!(matches!(error, Error::Invalid { ref field, .. } if field == "id"));
    assert!(error.to_string().contains("integers"), "{error}");
    api.delete(first).await.unwrap();
    assert_eq!(api.provider(), hook_uipath::PROVIDER);
}

#[tokio::test]
async fn uipath_options_reach_orchestrators_record_through_the_common_trait() {
    let (_emulator, orchestrator) = start().await;
    let api: &dyn WebhookApi = &orchestrator;
    let spec = WebhookSpec::builder("https://x.example/all")
        .name("everything")
        .option(
            hook_uipath::UiPathOptions::new()
                .all_events(true)
                .allow_insecure_ssl(true),
        )
        .build();
    let created = api.create(&spec).await.unwrap();
    assert!(created.all_events, "{created:?}");
    let record = orchestrator
        .webhooks()
        .get_by_id(created.id.as_str().parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        (record.subscribe_to_all_events, record.allow_insecure_ssl),
        (Some(true), Some(true))
    );
}
