//! Shared test parts: a real axum receiver that verifies deliveries with hook-sign, and
//! an authenticated HTTP client per provider.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of this

use std::sync::Arc;
use std::sync::atomic::{AtomicU16, Ordering};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hook_emulator::EmulatorHandle;
use hook_model::Provider;
use hook_sign::Verifier;
use tokio::sync::mpsc;

/// One delivery as the receiver saw it.
#[derive(Debug)]
pub struct Received {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub verified: Result<(), String>,
}

/// A loopback receiver: answers `status`, verifies each delivery, and reports it.
#[derive(Debug)]
pub struct Receiver {
    pub url: String,
    pub status: Arc<AtomicU16>,
    pub deliveries: mpsc::UnboundedReceiver<Received>,
}

struct Shared {
    verifier: Option<Verifier>,
    status: Arc<AtomicU16>,
    sender: mpsc::UnboundedSender<Received>,
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let verified = match &shared.verifier {
        Some(verifier) => verifier
            .verify(&headers, &body)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        None => Err("no verifier".into()),
    };
    let _ = shared.sender.send(Received {
        headers,
        body,
        verified,
    });
    StatusCode::from_u16(shared.status.load(Ordering::SeqCst)).unwrap()
}

impl Receiver {
    /// Starts a receiver verifying with `provider`'s scheme and `secret`.
    pub async fn start(provider: Provider, secret: &str) -> Receiver {
        let verifier = Verifier::new(hook_emulator::scheme(provider), secret).ok();
        Receiver::with(verifier).await
    }

    /// Starts a receiver that verifies nothing.
    pub async fn plain() -> Receiver {
        Receiver::with(None).await
    }

    async fn with(verifier: Option<Verifier>) -> Receiver {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let status = Arc::new(AtomicU16::new(200));
        let shared = Arc::new(Shared {
            verifier,
            status: status.clone(),
            sender,
        });
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url,
            status,
            deliveries,
        }
    }

    /// The next delivery (waits for it, at most 10 s).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(std::time::Duration::from_secs(10), self.deliveries.recv())
            .await
            .expect("a delivery within 10 s")
            .expect("receiver open")
    }

    pub fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }
}

/// A reqwest client with no proxy.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A bearer token for `provider` from the emulator's own token endpoint.
pub async fn token(emulator: &EmulatorHandle, provider: Provider) -> String {
    let c = emulator.credentials();
    let http = http();
    let answer: serde_json::Value = match provider {
        Provider::UiPath => http
            .post(format!("{}/identity_/connect/token", emulator.uipath_host()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.uipath.client_id.as_str()),
                ("client_secret", c.uipath.client_secret.expose()),
                ("scope", "OR.Webhooks"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
        Provider::Port => http
            .post(format!("{}/v1/auth/access_token", emulator.port_base()))
            .json(&serde_json::json!({"clientId": c.port.client_id, "clientSecret": c.port.client_secret.expose()}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
        Provider::Up42 => http
            .post(emulator.up42_token_url())
            .form(&[
                ("grant_type", "password"),
                ("username", c.up42.username.as_str()),
                ("password", c.up42.password.expose()),
                ("client_id", "up42-sdk"),
                ("scope", "openid"),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap(),
        Provider::Generic => return c.generic.api_key.expose().to_owned(),
    };
    answer
        .get("access_token")
        .or_else(|| answer.get("accessToken"))
        .and_then(|t| t.as_str())
        .unwrap_or_else(|| panic!("no token in {answer}"))
        .to_owned()
}

/// Sends `method path` with a bearer token and an optional JSON body; returns the
/// status and the JSON answer (Null when empty).
pub async fn call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let value = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    (status, value)
}
