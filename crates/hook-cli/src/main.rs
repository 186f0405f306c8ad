//! `hook`: the hook SDK on the command line.
//!
//! ```text
//! hook demo                       every provider against the embedded emulator, end to end
//! hook emulator [--port N] …      the standalone emulator
//! hook webhooks <command> --provider P   manage webhooks (credentials from the environment or flags)
//! hook sign --scheme S --secret X < body                 print the signature headers
//! hook verify --scheme S --secret X -H 'N: v' … < body   valid, or why not (--explain)
//! hook listen --scheme S --secret X --port N             a receiver printing each delivery
//! ```
//!
//! Exit codes: 0 success, 1 failure, 2 usage.

mod demo;
mod demo_inbound;
mod signing;
mod table;
mod webhooks;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    /// Sign a body read from standard input and print the headers to send.
    Sign(signing::SignArgs),
    /// Verify a body read from standard input against headers.
    Verify(signing::VerifyArgs),
    /// Receive deliveries on a local port and print whether each verifies.
    Listen(signing::ListenArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo { time_scale } => demo::run(time_scale).await,
        Command::Emulator(settings) => emulator(settings).await,
        Command::Webhooks(args) => webhooks::run(args).await,
        Command::Sign(args) => signing::sign(args),
        Command::Verify(args) => signing::verify(args),
        Command::Listen(args) => signing::listen(args).await,
    };
    match result {
        Ok(code) => code,
        Err(message) => {
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
