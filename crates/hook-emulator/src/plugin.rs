//! One plugin per emulated provider: everything the shared parts of the emulator (the
//! router, the delivery engine, the token check, `env` and `describe`) ask of a provider,
//! implemented once in that provider's module. Emulating a new provider is a module with
//! a [`Plugin`] and one line in [`PLUGINS`].

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::Router;
use hook_model::{Descriptor, EventType, Provider, RetrySchedule, Secret};

use crate::app::App;
use crate::common::Object;
use crate::deliver::{Payload, Target};
use crate::state::State;
use crate::tracked::Tracked;
use crate::{Credentials, EmulatorHandle};

/// How a provider's sender treats a failed delivery.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// The retry schedule; `None`: one attempt only.
    pub schedule: Option<RetrySchedule>,
    /// How long a failed event delivery disables its webhook, if the provider does so
    /// (see [`Plugin::disable`]).
    pub disable_for: Option<Duration>,
    /// Whether an answer `410 Gone` disables the webhook for good (see [`Plugin::gone`]).
    pub gone_disables: bool,
}

impl Policy {
    /// The policy a descriptor publishes; where it publishes no retries, the generic
    /// service's documented schedule.
    pub(crate) fn of(descriptor: &Descriptor) -> Policy {
        let delivery = &descriptor.delivery;
        let schedule = match delivery.schedule() {
            Some(Ok(schedule)) => Some(schedule).filter(|s| s.max_attempts() > 1),
            Some(Err(_)) | None => Some(hook_generic::retry_schedule()),
        };
        Policy {
            schedule,
            disable_for: delivery.disable_for,
            gone_disables: delivery.gone_disables,
        }
    }
}

/// The two methods every built-in plugin writes the same way: its provider crate's
/// `descriptor`, and its module's `routes()`.
macro_rules! builtin {
    ($descriptor:path) => {
        fn descriptor(&self) -> &'static hook_model::Descriptor {
            &$descriptor
        }

        fn routes(
            &self,
            _: &std::sync::Arc<crate::app::App>,
        ) -> axum::Router<std::sync::Arc<crate::app::App>> {
            routes()
        }
    };
}
pub(crate) use builtin;

/// A plugin's webhooks kept as JSON records, and the flag that turns one on: its name and
/// what an absent flag means.
pub(crate) struct Records<'a> {
    pub webhooks: &'a Tracked<String, Object>,
    pub on: (&'static str, bool),
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
    fn routes(&self, app: &Arc<App>) -> Router<Arc<App>>;

    /// The `HOOK_*` variables that point its client at `emulator`.
    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)>;

    /// Its base URL, as `describe` prints it: `…/{provider}` unless its API lives deeper.
    fn base(&self, emulator: &EmulatorHandle) -> String {
        format!("{}/{}", emulator.url(), self.provider())
    }

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

    /// Its webhooks, where it keeps them as JSON records with `url`, `secret` and `events`
    /// properties and an on/off flag (UP42, the generic service): the defaults of
    /// [`Plugin::target`], [`Plugin::listed`] and [`Plugin::subscribers`] read them.
    fn records<'a>(&self, _state: &'a State) -> Option<Records<'a>> {
        None
    }

    /// Where and how webhook `id` receives deliveries now, or `None` when it is gone.
    fn target(&self, state: &State, _credentials: &Credentials, id: &str) -> Option<Target> {
        crate::schema::target(self.records(state)?.webhooks.get(id)?, "url", "secret")
    }

    /// Its webhooks, as `(id, URL)` pairs, for the emulator's page.
    fn listed(&self, state: &State) -> Vec<(String, String)> {
        let records = self.records(state);
        records.map_or_else(Vec::new, |r| {
            crate::schema::listed(r.webhooks.iter(), "url")
        })
    }

    /// The ids of its webhooks that receive `event` at emulated time `now`.
    fn subscribers(&self, state: &State, event: &EventType, _now: Duration) -> Vec<String> {
        let Some(records) = self.records(state) else {
            return Vec::new();
        };
        crate::schema::subscribers(records.webhooks.iter(), records.on, "events", event)
    }

    /// The body it sends for `event` with `data`.
    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload;

    /// How it treats a failed delivery: what its descriptor publishes ([`Policy::of`]).
    fn policy(&self) -> Policy {
        Policy::of(self.descriptor())
    }

    /// Disables webhook `id` until emulated time `until` after a failed event delivery
    /// (only called when [`Policy::disable_for`] is set).
    fn disable(&self, _state: &mut State, _id: &str, _until: Duration) {}

    /// Disables webhook `id` for good after its receiver answered `410 Gone` (only called
    /// when [`Policy::gone_disables`] is set).
    fn gone(&self, _state: &mut State, _id: &str) {}
}

/// A provider emulated outside this crate: a test provider, or a provider crate of one's
/// own, added with [`crate::EmulatorBuilder::provider`]. It keeps its own records, serves
/// its own routes (mounted under `/{provider}`), and hands the emulator's delivery engine
/// what to send where: each delivery is then signed with its descriptor's scheme, retried
/// on the generic schedule and logged like any other.
pub trait EmulatedProvider: Send + Sync + std::fmt::Debug + 'static {
    /// The provider crate's descriptor.
    fn descriptor(&self) -> &'static Descriptor;

    /// Its routes, relative to `/{provider}` (a route `/hooks` answers at
    /// `/{provider}/hooks`); `context` lets them start deliveries.
    fn routes(&self, context: ProviderContext) -> axum::Router;

    /// The `HOOK_*` variables that point its client at `base` (`http://127.0.0.1:port/{provider}`).
    fn env(&self, base: &str) -> Vec<(&'static str, String)>;

    /// Where and how webhook `id` receives deliveries now, or `None` when it is gone.
    fn target(&self, id: &str) -> Option<Target>;

    /// The ids of its webhooks that receive `event`.
    fn subscribers(&self, event: &EventType) -> Vec<String>;

    /// The body it sends for `event` with `data`.
    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload;
}

/// A shared provider emulates as the provider it points to.
impl<P: EmulatedProvider + ?Sized> EmulatedProvider for Arc<P> {
    fn descriptor(&self) -> &'static Descriptor {
        (**self).descriptor()
    }

    fn routes(&self, context: ProviderContext) -> axum::Router {
        (**self).routes(context)
    }

    fn env(&self, base: &str) -> Vec<(&'static str, String)> {
        (**self).env(base)
    }

    fn target(&self, id: &str) -> Option<Target> {
        (**self).target(id)
    }

    fn subscribers(&self, event: &EventType) -> Vec<String> {
        (**self).subscribers(event)
    }

    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload {
        (**self).payload(event, data)
    }
}

/// What an [`EmulatedProvider`]'s routes may ask of the emulator.
#[derive(Clone)]
pub struct ProviderContext {
    provider: Provider,
    app: Weak<App>,
}

impl std::fmt::Debug for ProviderContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProviderContext")
            .field("provider", &self.provider)
            .finish_non_exhaustive()
    }
}

impl ProviderContext {
    /// Logs a delivery of `payload` (an `event`) to webhook `webhook_id` and starts it:
    /// its delivery id, or `None` once the emulator has stopped.
    pub async fn deliver(
        &self,
        webhook_id: &str,
        event: &EventType,
        payload: &Payload,
    ) -> Option<String> {
        let app = self.app.upgrade()?;
        Some(crate::deliver::enqueue(&app, self.provider, webhook_id, event, payload, true).await)
    }
}

/// An [`EmulatedProvider`] as a [`Plugin`].
pub(crate) struct External(pub Arc<dyn EmulatedProvider>);

impl Plugin for External {
    fn descriptor(&self) -> &'static Descriptor {
        self.0.descriptor()
    }

    fn routes(&self, app: &Arc<App>) -> Router<Arc<App>> {
        let context = ProviderContext {
            provider: self.provider(),
            app: Arc::downgrade(app),
        };
        Router::new().nest_service(&format!("/{}", self.provider()), self.0.routes(context))
    }

    fn env(&self, emulator: &EmulatorHandle) -> Vec<(&'static str, String)> {
        self.0
            .env(&format!("{}/{}", emulator.url(), self.provider()))
    }

    fn target(&self, _: &State, _: &Credentials, id: &str) -> Option<Target> {
        self.0.target(id)
    }

    fn subscribers(&self, _: &State, event: &EventType, _: Duration) -> Vec<String> {
        self.0.subscribers(event)
    }

    fn payload(&self, event: &EventType, data: serde_json::Value) -> Payload {
        self.0.payload(event, data)
    }
}

/// Every emulated provider of this crate: one line each.
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
