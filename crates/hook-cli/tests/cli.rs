//! The `hook` binary, run as a user runs it.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

#[path = "support/listen.rs"]
mod listen;
use listen::{Listener, WAIT};

fn hook(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hook"))
        .args(args)
        .env_remove("HOOK_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command refused at parse time exits without reading its input: a closed pipe
    // is expected then, and the exit status says the rest.
    match child.stdin.take().unwrap().write_all(stdin) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.unwrap(),
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `hook sign` output as `-H` arguments.
fn headers_of(output: &Output) -> Vec<String> {
    text(&output.stdout)
        .lines()
        .flat_map(|l| ["-H".to_owned(), l.to_owned()])
        .collect()
}

const BODY: &[u8] = br#"{"id": "evt_1", "type": "user.created", "data": {"n": 1}}"#;

/// A UP42 delivery built by hand from UP42's algorithm (HMAC-SHA256 over the listed
/// headers' values), as `-H` arguments, listing `names` out of content-digest,
/// content-type and the delivery id.
fn up42_delivery(body: &[u8], created: u64, names: &[&str]) -> Vec<String> {
    use base64::Engine as _;
    use hmac::{KeyInit as _, Mac as _};
    use sha2::Digest as _;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let digest = format!("sha-256=:{}:", b64(&sha2::Sha256::digest(body)));
    let all = [
        ("content-digest", digest.as_str()),
        ("content-type", "application/json"),
        ("x-up42-delivery-id", "dlv_1"),
    ];
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"up42-secret").unwrap();
    let mut listed = Vec::new();
    for name in names {
        let (name, value) = all.iter().find(|(n, _)| n == name).unwrap();
        mac.update(value.as_bytes());
        listed.push(format!("\"{name}\""));
    }
    let mut args: Vec<String> = all.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    args.push(format!(
        "Signature-Input: up42-sig=({});created={created}",
        listed.join(" ")
    ));
    args.push(format!(
        "Signature: up42-sig={}",
        b64(&mac.finalize().into_bytes())
    ));
    args.into_iter()
        .flat_map(|h| ["-H".to_owned(), h])
        .collect()
}

#[test]
fn verify_up42_accepts_a_real_delivery_and_names_each_refusal() {
    let body = br#"{"event":"job.status","body":{"jobId":"j-1","status":"SUCCEEDED"}}"#;
    let created = 1_700_000_000u64;
    let run = |headers: Vec<String>, body: &[u8], now: u64| {
        let mut args: Vec<String> = [
            "verify",
            "--scheme",
            "up42",
            "--secret",
            "up42-secret",
            "--now",
        ]
        .map(str::to_owned)
        .to_vec();
        args.push(now.to_string());
        args.extend(headers);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = hook(&args, body);
        (output.status.code(), text(&output.stdout))
    };
    let full = ["content-digest", "content-type", "x-up42-delivery-id"];
    let (code, out) = run(up42_delivery(body, created, &full), body, created + 10);
    assert_eq!((code, out.trim()), (Some(0), "valid"));

    let (code, out) = run(up42_delivery(body, created, &full), b"{}", created + 10);
    assert_eq!(code, Some(1));
    assert!(
        out.contains("does not match its signed Content-Digest"),
        "{out}"
    );

    let (code, out) = run(up42_delivery(body, created, &full), body, created + 301);
    assert_eq!(code, Some(1));
    assert!(out.contains("301 seconds behind now"), "{out}");

    // UP42's own sample validator checks no digest: refused by default, the way out and
    // its risk named; with --allow-headers-only the listed headers alone verify.
    let headers_only = ["content-type", "x-up42-delivery-id"];
    let (code, out) = run(up42_delivery(body, created, &headers_only), body, created);
    assert_eq!(code, Some(1));
    assert!(out.contains("covers no body digest"), "{out}");
    assert!(
        out.contains("--allow-headers-only") && out.contains("unauthenticated"),
        "{out}"
    );
    let mut headers = up42_delivery(body, created, &headers_only);
    headers.push("--allow-headers-only".into());
    let (code, out) = run(headers, b"{\"any\":\"body\"}", created);
    assert_eq!((code, out.trim()), (Some(0), "valid"), "{out}");
}

#[test]
fn demo_passes_on_all_four_providers() {
    let output = hook(&["demo"], b"");
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    for name in [
        "UiPath Orchestrator",
        "Port",
        "UP42",
        "Generic /v1/webhooks",
        "all 4 providers passed",
    ] {
        assert!(stdout.contains(name), "{name} missing:\n{stdout}");
    }
    assert!(!stdout.contains("FAIL"));
    assert!(
        !stdout.contains("demo-signing-secret"),
        "the demo prints no secret"
    );
}

#[test]
fn sign_then_verify_round_trips_for_every_scheme() {
    for scheme in hook_sign::PRESETS {
        let secret = if scheme == "standard-webhooks" {
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
        } else {
            "s3cret"
        };
        let signed = hook(&["sign", "--scheme", scheme, "--secret", secret], BODY);
        assert!(
            signed.status.success(),
            "{scheme}: {}",
            text(&signed.stderr)
        );
        let mut args = vec![
            "verify".to_owned(),
            "--scheme".into(),
            scheme.into(),
            "--secret".into(),
            secret.into(),
        ];
        args.extend(headers_of(&signed));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let verified = hook(&args, BODY);
        assert_eq!(
            (verified.status.code(), text(&verified.stdout).trim()),
            (Some(0), "valid"),
            "{scheme}"
        );
        let tampered = hook(&args, b"{}");
        assert_eq!(tampered.status.code(), Some(1), "{scheme}");
    }
}

#[test]
fn rotation_json_and_hyphen_secrets() {
    // Signed with the new secret; the verifier holds both and says which matched.
    let signed = hook(
        &["sign", "--scheme", "stripe", "--secret", "-new", "--json"],
        BODY,
    );
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    let headers: serde_json::Value = serde_json::from_slice(&signed.stdout).unwrap();
    let value = headers["Stripe-Signature"].as_str().unwrap();
    let header = format!("Stripe-Signature: {value}");
    let verify = |extra: &[&str]| {
        let mut args = vec!["verify", "--scheme", "stripe", "-H", &header];
        args.extend(extra);
        hook(&args, BODY)
    };
    let both = verify(&["--secret", "old", "--secret", "-new"]);
    assert_eq!(text(&both.stdout).trim(), "valid (secret 2 of 2)");
    let json = verify(&["--secret", "old", "--secret", "-new", "--json"]);
    let verdict: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        (verdict["valid"].as_bool(), verdict["secret"].as_u64()),
        (Some(true), Some(2))
    );
    let wrong = verify(&["--secret", "old", "--json", "--explain"]);
    assert_eq!(wrong.status.code(), Some(1));
    let verdict: serde_json::Value = serde_json::from_slice(&wrong.stdout).unwrap();
    assert_eq!(verdict["valid"], false);
    assert!(
        verdict["reason"]
            .as_str()
            .unwrap()
            .contains("no signature matched")
    );
    assert!(!verdict["likely"].as_array().unwrap().is_empty());
}

fn explain(scheme: &str, secret: &str, headers: &[String], body: &[u8], extra: &[&str]) -> String {
    let mut args = vec![
        "verify",
        "--explain",
        "--scheme",
        scheme,
        "--secret",
        secret,
    ];
    args.extend(headers.iter().map(String::as_str));
    args.extend(extra);
    let output = hook(&args, body);
    assert_eq!(output.status.code(), Some(1));
    text(&output.stdout)
}

#[test]
fn explain_names_the_common_mistakes() {
    let signed = headers_of(&hook(
        &["sign", "--scheme", "generic", "--secret", "s3cret"],
        BODY,
    ));
    let compact = br#"{"id":"evt_1","type":"user.created","data":{"n":1}}"#;
    assert!(explain("generic", "s3cret", &signed, compact, &[]).contains("re-serialized"));
    assert!(
        explain("generic", "wrong", &signed, BODY, &[])
            .contains("secret is most likely not the sender's")
    );

    // Hex where UiPath's writer puts base64 is accepted; Port's v1 wants base64.
    let hex = text(&hook(&["sign", "--scheme", "generic", "--secret", "s3cret"], BODY).stdout);
    let value = hex.trim().split_once(": ").unwrap().1.to_owned();
    let port = vec![
        "-H".to_owned(),
        format!("x-port-signature: v1,{value}"),
        "-H".into(),
        "x-port-timestamp: 5".into(),
    ];
    let said = explain("port", "s3cret", &port, BODY, &["--now", "5"]);
    assert!(said.contains("hex") || said.contains("prefix"), "{said}");

    let stripe = headers_of(&hook(
        &[
            "sign",
            "--scheme",
            "stripe",
            "--secret",
            "s3cret",
            "--timestamp",
            "1000",
        ],
        BODY,
    ));
    assert!(
        explain("stripe", "s3cret", &stripe, BODY, &["--now", "5000"]).contains("seconds behind")
    );
}

#[test]
fn usage_errors_exit_2_and_failures_exit_1_with_one_line() {
    let unknown = hook(&["sign", "--scheme", "nope", "--secret", "s"], BODY);
    assert_eq!(unknown.status.code(), Some(2));
    let stderr = text(&unknown.stderr);
    // The refusal lists the scheme names, as every --scheme's help does.
    assert!(
        stderr.contains("invalid value 'nope'") && stderr.contains("standard-webhooks"),
        "{stderr}"
    );
    let no_provider = hook(&["webhooks", "list"], b"");
    assert_eq!(no_provider.status.code(), Some(1));
    let stderr = text(&no_provider.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("hook: error: "));
    for command in [
        "demo",
        "emulator",
        "webhooks",
        "deliveries",
        "sign",
        "verify",
        "listen",
        "trigger",
        "replay",
    ] {
        let help = hook(&[command, "--help"], b"");
        assert!(help.status.success(), "{command} --help");
        if ["sign", "verify", "listen", "replay"].contains(&command) {
            let help = text(&help.stdout);
            for scheme in hook_sign::PRESETS {
                assert!(help.contains(scheme), "{command} --help names {scheme}");
            }
        }
    }
    // A malformed secret is a usage error too.
    let malformed = hook(
        &[
            "sign",
            "--scheme",
            "standard-webhooks",
            "--secret",
            "whsec_!!",
        ],
        BODY,
    );
    assert_eq!(
        malformed.status.code(),
        Some(2),
        "{}",
        text(&malformed.stderr)
    );
    let missing = hook(&["sign", "--scheme", "github"], BODY);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("--secret"));
}

#[test]
fn webhook_commands_against_the_emulator() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(hook_emulator::Emulator::builder().start())
        .unwrap();
    let base = emulator.generic_base();
    let key = emulator.credentials().generic.api_key.expose().to_owned();
    let common = [
        "--provider",
        "generic",
        "--base-url",
        base.as_str(),
        "--api-key",
        key.as_str(),
    ];
    let run = |args: &[&str]| {
        let mut all = vec!["webhooks"];
        all.extend(args);
        all.extend(common);
        hook(&all, b"")
    };
    let created = run(&[
        "create",
        "--url",
        "https://x.example/hook",
        "--event",
        "user.created",
        "--secret",
        "hunter2",
        "--json",
    ]);
    assert!(created.status.success(), "{}", text(&created.stderr));
    let json: serde_json::Value = serde_json::from_slice(&created.stdout).unwrap();
    let id = json[0]["id"].as_str().unwrap().to_owned();
    assert!(
        !text(&created.stdout).contains("hunter2"),
        "secrets redacted in JSON"
    );
    let listed = run(&["list"]);
    assert!(text(&listed.stdout).contains(&id));
    assert!(run(&["update", &id, "--enabled", "false"]).status.success());
    assert!(text(&run(&["get", &id]).stdout).contains(" no "));
    assert!(text(&run(&["events"]).stdout).contains("payment.failed"));
    let tested = run(&["test", &id, "--json"]);
    assert!(tested.status.success());
    let event_id = serde_json::from_slice::<serde_json::Value>(&tested.stdout).unwrap()["event_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The delivery log as a table: the test's event is in it (refused: not loopback).
    let log = hook(
        &["deliveries", &id, "--base-url", &base, "--api-key", &key],
        b"",
    );
    assert!(log.status.success(), "{}", text(&log.stderr));
    let table = text(&log.stdout);
    assert!(
        table.starts_with("id ") && table.contains("attempts") && table.contains(&event_id),
        "{table}"
    );
    let log = hook(
        &[
            "deliveries",
            &id,
            "--base-url",
            &base,
            "--api-key",
            &key,
            "--json",
        ],
        b"",
    );
    let json: serde_json::Value = serde_json::from_slice(&log.stdout).unwrap();
    assert_eq!(json[0]["event_id"], event_id.as_str());
    assert!(run(&["delete", &id]).status.success());
    let missing = run(&["get", &id]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(text(&missing.stderr).contains("not found"));
    runtime.block_on(emulator.shutdown());
}

#[test]
fn listen_verifies_and_prints_each_delivery() {
    // Port 0: the listener picks a free port and names it on its first line (a port found
    // free here and released could be taken by another test before `hook` binds it); the
    // secret comes from the environment.
    let listener = Listener::start_with_env(&["--scheme", "generic"], &[("HOOK_SECRET", "s3cret")]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let signed = hook(&["sign", "--scheme", "generic", "--secret", "s3cret"], BODY);
    let header = text(&signed.stdout).trim().to_owned();
    let (name, value) = header.split_once(": ").unwrap();
    let url = format!("{}/orders", listener.url);
    let statuses = runtime.block_on(async {
        let good = client
            .post(&url)
            .header(name, value)
            .body(BODY)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let bad = client
            .post(&url)
            .header(name, value)
            .body("{}")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        (good, bad)
    });
    assert_eq!(statuses, (200, 401));
    let first = listener.lines.recv_timeout(WAIT).unwrap();
    let second = listener.lines.recv_timeout(WAIT).unwrap();
    drop(listener);
    assert!(
        first.contains("valid (generic, secret 1)  POST /hooks/orders")
            && first.contains("user.created"),
        "{first}"
    );
    assert!(
        second.contains("INVALID (generic): no signature matched")
            && second.contains("POST /hooks/orders"),
        "{second}"
    );
}

#[test]
fn extreme_numbers_on_the_command_line_are_errors_not_panics() {
    let max = u64::MAX.to_string();
    // One case a line, split at spaces; `{max}` is u64::MAX.
    let cases = [
        "emulator --port 0 --time-scale 1e300",
        "emulator --port 0 --time-scale -1",
        "emulator --port 0 --time-scale NaN",
        "demo --time-scale 1e-300",
        "sign --scheme stripe --secret s --timestamp {max}",
        "verify --scheme stripe --secret s --now {max} -H Stripe-Signature:t=0,v1=00",
        "verify --scheme port --secret s --now 0 -H x-port-timestamp:99999999999999999999999 -H x-port-signature:v1,AAAA",
        "emulator --port 99999",
        "trigger generic user.created --to http://127.0.0.1:9/ --timeout NaN",
        "trigger generic user.created --to http://127.0.0.1:9/ --timeout 1e300",
        "trigger generic user.created --to http://127.0.0.1:9/ --count {max}",
        "trigger generic user.created --to not-a-url",
        "replay /nonexistent/record.jsonl --to http://127.0.0.1:9/ --timeout -1",
        "listen --scheme generic --secret s --port 0 --timeout inf",
        "listen --scheme generic --secret s --port 0 --forward-to ftp://x/",
    ];
    for case in cases {
        let case = case.replace("{max}", &max);
        let args: Vec<&str> = case.split(' ').collect();
        let output = hook(&args, b"{}");
        let code = output.status.code();
        assert!(
            code.is_some() && code != Some(101),
            "{args:?} panicked or was killed: {code:?}\n{}",
            text(&output.stderr)
        );
        if args[0] == "emulator" {
            assert_ne!(code, Some(0), "{args:?} must not start");
        }
        if ["trigger", "replay", "listen"].contains(&args[0]) {
            assert_eq!(
                code,
                Some(2),
                "{args:?} is a usage error: {}",
                text(&output.stderr)
            );
        }
    }
}

/// Standard Webhooks `v1a`: the CLI signs with a `whsk_` key and verifies with its `whpk_`
/// public key (RFC 8032's first test key), as the library does.
#[test]
fn v1a_signs_with_whsk_and_verifies_with_whpk() {
    let secret = "whsk_nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
    let public = "whpk_11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";
    let signed = hook(
        &["sign", "--scheme", "standard-webhooks", "--secret", secret],
        BODY,
    );
    assert!(signed.status.success(), "{}", text(&signed.stderr));
    assert!(
        text(&signed.stdout).contains("v1a,"),
        "{}",
        text(&signed.stdout)
    );
    let mut args = vec![
        "verify",
        "--scheme",
        "standard-webhooks",
        "--secret",
        public,
    ];
    let headers = headers_of(&signed);
    args.extend(headers.iter().map(String::as_str));
    let verified = hook(&args, BODY);
    assert_eq!(
        (verified.status.code(), text(&verified.stdout).trim()),
        (Some(0), "valid"),
        "{}",
        text(&verified.stderr)
    );
    assert_eq!(hook(&args, b"{}").status.code(), Some(1));
}

/// `standard_webhooks` (and `github_sha1`), as earlier versions spelled them, still work;
/// help lists the `-` spelling.
#[test]
fn underscore_scheme_names_are_accepted() {
    for (alias, secret) in [
        (
            "standard_webhooks",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
        ),
        ("github_sha1", "s3cret"),
    ] {
        let signed = hook(&["sign", "--scheme", alias, "--secret", secret], BODY);
        assert!(signed.status.success(), "{alias}: {}", text(&signed.stderr));
    }
    let help = hook(&["sign", "--help"], b"");
    assert!(text(&help.stdout).contains("standard-webhooks"));
    assert!(!text(&help.stdout).contains("standard_webhooks"));
}

/// `hook trigger` names its provider as every command does (`--provider`), or as the
/// first word; two different ones are a usage error.
#[test]
fn trigger_takes_the_provider_as_a_flag_or_a_word() {
    let listed = hook(&["trigger", "--list", "--provider", "up42", "--json"], b"");
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let events: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    assert!(!events.is_empty() && events.iter().all(|e| e["provider"] == "up42"));
    // Port 9 (discard) on loopback: parsed, then refused by the connection (exit 1, not 2).
    for args in [
        &["trigger", "--provider", "generic", "user.created"][..],
        &["trigger", "generic", "user.created"][..],
        &[
            "trigger",
            "--provider",
            "generic",
            "generic",
            "user.created",
        ][..],
    ] {
        let mut all = args.to_vec();
        all.extend(["--to", "http://127.0.0.1:9/"]);
        assert_eq!(hook(&all, b"").status.code(), Some(1), "{args:?}");
    }
    let twice = hook(
        &[
            "trigger",
            "--provider",
            "up42",
            "generic",
            "user.created",
            "--to",
            "http://127.0.0.1:9/",
        ],
        b"",
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        text(&twice.stderr).contains("two providers"),
        "{}",
        text(&twice.stderr)
    );
}
