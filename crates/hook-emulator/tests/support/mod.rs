//! Shared test parts: a verifying receiver, and an authenticated client for each provider's
//! webhook routes.
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
        let verifier = Verifier::new(hook_emulator::scheme(provider).unwrap(), secret).unwrap();
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

    /// Answers the next deliveries with `statuses` in order, then as [`Receiver::answer`] says.
    pub fn script(&self, statuses: impl IntoIterator<Item = u16>) {
        self.inner.script(statuses);
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
    let request = match provider {
        hook_uipath::PROVIDER => http
            .post(format!("{}/identity_/connect/token", emulator.uipath_host()))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.uipath.client_id.as_str()),
                ("client_secret", c.uipath.client_secret.expose()),
                ("scope", "OR.Webhooks"),
            ]),
        hook_port::PROVIDER => http
            .post(format!("{}/v1/auth/access_token", emulator.port_base()))
            .json(&serde_json::json!({"clientId": c.port.client_id, "clientSecret": c.port.client_secret.expose()})),
        hook_up42::PROVIDER => http.post(emulator.up42_token_url()).form(&[
            ("grant_type", "password"),
            ("username", c.up42.username.as_str()),
            ("password", c.up42.password.expose()),
            ("client_id", "up42-sdk"),
            ("scope", "openid"),
        ]),
        hook_generic::PROVIDER => return c.generic.api_key.expose().to_owned(),
        other => panic!("the emulator has no provider {other}"),
    };
    let answer: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
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

/// One provider's webhook collection with a bearer token: paths are appended to `base`
/// (`api.get("/{id}")`, `api.post("", body)`).
#[derive(Debug, Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub token: String,
    /// The collection's URL: UiPath `…/odata/Webhooks`, UP42 the workspace's
    /// `…/webhooks`, Port's and the generic service's `…/v1/webhooks`.
    pub base: String,
}

impl Api {
    /// `provider`'s collection with a token from the emulator's own token endpoint.
    pub async fn new(emulator: &EmulatorHandle, provider: Provider) -> Api {
        let base = match provider {
            hook_uipath::PROVIDER => format!("{}odata/Webhooks", emulator.uipath_base()),
            hook_up42::PROVIDER => format!(
                "{}/workspaces/{}/webhooks",
                emulator.up42_base(),
                emulator.credentials().up42.workspace_id
            ),
            hook_port::PROVIDER => format!("{}/v1/webhooks", emulator.port_base()),
            hook_generic::PROVIDER => format!("{}/v1/webhooks", emulator.generic_base()),
            other => panic!("the emulator has no provider {other}"),
        };
        let token = token(emulator, provider).await;
        Api {
            http: http(),
            token,
            base,
        }
    }

    /// A fresh emulator, and `provider`'s collection on it.
    pub async fn start(provider: Provider) -> (EmulatorHandle, Api) {
        let emulator = hook_emulator::Emulator::builder().start().await.unwrap();
        let api = Api::new(&emulator, provider).await;
        (emulator, api)
    }

    /// The same collection with another bearer token.
    pub fn with_token(&self, token: &str) -> Api {
        Api {
            token: token.to_owned(),
            ..self.clone()
        }
    }

    /// `method {base}{path}` with an optional JSON body: see [`call`].
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let url = format!("{}{path}", self.base);
        call(&self.http, method, &url, &self.token, body).await
    }

    /// `GET {base}{path}`.
    pub async fn get(&self, path: &str) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// `POST {base}{path}` with a JSON body.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    /// `PUT {base}{path}` with a JSON body.
    pub async fn put(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// `PATCH {base}{path}` with a JSON body.
    pub async fn patch(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    /// UP42's test run of webhook `id`: `(testsRun, testsSucceeded)` from its 200 answer.
    pub async fn up42_test_run(&self, id: &str) -> (serde_json::Value, serde_json::Value) {
        let path = format!("/{id}/tests");
        let (status, run) = self.call(reqwest::Method::POST, &path, None).await;
        assert_eq!(status, 200, "{run}");
        (
            run["data"]["testsRun"].clone(),
            run["data"]["testsSucceeded"].clone(),
        )
    }

    /// POSTs `body` to the collection as it is (no JSON encoding); answers the status.
    pub async fn post_raw(&self, body: impl Into<reqwest::Body>) -> u16 {
        // A body refused before it is read may leave the connection closed by the server:
        // it must not go back to the pool for the next request.
        let request = self
            .http
            .post(&self.base)
            .bearer_auth(&self.token)
            .header("connection", "close");
        request.body(body).send().await.unwrap().status().as_u16()
    }

    /// `DELETE {base}{path}`: the status.
    pub async fn delete(&self, path: &str) -> u16 {
        self.call(reqwest::Method::DELETE, path, None).await.0
    }
}
