//! `cargo xtask bench`: run the criterion benchmarks, then write their figures and the
//! verdict on each target into BENCHMARKS.md between marker comments.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::{Result, cargo};

const SIZES: [(&str, f64); 4] = [
    ("64B", 64.0),
    ("1KiB", 1024.0),
    ("64KiB", 65_536.0),
    ("1MiB", 1_048_576.0),
];
const SCHEMES: [&str; 3] = ["generic", "uipath", "standard_webhooks"];

/// Runs every benchmark, then rewrites BENCHMARKS.md; with `report_only`, rewrites it
/// from the figures criterion stored last time.
pub(crate) fn run(root: &Path, report_only: bool) -> Result {
    if !report_only {
        benches(root)?;
    }
    report_all(root)
}

/// Measures the cold builds only, then rewrites what BENCHMARKS.md has figures for.
pub(crate) fn builds_only(root: &Path) -> Result {
    builds(root)?;
    report_all(root)
}

fn benches(root: &Path) -> Result {
    builds(root)?;
    crate::run(
        "cargo bench (hook-sign)",
        cargo().args(["bench", "-p", "hook-sign", "--bench", "sign_verify"]),
    )?;
    crate::run(
        "cargo bench (hook-sign receiver)",
        cargo().args([
            "bench",
            "-p",
            "hook-sign",
            "--features",
            "tower,axum",
            "--bench",
            "receiver",
        ]),
    )?;
    crate::servers::provision()?;
    crate::run(
        "cargo bench (hook-receiver)",
        cargo().args([
            "bench",
            "-p",
            "hook-receiver",
            "--all-features",
            "--bench",
            "receiver",
        ]),
    )?;
    crate::run(
        "cargo bench (hook-receiver inbox)",
        cargo().args([
            "bench",
            "-p",
            "hook-receiver",
            "--all-features",
            "--bench",
            "inbox",
        ]),
    )?;
    crate::run(
        "cargo bench (hook-emulator)",
        cargo().args(["bench", "-p", "hook-emulator", "--bench", "emulator"]),
    )?;
    crate::run(
        "cargo bench (hook-http)",
        cargo().args(["bench", "-p", "hook-http", "--bench", "transport"]),
    )
}

fn report_all(root: &Path) -> Result {
    let criterion = root.join("target/criterion");
    let sections = [
        ("builds", builds_report(root)),
        ("hook-sign", report(&criterion)),
        ("receiver", receiver_report(&criterion)),
        ("idempotency", idempotency_report(&criterion)),
        ("inbox", inbox_report(&criterion)),
        ("hook-emulator", emulator_report(&criterion)),
        ("port-ingest", ingest_report(&criterion)),
        ("hook-http", transport_report(&criterion)),
    ];
    let path = root.join("BENCHMARKS.md");
    let mut text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut written = 0;
    for (name, section) in sections {
        match section {
            Ok(table) => {
                println!("\n{table}");
                text = replace_section(&text, name, &table)?;
                written += 1;
            }
            // A section whose figures are not there (a benchmark not run yet) stays as it is.
            Err(e) => println!("\n{name}: left as it was ({e})"),
        }
    }
    if written == 0 {
        return Err("no figures to report: run `cargo xtask bench` first".into());
    }
    fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("updated {}", path.display());
    Ok(())
}

/// The crypto providers a cold build is measured with: (name, cargo feature flags).
const PROVIDERS: [(&str, &[&str]); 2] = [
    ("ring (default)", &[]),
    (
        "aws-lc-rs",
        &["--no-default-features", "--features", "aws-lc-rs"],
    ),
];

/// Where `builds` keeps its figures for `--report-only`.
fn builds_file(root: &Path) -> std::path::PathBuf {
    root.join("target/xtask-builds.txt")
}

/// Cold debug builds of one provider crate (`hook-port`), each in an empty target
/// directory with the registry cached, once per crypto provider; hook-sign's normal
/// dependency count with default features; and `cargo xtask ci` on a fresh clone. Written
/// to `target/xtask-builds.txt`.
fn builds(root: &Path) -> Result {
    let mut lines = Vec::new();
    for (name, flags) in PROVIDERS {
        let dir = root.join("target/xtask-cold-build");
        let _ = fs::remove_dir_all(&dir);
        let started = std::time::Instant::now();
        crate::run(
            &format!("cold debug build of hook-port, {name}"),
            cargo()
                .args(["build", "--quiet", "-p", "hook-port"])
                .args(flags)
                .env("CARGO_TARGET_DIR", &dir),
        )?;
        lines.push(format!("{name}\t{:.1}", started.elapsed().as_secs_f64()));
        let _ = fs::remove_dir_all(&dir);
    }
    let crates = crate::hook_sign_crates()?;
    lines.push(format!("hook-sign crates\t{}", crates.len()));
    lines.extend(fresh_ci(root)?);
    fs::write(builds_file(root), lines.join("\n"))
        .map_err(|e| format!("cannot write the build figures: {e}"))
}

/// `cargo xtask ci` in a fresh clone of the committed HEAD, with an empty target
/// directory (the registry cached): the total and each step's seconds, as lines
/// `ci\t<seconds>` and `ci step <name>\t<seconds>`.
fn fresh_ci(root: &Path) -> Result<Vec<String>> {
    let dir = root.join("target/xtask-fresh-ci");
    let _ = fs::remove_dir_all(&dir);
    let clone = dir.join("main");
    crate::run(
        "clone HEAD for a fresh CI run",
        Command::new("git")
            .arg("clone")
            .arg("--quiet")
            .arg(root)
            .arg(&clone),
    )?;
    let spec = root.join("../shared/specs/uipath-orchestrator-webhooks.openapi.yaml");
    println!(
        "\n=== cargo xtask ci in {} (takes minutes)",
        clone.display()
    );
    let started = std::time::Instant::now();
    let output = cargo()
        .args(["xtask", "ci"])
        .current_dir(&clone)
        .env("CARGO_TARGET_DIR", clone.join("target"))
        .env("HOOK_UIPATH_SPEC", spec)
        .output()
        .map_err(|e| format!("cannot run cargo xtask ci: {e}"))?;
    let total = started.elapsed().as_secs_f64();
    let _ = fs::remove_dir_all(&dir);
    // Kept whole, so a failure can be read: the run's own output is long.
    let log = root.join("target/xtask-fresh-ci.log");
    let mut text = output.stdout.clone();
    text.extend_from_slice(&output.stderr);
    let _ = fs::write(&log, &text);
    if !output.status.success() {
        return Err(format!(
            "cargo xtask ci failed in the fresh clone: {} (the whole output: {})",
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .last()
                .unwrap_or_default(),
            log.display()
        ));
    }
    let mut lines = vec![format!("ci\t{total:.0}")];
    // Steps print `=== <name>: ok in <seconds> s`.
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        if let Some((name, rest)) = line
            .strip_prefix("=== ")
            .and_then(|l| l.rsplit_once(": ok in "))
            && let Some(seconds) = rest.strip_suffix(" s")
        {
            lines.push(format!("ci step {name}\t{seconds}"));
        }
    }
    Ok(lines)
}

fn builds_report(root: &Path) -> Result<String> {
    let path = builds_file(root);
    let text = fs::read_to_string(&path).map_err(|e| {
        format!(
            "cannot read {}: run `cargo xtask bench` first: {e}",
            path.display()
        )
    })?;
    let figure = |key: &str| -> Result<f64> {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix('\t')))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("{} has no figure for {key}", path.display()))
    };
    let mut out = verdict_table("build");
    for (name, _) in PROVIDERS {
        let seconds = figure(name)?;
        let (target, met) = if name.starts_with("ring") {
            ("≤ 25 s", verdict(seconds <= 25.0))
        } else {
            ("none (for comparison)", "—")
        };
        out.push_str(&format!(
            "| cold debug build of hook-port, TLS crypto from {name} | {seconds:.1} s | {target} | {met} |\n"
        ));
    }
    let crates = figure("hook-sign crates")?;
    out.push_str(&format!(
        "| hook-sign's normal dependency tree, default features | {crates:.0} crates | ≤ 16 | {} |\n",
        verdict(crates <= 16.0)
    ));
    let ci = figure("ci")?;
    out.push_str(&format!(
        "| `cargo xtask ci` on a fresh clone, empty target directory | {:.1} min | ≤ 10 min | {} |\n",
        ci / 60.0,
        verdict(ci <= 600.0)
    ));
    out.push_str("\nWhere the fresh CI run's time goes:\n\n| step | seconds |\n|---|---|\n");
    for line in text.lines() {
        if let Some((name, seconds)) = line
            .strip_prefix("ci step ")
            .and_then(|l| l.split_once('\t'))
        {
            out.push_str(&format!("| {name} | {seconds} |\n"));
        }
    }
    Ok(out)
}

/// Replaces what stands between `<!-- xtask bench: NAME begin -->` and `… end -->`.
fn replace_section(text: &str, name: &str, table: &str) -> Result<String> {
    let begin = format!("<!-- xtask bench: {name} begin -->");
    let end = format!("<!-- xtask bench: {name} end -->");
    let (Some(start), Some(stop)) = (text.find(&begin), text.find(&end)) else {
        return Err(format!("BENCHMARKS.md lacks the {begin} … {end} markers"));
    };
    Ok(format!(
        "{}{begin}\n{table}\n{}",
        &text[..start],
        &text[stop..]
    ))
}

/// The line every measured section opens with: when and where.
fn measured_on() -> String {
    format!("Measured {} on {}.\n\n", today(), machine())
}

/// [`measured_on`], then the head of a table of `first` / measured / target / verdict.
fn verdict_table(first: &str) -> String {
    let mut out = measured_on();
    out.push_str(&format!(
        "| {first} | measured | target | verdict |\n|---|---|---|---|\n"
    ));
    out
}

/// Elements per second of one benchmark with `elements` per iteration.
fn per_second(criterion: &Path, group: &str, function: &str, elements: f64) -> Result<f64> {
    let ns = mean_ns_at(&criterion.join(group).join(function))?;
    Ok(elements * 1e9 / ns)
}

fn transport_report(criterion: &Path) -> Result<String> {
    let sdk = mean_ns_at(&criterion.join("get/sdk"))?;
    let bare = mean_ns_at(&criterion.join("get/reqwest"))?;
    let in_flight = per_second(criterion, "in_flight", "sdk_64", 64.0)?;
    let ratio = sdk / bare;
    let mut out = verdict_table("benchmark");
    out.push_str(&format!(
        "| one GET through the SDK vs a bare reqwest client | {} vs {}: ratio {ratio:.3} | ≤ 1.10 | {} |\n",
        time(sdk),
        time(bare),
        verdict(ratio <= 1.10)
    ));
    out.push_str(&format!(
        "| 64 GETs in flight through one client | {in_flight:.0} requests/s | none | — |\n"
    ));
    Ok(out)
}

fn receiver_report(criterion: &Path) -> Result<String> {
    let plain = per_second(criterion, "receiver", "plain", 64.0)?;
    let verifying = per_second(criterion, "receiver", "verifying", 64.0)?;
    let ratio = verifying / plain;
    let mut out = verdict_table("benchmark");
    out.push_str(&format!(
        "| the same axum app, signed 1 KiB deliveries, 64 in flight: with `VerifyLayer` vs without | {verifying:.0} vs {plain:.0} requests/s: ratio {ratio:.3} | ≥ 0.95 | {} |\n",
        verdict(ratio >= 0.95)
    ));
    Ok(out)
}

/// The idempotency layer per store against verification alone (issue 22's goals).
fn idempotency_report(criterion: &Path) -> Result<String> {
    let base = per_second(criterion, "idempotency", "no_store", 64.0)?;
    let mut out = verdict_table("store (64 in flight, every delivery a new key)");
    out.push_str(&format!(
        "| none: `VerifyLayer` alone | {base:.0} requests/s | — | — |\n"
    ));
    let rows: [(&str, &str, Option<f64>); 4] = [
        ("memory", "`MemoryStore`", Some(0.95)),
        (
            "redis",
            "`RedisStore`, append-only file synced every second",
            Some(0.5),
        ),
        (
            "postgres",
            "`PostgresStore`, PostgreSQL's durable defaults",
            Some(0.25),
        ),
        (
            "postgres_async_commit",
            "`PostgresStore`, `synchronous_commit=off` for its sessions",
            None,
        ),
    ];
    for (function, label, goal) in rows {
        let rate = per_second(criterion, "idempotency", function, 64.0)?;
        let ratio = rate / base;
        let (target, met) = match goal {
            Some(goal) => (format!("≥ {goal:.2}"), verdict(ratio >= goal)),
            None => ("none".to_owned(), "—"),
        };
        out.push_str(&format!(
            "| {label} | {rate:.0} requests/s: ratio {ratio:.3} | {target} | {met} |\n"
        ));
    }
    Ok(out)
}

/// The durable inbox: deliveries stored per second and acknowledgement latency (issue 24's
/// goals).
fn inbox_report(criterion: &Path) -> Result<String> {
    let path = criterion.join("inbox/latency.json");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let figure = |store: &str, name: &str| -> Result<f64> {
        // {"sqlite":{"p50_ms":0.4,"p99_ms":0.7},…}: the number after `"name":` in the
        // store's object.
        let object = &text[text
            .find(&format!("\"{store}\""))
            .ok_or_else(|| format!("{}: no {store}", path.display()))?..];
        let at = object
            .find(&format!("\"{name}\":"))
            .ok_or_else(|| format!("{}: no {store}.{name}", path.display()))?;
        let rest = &object[at + name.len() + 3..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
            .unwrap_or(rest.len());
        rest[..end]
            .parse()
            .map_err(|e| format!("{}: {store}.{name}: {e}", path.display()))
    };
    let mut out = verdict_table("the inbox's endpoint, app stalled, signed 1 KiB deliveries");
    for (store, label, rate_goal, p99_goal) in [
        (
            "sqlite",
            "SQLite file (WAL, synchronous FULL)",
            5000.0,
            Some(20.0),
        ),
        ("postgres", "PostgreSQL, durable defaults", 1000.0, None),
    ] {
        let rate = per_second(criterion, "inbox", &format!("{store}_64"), 64.0)?;
        out.push_str(&format!(
            "| {label}: stored per second, 64 in flight | {rate:.0} deliveries/s | ≥ {rate_goal:.0} | {} |\n",
            verdict(rate >= rate_goal)
        ));
        let (p50, p99) = (figure(store, "p50_ms")?, figure(store, "p99_ms")?);
        let (target, met) = match p99_goal {
            Some(goal) => (format!("p99 ≤ {goal:.0} ms"), verdict(p99 <= goal)),
            None => ("none".to_owned(), "—"),
        };
        out.push_str(&format!(
            "| {label}: acknowledgement, one in flight | p50 {p50:.2} ms, p99 {p99:.2} ms | {target} | {met} |\n"
        ));
    }
    Ok(out)
}

/// A Port ingest of 500 items through the emulator (issue 23's goal).
fn ingest_report(criterion: &Path) -> Result<String> {
    let ns = mean_ns_at(&criterion.join("ingest/items_500"))?;
    let mut out = verdict_table("benchmark");
    out.push_str(&format!(
        "| a Port ingest of 500 items, two-field mapping, from the POST to the ingest record (release) | {} | ≤ 50 ms | {} |\n",
        time(ns),
        verdict(ns <= 50e6)
    ));
    Ok(out)
}

fn emulator_report(criterion: &Path) -> Result<String> {
    let single = per_second(criterion, "deliveries", "fan_out_1", 1.0)?;
    let fan_out = per_second(criterion, "deliveries", "fan_out_100", 100.0)?;
    let persisted = per_second(criterion, "deliveries", "fan_out_100_state", 100.0)?;
    let crud = per_second(criterion, "crud", "generic_lifecycle", 4.0)?;
    let mut out = verdict_table("benchmark");
    out.push_str(&format!(
        "| signed deliveries, fan-out to 100 webhooks, in memory | {fan_out:.0} deliveries/s | ≥ 30,000/s | {} |\n",
        verdict(fan_out >= 30_000.0)
    ));
    out.push_str(&format!(
        "| signed deliveries, fan-out to 100 webhooks, `--state` (every delivery persisted) | {persisted:.0} deliveries/s | ≥ 5,000/s | {} |\n",
        verdict(persisted >= 5_000.0)
    ));
    out.push_str(&format!(
        "| signed deliveries, 1 webhook, one event at a time | {single:.0} deliveries/s | none (latency-bound) | — |\n"
    ));
    out.push_str(&format!(
        "| CRUD requests (create, get, update, delete), one at a time | {crud:.0} requests/s | none | — |\n"
    ));
    Ok(out)
}

/// Mean time of one benchmark in nanoseconds, from criterion's estimates.json.
fn mean_ns(criterion: &Path, group: &str, function: &str, size: &str) -> Result<f64> {
    mean_ns_at(&criterion.join(group).join(function).join(size))
}

/// Mean time in nanoseconds of the benchmark whose criterion directory is `dir`.
fn mean_ns_at(dir: &Path) -> Result<f64> {
    let path = dir.join("new/estimates.json");
    let text =
        fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // {"mean":{"confidence_interval":{…},"point_estimate":123.4,…},…}: no JSON parser needed
    // for one number, and xtask stays dependency-free.
    let mean = text.find("\"mean\"").ok_or("estimates.json has no mean")?;
    let key = "\"point_estimate\":";
    let at = text[mean..]
        .find(key)
        .ok_or("estimates.json has no point_estimate")?
        + mean
        + key.len();
    let number: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '-' | '+'))
        .collect();
    number
        .parse()
        .map_err(|e| format!("bad point_estimate {number:?} in {}: {e}", path.display()))
}

/// GB/s (10^9 bytes per second) of `bytes` in `ns`.
fn gbps(bytes: f64, ns: f64) -> f64 {
    bytes / ns
}

fn time(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.0} ns")
    }
}

fn report(criterion: &Path) -> Result<String> {
    let mut out = measured_on();
    out.push_str("| size | SHA-256 alone | generic verify | uipath verify | standard_webhooks verify | svix verify | generic sign | standard_webhooks sign |\n");
    out.push_str("|---|---|---|---|---|---|---|---|\n");
    for (size, bytes) in SIZES {
        let cell = |group: &str, function: &str| -> Result<String> {
            let ns = mean_ns(criterion, group, function, size)?;
            Ok(format!("{} ({:.2} GB/s)", time(ns), gbps(bytes, ns)))
        };
        out.push_str(&format!(
            "| {size} | {} | {} | {} | {} | {} | {} | {} |\n",
            cell("verify", "sha256")?,
            cell("verify", "generic")?,
            cell("verify", "uipath")?,
            cell("verify", "standard_webhooks")?,
            cell("verify", "svix")?,
            cell("sign", "generic")?,
            cell("sign", "standard_webhooks")?,
        ));
    }

    out.push_str("\n| target | measured | verdict |\n|---|---|---|\n");
    let sha = mean_ns(criterion, "verify", "sha256", "64KiB")?;
    for scheme in SCHEMES {
        let ns = mean_ns(criterion, "verify", scheme, "64KiB")?;
        let ratio = sha / ns;
        out.push_str(&format!(
            "| {scheme} verify at 64 KiB ≥ 90% of raw SHA-256 | {:.1}% | {} |\n",
            ratio * 100.0,
            verdict(ratio >= 0.90)
        ));
    }
    // (size, target as written, the ratio of verify's time to SHA-256's it allows)
    let small = [
        (
            "1KiB",
            "at 1 KiB ≥ 90% of raw SHA-256's throughput",
            1.0 / 0.90,
        ),
        ("64B", "at 64 B ≤ 2.5× raw SHA-256's time", 2.5),
    ];
    for (size, target, limit) in small {
        let sha = mean_ns(criterion, "verify", "sha256", size)?;
        for scheme in SCHEMES {
            let ratio = mean_ns(criterion, "verify", scheme, size)? / sha;
            let measured = if size == "64B" {
                format!("{ratio:.2}×")
            } else {
                format!("{:.1}%", 100.0 / ratio)
            };
            out.push_str(&format!(
                "| {scheme} verify {target} | {measured} | {} |\n",
                verdict(ratio <= limit)
            ));
        }
    }
    for (size, _) in SIZES {
        let ours = mean_ns(criterion, "verify", "standard_webhooks", size)?;
        let svix = mean_ns(criterion, "verify", "svix", size)?;
        out.push_str(&format!(
            "| standard_webhooks verify ≥ 5× svix at {size} | {:.2}× | {} |\n",
            svix / ours,
            verdict(svix / ours >= 5.0)
        ));
    }
    out.push_str("| no heap allocation per verify (hex and base64 schemes) | `crates/hook-sign/tests/alloc.rs` counts 0 | met, checked by every `cargo test` |\n");
    Ok(out)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**missed**" }
}

/// `YYYY-MM-DD` (UTC) from the system clock.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    // Howard Hinnant's days-to-civil algorithm.
    let z = i64::try_from(secs / 86_400).unwrap_or(0) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The CPU model and core count, as this machine reports them.
fn machine() -> String {
    let cpu = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "an unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let rustc = Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    format!("{cpu}, {cores} cores, {rustc}")
}
