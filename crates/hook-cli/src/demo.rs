//! `hook demo`: the embedded emulator, a verifying receiver, and every provider through
//! `dyn WebhookApi`, step by step, with a table per provider.

use std::future::Future;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hook_emulator::{EmulatedProvider, Emulator, EmulatorHandle, Receiver};
use hook_facade::{Descriptor, Registry, WebhookApi, WebhookId, WebhookPatch, WebhookSpec};

use crate::table;

pub(crate) const SECRET: &str = "demo-signing-secret";
pub(crate) const WAIT: Duration = Duration::from_secs(5);

pub(crate) struct Step {
    name: &'static str,
    outcome: Result<String, String>,
    took: Duration,
}

pub(crate) async fn step<F, T>(steps: &mut Vec<Step>, name: &'static str, work: F) -> Option<T>
where
    F: Future<Output = Result<(T, String), String>>,
{
    let started = Instant::now();
    let result = work.await;
    let took = started.elapsed();
    let (value, outcome) = match result {
        Ok((value, detail)) => (Some(value), Ok(detail)),
        Err(message) => (None, Err(message)),
    };
    steps.push(Step {
        name,
        outcome,
        took,
    });
    value
}

/// Two events of `provider`'s catalog: the one subscribed at first, and one added by the update.
/// The first two events of `provider`'s catalog, as its crate lists them.
fn events(descriptor: &Descriptor) -> (&'static str, &'static str) {
    let name = |index: usize| {
        descriptor
            .catalog
            .get(index)
            .map_or("unknown.event", |entry| entry.name)
    };
    (name(0), name(1))
}

/// The demo: every provider of `registry` the emulator emulates (its own, and `emulated`)
/// through `dyn WebhookApi`, a table each; the exit code says whether every step passed.
///
/// # Errors
///
/// A message when the emulator or a receiver cannot start (a step that fails is a row
/// of its table, not an error).
pub async fn run(
    time_scale: f64,
    registry: &Registry,
    emulated: &[Arc<dyn EmulatedProvider>],
) -> Result<ExitCode, String> {
    let started = Instant::now();
    println!(
        "hook demo: the embedded emulator and a local receiver, every provider through dyn WebhookApi\n"
    );
    let mut failed = 0;
    let mut known = hook_emulator::providers();
    known.extend(emulated.iter().map(|e| e.descriptor().provider));
    let providers: Vec<&Descriptor> = registry
        .providers()
        .iter()
        .copied()
        .filter(|d| known.contains(&d.provider))
        .collect();
    for descriptor in &providers {
        let mut builder = Emulator::builder().time_scale(time_scale);
        for provider in emulated {
            builder = builder.provider(provider.clone());
        }
        // A provider that delivers over HTTPS only (UP42) gets a receiver with a
        // self-signed certificate the emulator is told to trust.
        let verifier =
            hook_sign::Verifier::new((descriptor.scheme)(), SECRET).map_err(|e| e.to_string())?;
        let receiver = if descriptor.capabilities.https_only {
            let (receiver, certificate) = Receiver::start_tls(verifier)
                .await
                .map_err(|e| e.to_string())?;
            builder = builder.trust_root_pem(certificate.pem);
            receiver
        } else {
            Receiver::start(verifier).await.map_err(|e| e.to_string())?
        };
        let emulator = builder.start().await.map_err(|e| e.to_string())?;
        let steps = scenario(registry, descriptor, &emulator, receiver).await;
        let failures = steps.iter().filter(|s| s.outcome.is_err()).count();
        failed += failures;
        print_table(descriptor, &emulator, &steps);
        emulator.shutdown().await;
    }
    println!(
        "{} in {:.1} s",
        if failed == 0 {
            format!("all {} providers passed", providers.len())
        } else {
            format!("{failed} step(s) FAILED")
        },
        started.elapsed().as_secs_f64()
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_table(descriptor: &Descriptor, emulator: &EmulatorHandle, steps: &[Step]) {
    println!(
        "{} ({}, emulated at {})",
        descriptor.display_name,
        descriptor.provider,
        emulator.url()
    );
    let rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            let (mark, detail) = match &s.outcome {
                Ok(detail) => ("pass", detail.clone()),
                Err(message) => ("FAIL", message.clone()),
            };
            vec![
                s.name.to_owned(),
                mark.to_owned(),
                format!("{:.1} ms", s.took.as_secs_f64() * 1e3),
                detail,
            ]
        })
        .collect();
    println!(
        "{}",
        table::render(&["step", "result", "time", "detail"], &rows)
    );
}

async fn scenario(
    registry: &Registry,
    descriptor: &Descriptor,
    emulator: &EmulatorHandle,
    mut receiver: Receiver,
) -> Vec<Step> {
    let provider = descriptor.provider;
    let mut steps = Vec::new();
    let api = match registry.connect_vars(provider, |name| emulator.var(name)) {
        Ok(api) => api,
        Err(e) => {
            steps.push(Step {
                name: "connect",
                outcome: Err(e.to_string()),
                took: Duration::ZERO,
            });
            return steps;
        }
    };
    let api: &dyn WebhookApi = api.as_ref();
    if api.capabilities().is_inbound() {
        crate::demo_inbound::scenario(&mut steps, api, emulator).await;
        return steps;
    }
    let (first, second) = events(descriptor);
    let mut spec = WebhookSpec::builder(receiver.url())
        .events([first])
        .secret(SECRET)
        .build();
    if api.capabilities().names {
        spec = spec.name("hook demo");
    }

    let Some(id) = step(&mut steps, "create", async {
        let webhook = api.create(&spec).await.map_err(|e| e.to_string())?;
        let detail = format!("id {} → {}", webhook.id, webhook.url);
        Ok((webhook.id, detail))
    })
    .await
    else {
        return steps;
    };

    list_step(&mut steps, api, &id).await;

    step(&mut steps, "get", async {
        let webhook = api.get(&id).await.map_err(|e| e.to_string())?;
        let events: Vec<&str> = webhook.events.iter().map(|e| e.as_str()).collect();
        Ok((
            (),
            format!("enabled {}, events {}", webhook.enabled, events.join(", ")),
        ))
    })
    .await;

    step(&mut steps, "update", async {
        let patch = WebhookPatch::new().events([first, second]);
        let webhook = api.update(&id, &patch).await.map_err(|e| e.to_string())?;
        match webhook.events.len() {
            2 => Ok(((), format!("now subscribed to {first} and {second}"))),
            n => Err(format!("expected 2 events after the update, found {n}")),
        }
    })
    .await;

    let test_name = if api.capabilities().test {
        "test"
    } else {
        "fire event"
    };
    // What the test (or fired event) should deliver: its event id when the provider says.
    let expected = step(&mut steps, test_name, async {
        if api.capabilities().test {
            let outcome = api.test(&id).await.map_err(|e| e.to_string())?;
            let detail = outcome
                .event_id
                .as_ref()
                .map_or_else(|| "test sent".to_owned(), |e| format!("event {e}"));
            Ok((outcome.event_id, detail))
        } else {
            // Port has no test call: fire a real event through the emulator's admin API.
            let fired = emulator
                .admin()
                .fire(
                    provider,
                    first,
                    serde_json::json!({"entity": {"identifier": "demo"}}),
                )
                .await
                .map_err(|e| e.to_string())?;
            Ok((
                None,
                format!(
                    "no test call on {provider}; fired {first} ({} delivery)",
                    fired.deliveries.len()
                ),
            ))
        }
    })
    .await
    .flatten();

    step(&mut steps, "receive + verify", async {
        // Providers may deliver on their own first (UiPath pings a webhook when it is
        // created and updated): each earlier delivery must verify too.
        let mut earlier = Vec::new();
        loop {
            let (delivery, verified) = verified_delivery(&mut receiver, "delivery").await?;
            let event = registry
                .parse(provider, &delivery.body)
                .map_err(|e| e.to_string())?;
            let wanted = match &expected {
                Some(event_id) => event.id() == Some(event_id.as_str()),
                None => true,
            };
            if !wanted {
                if earlier.len() >= 4 {
                    return Err(format!("the test's delivery did not come; got {earlier:?}"));
                }
                earlier.push(event.kind().to_string());
                continue;
            }
            let scheme = (descriptor.scheme)();
            let before = match earlier.len() {
                0 => String::new(),
                n => format!(
                    ", after {n} earlier ({}), each verified",
                    earlier.join(", ")
                ),
            };
            return Ok((
                (),
                format!(
                    "{} verified with the {} scheme ({}{}){before}",
                    event.kind(),
                    scheme.name,
                    scheme.signature_header,
                    verified
                        .timestamp
                        .map(|t| format!(", t={t}"))
                        .unwrap_or_default()
                ),
            ));
        }
    })
    .await;

    step(&mut steps, "delivery log", async {
        let id = id.to_string();
        let log = emulator
            .admin()
            .settled(&[("webhook_id", id.as_str())], WAIT)
            .await
            .map_err(|e| e.to_string())?;
        let record = log.last().ok_or("the delivery log is empty")?;
        Ok((
            (),
            format!(
                "{} {:?} after {} attempt(s), HTTP {}",
                record.id,
                record.status,
                record.attempts,
                record
                    .status_code
                    .map_or_else(|| "-".into(), |c| c.to_string())
            ),
        ))
    })
    .await;

    delete_step(&mut steps, api, &id).await;
    steps
}

/// Lists the webhooks and finds `id` among them.
/// The receiver's next `what` (within [`WAIT`]), and what its signature verified.
pub(crate) async fn verified_delivery(
    receiver: &mut Receiver,
    what: &str,
) -> Result<(hook_emulator::Received, hook_sign::Verified), String> {
    let delivery = receiver
        .next(WAIT)
        .await
        .ok_or_else(|| format!("no {what} within {} s", WAIT.as_secs()))?;
    let verified = match &delivery.verified {
        Ok(verified) => *verified,
        Err(e) => return Err(format!("signature refused: {e}")),
    };
    Ok((delivery, verified))
}

pub(crate) async fn list_step(steps: &mut Vec<Step>, api: &dyn WebhookApi, id: &WebhookId) {
    step(steps, "list", async {
        let page = api
            .list(&hook_facade::ListQuery::new())
            .await
            .map_err(|e| e.to_string())?;
        match page.items.iter().any(|w| &w.id == id) {
            true => Ok((
                (),
                format!("{} webhook(s), ours among them", page.items.len()),
            )),
            false => Err("the new webhook is not listed".into()),
        }
    })
    .await;
}

/// Deletes `id` and checks `get` then answers not found.
pub(crate) async fn delete_step(steps: &mut Vec<Step>, api: &dyn WebhookApi, id: &WebhookId) {
    step(steps, "delete", async {
        api.delete(id).await.map_err(|e| e.to_string())?;
        match api.get(&WebhookId::new(id.as_str())).await {
            Err(hook_facade::Error::NotFound { .. }) => {
                Ok(((), "gone (get answers not found)".to_owned()))
            }
            Ok(_) => Err("still there after delete".into()),
            Err(e) => Err(e.to_string()),
        }
    })
    .await;
}
