//! `hook demo` for a provider whose webhooks are inbound (Port): create one with a
//! GitHub-style jq mapping and signature check, send it a signed pull request and a
//! tampered one, see the entity appear and the tampered request dropped with its reason,
//! receive a signed action invocation, delete.

use hook_emulator::{EmulatorHandle, IngestOutcome, Receiver};
use hook_facade::port::{PortClient, PortConfig, ingest_scheme, recipes};
use hook_facade::{WebhookApi, WebhookId, WebhookPatch};
use hook_sign::{Message, Scheme, Signer, Verifier};

use crate::demo::{SECRET, Step, WAIT, delete_step, list_step, step, verified_delivery};

const IDENTIFIER: &str = "hook-demo-prs";

fn pull_request(title: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "action": "opened",
        "pull_request": {"id": 42, "title": title, "user": {"login": "octocat"}},
        "repository": {"full_name": "octo/demo"}
    }))
    .unwrap_or_default()
}

/// POSTs `body` to `url` as GitHub would, with `signature` (`x-hub-signature-256`).
async fn send(url: &str, body: Vec<u8>, signature: &str, delivery: &str) -> Result<u16, String> {
    hook_facade::transport::tls::ensure_provider();
    let http = reqwest::Client::builder()
        .no_proxy()
        .build()
        .map_err(|e| e.to_string())?;
    let response = http
        .post(url)
        .header("x-github-event", "pull_request")
        .header("x-github-delivery", delivery)
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(response.status().as_u16())
}

pub(crate) async fn scenario(
    steps: &mut Vec<Step>,
    api: &dyn WebhookApi,
    emulator: &EmulatorHandle,
) {
    let port = match PortConfig::from_vars(|name| emulator.var(name)).and_then(PortClient::new) {
        Ok(port) => port,
        Err(e) => {
            step(steps, "connect", async {
                Err::<((), String), _>(e.to_string())
            })
            .await;
            return;
        }
    };
    let body = recipes::github_pull_requests(SECRET)
        .identifier(IDENTIFIER)
        .title("hook demo pull requests");
    let Some(created) = step(steps, "create (inbound)", async {
        let webhook = port
            .create_webhook(&body)
            .await
            .map_err(|e| e.to_string())?;
        let url = webhook.url.clone().unwrap_or_default();
        let detail = format!("id {} ← ingest URL {url}", webhook.identifier);
        Ok((webhook, detail))
    })
    .await
    else {
        return;
    };
    let id = WebhookId::new(created.identifier.as_str());
    let ingest_url = created.url.clone().unwrap_or_default();

    list_step(steps, api, &id).await;

    step(steps, "update", async {
        let patch = WebhookPatch::new().name("hook demo PRs");
        let webhook = api.update(&id, &patch).await.map_err(|e| e.to_string())?;
        Ok((
            (),
            format!(
                "title now {:?}; inbound: no test call, no events",
                webhook.name.unwrap_or_default()
            ),
        ))
    })
    .await;

    let scheme = created
        .security
        .as_ref()
        .and_then(|s| ingest_scheme(s).ok().flatten());
    let signature = scheme.and_then(|scheme| {
        let signer = Signer::new(scheme, SECRET).ok()?;
        let headers = signer
            .sign(&Message::new(&pull_request("Fix the build")))
            .ok()?;
        headers.get("x-hub-signature-256").map(str::to_owned)
    });
    let signature = signature.unwrap_or_default();

    // Sends delivery number `n` with `title`; answers the status and the ingest record.
    let ingest = |n: usize, title: &'static str| {
        let (emulator, url, signature) = (emulator, &ingest_url, &signature);
        async move {
            let status = send(url, pull_request(title), signature, &format!("d-{n}")).await?;
            let mut records = emulator
                .admin()
                .ingested(IDENTIFIER, n, WAIT)
                .await
                .map_err(|e| e.to_string())?;
            if records.len() < n {
                return Err("no ingest record".to_owned());
            }
            Ok((status, records.swap_remove(n - 1)))
        }
    };

    step(steps, "ingest signed", async {
        let (status, record) = ingest(1, "Fix the build").await?;
        if record.outcome != IngestOutcome::Processed {
            return Err(format!(
                "dropped: {}",
                record.reason.clone().unwrap_or_default()
            ));
        }
        let entity = port
            .get_entity("pullRequest", "42")
            .await
            .map_err(|e| e.to_string())?;
        Ok((
            (),
            format!(
                "HTTP {status}; entity pullRequest/42 {:?} by {}",
                entity.title.unwrap_or_default(),
                entity
                    .properties
                    .get("author")
                    .and_then(|a| a.as_str())
                    .unwrap_or_default()
            ),
        ))
    })
    .await;

    step(steps, "ingest tampered", async {
        let (status, record) = ingest(2, "Merged by mallory").await?;
        match (&record.outcome, &record.reason) {
            (IngestOutcome::Dropped, Some(reason)) => {
                Ok(((), format!("HTTP {status}; dropped: {reason}")))
            }
            _ => Err("a tampered request was processed".into()),
        }
    })
    .await;

    step(steps, "action invocation", async {
        let credentials = &emulator.credentials().port;
        let client_secret = credentials.client_secret.expose();
        let verifier = Verifier::new(Scheme::port(), client_secret).map_err(|e| e.to_string())?;
        let mut receiver = Receiver::start(verifier).await.map_err(|e| e.to_string())?;
        emulator
            .admin()
            .invoke(
                receiver.url(),
                &serde_json::json!({"action": "deploy", "service": "demo"}),
            )
            .await
            .map_err(|e| e.to_string())?;
        let (_, verified) = verified_delivery(&mut receiver, "invocation").await?;
        Ok((
            (),
            format!(
                "verified with the port scheme (x-port-signature, t={}) and the client secret",
                verified.timestamp.unwrap_or_default()
            ),
        ))
    })
    .await;

    delete_step(steps, api, &id).await;
}
