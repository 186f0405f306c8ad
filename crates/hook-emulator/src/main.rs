//! `cargo run -p hook-emulator -- [--port N] [--state FILE] [--time-scale X]`: the
//! standalone emulator. Prints each provider's base URL and credentials, then serves until
//! Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

/// A local emulator of the UiPath, Port, UP42 and generic webhook APIs.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// Loopback port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8042)]
    port: u16,
    /// Keep state in this file across restarts.
    #[arg(long)]
    state: Option<PathBuf>,
    /// Multiply delivery waits by this factor (0.001: the 2 h retry takes 7.2 s).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Deliver to non-loopback addresses too.
    #[arg(long)]
    allow_remote_delivery: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let settings = hook_emulator::Standalone {
        port: args.port,
        state: args.state,
        time_scale: args.time_scale,
        allow_remote_delivery: args.allow_remote_delivery,
    };
    match hook_emulator::run_standalone(settings).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hook-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
