//! Shared setup for the contract tests: an emulator, a verifying receiver per provider
//! (HTTPS for UP42), and a `Box<dyn WebhookApi>` per provider from `hook-facade`.
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, IngestOutcome, Receiver};
use hook_facade::{Provider, ProviderConfig, Webhook, WebhookApi, WebhookId, WebhookSpec, connect};

/// The signing secret every contract webhook uses.
pub const SECRET: &str = "contract-secret";

/// One provider's world: its client, and a receiver that verifies its deliveries.
pub struct World {
    /// Keeps the emulator alive.
    pub emulator: EmulatorHandle,
    /// The client, through the common trait.
    pub api: Box<dyn WebhookApi>,
    /// A receiver verifying with the provider's scheme and [`SECRET`].
    pub receiver: Receiver,
}

impl std::fmt::Debug for World {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("World")
            .field("provider", &self.api.provider())
            .field("emulator", &self.emulator.url())
            .field("receiver", &self.receiver.url())
            .finish()
    }
}

impl World {
    /// An emulator, a receiver (HTTPS for UP42, whose certificate the emulator trusts) and
    /// a client for `provider`.
    pub async fn new(provider: Provider) -> World {
        let (receiver, certificate) = Receiver::for_provider(provider, SECRET).await.unwrap();
        let mut builder = Emulator::builder();
        if let Some(certificate) = certificate {
            builder = builder.trust_root_pem(certificate.pem);
        }
        let emulator = builder.start().await.unwrap();
        let api = connect(ProviderConfig::from_pairs(provider, &emulator.env(provider)).unwrap())
            .unwrap();
        World {
            emulator,
            api,
            receiver,
        }
    }

    /// An id in the provider's own format that names no webhook: one the provider
    /// handed out for a webhook since deleted (so no provider needs test data here).
    pub async fn missing_id(&self) -> WebhookId {
        let spec = self.spec("gone", "https://x.example/gone");
        let created = self.api.create(&spec).await.unwrap();
        self.api.delete(&created.id).await.unwrap();
        created.id
    }

    /// The first event of the provider's catalog, as its crate lists it.
    pub fn event(&self) -> &'static str {
        hook_facade::catalog(self.api.provider())[0].name
    }

    /// A spec named `name` with [`SECRET`], for the provider's direction: outbound ones
    /// deliver to `url` and subscribe to [`World::event`]; inbound ones carry neither (the
    /// provider assigns the URL).
    pub fn spec(&self, name: &str, url: &str) -> WebhookSpec {
        spec_for(self.api.as_ref(), name, url, self.event()).secret(SECRET)
    }

    /// Makes `created` carry one request, verified end to end: outbound, its test (or a
    /// fired event) reaches the receiver and verifies; inbound, a request signed the way a
    /// common-model secret asks (hook-port: hex HMAC-SHA256 in `x-hub-signature-256`,
    /// prefix `sha256=`) is accepted at its URL and processed, not dropped.
    pub async fn deliver(&mut self, created: &Webhook) {
        let provider = self.api.provider();
        if self.api.capabilities().is_inbound() {
            let body = br#"{"id":"contract"}"#;
            let signed = hook_sign::Signer::new(hook_sign::Scheme::github(), SECRET)
                .unwrap()
                .sign(&hook_sign::Message::new(body))
                .unwrap();
            let mut request = reqwest::Client::builder()
                .no_proxy()
                .build()
                .unwrap()
                .post(&created.url)
                .body(body.to_vec());
            for (name, value) in signed.iter() {
                request = request.header(name, value);
            }
            let status = request.send().await.unwrap().status();
            assert!(status.is_success(), "{provider}: ingest answered {status}");
            let records = self
                .emulator
                .admin()
                .ingested(created.id.as_str(), 1, Duration::from_secs(10))
                .await
                .unwrap();
            assert_eq!(
                records[0].outcome,
                IngestOutcome::Processed,
                "{provider}: {:?}",
                records[0]
            );
            return;
        }
        if self.api.capabilities().test {
            self.api.test(&created.id).await.unwrap();
        } else {
            self.emulator
                .admin()
                .fire(provider, self.event(), serde_json::json!({}))
                .await
                .unwrap();
        }
        let delivery = self.receiver.next(Duration::from_secs(10)).await.unwrap();
        delivery
            .verified
            .unwrap_or_else(|e| panic!("{provider}: {e}"));
        hook_facade::Event::parse(provider, &delivery.body).unwrap();
    }
}

/// A spec named `name` for `api`'s direction (see [`World::spec`]), without a secret.
pub fn spec_for(api: &dyn WebhookApi, name: &str, url: &str, event: &str) -> WebhookSpec {
    let capabilities = api.capabilities();
    let spec = if capabilities.is_inbound() {
        WebhookSpec::inbound()
    } else {
        WebhookSpec::builder(url).events([event])
    };
    // A name where webhooks carry one: elsewhere it would be refused, not dropped.
    if capabilities.names {
        spec.name(name)
    } else {
        spec
    }
}

/// What makes a webhook distinct from its siblings: its destination URL when outbound,
/// its name when inbound (each inbound webhook gets its own URL from the provider).
pub fn destination(api: &dyn WebhookApi, webhook: &Webhook) -> String {
    if api.capabilities().is_inbound() {
        webhook.name.clone().unwrap_or_default()
    } else {
        webhook.url.clone()
    }
}
