//! `hook deliveries <id>`: the generic service's delivery log of one webhook, as a table.

use std::process::ExitCode;

use hook_facade::Secret;
use hook_facade::generic::{GenericClient, GenericConfig, env};

use crate::{Fail, table};

/// `hook deliveries`.
#[derive(Debug, clap::Args)]
pub struct DeliveriesArgs {
    /// The webhook's id (`hook_…`).
    id: String,
    /// The service's base URL (or HOOK_GENERIC_URL).
    #[arg(long, env = env::URL)]
    base_url: String,
    /// The API key (or HOOK_GENERIC_API_KEY; prefer the variable).
    #[arg(long, env = env::API_KEY, hide_env_values = true, allow_hyphen_values = true)]
    api_key: Secret,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: DeliveriesArgs) -> Result<ExitCode, Fail> {
    let client = GenericClient::from_config(GenericConfig::new(args.base_url, args.api_key))
        .map_err(|e| Fail::Usage(e.report()))?;
    let log = client
        .deliveries(&args.id)
        .await
        .map_err(|e| Fail::Error(e.report()))?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&log).map_err(|e| e.to_string())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = log
        .iter()
        .map(|d| {
            let show = |v: Option<String>| v.unwrap_or_else(|| "-".into());
            vec![
                d.id.clone(),
                d.event_id.clone(),
                serde_json::to_value(d.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                show(d.status_code.map(|c| c.to_string())),
                d.attempts.to_string(),
                show(d.delivered_at.and_then(|t| {
                    t.format(&time::format_description::well_known::Rfc3339)
                        .ok()
                })),
                show(d.error.clone()),
            ]
        })
        .collect();
    print!(
        "{}",
        table::render(
            &[
                "id",
                "event",
                "status",
                "code",
                "attempts",
                "delivered",
                "error"
            ],
            &rows
        )
    );
    if log.is_empty() {
        println!("(no deliveries yet)");
    }
    Ok(ExitCode::SUCCESS)
}
