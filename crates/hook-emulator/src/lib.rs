//! A local, stateful emulator of the UiPath Orchestrator, Port, UP42 and generic
//! `/v1/webhooks` APIs that delivers real, signed events.
//!
//! Like stripe-mock, but it keeps state, validates like the real services, and POSTs
//! deliveries signed with each provider's [`hook_sign`] preset to loopback receivers,
//! retrying on the generic service's schedule (scaled or manual time for tests).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use hook_emulator::Emulator;
//! let emulator = Emulator::builder().time_scale(0.001).start().await?;
//! println!("generic API at {}", emulator.generic_base());
//! let fired = emulator.admin().fire(hook_generic::PROVIDER, "user.created", serde_json::json!({})).await?;
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Route trees: `/uipath/{org}/{tenant}/orchestrator_/odata/…` (and
//! `/uipath/identity_/connect/token`), `/port/v1/…` (Port's inbound webhooks and entities)
//! with the ingest URLs `/port/ingest/{webhookKey}`, `/up42/…` (token under
//! `/up42/auth/…`), `/generic/v1/…`, and the admin API under `/_admin/…` ([`AdminClient`]:
//! also the Port ingest log, [`AdminClient::ingested`], and action invocations,
//! [`AdminClient::invoke`]).
//!
//! Port's webhooks receive: a request to a webhook's ingest URL is answered at once, then
//! checked against the webhook's `security`, de-duplicated, and turned into entities by its
//! jq mappings, evaluated with the `jaq` crates behind guards (see `docs/providers.md`).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
// Route helpers return `Result<_, Response>` so a check can answer early with the
// provider-shaped error; the Err is built at most once per request, so its size is moot.
#![allow(clippy::result_large_err)]

mod admin;
mod app;
mod chaos;
mod clock;
mod common;
mod deliver;
mod faults;
mod generic;
mod ingest;
mod jq;
mod odata;
mod plugin;
mod port;
mod receiver;
mod schema;
mod state;
mod store;
mod tracked;
mod uipath;
mod up42;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub use admin::{
    AdminClient, AdminError, DeliveryLog, FireRequest, Fired, IngestLog, InvokeRequest, MAX_WAIT,
    PAGE_HEAD, page_response,
};
pub use app::REQUEST_LOG_CAP;
pub use chaos::{ChaosRule, MAX_CHAOS_DELAY};
pub use clock::{Clock, MAX_SCALE, MIN_SCALE};
pub use deliver::{
    Payload, RETRY_AFTER_CAP, Target, delivery_headers, delivery_headers_at, scheme,
};
pub use faults::{FaultKind, FaultRule, MAX_BODY, RecordedRequest, RouteMatch};
use hook_model::{Provider, Secret};
pub use ingest::{
    EVALUATION_BUDGET, INGEST_LOG_CAP, IngestOutcome, IngestRecord, MAX_ENTITIES, SEEN_CAP,
};
pub use jq::{MAX_EXPRESSION, MAX_OUTPUT_BYTES, MAX_OUTPUTS};
pub use odata::MAX_FILTER_LEN;
pub use plugin::{EmulatedProvider, ProviderContext};
pub use receiver::{Certificate, Received, Receiver};
pub use state::{Attempt, DeliveryRecord, State};

/// Checks that `json` decodes as `T` and encodes back to the same JSON value: nothing
/// lost, nothing added. For tests of tolerant-reader, exact-writer records against a
/// provider's documented examples.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Record { id: u32 }
/// let record: Record = hook_emulator::round_trip(r#"{"id": 7}"#)?;
/// assert_eq!(record.id, 7);
/// assert!(hook_emulator::round_trip::<Record>(r#"{"id": 7, "extra": 1}"#).is_err());
/// # Ok::<(), String>(())
/// ```
///
/// # Errors
///
/// A message naming what changed when `json` does not decode as `T` or does not encode back to
/// the same JSON.
pub fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(
    json: &str,
) -> Result<T, String> {
    let record: T = hook_model::decode("record", json.as_bytes()).map_err(|e| e.report())?;
    let original: serde_json::Value =
        serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let written = serde_json::to_value(&record).map_err(|e| format!("cannot encode: {e}"))?;
    if written == original {
        Ok(record)
    } else {
        Err(format!("wrote {written} for {original}"))
    }
}

/// `headers` as `(name, value)` pairs in arrival order: names lowercase, values read as
/// UTF-8 (a byte that is not becomes U+FFFD), as the request log and the ingest records
/// keep them.
pub fn header_pairs(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    let pair = |(name, value): (&axum::http::HeaderName, &axum::http::HeaderValue)| {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        (name.as_str().to_owned(), value)
    };
    headers.iter().map(pair).collect()
}

/// UiPath credentials the emulator accepts.
#[derive(Debug, Clone)]
pub struct UiPathCredentials {
    /// The organization in the path.
    pub organization: String,
    /// The tenant in the path.
    pub tenant: String,
    /// The client-credentials client id.
    pub client_id: String,
    /// The client-credentials secret.
    pub client_secret: Secret,
    /// A personal access token accepted as-is.
    pub personal_access_token: Secret,
}

/// Port credentials the emulator accepts.
#[derive(Debug, Clone)]
pub struct PortCredentials {
    /// `clientId`.
    pub client_id: String,
    /// `clientSecret`.
    pub client_secret: Secret,
}

/// UP42 credentials the emulator accepts.
#[derive(Debug, Clone)]
pub struct Up42Credentials {
    /// The password grant's user name.
    pub username: String,
    /// The password (also the client-credentials secret).
    pub password: Secret,
    /// The client id (`up42-sdk`).
    pub client_id: String,
    /// The one workspace.
    pub workspace_id: String,
}

/// Generic service credentials the emulator accepts.
#[derive(Debug, Clone)]
pub struct GenericCredentials {
    /// The API key, sent as a bearer token.
    pub api_key: Secret,
}

/// Every provider's credentials. The defaults are fixed, well-known test values: this is
/// an emulator on loopback, not a vault.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// UiPath.
    pub uipath: UiPathCredentials,
    /// Port.
    pub port: PortCredentials,
    /// UP42.
    pub up42: Up42Credentials,
    /// Generic.
    pub generic: GenericCredentials,
}

/// Port's client secret in the default credentials: Port signs action invocations with the
/// organization's client secret, so receivers of the emulator's invocations verify with it.
pub const PORT_CLIENT_SECRET: &str = "emulator-port-secret";

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            uipath: UiPathCredentials {
                organization: "emulator-org".into(),
                tenant: "DefaultTenant".into(),
                client_id: "emulator-uipath-client".into(),
                client_secret: Secret::new("emulator-uipath-secret"),
                personal_access_token: Secret::new("emulator-uipath-pat"),
            },
            port: PortCredentials {
                client_id: "emulator-port-client".into(),
                client_secret: Secret::new(PORT_CLIENT_SECRET),
            },
            up42: Up42Credentials {
                username: "emulator@up42.test".into(),
                password: Secret::new("emulator-up42-password"),
                client_id: "up42-sdk".into(),
                workspace_id: "00000000-0000-4000-8000-000000000042".into(),
            },
            generic: GenericCredentials {
                api_key: Secret::new("emulator-generic-key"),
            },
        }
    }
}

/// The emulator; start one with [`Emulator::builder`].
#[derive(Debug)]
pub struct Emulator;

/// Configures and starts an emulator.
#[derive(Debug)]
pub struct EmulatorBuilder {
    port: u16,
    clock: Option<Clock>,
    time_scale: f64,
    state_file: Option<PathBuf>,
    allow_remote_delivery: bool,
    token_ttl: Duration,
    delivery_timeout: Duration,
    credentials: Credentials,
    roots: Vec<Vec<u8>>,
    fault_seed: Option<u64>,
    external: Vec<Arc<dyn EmulatedProvider>>,
}

/// The emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// A setting is wrong.
    #[error("invalid emulator setting: {0}")]
    Config(String),
    /// The port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

impl Emulator {
    /// A builder with defaults: a free loopback port, real time, in-memory state,
    /// loopback deliveries only, one-hour tokens, 10 s delivery timeout.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder {
            port: 0,
            clock: None,
            time_scale: 1.0,
            state_file: None,
            allow_remote_delivery: false,
            token_ttl: Duration::from_secs(3600),
            delivery_timeout: Duration::from_secs(10),
            credentials: Credentials::default(),
            roots: Vec::new(),
            fault_seed: None,
            external: Vec::new(),
        }
    }
}

impl EmulatorBuilder {
    /// Seed the generator that decides which requests meet a fault rule's rate (random
    /// unless set; [`AdminClient::fault_seed`] reads it, [`AdminClient::seed_faults`]
    /// resets it), so a run with faults replays.
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.fault_seed = Some(seed);
        self
    }

    /// Emulates one more provider, from outside this crate (a test provider, a provider
    /// crate of one's own): its routes answer under `/{provider}`, its deliveries go
    /// through the delivery engine, its variables join [`EmulatorHandle::env`]. Its records
    /// are its own, so `--state` does not keep them.
    pub fn provider(mut self, provider: impl EmulatedProvider) -> Self {
        self.external.push(Arc::new(provider));
        self
    }

    hook_model::setters! {
        /// Listen on this loopback port (0, the default, picks a free one).
        port: u16;
        /// Multiply delivery waits by `scale` (0.001 turns the 2 h retry into 7.2 s).
        time_scale: f64;
    }

    /// Use a manual clock: delivery waits pass only through [`AdminClient::advance`].
    pub fn manual_clock(mut self) -> Self {
        self.clock = Some(Clock::manual());
        self
    }

    /// Keep webhooks, tokens, deliveries and entities in `path` across restarts: an
    /// embedded redb database, each change committed as one transaction (only the records
    /// it touched) before the request that made it is answered; loaded on start.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    hook_model::setters! {
        /// Deliver to non-loopback addresses too (off by default).
        allow_remote_delivery: bool;
        /// How long issued tokens live (real time).
        token_ttl: Duration;
        /// How long one delivery attempt may take.
        delivery_timeout: Duration;
    }

    /// Trust this PEM certificate (say, a test receiver's self-signed one) for HTTPS
    /// deliveries, in addition to the system's roots.
    pub fn trust_root_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots.push(pem.into());
        self
    }

    /// Binds 127.0.0.1 and starts serving; pending deliveries of a loaded state resume.
    ///
    /// # Errors
    ///
    /// [`StartError`] when the port cannot be bound, the state file cannot be opened or read,
    /// or a setting is refused.
    pub async fn start(self) -> Result<EmulatorHandle, StartError> {
        let clock = match self.clock {
            Some(clock) => clock,
            None => Clock::scaled(self.time_scale).map_err(StartError::Config)?,
        };
        let (store, state) = match &self.state_file {
            Some(path) => {
                let (store, state) = store::Store::open(path).map_err(StartError::Config)?;
                (Some(store), state)
            }
            None => (None, State::default()),
        };
        let extra_roots = self
            .roots
            .iter()
            .map(|pem| {
                reqwest::Certificate::from_pem(pem)
                    .map_err(|e| StartError::Config(format!("bad root certificate: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let app = Arc::new(
            app::App::new(app::AppConfig {
                credentials: self.credentials.clone(),
                clock: clock.clone(),
                token_ttl: self.token_ttl,
                allow_remote_delivery: self.allow_remote_delivery,
                delivery_timeout: self.delivery_timeout,
                state,
                state_path: self.state_file.clone(),
                store,
                extra_roots,
                fault_seed: self.fault_seed.unwrap_or_else(faults::random_seed),
                external: self.external.clone(),
            })
            .map_err(StartError::Config)?,
        );
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartError::Bind { addr, source })?;
        let addr = listener
            .local_addr()
            .map_err(|source| StartError::Bind { addr, source })?;
        let router = tower::ServiceExt::map_request(router(app.clone()), collapse_slashes);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let service = axum::ServiceExt::<axum::extract::Request>::into_make_service(router);
            let result = axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
            if let Err(e) = result {
                tracing::error!(error = %e, "emulator server stopped");
            }
        });
        let resumed = deliver::resume(&app);
        Ok(EmulatorHandle {
            app,
            addr,
            credentials: self.credentials,
            clock,
            admin: AdminClient::new(format!("http://{addr}")),
            stop: Some(stop),
            server: Some(server),
            resumed,
        })
    }
}

/// Repeated slashes in a path read as one, before routing: a client that appends
/// `/odata/…` to a base ending in `/` (as generated clients do) reaches the same route.
fn collapse_slashes(mut request: axum::extract::Request) -> axum::extract::Request {
    let uri = request.uri();
    if !uri.path().contains("//") {
        return request;
    }
    let mut path = String::with_capacity(uri.path().len());
    for c in uri.path().chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    if let Some(query) = uri.query() {
        path.push('?');
        path.push_str(query);
    }
    let mut parts = uri.clone().into_parts();
    if let Ok(collapsed) = path.parse() {
        parts.path_and_query = Some(collapsed);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

fn router(app: Arc<app::App>) -> axum::Router {
    app.plugins()
        .fold(axum::Router::new(), |router, plugin| {
            router.merge(plugin.routes(&app))
        })
        .merge(admin::routes())
        .fallback(|| async {
            common::json(
                axum::http::StatusCode::NOT_FOUND,
                &serde_json::json!({"message": "no such route on the hook emulator"}),
            )
        })
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            faults::middleware,
        ))
        .with_state(app)
}

/// A running emulator: its addresses, credentials, admin client, and shutdown.
#[derive(Debug)]
pub struct EmulatorHandle {
    app: Arc<app::App>,
    addr: SocketAddr,
    credentials: Credentials,
    clock: Clock,
    admin: AdminClient,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    resumed: usize,
}

impl EmulatorHandle {
    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// UiPath's host (identity endpoints live under it): `…/uipath`.
    pub fn uipath_host(&self) -> String {
        format!("{}/uipath", self.url())
    }

    /// UiPath's Orchestrator base: `…/uipath/{org}/{tenant}/orchestrator_/`.
    pub fn uipath_base(&self) -> String {
        let c = &self.credentials.uipath;
        format!(
            "{}/{}/{}/orchestrator_/",
            self.uipath_host(),
            c.organization,
            c.tenant
        )
    }

    /// Port's API base: `…/port` (paths start with `/v1/`).
    pub fn port_base(&self) -> String {
        format!("{}/port", self.url())
    }

    /// UP42's API base: `…/up42`.
    pub fn up42_base(&self) -> String {
        format!("{}/up42", self.url())
    }

    /// UP42's token endpoint.
    pub fn up42_token_url(&self) -> String {
        format!(
            "{}/auth/realms/public/protocol/openid-connect/token",
            self.up42_base()
        )
    }

    /// The generic service's base: `…/generic` (paths start with `/v1/`).
    pub fn generic_base(&self) -> String {
        format!("{}/generic", self.url())
    }

    /// The credentials it accepts.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The `HOOK_*` variables that point `provider`'s client at this emulator, named by
    /// the provider crate (`hook_uipath::env`, …): feed them to its config's `from_vars`,
    /// to `hook_facade::ProviderConfig::from_pairs`, or to a shell.
    ///
    /// The values are the emulator's fixed test credentials, handed out on purpose.
    pub fn env(&self, provider: Provider) -> Vec<(&'static str, String)> {
        self.app
            .plugin(provider)
            .map_or_else(Vec::new, |p| p.env(self))
    }

    /// The providers this emulator emulates, in a stable order: this crate's, then those
    /// added with [`EmulatorBuilder::provider`].
    pub fn providers(&self) -> Vec<Provider> {
        self.app.plugins().map(|p| p.provider()).collect()
    }

    /// Looks `name` up in [`EmulatorHandle::env`] of every provider, the shape each
    /// provider config's `from_vars` takes: `UiPathConfig::from_vars(|n| emulator.var(n))`.
    pub fn var(&self, name: &str) -> Option<String> {
        self.app
            .plugins()
            .flat_map(|plugin| plugin.env(self))
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value)
    }

    /// The admin API client.
    pub fn admin(&self) -> &AdminClient {
        &self.admin
    }

    /// The delivery clock (advance it when manual).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// How many pending deliveries a loaded state file resumed.
    pub fn resumed_deliveries(&self) -> usize {
        self.resumed
    }

    /// Stops accepting requests, finishes those in flight, and waits for the server.
    /// Stops serving, then stops every delivery and ingest task and every later save:
    /// nothing this emulator started writes to its state file after this returns, so
    /// another emulator may take the file over. Answers how many tasks were stopped.
    pub async fn shutdown(mut self) -> usize {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.app.close().await
    }
}

/// A human-readable summary: each provider's base URL and the credentials the emulator
/// accepts (fixed test values, printed on purpose so clients can be pointed at it).
pub fn describe(emulator: &EmulatorHandle) -> String {
    let providers: String = emulator
        .app
        .plugins()
        .map(|plugin| {
            let name = plugin.descriptor().display_name;
            format!("{name:<22} {}\n", plugin.base(emulator))
        })
        .collect();
    let exports: String = emulator
        .app
        .plugins()
        .flat_map(|plugin| plugin.env(emulator))
        .map(|(name, value)| format!("  export {name}='{value}'\n"))
        .collect();
    format!(
        "hook emulator listening on {url}\n\n{providers}\
         {admin:<22} {url}/_admin/events | deliveries | requests | faults | reset\n\n\
         To point a client here, export:\n{exports}",
        url = emulator.url(),
        admin = "Admin",
    )
}

/// The providers the emulator emulates, in a stable order (each one's descriptor is its
/// crate's `DESCRIPTOR`).
pub fn providers() -> Vec<Provider> {
    plugin::PLUGINS.iter().map(|p| p.provider()).collect()
}

/// The secret the emulator's default credentials sign every delivery of `provider` with,
/// where the provider fixes one rather than each webhook (Port's client secret, for its
/// invocations); `None` for the others and for providers it does not emulate.
pub fn fixed_delivery_secret(provider: Provider) -> Option<&'static str> {
    plugin::plugin(provider).and_then(|p| p.fixed_delivery_secret())
}

/// The standalone emulator's settings: the flags of `hook emulator` and of the
/// `hook-emulator` binary, defined once here.
#[derive(Debug, Clone, clap::Args)]
pub struct Standalone {
    /// Loopback port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8042)]
    pub port: u16,
    /// Keep state in this file across restarts.
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Multiply delivery waits by this factor (0.001: the 2 h retry takes 7.2 s).
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Deliver to non-loopback addresses too.
    #[arg(long)]
    pub allow_remote_delivery: bool,
    /// Seed the fault-injection generator, to replay a run (random when unset).
    #[arg(long)]
    pub fault_seed: Option<u64>,
}

/// Runs the emulator with logs to stderr, prints [`describe`], and serves until Ctrl-C.
///
/// # Errors
///
/// [`StartError`] as [`EmulatorBuilder::start`].
pub async fn run_standalone(settings: Standalone) -> Result<(), StartError> {
    // A second initialisation (say, in a test that calls this twice) is harmless: ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .try_init();
    let mut builder = Emulator::builder()
        .port(settings.port)
        .time_scale(settings.time_scale)
        .allow_remote_delivery(settings.allow_remote_delivery);
    if let Some(state) = settings.state {
        builder = builder.state_file(state);
    }
    if let Some(seed) = settings.fault_seed {
        builder = builder.fault_seed(seed);
    }
    let emulator = builder.start().await?;
    print!("{}", describe(&emulator));
    println!("\nPress Ctrl-C to stop.");
    if tokio::signal::ctrl_c().await.is_err() {
        eprintln!("cannot listen for Ctrl-C; stopping");
    }
    emulator.shutdown().await;
    Ok(())
}
