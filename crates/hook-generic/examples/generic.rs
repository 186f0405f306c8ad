//! The generic client against the embedded emulator: create a webhook pointing at a local
//! receiver, send a test event, see it verified, read the delivery log, clean up.
//!
//! `cargo run -p hook-generic --example generic`

use std::time::Duration;

use hook_generic::{CreateWebhook, GenericClient};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = hook_emulator::Emulator::builder().start().await?;
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::generic(), "whsec_example")?;
    let mut receiver = hook_emulator::Receiver::start(verifier).await?;

    let client = GenericClient::new(
        &emulator.generic_base(),
        emulator.credentials().generic.api_key.clone(),
    )?;
    let webhook = client
        .create_webhook(
            &CreateWebhook::new(receiver.url(), ["user.created"]).secret("whsec_example"),
        )
        .await?;
    let id = webhook.id.clone().unwrap_or_default();
    println!("created {id} → {}", webhook.url);

    let test = client.test_webhook(&id).await?;
    let delivery = receiver
        .next(Duration::from_secs(10))
        .await
        .ok_or("no delivery arrived")?;
    delivery.verified?;
    println!(
        "test event {} received and verified ({} bytes)",
        test.event_id,
        delivery.body.len()
    );

    emulator
        .admin()
        .settled(&[("id", &test.delivery_id)], Duration::from_secs(10))
        .await?;
    for entry in client.deliveries(&id).await? {
        println!(
            "delivery {}: {:?} after {} attempt(s), HTTP {:?}",
            entry.id, entry.status, entry.attempts, entry.status_code
        );
    }
    client.delete_webhook(&id).await?;
    emulator.shutdown().await;
    Ok(())
}
