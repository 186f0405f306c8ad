//! `hook`: the hook SDK on the command line.
//!
//! ```text
//! hook demo                       every provider against the embedded emulator, end to end
//! hook emulator [--port N] …      the standalone emulator
//! hook webhooks <command> --provider P   manage webhooks (credentials from the environment or flags)
//! hook deliveries <id>            the generic service's delivery log
//! hook sign --scheme S --secret X < body                 print the signature headers
//! hook verify --scheme S --secret X -H 'N: v' … < body   valid, or why not (--explain)
//! hook listen --scheme S --secret X [--forward-to URL [--inbox FILE|postgres://…]] [--record FILE] [--ui]
//! hook inbox list|show ID|retry ID|purge --before T --inbox FILE|postgres://…
//! hook trigger <provider> <event> --to URL [--set path=value]   a realistic signed delivery
//! hook replay FILE --to URL [--only-failed] [--re-sign --secret X]
//! hook chaos --provider P --to URL --secret S [--probe URL] [--seed N] [--json]
//! ```
//!
//! Exit codes: 0 success, 1 failure, 2 usage.
//!
//! The binary is `main.rs`: [`main_with`] and the defaults. A `hook` of one's own that
//! knows a provider outside hook-facade (its descriptor, and the emulated service `hook
//! demo` runs it against) is the same `main` with [`Extensions`]: one line.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod chaos;
mod deliveries;
mod demo;

pub use demo::run as demo;
mod demo_inbound;
mod fixtures;
mod inbox;
mod inspector;
mod listen;
mod record;
mod replay;
mod send;
mod signing;
mod table;
mod trigger;
mod webhooks;

use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use hook_emulator::EmulatedProvider;
use hook_facade::Registry;

/// What a `hook` binary knows beyond hook-facade's built-in providers: more descriptors
/// (`Registry::with`) and, for `hook demo`, the services that emulate them.
#[derive(Debug, Default)]
pub struct Extensions {
    registry: Option<Registry>,
    emulated: Vec<Arc<dyn EmulatedProvider>>,
}

impl Extensions {
    /// Adds a provider: its descriptor, and the service the emulator runs for it.
    pub fn provider(
        mut self,
        descriptor: &'static hook_facade::Descriptor,
        emulated: impl EmulatedProvider,
    ) -> Self {
        let registry = self.registry.take().unwrap_or_else(Registry::builtin);
        self.registry = Some(registry.with(descriptor));
        self.emulated.push(Arc::new(emulated));
        self
    }

    fn registry(&self) -> Registry {
        self.registry.clone().unwrap_or_else(Registry::builtin)
    }
}

/// The hook webhook SDK on the command line.
#[derive(Debug, Parser)]
#[command(name = "hook", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start the embedded emulator and a local receiver, then run the whole story on every
    /// provider: create, list, get, update, test, receive and verify, delivery log, delete.
    Demo {
        /// Multiply the emulator's delivery waits by this factor.
        #[arg(long, default_value_t = 0.001)]
        time_scale: f64,
    },
    /// Run the emulator of the four webhook APIs until Ctrl-C.
    Emulator(hook_emulator::Standalone),
    /// Manage webhooks of a provider.
    Webhooks(webhooks::Args),
    /// Print the generic service's delivery log of one webhook.
    Deliveries(deliveries::DeliveriesArgs),
    /// Sign a body read from standard input and print the headers to send.
    Sign(signing::SignArgs),
    /// Verify a body read from standard input against headers.
    Verify(signing::VerifyArgs),
    /// Receive deliveries on a local port, verify each, and optionally forward it to your
    /// app and record the exchange.
    Listen(listen::ListenArgs),
    /// Read and steer a durable inbox (`hook listen --inbox`): list, show, retry, purge.
    Inbox(inbox::Args),
    /// Send a realistic signed delivery of a provider's event to a URL.
    Trigger(trigger::TriggerArgs),
    /// Send recorded deliveries again, byte for byte (or re-signed).
    Replay(replay::ReplayArgs),
    /// Grade a receiver against a provider's sender at its most hostile: forgeries,
    /// stale and future timestamps, re-serialized and oversized bodies, duplicates,
    /// racing copies, events out of order. Exit 1 when a required scenario fails.
    Chaos(chaos::ChaosArgs),
}

/// Why a command failed: the exit code says which (2 usage, 1 failure).
#[derive(Debug)]
pub enum Fail {
    /// The command was given something it cannot use: exit 2.
    Usage(String),
    /// It ran and failed: exit 1.
    Error(String),
}

impl From<String> for Fail {
    fn from(message: String) -> Self {
        Fail::Error(message)
    }
}

impl From<&str> for Fail {
    fn from(message: &str) -> Self {
        Fail::Error(message.to_owned())
    }
}

/// Runs `hook` with the process's arguments and `extensions`; answers the exit code.
pub async fn main_with(extensions: Extensions) -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { time_scale } => {
            demo::run(time_scale, &extensions.registry(), &extensions.emulated)
                .await
                .map_err(Fail::Error)
        }
        Command::Emulator(settings) => emulator(settings).await.map_err(Fail::Error),
        Command::Webhooks(args) => webhooks::run(args, &extensions.registry()).await,
        Command::Deliveries(args) => deliveries::run(args).await,
        Command::Sign(args) => signing::sign(args),
        Command::Verify(args) => signing::verify(args),
        Command::Listen(args) => listen::run(args).await,
        Command::Inbox(args) => inbox::run(args).await,
        Command::Trigger(args) => trigger::run(args, &extensions.registry()).await,
        Command::Replay(args) => replay::run(args).await,
        Command::Chaos(args) => chaos::run(args, &extensions.registry()).await,
    };
    match result {
        Ok(code) => code,
        Err(Fail::Usage(message)) => {
            eprintln!("hook: error: {message}");
            ExitCode::from(2)
        }
        Err(Fail::Error(message)) => {
            eprintln!("hook: error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn emulator(settings: hook_emulator::Standalone) -> Result<ExitCode, String> {
    hook_emulator::run_standalone(settings)
        .await
        .map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use clap::Parser as _;

    #[test]
    fn parsed_commands_never_show_their_secrets() {
        // One command line a case, split at spaces.
        let cases = [
            "hook listen --scheme generic --secret s3cret-x",
            "hook sign --scheme github --secret s3cret-x",
            "hook trigger generic user.created --to http://127.0.0.1:9/ --secret s3cret-x",
            "hook replay f --to http://127.0.0.1:9/ --re-sign --secret s3cret-x",
            "hook deliveries hook_1 --base-url http://127.0.0.1:9 --api-key s3cret-x",
            "hook webhooks create --provider generic --api-key s3cret-x --secret s3cret-x --url https://x.example/",
            "hook webhooks update hook_1 --provider uipath --client-secret s3cret-x --pat s3cret-x --secret s3cret-x",
            "hook webhooks list --provider up42 --password s3cret-x",
        ];
        for case in cases {
            let args: Vec<&str> = case.split(' ').collect();
            let cli = super::Cli::try_parse_from(&args).unwrap();
            let shown = format!("{cli:?}");
            assert!(!shown.contains("s3cret-x"), "{args:?}: {shown}");
        }
    }
}
