//! `cargo xtask fuzz [--seconds N] [--target T]`: libFuzzer through cargo-fuzz on nightly.
//!
//! New inputs go to `fuzz/work/<target>` (ignored by git); the committed seed corpus in
//! `fuzz/corpus/<target>` is read, not grown.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::Result;

/// The fuzz targets in `fuzz/fuzz_targets`.
const TARGETS: [&str; 2] = ["verify_headers", "parse_event"];
/// Seconds per target unless `--seconds` says.
const DEFAULT_SECONDS: u64 = 600;

pub(crate) fn run(root: &Path, args: &[String]) -> Result {
    let mut seconds = DEFAULT_SECONDS;
    let mut only: Option<String> = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => {
                seconds = value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("--seconds takes a whole number above zero, not {value:?}")
                })?;
            }
            "--target" if TARGETS.contains(&value.as_str()) => only = Some(value.clone()),
            "--target" => {
                return Err(format!(
                    "unknown target {value:?}: one of {}",
                    TARGETS.join(", ")
                ));
            }
            other => {
                return Err(format!(
                    "unexpected argument {other:?}: fuzz takes [--seconds N] [--target T]"
                ));
            }
        }
    }
    let installed = Command::new("cargo")
        .args(["+nightly", "fuzz", "--version"])
        .current_dir(root)
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Err("cargo fuzz on nightly is missing: `rustup toolchain install nightly` and `cargo install cargo-fuzz`".into());
    }
    let mut summary = Vec::new();
    for target in TARGETS
        .iter()
        .filter(|t| only.as_deref().is_none_or(|o| o == **t))
    {
        let work = root.join("fuzz/work").join(target);
        std::fs::create_dir_all(&work)
            .map_err(|e| format!("cannot create {}: {e}", work.display()))?;
        let seeds = root.join("fuzz/corpus").join(target);
        let started = Instant::now();
        let status = Command::new("cargo")
            .current_dir(root)
            .args(["+nightly", "fuzz", "run", target])
            .arg(&work)
            .arg(&seeds)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=2048")
            .arg("-max_len=65536")
            .status()
            .map_err(|e| format!("cannot run cargo fuzz: {e}"))?;
        let line = format!(
            "{target}: {} after {:.0} s",
            if status.success() {
                "no crash"
            } else {
                "CRASHED (see fuzz/artifacts)"
            },
            started.elapsed().as_secs_f64()
        );
        println!("=== {line}");
        summary.push((line, status.success()));
    }
    println!("\nfuzz summary:");
    for (line, _) in &summary {
        println!("  {line}");
    }
    if summary.iter().all(|(_, ok)| *ok) {
        Ok(())
    } else {
        Err("a fuzz target crashed".into())
    }
}
