//! A client for UP42's workspace webhooks (seed 003), in the seed's vocabulary:
//! [`Up42Client::get_webhooks`], [`Up42Client::initialize_webhook`] giving a
//! [`WebhookHandle`] with `info`, `update`, `delete` and `trigger_test_events`,
//! [`Up42Client::create_webhook`] and [`Up42Client::get_webhook_events`]; plus
//! [`WebhookApi`]. URLs must be HTTPS, checked before anything is sent.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_up42::Up42Client;
//! let up42 = Up42Client::new(
//!     "https://api.up42.com",
//!     "https://auth.up42.com/realms/public/protocol/openid-connect/token",
//!     "me@example.com", "password", "workspace-id",
//! )?;
//! let webhook = up42
//!     .create_webhook("new-webhook", "https://receiving-url.com", ["job.status", "order.status"], true, Some("QWZTFnMEXhqZKNmu"))
//!     .await?;
//! let run = webhook.trigger_test_events().await?;
//! println!("{} of {} test messages arrived", run.tests_succeeded, run.tests_run);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

use async_trait::async_trait;
use hook_http::{Auth, ClientConfig, HttpClient, Request};
use hook_model::wire::up42::Envelope;
pub use hook_model::wire::up42::{EventInfo, TestRun, Up42Webhook};
use hook_model::{
    Error, EventType, EventTypeInfo, ListQuery, Page, Provider, Secret, TestOutcome, Webhook,
    WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};
use serde::de::DeserializeOwned;

/// UP42's client, scoped to one workspace. Cheap to clone.
///
/// ```no_run
/// # async fn run(up42: hook_up42::Up42Client) -> Result<(), hook_model::Error> {
/// use hook_up42::UpdateWebhook;
/// let mut webhook = up42.initialize_webhook("1df1ebb0-78a4-55d9-b806-15d22e391bd3").await?;
/// println!("{:?}", webhook.info());
/// webhook.update(UpdateWebhook { active: Some(false), ..UpdateWebhook::default() }).await?;
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

fn segment(id: &str) -> Result<&str, Error> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::validation(
            "id",
            format!("{id:?} is not a UP42 webhook id"),
        ));
    }
    Ok(id)
}

/// The record UP42 expects in create and update bodies, checked first.
fn body(
    name: &str,
    url: &str,
    events: &[EventType],
    active: bool,
    secret: Option<&Secret>,
) -> Result<serde_json::Value, Error> {
    let spec = WebhookSpec {
        events: events.to_vec(),
        ..WebhookSpec::builder(url).name(name).build()
    };
    spec.validate(Provider::Up42)?;
    let events: Vec<EventType> = events.iter().map(|e| e.canonical(Provider::Up42)).collect();
    let mut body =
        serde_json::json!({"name": name, "url": url, "events": events, "active": active});
    if let Some(secret) = secret {
        body["secret"] = serde_json::Value::String(secret.expose().to_owned());
    }
    Ok(body)
}

impl Up42Client {
    /// A client for `base_url` (`https://api.up42.com`) logging in with the password grant
    /// at `token_url`, working in `workspace`.
    pub fn new(
        base_url: &str,
        token_url: &str,
        username: impl Into<String>,
        password: impl Into<Secret>,
        workspace: impl Into<String>,
    ) -> Result<Self, Error> {
        let auth = Auth::Password {
            token_url: token_url.to_owned(),
            username: username.into(),
            password: password.into(),
            client_id: "up42-sdk".into(),
            scope: Some("openid".into()),
        };
        Up42Client::with_config(
            ClientConfig::new(Provider::Up42, base_url, auth)?,
            workspace,
        )
    }

    /// A client with a full transport configuration (client-credentials auth, timeouts).
    pub fn with_config(config: ClientConfig, workspace: impl Into<String>) -> Result<Self, Error> {
        let workspace = workspace.into();
        segment(&workspace).map_err(|_| {
            Error::validation("workspace", format!("{workspace:?} is not a workspace id"))
        })?;
        Ok(Up42Client {
            http: HttpClient::new(config)?,
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
        let envelope: Envelope<T> = self.http.send(request).await?.json(what)?;
        envelope
            .data
            .ok_or_else(|| Error::validation("data", format!("UP42 answered no data for {what}")))
    }

    fn path(&self, rest: &str) -> String {
        format!("workspaces/{}/webhooks{rest}", self.workspace)
    }

    /// `GET /workspaces/{workspace}/webhooks`: every webhook of the workspace.
    pub async fn get_webhooks(&self) -> Result<Vec<WebhookHandle>, Error> {
        let list: Vec<Up42Webhook> = self
            .data(Request::get(self.path("")), "UP42 webhook list")
            .await?;
        Ok(list.into_iter().map(|info| self.handle(info)).collect())
    }

    /// `GET /workspaces/{workspace}/webhooks/{id}`: a handle with the webhook's `info`.
    pub async fn initialize_webhook(&self, id: &str) -> Result<WebhookHandle, Error> {
        let info = self
            .data(
                Request::get(self.path(&format!("/{}", segment(id)?))),
                "UP42 webhook",
            )
            .await?;
        Ok(self.handle(info))
    }

    /// `POST /workspaces/{workspace}/webhooks`.
    pub async fn create_webhook<E: Into<EventType>>(
        &self,
        name: &str,
        url: &str,
        events: impl IntoIterator<Item = E>,
        active: bool,
        secret: Option<&str>,
    ) -> Result<WebhookHandle, Error> {
        let events: Vec<EventType> = events.into_iter().map(Into::into).collect();
        let secret = secret.map(Secret::new);
        let body = body(name, url, &events, active, secret.as_ref())?;
        let info = self
            .data(Request::post(self.path("")).json(&body)?, "UP42 webhook")
            .await?;
        Ok(self.handle(info))
    }

    /// `GET /webhooks/events`: the events a webhook can subscribe to.
    pub async fn get_webhook_events(&self) -> Result<Vec<EventInfo>, Error> {
        self.data(Request::get("webhooks/events"), "UP42 webhook events")
            .await
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

    /// `PUT …/webhooks/{id}` with the full body: `changes` over the current info.
    pub async fn update(&mut self, changes: UpdateWebhook) -> Result<&Up42Webhook, Error> {
        let name = changes.name.unwrap_or_else(|| self.info.name.clone());
        let url = changes.url.unwrap_or_else(|| self.info.url.clone());
        let events = changes.events.unwrap_or_else(|| self.info.events.clone());
        let active = changes.active.unwrap_or(self.info.active);
        let secret = changes
            .secret
            .or_else(|| self.info.secret.clone().filter(|s| !s.is_empty()));
        let body = body(&name, &url, &events, active, secret.as_ref())?;
        let path = self.client.path(&format!("/{}", segment(self.id())?));
        self.info = self
            .client
            .data(Request::put(path).json(&body)?, "UP42 webhook")
            .await?;
        Ok(&self.info)
    }

    /// `DELETE …/webhooks/{id}`.
    pub async fn delete(self) -> Result<(), Error> {
        let path = self.client.path(&format!("/{}", segment(self.id())?));
        self.client
            .http
            .send(Request::delete(path))
            .await
            .map(|_| ())
    }

    /// `POST …/webhooks/{id}/tests`: one test message per subscribed event.
    pub async fn trigger_test_events(&self) -> Result<TestRun, Error> {
        let path = self.client.path(&format!("/{}/tests", segment(self.id())?));
        self.client.data(Request::post(path), "UP42 test run").await
    }
}

/// The common model of a UP42 webhook; the record itself is kept in `native`.
pub fn to_common(record: &Up42Webhook) -> Result<Webhook, Error> {
    Ok(Webhook {
        id: WebhookId::new(record.id.clone().unwrap_or_default()),
        provider: Provider::Up42,
        name: Some(record.name.clone()),
        url: record.url.clone(),
        events: record.events.clone(),
        all_events: false,
        enabled: record.active,
        has_secret: record.secret.as_ref().is_some_and(|s| !s.is_empty()),
        created_at: record.created_at,
        updated_at: record.updated_at,
        native: serde_json::to_value(record)
            .map_err(|e| Error::validation("record", e.to_string()))?,
    })
}

#[async_trait]
impl WebhookApi for Up42Client {
    fn provider(&self) -> Provider {
        Provider::Up42
    }

    /// UP42 answers every webhook at once: one page, filtered here; `total` counts the matches.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let all = self.get_webhooks().await?;
        let webhooks: Vec<Webhook> = all
            .iter()
            .map(|h| to_common(h.info()))
            .collect::<Result<_, _>>()?;
        let mut page = Page::filtered(webhooks, query, None, false);
        page.total = Some(page.items.len() as u64);
        // Everything arrives at once: page 1 holds it all, later pages are empty.
        if page.page > 1 {
            page.items.clear();
        }
        Ok(page)
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        to_common(self.initialize_webhook(id.as_str()).await?.info())
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        spec.validate(Provider::Up42)?;
        let name = spec.name.clone().unwrap_or_default();
        let secret = spec.secret.as_ref().map(|s| s.expose().to_owned());
        let handle = self
            .create_webhook(
                &name,
                &spec.url,
                spec.events.clone(),
                spec.enabled,
                secret.as_deref(),
            )
            .await?;
        to_common(handle.info())
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        patch.validate(Provider::Up42)?;
        if patch.description.is_some() || patch.headers.is_some() {
            return Err(Error::Unsupported {
                provider: Provider::Up42,
                operation: "description or headers on a UP42 webhook",
            });
        }
        let mut handle = self.initialize_webhook(id.as_str()).await?;
        let changes = UpdateWebhook {
            name: patch.name.clone(),
            url: patch.url.clone(),
            events: patch.events.clone(),
            active: patch.enabled,
            secret: patch.secret.clone(),
        };
        to_common(handle.update(changes).await?)
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        let path = self.path(&format!("/{}", segment(id.as_str())?));
        self.http.send(Request::delete(path)).await.map(|_| ())
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let path = self.path(&format!("/{}/tests", segment(id.as_str())?));
        let run: TestRun = self.data(Request::post(path), "UP42 test run").await?;
        Ok(TestOutcome {
            event_id: None,
            tests_run: Some(run.tests_run),
            tests_succeeded: Some(run.tests_succeeded),
            native: serde_json::to_value(&run).unwrap_or_default(),
        })
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
