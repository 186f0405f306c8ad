//! One plugin per emulated provider: everything the shared parts of the emulator (the
//! router, the delivery engine, the token check, `env` and `describe`) ask of a provider,
//! implemented once in that provider's module. Emulating a new provider is a module with
//! a [`Plugin`] and one line in [`PLUGINS`].

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hook_model::{Descriptor, EventType, Provider, RetrySchedule, Secret};

use crate::app::App;
use crate::deliver::{Payload, Target};
use crate::state::State;
use crate::{Credentials, EmulatorHandle};

/// How a provider's sender treats a failed delivery.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// The retry schedule; `None`: one attempt only.
    pub schedule: Option<RetrySchedule>,
    /// How long a failed event delivery disables its webhook, if the provider does so
    /// (see [`Plugin::disable`]).
    pub disable_for: Option<Duration>,
}

/// An emulated provider.
pub(crate) trait Plugin: Send + Sync {
    /// The provider crate's descriptor: name, scheme, catalog, capabilities.
    fn descriptor(&self) -> &'static Descriptor;

    /// The provider's name.
    fn provider(&self) -> Provider {
        self.descriptor().provider
    }

    /// Its routes, each under `/{provider}/`.
    fn routes(&self) -> Router<Arc<App>>;

    /// The `HOOK_*` variables that point its client at `emulator`.
    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)>;

    /// Its lines in `describe`: base URL and credentials.
    fn describe(&self, emulator: &EmulatorHandle) -> String;

    /// A fixed bearer key it accepts besides issued tokens (an API key, a personal
    /// access token).
    fn fixed_key<'a>(&self, _credentials: &'a Credentials) -> Option<&'a Secret> {
        None
    }

    /// The secret every delivery is signed with, where the provider fixes it rather than
    /// each webhook (Port: the organization's client secret).
    fn fixed_delivery_secret(&self) -> Option<&'static str> {
        None
    }

    /// Where and how webhook `id` receives deliveries now, or `None` when it is gone.
    fn target(&self, state: &State, credentials: &Credentials, id: &str) -> Option<Target>;

    /// The ids of its webhooks that receive `event` at emulated time `now`.
    fn subscribers(&self, state: &State, event: &EventType, now: Duration) -> Vec<String>;

    /// The body it sends for `event` with `data`.
    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload;

    /// How it treats a failed delivery: the documented retry schedule of the generic
    /// service unless the provider documents its own.
    fn policy(&self) -> Policy {
        Policy {
            schedule: Some(hook_generic::retry_schedule()),
            disable_for: None,
        }
    }

    /// Disables webhook `id` until emulated time `until` after a failed event delivery
    /// (only called when [`Policy::disable_for`] is set).
    fn disable(&self, _state: &mut State, _id: &str, _until: Duration) {}
}

/// Every emulated provider: one line each.
pub(crate) static PLUGINS: [&dyn Plugin; 4] = [
    &crate::uipath::UiPath,
    &crate::port::Port,
    &crate::up42::Up42,
    &crate::generic::Generic,
];

/// The plugin of `provider`, if the emulator emulates it.
pub(crate) fn plugin(provider: Provider) -> Option<&'static dyn Plugin> {
    PLUGINS.iter().copied().find(|p| p.provider() == provider)
}
