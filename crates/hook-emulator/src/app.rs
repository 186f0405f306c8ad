//! The shared core every route handler and the delivery engine hold.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::http::HeaderMap;
use hook_model::{Provider, Secret};
use tokio::sync::watch;

use crate::Credentials;
use crate::clock::Clock;
use crate::faults::{Faults, RecordedRequest};
use crate::state::{State, Token};
use crate::store::Store;

/// How many requests the request log keeps (the oldest are dropped first).
pub const REQUEST_LOG_CAP: usize = 10_000;

pub(crate) struct App {
    pub credentials: Credentials,
    pub clock: Clock,
    pub token_ttl: Duration,
    pub allow_remote_delivery: bool,
    state: Mutex<State>,
    state_path: Option<PathBuf>,
    store: Mutex<Option<Store>>,
    /// Bumped on every change of the delivery log, so waiters need no polling.
    pub log_version: watch::Sender<u64>,
    /// Bumped each time a Port ingest request is processed.
    pub ingest_version: watch::Sender<u64>,
    pub http: reqwest::Client,
    pub http_insecure: reqwest::Client,
    pub faults: Mutex<Faults>,
    /// Chaos rules for deliveries, and the deliveries they hold back.
    pub chaos: Mutex<crate::chaos::Chaos>,
    /// Delivery and ingest tasks: owned here, stopped by [`App::close`].
    tasks: Mutex<tokio::task::JoinSet<()>>,
    /// Set by [`App::close`]: no task starts and nothing is saved after it.
    closed: std::sync::atomic::AtomicBool,
    pub requests: Mutex<VecDeque<RecordedRequest>>,
    /// The providers emulated outside this crate ([`crate::EmulatedProvider`]).
    pub external: Vec<crate::plugin::External>,
}

/// A lock that survives a panicked holder: the state is plain data, still consistent
/// between statements, and the emulator must keep answering.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

pub(crate) struct AppConfig {
    pub credentials: Credentials,
    pub clock: Clock,
    pub token_ttl: Duration,
    pub allow_remote_delivery: bool,
    pub delivery_timeout: Duration,
    pub state: State,
    pub state_path: Option<PathBuf>,
    pub store: Option<Store>,
    pub extra_roots: Vec<reqwest::Certificate>,
    pub fault_seed: u64,
    pub external: Vec<std::sync::Arc<dyn crate::EmulatedProvider>>,
}

impl App {
    pub fn new(config: AppConfig) -> Result<Self, String> {
        hook_http::tls::ensure_provider();
        let build = |insecure: bool| {
            let mut builder = reqwest::Client::builder()
                .user_agent(concat!("hook-emulator/", env!("CARGO_PKG_VERSION")))
                .timeout(config.delivery_timeout)
                .no_proxy()
                .redirect(reqwest::redirect::Policy::none())
                .tls_danger_accept_invalid_certs(insecure);
            for root in &config.extra_roots {
                builder = builder.add_root_certificate(root.clone());
            }
            builder
                .build()
                .map_err(|e| format!("cannot build the delivery client: {e}"))
        };
        Ok(App {
            credentials: config.credentials,
            clock: config.clock,
            token_ttl: config.token_ttl,
            allow_remote_delivery: config.allow_remote_delivery,
            state: Mutex::new(config.state),
            state_path: config.state_path,
            store: Mutex::new(config.store),
            log_version: watch::channel(0).0,
            ingest_version: watch::channel(0).0,
            http: build(false)?,
            http_insecure: build(true)?,
            faults: Mutex::new(Faults::new(config.fault_seed)),
            chaos: Mutex::new(crate::chaos::Chaos::new(config.fault_seed)),
            tasks: Mutex::new(tokio::task::JoinSet::new()),
            closed: std::sync::atomic::AtomicBool::new(false),
            requests: Mutex::new(VecDeque::new()),
            external: config
                .external
                .into_iter()
                .map(crate::plugin::External)
                .collect(),
        })
    }

    /// Every emulated provider: this crate's, then those added to the builder.
    pub fn plugins(&self) -> impl Iterator<Item = &dyn crate::plugin::Plugin> {
        crate::plugin::PLUGINS.iter().copied().chain(
            self.external
                .iter()
                .map(|p| p as &dyn crate::plugin::Plugin),
        )
    }

    /// The plugin of `provider`, if this emulator emulates it.
    pub fn plugin(&self, provider: Provider) -> Option<&dyn crate::plugin::Plugin> {
        self.plugins().find(|p| p.provider() == provider)
    }

    /// Reads the state.
    pub fn read<R>(&self, f: impl FnOnce(&State) -> R) -> R {
        f(&lock(&self.state))
    }

    /// Changes the state; with a state store, saves the records the change touched as one
    /// transaction and returns once it is committed (never after [`App::close`], which
    /// closes the store, so a stopped emulator cannot write over a restarted one's). The
    /// lock is released before waiting: the commit runs on the store's own thread.
    pub async fn write<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let (result, pending) = {
            let mut state = lock(&self.state);
            let result = f(&mut state);
            let store = lock(&self.store);
            let pending = match store.as_ref() {
                Some(store) => match state.take_changes() {
                    Ok(batch) if batch.is_empty() => None,
                    Ok(batch) => Some(store.commit(batch)),
                    Err(message) => {
                        tracing::error!(%message, "state not saved");
                        None
                    }
                },
                None => {
                    state.forget_changes();
                    None
                }
            };
            (result, pending)
        };
        if let Some(answer) = pending {
            match answer.await {
                Ok(Ok(())) => {}
                Ok(Err(message)) => tracing::error!(%message, "state not saved"),
                Err(_) => tracing::error!("state not saved: the store's writer stopped"),
            }
        }
        result
    }

    /// Whether [`App::close`] has run.
    pub fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Runs `task` as one of the emulator's own (stopped by [`App::close`]); after close,
    /// drops it unstarted. Finished tasks are reaped here, so the set stays small.
    pub fn spawn(&self, task: impl std::future::Future<Output = ()> + Send + 'static) {
        if self.is_closed() {
            return;
        }
        let mut tasks = lock(&self.tasks);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }

    /// Stops every task and every later save; answers how many tasks were stopped.
    pub async fn close(&self) -> usize {
        self.closed.store(true, std::sync::atomic::Ordering::SeqCst);
        let mut tasks = std::mem::take(&mut *lock(&self.tasks));
        let running = tasks.len();
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
        // Commit what is queued and release the database's lock for the next emulator.
        let store = lock(&self.store).take();
        if let Some(store) = store {
            let _ = tokio::task::spawn_blocking(move || store.close()).await;
        }
        running
    }

    /// Tells ingest waiters a request was processed.
    pub fn bump_ingests(&self) {
        self.ingest_version.send_modify(|v| *v += 1);
    }

    /// Changes the delivery log, saves, and wakes waiters.
    pub async fn write_log<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let result = self.write(f).await;
        self.log_version.send_modify(|v| *v += 1);
        result
    }

    /// Issues a token for `provider`.
    pub async fn issue_token(&self, provider: Provider) -> (Secret, u64) {
        let token = format!(
            "emu_{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let ttl = self.token_ttl.as_secs().max(1);
        let expires_at = now_unix().saturating_add(i64::try_from(ttl).unwrap_or(i64::MAX));
        self.write(|state| {
            state.tokens.insert(
                token.clone(),
                Token {
                    provider,
                    expires_at,
                },
            );
        })
        .await;
        (Secret::new(token), ttl)
    }

    /// Whether `headers` carry a live bearer token for `provider` (or its static key).
    pub fn authorized(&self, provider: Provider, headers: &HeaderMap) -> bool {
        let Some(token) = bearer(headers) else {
            return false;
        };
        let fixed = self
            .plugin(provider)
            .and_then(|p| p.fixed_key(&self.credentials));
        if fixed.is_some_and(|key| key.expose() == token) {
            return true;
        }
        self.read(|state| {
            state
                .tokens
                .get(token)
                .is_some_and(|t| t.provider == provider && t.expires_at > now_unix())
        })
    }

    /// Expires every issued token, so clients must fetch new ones.
    pub async fn expire_tokens(&self) -> usize {
        self.write(|state| {
            let count = state.tokens.len();
            state.tokens.for_each_mut(|_, token| token.expires_at = 0);
            count
        })
        .await
    }
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

pub(crate) fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// A new id: `prefix` and 24 hex digits.
pub(crate) fn new_id(prefix: &str) -> String {
    let hex = uuid::Uuid::new_v4().simple().to_string();
    format!("{prefix}{}", &hex[..24])
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials and state hold secrets: name the emulator's settings only.
        f.debug_struct("App")
            .field("state_path", &self.state_path)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
