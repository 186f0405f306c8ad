//! The UiPath client against the embedded emulator: create a webhook with the seed's
//! fields, filter the list with OData, ping it and see the ping verified, delete it.
//!
//! `cargo run -p hook-uipath --example uipath`

use std::time::Duration;

use hook_uipath::{UiPathAuth, UiPathClient, WebhookDto, WebhookFilter};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = hook_emulator::Emulator::builder().start().await?;
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::uipath(), "my-signing-secret")?;
    let mut receiver = hook_emulator::Receiver::start(verifier).await?;
    let c = &emulator.credentials().uipath;
    let orchestrator = UiPathClient::cloud(
        &emulator.uipath_host(),
        &c.organization,
        &c.tenant,
        UiPathAuth::client_credentials(c.client_id.clone(), c.client_secret.clone()),
    )?;

    let webhook: WebhookDto = serde_json::from_value(serde_json::json!({
        "Name": "JobNotifier", "Url": receiver.url(), "Enabled": true, "Secret": "my-signing-secret",
        "Events": ["Job.Completed", "Job.Faulted"]
    }))?;
    let created = orchestrator.create(&webhook).await?;
    let id = created.id.ok_or("no id")?;
    println!("created webhook {id}");
    let jobs = orchestrator
        .get(
            &WebhookFilter::new()
                .enabled(true)
                .event_type("Job.Completed")
                .count(true),
        )
        .await?;
    println!("{:?} enabled webhook(s) for job.completed", jobs.count);

    let ping = orchestrator.test(id).await?;
    let delivery = receiver
        .next(Duration::from_secs(10))
        .await
        .ok_or("no ping arrived")?;
    delivery.verified?;
    println!("ping {} received and verified", ping.event_id);
    orchestrator.delete(id).await?;
    emulator.shutdown().await;
    Ok(())
}
