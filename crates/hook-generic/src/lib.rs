//! A client for the generic `/v1/webhooks` service of seed 004: create, list, get,
//! update, delete, test, and the delivery log, in the service's own vocabulary, plus
//! [`WebhookApi`].
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
#![deny(missing_docs)]

use async_trait::async_trait;
use hook_http::{Auth, ClientConfig, HttpClient, Request};
use hook_model::wire::generic::{DeliveryList, WebhookList};
pub use hook_model::wire::generic::{GenericWebhook, TestAnswer};
use hook_model::{
    Delivery, Error, EventType, EventTypeInfo, ListQuery, Page, Provider, Secret, TestOutcome,
    Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};
use serde::Serialize;

/// The body of `POST /v1/webhooks`.
#[derive(Debug, Clone, Serialize)]
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

    /// Sets the signing secret.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secret = Some(secret.into());
        self
    }

    /// Sets whether deliveries start right away.
    pub fn active(mut self, active: bool) -> Self {
        self.active = Some(active);
        self
    }
}

/// The body of `PATCH /v1/webhooks/{id}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize)]
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

/// The generic service's client. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// let client = hook_generic::GenericClient::new("https://api.example.com", "api-key")?;
/// let (page, more) = client.list_webhooks(Some(1), Some(50)).await?;
/// for webhook in &page {
///     let log = client.deliveries(webhook.id.as_deref().unwrap_or_default()).await?;
///     println!("{} → {} deliveries", webhook.url, log.len());
/// }
/// # let _ = more; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct GenericClient {
    http: HttpClient,
}

/// The provider's own id must be one path segment.
fn segment(id: &str) -> Result<&str, Error> {
    if id.is_empty() || id.contains(['/', '?', '#', '%']) || id.chars().any(char::is_whitespace) {
        return Err(Error::validation(
            "id",
            format!("{id:?} is not a webhook id"),
        ));
    }
    Ok(id)
}

impl GenericClient {
    /// A client for the service at `base_url` with an API key.
    pub fn new(base_url: &str, api_key: impl Into<Secret>) -> Result<Self, Error> {
        GenericClient::with_config(ClientConfig::new(
            Provider::Generic,
            base_url,
            Auth::Bearer(api_key.into()),
        )?)
    }

    /// A client with a full transport configuration.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(GenericClient {
            http: HttpClient::new(config)?,
        })
    }

    /// The transport, for its configuration and counters.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `POST /v1/webhooks`.
    pub async fn create_webhook(&self, body: &CreateWebhook) -> Result<GenericWebhook, Error> {
        let spec = WebhookSpec {
            events: body.events.clone(),
            ..WebhookSpec::builder(body.url.clone()).build()
        };
        spec.validate(Provider::Generic)?;
        let response = self
            .http
            .send(Request::post("v1/webhooks").json(body)?)
            .await?;
        response.json("generic webhook")
    }

    /// `GET /v1/webhooks?page=&per_page=`: one page, and whether more follow.
    pub async fn list_webhooks(
        &self,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<(Vec<GenericWebhook>, bool), Error> {
        let mut request = Request::get("v1/webhooks");
        if let Some(page) = page {
            request = request.query("page", page);
        }
        if let Some(per_page) = per_page {
            request = request.query("per_page", per_page);
        }
        let list: WebhookList = self
            .http
            .send(request)
            .await?
            .json("generic webhook list")?;
        Ok((list.data, list.has_more))
    }

    /// `GET /v1/webhooks/{id}`.
    pub async fn get_webhook(&self, id: &str) -> Result<GenericWebhook, Error> {
        let path = format!("v1/webhooks/{}", segment(id)?);
        self.http
            .send(Request::get(path))
            .await?
            .json("generic webhook")
    }

    /// `PATCH /v1/webhooks/{id}`.
    pub async fn update_webhook(
        &self,
        id: &str,
        body: &UpdateWebhook,
    ) -> Result<GenericWebhook, Error> {
        let patch = WebhookPatch {
            url: body.url.clone(),
            events: body.events.clone(),
            ..WebhookPatch::default()
        };
        patch.validate(Provider::Generic)?;
        let path = format!("v1/webhooks/{}", segment(id)?);
        self.http
            .send(Request::patch(path).json(body)?)
            .await?
            .json("generic webhook")
    }

    /// `DELETE /v1/webhooks/{id}`.
    pub async fn delete_webhook(&self, id: &str) -> Result<(), Error> {
        let path = format!("v1/webhooks/{}", segment(id)?);
        self.http.send(Request::delete(path)).await.map(|_| ())
    }

    /// `POST /v1/webhooks/{id}/test`: sends a test event.
    pub async fn test_webhook(&self, id: &str) -> Result<TestAnswer, Error> {
        let path = format!("v1/webhooks/{}/test", segment(id)?);
        self.http
            .send(Request::post(path))
            .await?
            .json("generic test answer")
    }

    /// `GET /v1/webhooks/{id}/deliveries`: the delivery log.
    pub async fn deliveries(&self, id: &str) -> Result<Vec<Delivery>, Error> {
        let path = format!("v1/webhooks/{}/deliveries", segment(id)?);
        let list: DeliveryList = self
            .http
            .send(Request::get(path))
            .await?
            .json("generic delivery log")?;
        Ok(list.deliveries)
    }
}

/// The common model of a generic webhook; the record itself is kept in `native`.
pub fn to_common(record: &GenericWebhook) -> Result<Webhook, Error> {
    Ok(Webhook {
        id: WebhookId::new(record.id.clone().unwrap_or_default()),
        provider: Provider::Generic,
        name: None,
        url: record.url.clone(),
        events: record.events.clone(),
        all_events: false,
        enabled: record.active.unwrap_or(true),
        has_secret: record.secret.as_ref().is_some_and(|s| !s.is_empty()),
        created_at: record.created_at,
        updated_at: None,
        native: serde_json::to_value(record)
            .map_err(|e| Error::validation("record", e.to_string()))?,
    })
}

#[async_trait]
impl WebhookApi for GenericClient {
    fn provider(&self) -> Provider {
        Provider::Generic
    }

    /// Pages server-side; the service has no filters, so `enabled`, `url` and
    /// `event_type` are applied to each page here.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let (records, has_more) = self
            .list_webhooks(Some(query.page_number()), query.per_page)
            .await?;
        let webhooks = records.iter().map(to_common).collect::<Result<_, _>>()?;
        Ok(Page::filtered(webhooks, query, None, has_more))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        to_common(&self.get_webhook(id.as_str()).await?)
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        spec.validate(Provider::Generic)?;
        let body = CreateWebhook {
            url: spec.url.clone(),
            events: spec
                .events
                .iter()
                .map(|e| e.canonical(Provider::Generic))
                .collect(),
            secret: spec.secret.clone(),
            active: Some(spec.enabled),
        };
        to_common(&self.create_webhook(&body).await?)
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        patch.validate(Provider::Generic)?;
        if patch.name.is_some() || patch.description.is_some() || patch.headers.is_some() {
            return Err(Error::Unsupported {
                provider: Provider::Generic,
                operation: "name, description or headers on a generic webhook",
            });
        }
        let body = UpdateWebhook {
            url: patch.url.clone(),
            events: patch.events.as_ref().map(|events| {
                events
                    .iter()
                    .map(|e| e.canonical(Provider::Generic))
                    .collect()
            }),
            secret: patch.secret.clone(),
            active: patch.enabled,
        };
        to_common(&self.update_webhook(id.as_str(), &body).await?)
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        self.delete_webhook(id.as_str()).await
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let answer = self.test_webhook(id.as_str()).await?;
        Ok(TestOutcome {
            event_id: Some(answer.event_id.clone()),
            tests_run: Some(1),
            tests_succeeded: None,
            native: serde_json::to_value(&answer).unwrap_or_default(),
        })
    }

    /// The service has no event-type endpoint: answers seed 004's catalog.
    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(hook_model::GENERIC_EVENTS
            .iter()
            .map(EventTypeInfo::from)
            .collect())
    }
}
