//! Shared setup for the contract tests: an emulator, a verifying receiver per provider
//! (HTTPS for UP42), and a `Box<dyn WebhookApi>` per provider from `hook-facade`.
#![allow(clippy::unwrap_used)] // test support: a failed unwrap is a failed test

use hook_emulator::{Emulator, EmulatorHandle, Receiver};
use hook_facade::{Provider, ProviderConfig, WebhookApi, WebhookId, connect};

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

    /// An id in the provider's format that names no webhook.
    pub fn missing_id(&self) -> WebhookId {
        WebhookId::new(match self.api.provider() {
            Provider::UiPath => "999999",
            Provider::Port => "no-such-webhook",
            Provider::Up42 => "00000000-0000-4000-8000-000000000000",
            Provider::Generic => "hook_000000000000000000000000",
        })
    }

    /// The first event of the provider's catalog, as its crate lists it.
    pub fn event(&self) -> &'static str {
        hook_facade::catalog(self.api.provider())[0].name
    }
}
