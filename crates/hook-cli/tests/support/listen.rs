//! `hook listen` as a child process, for the development loop, sidecar and inbox tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Long enough for a busy machine; every wait ends early on its signal.
pub const WAIT: Duration = Duration::from_secs(60);

/// A `hook listen` process on a free port; killed (SIGKILL) when dropped.
pub struct Listener {
    pub child: Child,
    /// Its URL, with the path `/hooks`.
    pub url: String,
    /// Its standard output after the first line, a line at a time.
    pub lines: mpsc::Receiver<String>,
}

impl Listener {
    /// Starts `hook listen --port 0` with `args` (and `--heartbeat 0` unless they set one),
    /// without `HOOK_SECRET` from the test's environment; returns once it has printed its
    /// address, which is its first line (a test fails if anything comes before it). Its
    /// output is read to the end into [`Listener::lines`], so it never blocks on a full pipe.
    pub fn start(args: &[&str]) -> Listener {
        Listener::start_with_env(args, &[])
    }

    /// [`Listener::start`] with `env` set in its environment.
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Listener {
        let heartbeat: &[&str] = if args.contains(&"--heartbeat") {
            &[]
        } else {
            &["--heartbeat", "0"]
        };
        let mut child = Command::new(env!("CARGO_BIN_EXE_hook"))
            .args(["listen", "--port", "0"])
            .args(heartbeat)
            .args(args)
            .env_remove("HOOK_SECRET")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                // Nobody reading any more is fine: the rest is drained all the same.
                let _ = tx.send(line);
            }
        });
        let first = lines.recv_timeout(WAIT).unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_owned();
        Listener {
            child,
            url: format!("{url}hooks"),
            lines,
        }
    }

    /// Its next output line, as JSON (`--json`).
    pub fn next_json(&self) -> serde_json::Value {
        let line = self.lines.recv_timeout(WAIT).expect("a line from listen");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"))
    }

    /// Ctrl-C, then the summary line; it must exit with success.
    pub fn interrupt(mut self) -> serde_json::Value {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
        assert!(status.success());
        let summary = self.next_json();
        assert!(self.child.wait().unwrap().success());
        summary
    }

    /// `hook listen` verifying `scheme` with `secret` and forwarding to `app`, with `args`
    /// after.
    pub fn forwarding(scheme: &str, secret: &str, app: &str, args: &[&str]) -> Listener {
        let mut all = vec!["--scheme", scheme, "--secret", secret, "--forward-to", app];
        all.extend_from_slice(args);
        Listener::start(&all)
    }

    /// Kills it with SIGKILL and waits for it to end.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.kill();
    }
}
