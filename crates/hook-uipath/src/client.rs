//! The native client: Orchestrator's `odata/Webhooks` calls in Orchestrator's words.

use hook_http::{ClientConfig, HttpClient, Method, Request};
use hook_model::check::{self, Scheme};
use hook_model::{Context, Error, EventType};

use crate::config::{UiPathAuth, UiPathConfig};
use crate::wire::{EventTypeDto, ODataList, UiPathEvent, WebhookDto};

const PING: &str = "UiPath.Server.Configuration.OData.Ping";
const EVENT_TYPES: &str = "UiPath.Server.Configuration.OData.GetEventTypes";
const TRIGGER_CUSTOM: &str = "UiPath.Server.Configuration.OData.TriggerCustom";

/// The most items one list call may ask for (OData `$top`).
pub const MAX_TOP: u32 = 1000;
/// The longest `Name`.
pub const NAME_MAX: usize = 128;
/// The longest `Description`.
pub const DESCRIPTION_MAX: usize = 256;
/// The longest `Url`.
pub const URL_MAX: usize = 2000;
/// The longest `Secret`.
pub const SECRET_MAX: usize = 100;
/// The longest event type name.
pub const EVENT_TYPE_MAX: usize = 50;

/// The filters and paging of [`Webhooks::get`], turned into OData.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
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

    hook_model::setters! {
        /// Only enabled (or disabled) webhooks.
        enabled: some bool;
        /// Only webhooks subscribed to this event.
        event_type: Option<EventType>;
        /// Only webhooks delivering to this URL.
        url: Option<String>;
        /// Ask for the total.
        count: bool;
        /// `$orderby`.
        order_by: Option<String>;
    }

    /// `$top` and `$skip`.
    pub fn page(mut self, top: u32, skip: u32) -> Self {
        self.top = Some(top);
        self.skip = Some(skip);
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
            let event = event.canonical_in(&crate::EVENTS);
            clauses.push(format!(
                "Events/any(e: e/EventType eq {})",
                quote(event.as_str())
            ));
        }
        (!clauses.is_empty()).then(|| clauses.join(" and "))
    }
}

/// Orchestrator's webhook client. Cheap to clone. Its calls are under
/// [`UiPathClient::webhooks`], as in UiPath's own SDKs (`client.webhooks.get(…)`).
///
/// ```no_run
/// # async fn run() -> Result<(), hook_model::Error> {
/// use hook_uipath::{UiPathAuth, UiPathClient, WebhookDto};
/// let pat = UiPathAuth::personal_access_token("my-pat");
/// let orchestrator = UiPathClient::on_premises("https://orchestrator.example.com", pat)?;
/// let hook = orchestrator.webhooks().get_by_id(10).await?;
/// let ping = orchestrator.webhooks().ping(hook.id.unwrap_or(10)).await?;
/// let disable = WebhookDto { enabled: Some(false), ..WebhookDto::default() };
/// orchestrator.webhooks().update(10, &disable).await?;
/// println!("ping {}", ping.event_id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct UiPathClient {
    http: HttpClient,
}

/// The `odata/Webhooks` calls of a [`UiPathClient`].
#[derive(Debug, Clone, Copy)]
pub struct Webhooks<'c> {
    http: &'c HttpClient,
}

impl UiPathClient {
    /// A client for the tenant `config` names.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn new(config: UiPathConfig) -> Result<Self, Error> {
        let context = Context::new(crate::PROVIDER, "configure client");
        for (field, value) in [
            ("organization", config.organization.as_str()),
            ("tenant", config.tenant.as_str()),
        ] {
            check::path_segment(field, value).map_err(|e| e.within(&context))?;
        }
        let auth = config.auth.clone().into_auth(config.token_url());
        UiPathClient::with_config(
            ClientConfig::new(crate::PROVIDER, &config.base_url(), auth)?
                .settings(&config.transport),
        )
    }

    /// On-premises: `{orchestrator}/`, tokens from `{orchestrator}/identity/connect/token`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn on_premises(orchestrator: &str, auth: UiPathAuth) -> Result<Self, Error> {
        let orchestrator = orchestrator.trim_end_matches('/');
        let auth = auth.into_auth(format!("{orchestrator}/identity/connect/token"));
        UiPathClient::with_config(ClientConfig::new(crate::PROVIDER, orchestrator, auth)?)
    }

    /// A client with a full transport configuration; Orchestrator's error decoder is set
    /// here.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming what is refused: a base or token URL that is not
    /// HTTPS off loopback, a value that is empty or cannot be part of a path.
    pub fn with_config(config: ClientConfig) -> Result<Self, Error> {
        Ok(UiPathClient {
            http: HttpClient::new(config.errors(crate::errors::decode))?,
        })
    }

    /// The transport.
    pub fn http(&self) -> &HttpClient {
        &self.http
    }

    /// The webhook calls.
    pub fn webhooks(&self) -> Webhooks<'_> {
        Webhooks { http: &self.http }
    }
}

impl Webhooks<'_> {
    /// `GET odata/Webhooks` with the filter's `$filter`, `$top`, `$skip`, `$count`, `$orderby`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get(&self, filter: &WebhookFilter) -> Result<ODataList<WebhookDto>, Error> {
        let mut call = self
            .http
            .call(Request::get("odata/Webhooks").operation("list webhooks"));
        if let Some(expression) = filter.expression() {
            call = call.query("$filter", expression);
        }
        if let Some(top) = filter.top {
            if top > MAX_TOP {
                return call.check(Err(Error::invalid(
                    "top",
                    format!("{top} is over Orchestrator's limit of {MAX_TOP}: page with skip"),
                )));
            }
            call = call.query("$top", top);
        }
        if let Some(skip) = filter.skip {
            call = call.query("$skip", skip);
        }
        if filter.count {
            call = call.query("$count", "true");
        }
        if let Some(order) = &filter.order_by {
            call = call.query("$orderby", order);
        }
        call.send().await?.json("UiPath webhook list")
    }

    /// `GET odata/Webhooks({id})`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn get_by_id(&self, id: i64) -> Result<WebhookDto, Error> {
        let request = Request::get(format!("odata/Webhooks({id})"))
            .operation("get webhook")
            .webhook(id);
        self.http.send(request).await?.json("UiPath webhook")
    }

    /// `POST odata/Webhooks`, checked first: the five required properties (`Name`, `Url`,
    /// `Enabled`, `SubscribeToAllEvents`, `AllowInsecureSsl`) present, lengths within
    /// Orchestrator's limits, event names well-formed, no property `WebhookDto` lacks.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn create(&self, webhook: &WebhookDto) -> Result<WebhookDto, Error> {
        let call = self
            .http
            .call(Request::post("odata/Webhooks").operation("create webhook"));
        call.check(check(webhook, Body::Whole))?;
        call.json(webhook)?.send().await?.json("UiPath webhook")
    }

    /// `PATCH odata/Webhooks({id})` changing the fields set in `changes`, checked first.
    ///
    /// Orchestrator's OpenAPI gives PATCH the `WebhookDto` schema, five properties required;
    /// when `changes` lacks some, they are read from the webhook first and sent as they are,
    /// so the body is valid under either reading of PATCH. Orchestrator may answer 204; the
    /// webhook is then read back.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn update(&self, id: i64, changes: &WebhookDto) -> Result<WebhookDto, Error> {
        let call =
            (self.http).call_about(Method::PATCH, "odata/Webhooks({id})", "update webhook", id)?;
        call.check(check(changes, Body::Partial))?;
        let body = if required_missing(changes) {
            let current = self.get_by_id(id).await?;
            WebhookDto {
                name: changes.name.clone().or(current.name),
                url: changes.url.clone().or(current.url),
                enabled: changes.enabled.or(current.enabled),
                subscribe_to_all_events: changes
                    .subscribe_to_all_events
                    .or(current.subscribe_to_all_events),
                allow_insecure_ssl: changes.allow_insecure_ssl.or(current.allow_insecure_ssl),
                ..changes.clone()
            }
        } else {
            changes.clone()
        };
        let response = call.json(&body)?.send().await?;
        if response.body.is_empty() {
            return self.get_by_id(id).await;
        }
        response.json("UiPath webhook")
    }

    /// `PUT odata/Webhooks({id})` with the full body, checked first: like `create`, it
    /// must carry `Name`, `Url`, `Enabled`, `SubscribeToAllEvents` and `AllowInsecureSsl`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn replace(&self, id: i64, webhook: &WebhookDto) -> Result<WebhookDto, Error> {
        let call =
            (self.http).call_about(Method::PUT, "odata/Webhooks({id})", "replace webhook", id)?;
        call.check(check(webhook, Body::Whole))?;
        call.json(webhook)?.send().await?.json("UiPath webhook")
    }

    /// `DELETE odata/Webhooks({id})`.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn delete(&self, id: i64) -> Result<(), Error> {
        let request = Request::delete(format!("odata/Webhooks({id})"))
            .operation("delete webhook")
            .webhook(id);
        self.http.send(request).await.map(|_| ())
    }

    /// `POST odata/Webhooks({id})/…Ping`: Orchestrator answers 202 with the ping event and
    /// also delivers it to the webhook's URL.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn ping(&self, id: i64) -> Result<UiPathEvent, Error> {
        let request = Request::post(format!("odata/Webhooks({id})/{PING}"))
            .operation("ping webhook")
            .webhook(id);
        self.http.send(request).await?.json("UiPath ping")
    }

    /// `GET odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes`, the path of
    /// Orchestrator's OpenAPI.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn event_types(&self) -> Result<Vec<EventTypeDto>, Error> {
        let request =
            Request::get(format!("odata/Webhooks/{EVENT_TYPES}")).operation("list event types");
        let list: ODataList<EventTypeDto> =
            self.http.send(request).await?.json("UiPath event types")?;
        Ok(list.value)
    }
}

impl Webhooks<'_> {
    /// `POST odata/Webhooks/…TriggerCustom`: raises a `custom` event carrying `data` as its
    /// `EventData` (each value an object, as the OpenAPI requires), delivered to the
    /// webhooks subscribed to `custom`; answers the event.
    ///
    /// # Errors
    ///
    /// [`hook_model::Error::Invalid`] naming the field when the input fails the provider's
    /// checks (nothing is sent); otherwise the call's error as [`hook_http::HttpClient::send`]
    /// describes it, or [`hook_model::Error::Decode`] when the answer does not have the
    /// documented shape.
    pub async fn trigger_custom(
        &self,
        data: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<UiPathEvent, Error> {
        let call = self.http.call(
            Request::post(format!("odata/Webhooks/{TRIGGER_CUSTOM}"))
                .operation("trigger custom event"),
        );
        if let Some((key, _)) = data.iter().find(|(_, v)| !v.is_object()) {
            return call.check(Err(Error::invalid(
                format!("data[{key:?}]"),
                "each value of a custom event's data must be a JSON object",
            )));
        }
        call.json(data)?.send().await?.json("UiPath custom event")
    }
}

/// Whether a body must hold every required field (create) or only what it changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Body {
    Whole,
    Partial,
}

/// Whether a body lacks one of the five properties POST and PUT require.
fn required_missing(webhook: &WebhookDto) -> bool {
    webhook.name.is_none()
        || webhook.url.is_none()
        || webhook.enabled.is_none()
        || webhook.subscribe_to_all_events.is_none()
        || webhook.allow_insecure_ssl.is_none()
}

/// Checks what can be checked before sending, naming the wire's fields.
fn check(webhook: &WebhookDto, body: Body) -> Result<(), Error> {
    if body == Body::Whole {
        check::required("Name", webhook.name.as_deref())?;
        check::required("Url", webhook.url.as_deref())?;
        for (field, present) in [
            ("Enabled", webhook.enabled.is_some()),
            (
                "SubscribeToAllEvents",
                webhook.subscribe_to_all_events.is_some(),
            ),
            ("AllowInsecureSsl", webhook.allow_insecure_ssl.is_some()),
        ] {
            if !present {
                return Err(Error::invalid(
                    field,
                    "Orchestrator requires it on create and replace: set it to true or false",
                ));
            }
        }
    }
    if let Some(key) = webhook.extra.keys().find(|k| !k.starts_with("@odata")) {
        return Err(Error::invalid(
            key.clone(),
            format!("Orchestrator's WebhookDto has no property {key:?} and refuses it"),
        ));
    }
    if let Some(name) = &webhook.name {
        check::required("Name", Some(name))?;
        check::max_chars("Name", name, NAME_MAX)?;
    }
    if let Some(url) = &webhook.url {
        check::url("Url", url, Scheme::HttpOrHttps)?;
        check::max_chars("Url", url, URL_MAX)?;
    }
    if let Some(description) = &webhook.description {
        check::max_chars("Description", description, DESCRIPTION_MAX)?;
    }
    if let Some(secret) = &webhook.secret {
        check::secret("Secret", Some(secret))?;
        check::max_chars("Secret", secret.expose(), SECRET_MAX)?;
    }
    let events: Vec<EventType> = webhook.event_types();
    check::event_names("Events", &events)?;
    for (index, event) in events.iter().enumerate() {
        check::max_chars(&format!("Events[{index}]"), event.as_str(), EVENT_TYPE_MAX)?;
    }
    Ok(())
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

    #[test]
    fn checks_name_the_wire_field() {
        let field = |dto: &WebhookDto, body| match check(dto, body) {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(&WebhookDto::default(), Body::Whole), "Name");
        let long = WebhookDto {
            name: Some("n".repeat(NAME_MAX + 1)),
            ..WebhookDto::default()
        };
        assert_eq!(field(&long, Body::Partial), "Name");
        let http = WebhookDto {
            url: Some("ftp://x".into()),
            ..WebhookDto::default()
        };
        assert_eq!(field(&http, Body::Partial), "Url");
        check(&WebhookDto::default(), Body::Partial).unwrap();
    }
}
