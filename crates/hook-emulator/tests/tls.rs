//! HTTPS deliveries: the receiver's certificate is verified unless the webhook allows
//! insecure TLS (UiPath `AllowInsecureSsl`), tested with a self-signed receiver on loopback.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod support;

use std::time::Duration;

use hook_emulator::{Emulator, Receiver};
use hook_model::{DeliveryStatus, Provider};
use serde_json::json;
use support::Api;

/// An HTTPS receiver with a self-signed certificate; returns it, its URL and its PEM.
async fn https_receiver(provider: Provider) -> (Receiver, String, String) {
    let verifier = hook_sign::Verifier::new(hook_emulator::scheme(provider).unwrap(), "s").unwrap();
    let (receiver, certificate) = Receiver::start_tls(verifier).await.unwrap();
    let url = receiver.url().to_owned();
    (receiver, url, certificate.pem)
}

async fn uipath_hook(
    emulator: &hook_emulator::EmulatorHandle,
    url: &str,
    name: &str,
    insecure: bool,
) -> i64 {
    let api = Api::new(emulator, hook_uipath::PROVIDER).await;
    let (status, created) = api
        .post(
            "",
            json!({
                "Name": name, "Url": url, "Enabled": true, "AllowInsecureSsl": insecure, "Secret": "s",
                "SubscribeToAllEvents": false,
                "Events": [{"EventType": "robot.created"}]
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    created["Id"].as_i64().unwrap()
}

#[tokio::test]
async fn a_self_signed_receiver_is_refused_unless_the_webhook_allows_insecure_tls() {
    let emulator = Emulator::builder().start().await.unwrap();
    let (mut received, url, _pem) = https_receiver(hook_uipath::PROVIDER).await;
    let strict = uipath_hook(&emulator, &url, "strict", false).await;
    let lenient = uipath_hook(&emulator, &url, "lenient", true).await;
    emulator
        .admin()
        .fire(hook_uipath::PROVIDER, "robot.created", json!({}))
        .await
        .unwrap();
    let wait = Duration::from_secs(20);
    let log = emulator
        .admin()
        .settled(&[("event_type", "robot.created")], wait)
        .await
        .unwrap();
    let of = |webhook: i64| {
        log.iter()
            .find(|d| d.webhook_id == webhook.to_string())
            .unwrap()
            .clone()
    };
    let strict_log = of(strict);
    assert_eq!(strict_log.status, DeliveryStatus::Failed);
    let error = strict_log.error.as_deref().unwrap().to_lowercase();
    assert!(
        error.contains("certificate") || error.contains("unknownissuer"),
        "{error}"
    );
    let lenient_log = of(lenient);
    assert_eq!(
        (lenient_log.status, lenient_log.status_code),
        (DeliveryStatus::Success, Some(200))
    );
    // The lenient webhook's automatic ping, then its event; nothing from the strict one.
    for kind in ["ping", "robot.created"] {
        let delivery = received.next(wait).await.unwrap();
        delivery.verified.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
        assert_eq!(body["Type"], kind);
    }
    assert!(
        received.try_next().is_none(),
        "only the lenient webhook got through"
    );
}

#[tokio::test]
async fn a_trusted_root_lets_up42_test_runs_reach_an_https_receiver() {
    let (mut received, url, pem) = https_receiver(hook_up42::PROVIDER).await;
    let emulator = Emulator::builder()
        .trust_root_pem(pem)
        .start()
        .await
        .unwrap();
    let api = Api::new(&emulator, hook_up42::PROVIDER).await;
    let (_, created) = api.post("", json!({
        "name": "tls", "url": url, "events": ["job.status", "order.status"], "active": true, "secret": "s"
    })).await;
    let id = created["data"]["id"].as_str().unwrap();
    assert_eq!(api.up42_test_run(id).await, (json!(2), json!(2)));
    let mut events = Vec::new();
    for _ in 0..2 {
        let delivery = received.next(Duration::from_secs(10)).await.unwrap();
        delivery.verified.unwrap();
        // UP42's handler samples read `{"event", "body": {…, "status"}}`.
        let body: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
        assert!(body["body"]["status"].is_string(), "{body}");
        events.push(body["event"].as_str().unwrap().to_owned());
    }
    events.sort();
    assert_eq!(events, ["job.status", "order.status"]);
}
