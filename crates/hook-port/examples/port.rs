//! The Port client against the embedded emulator, as Port really works: create an inbound
//! webhook with a GitHub-style jq mapping and signature check, send it a signed pull
//! request, read the entity its mapping made, receive a signed action invocation, delete.
//!
//! `cargo run -p hook-port --example port`

use std::time::Duration;

use hook_port::{PortClient, PortConfig, ingest_scheme};
use hook_sign::{Message, Scheme, Signer, Verifier};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let emulator = hook_emulator::Emulator::builder().start().await?;
    let port = PortClient::new(PortConfig::from_vars(|name| emulator.var(name))?)?;

    // An inbound webhook: Port assigns its URL; the mapping turns requests into entities.
    let webhook = port
        .create_webhook(
            // The configuration of Port's custom-integration guide; the builder's setters
            // change what differs (`WebhookBody::new` starts from nothing).
            &hook_port::recipes::github_pull_requests("github-secret"),
        )
        .await?;
    let ingest_url = webhook.url.clone().unwrap_or_default();
    println!("created {} → ingest URL {ingest_url}", webhook.identifier);

    // What GitHub would send, signed the way the webhook's security expects.
    let body = serde_json::to_vec(&serde_json::json!({
        "action": "opened",
        "pull_request": {"id": 42, "title": "Fix the build", "user": {"login": "octocat"}}
    }))?;
    let scheme =
        ingest_scheme(webhook.security.as_ref().ok_or("no security")?)?.ok_or("no secret")?;
    let signed = Signer::new(scheme, "github-secret")?.sign(&Message::new(&body))?;
    let http = reqwest::Client::builder().no_proxy().build()?;
    let mut request = http
        .post(&ingest_url)
        .header("x-github-event", "pull_request");
    for (name, value) in signed.iter() {
        request = request.header(name, value);
    }
    println!(
        "ingest answered {}",
        request.body(body).send().await?.status()
    );
    let record = emulator
        .admin()
        .ingested("github-prs", 1, Duration::from_secs(10))
        .await?;
    println!("processed: {:?}", record[0].upserted);
    let entity = port.get_entity("pullRequest", "42").await?;
    println!(
        "entity {} {:?} by {}",
        entity.identifier, entity.title, entity.properties["author"]
    );

    // Port's outgoing calls: an action invocation, signed with the client secret.
    let credentials = &emulator.credentials().port;
    let client_secret = credentials.client_secret.expose();
    let mut receiver =
        hook_emulator::Receiver::start(Verifier::new(Scheme::port(), client_secret)?).await?;
    emulator
        .admin()
        .invoke(receiver.url(), &serde_json::json!({"action": "deploy"}))
        .await?;
    let invocation = receiver
        .next(Duration::from_secs(10))
        .await
        .ok_or("no invocation")?;
    println!(
        "invocation verified with the client secret: {}",
        invocation.verified.is_ok()
    );

    println!("deleted: {}", port.delete_webhook("github-prs").await?);
    emulator.shutdown().await;
    Ok(())
}
