//! The UP42 client against the embedded emulator: create a webhook pointing at an HTTPS
//! receiver, trigger test events, see them verified, delete it.
//!
//! `cargo run -p hook-up42 --example up42`

use std::time::Duration;

use hook_up42::{CreateWebhook, Up42Client, Up42Config};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let verifier = hook_sign::Verifier::new(hook_sign::Scheme::up42(), "QWZTFnMEXhqZKNmu")?;
    let (mut receiver, certificate) = hook_emulator::Receiver::start_tls(verifier).await?;
    let emulator = hook_emulator::Emulator::builder()
        .trust_root_pem(certificate.pem)
        .start()
        .await?;
    let up42 = Up42Client::new(Up42Config::from_vars(|name| emulator.var(name))?)?;

    let webhook = up42
        .create_webhook(
            &CreateWebhook::new(
                "new-webhook",
                receiver.url(),
                ["job.status", "order.status"],
            )
            .active(true)
            .secret("QWZTFnMEXhqZKNmu"),
        )
        .await?;
    println!("created {} → {}", webhook.id(), webhook.info().url);
    let run = webhook.trigger_test_events().await?;
    println!(
        "test run: {} of {} messages arrived",
        run.tests_succeeded, run.tests_run
    );
    for _ in 0..run.tests_run {
        let delivery = receiver
            .next(Duration::from_secs(10))
            .await
            .ok_or("no delivery arrived")?;
        delivery.verified?;
        println!("verified: {}", String::from_utf8_lossy(&delivery.body));
    }
    webhook.delete().await?;
    emulator.shutdown().await;
    Ok(())
}
