//! `hook chaos`: grade a receiver against a faithful, hostile sender.
//!
//! Each scenario sends what provider P's sender would, signed with P's scheme (the
//! emulator's own headers, [`hook_emulator::delivery_headers_at`]), then bent the way
//! production bends deliveries: tampered, re-serialized, signed with the wrong secret or
//! another provider's scheme, stale, from the future, oversized, repeated, racing copies,
//! out of order, during a secret rotation. The report card says for each what the receiver
//! answered, the verdict and what to fix; the exit code is 1 when a required scenario
//! failed, so CI can gate on it.
//!
//! Duplicates are graded through `--probe URL`: an endpoint of the receiver's that answers
//! how many events its code has handled, as a JSON array of them (its length counts), an
//! object with a `handled` array or a `count` number, or a bare number. Without it, the
//! duplicate scenarios check only that repeats are acknowledged, and say "ungraded".
//!
//! Every request is bounded by `--timeout`, so a receiver that hangs or resets connections
//! is graded, never waited on forever. `--seed` repeats the draw (which byte is tampered,
//! the wrong secret, which copies race); event ids also carry the run's start time, so a
//! second run is not taken for a duplicate of the first.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hook_facade::{DeliveryPolicy, Descriptor, Provider, Registry, Signer};
use serde_json::Value;

use crate::send::{self, Answer};
use crate::{Fail, fixtures};

/// `hook chaos`.
#[derive(clap::Args)]
pub struct ChaosArgs {
    /// The provider whose sender to play (`hook trigger --list` shows them).
    #[arg(long, value_parser = crate::webhooks::parse_provider, required_unless_present = "scheme", conflicts_with = "scheme")]
    provider: Option<Provider>,
    /// Or a signature scheme alone (`standard-webhooks`, `github`, `stripe`, …), for a
    /// receiver of another service: its deliveries are small generic JSON events.
    #[arg(long, value_parser = crate::signing::scheme_parser())]
    scheme: Option<hook_sign::Scheme>,
    /// The receiver's URL.
    #[arg(long, value_name = "URL")]
    to: String,
    /// The secret the receiver verifies with (Port: the organization's client secret).
    #[arg(
        long,
        env = "HOOK_SECRET",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    secret: String,
    /// Repeats a run's draw; a fresh one is printed when absent.
    #[arg(long)]
    seed: Option<u64>,
    /// An endpoint of the receiver's answering how many events it has handled (see
    /// `hook chaos --help`): grades the duplicate and ordering scenarios.
    #[arg(long, value_name = "URL")]
    probe: Option<String>,
    /// Seconds to wait for each answer.
    #[arg(long, default_value = "10", value_parser = send::timeout)]
    timeout: Duration,
    /// The size of the oversized body, in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_parser = clap::value_parser!(u64).range(1024..=256 * 1024 * 1024))]
    oversize: u64,
    /// Print the report as one JSON document.
    #[arg(long)]
    json: bool,
}

impl std::fmt::Debug for ChaosArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChaosArgs")
            .field("provider", &self.provider)
            .field("scheme", &self.scheme.as_ref().map(|s| &s.name))
            .field("to", &self.to)
            .field("seed", &self.seed)
            .finish_non_exhaustive()
    }
}

/// What a scenario concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// The receiver did the right thing.
    Pass,
    /// It did the wrong thing: events are lost, forged or handled twice.
    Fail,
    /// Right in substance, wrong in form (a refusal as 5xx): worth fixing.
    Warn,
    /// Not graded: the run lacked what grading needs (say, `--probe`).
    Ungraded,
    /// The provider's wire has no such thing (no timestamp, one signature per header).
    NotApplicable,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Warn => "warn",
            Verdict::Ungraded => "ungraded",
            Verdict::NotApplicable => "n/a",
        }
    }
}

/// One line of the report card.
#[derive(Debug)]
struct Outcome {
    name: &'static str,
    title: &'static str,
    verdict: Verdict,
    /// What the receiver answered.
    answer: String,
    /// Why the verdict, and what to fix when it is not a pass.
    detail: String,
}

/// A scenario's name (stable, for `--json`) and title (for people).
#[derive(Debug, Clone, Copy)]
struct Scenario {
    name: &'static str,
    title: &'static str,
}

const DUPLICATE: Scenario = Scenario {
    name: "duplicate",
    title: "the same delivery again after a success",
};
const CONCURRENT: Scenario = Scenario {
    name: "concurrent-duplicates",
    title: "copies of one delivery at once",
};
const OUT_OF_ORDER: Scenario = Scenario {
    name: "out-of-order",
    title: "a later event before an earlier one",
};

impl Outcome {
    fn new(scenario: Scenario, verdict: Verdict, answer: String, detail: String) -> Outcome {
        Outcome {
            name: scenario.name,
            title: scenario.title,
            verdict,
            answer,
            detail,
        }
    }
}

/// What one sent request came to: an answer, or why there was none.
type Sent = Result<Answer, String>;

fn answered(sent: &Sent) -> String {
    match sent {
        Ok(answer) => format!("{} in {:.0} ms", answer.status, answer.millis()),
        Err(why) => format!("no answer: {why}"),
    }
}

fn is_2xx(sent: &Sent) -> bool {
    sent.as_ref().is_ok_and(|a| (200..300).contains(&a.status))
}

/// Whose sender is played: a provider's, or a bare scheme's.
struct Wire {
    /// The provider, whose fixtures are sent; `None` for a bare scheme.
    descriptor: Option<&'static Descriptor>,
    /// Its name, for the report.
    display: String,
    scheme: hook_sign::Scheme,
    policy: DeliveryPolicy,
}

/// The sender, bent on purpose.
struct Sender<'a> {
    wire: &'a Wire,
    registry: &'a Registry,
    to: &'a str,
    secret: &'a str,
    timeout: Duration,
    rng: fastrand::Rng,
    /// Unique to this run: the start time and the seed.
    run: String,
    /// Events made so far.
    sent: u32,
    /// Deliveries signed so far: each has a delivery id of its own.
    signed: u32,
}

impl Sender<'_> {
    /// A fresh event: the provider's first fixture with a new id and time, or for a bare
    /// scheme a small generic event.
    fn event(&mut self) -> Result<Value, Fail> {
        self.sent += 1;
        let unique = format!("{}{:04}", self.run, self.sent);
        let now = crate::record::now_rfc3339();
        let Some(descriptor) = self.wire.descriptor else {
            return Ok(serde_json::json!({
                "id": format!("evt_{unique}"), "type": "hook.chaos", "created_at": now,
                "data": {"n": self.sent},
            }));
        };
        let Some(fixture) = descriptor.fixtures.first() else {
            return Err(Fail::Usage(format!(
                "{} has no example delivery to send",
                descriptor.display_name
            )));
        };
        let mut body = fixtures::load(descriptor, fixture.event).map_err(Fail::Error)?;
        fixtures::freshen(descriptor, &mut body, &now, &unique);
        Ok(body)
    }

    /// A fresh event as the bytes sent.
    fn event_bytes(&mut self) -> Result<Vec<u8>, Fail> {
        serde_json::to_vec(&self.event()?).map_err(|e| Fail::Error(e.to_string()))
    }

    /// The headers the provider sends with `body`, signed with each of `secrets` as of `at`
    /// (`None`: now).
    fn signed(
        &mut self,
        secrets: &[&str],
        body: &[u8],
        at: Option<u64>,
    ) -> Result<Vec<(String, String)>, Fail> {
        let signer = self.signer(secrets)?;
        self.headers(Some(&signer), body, at)
    }

    fn signer(&self, secrets: &[&str]) -> Result<Signer, Fail> {
        let owned: Vec<String> = secrets.iter().map(|s| (*s).to_owned()).collect();
        crate::signing::signer(self.wire.scheme.clone(), &owned)
    }

    /// A secret that is not the receiver's, in the form the scheme takes.
    fn other_secret(&mut self) -> String {
        if self.wire.scheme.key == hook_sign::KeyFormat::WhsecBase64 {
            use base64::Engine as _;
            let bytes: Vec<u8> = (0..24).map(|_| self.rng.u8(..)).collect();
            format!(
                "whsec_{}",
                base64::engine::general_purpose::STANDARD.encode(bytes)
            )
        } else {
            (0..24).map(|_| self.rng.alphanumeric()).collect()
        }
    }

    /// The headers the provider sends with `body`, signed by `signer` as of `at`.
    fn headers(
        &mut self,
        signer: Option<&Signer>,
        body: &[u8],
        at: Option<u64>,
    ) -> Result<Vec<(String, String)>, Fail> {
        self.signed += 1;
        let id = format!("dlv_{}{:04}", self.run, self.signed);
        hook_emulator::delivery_headers_at(signer, &id, body, at)
            .map_err(|e| Fail::Error(format!("cannot sign: {e}")))
    }

    async fn post(&self, headers: &[(String, String)], body: Vec<u8>) -> Sent {
        send::send("POST", self.to, headers, Bytes::from(body), self.timeout).await
    }

    /// A valid delivery: sent, and its headers and body for repeating it.
    async fn valid(&mut self) -> Result<(Sent, Vec<(String, String)>, Vec<u8>), Fail> {
        let body = self.event_bytes()?;
        let headers = self.signed(&[self.secret], &body, None)?;
        let sent = self.post(&headers, body.clone()).await;
        Ok((sent, headers, body))
    }
}

/// A refusal scenario's verdict: 4xx passes, 5xx warns, 2xx or silence fails.
fn refusal(
    name: &'static str,
    title: &'static str,
    sent: &Sent,
    valid_passed: bool,
    fix: &str,
) -> Outcome {
    let answer = answered(sent);
    let (verdict, detail) = match sent {
        _ if !valid_passed => (
            Verdict::Ungraded,
            "the receiver refuses a valid delivery too, so a refusal proves nothing".to_owned(),
        ),
        Ok(a) if (400..500).contains(&a.status) => (Verdict::Pass, "refused".to_owned()),
        Ok(a) if a.status >= 500 => (
            Verdict::Warn,
            "refused, but as a server error: a provider retries a 5xx; answer 400 or 401"
                .to_owned(),
        ),
        Ok(_) => (Verdict::Fail, format!("accepted: {fix}")),
        Err(_) => (
            Verdict::Fail,
            "no answer: refuse with 4xx at once instead of hanging".to_owned(),
        ),
    };
    Outcome::new(Scenario { name, title }, verdict, answer, detail)
}

/// The count the probe reports, or why it cannot be read.
async fn handled(probe: &str, timeout: Duration) -> Result<u64, String> {
    let answer = send::send("GET", probe, &[], Bytes::new(), timeout).await?;
    if !(200..300).contains(&answer.status) {
        return Err(format!("the probe answered {}", answer.status));
    }
    let value: Value = serde_json::from_slice(&answer.body)
        .map_err(|e| format!("the probe's answer is not JSON: {e}"))?;
    let count = match &value {
        Value::Array(items) => Some(items.len() as u64),
        Value::Number(n) => n.as_u64(),
        Value::Object(map) => map
            .get("handled")
            .and_then(Value::as_array)
            .map(|items| items.len() as u64)
            .or_else(|| map.get("count").and_then(Value::as_u64)),
        _ => None,
    };
    count.ok_or_else(|| {
        "the probe must answer a JSON array, {\"handled\": […]}, {\"count\": N} or N".to_owned()
    })
}

/// The probe's count once it has stopped moving (reads 100 ms apart agree), at least
/// `at_least` if that comes within the settle time; a handler that runs after the answer
/// (an inbox) gets its moment.
async fn settled_count(probe: &str, timeout: Duration, at_least: u64) -> Result<u64, String> {
    let deadline = Instant::now() + timeout.min(Duration::from_secs(5));
    let mut last = handled(probe, timeout).await?;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let now = handled(probe, timeout).await?;
        if (now == last && now >= at_least) || Instant::now() >= deadline {
            return Ok(now);
        }
        last = now;
    }
}

/// Grades "handled exactly `want` more times" from the probe's counts.
fn graded_count(before: u64, after: u64, want: u64, fix: &str) -> (Verdict, String) {
    let got = after.saturating_sub(before);
    if got == want {
        (
            Verdict::Pass,
            format!("handled {want} (probe {before} → {after})"),
        )
    } else if got > want {
        (
            Verdict::Fail,
            format!("handled {got} times, not {want} (probe {before} → {after}): {fix}"),
        )
    } else {
        (
            Verdict::Fail,
            format!("handled {got}, not {want} (probe {before} → {after}): an event was lost"),
        )
    }
}

pub async fn run(args: ChaosArgs, registry: &Registry) -> Result<ExitCode, Fail> {
    let wire = match (args.provider, &args.scheme) {
        (Some(provider), None) => {
            let descriptor = crate::webhooks::known(registry, provider)?;
            Wire {
                descriptor: Some(descriptor),
                display: descriptor.display_name.to_owned(),
                scheme: (descriptor.scheme)(),
                policy: descriptor.delivery,
            }
        }
        (None, Some(scheme)) => Wire {
            descriptor: None,
            display: format!("a {} sender", scheme.name),
            scheme: scheme.clone(),
            policy: DeliveryPolicy::new("the sender's policy is not known to hook"),
        },
        _ => return Err(Fail::Usage("give --provider P or --scheme S".into())),
    };
    send::check_url("--to", &args.to)?;
    if let Some(probe) = &args.probe {
        send::check_url("--probe", probe)?;
    }
    crate::signing::signer(wire.scheme.clone(), std::slice::from_ref(&args.secret))?;
    let seed = args.seed.unwrap_or_else(|| fastrand::u64(..));
    let report = grade(&args, registry, &wire, seed).await?;
    let failed = report.iter().any(|o| o.verdict == Verdict::Fail);
    if args.json {
        print_json(&args, &wire, seed, &report);
    } else {
        print_card(&args, &wire, seed, &report);
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[allow(clippy::too_many_lines)] // one scenario after another, each short
async fn grade(
    args: &ChaosArgs,
    registry: &Registry,
    wire: &Wire,
    seed: u64,
) -> Result<Vec<Outcome>, Fail> {
    let scheme = &wire.scheme;
    let mut s = Sender {
        wire,
        registry,
        to: &args.to,
        secret: &args.secret,
        timeout: args.timeout,
        rng: fastrand::Rng::with_seed(seed),
        run: format!("{}{:x}", crate::record::unix_millis(), seed % 0xfff),
        sent: 0,
        signed: 0,
    };
    let mut report = Vec::new();
    let policy = &wire.policy;
    let provider_name = wire.display.as_str();

    // 1. A valid delivery, and how fast it is answered.
    let (sent, _, _) = s.valid().await?;
    let valid_passed = is_2xx(&sent);
    report.push(Outcome {
        name: "valid",
        title: "a valid delivery",
        verdict: if valid_passed {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        answer: answered(&sent),
        detail: if valid_passed {
            "accepted".into()
        } else {
            format!(
                "a valid {provider_name} delivery was not accepted: check the secret and the \
                 scheme ({}); {}",
                scheme.name, policy.consequence
            )
        },
    });
    let limit = policy.timeout.unwrap_or(Duration::from_secs(10));
    let whose = if policy.timeout.is_some() {
        format!("{provider_name} waits {} s", limit.as_secs())
    } else {
        format!(
            "{provider_name} publishes no timeout; hook's guideline is {} s",
            limit.as_secs()
        )
    };
    report.push(match &sent {
        Ok(answer) if answer.latency < limit / 2 => Outcome {
            name: "latency",
            title: "answer time",
            verdict: Verdict::Pass,
            answer: answered(&sent),
            detail: format!("well within the timeout ({whose})"),
        },
        Ok(answer) if answer.latency < limit => Outcome {
            name: "latency",
            title: "answer time",
            verdict: Verdict::Warn,
            answer: answered(&sent),
            detail: format!(
                "over half the timeout ({whose}): acknowledge first, handle after (an inbox)"
            ),
        },
        _ => Outcome {
            name: "latency",
            title: "answer time",
            verdict: Verdict::Fail,
            answer: answered(&sent),
            detail: format!(
                "not answered within the timeout ({whose}): {}",
                policy.consequence
            ),
        },
    });

    // 2. Forgeries and mistakes that must be refused.
    let body = s.event_bytes()?;
    let headers = s.signed(&[args.secret.as_str()], &body, None)?;
    let mut tampered = body.clone();
    let spots: Vec<usize> = (0..tampered.len())
        .filter(|i| tampered[*i].is_ascii_alphanumeric())
        .collect();
    if !spots.is_empty() {
        let at = spots[s.rng.usize(..spots.len())];
        let was = tampered[at];
        tampered[at] = if was == b'x' { b'y' } else { b'x' };
    }
    let sent = s.post(&headers, tampered).await;
    report.push(refusal(
        "tampered-body",
        "a tampered body",
        &sent,
        valid_passed,
        "verify the signature over the raw body before anything else",
    ));

    let body = s.event_bytes()?;
    let wrong = s.other_secret();
    let headers = s.signed(&[wrong.as_str()], &body, None)?;
    let sent = s.post(&headers, body).await;
    report.push(refusal(
        "wrong-secret",
        "signed with another secret",
        &sent,
        valid_passed,
        "the signature is not checked against your secret",
    ));

    let body = s.event_bytes()?;
    let headers = s.headers(None, &body, None)?;
    let sent = s.post(&headers, body).await;
    report.push(refusal(
        "missing-signature",
        "no signature header",
        &sent,
        valid_passed,
        "a delivery without a signature must be refused, not let through",
    ));

    let other = s
        .registry
        .providers()
        .iter()
        .map(|d| (d.scheme)())
        .find(|other| other.signature_header != scheme.signature_header);
    report.push(match other {
        Some(other) => {
            let body = s.event_bytes()?;
            let name = other.name.to_string();
            let signer = crate::signing::signer(other, std::slice::from_ref(&args.secret))?;
            let headers = s.headers(Some(&signer), &body, None)?;
            let sent = s.post(&headers, body).await;
            let mut outcome = refusal(
                "other-provider",
                "another provider's signature",
                &sent,
                valid_passed,
                "only this provider's signature header may be trusted",
            );
            outcome.detail = format!("{} ({name}'s scheme, same secret)", outcome.detail);
            outcome
        }
        None => not_applicable(
            "other-provider",
            "another provider's signature",
            "no other provider in this build signs with another header",
        ),
    });

    for (name, title, ahead) in [
        ("stale-timestamp", "a stale timestamp", false),
        ("future-timestamp", "a timestamp from the future", true),
    ] {
        let tolerance = scheme.tolerance.filter(|_| scheme.uses_timestamp());
        let Some(tolerance) = tolerance else {
            report.push(not_applicable(
                name,
                title,
                &format!("{provider_name} signs no timestamp"),
            ));
            continue;
        };
        let now = crate::record::unix_millis() / 1000;
        let now = u64::try_from(now).unwrap_or(u64::MAX);
        let skew = tolerance.as_secs() + 60;
        let at = if ahead {
            now + skew
        } else {
            now.saturating_sub(skew)
        };
        let body = s.event_bytes()?;
        let headers = s.signed(&[args.secret.as_str()], &body, Some(at))?;
        let sent = s.post(&headers, body).await;
        report.push(refusal(
            name,
            title,
            &sent,
            valid_passed,
            &format!(
                "refuse timestamps more than {} s away: a replayed delivery gets through",
                tolerance.as_secs()
            ),
        ));
    }

    let event = s.event()?;
    let compact = serde_json::to_vec(&event).map_err(|e| e.to_string())?;
    let pretty = serde_json::to_vec_pretty(&event).map_err(|e| e.to_string())?;
    let headers = s.signed(&[args.secret.as_str()], &compact, None)?;
    let sent = s.post(&headers, pretty).await;
    report.push(refusal(
        "reserialized-body",
        "the same JSON, other bytes",
        &sent,
        valid_passed,
        "the signature was checked against re-serialized JSON; verify the raw bytes as \
         received, before parsing",
    ));

    // 3. A secret rotation's overlap: old and new signatures in one header.
    report.push(
        if matches!(scheme.layout, hook_sign::Layout::Separated { .. }) {
            let body = s.event_bytes()?;
            let old = s.other_secret();
            let headers = s.signed(&[old.as_str(), args.secret.as_str()], &body, None)?;
            let sent = s.post(&headers, body).await;
            let pass = is_2xx(&sent);
            Outcome {
                name: "rotated-secret",
                title: "old and new signatures during a rotation",
                verdict: if pass { Verdict::Pass } else { Verdict::Fail },
                answer: answered(&sent),
                detail: if pass {
                    "accepted on the signature that matches".into()
                } else {
                    "refused: accept a delivery when any of its signatures verifies".into()
                },
            }
        } else {
            not_applicable(
                "rotated-secret",
                "old and new signatures during a rotation",
                &format!("{provider_name} sends one signature per delivery"),
            )
        },
    );

    // 4. An oversized body, then a valid delivery: still answered.
    let mut big = br#"{"padding":""#.to_vec();
    let size = usize::try_from(args.oversize).unwrap_or(usize::MAX);
    big.resize(size.max(16), b'a');
    big.extend_from_slice(br#""}"#);
    let headers = s.signed(&[args.secret.as_str()], &big, None)?;
    let sent = s.post(&headers, big).await;
    let (after, _, _) = s.valid().await?;
    let refused = match &sent {
        Ok(a) => !(200..300).contains(&a.status),
        Err(_) => true, // the connection was closed on it: refused
    };
    report.push(Outcome {
        name: "oversized-body",
        title: "an oversized body, then a valid one",
        verdict: match (refused, is_2xx(&after)) {
            (true, true) => Verdict::Pass,
            _ => Verdict::Fail,
        },
        answer: format!("{}; then {}", answered(&sent), answered(&after)),
        detail: match (refused, is_2xx(&after)) {
            (true, true) => format!("refused {} bytes and still answers", args.oversize),
            (false, _) => format!(
                "accepted {} bytes: cap the body size (1 MiB is plenty for {provider_name})",
                args.oversize
            ),
            (true, false) => "the receiver stopped answering after it: a large request must \
                              not take it down"
                .into(),
        },
    });

    // 5. Repeats, racing copies, and an out-of-order pair, graded by the probe.
    report.extend(repeats(&mut s, args, seed).await?);
    Ok(report)
}

fn not_applicable(name: &'static str, title: &'static str, why: &str) -> Outcome {
    let scenario = Scenario { name, title };
    Outcome::new(
        scenario,
        Verdict::NotApplicable,
        "not sent".into(),
        why.to_owned(),
    )
}

const DEDUPE: &str = "deduplicate on the delivery's idempotency key (hook-receiver's \
                      IdempotencyLayer, or `hook listen --idempotency`)";

/// The duplicate and ordering scenarios.
async fn repeats(s: &mut Sender<'_>, args: &ChaosArgs, seed: u64) -> Result<Vec<Outcome>, Fail> {
    let mut out = Vec::new();
    let probe = args.probe.as_deref();
    let timeout = args.timeout;
    let count = |at_least: u64| async move {
        match probe {
            Some(probe) => settled_count(probe, timeout, at_least).await.map(Some),
            None => Ok(None),
        }
    };

    // An exact duplicate after a success.
    let before = count(0).await;
    let (first, headers, body) = s.valid().await?;
    let mid = match &before {
        Ok(Some(n)) => count(n + 1).await,
        other => other.clone(),
    };
    let again = s.post(&headers, body).await;
    let after = match mid {
        Ok(Some(n)) => count(n).await,
        other => other,
    };
    let answer = format!("{}; again {}", answered(&first), answered(&again));
    out.push(if !is_2xx(&first) {
        let detail = "the first copy was not accepted".into();
        Outcome::new(DUPLICATE, Verdict::Ungraded, answer, detail)
    } else if !is_2xx(&again) {
        let detail = "a repeat must be acknowledged with 2xx, or the provider keeps retrying it";
        Outcome::new(DUPLICATE, Verdict::Fail, answer, detail.into())
    } else {
        let counted = by_probe(&before, &after, 1, "acknowledged");
        counted.card(DUPLICATE, answer)
    });

    // Concurrent copies of one delivery, as a sender's retry racing its first attempt.
    let copies = 2 + (seed % 4) as usize;
    let before = count(0).await;
    let body = s.event_bytes()?;
    let headers = s.signed(&[args.secret.as_str()], &body, None)?;
    let sends = (0..copies).map(|_| s.post(&headers, body.clone()));
    let answers = futures_util::future::join_all(sends).await;
    let accepted = answers.iter().filter(|a| is_2xx(a)).count();
    let statuses: Vec<String> = answers.iter().map(answered).collect();
    let answer = statuses.join(", ");
    let after = match &before {
        Ok(Some(n)) => count(n + 1).await,
        other => other.clone(),
    };
    out.push(if answers.iter().all(Result::is_err) {
        let detail = "none of the copies was answered".into();
        Outcome::new(CONCURRENT, Verdict::Fail, answer, detail)
    } else {
        let counted = by_probe(&before, &after, 1, "");
        let counted = counted.said(&format!("{copies} copies, {accepted} acknowledged"));
        counted.card(CONCURRENT, answer)
    });

    // Two events out of order: the later one first, the earlier one signed 30 s before.
    let before = count(0).await;
    let now = u64::try_from(crate::record::unix_millis() / 1000).unwrap_or(u64::MAX);
    let early = s.event_bytes()?;
    let late = s.event_bytes()?;
    let signer = s.signer(&[args.secret.as_str()])?;
    let early_headers = s.headers(Some(&signer), &early, Some(now.saturating_sub(30)))?;
    let late_headers = s.headers(Some(&signer), &late, Some(now))?;
    let second = s.post(&late_headers, late).await;
    let first = s.post(&early_headers, early).await;
    let answer = format!("later {}; earlier {}", answered(&second), answered(&first));
    let after = match &before {
        Ok(Some(n)) => count(n + 2).await,
        other => other.clone(),
    };
    let both = is_2xx(&first) && is_2xx(&second);
    out.push(if both {
        let counted = by_probe(&before, &after, 2, "both accepted");
        counted.pass_without_probe().card(OUT_OF_ORDER, answer)
    } else {
        let detail = "both must be accepted: providers do not promise order; order by the \
                      event's own time, never drop the earlier one";
        Outcome::new(OUT_OF_ORDER, Verdict::Fail, answer, detail.into())
    });
    Ok(out)
}

/// What the probe's counts say of a repeat scenario.
enum Counted {
    /// Graded from the counts.
    Graded(Verdict, String),
    /// The probe could not be read.
    Unreadable(String),
    /// No probe: what the answers alone said.
    NoProbe(Verdict, String),
}

/// Grades "handled `want` more times" from the counts before and after, when there are.
fn by_probe(
    before: &Result<Option<u64>, String>,
    after: &Result<Option<u64>, String>,
    want: u64,
    answers_said: &str,
) -> Counted {
    match (before, after) {
        (Ok(Some(before)), Ok(Some(after))) => {
            let (verdict, detail) = graded_count(*before, *after, want, DEDUPE);
            Counted::Graded(verdict, detail)
        }
        (Err(why), _) | (_, Err(why)) => Counted::Unreadable(why.clone()),
        _ => {
            let said = format!(
                "{answers_said}; no --probe: the receiver's handled events cannot be counted"
            );
            Counted::NoProbe(Verdict::Ungraded, said.trim_start_matches("; ").to_owned())
        }
    }
}

impl Counted {
    /// The same with `prefix` before what it says.
    fn said(self, prefix: &str) -> Counted {
        match self {
            Counted::Graded(v, d) => Counted::Graded(v, format!("{prefix}; {d}")),
            Counted::NoProbe(v, d) => Counted::NoProbe(v, format!("{prefix}; {d}")),
            unreadable @ Counted::Unreadable(_) => unreadable,
        }
    }

    /// Without a probe, what the answers showed passes (nothing to count was at stake).
    fn pass_without_probe(self) -> Counted {
        match self {
            Counted::NoProbe(_, d) => Counted::NoProbe(Verdict::Pass, d),
            other => other,
        }
    }

    fn card(self, scenario: Scenario, answer: String) -> Outcome {
        match self {
            Counted::Graded(v, d) | Counted::NoProbe(v, d) => Outcome::new(scenario, v, answer, d),
            Counted::Unreadable(why) => probe_failed(scenario, answer, &why),
        }
    }
}

fn probe_failed(scenario: Scenario, answer: String, why: &str) -> Outcome {
    let detail = format!("the probe could not be read: {why}");
    Outcome::new(scenario, Verdict::Fail, answer, detail)
}

fn tally(report: &[Outcome]) -> [(Verdict, usize); 5] {
    [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Warn,
        Verdict::Ungraded,
        Verdict::NotApplicable,
    ]
    .map(|v| (v, report.iter().filter(|o| o.verdict == v).count()))
}

fn print_card(args: &ChaosArgs, wire: &Wire, seed: u64, report: &[Outcome]) {
    println!(
        "hook chaos: {} → {}  (seed {seed}; repeat with --seed {seed})",
        wire.display, args.to
    );
    for o in report {
        println!(
            "  {:<8} {:<22} {:<40} {}",
            o.verdict.word(),
            o.name,
            o.answer,
            o.detail
        );
    }
    let counts: Vec<String> = tally(report)
        .iter()
        .map(|(v, n)| format!("{n} {}", v.word()))
        .collect();
    println!("{}", counts.join(", "));
}

fn print_json(args: &ChaosArgs, wire: &Wire, seed: u64, report: &[Outcome]) {
    let scenarios: Vec<Value> = report
        .iter()
        .map(|o| {
            serde_json::json!({
                "name": o.name, "title": o.title, "verdict": o.verdict.word().to_lowercase(),
                "answer": o.answer, "detail": o.detail,
            })
        })
        .collect();
    let mut doc = serde_json::json!({
        "provider": wire.descriptor.map(|d| d.provider.as_str()),
        "scheme": wire.scheme.name,
        "to": args.to,
        "seed": seed,
        "scenarios": scenarios,
    });
    for (verdict, n) in tally(report) {
        doc[verdict.word().to_lowercase().replace('/', "")] = n.into();
    }
    println!("{doc}");
}
