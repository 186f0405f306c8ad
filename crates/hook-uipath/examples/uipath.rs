//! The UiPath client against the embedded emulator: create a webhook, filter the list
//! with OData, ping it and see the ping verified, delete it. The client is configured from
//! the `HOOK_UIPATH_*` variables the emulator hands out.
//!
//! `cargo run -p hook-uipath --example uipath`

use std::time::Duration;

use hook_uipath::{UiPathClient, UiPathConfig, WebhookDto, WebhookFilter};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = hook_emulator::Emulator::builder().start().await?;
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::uipath(), "my-signing-secret")?;
    let mut receiver = hook_emulator::Receiver::start(verifier).await?;
    let orchestrator = UiPathClient::new(UiPathConfig::from_vars(|name| emulator.var(name))?)?;

    let webhook: WebhookDto = serde_json::from_value(serde_json::json!({
        "Name": "JobNotifier", "Url": receiver.url(), "Enabled": true, "Secret": "my-signing-secret",
        "SubscribeToAllEvents": false, "AllowInsecureSsl": false,
        "Events": ["Job.Completed", "Job.Faulted"]
    }))?;
    let created = orchestrator.webhooks().create(&webhook).await?;
    let id = created.id.ok_or("no id")?;
    println!("created webhook {id}");
    let enabled_for_jobs = WebhookFilter::new()
        .enabled(true)
        .event_type("Job.Completed")
        .count(true);
    let jobs = orchestrator.webhooks().get(&enabled_for_jobs).await?;
    println!("{:?} enabled webhook(s) for job.completed", jobs.count);

    // Orchestrator pings a new webhook right away.
    let automatic = receiver
        .next(Duration::from_secs(10))
        .await
        .ok_or("no automatic ping arrived")?;
    automatic.verified?;
    println!("the automatic ping arrived and verified");
    let ping = orchestrator.webhooks().ping(id).await?;
    let delivery = receiver
        .next(Duration::from_secs(10))
        .await
        .ok_or("no ping arrived")?;
    delivery.verified?;
    println!("ping {} received and verified", ping.event_id);
    orchestrator.webhooks().delete(id).await?;
    emulator.shutdown().await;
    Ok(())
}
