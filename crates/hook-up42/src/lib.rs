//! UP42's workspace webhooks, whole: the wire records ([`wire`]), the event catalog
//! ([`EVENTS`]), UP42's rules (HTTPS URLs, names), its error envelope, its token endpoint,
//! its hosts and `HOOK_UP42_*` variables ([`Up42Config`]), a native client in UP42's words
//! ([`Up42Client::get_webhooks`], [`Up42Client::initialize_webhook`] giving a
//! [`WebhookHandle`] with `info`, `update`, `delete` and `trigger_test_events`,
//! [`Up42Client::create_webhook`] and [`Up42Client::get_webhook_events`]), and
//! [`hook_model::WebhookApi`].
//!
//! UP42's Python SDK deprecated its webhooks module in July 2025 and removed it in October
//! 2025; the API's pages remain, and this client follows them. The wire contract, with its
//! sources, is in this repository's `docs/providers.md`.
//!
//! Deliveries are `{"event", "body"}` ([`parse_event`]) signed with `Signature-Input` /
//! `Signature` headers: verify them with `hook_sign::Scheme::up42()` on the raw body, which
//! also checks the signed `Content-Digest` against the body.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_up42::{CreateWebhook, Up42Client, Up42Config};
//! let up42 = Up42Client::new(Up42Config::new("me@example.com", "password", "workspace-id"))?;
//! let webhook = up42
//!     .create_webhook(
//!         &CreateWebhook::new("new-webhook", "https://receiving-url.com", ["job.status", "order.status"])
//!             .active(true)
//!             .secret("QWZTFnMEXhqZKNmu"),
//!     )
//!     .await?;
//! let run = webhook.trigger_test_events().await?;
//! println!("{} of {} test messages arrived", run.tests_succeeded, run.tests_run);
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod catalog;
mod config;
pub mod wire;

use async_trait::async_trait;
use hook_http::{Auth, Call, ClientConfig, ErrorReply, HttpClient, Method, OAuth2, Request};
use hook_model::check::{self, Scheme};
use hook_model::{
    Capabilities, Context, Error, EventType, EventTypeInfo, ListQuery, Page, Paging, Secret,
    TestOutcome, Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};
use serde::de::DeserializeOwned;

pub use catalog::EVENTS;
pub use config::{DEFAULT_BASE_URL, DEFAULT_TOKEN_URL, SA_BASE_URL, SA_TOKEN_URL, Up42Config, env};
use wire::Envelope;
pub use wire::{
    CurrentUser, EventInfo, JobStatus, OrderStatus, TestRun, Up42Event, Up42EventBody, Up42Webhook,
};

/// What UP42 offers through [`WebhookApi`].
pub const CAPABILITIES: Capabilities = Capabilities::new(crate::PROVIDER, Paging::None)
    .test(true)
    .https_only(true)
    .names(true);

/// The body of [`Up42Client::create_webhook`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreateWebhook {
    /// The name.
    pub name: String,
    /// Where deliveries go; HTTPS required.
    pub url: String,
    /// The events to subscribe to.
    pub events: Vec<EventType>,
    /// Whether deliveries start right away (UP42's default: no).
    pub active: bool,
    /// The signing secret.
    pub secret: Option<Secret>,
}

impl CreateWebhook {
    /// An inactive webhook named `name` delivering `events` to `url`, with no secret.
    pub fn new<E: Into<EventType>>(
        name: impl Into<String>,
        url: impl Into<String>,
        events: impl IntoIterator<Item = E>,
    ) -> Self {
        CreateWebhook {
            name: name.into(),
            url: url.into(),
            events: events.into_iter().map(Into::into).collect(),
            active: false,
            secret: None,
        }
    }

    hook_model::setters! {
        /// Sets whether deliveries start right away.
        active: bool;
        /// Sets the signing secret.
        secret: Option<Secret>;
    }
}

/// UP42's client, scoped to one workspace. Cheap to clone.
///
/// ```no_run
/// # async fn run(up42: hook_up42::Up42Client) -> Result<(), hook_model::Error> {
/// use hook_up42::UpdateWebhook;
/// let mut webhook = up42.initialize_webhook("1df1ebb0-78a4-55d9-b806-15d22e391bd3").await?;
/// println!("{:?}", webhook.info());
/// webhook.update(UpdateWebhook::new().active(false)).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Up42Client {
    http: HttpClient,
    workspace: String,
}

/// A webhook, as `initialize_webhook` or `create_webhook` return it.
#[derive(Debug, Clone)]
pub struct WebhookHandle {
    client: Up42Client,
    info: Up42Webhook,
}

/// Changes for [`WebhookHandle::update`]; absent fields keep their current value.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct UpdateWebhook {
    /// A new name.
    pub name: Option<String>,
    /// A new HTTPS URL.
    pub url: Option<String>,
    /// New events.
    pub events: Option<Vec<EventType>>,
    /// Active or not.
    pub active: Option<bool>,
    /// A new secret.
    pub secret: Option<Secret>,
}

impl UpdateWebhook {
    /// A change of nothing yet.
    pub fn new() -> Self {
        UpdateWebhook::default()
    }

    hook_model::setters! {
        /// Turns deliveries on or off.
        active: some bool;
        /// Sets a new name.
        name: Option<String>;
        /// Sets a new HTTPS URL.
        url: Option<String>;
        /// Sets a new secret.
        secret: Option<Secret>;
    }
}

fn segment(field: &str, id: &str) -> Result<(), Error> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::invalid(
            field,
            format!("{id:?} is not a UP42 id: letters, digits and - only"),
        ));
    }
    Ok(())
}

/// The `data` of UP42's `{"data", "error"}` answer to `request`; an answer without data
/// is a decode error, as null where `T` was expected.
async fn data<T: DeserializeOwned>(
    http: &HttpClient,
    request: Request,
    what: &'static str,
) -> Result<T, Error> {
    envelope(http.send(request).await?, what)
}

/// The `data` of a `{"data", "error"}` answer (see [`data`]).
fn envelope<T: DeserializeOwned>(
    response: hook_http::Response,
    what: &'static str,
) -> Result<T, Error> {
    let envelope: Envelope<T> = response.json(what)?;
    envelope.data.ok_or_else(|| {
        hook_model::decode::<T>(what, b"null")
            .err()
            .unwrap_or_else(|| Error::invalid("data", "UP42 answered no data"))
            .within(&response.context)
    })
}

/// The userinfo endpoint beside a Keycloak token URL: `…/openid-connect/token` →
/// `…/openid-connect/userinfo`.
fn userinfo_url(token_url: &str) -> String {
    match token_url.trim_end_matches('/').strip_suffix("/token") {
        Some(realm) => format!("{realm}/userinfo"),
        None => format!("{}/userinfo", token_url.trim_end_matches('/')),
    }
}

/// The `sub` claim of the signed-in user (a plain JSON object, no `data` envelope).
async fn userinfo_subject(http: &HttpClient, token_url: &str) -> Result<String, Error> {
    #[derive(serde::Deserialize)]
    struct UserInfo {
        sub: String,
    }
    let request = Request::get(userinfo_url(token_url)).operation("get user info");
    let response = http.send(request).await?;
    let info: UserInfo = response.json("OpenID Connect userinfo")?;
    Ok(info.sub)
}

async fn current_user(http: &HttpClient) -> Result<CurrentUser, Error> {
    let request = Request::get("users/me").operation("get current user");
    data(http, request, "UP42 user").await
}

/// The transport of `config`: the password grant with `client_id=up42-sdk`, as UP42's
/// SDK logs in, and UP42's error decoder.
fn transport(config: &Up42Config) -> Result<ClientConfig, Error> {
    let auth = Auth::token(
        OAuth2::password(
            config.token_url.clone(),
            "up42-sdk",
            config.username.clone(),
            config.password.clone(),
        )
        .scope("openid"),
    );
    Ok(ClientConfig::new(crate::PROVIDER, &config.base_url, auth)?
        .errors(decode_error)
        .settings(&config.transport))
}

fn context(operation: &'static str) -> Context {
    Context::new(crate::PROVIDER, operation)
}

/// The record UP42 expects in create and update bodies, checked first: a name, an HTTPS
/// URL, well-formed event names, a non-empty secret when one is given.
fn body(webhook: &CreateWebhook) -> Result<serde_json::Value, Error> {
    check::required("name", Some(&webhook.name))?;
    check::url("url", &webhook.url, Scheme::HttpsOnly)?;
    check::event_names("events", &webhook.events)?;
    check::secret("secret", webhook.secret.as_ref())?;
    let events: Vec<EventType> = webhook
        .events
        .iter()
        .map(|e| e.canonical_in(&EVENTS))
        .collect();
    let mut body = serde_json::json!({
        "name": webhook.name, "url": webhook.url, "events": events, "active": webhook.active,
    });
    if let Some(secret) = &webhook.secret {
        body["secret"] = serde_json::Value::String(secret.expose().to_owned());
    }
    Ok(body)
}

/// Reads UP42's error envelope, `{"data": null, "error": {"code", "message", "details"}}`.
pub fn decode_error(body: &[u8]) -> ErrorReply {
    serde_json::from_slice::<Envelope<serde_json::Value>>(body)
        .ok()
        .and_then(|e| e.error)
        .map(|e| {
            let code = match e.code {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s),
                other => Some(other.to_string()),
            };
            let field = e
                .details
                .as_ref()
                .and_then(|d| d.get("field"))
                .and_then(|f| f.as_str())
                .map(str::to_owned);
            ErrorReply::new(code, e.message).field(field)
        })
        .unwrap_or_default()
}

impl Up42Client {
    /// A client for the workspace `config` names, logging in with the password grant
    /// (`client_id=up42-sdk`, as UP42's SDK does).
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn new(config: Up42Config) -> Result<Self, Error> {
        Up42Client::with_config(transport(&config)?, config.workspace)
    }

    /// A client for the workspace of the user `config` signs in as: the `sub` claim of the
    /// OpenID Connect userinfo endpoint beside the token URL (`…/openid-connect/userinfo`),
    /// as UP42's Python SDK reads it since December 2024, or, when that fails, the `id` of
    /// `GET /users/me`, the endpoint the SDK calls deprecated. `config.workspace` is not
    /// used.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path; as a network
    /// call, what [`hook_http::HttpClient::send`] answers.
    pub async fn discover(config: Up42Config) -> Result<Self, Error> {
        let http = HttpClient::new(transport(&config)?)?;
        let workspace = match userinfo_subject(&http, &config.token_url).await {
            Ok(subject) => subject,
            // Older deployments (and the SA region, unconfirmed) may lack it.
            Err(_) => current_user(&http).await?.id,
        };
        segment("workspace", &workspace).map_err(|e| e.within(&context("find workspace")))?;
        Ok(Up42Client { http, workspace })
    }

    /// `GET /users/me`: the signed-in user.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn current_user(&self) -> Result<CurrentUser, Error> {
        current_user(&self.http).await
    }

    /// A client with a full transport configuration (client-credentials auth, timeouts);
    /// UP42's error decoder is set here.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn with_config(config: ClientConfig, workspace: impl Into<String>) -> Result<Self, Error> {
        let workspace = workspace.into();
        segment("workspace", &workspace).map_err(|e| e.within(&context("configure client")))?;
        Ok(Up42Client {
            http: HttpClient::new(config.errors(decode_error))?,
            workspace,
        })
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The workspace.
    pub fn workspace(&self) -> &str {
        &self.workspace
    }

    async fn data<T: DeserializeOwned>(
        &self,
        request: Request,
        what: &'static str,
    ) -> Result<T, Error> {
        data(&self.http, request, what).await
    }

    fn path(&self, rest: &str) -> String {
        format!("workspaces/{}/webhooks{rest}", self.workspace)
    }

    /// A call of `operation` to `…/webhooks/{id}{rest}`, the id checked first.
    fn webhook_call(
        &self,
        method: Method,
        rest: &str,
        id: &str,
        operation: &'static str,
    ) -> Result<Call<'_>, Error> {
        let call =
            (self.http).call_about(method, &self.path(&format!("/{{id}}{rest}")), operation, id)?;
        call.check(segment("id", id))?;
        Ok(call)
    }

    /// `GET /workspaces/{workspace}/webhooks`: every webhook of the workspace.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_webhooks(&self) -> Result<Vec<WebhookHandle>, Error> {
        let request = Request::get(self.path("")).operation("list webhooks");
        let list: Vec<Up42Webhook> = self.data(request, "UP42 webhook list").await?;
        Ok(list.into_iter().map(|info| self.handle(info)).collect())
    }

    /// `GET /workspaces/{workspace}/webhooks/{id}`: a handle with the webhook's `info`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn initialize_webhook(&self, id: &str) -> Result<WebhookHandle, Error> {
        let call = self.webhook_call(Method::GET, "", id, "get webhook")?;
        let info = envelope(call.send().await?, "UP42 webhook")?;
        Ok(self.handle(info))
    }

    /// `POST /workspaces/{workspace}/webhooks`, checked first.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn create_webhook(&self, webhook: &CreateWebhook) -> Result<WebhookHandle, Error> {
        let call = self
            .http
            .call(Request::post(self.path("")).operation("create webhook"));
        let body = call.check(body(webhook))?;
        let info = envelope(call.json(&body)?.send().await?, "UP42 webhook")?;
        Ok(self.handle(info))
    }

    /// `GET /webhooks/events`: the events a webhook can subscribe to.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_webhook_events(&self) -> Result<Vec<EventInfo>, Error> {
        let request = Request::get("webhooks/events").operation("list event types");
        self.data(request, "UP42 webhook events").await
    }

    fn handle(&self, info: Up42Webhook) -> WebhookHandle {
        WebhookHandle {
            client: self.clone(),
            info,
        }
    }
}

impl WebhookHandle {
    /// The webhook's metadata, as last read or written.
    pub fn info(&self) -> &Up42Webhook {
        &self.info
    }

    /// The id.
    pub fn id(&self) -> &str {
        self.info.id.as_deref().unwrap_or_default()
    }

    /// `PUT …/webhooks/{id}` with the full body: `changes` over the current info,
    /// checked first. UP42's own SDK reads only `updatedAt` from the answer; an answer
    /// that is not a whole webhook record does not fail the applied update: the record is
    /// read again with a GET.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn update(&mut self, changes: UpdateWebhook) -> Result<&Up42Webhook, Error> {
        let id = self.id().to_owned();
        let call = self
            .client
            .webhook_call(Method::PUT, "", &id, "update webhook")?;
        let whole = CreateWebhook {
            name: changes.name.unwrap_or_else(|| self.info.name.clone()),
            url: changes.url.unwrap_or_else(|| self.info.url.clone()),
            events: changes.events.unwrap_or_else(|| self.info.events.clone()),
            active: changes.active.unwrap_or(self.info.active),
            secret: changes
                .secret
                .or_else(|| self.info.secret.clone().filter(|s| !s.is_empty())),
        };
        let body = call.check(body(&whole))?;
        let answer: serde_json::Value = envelope(call.json(&body)?.send().await?, "UP42 webhook")?;
        self.info = match serde_json::from_value::<Up42Webhook>(answer) {
            Ok(whole) if whole.id.as_deref() == Some(id.as_str()) => whole,
            // Partial (say `{"updatedAt": …}` alone): the update was applied; read it back.
            _ => self.client.initialize_webhook(&id).await?.info,
        };
        Ok(&self.info)
    }

    /// `DELETE …/webhooks/{id}`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn delete(self) -> Result<(), Error> {
        self.client.delete_by_id(self.id()).await
    }

    /// `POST …/webhooks/{id}/tests`: one test message per subscribed event.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn trigger_test_events(&self) -> Result<TestRun, Error> {
        self.client.test_by_id(self.id()).await
    }
}

impl Up42Client {
    async fn delete_by_id(&self, id: &str) -> Result<(), Error> {
        let call = self.webhook_call(Method::DELETE, "", id, "delete webhook")?;
        call.send().await.map(|_| ())
    }

    async fn test_by_id(&self, id: &str) -> Result<TestRun, Error> {
        let call = self.webhook_call(Method::POST, "/tests", id, "test webhook")?;
        envelope(call.send().await?, "UP42 test run")
    }
}

/// The common model of a UP42 webhook; the record itself is kept in `native`.
pub fn to_common(record: &Up42Webhook) -> Webhook {
    let id = record.id.clone().unwrap_or_default();
    let mut webhook = Webhook::of(crate::PROVIDER, id, record);
    webhook.name = Some(record.name.clone());
    webhook.url.clone_from(&record.url);
    webhook.events.clone_from(&record.events);
    webhook.enabled = record.active;
    webhook.has_secret = record.secret.as_ref().is_some_and(|s| !s.is_empty());
    webhook.created_at = record.created_at;
    webhook.updated_at = record.updated_at;
    webhook
}

/// UP42's create body for `spec`; UP42 has no description, delivery headers or
/// caller-chosen id, so a spec with one is refused rather than losing it.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the field the provider refuses, or
/// [`hook_model::Error::Unsupported`] naming a feature it lacks; nothing is sent.
pub fn from_spec(spec: &WebhookSpec) -> Result<CreateWebhook, Error> {
    CAPABILITIES.check_spec(spec)?;
    Ok(CreateWebhook {
        name: spec.name.clone().unwrap_or_default(),
        url: spec.url.clone(),
        events: spec.events.clone(),
        active: spec.enabled,
        secret: spec.secret.clone(),
    })
}

#[async_trait]
impl WebhookApi for Up42Client {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// UP42 answers every webhook at once: one page, filtered here; `total` counts the matches.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let all = self.get_webhooks().await?;
        let webhooks: Vec<Webhook> = all.iter().map(|h| to_common(h.info())).collect();
        let mut page = Page::filtered(webhooks, query);
        page.total = Some(page.items.len() as u64);
        // Everything arrives at once: page 1 holds it all, later pages are empty.
        if page.page > 1 {
            page.items.clear();
        }
        Ok(page)
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        Ok(to_common(
            self.initialize_webhook(id.as_str()).await?.info(),
        ))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        let record = from_spec(spec)?;
        Ok(to_common(self.create_webhook(&record).await?.info()))
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        CAPABILITIES.check_patch(patch)?;
        let mut handle = self.initialize_webhook(id.as_str()).await?;
        let changes = UpdateWebhook {
            name: patch.name.clone(),
            url: patch.url.clone(),
            events: patch.events.clone(),
            active: patch.enabled,
            secret: patch.secret.clone(),
        };
        Ok(to_common(handle.update(changes).await?))
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        self.delete_by_id(id.as_str()).await
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let run = self.test_by_id(id.as_str()).await?;
        let outcome = TestOutcome::of(&run).tests_run(run.tests_run);
        Ok(outcome.tests_succeeded(run.tests_succeeded))
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(self
            .get_webhook_events()
            .await?
            .into_iter()
            .map(|e| EventTypeInfo {
                name: e.name,
                group: e.category,
                title: e.title,
                description: e.description,
            })
            .collect())
    }
}

/// Parses a delivery body UP42 sent: `{"event", "body"}` ([`Up42Event`]).
///
/// ```
/// let event = hook_up42::parse_event(br#"{"event":"order.status","body":{"status":"FULFILLED"}}"#)?;
/// assert_eq!(event.order_status(), Some(hook_up42::OrderStatus::Fulfilled));
/// # Ok::<(), hook_model::Error>(())
/// ```
///
/// # Errors
///
/// [`hook_model::Error::Decode`], with the JSON path, when the body is not one of the
/// provider's deliveries.
pub fn parse_event(body: &[u8]) -> Result<Up42Event, Error> {
    hook_model::decode("UP42 event", body)
}

impl hook_model::DeliveryEvent for Up42Event {
    fn kind(&self) -> &EventType {
        &self.event
    }

    /// UP42's payload carries no event id.
    fn event_id(&self) -> Option<&str> {
        None
    }
}

/// UP42's name in hook: `up42`.
pub const PROVIDER: hook_model::Provider = hook_model::Provider::new("up42");

/// UP42 as a value: what the facade, the CLI, the tests and xtask read about it. UP42 signs
/// with RFC 9421 message signatures over `content-digest`; it sends no delivery id, so the
/// key is the signature.
pub static DESCRIPTOR: hook_model::Descriptor = hook_model::Descriptor::new(
    "UP42",
    CAPABILITIES,
    |vars| hook_model::boxed_api(Up42Config::from_vars(vars).and_then(Up42Client::new)),
    |body| hook_model::boxed_event(parse_event(body)),
    hook_model::hook_sign::Scheme::up42,
)
.catalog(&EVENTS)
.variables(&env::ALL)
.fixtures(hook_model::fixtures!["job.status", "order.status",])
.fresh(&[
    ("/body/jobId", hook_model::Fresh::Uuid),
    ("/body/orderId", hook_model::Fresh::Uuid),
])
.delivery(hook_model::DeliveryPolicy::new(
    "UP42 publishes no answer timeout or retry policy for its deliveries",
));
