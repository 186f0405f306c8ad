//! A generic `/v1/webhooks` service, whole: the wire records ([`wire`]), the event
//! catalog ([`EVENTS`]), its retry schedule ([`retry_schedule`]), its checks and error
//! bodies, its `HOOK_GENERIC_*` variables ([`GenericConfig`]), a native client in the
//! service's words (create, list, get, update, delete, test, and the delivery log), and
//! [`WebhookApi`].
//!
//! The service's list, error and test-answer shapes are *unconfirmed* assumptions, marked
//! on each record; the wire contract is in this repository's `docs/providers.md`.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_generic::{CreateWebhook, GenericClient};
//! let client = GenericClient::new("https://api.example.com", "api-key")?;
//! let created = client
//!     .create_webhook(&CreateWebhook::new("https://yourapp.com/webhook", ["user.created"]).secret("whsec_abc123"))
//!     .await?;
//! client.test_webhook(created.id.as_deref().unwrap_or_default()).await?;
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod catalog;
mod config;
pub mod wire;

use std::time::Duration;

use async_trait::async_trait;
use hook_http::{Auth, ClientConfig, ErrorReply, HttpClient, Method, Request};
use hook_model::check::{self, Scheme};
use hook_model::{
    Capabilities, Delivery, Error, EventType, EventTypeInfo, ListQuery, Page, Paging,
    RetrySchedule, Secret, TestOutcome, Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};
use serde::Serialize;

pub use catalog::EVENTS;
pub use config::{GenericConfig, env};
use wire::{DeliveryList, ErrorBody};
pub use wire::{GenericEvent, GenericWebhook, TestAnswer, WebhookList};

/// What the service offers through [`WebhookApi`].
pub const CAPABILITIES: Capabilities = Capabilities::new(crate::PROVIDER, Paging::PageNumber)
    .test(true)
    .delivery_log(true);

/// The service's delivery schedule: attempt 1 at once, then after 30 s, 5 min, 30 min and
/// 2 h; after the fifth failure the delivery is `failed`.
pub fn retry_schedule() -> RetrySchedule {
    RetrySchedule::from_delays(RETRY_DELAYS).unwrap_or_else(|_| unreachable!("five delays"))
}

/// Parses a delivery body the service sent.
///
/// ```
/// let body = br#"{"id":"evt_1","type":"user.created","created_at":"2026-01-15T12:30:00Z","data":{}}"#;
/// let event = hook_generic::parse_event(body)?;
/// assert_eq!(event.kind, "user.created");
/// # Ok::<(), hook_model::Error>(())
/// ```
///
/// # Errors
///
/// [`hook_model::Error::Decode`], with the JSON path, when the body is not one of the
/// provider's deliveries.
pub fn parse_event(body: &[u8]) -> Result<GenericEvent, Error> {
    hook_model::decode("generic event", body)
}

/// Reads the service's error body, `{"error": {"code", "message", "field"}}` (*unconfirmed*).
pub fn decode_error(body: &[u8]) -> ErrorReply {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|e| ErrorReply::new(Some(e.error.code), e.error.message).field(e.error.field))
        .unwrap_or_default()
}

fn check_body(
    url: Option<&str>,
    events: Option<&[EventType]>,
    secret: Option<&Secret>,
) -> Result<(), Error> {
    if let Some(url) = url {
        check::url("url", url, Scheme::HttpOrHttps)?;
    }
    check::event_names("events", events.unwrap_or_default())?;
    check::secret("secret", secret)
}

/// The body of `POST /v1/webhooks`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct CreateWebhook {
    /// Where deliveries go.
    pub url: String,
    /// The events to subscribe to.
    pub events: Vec<EventType>,
    /// The signing secret; the service makes one when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Whether deliveries start right away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl CreateWebhook {
    /// A webhook delivering `events` to `url`.
    pub fn new<E: Into<EventType>>(
        url: impl Into<String>,
        events: impl IntoIterator<Item = E>,
    ) -> Self {
        CreateWebhook {
            url: url.into(),
            events: events.into_iter().map(Into::into).collect(),
            secret: None,
            active: None,
        }
    }

    hook_model::setters! {
        /// Sets the signing secret.
        secret: Option<Secret>;
        /// Sets whether deliveries start right away.
        active: some bool;
    }
}

/// The body of `PATCH /v1/webhooks/{id}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct UpdateWebhook {
    /// A new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A new event list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventType>>,
    /// A new secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Turn delivery on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

impl UpdateWebhook {
    /// A change of nothing yet.
    pub fn new() -> Self {
        UpdateWebhook::default()
    }

    hook_model::setters! {
        /// Turns delivery on or off.
        active: some bool;
        /// Sets a new URL.
        url: Option<String>;
        /// Sets a new secret.
        secret: Option<Secret>;
    }
}

/// The generic service's client. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// let client = hook_generic::GenericClient::new("https://api.example.com", "api-key")?;
/// let page = client.list_webhooks(Some(1), Some(50)).await?;
/// for webhook in &page.data {
///     let log = client.deliveries(webhook.id.as_deref().unwrap_or_default()).await?;
///     println!("{} → {} deliveries", webhook.url, log.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct GenericClient {
    http: HttpClient,
}

impl GenericClient {
    /// A client for the service at `base_url` with an API key.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn new(base_url: &str, api_key: impl Into<Secret>) -> Result<Self, Error> {
        GenericClient::with_config(ClientConfig::new(
            crate::PROVIDER,
            base_url,
            Auth::Bearer(api_key.into()),
        )?)
    }

    /// A client for the service `config` names.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn from_config(config: GenericConfig) -> Result<Self, Error> {
        GenericClient::with_config(
            ClientConfig::new(
                crate::PROVIDER,
                &config.base_url,
                Auth::Bearer(config.api_key),
            )?
            .settings(&config.transport),
        )
    }

    /// A client with a full transport configuration; the service's error decoder is set
    /// here.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(GenericClient {
            http: HttpClient::new(config.errors(decode_error))?,
        })
    }

    /// The transport, for its configuration and counters.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `POST /v1/webhooks`, checked first.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn create_webhook(&self, body: &CreateWebhook) -> Result<GenericWebhook, Error> {
        let call = self
            .http
            .call(Request::post("v1/webhooks").operation("create webhook"));
        call.check(check_body(
            Some(&body.url),
            Some(&body.events),
            body.secret.as_ref(),
        ))?;
        call.json(body)?.send().await?.json("generic webhook")
    }

    /// `GET /v1/webhooks?page=&per_page=`: one page, and whether more follow.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn list_webhooks(
        &self,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<WebhookList, Error> {
        let mut request = Request::get("v1/webhooks").operation("list webhooks");
        if let Some(page) = page {
            request = request.query("page", page);
        }
        if let Some(per_page) = per_page {
            request = request.query("per_page", per_page);
        }
        self.http.send(request).await?.json("generic webhook list")
    }

    /// `GET /v1/webhooks/{id}`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_webhook(&self, id: &str) -> Result<GenericWebhook, Error> {
        let call = self
            .http
            .call_about(Method::GET, "v1/webhooks/{id}", "get webhook", id)?;
        call.send().await?.json("generic webhook")
    }

    /// `PATCH /v1/webhooks/{id}`, checked first.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn update_webhook(
        &self,
        id: &str,
        body: &UpdateWebhook,
    ) -> Result<GenericWebhook, Error> {
        let call = self
            .http
            .call_about(Method::PATCH, "v1/webhooks/{id}", "update webhook", id)?;
        call.check(check_body(
            body.url.as_deref(),
            body.events.as_deref(),
            body.secret.as_ref(),
        ))?;
        call.json(body)?.send().await?.json("generic webhook")
    }

    /// `DELETE /v1/webhooks/{id}`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        let call =
            self.http
                .call_about(Method::DELETE, "v1/webhooks/{id}", "delete webhook", id)?;
        call.send().await.map(|_| ())
    }

    /// `POST /v1/webhooks/{id}/test`: sends a test event.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn test_webhook(&self, id: &str) -> Result<TestAnswer, Error> {
        let call =
            self.http
                .call_about(Method::POST, "v1/webhooks/{id}/test", "test webhook", id)?;
        call.send().await?.json("generic test answer")
    }

    /// `GET /v1/webhooks/{id}/deliveries`: the delivery log.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn deliveries(&self, id: &str) -> Result<Vec<Delivery>, Error> {
        let call = self.http.call_about(
            Method::GET,
            "v1/webhooks/{id}/deliveries",
            "read deliveries",
            id,
        )?;
        let list: DeliveryList = call.send().await?.json("generic delivery log")?;
        Ok(list.deliveries)
    }
}

/// The common model of a generic webhook; the record itself is kept in `native`.
pub fn to_common(record: &GenericWebhook) -> Webhook {
    let id = record.id.clone().unwrap_or_default();
    let mut webhook = Webhook::of(crate::PROVIDER, id, record);
    webhook.url.clone_from(&record.url);
    webhook.events.clone_from(&record.events);
    webhook.enabled = record.active.unwrap_or(true);
    webhook.has_secret = record.secret.as_ref().is_some_and(|s| !s.is_empty());
    webhook.created_at = record.created_at;
    webhook
}

fn canonical(events: &[EventType]) -> Vec<EventType> {
    events.iter().map(|e| e.canonical_in(&EVENTS)).collect()
}

/// The service's create body for `spec`; a name, identifier, description or other field
/// the service's webhooks do not carry is refused ([`Capabilities::check_spec`]).
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the field the provider refuses, or
/// [`hook_model::Error::Unsupported`] naming a feature it lacks; nothing is sent.
pub fn from_spec(spec: &WebhookSpec) -> Result<CreateWebhook, Error> {
    CAPABILITIES.check_spec(spec)?;
    Ok(CreateWebhook {
        url: spec.url.clone(),
        events: canonical(&spec.events),
        secret: spec.secret.clone(),
        active: Some(spec.enabled),
    })
}

#[async_trait]
impl WebhookApi for GenericClient {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// Pages server-side; the service has no filters, so `enabled`, `url` and
    /// `event_type` are applied to each page here.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let list = self
            .list_webhooks(Some(query.page_number()), query.per_page)
            .await?;
        let webhooks = list.data.iter().map(to_common).collect();
        Ok(Page::filtered(webhooks, query).with_more(list.has_more))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        Ok(to_common(&self.get_webhook(id.as_str()).await?))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        Ok(to_common(&self.create_webhook(&from_spec(spec)?).await?))
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        CAPABILITIES.check_patch(patch)?;
        let body = UpdateWebhook {
            url: patch.url.clone(),
            events: patch.events.as_deref().map(canonical),
            secret: patch.secret.clone(),
            active: patch.enabled,
        };
        Ok(to_common(&self.update_webhook(id.as_str(), &body).await?))
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        self.delete_webhook(id.as_str()).await
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let answer = self.test_webhook(id.as_str()).await?;
        let outcome = TestOutcome::of(&answer).tests_run(1);
        Ok(outcome.event_id(answer.event_id))
    }

    /// The service has no event-type endpoint: answers [`EVENTS`].
    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(EVENTS.iter().map(EventTypeInfo::from).collect())
    }
}

impl hook_model::DeliveryEvent for GenericEvent {
    fn kind(&self) -> &EventType {
        &self.kind
    }

    fn event_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

/// Generic /v1/webhooks's name in hook: `generic`.
pub const PROVIDER: hook_model::Provider = hook_model::Provider::new("generic");

/// Generic /v1/webhooks as a value: what the facade, the CLI, the tests and xtask read
/// about it. The service signs the body with `X-Webhook-Signature`; the key is the body's
/// `id`.
pub static DESCRIPTOR: hook_model::Descriptor = hook_model::Descriptor::new(
    "Generic /v1/webhooks",
    CAPABILITIES,
    |vars| {
        hook_model::boxed_api(GenericConfig::from_vars(vars).and_then(GenericClient::from_config))
    },
    |body| hook_model::boxed_event(parse_event(body)),
    hook_model::hook_sign::Scheme::generic,
)
.catalog(&EVENTS)
.variables(&env::ALL)
.fixtures(hook_model::fixtures![
    "file.uploaded",
    "payment.failed",
    "payment.succeeded",
    "project.created",
    "project.deleted",
    "project.updated",
    "user.created",
    "user.deleted",
    "user.updated",
])
.fresh(&[
    ("/id", hook_model::Fresh::Id("evt_")),
    ("/created_at", hook_model::Fresh::Now),
])
.delivery(DELIVERY);

/// The service's sender: the documented retry schedule ([`retry_schedule`]); a receiver
/// answering `410 Gone` has its webhook disabled, as the Standard Webhooks specification
/// has senders do. No answer timeout is documented.
pub const DELIVERY: hook_model::DeliveryPolicy = hook_model::DeliveryPolicy::new(
    "the service retries a failed delivery after 30 s, 5 min, 30 min and 2 h, then marks it \
     failed; an answer 410 Gone disables the webhook",
)
.retries(&RETRY_DELAYS)
.gone_disables();

/// The delay before each attempt: at once, then 30 s, 5 min, 30 min and 2 h.
const RETRY_DELAYS: [Duration; 5] = [
    Duration::ZERO,
    Duration::from_secs(30),
    Duration::from_secs(300),
    Duration::from_secs(1_800),
    Duration::from_secs(7_200),
];
