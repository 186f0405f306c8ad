//! UiPath Orchestrator over real HTTP: auth, CRUD, OData filters and paging, error bodies,
//! event types, and the ping delivered and verified by hook-sign.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use hook_emulator::Emulator;
use reqwest::Method;
use serde_json::{Value, json};
use support::{Api, Receiver};

#[tokio::test]
async fn a_personal_access_token_and_a_client_credentials_token_both_work() {
    let (emulator, api) = Api::start(hook_uipath::PROVIDER).await;
    let pat = emulator.credentials().uipath.personal_access_token.clone();
    for token in [pat.expose(), &api.token] {
        assert_eq!(api.with_token(token).get("").await.0, 200);
    }
}

#[tokio::test]
async fn the_whole_lifecycle_with_documented_bodies() {
    let (_emulator, api) = Api::start(hook_uipath::PROVIDER).await;

    // Plain-string events in another spelling, as some clients write them.
    let (status, created) = api
        .post(
            "",
            json!({"Name": "JobNotifier", "Url": "https://my-service.com/webhook", "Enabled": true,
            "SubscribeToAllEvents": false, "AllowInsecureSsl": false, "Secret": "my-signing-secret",
            "Events": ["Job.Completed", "Job.Faulted"]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["Id"].as_i64().unwrap();
    assert_eq!(
        created["Events"],
        json!([{"EventType": "job.completed"}, {"EventType": "job.faulted"}])
    );
    assert!(
        created["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("$metadata#Webhooks/$entity")
    );

    let one = format!("({id})");
    let (status, got) = api.get(&one).await;
    assert_eq!((status, &got["Name"]), (200, &json!("JobNotifier")));

    // The API reference's PUT example lacks Name and SubscribeToAllEvents, which the
    // OpenAPI requires: refused, naming the first missing one.
    let mut put = json!({"Url": "https://orchestrator.uipath.com/reference", "Enabled": false,
        "Secret": "This is a new secret.", "AllowInsecureSsl": true,
        "Events": [{"EventType": "process.created"}, {"EventType": "queue.created"}, {"EventType": "robot.deleted"}]});
    let (status, refused) = api.put(&one, put.clone()).await;
    assert_eq!((status, &refused["errorCode"]), (400, &json!(1000)));
    assert!(
        refused["message"].as_str().unwrap().contains("Name"),
        "{refused}"
    );
    assert!(refused["traceId"].is_string());
    put["Name"] = json!("JobNotifier");
    put["SubscribeToAllEvents"] = json!(false);
    let (status, replaced) = api.put(&one, put).await;
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["Id"], id);
    assert_eq!(replaced["Enabled"], false);
    assert_eq!(replaced["Name"], "JobNotifier");

    let enable = json!({"Enabled": true});
    let (status, patched) = api.patch(&one, enable).await;
    assert_eq!(
        (status, &patched["Enabled"], &patched["AllowInsecureSsl"]),
        (200, &json!(true), &json!(true))
    );

    assert_eq!(api.delete(&one).await, 204);
    let (status, missing) = api.get(&one).await;
    assert_eq!((status, &missing["errorCode"]), (404, &json!(1002)));
}

#[tokio::test]
async fn duplicate_names_bad_urls_and_unknown_events_get_their_error_codes() {
    let (_emulator, api) = Api::start(hook_uipath::PROVIDER).await;
    let body = json!({"Name": "Same", "Url": "https://x.example/h", "Enabled": true,
        "SubscribeToAllEvents": false, "AllowInsecureSsl": false});
    assert_eq!(api.post("", body.clone()).await.0, 201);
    let (status, conflict) = api.post("", body).await;
    assert_eq!((status, &conflict["errorCode"]), (409, &json!(1001)));

    for bad in [
        json!({"Name": "A", "Url": "invalid-url", "Enabled": true, "SubscribeToAllEvents": false, "AllowInsecureSsl": false}),
        json!({"Name": "B", "Url": "https://x.example", "Enabled": true, "SubscribeToAllEvents": false, "AllowInsecureSsl": false, "Events": ["job.exploded"]}),
        json!({"Url": "https://x.example"}),
        json!({"Name": "C", "Url": "https://x.example", "Enabled": "yes", "SubscribeToAllEvents": false, "AllowInsecureSsl": false}),
        json!({"Name": "D", "Url": "https://x.example", "Enabled": true, "SubscribeToAllEvents": false, "AllowInsecureSsl": false,
            "Headers": {"X-Source": "UiPath"}}),
        json!({"Name": "E", "Url": "https://x.example", "Enabled": true, "AllowInsecureSsl": false}),
    ] {
        let (status, error) = api.post("", bad.clone()).await;
        assert_eq!(
            (status, &error["errorCode"]),
            (400, &json!(1000)),
            "{bad} → {error}"
        );
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
}

#[tokio::test]
async fn odata_filters_paging_count_and_order() {
    let (_emulator, api) = Api::start(hook_uipath::PROVIDER).await;
    for (name, enabled, event) in [
        ("a", true, "job.completed"),
        ("b", false, "job.completed"),
        ("c", true, "queue.created"),
        ("O'Brien", true, "job.faulted"),
    ] {
        let body = json!({"Name": name, "Url": format!("https://x.example/{name}"), "Enabled": enabled,
            "SubscribeToAllEvents": false, "AllowInsecureSsl": false, "Events": [event]});
        assert_eq!(api.post("", body).await.0, 201);
    }
    let names = |answer: &Value| -> Vec<String> {
        answer["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["Name"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |query: &str| {
        let (api, path) = (api.clone(), format!("?{query}"));
        async move { api.get(&path).await }
    };

    let (status, answer) =
        list("$filter=Enabled eq true and Events/any(e: e/EventType eq 'job.completed')").await;
    assert_eq!((status, names(&answer)), (200, vec!["a".to_owned()]));
    let (_, answer) = list("$filter=Url eq 'https://x.example/O''Brien'").await;
    assert_eq!(names(&answer), ["O'Brien"]);
    let (_, answer) = list("$filter=Name eq 'b' or Name eq 'c'&$orderby=Name desc").await;
    assert_eq!(names(&answer), ["c", "b"]);
    let (_, answer) = list("$top=2&$skip=1&$count=true&$orderby=Id").await;
    assert_eq!(
        (names(&answer), &answer["@odata.count"]),
        (vec!["b".to_owned(), "c".to_owned()], &json!(4))
    );
    let (_, answer) = list("").await;
    assert!(answer.get("@odata.count").is_none());

    for bad in [
        "$filter=Secret eq 'x'",
        "$filter=Name eq 'open",
        "$top=1001",
        "$skip=-1",
        "$orderby=Secret",
    ] {
        let (status, error) = list(bad).await;
        assert_eq!(
            (status, &error["errorCode"]),
            (400, &json!(1000)),
            "{bad} → {error}"
        );
    }
}

#[tokio::test]
async fn event_types_answer_on_the_spec_path_and_with_parentheses() {
    let (_emulator, api) = Api::start(hook_uipath::PROVIDER).await;
    for action in [
        "UiPath.Server.Configuration.OData.GetEventTypes",
        "UiPath.Server.Configuration.OData.GetEventTypes()",
    ] {
        let (status, answer) = api.get(&format!("/{action}")).await;
        assert_eq!(status, 200, "{action}");
        let list = answer["value"].as_array().unwrap();
        assert_eq!(list.len(), 47);
        assert!(list.contains(&json!({"Name": "queueItem.added", "Group": "queueItem"})));
    }
}

#[tokio::test]
async fn ping_answers_and_delivers_a_signed_ping_to_the_url() {
    let emulator = Emulator::builder().start().await.unwrap();
    let mut receiver = Receiver::start(hook_uipath::PROVIDER, "ping-secret").await;
    let api = Api::new(&emulator, hook_uipath::PROVIDER).await;
    let body = json!({"Name": "pinged", "Url": receiver.url, "Enabled": true, "Secret": "ping-secret",
        "SubscribeToAllEvents": false, "AllowInsecureSsl": false});
    let (_, created) = api.post("", body).await;
    let id = created["Id"].as_i64().unwrap();
    // Orchestrator pings a webhook right after it is created.
    let automatic = receiver.next().await;
    automatic.verified.unwrap();
    let body: Value = serde_json::from_slice(&automatic.body).unwrap();
    assert_eq!(body["Type"], "ping");
    let ping = format!("({id})/UiPath.Server.Configuration.OData.Ping");
    let (status, ping) = api.call(Method::POST, &ping, None).await;
    assert_eq!((status, &ping["Type"]), (202, &json!("ping")));
    assert!(ping["EventId"].as_str().unwrap().len() <= 50);

    let delivery = receiver.next().await;
    delivery.verified.unwrap();
    let body: Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(body["EventId"], ping["EventId"]);
    hook_uipath::parse_event(&delivery.body).unwrap();
}

/// A generated client appends `/odata/…` to the base: with the base printed without its
/// trailing slash, and with it (`…/orchestrator_//odata/…`), the same route answers.
#[tokio::test]
async fn the_base_with_or_without_its_trailing_slash_reaches_odata() {
    let (emulator, api) = Api::start(hook_uipath::PROVIDER).await;
    let printed = hook_emulator::describe(&emulator);
    let base = emulator.uipath_base();
    let bare = base.trim_end_matches('/');
    assert!(
        printed.contains(&format!(" {bare}\n")),
        "printed without the slash: {printed}"
    );
    for url in [
        format!("{bare}/odata/Webhooks"),
        format!("{base}/odata/Webhooks"),
    ] {
        let answer = api
            .http
            .get(&url)
            .bearer_auth(&api.token)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{url}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert!(body["value"].is_array(), "{url}: {body}");
    }
}
