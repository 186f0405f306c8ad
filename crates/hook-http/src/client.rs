//! The transport: one `reqwest::Client`, cached tokens, retries, error mapping, tracing.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hook_model::{Error, Provider, ProviderError, Secret};
use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::config::{Auth, ClientConfig};
use crate::errors::{excerpt, map_error};

/// Tokens are refreshed this long before they expire.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// One request: method, path relative to the base URL, query, JSON body.
#[derive(Clone)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Vec<u8>>,
}

impl fmt::Debug for Request {
    // The body may hold a webhook secret: show its size only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body_bytes", &self.body.as_ref().map(Vec::len))
            .finish()
    }
}

impl Request {
    /// A request with `method` to `path` (relative: `v1/webhooks`).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
        }
    }

    /// `GET path`.
    pub fn get(path: impl Into<String>) -> Self {
        Request::new(Method::GET, path)
    }

    /// `POST path`.
    pub fn post(path: impl Into<String>) -> Self {
        Request::new(Method::POST, path)
    }

    /// `PUT path`.
    pub fn put(path: impl Into<String>) -> Self {
        Request::new(Method::PUT, path)
    }

    /// `PATCH path`.
    pub fn patch(path: impl Into<String>) -> Self {
        Request::new(Method::PATCH, path)
    }

    /// `DELETE path`.
    pub fn delete(path: impl Into<String>) -> Self {
        Request::new(Method::DELETE, path)
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.query.push((key.into(), value.to_string()));
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::validation("body", format!("cannot encode: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path.
    pub fn path(&self) -> &str {
        &self.path
    }

    fn idempotent(&self) -> bool {
        self.method != Method::POST
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
}

impl Response {
    /// Decodes the body as `T`; errors name `what` and the JSON path that failed.
    pub fn json<T: DeserializeOwned>(&self, what: &'static str) -> Result<T, Error> {
        hook_model::decode(what, &self.body)
    }

    /// The body as a JSON value (Null when empty).
    pub fn value(&self) -> Result<serde_json::Value, Error> {
        if self.body.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        self.json("answer")
    }
}

struct Cached {
    token: Secret,
    refresh_at: Option<Instant>,
}

struct Inner {
    config: ClientConfig,
    http: reqwest::Client,
    token: tokio::sync::Mutex<Option<Cached>>,
    token_fetches: std::sync::atomic::AtomicU64,
}

/// The HTTP transport every provider client uses. Cheap to clone: clones share one
/// connection pool and one token cache.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

fn transport(message: String, source: reqwest::Error) -> Error {
    Error::Transport {
        message,
        source: Some(Box::new(source)),
    }
}

impl HttpClient {
    /// A client for `config` (validated again here).
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| transport("cannot build the HTTP client".into(), e))?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                config,
                http,
                token: tokio::sync::Mutex::new(None),
                token_fetches: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The provider.
    pub fn provider(&self) -> Provider {
        self.inner.config.provider
    }

    /// How many tokens this client (and its clones) fetched so far.
    pub fn token_fetches(&self) -> u64 {
        self.inner
            .token_fetches
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends `request`: authenticates, retries idempotent requests on connection errors,
    /// timeouts, 429 and 5xx (capped exponential backoff with full jitter, `Retry-After`
    /// honoured up to its cap), refreshes the token once on a 401, and maps error answers
    /// to [`Error`]. POST is never retried: when its answer is lost the error says the
    /// change may have happened. A DELETE retried after a lost answer that then meets 404
    /// succeeds: the first try deleted it.
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        let span = tracing::info_span!(
            "hook.request",
            provider = %self.provider(),
            method = %request.method,
            path = %request.path,
        );
        self.send_inner(request).instrument(span).await
    }

    async fn send_inner(&self, request: Request) -> Result<Response, Error> {
        let policy = &self.inner.config.retry;
        let mut retries = 0u32;
        let mut refreshed = false;
        // Whether an earlier try may have been applied without us seeing the answer.
        let mut maybe_applied = false;
        loop {
            let token = self.token(None).await?;
            let outcome = self.try_once(&request, token.as_ref()).await;
            let delay = match outcome {
                Ok((status, headers, body)) if (200..300).contains(&status) => {
                    tracing::debug!(status, "answered");
                    return Ok(Response {
                        status,
                        headers,
                        body,
                    });
                }
                Ok((401, _, _)) if !refreshed && self.refreshable() => {
                    tracing::debug!("401: refreshing the token once");
                    refreshed = true;
                    self.token(token.as_ref()).await?;
                    continue;
                }
                Ok((404, headers, _)) if maybe_applied && request.method == Method::DELETE => {
                    // The first DELETE went through and only its answer was lost.
                    tracing::debug!("404 on a retried DELETE: already deleted");
                    return Ok(Response {
                        status: 204,
                        headers,
                        body: Bytes::new(),
                    });
                }
                Ok((status, headers, body)) => {
                    let retry_after = retry_after(&headers);
                    let retryable = status == 429 || status >= 500;
                    if !(retryable && request.idempotent() && retries < policy.max_retries) {
                        tracing::debug!(status, "failed");
                        return Err(map_error(self.provider(), status, retry_after, &body));
                    }
                    match retry_after {
                        Some(wait) if wait > policy.max_retry_after => {
                            return Err(Error::RateLimited {
                                retry_after: Some(wait),
                            });
                        }
                        Some(wait) => wait,
                        None => policy.backoff(retries + 1),
                    }
                }
                Err(error) => {
                    if !request.idempotent() {
                        return Err(lost_post(&request, error));
                    }
                    if retries >= policy.max_retries {
                        return Err(self.classify(error));
                    }
                    tracing::debug!(error = %error, "transport error, will retry");
                    maybe_applied |= !error.is_connect();
                    policy.backoff(retries + 1)
                }
            };
            retries += 1;
            tracing::debug!(
                retry = retries,
                delay_ms = delay.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    fn classify(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout(self.inner.config.timeout)
        } else {
            transport(describe(&error), error)
        }
    }

    async fn try_once(
        &self,
        request: &Request,
        token: Option<&Secret>,
    ) -> Result<(u16, HeaderMap, Bytes), reqwest::Error> {
        let path = request.path.trim_start_matches('/');
        // Paths come from our own clients; an unjoinable one is a bug, reported as a 0 status.
        let url = self
            .inner
            .config
            .base_url
            .join(path)
            .unwrap_or_else(|_| self.inner.config.base_url.clone());
        let mut builder = self.inner.http.request(request.method.clone(), url);
        if !request.query.is_empty() {
            builder = builder.query(&request.query);
        }
        if let Some(token) = token {
            builder = builder.bearer_auth(token.expose());
        }
        if let Some(body) = &request.body {
            builder = builder
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await?;
        Ok((status, headers, body))
    }

    fn refreshable(&self) -> bool {
        !matches!(self.inner.config.auth, Auth::None | Auth::Bearer(_))
    }

    /// The token to send. With `stale`, the caller saw it refused: fetch a new one unless
    /// another request already did (so concurrent 401s share one refresh).
    async fn token(&self, stale: Option<&Secret>) -> Result<Option<Secret>, Error> {
        match &self.inner.config.auth {
            Auth::None => return Ok(None),
            Auth::Bearer(token) => return Ok(Some(token.clone())),
            _ => {}
        }
        let mut cached = self.inner.token.lock().await;
        let fresh = cached.as_ref().is_some_and(|c| {
            c.refresh_at.is_none_or(|at| Instant::now() < at)
                && stale.is_none_or(|s| s.expose() != c.token.expose())
        });
        if !fresh {
            let (token, expires_in) = self.fetch_token().await?;
            self.inner
                .token_fetches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let refresh_at =
                expires_in.map(|ttl| Instant::now() + ttl.saturating_sub(REFRESH_MARGIN));
            *cached = Some(Cached { token, refresh_at });
        }
        Ok(cached.as_ref().map(|c| c.token.clone()))
    }

    async fn fetch_token(&self) -> Result<(Secret, Option<Duration>), Error> {
        let http = &self.inner.http;
        let request = match &self.inner.config.auth {
            Auth::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scope,
            } => {
                let mut form = vec![
                    ("grant_type", "client_credentials"),
                    ("client_id", client_id.as_str()),
                    ("client_secret", client_secret.expose()),
                ];
                if let Some(scope) = scope {
                    form.push(("scope", scope));
                }
                http.post(token_url).form(&form)
            }
            Auth::Password {
                token_url,
                username,
                password,
                client_id,
                scope,
            } => {
                let mut form = vec![
                    ("grant_type", "password"),
                    ("username", username.as_str()),
                    ("password", password.expose()),
                    ("client_id", client_id.as_str()),
                ];
                if let Some(scope) = scope {
                    form.push(("scope", scope));
                }
                http.post(token_url).form(&form)
            }
            Auth::PortClient {
                token_url,
                client_id,
                client_secret,
            } => http
                .post(token_url)
                .json(&hook_model::wire::port::TokenRequest {
                    client_id: client_id.clone(),
                    client_secret: client_secret.clone(),
                }),
            Auth::None | Auth::Bearer(_) => {
                return Err(Error::validation("auth", "no token endpoint configured"));
            }
        };
        let response = request.send().await.map_err(|e| self.classify(e))?;
        let status = response.status().as_u16();
        let body = response.bytes().await.map_err(|e| self.classify(e))?;
        if !(200..300).contains(&status) {
            let message = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| {
                    v.get("error_description")
                        .or_else(|| v.get("message"))
                        .and_then(|m| m.as_str())
                        .map(str::to_owned)
                })
                .unwrap_or_else(|| excerpt(&body));
            return Err(Error::Unauthorized(ProviderError {
                status: Some(status),
                code: None,
                message: format!("token request refused: {message}"),
            }));
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            #[serde(alias = "accessToken")]
            access_token: Secret,
            #[serde(default, alias = "expiresIn")]
            expires_in: Option<u64>,
        }
        let answer: Answer = hook_model::decode("token answer", &body)?;
        Ok((
            answer.access_token,
            answer.expires_in.map(Duration::from_secs),
        ))
    }
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn describe(error: &reqwest::Error) -> String {
    let mut message = error.without_url_ref().to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// A POST whose answer did not arrive: say whether it may have been applied.
fn lost_post(request: &Request, error: reqwest::Error) -> Error {
    let message = if error.is_connect() {
        format!(
            "POST {} could not connect, so nothing was sent: {}",
            request.path,
            describe(&error)
        )
    } else {
        format!(
            "POST {} was sent but its answer was lost ({}): the change may have been applied; \
             list before creating again",
            request.path,
            describe(&error)
        )
    };
    transport(message, error)
}

trait WithoutUrl {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrl for reqwest::Error {
    /// reqwest prints the URL; ours hold no secrets, but the kind alone reads better.
    fn without_url_ref(&self) -> String {
        if self.is_timeout() {
            "timed out".into()
        } else if self.is_connect() {
            "connection failed".into()
        } else if self.is_body() || self.is_decode() {
            "the answer was cut off".into()
        } else {
            "request failed".into()
        }
    }
}
