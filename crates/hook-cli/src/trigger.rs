//! `hook trigger`: send a realistic, signed delivery of a provider's event to any URL, with
//! no account and no emulator.

use std::process::ExitCode;
use std::time::Duration;

use hook_facade::{Descriptor, Provider, Registry, Signer};

/// What `--list` says of a fixture whose event the catalog does not list (Port's
/// invocation: an action's own body, not an event type of Port's API).
const NOT_IN_CATALOG: &str = "an example body; the provider's event catalog has no such type";

use crate::signing::{Secrets, signer};
use crate::{Fail, fixtures, send, table};

/// The secret `trigger` signs with when none is given: the emulator's client secret for
/// Port (Port signs invocations with the organization's client secret), and this one for
/// the others, whose secret is per webhook.
pub const DEFAULT_SECRET: &str = "hook-dev-secret";

/// `hook trigger`.
#[derive(Debug, clap::Args)]
pub struct TriggerArgs {
    /// The provider (uipath, port, up42 or generic) and the event type (`hook trigger
    /// --list` shows them): `uipath job.faulted`, or the event alone after `--provider`.
    #[arg(value_name = "[PROVIDER] EVENT", num_args = 0..=2)]
    words: Vec<String>,
    /// The provider, as every other command names it (instead of the first word).
    #[arg(long, value_parser = crate::webhooks::parse_provider)]
    provider: Option<Provider>,
    /// Where to POST the delivery.
    #[arg(long, value_name = "URL", required_unless_present = "list")]
    to: Option<String>,
    #[command(flatten)]
    secrets: Secrets,
    /// Override a field: `path=value`, the path dot-separated (`Job.State=Faulted`,
    /// `body.status=FAILED`, `data.items.0.id=7`), the value JSON or else a string. A path
    /// the fixture does not have exits 2.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// How many deliveries to send, each with a fresh event id and time.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    count: u32,
    /// Seconds to wait for each answer.
    #[arg(long, default_value = "10", value_parser = send::timeout)]
    timeout: Duration,
    /// Print one JSON line per delivery.
    #[arg(long)]
    json: bool,
    /// List the events with a fixture (of one provider, when given), then exit.
    #[arg(long)]
    list: bool,
}

/// The provider and the event from `--provider` and the positional words: `P EVENT`, or
/// `--provider P EVENT`; with `--list`, at most the provider.
fn provider_and_event(args: &TriggerArgs) -> Result<(Option<Provider>, Option<&str>), Fail> {
    let parse = |word: &str| crate::webhooks::parse_provider(word).map_err(Fail::Usage);
    let words: Vec<&str> = args.words.iter().map(String::as_str).collect();
    match (args.provider, words.as_slice(), args.list) {
        (provider, [], true) => Ok((provider, None)),
        (None, [provider], true) => Ok((Some(parse(provider)?), None)),
        (Some(provider), [event], false) => Ok((Some(provider), Some(event))),
        (None, [provider, event], false) => Ok((Some(parse(provider)?), Some(event))),
        (Some(flag), [word, event], false) => match parse(word)? {
            same if same == flag => Ok((Some(flag), Some(event))),
            other => Err(Fail::Usage(format!(
                "two providers given: --provider {flag} and {other}"
            ))),
        },
        _ => Err(Fail::Usage(
            "give the provider and the event (`hook trigger uipath job.faulted` or `--provider uipath job.faulted`) and --to URL, or --list".into(),
        )),
    }
}

pub async fn run(args: TriggerArgs, registry: &Registry) -> Result<ExitCode, Fail> {
    let (provider, event) = provider_and_event(&args)?;
    if let Some(provider) = provider {
        crate::webhooks::known(registry, provider)?;
    }
    if args.list {
        list(registry, provider, args.json);
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(provider), Some(event), Some(to)) = (provider, event, &args.to) else {
        return Err(Fail::Usage(
            "give the provider, the event and --to URL (or --list)".into(),
        ));
    };
    send::check_url("--to", to)?;
    let descriptor = crate::webhooks::known(registry, provider)?;
    let template = fixtures::load(descriptor, event).map_err(Fail::Usage)?;
    let mut overrides = Vec::new();
    for item in &args.set {
        let (path, value) = item
            .split_once('=')
            .ok_or_else(|| Fail::Usage(format!("--set {item:?}: write it as path=value")))?;
        // Checked against the template now, so a wrong path fails before anything is sent.
        fixtures::set(&mut template.clone(), path, value).map_err(Fail::Usage)?;
        overrides.push((path, value));
    }
    let secrets = if args.secrets.secrets.is_empty() {
        vec![default_secret(provider).to_owned()]
    } else {
        args.secrets.secrets.clone()
    };
    let signer = signer((descriptor.scheme)(), &secrets)?;
    let mut failed = 0u32;
    for _ in 0..args.count {
        let unique = unique_id();
        let mut body = template.clone();
        fixtures::freshen(
            descriptor,
            &mut body,
            &crate::record::now_rfc3339(),
            &unique,
        );
        for (path, value) in &overrides {
            fixtures::set(&mut body, path, value).map_err(Fail::Usage)?;
        }
        let bytes = serde_json::to_vec(&body).map_err(|e| e.to_string())?;
        if !one(
            &signer,
            to,
            &format!("dlv_{unique}"),
            bytes,
            args.timeout,
            args.json,
        )
        .await
        {
            failed += 1;
        }
    }
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Signs and sends one delivery, prints what happened; whether the receiver answered 2xx.
async fn one(
    signer: &Signer,
    to: &str,
    delivery_id: &str,
    body: Vec<u8>,
    timeout: Duration,
    json: bool,
) -> bool {
    let headers = match hook_emulator::delivery_headers(Some(signer), delivery_id, &body) {
        Ok(headers) => headers,
        Err(error) => {
            eprintln!("hook: error: cannot sign: {error}");
            return false;
        }
    };
    let size = body.len();
    match send::send("POST", to, &headers, body.into(), timeout).await {
        Ok(answer) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({
                        "url": to, "status": answer.status, "latency_ms": answer.millis(),
                        "bytes": size, "headers": answer.sent,
                    })
                );
            } else {
                println!(
                    "{} in {:.1} ms  POST {to}  {size} B",
                    answer.status,
                    answer.millis()
                );
                for (name, value) in &answer.sent {
                    println!("  {name}: {value}");
                }
            }
            (200..300).contains(&answer.status)
        }
        Err(error) => {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"url": to, "error": error, "headers": headers})
                );
            } else {
                println!("not answered  POST {to}: {error}");
            }
            false
        }
    }
}

/// The default signing secret for `provider`'s deliveries: the one the emulator signs
/// with where it is fixed (Port's client secret), else [`DEFAULT_SECRET`].
pub fn default_secret(provider: Provider) -> &'static str {
    hook_emulator::fixed_delivery_secret(provider).unwrap_or(DEFAULT_SECRET)
}

/// A fresh numeric id: UiPath's recent event ids are numeric strings.
fn unique_id() -> String {
    format!(
        "{}{:06}",
        crate::record::unix_millis(),
        fastrand::u32(..1_000_000)
    )
}

fn list(registry: &Registry, provider: Option<Provider>, json: bool) {
    let providers: Vec<&Descriptor> = registry
        .providers()
        .iter()
        .copied()
        .filter(|d| provider.is_none_or(|p| p == d.provider))
        .collect();
    let mut rows = Vec::new();
    for descriptor in providers {
        for fixture in descriptor.fixtures {
            let description = descriptor
                .catalog
                .iter()
                .find(|e| e.name == fixture.event)
                .map_or(NOT_IN_CATALOG, |e| e.description);
            rows.push(vec![
                descriptor.provider.to_string(),
                fixture.event.to_owned(),
                description.to_owned(),
            ]);
        }
    }
    if json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| serde_json::json!({"provider": r[0], "event": r[1], "description": r[2]}))
            .collect();
        println!("{}", serde_json::Value::Array(items));
    } else {
        print!(
            "{}",
            table::render(&["provider", "event", "description"], &rows)
        );
    }
}
