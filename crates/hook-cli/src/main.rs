//! `hook`: the hook SDK on the command line (see the `hook_cli` library for what each
//! command does).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    hook_cli::main_with(hook_cli::Extensions::default()).await
}
