//! README's command block (between the `readme-commands` markers) runs as written, in
//! order, against an emulator this test starts: so the commands a new user copies cannot
//! rot. The block assumes `hook` on the path and the emulator on port 8042; here `hook` is
//! the built binary and 8042 the emulator's free port.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

fn block() -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../README.md")).unwrap();
    let (_, rest) = readme
        .split_once("<!-- readme-commands: begin -->")
        .expect("README marks its command block");
    let (block, _) = rest.split_once("<!-- readme-commands: end -->").unwrap();
    block
        .lines()
        .filter(|line| !line.starts_with("```"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn readmes_commands_work_as_written() {
    let mut emulator = Command::new(env!("CARGO_BIN_EXE_hook"))
        .args(["emulator", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(emulator.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let port = first
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse::<u16>().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    // The rest of the emulator's output is read, so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    let script = format!(
        "set -euo pipefail\nhook() {{ \"$HOOK_BIN\" \"$@\"; }}\n{}\n",
        block().replace("8042", &port.to_string())
    );
    let mut command = Command::new("bash");
    command
        .args(["-c", &script])
        .env("HOOK_BIN", env!("CARGO_BIN_EXE_hook"))
        .stdin(Stdio::null());
    for (name, _) in std::env::vars() {
        if name.starts_with("HOOK_") {
            command.env_remove(name);
        }
    }
    let output = command.output().unwrap();
    let _ = emulator.kill();
    let _ = emulator.wait();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script}\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.lines().any(|l| l == "valid"), "{stdout}");
    assert!(stdout.contains("test sent: event evt_"), "{stdout}");
    assert!(stdout.contains("deleted hook_"), "{stdout}");
}
