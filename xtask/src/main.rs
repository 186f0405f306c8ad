//! Project automation, in plain Rust (matklad's cargo-xtask pattern).
//!
//! ```text
//! cargo xtask ci                      fmt, clippy, docs as docs.rs, packages, tests, conformance, examples, property tests at the CI count
//! cargo xtask proptest [--cases N]    the property tests, deep (default 100000 cases each)
//! cargo xtask bench [--report-only | --builds]   cold builds and criterion benchmarks; rewrites BENCHMARKS.md's tables
//! cargo xtask fuzz [--seconds N]      cargo fuzz on every target (needs nightly and cargo-fuzz)
//! cargo xtask conformance             the client and the emulator against UiPath's OpenAPI
//! cargo xtask layers                  the layering check alone
//! cargo xtask servers                 install Redis, PostgreSQL, Chromium and ChromeDriver for the tests when missing
//! ```

mod bench;
mod fuzz;
mod servers;
mod workspace;

use std::env;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Cases per property in `cargo xtask ci`: deep enough to matter, and with the rest of CI
/// well under 15 minutes on 2 cores (the deep run takes the 100000 of `proptest`).
const CI_CASES: u32 = 20_000;
/// Cases per property in `cargo xtask proptest` unless `--cases` says.
const DEEP_CASES: u32 = 100_000;
/// The property test binaries: signature round trips, and the svix cross-check.
const PROPERTY_TESTS: [&str; 3] = ["props", "svix", "up42"];

type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci(),
        Some("proptest") => cases(&args[1..]).and_then(|n| proptest(n, "deep", Profile::Release)),
        Some("bench") => match &args[1..] {
            [] => bench::run(&root(), false),
            [flag] if flag == "--report-only" => bench::run(&root(), true),
            [flag] if flag == "--builds" => bench::builds_only(&root()),
            other => Err(format!(
                "unexpected arguments {other:?}: bench takes [--report-only | --builds]"
            )),
        },
        Some("fuzz") => fuzz::run(&root(), &args[1..]),
        Some("conformance") => conformance(),
        Some("servers") => servers::provision(),
        Some("layers") => layers(),
        Some("help" | "--help" | "-h") | None => {
            println!("{}", usage());
            Ok(())
        }
        Some(other) => Err(format!("unknown task {other:?}\n\n{}", usage())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> &'static str {
    "usage: cargo xtask <task>\n\n\
     tasks:\n  \
     ci                    cargo fmt --check, clippy -D warnings, rustdoc -D warnings, cargo test,\n                        \
     the conformance suite, and the property tests at the CI case count\n  \
     proptest [--cases N]  the property tests in release mode, N cases each (default 100000)\n  \
     bench [--report-only | --builds] cold builds and criterion benchmarks (--builds: the builds alone), then BENCHMARKS.md's measured tables\n                        \
     (--report-only: rewrite the tables from the last stored figures)\n  \
     fuzz [--seconds N] [--target T]  cargo fuzz (nightly) on each target, N seconds each\n                        \
     (default 600), from the committed seed corpus\n  \
     conformance           hook-uipath and the emulator against UiPath's published OpenAPI\n                        \
     (read from ../shared/specs, or HOOK_UIPATH_SPEC); prints what it checked\n  \
     layers                the layering check alone: cargo tree edges, and no provider named in\n                        \
     the shared layers (provider crates found by their Cargo.toml)\n  \
     servers               install the servers and the browser the tests start (Debian's\n                        \
     redis-server, postgresql, chromium, chromium-driver) when missing; `ci` and `bench` do it first"
}

fn cases(args: &[String]) -> Result<u32> {
    match args {
        [] => Ok(DEEP_CASES),
        [flag, n] if flag == "--cases" => n
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("--cases takes a whole number above zero, not {n:?}")),
        other => Err(format!(
            "unexpected arguments {other:?}: proptest takes [--cases N]"
        )),
    }
}

/// The workspace root: xtask's manifest directory's parent.
fn root() -> PathBuf {
    let manifest =
        env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| PathBuf::from("xtask"), PathBuf::from);
    manifest
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Where cargo builds: `CARGO_TARGET_DIR`, else `target/` at the root.
fn target_dir() -> PathBuf {
    env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

/// Removes what an earlier `cargo package` left in cargo's registry cache for this
/// workspace's own crates. Verification unpacks each package under the crates.io source
/// directory by name and version, and a later run reuses a directory that is there: a
/// second `cargo xtask ci` on one machine would build the first run's sources.
fn forget_unpacked_packages() -> Result {
    let home = env::var_os("CARGO_HOME").map_or_else(
        || PathBuf::from(env::var_os("HOME").unwrap_or_default()).join(".cargo"),
        PathBuf::from,
    );
    let ours: Vec<String> = std::fs::read_dir(root().join("crates"))
        .map_err(|e| format!("cannot read crates/: {e}"))?
        .flatten()
        .map(|entry| format!("{}-", entry.file_name().to_string_lossy()))
        .collect();
    for kind in ["src", "cache"] {
        let Ok(indexes) = std::fs::read_dir(home.join("registry").join(kind)) else {
            continue;
        };
        for index in indexes.flatten() {
            let Ok(entries) = std::fs::read_dir(index.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                // `hook-http-0.1.0` or `hook-http-0.1.0.crate`, not `hook-http-extra-…`.
                let version_follows = |prefix: &String| {
                    name.strip_prefix(prefix.as_str())
                        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
                };
                if ours.iter().any(version_follows) {
                    let path = entry.path();
                    let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
                }
            }
        }
    }
    Ok(())
}

fn cargo() -> Command {
    let mut command = Command::new(env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

fn run(step: &str, command: &mut Command) -> Result {
    println!("\n=== {step}");
    let started = Instant::now();
    let status = command
        .status()
        .map_err(|e| format!("{step}: cannot start: {e}"))?;
    println!(
        "=== {step}: {} in {:.1} s",
        if status.success() { "ok" } else { "FAILED" },
        started.elapsed().as_secs_f64()
    );
    if status.success() {
        Ok(())
    } else {
        Err(format!("{step} failed ({status})"))
    }
}

fn ci() -> Result {
    let started = Instant::now();
    run(
        "cargo fmt --check",
        cargo().args(["fmt", "--all", "--", "--check"]),
    )?;
    run(
        "cargo clippy",
        cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ]),
    )?;
    layers()?;
    run(
        "hook-sign without default features",
        cargo().args(["check", "-p", "hook-sign", "--no-default-features"]),
    )?;
    // Each provider is a feature of the facade: a build with one of them must stand alone.
    run(
        "hook-facade with one provider",
        cargo().args([
            "check",
            "-p",
            "hook-facade",
            "--no-default-features",
            "--features",
            "ring,port",
        ]),
    )?;
    // As docs.rs builds them: every feature, `--cfg docsrs` (each feature-gated item marked
    // with its feature, `doc_cfg` being a nightly feature: RUSTC_BOOTSTRAP lets this stable
    // toolchain's rustdoc take it), warnings refused.
    run(
        "cargo doc, as docs.rs",
        cargo()
            .args(["doc", "--workspace", "--all-features", "--no-deps"])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("RUSTDOCFLAGS", "--cfg docsrs -D warnings"),
    )?;
    // Every published crate packs and builds from its package alone, in dependency order
    // (the test-only ones, `publish = false`, left out). In a target directory of its own,
    // removed after: the packages resolve their dependencies afresh, and those builds
    // would otherwise stay beside the tests' on CI's disk.
    forget_unpacked_packages()?;
    let packages = target_dir().join("package-check");
    let mut package = cargo();
    package
        .args(["package", "--workspace", "--allow-dirty"])
        .env("CARGO_TARGET_DIR", &packages);
    for name in workspace::unpublished(&root())? {
        package.args(["--exclude", &name]);
    }
    let packed = run("cargo package", &mut package);
    let _ = std::fs::remove_dir_all(&packages);
    packed?;
    servers::provision()?;
    run("cargo test", cargo().args(["test", "--workspace"]))?;
    // Features no other crate turns on (hook-sign's `tower`) get their tests here.
    run(
        "cargo test hook-sign, every feature",
        cargo().args(["test", "-p", "hook-sign", "--all-features"]),
    )?;
    conformance()?;
    // Built once for the whole workspace, so features resolve as for `cargo test` and
    // nothing is compiled again per example (a `cargo run -p` each did, about 15 s apiece).
    run(
        "build the examples",
        cargo().args(["build", "--quiet", "--workspace", "--examples"]),
    )?;
    // Every example of every crate runs (not only builds), found in `crates/*/examples/`.
    for (package, example) in workspace::examples(&root())? {
        let binary = target_dir().join("debug/examples").join(&example);
        run(
            &format!("example {package}/{example}"),
            &mut Command::new(&binary),
        )?;
    }
    proptest(CI_CASES, "CI", Profile::Test)?;
    println!(
        "\nxtask ci: all steps passed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The most crates hook-sign's normal dependency tree may hold with default features: the
/// crate any service reuses alone stays light (issue 16's target).
const HOOK_SIGN_MAX_CRATES: usize = 16;

/// The crates in hook-sign's normal dependency tree with default features, itself left out,
/// each once: what the layering check bounds and `cargo xtask bench` reports.
pub(crate) fn hook_sign_crates() -> Result<Vec<String>> {
    let output = cargo()
        .args([
            "tree",
            "-p",
            "hook-sign",
            "-e",
            "normal",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    let mut crates: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "hook-sign")
        .map(str::to_owned)
        .collect();
    crates.sort_unstable();
    crates.dedup();
    Ok(crates)
}

/// Which features a layering check turns on.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Features {
    /// The defaults: what a user gets without asking.
    Default,
    /// Every feature, so a feature-gated edge cannot hide.
    All,
}

/// Crates that a library crate must not depend on (normal dependencies, any depth), per
/// the layering of ARCHITECTURE.md. Provider crates are added where a shared layer must
/// not reach them ([`SHARED`]), and checked apart: none may depend on another.
const FORBIDDEN: [(&str, Features, &[&str]); 7] = [
    // hook-sign's defaults stay free of tokio and serde; its axum feature brings them.
    (
        "hook-sign",
        Features::Default,
        &["tokio", "reqwest", "serde"],
    ),
    (
        "hook-sign",
        Features::All,
        &["reqwest", "hook-model", "hook-http", "hook-emulator"],
    ),
    // A descriptor names its provider's delivery `Scheme`: hook-model may use hook-sign
    // (its default features: no serde, no tokio), never the reverse.
    (
        "hook-model",
        Features::All,
        &["tokio", "reqwest", "hook-http", "hook-emulator"],
    ),
    ("hook-http", Features::All, &["hook-emulator", "axum"]),
    ("hook-facade", Features::All, &["hook-emulator", "axum"]),
    // The receiving side knows signatures, not providers' management APIs.
    (
        "hook-receiver",
        Features::All,
        &["hook-model", "hook-http", "hook-emulator", "hook-facade"],
    ),
    ("hook-emulator", Features::All, &["hook-facade", "hook-cli"]),
];

/// The layers that know no provider: none may depend on a provider crate, and their code
/// names none.
const SHARED: [&str; 3] = ["hook-model", "hook-http", "hook-receiver"];

/// Checks the layering with `cargo tree` (every feature on, so a feature-gated edge cannot
/// hide): arrows point down only; and that the shared layers name no provider's rules.
fn layers() -> Result {
    println!("\n=== layering");
    let providers = workspace::provider_crates(&root())?;
    let provider_packages: Vec<&str> = providers.iter().map(|c| c.package.as_str()).collect();
    let mut checks: Vec<(&str, Features, Vec<&str>)> = FORBIDDEN
        .iter()
        .map(|(package, features, forbidden)| {
            let mut forbidden = forbidden.to_vec();
            if SHARED.contains(package) {
                forbidden.extend(&provider_packages);
            }
            (*package, *features, forbidden)
        })
        .collect();
    for package in &provider_packages {
        let mut forbidden: Vec<&str> = provider_packages
            .iter()
            .copied()
            .filter(|other| other != package)
            .collect();
        forbidden.extend(["hook-emulator", "hook-facade", "axum"]);
        checks.push((package, Features::All, forbidden));
    }
    for (package, features, forbidden) in checks {
        let mut command = cargo();
        command.args([
            "tree", "-p", package, "-e", "normal", "--prefix", "none", "--format", "{p}",
        ]);
        if features == Features::All {
            command.arg("--all-features");
        }
        let output = command
            .output()
            .map_err(|e| format!("cannot run cargo tree: {e}"))?;
        if !output.status.success() {
            return Err(format!(
                "cargo tree -p {package} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let tree = String::from_utf8_lossy(&output.stdout);
        let names: Vec<&str> = tree
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        if package == "hook-sign" && features == Features::Default {
            let crates = hook_sign_crates()?;
            let count = crates.len();
            if count > HOOK_SIGN_MAX_CRATES {
                return Err(format!(
                    "hook-sign with default features has {count} crates in its normal tree, \
                     over {HOOK_SIGN_MAX_CRATES}: {}",
                    crates.join(", ")
                ));
            }
            println!(
                "hook-sign (default features): {count} crates (at most {HOOK_SIGN_MAX_CRATES})"
            );
        }
        for name in &forbidden {
            if names.contains(name) {
                return Err(format!(
                    "{package} depends on {name}: the layering forbids it"
                ));
            }
        }
        let label = match features {
            Features::Default => "default features",
            Features::All => "all features",
        };
        println!("{package} ({label}): no {}", forbidden.join(", no "));
    }
    provider_agnostic(&root(), &providers)?;
    println!("=== layering: ok");
    Ok(())
}

/// The shared layers' code names no provider: outside comments and test modules, no line
/// of `hook-model` or `hook-http` (or `hook-receiver`) constructs a provider's name
/// (`Provider::new("uipath")`, a string `"uipath"`) or names a provider crate
/// (`hook_uipath`). Provider knowledge lives in its crate's descriptor.
fn provider_agnostic(root: &Path, providers: &[workspace::ProviderCrate]) -> Result {
    let mut needles: Vec<String> = Vec::new();
    for provider in providers {
        needles.push(format!("\"{}\"", provider.provider));
        needles.push(provider.package.replace('-', "_"));
    }
    let mut found = Vec::new();
    for package in SHARED {
        let dir = format!("crates/{package}/src");
        for path in rust_files(&root.join(&dir))? {
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {relative}: {e}"))?;
            for (number, line) in text.lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("#[cfg(test)]") {
                    break;
                }
                if !code.starts_with("//") && needles.iter().any(|n| code.contains(n.as_str())) {
                    found.push(format!("{relative}:{}: {}", number + 1, code));
                }
            }
        }
    }
    if found.is_empty() {
        println!(
            "{}: no provider named (of {})",
            SHARED.join(", "),
            providers
                .iter()
                .map(|p| p.provider.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Ok(())
    } else {
        Err(format!(
            "the shared layers name a provider (move the rule to its crate's descriptor):\n{}",
            found.join("\n")
        ))
    }
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let entries =
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The conformance suite: hook-uipath's requests, the emulator's answers and deliveries,
/// and the client's decoders, each against UiPath's published OpenAPI. Without the spec
/// it fails (`HOOK_REQUIRE_SPEC`): under xtask nothing is skipped.
fn conformance() -> Result {
    run(
        "conformance: UiPath's OpenAPI",
        cargo()
            .args([
                "test",
                "--workspace",
                "--test",
                "conformance",
                "--",
                "--ignored",
                "--nocapture",
            ])
            // A missing spec fails here; a plain `cargo test` only says so.
            .env("HOOK_REQUIRE_SPEC", "1"),
    )
}

/// How property tests are built.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Profile {
    /// Optimised: for deep runs.
    Release,
    /// The test profile `cargo test` already built (the hashing crates are optimised even
    /// there): CI's run compiles hook-sign's test binaries again at most, not a release
    /// build of hook-sign's dev-dependencies (svix's TLS stack among them).
    Test,
}

fn proptest(cases: u32, depth: &str, profile: Profile) -> Result {
    let mut command = cargo();
    command.args(["test", "-p", "hook-sign"]);
    if profile == Profile::Release {
        command.arg("--release");
    }
    for test in PROPERTY_TESTS {
        command.args(["--test", test]);
    }
    command.env("PROPTEST_CASES", cases.to_string());
    let started = Instant::now();
    run(
        &format!("property tests, {depth}: {cases} cases per property"),
        &mut command,
    )?;
    println!(
        "property tests: {cases} cases per property in {:.1} s (binaries: {})",
        started.elapsed().as_secs_f64(),
        PROPERTY_TESTS.join(", ")
    );
    Ok(())
}
