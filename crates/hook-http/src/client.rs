//! The transport: one `reqwest::Client`, cached tokens, retries, error mapping, tracing.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hook_model::{Applied, Context, Error, Failure, Provider, ProviderError, Secret, retryable};
use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument as _;

use crate::config::{Auth, ClientConfig, RetryPolicy};
use crate::errors::{excerpt, map_error, plain_errors, request_id};
use crate::token::{TokenBody, TokenSource};

/// Tokens are refreshed this long before they expire.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(30);

/// One request: method, path relative to the base URL, query, JSON body, and the
/// operation and webhook it is about (for errors and traces).
#[derive(Clone, derive_more::Debug)]
pub struct Request {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    // The body may hold a webhook secret: its size only.
    #[debug("{:?}", body.as_ref().map(Vec::len))]
    body: Option<Vec<u8>>,
    operation: Option<&'static str>,
    webhook: Option<String>,
}

impl Request {
    /// A request with `method` to `path` (relative: `v1/webhooks`).
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Request {
            method,
            path: path.into(),
            query: Vec::new(),
            body: None,
            operation: None,
            webhook: None,
        }
    }

    /// Names the operation (`create webhook`), for errors and traces.
    pub fn operation(mut self, operation: &'static str) -> Self {
        self.operation = Some(operation);
        self
    }

    /// Names the webhook the request is about, for errors and traces.
    pub fn webhook(mut self, id: impl std::fmt::Display) -> Self {
        self.webhook = Some(id.to_string());
        self
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
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] (field `body`) when the value cannot be encoded as JSON.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid("body", format!("cannot be encoded as JSON: {e}")))?;
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

    /// The method, as the retry rule knows it.
    fn kind(&self) -> hook_model::Method {
        match self.method {
            Method::GET => hook_model::Method::Get,
            Method::POST => hook_model::Method::Post,
            Method::PUT => hook_model::Method::Put,
            Method::PATCH => hook_model::Method::Patch,
            Method::DELETE => hook_model::Method::Delete,
            Method::HEAD => hook_model::Method::Head,
            _ => hook_model::Method::Other,
        }
    }

    /// The context errors of this request carry.
    fn context(&self, provider: Provider) -> Context {
        let mut context = Context::new(provider, self.operation.unwrap_or("request"));
        context.method = Some(self.kind());
        context.webhook_id.clone_from(&self.webhook);
        context
    }
}

/// Whether a request that got no answer may have taken effect.
fn applied(error: &reqwest::Error) -> Applied {
    if error.is_connect() {
        Applied::No
    } else {
        Applied::Maybe
    }
}

/// The error of a call whose access token could not be fetched: nothing was sent, so
/// the call is `Applied::No` (safe to retry) with the token's failure as its source. A
/// refusal of the credentials and a rate limit keep their own kind (fix the credentials;
/// wait), in the call's context.
fn not_sent(token_error: Error, context: &Context) -> Error {
    match token_error {
        Error::Unauthorized { .. } | Error::RateLimited { .. } => token_error.within(context),
        other => Error::Transport {
            message: "not sent: no access token could be fetched".into(),
            applied: Applied::No,
            source: Some(Box::new(other)),
            context: Box::new(context.clone()),
        },
    }
}

/// One call of a provider's API: a [`Request`] on its client, so that the checks made
/// before sending and the request itself report the same context (provider, operation,
/// webhook) without a provider crate attaching it by hand.
///
/// ```no_run
/// # async fn run(http: &hook_http::HttpClient, id: &str) -> Result<(), hook_model::Error> {
/// use hook_http::Request;
/// let call = http.call(Request::patch(format!("v1/webhooks/{id}")).operation("update webhook").webhook(id));
/// call.check(hook_model::check::path_segment("id", id))?;
/// let answer = call.json(&serde_json::json!({"enabled": false}))?.send().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use = "a call does nothing until it is sent"]
pub struct Call<'a> {
    client: &'a HttpClient,
    request: Request,
}

impl Call<'_> {
    /// The context every error of this call carries.
    pub fn context(&self) -> Context {
        self.request.context(self.client.provider())
    }

    /// `result` with this call's context on its error: for the checks before sending.
    ///
    /// # Errors
    ///
    /// `result`'s error, in this call's context.
    pub fn check<T>(&self, result: Result<T, Error>) -> Result<T, Error> {
        result.map_err(|e| e.within(&self.context()))
    }

    /// The same call with a query parameter.
    pub fn query(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.request = self.request.query(key, value);
        self
    }

    /// The same call with a JSON body.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] (field `body`) when `body` cannot be encoded as JSON, in this
    /// call's context.
    pub fn json<T: Serialize + ?Sized>(self, body: &T) -> Result<Self, Error> {
        let context = self.context();
        let request = self.request.json(body).map_err(|e| e.within(&context))?;
        Ok(Call {
            client: self.client,
            request,
        })
    }

    /// Sends it: [`HttpClient::send`].
    ///
    /// # Errors
    ///
    /// As [`HttpClient::send`].
    pub async fn send(self) -> Result<Response, Error> {
        self.client.send(self.request).await
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Response {
    /// The HTTP status (2xx).
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Bytes,
    /// The call it answers, for errors decoding it.
    pub context: Context,
}

impl Response {
    /// Decodes the body as `T`; errors name `what`, the JSON path that failed and the call.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the answer is not a `T`.
    pub fn json<T: DeserializeOwned>(&self, what: &'static str) -> Result<T, Error> {
        hook_model::decode(what, &self.body).map_err(|e| e.within(&self.context))
    }

    /// The body as a JSON value (Null when empty).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the answer is not JSON.
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

/// A request that got no answer: what happened, whether it may have taken effect, and
/// the cause kept as the source (not repeated in the message).
fn not_answered(error: reqwest::Error, timeout: Duration, context: Context) -> Error {
    let applied = applied(&error);
    if error.is_timeout() {
        return Error::Timeout {
            after: timeout,
            applied,
            context: Box::new(context),
        };
    }
    Error::Transport {
        message: kind(&error).into(),
        applied,
        source: Some(Box::new(error)),
        context: Box::new(context),
    }
}

impl HttpClient {
    /// A client for `config` (validated again here).
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when the configuration fails [`ClientConfig::validate`];
    /// [`Error::Transport`] when the HTTP client cannot be built (no TLS roots, say).
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        config.validate()?;
        crate::tls::ensure_provider();
        let http = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .timeout(config.timeout)
            .pool_max_idle_per_host(config.max_idle)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Transport {
                message: "cannot build the HTTP client".into(),
                applied: Applied::No,
                source: Some(Box::new(e)),
                context: Box::new(Context::new(config.provider, "build client")),
            })?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                config,
                http,
                token: tokio::sync::Mutex::new(None),
                token_fetches: std::sync::atomic::AtomicU64::new(0),
            }),
        })
    }

    /// A call of `request` on this client: see [`Call`].
    pub fn call(&self, request: Request) -> Call<'_> {
        Call {
            client: self,
            request,
        }
    }

    /// A call of `operation` about the webhook `id`: `method path`, where `{id}` in `path`
    /// stands for the id. The id is checked first as one URL path segment, and the
    /// request names both, so every error of the call does.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] naming `id` when the id cannot stand in a URL path
    /// ([`hook_model::check::path_segment`]); nothing is sent.
    pub fn call_about(
        &self,
        method: Method,
        path: &str,
        operation: &'static str,
        id: impl fmt::Display,
    ) -> Result<Call<'_>, Error> {
        let id = id.to_string();
        let request = Request::new(method, path.replace("{id}", &id)).operation(operation);
        let call = self.call(request.webhook(&id));
        call.check(hook_model::check::path_segment("id", &id))?;
        Ok(call)
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

    /// Sends `request`: authenticates, retries what [`hook_model::retryable`] allows
    /// (idempotent requests on connection errors, timeouts, 429 and 5xx; any request on
    /// 429 or a connection that never opened; capped exponential backoff with full jitter,
    /// `Retry-After` honoured up to its cap), refreshes the token once on a 401, and maps
    /// error answers to [`Error`] with the provider's decoder. A POST that may have been
    /// applied is never sent again: the error says so. A DELETE retried after a lost
    /// answer that then meets 404 succeeds: the first try deleted it.
    ///
    /// # Errors
    ///
    /// The [`Error`] of the last try, in the request's context. When no access token
    /// could be fetched the request was not sent: [`Error::Transport`] with
    /// [`Applied::No`] and the token's failure as its source (a refusal of the credentials
    /// stays [`Error::Unauthorized`], a rate limit [`Error::RateLimited`]).
    pub async fn send(&self, request: Request) -> Result<Response, Error> {
        let span = tracing::info_span!(
            "hook.request",
            provider = %self.provider(),
            method = %request.method,
            path = %request.path,
            operation = request.operation.unwrap_or("request"),
        );
        self.send_inner(request).instrument(span).await
    }

    async fn send_inner(&self, request: Request) -> Result<Response, Error> {
        let policy = &self.inner.config.retry;
        let context = request.context(self.provider());
        let mut retries = 0u32;
        let mut refreshed = false;
        // Whether an earlier try may have been applied without us seeing the answer.
        let mut maybe_applied = false;
        loop {
            let token = self.token(None).await.map_err(|e| not_sent(e, &context))?;
            let outcome = self.try_once(&request, token.as_ref()).await;
            let delay = match outcome {
                Ok((status, headers, body)) if (200..300).contains(&status) => {
                    tracing::debug!(status, "answered");
                    let mut context = context;
                    context.request_id = request_id(&headers);
                    return Ok(Response {
                        status,
                        headers,
                        body,
                        context,
                    });
                }
                Ok((401, _, _)) if !refreshed && self.refreshable() => {
                    tracing::debug!("401: refreshing the token once");
                    refreshed = true;
                    self.token(token.as_ref())
                        .await
                        .map_err(|e| not_sent(e, &context))?;
                    continue;
                }
                Ok((404, headers, _)) if maybe_applied && request.method == Method::DELETE => {
                    // The first DELETE went through and only its answer was lost.
                    tracing::debug!("404 on a retried DELETE: already deleted");
                    return Ok(Response {
                        status: 204,
                        headers,
                        body: Bytes::new(),
                        context,
                    });
                }
                Ok((status, headers, body)) => {
                    let mut context = context.clone();
                    context.request_id = request_id(&headers);
                    match retry(policy, retries, Some(request.kind()), status, &headers) {
                        Retry::After(delay) => delay,
                        Retry::TooLong(wait) => return Err(rate_limited(wait, context)),
                        Retry::No => {
                            tracing::debug!(status, "failed");
                            let (wait, decoder) =
                                (retry_after_of(&headers), self.inner.config.errors);
                            return Err(map_error(status, wait, &body, decoder, context));
                        }
                    }
                }
                Err(error) => {
                    let failure = Failure::NotAnswered(applied(&error));
                    if !retryable(Some(request.kind()), failure) || retries >= policy.max_retries {
                        return Err(not_answered(error, self.inner.config.timeout, context));
                    }
                    tracing::debug!(error = %error, "transport error, will retry");
                    maybe_applied |= !error.is_connect();
                    policy.backoff(retries + 1)
                }
            };
            retries += 1;
            tracing::debug!(
                retry = retries,
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            tokio::time::sleep(delay).await;
        }
    }

    async fn try_once(
        &self,
        request: &Request,
        token: Option<&Secret>,
    ) -> Result<(u16, HeaderMap, Bytes), reqwest::Error> {
        let path = request.path.trim_start_matches('/');
        // Paths come from our own clients; an unjoinable one falls back to the base URL,
        // whose answer then says what is wrong.
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
        exchange(builder).await
    }

    fn refreshable(&self) -> bool {
        matches!(self.inner.config.auth, Auth::Token(_))
    }

    /// The token to send. With `stale`, the caller saw it refused: fetch a new one unless
    /// another request already did (so concurrent 401s share one refresh).
    async fn token(&self, stale: Option<&Secret>) -> Result<Option<Secret>, Error> {
        let source = match &self.inner.config.auth {
            Auth::None => return Ok(None),
            Auth::Bearer(token) => return Ok(Some(token.clone())),
            Auth::Token(source) => source.clone(),
        };
        let mut cached = self.inner.token.lock().await;
        let fresh = cached.as_ref().is_some_and(|c| {
            c.refresh_at.is_none_or(|at| Instant::now() < at)
                && stale.is_none_or(|s| s.expose() != c.token.expose())
        });
        if !fresh {
            let token = self.fetch_token(source.as_ref()).await?;
            self.inner
                .token_fetches
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // An absurd lifetime saturates instead of overflowing the clock.
            let refresh_at = token
                .expires_in
                .map(|ttl| Instant::now().checked_add(ttl.saturating_sub(REFRESH_MARGIN)));
            *cached = Some(Cached {
                token: token.access_token,
                refresh_at: refresh_at.flatten(),
            });
        }
        Ok(cached.as_ref().map(|c| c.token.clone()))
    }

    /// Fetches a token, retrying like an idempotent call: connection errors, timeouts, 429
    /// and 5xx. Only a refusal of the credentials is `Unauthorized`.
    async fn fetch_token(&self, source: &dyn TokenSource) -> Result<crate::Token, Error> {
        let policy = &self.inner.config.retry;
        // No method in the context: asking for a token changes nothing, so a lost answer
        // is always safe to retry.
        let mut context = Context::new(self.provider(), "fetch token");
        let mut retries = 0u32;
        loop {
            let request = self.inner.http.post(source.token_url());
            let request = match source.body() {
                TokenBody::Form(pairs) => {
                    let form: Vec<(&str, &str)> =
                        pairs.iter().map(|(k, v)| (*k, v.expose())).collect();
                    request.form(&form)
                }
                TokenBody::Json(json) => request
                    .header("content-type", "application/json")
                    .body(json.expose().to_owned()),
            };
            let delay = match exchange(request).await {
                Ok((status, headers, body)) if (200..300).contains(&status) => {
                    context.request_id = request_id(&headers);
                    return source.parse(&body).map_err(|e| e.within(&context));
                }
                Ok((status, headers, body)) => {
                    context.request_id = request_id(&headers);
                    // Asking for a token changes nothing: retried like an idempotent call.
                    match retry(policy, retries, None, status, &headers) {
                        Retry::After(delay) => delay,
                        Retry::TooLong(wait) => return Err(rate_limited(wait, context)),
                        Retry::No => {
                            let wait = retry_after_of(&headers);
                            return Err(token_refusal(status, wait, &body, context));
                        }
                    }
                }
                Err(error) => {
                    if retries >= policy.max_retries {
                        return Err(not_answered(error, self.inner.config.timeout, context));
                    }
                    policy.backoff(retries + 1)
                }
            };
            retries += 1;
            tracing::debug!(retry = retries, "token endpoint failed, retrying");
            tokio::time::sleep(delay).await;
        }
    }
}

/// One try: send, then read the status, headers and whole body.
async fn exchange(
    request: reqwest::RequestBuilder,
) -> Result<(u16, HeaderMap, Bytes), reqwest::Error> {
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok((status, headers, body))
}

/// What to do after an error answer.
enum Retry {
    /// Try again after this wait.
    After(Duration),
    /// The provider asked for a wait longer than the policy honours.
    TooLong(Duration),
    /// Give up: not retryable, not safe to repeat, or out of retries.
    No,
}

/// After an error answer, for requests and token fetches (`method` `None`: asking for a
/// token changes nothing): [`hook_model::retryable`] decides, and retries remain; the
/// wait is `Retry-After` (up to its cap) or the policy's backoff.
fn retry(
    policy: &RetryPolicy,
    retries: u32,
    method: Option<hook_model::Method>,
    status: u16,
    headers: &HeaderMap,
) -> Retry {
    if !(retryable(method, Failure::Status(status)) && retries < policy.max_retries) {
        return Retry::No;
    }
    match retry_after_of(headers) {
        Some(wait) if wait > policy.max_retry_after => Retry::TooLong(wait),
        Some(wait) => Retry::After(wait),
        None => Retry::After(policy.backoff(retries + 1)),
    }
}

fn rate_limited(wait: Duration, context: Context) -> Error {
    Error::RateLimited {
        retry_after: Some(wait),
        context: Box::new(context),
    }
}

/// A token endpoint's error answer: a refusal of the credentials (401, 403, or OAuth 2's
/// `invalid_client`, `invalid_grant`, `unauthorized_client`) is `Unauthorized`; anything
/// else keeps its status family.
fn token_refusal(status: u16, wait: Option<Duration>, body: &[u8], context: Context) -> Error {
    let said = plain_errors(body);
    let credentials = matches!(status, 401 | 403)
        || matches!(
            said.code.as_deref(),
            Some("invalid_client" | "invalid_grant" | "unauthorized_client")
        );
    if credentials {
        let message = match (said.message.is_empty(), &said.code) {
            (false, _) => said.message,
            (true, Some(code)) => code.clone(),
            (true, None) => excerpt(body),
        };
        return Error::Unauthorized {
            reply: ProviderError::new(
                status,
                said.code,
                format!("token request refused: {message}"),
            ),
            context: Box::new(context),
        };
    }
    map_error(status, wait, body, plain_errors, context)
}

fn retry_after_of(headers: &HeaderMap) -> Option<Duration> {
    retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?)
}

/// A `Retry-After` value (RFC 9110 §10.2.3) as a wait: delay-seconds, or an HTTP date from
/// now (a date past is no wait). `None` when it is neither. The transport, the emulator's
/// sender and `hook listen`'s inbox all read the header with this.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(hook_http::retry_after(" 120 "), Some(Duration::from_secs(120)));
/// assert_eq!(hook_http::retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(Duration::ZERO));
/// assert_eq!(hook_http::retry_after("soon"), None);
/// ```
pub fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let left = date - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(left).unwrap_or(Duration::ZERO))
}

/// What kind of failure a transport error was, in words; the error itself is the source.
fn kind(error: &reqwest::Error) -> &'static str {
    if error.is_connect() {
        "the connection failed, so nothing was sent"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else {
        "the request failed after it was sent"
    }
}
