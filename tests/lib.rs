//! Shared setup for the contract tests: an emulator, a verifying receiver per provider
//! (HTTPS where the provider delivers to HTTPS only), and a `Box<dyn WebhookApi>` per
//! provider from the registry: hook-facade's built-in providers and the test-only Acme
//! (`hook-acme`, emulated by [`acme::AcmeService`]), each registered in one line.
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

pub mod acme;

use std::time::Duration;

use hook_emulator::{Emulator, EmulatorHandle, IngestOutcome, Receiver};
use hook_facade::{Provider, Registry, Webhook, WebhookApi, WebhookId, WebhookSpec};

/// The providers the contract suite runs on: the facade's, and Acme (one line).
pub fn registry() -> Registry {
    Registry::builtin().with(&hook_acme::DESCRIPTOR)
}

/// Every provider of [`registry`].
pub fn providers() -> Vec<Provider> {
    registry().providers().iter().map(|d| d.provider).collect()
}

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
    /// An emulator (with Acme added: one line), a receiver verifying with the provider's
    /// delivery scheme (HTTPS where its capabilities say so, the certificate trusted by the
    /// emulator) and a client for `provider`, all from its descriptor.
    pub async fn new(provider: Provider) -> World {
        let descriptor = registry().descriptor(provider).unwrap();
        let verifier = hook_sign::Verifier::new((descriptor.scheme)(), SECRET).unwrap();
        let mut builder = Emulator::builder().provider(acme::AcmeService::default());
        let receiver = if descriptor.capabilities.https_only {
            let (receiver, certificate) = Receiver::start_tls(verifier).await.unwrap();
            builder = builder.trust_root_pem(certificate.pem);
            receiver
        } else {
            Receiver::start(verifier).await.unwrap()
        };
        let emulator = builder.start().await.unwrap();
        let api = registry()
            .connect_vars(provider, |name| emulator.var(name))
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
        registry().descriptor(self.api.provider()).unwrap().catalog[0].name
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
        registry().parse(provider, &delivery.body).unwrap();
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
