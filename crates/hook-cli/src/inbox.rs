//! `hook inbox`: read and steer a durable inbox (`hook listen --inbox`): list, show,
//! retry, purge. Works beside a running listener: a SQLite inbox is shared safely between
//! processes, a Postgres one between a fleet.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use base64::Engine as _;
use hook_receiver::inbox::{
    Delivery, Filter, Handler, InboxError, InboxStore, Outcome, PostgresInbox, SqliteInbox, Status,
    Which, now_ms,
};

use crate::Fail;
use crate::listen::forwarded;
use crate::send;

/// Where an inbox lives: a file path, or a Postgres connection string.
pub const SPEC_HELP: &str = "a file path (SQLite, created if missing), postgres://user@host/db or a host=… connection string";

/// Opens the inbox `spec` names; Postgres's table is created unless it exists.
pub async fn open(spec: &str) -> Result<Arc<dyn InboxStore>, Fail> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(Fail::Usage(format!("--inbox takes {SPEC_HELP}")));
    }
    let postgres = spec.starts_with("postgres://")
        || spec.starts_with("postgresql://")
        || spec.split_whitespace().any(|pair| pair.contains('='));
    if postgres {
        let inbox = PostgresInbox::connect(spec).map_err(|e| Fail::Usage(e.to_string()))?;
        inbox
            .migrate()
            .await
            .map_err(|e| Fail::Error(format!("--inbox: {e}")))?;
        return Ok(Arc::new(inbox));
    }
    let inbox = SqliteInbox::open(spec).map_err(|e| match e {
        InboxError::NotAnInbox { .. } => Fail::Error(e.to_string()),
        other => Fail::Error(format!("--inbox: {other}")),
    })?;
    Ok(Arc::new(inbox))
}

/// Told of each forward a worker made: the delivery and what the app answered.
pub type Report = Box<dyn Fn(&Delivery, &Result<send::Answer, String>) + Send + Sync>;

/// Forwards each stored delivery to the app: its 2xx is done, anything else a failure
/// retried later (after the app's `Retry-After` when it sends one).
pub struct Forwarder {
    /// The app (`--forward-to`).
    pub url: String,
    /// How long the app may take (`--timeout`).
    pub timeout: Duration,
    /// Told of each forward, for the listener's output and counts.
    pub report: Report,
}

#[async_trait]
impl Handler for Forwarder {
    async fn handle(&self, delivery: &Delivery) -> Outcome {
        let headers = forwarded(&delivery.request.headers);
        let body = bytes::Bytes::from(delivery.request.body.clone());
        let sent = send::send(
            &delivery.request.method,
            &self.url,
            &headers,
            body,
            self.timeout,
        )
        .await;
        (self.report)(delivery, &sent);
        match sent {
            Ok(answer) if (200..300).contains(&answer.status) => Outcome::Done,
            Ok(answer) => {
                let excerpt: String = String::from_utf8_lossy(&answer.body)
                    .chars()
                    .take(200)
                    .collect();
                Outcome::Retry {
                    error: format!("{} {}", answer.status, excerpt.trim()),
                    after: answer.retry_after,
                }
            }
            Err(error) => Outcome::retry(error),
        }
    }
}

/// `hook inbox`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The inbox: a file path (SQLite), or a Postgres connection string.
    #[arg(long, global = true, env = "HOOK_INBOX", value_name = "INBOX")]
    inbox: Option<String>,
    /// Print JSON (one object, or one line per delivery for `list`).
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Subcommand)]
enum Command {
    /// List deliveries, newest first.
    List {
        /// Only this status: pending, working, done or dead.
        #[arg(long, value_parser = clap::value_parser!(StatusArg))]
        status: Option<StatusArg>,
        /// Only this provider (the verifying scheme's name).
        #[arg(long)]
        provider: Option<String>,
        /// Only this event type.
        #[arg(long)]
        event_type: Option<String>,
        /// Only those stored since T: an RFC 3339 time, or an age such as 30m, 2h, 7d.
        #[arg(long, value_name = "T", value_parser = time_arg)]
        since: Option<u64>,
        /// At most this many.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One delivery: headers, body, attempts and errors.
    Show {
        /// The delivery's id.
        id: u64,
    },
    /// Hand deliveries to the app again now, with a fresh budget of attempts.
    Retry {
        /// One delivery.
        #[arg(required_unless_present_any = ["dead", "since"], conflicts_with_all = ["dead", "since"])]
        id: Option<u64>,
        /// Every dead delivery.
        #[arg(long, conflicts_with = "since")]
        dead: bool,
        /// Every delivery stored since T (handled ones included).
        #[arg(long, value_name = "T", value_parser = time_arg)]
        since: Option<u64>,
    },
    /// Delete handled and dead deliveries stored before T (pending ones are kept).
    Purge {
        /// An RFC 3339 time, or an age such as 7d.
        #[arg(long, value_name = "T", value_parser = time_arg)]
        before: u64,
    },
}

/// A status on the command line.
#[derive(Debug, Clone, Copy)]
struct StatusArg(Status);

impl clap::ValueEnum for StatusArg {
    fn value_variants<'a>() -> &'a [Self] {
        &[
            StatusArg(Status::Pending),
            StatusArg(Status::Working),
            StatusArg(Status::Done),
            StatusArg(Status::Dead),
        ]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.0.as_str()))
    }
}

/// An RFC 3339 time, or an age (`90s`, `30m`, `2h`, `7d`) before now, as Unix ms.
pub fn time_arg(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if let Ok(at) =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
    {
        let ms = at.unix_timestamp_nanos() / 1_000_000;
        return u64::try_from(ms).map_err(|_| format!("{text:?} is before 1970"));
    }
    let unit = text.chars().last().unwrap_or(' ');
    let seconds = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 0,
    };
    let amount = text[..text.len() - unit.len_utf8().min(text.len())].parse::<u64>();
    match (seconds, amount) {
        (s, Ok(n)) if s > 0 => {
            Ok(now_ms().saturating_sub(n.saturating_mul(s).saturating_mul(1000)))
        }
        _ => Err(format!(
            "{text:?}: give an RFC 3339 time (2026-12-03T10:00:00Z) or an age such as 30m, 2h, 7d"
        )),
    }
}

/// Unix ms as RFC 3339 (UTC, milliseconds).
pub fn rfc3339(ms: u64) -> String {
    let nanos = i128::from(ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

pub fn summary_json(d: &Delivery) -> serde_json::Value {
    serde_json::json!({
        "id": d.id, "key": d.request.key, "provider": d.request.provider, "event_type": d.request.event_type,
        "status": d.status.as_str(), "attempts": d.attempts,
        "received": rfc3339(d.received_ms), "due": rfc3339(d.due_ms),
        "last_error": d.last_error, "bytes": d.request.body.len(),
    })
}

fn full_json(d: &Delivery) -> serde_json::Value {
    let mut value = summary_json(d);
    let (body, base64) = match std::str::from_utf8(&d.request.body) {
        Ok(text) => (Some(text.to_owned()), None),
        Err(_) => (
            None,
            Some(base64::engine::general_purpose::STANDARD.encode(&d.request.body)),
        ),
    };
    let attempts: Vec<serde_json::Value> = d
        .history
        .iter()
        .map(|a| serde_json::json!({"at": rfc3339(a.at_ms), "ok": a.ok, "detail": a.detail}))
        .collect();
    if let Some(object) = value.as_object_mut() {
        object.insert("method".into(), d.request.method.clone().into());
        object.insert("path".into(), d.request.path.clone().into());
        object.insert("headers".into(), serde_json::json!(d.request.headers));
        object.insert("body".into(), serde_json::json!(body));
        if let Some(base64) = base64 {
            object.insert("body_base64".into(), base64.into());
        }
        object.insert("history".into(), attempts.into());
    }
    value
}

pub async fn run(args: Args) -> Result<ExitCode, Fail> {
    let Some(spec) = args.inbox.as_deref() else {
        return Err(Fail::Usage(format!(
            "give the inbox with --inbox (or HOOK_INBOX): {SPEC_HELP}"
        )));
    };
    let store = open(spec).await?;
    let failed = |e: InboxError| Fail::Error(e.to_string());
    match args.command {
        Command::List {
            status,
            provider,
            event_type,
            since,
            limit,
        } => {
            let filter = Filter {
                status: status.map(|s| s.0),
                provider,
                event_type,
                since_ms: since,
                limit,
            };
            let deliveries = store.list(&filter).await.map_err(failed)?;
            if args.json {
                for d in &deliveries {
                    println!("{}", summary_json(d));
                }
            } else {
                let rows: Vec<Vec<String>> = deliveries
                    .iter()
                    .map(|d| {
                        vec![
                            d.id.to_string(),
                            d.status.to_string(),
                            d.attempts.to_string(),
                            d.request.provider.clone(),
                            d.request.event_type.clone().unwrap_or_else(|| "-".into()),
                            rfc3339(d.received_ms),
                            d.last_error.clone().unwrap_or_default(),
                        ]
                    })
                    .collect();
                print!(
                    "{}",
                    crate::table::render(
                        &[
                            "ID",
                            "STATUS",
                            "ATTEMPTS",
                            "PROVIDER",
                            "EVENT",
                            "RECEIVED",
                            "LAST ERROR"
                        ],
                        &rows
                    )
                );
            }
        }
        Command::Show { id } => {
            let Some(mut d) = store.get(id).await.map_err(failed)? else {
                return Err(Fail::Error(format!("no delivery {id} in the inbox")));
            };
            // Shown, never the credentials it carries (the inbox keeps them for the app).
            let plain = hook_sign::Scheme::preset(&d.request.provider)
                .filter(|s| s.algorithm == hook_sign::Algorithm::PlainSecret)
                .map(|s| s.signature_header.to_string());
            let plain: Vec<&str> = plain.iter().map(String::as_str).collect();
            crate::listen::redact(&mut d.request.headers, &plain);
            if args.json {
                println!("{}", full_json(&d));
            } else {
                println!("delivery {} ({}, {} attempts)", d.id, d.status, d.attempts);
                println!("key:       {}", d.request.key);
                println!("provider:  {}", d.request.provider);
                println!(
                    "event:     {}",
                    d.request.event_type.as_deref().unwrap_or("-")
                );
                println!("received:  {}", rfc3339(d.received_ms));
                println!("request:   {} {}", d.request.method, d.request.path);
                for (name, value) in &d.request.headers {
                    println!("  {name}: {value}");
                }
                match std::str::from_utf8(&d.request.body) {
                    Ok(text) => println!("body:\n{text}"),
                    Err(_) => println!(
                        "body: {} bytes, not UTF-8 (--json shows it in base64)",
                        d.request.body.len()
                    ),
                }
                for a in &d.history {
                    let mark = if a.ok { "ok    " } else { "failed" };
                    println!("attempt {} {mark} {}", rfc3339(a.at_ms), a.detail);
                }
            }
        }
        Command::Retry { id, dead, since } => {
            let which = match (id, dead, since) {
                (Some(id), _, _) => Which::Id(id),
                (_, true, _) => Which::Dead,
                (_, _, Some(since)) => Which::Since(since),
                _ => return Err(Fail::Usage("give an ID, --dead or --since T".into())),
            };
            let count = store.retry(which).await.map_err(failed)?;
            if let (Which::Id(id), 0) = (which, count) {
                let why = match store.get(id).await.map_err(failed)? {
                    None => format!("no delivery {id} in the inbox"),
                    Some(_) => {
                        format!("delivery {id} is being handled now; retry it when that ends")
                    }
                };
                return Err(Fail::Error(why));
            }
            if args.json {
                println!("{}", serde_json::json!({"retried": count}));
            } else {
                println!("{count} deliveries due again now");
            }
        }
        Command::Purge { before } => {
            let count = store.purge(before).await.map_err(failed)?;
            if args.json {
                println!("{}", serde_json::json!({"purged": count}));
            } else {
                println!("{count} handled or dead deliveries deleted (pending ones are kept)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_are_rfc3339_or_ages() {
        assert_eq!(super::time_arg("1970-01-01T00:00:01Z"), Ok(1000));
        // An age is counted back from the clock as it is read inside: between two readings.
        let before = hook_receiver::inbox::now_ms();
        let hour = super::time_arg("1h").unwrap();
        let after = hook_receiver::inbox::now_ms();
        assert!(
            (before - 3_600_000..=after - 3_600_000).contains(&hour),
            "{hour}"
        );
        for bad in ["", "h", "-1h", "5x", "yesterday", "1969-12-31T00:00:00Z"] {
            assert!(super::time_arg(bad).is_err(), "{bad}");
        }
        assert_eq!(super::rfc3339(1_500), "1970-01-01T00:00:01.5Z");
    }
}
