//! Shared test parts: a verifying receiver and an authenticated HTTP client per provider.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of this

use std::time::Duration;

use hook_emulator::{EmulatorHandle, Received};
use hook_model::Provider;
use hook_sign::Verifier;

/// A [`hook_emulator::Receiver`] with test-friendly methods.
#[derive(Debug)]
pub struct Receiver {
    pub url: String,
    inner: hook_emulator::Receiver,
}

impl Receiver {
    /// Starts a receiver verifying with `provider`'s scheme and `secret`.
    pub async fn start(provider: Provider, secret: &str) -> Receiver {
        let verifier = Verifier::new(hook_emulator::scheme(provider), secret).unwrap();
        let inner = hook_emulator::Receiver::start(verifier).await.unwrap();
        Receiver {
            url: inner.url().to_owned(),
            inner,
        }
    }

    /// The next delivery (at most 10 s).
    pub async fn next(&mut self) -> Received {
        self.inner
            .next(Duration::from_secs(10))
            .await
            .expect("a delivery within 10 s")
    }

    /// Whether a delivery already arrived.
    pub fn has_more(&mut self) -> bool {
        self.inner.try_next().is_some()
    }

    pub fn answer(&self, status: u16) {
        self.inner.answer(status);
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
