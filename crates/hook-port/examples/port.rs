//! The Port client against the embedded emulator: create a webhook, update it, receive a
//! verified delivery, delete it.
//!
//! `cargo run -p hook-port --example port`

use std::time::Duration;

use hook_port::{PortClient, PortConfig, PortWebhook, Security, UpdateWebhook};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = hook_emulator::Emulator::builder().start().await?;
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::port(), "your-webhook-secret")?;
    let mut receiver = hook_emulator::Receiver::start(verifier).await?;
    let port = PortClient::new(PortConfig::from_vars(|name| emulator.var(name))?)?;

    let webhook = PortWebhook {
        identifier: "entity-updated-webhook".into(),
        title: Some("Entity Updated Notifications".into()),
        url: Some(receiver.url().to_owned()),
        events: Some(vec!["entity.created".into(), "entity.updated".into()]),
        security: Some(Security {
            secret: Some("your-webhook-secret".into()),
            ..Security::default()
        }),
        ..PortWebhook::default()
    };
    let created = port.create_webhook(&webhook).await?;
    println!("created {} ({:?})", created.identifier, created.title);
    let mut update = UpdateWebhook::new();
    update.description = Some("Entity update events".into());
    port.update_webhook(&created.identifier, &update).await?;

    emulator
        .admin()
        .fire(
            hook_model::Provider::Port,
            "entity.updated",
            serde_json::json!({"entity": {"identifier": "svc"}}),
        )
        .await?;
    let delivery = receiver
        .next(Duration::from_secs(10))
        .await
        .ok_or("no delivery arrived")?;
    delivery.verified?;
    println!(
        "received and verified: {}",
        String::from_utf8_lossy(&delivery.body)
    );
    println!(
        "deleted: {}",
        port.delete_webhook(&created.identifier).await?
    );
    emulator.shutdown().await;
    Ok(())
}
