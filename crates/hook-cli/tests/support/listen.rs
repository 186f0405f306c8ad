//! `hook listen` as a child process, for the sidecar and inbox tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `hook listen` process on a free port; killed (SIGKILL) when dropped.
pub struct Listener {
    pub child: Child,
    /// Its URL, with the path `/hooks`.
    pub url: String,
}

impl Listener {
    /// Starts `hook listen --port 0 --heartbeat 0` with `args`; returns once it has printed
    /// its address, which is its first line (a test fails if anything comes before it). Its output is read to the end, so it never blocks on a full pipe.
    pub fn start(args: &[&str]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hook"))
            .args(["listen", "--port", "0", "--heartbeat", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(sender) = tx.take() {
                    let _ = sender.send(line);
                }
            }
        });
        let first = rx.recv_timeout(Duration::from_secs(60)).unwrap();
        let url = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {first:?}"))
            .to_owned();
        Listener {
            child,
            url: format!("{url}hooks"),
        }
    }

    /// `hook listen` verifying the generic scheme with `secret` and forwarding to `app`,
    /// with `args` after.
    pub fn forwarding(secret: &str, app: &str, args: &[&str]) -> Listener {
        let mut all = vec![
            "--scheme",
            "generic",
            "--secret",
            secret,
            "--forward-to",
            app,
        ];
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
