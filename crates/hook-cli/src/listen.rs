//! `hook listen`: receive deliveries, verify each with one or more schemes and secrets,
//! optionally forward it to your app (once, with `--idempotency`) and record the exchange.
//!
//! As a sidecar in front of an app in any language: deliveries that fail verification are
//! refused with 401 (forwarding them is `--insecure-forward-invalid`, for debugging); with
//! `--idempotency STORE` each verified delivery's key is claimed before forwarding, the
//! app's 2xx completes it, anything else releases it and goes back to the sender, a repeat
//! of a completed key is answered 200 without forwarding, a key in flight 429 with
//! `Retry-After`, and an unreachable store 503. Several `hook listen` processes sharing
//! one Redis or Postgres form a fleet.
//!
//! With `--inbox INBOX` each verified delivery is stored durably first and the sender
//! answered 200 at once; workers forward stored deliveries to the app, retrying failures
//! with backoff (the app's `Retry-After` honoured) until a 2xx, or park them as dead after
//! `--max-attempts`. A delivery that cannot be stored is answered 503, never 2xx.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use hook_receiver::inbox::{Delivery, Inbox, Intake, Kept, Policy, Stored};
use hook_receiver::{IdempotencyStore, KeyReader, Unhandled};
use hook_sign::{KeySource, Scheme, Verifier, unix_now};

use crate::Fail;
use crate::record::{self, Exchange, Forward};
use crate::send;
use crate::signing::{Secrets, Verdict, scheme_parser, verifier};

/// The largest delivery accepted by default (`--max-body`): 1 MiB, as hook-sign's layer.
pub const MAX_BODY: usize = 1024 * 1024;

/// Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1), with `host`
/// and `content-length`, which the forwarding request sets for its own target and body.
const HOP_BY_HOP: [&str; 10] = [
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
];

/// `hook listen`.
#[derive(Debug, clap::Args)]
pub struct ListenArgs {
    /// A scheme deliveries may be signed with (repeat: each is tried with every secret).
    #[arg(long = "scheme", required = true, value_parser = scheme_parser())]
    schemes: Vec<Scheme>,
    #[command(flatten)]
    secrets: Secrets,
    /// Port to listen on (0 picks a free one; the line printed first names it).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The largest delivery accepted, in bytes; a larger one is answered 413.
    #[arg(long, value_name = "BYTES", default_value_t = MAX_BODY, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 30))]
    max_body: usize,
    /// Address to listen on: loopback by default; 0.0.0.0 (or ::) to serve from a
    /// container.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Forward each verified delivery, exact body and headers (less hop-by-hop ones), to
    /// this URL, and answer the sender with the app's status and body. Deliveries that fail
    /// verification are answered 401 and not forwarded.
    #[arg(long, value_name = "URL")]
    forward_to: Option<String>,
    /// DEBUGGING ONLY: forward deliveries whose signature fails too, so the app sees
    /// forged and broken requests. Never in production.
    #[arg(long, requires = "forward_to")]
    insecure_forward_invalid: bool,
    /// Refusing invalid deliveries is the default now; kept so older scripts still run.
    #[arg(long, hide = true, conflicts_with = "insecure_forward_invalid")]
    drop_invalid: bool,
    /// Forward each delivery once: claim its idempotency key in STORE before forwarding
    /// (`memory`, `redis://host:port/db`, `redis+unix:///path`, `postgres://user@host/db`
    /// or a `host=/socket/dir dbname=…` connection string). Processes sharing a Redis or
    /// Postgres form a fleet.
    #[arg(long, value_name = "STORE", requires = "forward_to")]
    idempotency: Option<String>,
    /// Where the idempotency key is read, instead of the verifying scheme's own source:
    /// `header:NAME`, `json:/pointer` or `signature`.
    #[arg(long, value_name = "SOURCE", value_parser = key_source)]
    idempotency_key: Option<KeySource>,
    /// Store each verified delivery durably in INBOX before answering the sender (200 once
    /// stored), then forward it to the app in the background, retrying failures with
    /// backoff and honouring the app's `Retry-After`, until the app answers 2xx or the
    /// attempts run out (dead: `hook inbox retry --dead`). A copy of a stored delivery
    /// (same key) is stored once. INBOX is a file path (SQLite, created if missing), or a
    /// Postgres connection string for a fleet.
    #[arg(
        long,
        value_name = "INBOX",
        requires = "forward_to",
        conflicts_with = "idempotency"
    )]
    inbox: Option<String>,
    /// With --inbox: attempts before a delivery is parked as dead.
    #[arg(long, value_name = "N", default_value_t = 12, requires = "inbox", value_parser = clap::value_parser!(u32).range(1..))]
    max_attempts: u32,
    /// Append each exchange to FILE as a JSON line (`hook replay FILE` sends them again).
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Print a line after this many idle seconds (0: never).
    #[arg(long, default_value_t = 30)]
    heartbeat: u64,
    /// How long the app may take to answer a forwarded delivery, in seconds.
    #[arg(long, default_value = "30", value_parser = send::timeout)]
    timeout: Duration,
    /// Print one JSON line per exchange (and per heartbeat, and the summary).
    #[arg(long)]
    json: bool,
    /// Accept header-list signatures (up42) that list no content-digest; the body is then
    /// NOT authenticated (see `hook verify --help`).
    #[arg(long)]
    allow_headers_only: bool,
    /// Serve the inspector page at /_hook/ui: each exchange live, its verdict and
    /// explanation, headers (credentials redacted), body, the app's answer, replay and
    /// copy as curl; with --inbox, the inbox.
    #[arg(long)]
    ui: bool,
}

pub struct Listener {
    verifiers: Vec<Verifier>,
    secrets: Vec<String>,
    forward_to: Option<String>,
    forward_invalid: bool,
    store: Option<Arc<dyn IdempotencyStore>>,
    inbox: Option<Inbox>,
    /// How each verifier's deliveries are keyed (`--idempotency-key` or the scheme's
    /// source), in the verifiers' order.
    keys: Vec<KeyReader>,
    /// With `--inbox`: one intake per verifier, in the same order.
    intakes: Vec<Intake>,
    /// The signature headers of schemes whose "signature" is the secret itself (Port's
    /// `plain` ingest check): redacted where an exchange is shown.
    plain: Vec<String>,
    timeout: Duration,
    json: bool,
    record: Option<Mutex<std::fs::File>>,
    counts: Counts,
    activity: tokio::sync::Notify,
    /// With `--ui`: what the inspector page shows.
    pub inspector: Option<crate::inspector::Inspector>,
}

impl Listener {
    /// `exchange` as the page and `--json` show it: credentials redacted.
    pub fn redacted(&self, exchange: &Exchange) -> Exchange {
        redacted(self, exchange)
    }

    /// Whether deliveries go through an inbox.
    pub fn inbox_enabled(&self) -> bool {
        self.inbox.is_some()
    }

    /// The inbox's store, with `--inbox`.
    pub fn inbox_store(&self) -> Option<&Arc<dyn hook_receiver::inbox::InboxStore>> {
        self.inbox.as_ref().map(Inbox::store)
    }

    /// The first `--scheme`, which re-signed replays use.
    pub fn first_scheme(&self) -> Scheme {
        self.verifiers
            .first()
            .map_or_else(Scheme::generic, |v| v.scheme().clone())
    }

    /// The `--secret`s.
    pub fn secrets(&self) -> &[String] {
        &self.secrets
    }

    /// How long a forwarded delivery may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

#[derive(Default)]
struct Counts {
    received: AtomicU64,
    valid: AtomicU64,
    forwarded: AtomicU64,
    app_2xx: AtomicU64,
    forward_failed: AtomicU64,
    record_failed: AtomicU64,
    repeats: AtomicU64,
}

fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn read(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

pub async fn run(args: ListenArgs) -> Result<ExitCode, Fail> {
    let secrets = args.secrets.required()?.to_vec();
    let names: Vec<String> = args.schemes.iter().map(|s| s.name.to_string()).collect();
    let verifiers = args
        .schemes
        .into_iter()
        .map(|scheme| {
            let verifier = verifier(scheme, &secrets)?;
            Ok::<_, Fail>(if args.allow_headers_only {
                verifier.allow_headers_only()
            } else {
                verifier
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(url) = &args.forward_to {
        send::check_url("--forward-to", url)?;
    }
    let record = match &args.record {
        Some(path) => Some(Mutex::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| Fail::Error(format!("cannot open {}: {e}", path.display())))?,
        )),
        None => None,
    };
    if args.idempotency_key.is_some() && args.idempotency.is_none() && args.inbox.is_none() {
        return Err(Fail::Usage(
            "--idempotency-key needs --idempotency STORE or --inbox INBOX".into(),
        ));
    }
    let store = match &args.idempotency {
        Some(spec) => Some(open_store(spec).await?),
        None => None,
    };
    let inbox = match &args.inbox {
        Some(spec) => {
            let mut policy = Policy::default();
            policy.handler_timeout = args.timeout;
            policy.max_attempts = args.max_attempts;
            Some(Inbox::shared(crate::inbox::open(spec).await?).policy(policy))
        }
        None => None,
    };
    let keys: Vec<KeyReader> = verifiers
        .iter()
        .map(|verifier| {
            let keys = KeyReader::new(verifier.scheme());
            match &args.idempotency_key {
                Some(source) => keys.source(source.clone()),
                None => keys,
            }
        })
        .collect();
    let intakes = inbox
        .iter()
        .flat_map(|inbox| {
            verifiers
                .iter()
                .zip(&keys)
                .map(|(verifier, keys)| inbox.intake(verifier.scheme()).keys(keys.clone()))
        })
        .collect();
    let plain = plain_signature_headers(&verifiers);
    let listener = Arc::new(Listener {
        verifiers,
        secrets,
        forward_to: args.forward_to.clone(),
        forward_invalid: args.insecure_forward_invalid,
        store,
        keys,
        intakes,
        plain,
        inbox,
        timeout: args.timeout,
        json: args.json,
        record,
        counts: Counts::default(),
        activity: tokio::sync::Notify::new(),
        inspector: args.ui.then(crate::inspector::Inspector::default),
    });
    let routes = if args.ui {
        crate::inspector::routes()
    } else {
        axum::Router::new()
    };
    let app = routes
        .fallback(receive)
        .layer(DefaultBodyLimit::max(args.max_body))
        .with_state(listener.clone());
    let socket = tokio::net::TcpListener::bind((args.bind, args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", args.bind, args.port))?;
    let addr = socket.local_addr().map_err(|e| e.to_string())?;
    let reachable = if addr.ip().is_unspecified() {
        format!("http://127.0.0.1:{}/", addr.port())
    } else {
        format!("http://{addr}/")
    };
    let inspecting = match &listener.inspector {
        Some(inspector) => {
            let _ = inspector.own_url.set(reachable.clone());
            format!(", inspector at {reachable}_hook/ui")
        }
        None => String::new(),
    };
    if args.insecure_forward_invalid {
        eprintln!(
            "hook: WARNING: --insecure-forward-invalid forwards deliveries whose signature fails: for debugging only, never in production"
        );
    }
    let forwarding = args
        .forward_to
        .as_deref()
        .map(|url| format!(", forwarding to {url}"))
        .unwrap_or_default();
    let recording = args
        .record
        .as_ref()
        .map(|path| format!(", recording to {}", path.display()))
        .unwrap_or_default();
    let once = match (&listener.store, &listener.inbox) {
        (Some(store), _) => format!(", once each ({store:?})"),
        (_, Some(inbox)) => format!(", through the inbox {:?}", inbox.store()),
        _ => String::new(),
    };
    println!(
        "listening on http://{addr}/ for {} deliveries{forwarding}{once}{recording}{inspecting}; Ctrl-C to stop",
        names.join(" or ")
    );
    // After the line naming the address: what the workers print comes later.
    let workers = match (&listener.inbox, &listener.forward_to) {
        (Some(inbox), Some(url)) => {
            let reporter = listener.clone();
            Some(inbox.spawn_workers(crate::inbox::Forwarder {
                url: url.clone(),
                timeout: args.timeout,
                report: Box::new(move |delivery, sent| forwarded_later(&reporter, delivery, sent)),
            }))
        }
        _ => None,
    };
    let heartbeat = (args.heartbeat > 0).then(|| {
        tokio::spawn(heartbeats(
            listener.clone(),
            Duration::from_secs(args.heartbeat),
        ))
    });
    axum::serve(socket, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())?;
    if let Some(task) = heartbeat {
        task.abort();
    }
    if let Some(workers) = workers {
        workers.shutdown().await;
    }
    summary(&listener);
    Ok(ExitCode::SUCCESS)
}

/// A line after each idle `every`, so a quiet listener is seen to be alive.
async fn heartbeats(listener: Arc<Listener>, every: Duration) {
    loop {
        let idle = tokio::time::timeout(every, listener.activity.notified()).await;
        if idle.is_ok() {
            continue;
        }
        let received = read(&listener.counts.received);
        if listener.json {
            println!(
                "{}",
                serde_json::json!({"heartbeat": record::now_rfc3339(), "received": received})
            );
        } else {
            println!(
                "… idle for {} s, {received} received so far",
                every.as_secs()
            );
        }
    }
}

fn summary(listener: &Listener) {
    let c = &listener.counts;
    let received = read(&c.received);
    let valid = read(&c.valid);
    if listener.json {
        println!(
            "{}",
            serde_json::json!({"summary": {
                "received": received, "valid": valid, "invalid": received - valid,
                "forwarded": read(&c.forwarded), "app_2xx": read(&c.app_2xx),
                "forward_failed": read(&c.forward_failed), "record_failed": read(&c.record_failed),
                "repeats": read(&c.repeats),
            }})
        );
        return;
    }
    let mut line = format!(
        "stopped: {received} received, {valid} valid, {} invalid",
        received - valid
    );
    if listener.forward_to.is_some() {
        line.push_str(&format!(
            "; {} forwarded, {} answered 2xx, {} not answered",
            read(&c.forwarded),
            read(&c.app_2xx),
            read(&c.forward_failed)
        ));
    }
    if listener.store.is_some() || listener.inbox.is_some() {
        line.push_str(&format!(
            "; {} repeats acknowledged without forwarding",
            read(&c.repeats)
        ));
    }
    if read(&c.record_failed) > 0 {
        line.push_str(&format!(
            "; {} NOT recorded (see above)",
            read(&c.record_failed)
        ));
    }
    println!("{line}");
}

async fn receive(
    State(listener): State<Arc<Listener>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    listener.activity.notify_one();
    bump(&listener.counts.received);
    let pairs = hook_emulator::header_pairs(&headers);
    let verdict = Verdict::of(
        &listener.verifiers,
        &listener.secrets,
        &pairs,
        &body,
        unix_now(),
    );
    if verdict.valid {
        bump(&listener.counts.valid);
    }
    let mut exchange = Exchange {
        time: record::now_rfc3339(),
        method: method.to_string(),
        path: uri
            .path_and_query()
            .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned()),
        headers: pairs,
        body: None,
        body_base64: None,
        verification: verdict,
        dropped: false,
        idempotency: None,
        forward: None,
    };
    exchange.set_body(&body);
    let body_len = body.len();
    let response = match &listener.forward_to {
        None => own_answer(&exchange.verification),
        Some(_) if !listener.forward_invalid && !exchange.verification.valid => {
            exchange.dropped = true;
            own_answer(&exchange.verification)
        }
        Some(url) => match (
            &listener.store,
            &listener.inbox,
            exchange.verification.valid,
        ) {
            (Some(store), _, true) => {
                once(&listener, store.clone(), url, &mut exchange, body).await
            }
            (_, Some(_), true) => keep(&listener, &mut exchange, body).await,
            _ => forward(&listener, url, &mut exchange, body).await,
        },
    };
    report(&listener, &exchange, body_len);
    response
}

/// `memory`, a Redis URL or a Postgres connection string as a store (Postgres's table
/// created unless it exists).
async fn open_store(spec: &str) -> Result<Arc<dyn IdempotencyStore>, Fail> {
    let spec = spec.trim();
    let usage = || {
        Fail::Usage(
            "--idempotency takes memory, redis://host:port/db, redis+unix:///path, postgres://user@host/db or a host=… connection string".into(),
        )
    };
    if spec == "memory" {
        return Ok(Arc::new(hook_receiver::MemoryStore::new()));
    }
    if ["redis://", "rediss://", "redis+unix://", "unix://"]
        .iter()
        .any(|p| spec.starts_with(p))
    {
        let store =
            hook_receiver::RedisStore::connect(spec).map_err(|e| Fail::Usage(e.to_string()))?;
        return Ok(Arc::new(store));
    }
    let postgres = spec.starts_with("postgres://")
        || spec.starts_with("postgresql://")
        || spec.split_whitespace().any(|pair| pair.contains('='));
    if !postgres {
        return Err(usage());
    }
    let store =
        hook_receiver::PostgresStore::connect(spec).map_err(|e| Fail::Usage(e.to_string()))?;
    store
        .migrate()
        .await
        .map_err(|e| Fail::Error(format!("--idempotency: {e}")))?;
    Ok(Arc::new(store))
}

/// `header:NAME`, `json:/pointer` or `signature`.
fn key_source(text: &str) -> Result<KeySource, String> {
    if text == "signature" {
        return Ok(KeySource::Signature);
    }
    if let Some(name) = text.strip_prefix("header:").filter(|n| !n.is_empty()) {
        return Ok(KeySource::Header(name.to_owned().into()));
    }
    if let Some(pointer) = text.strip_prefix("json:").filter(|p| p.starts_with('/')) {
        return Ok(KeySource::JsonPointer(pointer.to_owned().into()));
    }
    Err("expected header:NAME, json:/pointer (RFC 6901) or signature".into())
}

/// Forwards a verified delivery once: claim its key, forward, complete on the app's 2xx
/// and release otherwise. A repeat of a completed key is answered 200 unforwarded.
async fn once(
    listener: &Listener,
    store: Arc<dyn IdempotencyStore>,
    url: &str,
    exchange: &mut Exchange,
    body: Bytes,
) -> Response {
    let Some(which) = verifying(listener, exchange) else {
        return forward(listener, url, exchange, body).await;
    };
    let lease = listener.timeout.saturating_mul(2);
    let claimed = match listener.keys[which].read(&exchange.headers, &body) {
        Ok(key) => hook_receiver::claim(store, key, lease).await,
        Err(error) => Err(Unhandled::NoKey(error)),
    };
    match claimed {
        Ok(guard) => {
            exchange.idempotency = Some("claimed".into());
            let response = forward(listener, url, exchange, body).await;
            if response.status().is_success() {
                guard.complete().await;
            } else {
                guard.release().await;
            }
            response
        }
        Err(unhandled) => {
            match &unhandled {
                Unhandled::Done { .. } => bump(&listener.counts.repeats),
                Unhandled::Unavailable(error) => eprintln!("hook: error: {error}"),
                _ => {}
            }
            exchange.idempotency = Some(unhandled.label().into());
            // The same answers, worded the same, as a receiver behind hook-receiver's layer.
            unhandled.response(StatusCode::TOO_MANY_REQUESTS)
        }
    }
}

/// Which of the listener's verifiers (and keys and intakes, in the same order) verified
/// `exchange`.
fn verifying(listener: &Listener, exchange: &Exchange) -> Option<usize> {
    let name = exchange.verification.scheme.as_deref()?;
    listener
        .verifiers
        .iter()
        .position(|v| v.scheme().name == name)
}

/// Stores a verified delivery in the inbox and answers 200 once it is durable (503 when
/// it cannot be stored, 400 without a key), as the inbox's own endpoint answers; the
/// workers forward it later.
async fn keep(listener: &Listener, exchange: &mut Exchange, body: Bytes) -> Response {
    let intake = verifying(listener, exchange).and_then(|which| listener.intakes.get(which));
    let Some(intake) = intake else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no verifying scheme\n").into_response();
    };
    let kept = intake
        .keep(
            &exchange.method,
            &exchange.path,
            exchange.headers.clone(),
            &body,
        )
        .await;
    match &kept {
        Kept::Stored {
            stored: Stored::Duplicate(_),
            ..
        } => bump(&listener.counts.repeats),
        Kept::Unavailable(error) => eprintln!("hook: error: {error}"),
        _ => {}
    }
    exchange.idempotency = Some(kept.label());
    kept.response()
}

/// A line for each forward a worker made from the inbox.
fn forwarded_later(listener: &Listener, delivery: &Delivery, sent: &Result<send::Answer, String>) {
    bump(&listener.counts.forwarded);
    if let Some(inspector) = &listener.inspector {
        inspector.inbox_changed();
    }
    match sent {
        Ok(answer) if (200..300).contains(&answer.status) => bump(&listener.counts.app_2xx),
        Err(_) => bump(&listener.counts.forward_failed),
        Ok(_) => {}
    }
    let attempt = delivery.attempts + 1;
    if listener.json {
        let (status, error) = match sent {
            Ok(answer) => (Some(answer.status), None),
            Err(error) => (None, Some(error.as_str())),
        };
        println!(
            "{}",
            serde_json::json!({"inbox": {"id": delivery.id, "attempt": attempt,
                "status": status, "error": error, "time": record::now_rfc3339()}})
        );
    } else {
        let outcome = match sent {
            Ok(answer) => format!("{} in {:.1} ms", answer.status, answer.millis()),
            Err(error) => format!("FORWARD FAILED: {error}"),
        };
        println!(
            "{}  inbox delivery {} (attempt {attempt})  → {outcome}",
            record::now_rfc3339(),
            delivery.id
        );
    }
}

/// The listener's own answer: 200 when valid, 401 with the reason otherwise.
fn own_answer(verdict: &Verdict) -> Response {
    if verdict.valid {
        StatusCode::OK.into_response()
    } else {
        (
            StatusCode::UNAUTHORIZED,
            format!(
                "signature refused: {}\n",
                verdict.reason.as_deref().unwrap_or("refused")
            ),
        )
            .into_response()
    }
}

async fn forward(listener: &Listener, url: &str, exchange: &mut Exchange, body: Bytes) -> Response {
    let headers = forwarded(&exchange.headers);
    bump(&listener.counts.forwarded);
    match send::send(&exchange.method, url, &headers, body, listener.timeout).await {
        Ok(answer) => {
            if (200..300).contains(&answer.status) {
                bump(&listener.counts.app_2xx);
            }
            exchange.forward = Some(Forward {
                url: url.to_owned(),
                status: Some(answer.status),
                latency_ms: Some(answer.millis()),
                error: None,
            });
            let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, answer.body).into_response()
        }
        Err(error) => {
            bump(&listener.counts.forward_failed);
            let message = format!("forwarding to {url} failed: {error}");
            exchange.forward = Some(Forward {
                url: url.to_owned(),
                status: None,
                latency_ms: None,
                error: Some(error),
            });
            (StatusCode::BAD_GATEWAY, format!("{message}\n")).into_response()
        }
    }
}

/// `headers` less those not forwarded ([`hop_by_hop`]): what `listen` forwards and `replay`
/// sends again.
pub fn forwarded(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| !hop_by_hop(name, headers))
        .cloned()
        .collect()
}

/// Whether `name` is not forwarded: hop-by-hop, the transport's own, or named by the
/// request's `Connection` header.
fn hop_by_hop(name: &str, headers: &[(String, String)]) -> bool {
    if name.eq_ignore_ascii_case("content-length")
        || HOP_BY_HOP.iter().any(|h| name.eq_ignore_ascii_case(h))
    {
        return true;
    }
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("connection"))
        .flat_map(|(_, value)| value.split(','))
        .any(|listed| listed.trim().eq_ignore_ascii_case(name))
}

/// Headers whose values are credentials, never printed (the record file keeps them, so a
/// replay is exact).
const CREDENTIALS: [&str; 5] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
];

/// The signature headers of `verifiers` whose "signature" is the secret itself.
fn plain_signature_headers(verifiers: &[Verifier]) -> Vec<String> {
    verifiers
        .iter()
        .map(Verifier::scheme)
        .filter(|scheme| scheme.algorithm == hook_sign::Algorithm::PlainSecret)
        .map(|scheme| scheme.signature_header.to_string())
        .collect()
}

/// `exchange` as printed: credential headers, and the signature header of any scheme
/// whose "signature" is the secret itself (Port's `plain` ingest check), redacted.
fn redacted(listener: &Listener, exchange: &Exchange) -> Exchange {
    let plain: Vec<&str> = listener.plain.iter().map(String::as_str).collect();
    let mut shown = exchange.clone();
    redact(&mut shown.headers, &plain);
    shown
}

/// Replaces the values of credential headers, and of `plain` (the signature headers of
/// schemes whose "signature" is the secret itself), with `[redacted]`.
pub fn redact(headers: &mut [(String, String)], plain: &[&str]) {
    for (name, value) in headers {
        let secret = CREDENTIALS
            .iter()
            .chain(plain)
            .any(|c| c.eq_ignore_ascii_case(name));
        if secret {
            *value = "[redacted]".to_owned();
        }
    }
}

/// Prints the exchange and appends it to the record; a record that cannot be written is
/// said, never silent.
fn report(listener: &Listener, exchange: &Exchange, bytes: usize) {
    // Redacted once, for the page and `--json` alike.
    let shown =
        (listener.inspector.is_some() || listener.json).then(|| redacted(listener, exchange));
    if let (Some(inspector), Some(shown)) = (&listener.inspector, &shown) {
        inspector.add(exchange, shown);
    }
    if let (true, Some(shown)) = (listener.json, &shown) {
        println!("{}", shown.line());
    } else {
        let kind = exchange
            .body
            .as_deref()
            .and_then(|text| hook_receiver::inbox::event_type(text.as_bytes()))
            .unwrap_or_else(|| "-".into());
        let outcome = match (&exchange.forward, exchange.dropped) {
            (_, true) => "  → refused, not forwarded".to_owned(),
            (None, _) if exchange.idempotency.is_some() => {
                let said = exchange.idempotency.as_deref().unwrap_or_default();
                if said.starts_with("stored ") {
                    format!("  → {said} in the inbox, forwarded from there")
                } else {
                    format!("  → {said} (not forwarded)")
                }
            }
            (
                Some(Forward {
                    status: Some(status),
                    latency_ms,
                    ..
                }),
                _,
            ) => {
                format!("  → {status} in {:.1} ms", latency_ms.unwrap_or_default())
            }
            (
                Some(Forward {
                    error: Some(error), ..
                }),
                _,
            ) => {
                format!("  → FORWARD FAILED: {error}")
            }
            _ => String::new(),
        };
        println!(
            "{}  {}  {} {}  {bytes} B  {kind}{outcome}",
            exchange.time,
            exchange.verification.line(),
            exchange.method,
            exchange.path
        );
    }
    if let Some(file) = &listener.record {
        let written = match file.lock() {
            Ok(mut file) => record::append(&mut file, exchange),
            Err(_) => Err(std::io::Error::other("the record file's lock was poisoned")),
        };
        if let Err(error) = written {
            bump(&listener.counts.record_failed);
            eprintln!("hook: error: the exchange above was NOT recorded: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn printed_exchanges_hide_credentials_but_records_keep_them() {
        let verifiers = vec![
            hook_sign::Verifier::new(
                hook_sign::Scheme::hex_body("x-token", "", hook_sign::Algorithm::PlainSecret),
                "hunter2",
            )
            .unwrap(),
        ];
        let plain = super::plain_signature_headers(&verifiers);
        let listener = super::Listener {
            verifiers,
            secrets: vec!["hunter2".into()],
            forward_to: None,
            forward_invalid: false,
            store: None,
            inbox: None,
            keys: Vec::new(),
            intakes: Vec::new(),
            plain,
            timeout: std::time::Duration::from_secs(1),
            json: true,
            record: None,
            counts: super::Counts::default(),
            inspector: None,
            activity: tokio::sync::Notify::new(),
        };
        let exchange = super::Exchange {
            time: "t".into(),
            method: "POST".into(),
            path: "/".into(),
            headers: vec![
                ("authorization".into(), "Bearer abc".into()),
                ("X-Token".into(), "hunter2".into()),
                ("content-type".into(), "application/json".into()),
            ],
            body: Some("{}".into()),
            body_base64: None,
            verification: crate::signing::Verdict::default(),
            dropped: false,
            idempotency: None,
            forward: None,
        };
        let shown = super::redacted(&listener, &exchange).line();
        assert!(
            !shown.contains("abc") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("application/json"));
        assert!(exchange.line().contains("hunter2"), "the record is exact");
    }

    #[test]
    fn hop_by_hop_headers_and_those_connection_names_are_not_forwarded() {
        let headers = vec![
            ("connection".to_owned(), "keep-alive, X-Trace".to_owned()),
            ("x-trace".to_owned(), "1".to_owned()),
            ("x-uipath-signature".to_owned(), "abc".to_owned()),
        ];
        assert!(super::hop_by_hop("Transfer-Encoding", &headers));
        assert!(super::hop_by_hop("x-trace", &headers));
        assert!(super::hop_by_hop("host", &headers));
        assert!(!super::hop_by_hop("x-uipath-signature", &headers));
        assert!(!super::hop_by_hop("content-type", &headers));
    }
}
