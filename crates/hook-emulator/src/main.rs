//! `cargo run -p hook-emulator -- [--port N] [--state FILE] [--time-scale X]`: the
//! standalone emulator. Prints each provider's base URL and credentials, then serves until
//! Ctrl-C.

use std::process::ExitCode;

use clap::Parser;

/// A local emulator of the UiPath, Port, UP42 and generic webhook APIs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    #[command(flatten)]
    settings: hook_emulator::Standalone,
}

#[tokio::main]
async fn main() -> ExitCode {
    match hook_emulator::run_standalone(Args::parse().settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hook-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
