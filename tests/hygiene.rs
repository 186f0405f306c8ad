//! Secret hygiene: the `Debug` and `Display` of every client, config, spec, webhook and
//! verifier, and all `tracing` output captured while every provider runs the demo's story
//! at TRACE level, contain no secret and no token.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::Write;
use std::sync::{Arc, Mutex};

use hook_contract_tests::{SECRET, World};
use hook_facade::{ProviderConfig, WebhookPatch};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every secret the emulator's credentials hold, plus the webhook secret.
fn secrets(world: &World) -> Vec<String> {
    let c = world.emulator.credentials();
    vec![
        SECRET.to_owned(),
        c.uipath.client_secret.expose().to_owned(),
        c.uipath.personal_access_token.expose().to_owned(),
        c.port.client_secret.expose().to_owned(),
        c.up42.password.expose().to_owned(),
        c.generic.api_key.expose().to_owned(),
    ]
}

fn assert_clean(what: &str, text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "{what} shows a secret:\n{text}"
        );
    }
    // Issued tokens all start with `emu_`.
    assert!(!text.contains("emu_"), "{what} shows a token:\n{text}");
}

#[tokio::test]
async fn no_secret_or_token_in_debug_display_or_traces() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    for provider in hook_facade::providers().iter().map(|d| d.provider) {
        let mut world = World::new(provider).await;
        let secrets = secrets(&world);
        let url = world.receiver.url().to_owned();
        let spec = world.spec("hygiene", url.as_str());
        assert_clean("WebhookSpec", &format!("{spec:?}"), &secrets);
        let config = ProviderConfig::from_pairs(provider, &world.emulator.env(provider)).unwrap();
        assert_clean("ProviderConfig", &format!("{config:?}"), &secrets);
        assert_clean(
            "Credentials",
            &format!("{:?}", world.emulator.credentials()),
            &secrets,
        );

        let created = world.api.create(&spec).await.unwrap();
        assert_clean("Webhook", &format!("{created:?}"), &secrets);
        let updated = world
            .api
            .update(&created.id, &WebhookPatch::new().secret(SECRET))
            .await
            .unwrap();
        assert_clean("Webhook", &format!("{updated:?}"), &secrets);
        world.deliver(&updated).await;
        // A bad request's error, too.
        let missing = world.missing_id().await;
        let error = world.api.get(&missing).await.unwrap_err();
        assert_clean("Error", &format!("{error} {error:?}"), &secrets);
        let requests = world.emulator.admin().requests().await.unwrap();
        assert_clean(
            "the request log",
            &serde_json::to_string(&requests).unwrap(),
            &secrets,
        );
        world.api.delete(&created.id).await.unwrap();

        let verifier = hook_sign::Verifier::new(
            (hook_facade::descriptor(provider).unwrap().scheme)(),
            SECRET,
        )
        .unwrap();
        let signer = hook_sign::Signer::new(
            (hook_facade::descriptor(provider).unwrap().scheme)(),
            SECRET,
        )
        .unwrap();
        assert_clean(
            "Verifier and Signer",
            &format!("{verifier:?} {signer:?}"),
            &secrets,
        );
    }

    let traces = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("hook.request"),
        "the request spans were captured"
    );
    let world = World::new(hook_facade::generic::PROVIDER).await;
    assert_clean("tracing output", &traces, &secrets(&world));
}
