//! A client for UiPath Orchestrator's webhooks (seeds 000 and 002), in the seed's
//! vocabulary: [`UiPathClient::get`] with `enabled`, `event_type` and `url` filters and
//! OData paging, [`UiPathClient::get_by_id`], [`UiPathClient::create`],
//! [`UiPathClient::update`] (PATCH), [`UiPathClient::replace`] (PUT),
//! [`UiPathClient::delete`], [`UiPathClient::test`] (Ping) and
//! [`UiPathClient::event_types`]; plus [`WebhookApi`].
//!
//! Webhooks are tenant-wide, so no folder header is sent. Cloud and on-premises token
//! endpoints are both supported, as are personal access tokens.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_uipath::{UiPathAuth, UiPathClient, WebhookFilter};
//! let orchestrator = UiPathClient::cloud(
//!     "https://cloud.uipath.com", "my-org", "DefaultTenant",
//!     UiPathAuth::client_credentials("client-id", "client-secret"),
//! )?;
//! let jobs = orchestrator.get(&WebhookFilter::new().enabled(true).event_type("Job.Completed")).await?;
//! println!("{} webhooks", jobs.value.len());
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

use async_trait::async_trait;
use hook_http::{Auth, ClientConfig, HttpClient, Request};
pub use hook_model::wire::uipath::{
    EventSubscription, EventTypeDto, ODataList, UiPathEvent, WebhookDto,
};
use hook_model::{
    Error, EventType, EventTypeInfo, ListQuery, Page, Provider, Secret, TestOutcome, Webhook,
    WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};

const PING: &str = "UiPath.Server.Configuration.OData.Ping";
const EVENT_TYPES: &str = "UiPath.Server.Configuration.OData.GetEventTypes()";

/// The most items one list call may ask for (OData `$top`).
pub const MAX_TOP: u32 = 1000;

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum UiPathAuth {
    /// A personal access token, sent as-is.
    PersonalAccessToken(Secret),
    /// An external application's client credentials.
    ClientCredentials {
        /// `client_id`.
        client_id: String,
        /// `client_secret`.
        client_secret: Secret,
        /// `scope`; `OR.Webhooks` by default.
        scope: String,
    },
}

impl UiPathAuth {
    /// Client credentials with the `OR.Webhooks` scope.
    pub fn client_credentials(
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
    ) -> Self {
        UiPathAuth::ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scope: "OR.Webhooks".into(),
        }
    }

    fn into_auth(self, token_url: String) -> Auth {
        match self {
            UiPathAuth::PersonalAccessToken(token) => Auth::Bearer(token),
            UiPathAuth::ClientCredentials {
                client_id,
                client_secret,
                scope,
            } => Auth::ClientCredentials {
                token_url,
                client_id,
                client_secret,
                scope: Some(scope),
            },
        }
    }
}

/// The filters and paging of [`UiPathClient::get`], turned into OData.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookFilter {
    /// `Enabled eq …`.
    pub enabled: Option<bool>,
    /// `Events/any(e: e/EventType eq '…')`, compared case-insensitively by Orchestrator.
    pub event_type: Option<EventType>,
    /// `Url eq '…'`.
    pub url: Option<String>,
    /// `$top` (≤ 1000).
    pub top: Option<u32>,
    /// `$skip`.
    pub skip: Option<u32>,
    /// `$count=true`: the answer carries the total.
    pub count: bool,
    /// `$orderby`, such as `Id` or `Name desc`.
    pub order_by: Option<String>,
}

impl WebhookFilter {
    /// No filter.
    pub fn new() -> Self {
        WebhookFilter::default()
    }

    /// Only enabled (or disabled) webhooks.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = Some(enabled);
        self
    }

    /// Only webhooks subscribed to `event`.
    pub fn event_type(mut self, event: impl Into<EventType>) -> Self {
        self.event_type = Some(event.into());
        self
    }

    /// Only webhooks delivering to `url`.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// `$top` and `$skip`.
    pub fn page(mut self, top: u32, skip: u32) -> Self {
        self.top = Some(top);
        self.skip = Some(skip);
        self
    }

    /// Ask for the total.
    pub fn count(mut self, count: bool) -> Self {
        self.count = count;
        self
    }

    /// The `$filter` expression, if any: clauses joined with ` and `, single quotes
    /// doubled inside literals, event names in catalog spelling.
    pub fn expression(&self) -> Option<String> {
        let quote = |text: &str| format!("'{}'", text.replace('\'', "''"));
        let mut clauses = Vec::new();
        if let Some(enabled) = self.enabled {
            clauses.push(format!("Enabled eq {enabled}"));
        }
        if let Some(url) = &self.url {
            clauses.push(format!("Url eq {}", quote(url)));
        }
        if let Some(event) = &self.event_type {
            let event = event.canonical(Provider::UiPath);
            clauses.push(format!(
                "Events/any(e: e/EventType eq {})",
                quote(event.as_str())
            ));
        }
        (!clauses.is_empty()).then(|| clauses.join(" and "))
    }
}

/// Orchestrator's webhook client. Cheap to clone.
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// use hook_uipath::{UiPathAuth, UiPathClient, WebhookDto};
/// let pat = UiPathAuth::PersonalAccessToken("my-pat".into());
/// let orchestrator = UiPathClient::on_premises("https://orchestrator.example.com", pat)?;
/// let hook = orchestrator.get_by_id(10).await?;
/// let ping = orchestrator.test(hook.id.unwrap_or(10)).await?;
/// orchestrator.update(10, &WebhookDto { enabled: Some(false), ..WebhookDto::default() }).await?;
/// println!("ping {}", ping.event_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct UiPathClient {
    http: HttpClient,
}

impl UiPathClient {
    /// Automation Cloud: `{host}/{organization}/{tenant}/orchestrator_/`, tokens from
    /// `{host}/identity_/connect/token`.
    pub fn cloud(
        host: &str,
        organization: &str,
        tenant: &str,
        auth: UiPathAuth,
    ) -> Result<Self, Error> {
        let host = host.trim_end_matches('/');
        for (field, value) in [("organization", organization), ("tenant", tenant)] {
            if value.is_empty() || value.contains(['/', '?', '#']) {
                return Err(Error::validation(
                    field,
                    format!("{value:?} cannot be a path segment"),
                ));
            }
        }
        let base = format!("{host}/{organization}/{tenant}/orchestrator_/");
        let auth = auth.into_auth(format!("{host}/identity_/connect/token"));
        UiPathClient::with_config(ClientConfig::new(Provider::UiPath, &base, auth)?)
    }

    /// On-premises: `{orchestrator}/`, tokens from `{orchestrator}/identity/connect/token`.
    pub fn on_premises(orchestrator: &str, auth: UiPathAuth) -> Result<Self, Error> {
        let orchestrator = orchestrator.trim_end_matches('/');
        let auth = auth.into_auth(format!("{orchestrator}/identity/connect/token"));
        UiPathClient::with_config(ClientConfig::new(Provider::UiPath, orchestrator, auth)?)
    }

    /// A client with a full transport configuration.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(UiPathClient {
            http: HttpClient::new(config)?,
        })
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// `GET odata/Webhooks` with the filter's `$filter`, `$top`, `$skip`, `$count`, `$orderby`.
    pub async fn get(&self, filter: &WebhookFilter) -> Result<ODataList<WebhookDto>, Error> {
        let mut request = Request::get("odata/Webhooks");
        if let Some(expression) = filter.expression() {
            request = request.query("$filter", expression);
        }
        if let Some(top) = filter.top {
            if top > MAX_TOP {
                return Err(Error::validation(
                    "top",
                    format!("{top} is over Orchestrator's limit of {MAX_TOP}"),
                ));
            }
            request = request.query("$top", top);
        }
        if let Some(skip) = filter.skip {
            request = request.query("$skip", skip);
        }
        if filter.count {
            request = request.query("$count", "true");
        }
        if let Some(order) = &filter.order_by {
            request = request.query("$orderby", order);
        }
        self.http.send(request).await?.json("UiPath webhook list")
    }

    /// `GET odata/Webhooks({id})`.
    pub async fn get_by_id(&self, id: i64) -> Result<WebhookDto, Error> {
        self.http
            .send(Request::get(format!("odata/Webhooks({id})")))
            .await?
            .json("UiPath webhook")
    }

    /// `POST odata/Webhooks`. `Name` and a valid `Url` are checked before sending.
    pub async fn create(&self, webhook: &WebhookDto) -> Result<WebhookDto, Error> {
        check(webhook, true)?;
        self.http
            .send(Request::post("odata/Webhooks").json(webhook)?)
            .await?
            .json("UiPath webhook")
    }

    /// `PATCH odata/Webhooks({id})` with the fields set in `changes`. Orchestrator may
    /// answer 204; the webhook is then read back.
    pub async fn update(&self, id: i64, changes: &WebhookDto) -> Result<WebhookDto, Error> {
        check(changes, false)?;
        let response = self
            .http
            .send(Request::patch(format!("odata/Webhooks({id})")).json(changes)?)
            .await?;
        if response.body.is_empty() {
            return self.get_by_id(id).await;
        }
        response.json("UiPath webhook")
    }

    /// `PUT odata/Webhooks({id})` with the full body (seed 002).
    pub async fn replace(&self, id: i64, webhook: &WebhookDto) -> Result<WebhookDto, Error> {
        check(webhook, false)?;
        self.http
            .send(Request::put(format!("odata/Webhooks({id})")).json(webhook)?)
            .await?
            .json("UiPath webhook")
    }

    /// `DELETE odata/Webhooks({id})`.
    pub async fn delete(&self, id: i64) -> Result<(), Error> {
        self.http
            .send(Request::delete(format!("odata/Webhooks({id})")))
            .await
            .map(|_| ())
    }

    /// `POST odata/Webhooks({id})/…Ping`: Orchestrator answers the ping event and also
    /// delivers it to the webhook's URL.
    pub async fn test(&self, id: i64) -> Result<UiPathEvent, Error> {
        self.http
            .send(Request::post(format!("odata/Webhooks({id})/{PING}")))
            .await?
            .json("UiPath ping")
    }

    /// `GET odata/Webhooks/…GetEventTypes()`.
    pub async fn event_types(&self) -> Result<Vec<EventTypeDto>, Error> {
        let list: ODataList<EventTypeDto> = self
            .http
            .send(Request::get(format!("odata/Webhooks/{EVENT_TYPES}")))
            .await?
            .json("UiPath event types")?;
        Ok(list.value)
    }
}

/// Checks what can be checked before sending: a name on create, a valid URL, event names.
fn check(webhook: &WebhookDto, create: bool) -> Result<(), Error> {
    let events: Vec<EventType> = webhook
        .events
        .iter()
        .flatten()
        .map(|e| e.event_type.clone())
        .collect();
    if create || webhook.url.is_some() {
        let url = webhook
            .url
            .clone()
            .ok_or_else(|| Error::validation("url", "Url is required"))?;
        let mut spec = WebhookSpec::builder(url).events(events.clone()).build();
        spec.name = if create {
            webhook.name.clone()
        } else {
            Some("unchanged".into())
        };
        spec.validate(Provider::UiPath)?;
    } else {
        let patch = WebhookPatch {
            name: webhook.name.clone(),
            events: Some(events),
            ..WebhookPatch::default()
        };
        patch.validate(Provider::UiPath)?;
    }
    Ok(())
}

fn parse_id(id: &WebhookId) -> Result<i64, Error> {
    id.as_str().parse().map_err(|_| {
        Error::validation(
            "id",
            format!("{id:?} is not a UiPath webhook id (an integer)"),
        )
    })
}

fn subscriptions(events: &[EventType]) -> Vec<EventSubscription> {
    events
        .iter()
        .map(|e| EventSubscription::from(e.canonical(Provider::UiPath)))
        .collect()
}

/// The common model of a UiPath webhook; the record itself is kept in `native`.
pub fn to_common(record: &WebhookDto) -> Result<Webhook, Error> {
    let mut native =
        serde_json::to_value(record).map_err(|e| Error::validation("record", e.to_string()))?;
    if let Some(map) = native.as_object_mut() {
        map.remove("@odata.context");
    }
    Ok(Webhook {
        id: WebhookId::new(record.id.map(|id| id.to_string()).unwrap_or_default()),
        provider: Provider::UiPath,
        name: record.name.clone(),
        url: record.url.clone().unwrap_or_default(),
        events: record
            .events
            .iter()
            .flatten()
            .map(|e| e.event_type.clone())
            .collect(),
        all_events: record.subscribe_to_all_events.unwrap_or(false),
        enabled: record.enabled.unwrap_or(false),
        has_secret: record.secret.as_ref().is_some_and(|s| !s.is_empty()),
        created_at: None,
        updated_at: None,
        native,
    })
}

#[async_trait]
impl WebhookApi for UiPathClient {
    fn provider(&self) -> Provider {
        Provider::UiPath
    }

    /// Filters server-side with OData; pages with `$top`/`$skip` (100 a page unless
    /// `per_page` says), counting the total.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let per_page = query.per_page.unwrap_or(100).clamp(1, MAX_TOP);
        let page = query.page_number();
        let skip = (page - 1).saturating_mul(per_page);
        let filter = WebhookFilter {
            enabled: query.enabled,
            event_type: query.event_type.clone(),
            url: query.url.clone(),
            top: Some(per_page),
            skip: Some(skip),
            count: true,
            order_by: Some("Id".into()),
        };
        let list = self.get(&filter).await?;
        let seen = u64::from(skip) + list.value.len() as u64;
        Ok(Page {
            has_more: list.count.is_some_and(|total| seen < total),
            total: list.count,
            page,
            items: list.value.iter().map(to_common).collect::<Result<_, _>>()?,
        })
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        to_common(&self.get_by_id(parse_id(id)?).await?)
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        spec.validate(Provider::UiPath)?;
        let record = WebhookDto {
            name: spec.name.clone(),
            description: spec.description.clone(),
            url: Some(spec.url.clone()),
            enabled: Some(spec.enabled),
            secret: spec.secret.clone(),
            subscribe_to_all_events: Some(spec.all_events),
            allow_insecure_ssl: Some(spec.allow_insecure_tls),
            events: Some(subscriptions(&spec.events)),
            headers: (!spec.headers.is_empty()).then(|| spec.headers.clone()),
            ..WebhookDto::default()
        };
        to_common(&self.create(&record).await?)
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        patch.validate(Provider::UiPath)?;
        let changes = WebhookDto {
            name: patch.name.clone(),
            description: patch.description.clone(),
            url: patch.url.clone(),
            enabled: patch.enabled,
            secret: patch.secret.clone(),
            events: patch.events.as_deref().map(subscriptions),
            headers: patch.headers.clone(),
            ..WebhookDto::default()
        };
        to_common(&self.update(parse_id(id)?, &changes).await?)
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        UiPathClient::delete(self, parse_id(id)?).await
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let ping = UiPathClient::test(self, parse_id(id)?).await?;
        Ok(TestOutcome {
            event_id: Some(ping.event_id.clone()),
            tests_run: Some(1),
            tests_succeeded: None,
            native: serde_json::to_value(&ping).unwrap_or_default(),
        })
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(UiPathClient::event_types(self)
            .await?
            .into_iter()
            .map(|e| {
                let description = e
                    .name
                    .catalog_entry(Provider::UiPath)
                    .map(|c| c.description.to_owned());
                EventTypeInfo {
                    name: e.name,
                    group: e.group,
                    title: None,
                    description,
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_odata_with_quotes_doubled() {
        let filter = WebhookFilter::new()
            .enabled(true)
            .url("https://x.example/O'Brien")
            .event_type("Job.Completed");
        assert_eq!(
            filter.expression().unwrap(),
            "Enabled eq true and Url eq 'https://x.example/O''Brien' and Events/any(e: e/EventType eq 'job.completed')"
        );
        assert_eq!(WebhookFilter::new().expression(), None);
    }
}
