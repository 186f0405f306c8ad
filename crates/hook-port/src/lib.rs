//! A client for Port's webhooks (seed 001): `get_webhooks`, `get_webhook`,
//! `create_webhook`, `update_webhook` (PATCH), `replace_webhook` (PUT) and
//! `delete_webhook`, plus [`WebhookApi`]. Port has no test call: the trait's `test`
//! answers [`Error::Unsupported`] and `capabilities()` says so.
//!
//! Both envelope keys decode (`webhooks`/`webhook` of the seed, `integrations`/
//! `integration` of the real API). Identifier, title and description limits are checked
//! before anything is sent.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_port::{PortClient, PortWebhook};
//! let port = PortClient::new("https://api.getport.io", "client-id", "client-secret")?;
//! let webhook = PortWebhook {
//!     identifier: "entity-updated-webhook".into(),
//!     url: Some("https://api.example.com/webhooks/port".into()),
//!     events: Some(vec!["entity.created".into()]),
//!     ..PortWebhook::default()
//! };
//! port.create_webhook(&webhook).await?;
//! assert!(port.delete_webhook("entity-updated-webhook").await?);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

use std::collections::BTreeMap;

use async_trait::async_trait;
use hook_http::{Auth, ClientConfig, HttpClient, Request};
use hook_model::wire::port::{Ok as PortOk, WebhookEnvelope, WebhookList};
pub use hook_model::wire::port::{PortWebhook, Security, SignatureAlgorithm};
use hook_model::{
    Error, EventType, EventTypeInfo, ListQuery, Page, Provider, Secret, TestOutcome, Webhook,
    WebhookApi, WebhookId, WebhookPatch, WebhookSpec, check_port_fields,
};
use serde::Serialize;

/// The body of `PATCH /v1/webhooks/{identifier}`; absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateWebhook {
    /// A new title (≤ 30).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A new description (≤ 200).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A new icon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// A new URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A new event list.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventType>>,
    /// New delivery headers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// Turn delivery on or off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// New signing settings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
}

/// Port's client. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// use hook_port::{PortClient, UpdateWebhook};
/// let port = PortClient::new("https://api.getport.io", "client-id", "client-secret")?;
/// for webhook in port.get_webhooks(Some(1), Some(10)).await? {
///     let disable = UpdateWebhook { enabled: Some(false), ..UpdateWebhook::default() };
///     port.update_webhook(&webhook.identifier, &disable).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PortClient {
    http: HttpClient,
}

fn segment(identifier: &str) -> Result<&str, Error> {
    check_port_fields(Some(identifier), None, None)?;
    if identifier.contains(['/', '\\']) {
        return Err(Error::validation(
            "identifier",
            "cannot be used in a URL path (contains / or \\)",
        ));
    }
    Ok(identifier)
}

fn check_url(url: Option<&str>) -> Result<(), Error> {
    match url {
        Some(url) => WebhookSpec::builder(url)
            .build()
            .validate(Provider::Generic),
        None => Ok(()),
    }
}

impl PortClient {
    /// A client for `base_url` (`https://api.getport.io`, `https://api.port.io`,
    /// `https://api.us.port.io`) authenticating with `clientId` and `clientSecret`.
    pub fn new(
        base_url: &str,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Result<Self, Error> {
        let token_url = format!("{}/v1/auth/access_token", base_url.trim_end_matches('/'));
        let auth = Auth::PortClient {
            token_url,
            client_id: client_id.into(),
            client_secret: client_secret.into(),
        };
        PortClient::with_config(ClientConfig::new(Provider::Port, base_url, auth)?)
    }

    /// A client with a full transport configuration.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(PortClient {
            http: HttpClient::new(config)?,
        })
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `GET /v1/webhooks?page=&per_page=`.
    pub async fn get_webhooks(
        &self,
        page: Option<u32>,
        per_page: Option<u32>,
    ) -> Result<Vec<PortWebhook>, Error> {
        let mut request = Request::get("v1/webhooks");
        if let Some(page) = page {
            request = request.query("page", page);
        }
        if let Some(per_page) = per_page {
            request = request.query("per_page", per_page);
        }
        let list: WebhookList = self.http.send(request).await?.json("Port webhook list")?;
        Ok(list.webhooks)
    }

    /// `GET /v1/webhooks/{identifier}`.
    pub async fn get_webhook(&self, identifier: &str) -> Result<PortWebhook, Error> {
        let path = format!("v1/webhooks/{}", segment(identifier)?);
        let one: WebhookEnvelope = self
            .http
            .send(Request::get(path))
            .await?
            .json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `POST /v1/webhooks`.
    pub async fn create_webhook(&self, webhook: &PortWebhook) -> Result<PortWebhook, Error> {
        check_port_fields(
            Some(&webhook.identifier),
            webhook.title.as_deref(),
            webhook.description.as_deref(),
        )?;
        check_url(webhook.url.as_deref())?;
        let one: WebhookEnvelope = self
            .http
            .send(Request::post("v1/webhooks").json(webhook)?)
            .await?
            .json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `PATCH /v1/webhooks/{identifier}`: changes the fields `update` sets.
    pub async fn update_webhook(
        &self,
        identifier: &str,
        update: &UpdateWebhook,
    ) -> Result<PortWebhook, Error> {
        check_port_fields(None, update.title.as_deref(), update.description.as_deref())?;
        check_url(update.url.as_deref())?;
        let path = format!("v1/webhooks/{}", segment(identifier)?);
        let one: WebhookEnvelope = self
            .http
            .send(Request::patch(path).json(update)?)
            .await?
            .json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `PUT /v1/webhooks/{identifier}`: replaces the whole webhook.
    pub async fn replace_webhook(
        &self,
        identifier: &str,
        webhook: &PortWebhook,
    ) -> Result<PortWebhook, Error> {
        check_port_fields(
            Some(&webhook.identifier),
            webhook.title.as_deref(),
            webhook.description.as_deref(),
        )?;
        check_url(webhook.url.as_deref())?;
        let path = format!("v1/webhooks/{}", segment(identifier)?);
        let one: WebhookEnvelope = self
            .http
            .send(Request::put(path).json(webhook)?)
            .await?
            .json("Port webhook")?;
        Ok(one.webhook)
    }

    /// `DELETE /v1/webhooks/{identifier}`: whether Port said it worked (the seed's `bool`).
    pub async fn delete_webhook(&self, identifier: &str) -> Result<bool, Error> {
        let path = format!("v1/webhooks/{}", segment(identifier)?);
        let response = self.http.send(Request::delete(path)).await?;
        if response.body.is_empty() {
            return Ok(true);
        }
        Ok(response.json::<PortOk>("Port delete answer")?.ok)
    }
}

/// The common model of a Port webhook; the record itself is kept in `native`.
pub fn to_common(record: &PortWebhook) -> Result<Webhook, Error> {
    Ok(Webhook {
        id: WebhookId::new(record.identifier.clone()),
        provider: Provider::Port,
        name: record.title.clone(),
        url: record.url.clone().unwrap_or_default(),
        events: record.events.clone().unwrap_or_default(),
        all_events: false,
        enabled: record.enabled.unwrap_or(true),
        has_secret: record
            .security
            .as_ref()
            .and_then(|s| s.secret.as_ref())
            .is_some_and(|s| !s.is_empty()),
        created_at: record.created_at,
        updated_at: record.updated_at,
        native: serde_json::to_value(record)
            .map_err(|e| Error::validation("record", e.to_string()))?,
    })
}

fn canonical(events: &[EventType]) -> Vec<EventType> {
    events.iter().map(|e| e.canonical(Provider::Port)).collect()
}

#[async_trait]
impl WebhookApi for PortClient {
    fn provider(&self) -> Provider {
        Provider::Port
    }

    /// Pages with `page`/`per_page`; Port answers no total, so a full page means there
    /// may be more. Filters apply to each page here.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let records = self
            .get_webhooks(Some(query.page_number()), query.per_page)
            .await?;
        let has_more = query
            .per_page
            .is_some_and(|n| n > 0 && records.len() >= n as usize);
        let webhooks = records.iter().map(to_common).collect::<Result<_, _>>()?;
        Ok(Page::filtered(webhooks, query, None, has_more))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        to_common(&self.get_webhook(id.as_str()).await?)
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        spec.validate(Provider::Port)?;
        let record = PortWebhook {
            identifier: spec.port_identifier().unwrap_or_default(),
            title: spec.name.clone(),
            description: spec.description.clone(),
            url: Some(spec.url.clone()),
            events: Some(canonical(&spec.events)),
            headers: (!spec.headers.is_empty()).then(|| spec.headers.clone()),
            enabled: Some(spec.enabled),
            security: spec.secret.clone().map(|secret| Security {
                secret: Some(secret),
                ..Security::default()
            }),
            ..PortWebhook::default()
        };
        to_common(&self.create_webhook(&record).await?)
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        patch.validate(Provider::Port)?;
        let update = UpdateWebhook {
            title: patch.name.clone(),
            description: patch.description.clone(),
            url: patch.url.clone(),
            events: patch.events.as_deref().map(canonical),
            headers: patch.headers.clone(),
            enabled: patch.enabled,
            security: patch.secret.clone().map(|secret| Security {
                secret: Some(secret),
                ..Security::default()
            }),
            ..UpdateWebhook::default()
        };
        to_common(&self.update_webhook(id.as_str(), &update).await?)
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        match self.delete_webhook(id.as_str()).await? {
            true => Ok(()),
            false => Err(Error::Server {
                status: 200,
                body: "Port answered ok: false to the delete".into(),
            }),
        }
    }

    async fn test(&self, _id: &WebhookId) -> Result<TestOutcome, Error> {
        Err(Error::Unsupported {
            provider: Provider::Port,
            operation: "test",
        })
    }

    /// Port has no event-type call: answers seed 001's catalog.
    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(hook_model::PORT_EVENTS
            .iter()
            .map(EventTypeInfo::from)
            .collect())
    }
}
