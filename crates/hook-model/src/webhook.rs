//! Webhooks in the common model, what creates and changes them, and how lists page.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{Error, EventType, Provider, Secret};

/// A webhook's id as the provider writes it: UiPath integers, Port identifiers, UP42
/// UUIDs, `hook_…` ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookId(pub String);

impl WebhookId {
    /// An id.
    pub fn new(id: impl Into<String>) -> Self {
        WebhookId(id.into())
    }

    /// The id's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WebhookId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for WebhookId {
    fn from(id: &str) -> Self {
        WebhookId::new(id)
    }
}

impl From<String> for WebhookId {
    fn from(id: String) -> Self {
        WebhookId(id)
    }
}

impl From<i64> for WebhookId {
    fn from(id: i64) -> Self {
        WebhookId(id.to_string())
    }
}

/// A webhook in the common model, with the provider's own record kept in `native` so
/// nothing is lost going through [`crate::WebhookApi`].
///
/// `Debug` prints `native` with secrets redacted ([`crate::redact_json`]); serializing
/// writes it whole.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    /// The provider's id.
    pub id: WebhookId,
    /// Which provider holds it.
    pub provider: Provider,
    /// Its name (UiPath `Name`, Port `title`, UP42 `name`); the generic service has none.
    pub name: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// The events it subscribes to.
    pub events: Vec<EventType>,
    /// Whether it receives every event (UiPath `SubscribeToAllEvents`).
    pub all_events: bool,
    /// Whether deliveries are sent (UiPath `Enabled`, Port `enabled`, UP42 and generic `active`).
    pub enabled: bool,
    /// Whether a signing secret is set; the secret itself is only in `native`.
    pub has_secret: bool,
    /// When it was created, if the provider says.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub created_at: Option<OffsetDateTime>,
    /// When it last changed, if the provider says.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
    /// The provider's record exactly as received.
    pub native: serde_json::Value,
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("all_events", &self.all_events)
            .field("enabled", &self.enabled)
            .field("has_secret", &self.has_secret)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .field("native", &crate::redact_json(&self.native))
            .finish()
    }
}

/// What a new webhook should be. Build one with [`WebhookSpec::builder`].
///
/// ```
/// use hook_model::{Provider, WebhookSpec};
/// let spec = WebhookSpec::builder("https://example.com/hooks")
///     .name("orders")
///     .events(["job.status"])
///     .secret("s3cret")
///     .build();
/// spec.validate(Provider::Up42)?;
/// let http = WebhookSpec::builder("http://example.com/hooks").name("orders").build();
/// assert!(http.validate(Provider::Up42).is_err()); // UP42 requires HTTPS
/// # Ok::<(), hook_model::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSpec {
    /// Where deliveries go.
    pub url: String,
    /// A name (UiPath `Name`, Port `title`, UP42 `name`).
    pub name: Option<String>,
    /// Port's `identifier`; when absent, derived from `name` by [`WebhookSpec::port_identifier`].
    pub identifier: Option<String>,
    /// A description (UiPath, Port).
    pub description: Option<String>,
    /// The events to subscribe to.
    pub events: Vec<EventType>,
    /// Subscribe to every event (UiPath `SubscribeToAllEvents`).
    pub all_events: bool,
    /// Whether deliveries start right away (UP42 defaults to inactive; we default to on).
    pub enabled: bool,
    /// The signing secret.
    pub secret: Option<Secret>,
    /// Headers sent with each delivery (UiPath `Headers`, Port `headers`).
    pub headers: BTreeMap<String, String>,
    /// Deliver to HTTPS URLs whose certificate does not verify (UiPath `AllowInsecureSsl`).
    pub allow_insecure_tls: bool,
}

/// Builds a [`WebhookSpec`].
#[derive(Debug, Clone)]
pub struct WebhookSpecBuilder {
    spec: WebhookSpec,
}

/// The longest Port identifier and title.
pub const PORT_IDENTIFIER_MAX: usize = 30;
/// The longest Port description.
pub const PORT_DESCRIPTION_MAX: usize = 200;
/// The longest event name a spec accepts.
pub const EVENT_NAME_MAX: usize = 100;

impl WebhookSpec {
    /// Starts a spec delivering to `url`, enabled, with no events.
    pub fn builder(url: impl Into<String>) -> WebhookSpecBuilder {
        WebhookSpecBuilder {
            spec: WebhookSpec {
                url: url.into(),
                name: None,
                identifier: None,
                description: None,
                events: Vec::new(),
                all_events: false,
                enabled: true,
                secret: None,
                headers: BTreeMap::new(),
                allow_insecure_tls: false,
            },
        }
    }

    /// The Port identifier: the explicit one, or `name` made into one (lower case, runs of
    /// other characters as `-`, at most 30 characters).
    pub fn port_identifier(&self) -> Option<String> {
        if let Some(identifier) = &self.identifier {
            return Some(identifier.clone());
        }
        let name = self.name.as_deref()?;
        let mut slug = String::new();
        for c in name.chars() {
            if c.is_ascii_alphanumeric() {
                slug.push(c.to_ascii_lowercase());
            } else if !slug.ends_with('-') && !slug.is_empty() {
                slug.push('-');
            }
        }
        let slug: String = slug
            .trim_end_matches('-')
            .chars()
            .take(PORT_IDENTIFIER_MAX)
            .collect();
        let slug = slug.trim_end_matches('-').to_owned();
        (!slug.is_empty()).then_some(slug)
    }

    /// Checks the spec against `provider`'s rules before anything is sent: the URL parses
    /// (HTTPS for UP42), names and lengths (Port identifier and title ≤ 30, description
    /// ≤ 200), required fields, event name syntax and delivery header syntax. Event names
    /// outside the catalog pass: providers add events.
    pub fn validate(&self, provider: Provider) -> Result<(), Error> {
        validate_url(&self.url, provider)?;
        validate_events(&self.events)?;
        validate_headers(&self.headers)?;
        match provider {
            Provider::UiPath | Provider::Up42 => {
                require_name(self.name.as_deref())?;
            }
            Provider::Port => {
                let identifier = self.port_identifier().ok_or_else(|| {
                    Error::validation(
                        "identifier",
                        "Port needs an identifier (or a name to derive one from)",
                    )
                })?;
                validate_port_identifier(&identifier)?;
                if let Some(title) = &self.name {
                    max_len("name", title, PORT_IDENTIFIER_MAX)?;
                }
                if let Some(description) = &self.description {
                    max_len("description", description, PORT_DESCRIPTION_MAX)?;
                }
            }
            Provider::Generic => {}
        }
        if let Some(secret) = &self.secret
            && secret.is_empty()
        {
            return Err(Error::validation(
                "secret",
                "must not be empty; leave it unset instead",
            ));
        }
        Ok(())
    }
}

impl WebhookSpecBuilder {
    /// Sets the name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.spec.name = Some(name.into());
        self
    }

    /// Sets Port's identifier.
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.spec.identifier = Some(identifier.into());
        self
    }

    /// Sets the description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.spec.description = Some(description.into());
        self
    }

    /// Adds one event.
    pub fn event(mut self, event: impl Into<EventType>) -> Self {
        self.spec.events.push(event.into());
        self
    }

    /// Adds several events.
    pub fn events<E: Into<EventType>>(mut self, events: impl IntoIterator<Item = E>) -> Self {
        self.spec.events.extend(events.into_iter().map(Into::into));
        self
    }

    /// Subscribes to every event (UiPath).
    pub fn all_events(mut self, all: bool) -> Self {
        self.spec.all_events = all;
        self
    }

    /// Sets whether deliveries start right away.
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.spec.enabled = enabled;
        self
    }

    /// Sets the signing secret.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.spec.secret = Some(secret.into());
        self
    }

    /// Adds a header sent with each delivery.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec.headers.insert(name.into(), value.into());
        self
    }

    /// Allows deliveries to HTTPS URLs whose certificate does not verify.
    pub fn allow_insecure_tls(mut self, allow: bool) -> Self {
        self.spec.allow_insecure_tls = allow;
        self
    }

    /// The spec. Check it with [`WebhookSpec::validate`] (clients do before sending).
    pub fn build(self) -> WebhookSpec {
        self.spec
    }
}

/// Changes to a webhook; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookPatch {
    /// A new URL.
    pub url: Option<String>,
    /// A new name.
    pub name: Option<String>,
    /// A new description.
    pub description: Option<String>,
    /// The new event list (replaces the old one).
    pub events: Option<Vec<EventType>>,
    /// Turn delivery on or off.
    pub enabled: Option<bool>,
    /// A new secret.
    pub secret: Option<Secret>,
    /// The new delivery headers (replace the old ones).
    pub headers: Option<BTreeMap<String, String>>,
}

impl WebhookPatch {
    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == WebhookPatch::default()
    }

    /// Checks the fields present as [`WebhookSpec::validate`] would.
    pub fn validate(&self, provider: Provider) -> Result<(), Error> {
        if let Some(url) = &self.url {
            validate_url(url, provider)?;
        }
        if let Some(events) = &self.events {
            validate_events(events)?;
        }
        if let Some(headers) = &self.headers {
            validate_headers(headers)?;
        }
        if provider == Provider::Port {
            if let Some(name) = &self.name {
                max_len("name", name, PORT_IDENTIFIER_MAX)?;
            }
            if let Some(description) = &self.description {
                max_len("description", description, PORT_DESCRIPTION_MAX)?;
            }
        }
        if let Some(name) = &self.name {
            require_name(Some(name))?;
        }
        Ok(())
    }
}

fn validate_url(url: &str, provider: Provider) -> Result<(), Error> {
    let parsed = url::Url::parse(url)
        .map_err(|e| Error::validation("url", format!("{url:?} is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if provider != Provider::Up42 => {}
        "http" => return Err(Error::validation("url", "UP42 requires an https:// URL")),
        other => {
            return Err(Error::validation(
                "url",
                format!("scheme {other:?} is not http or https"),
            ));
        }
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::validation("url", "the URL has no host"));
    }
    Ok(())
}

fn validate_events(events: &[EventType]) -> Result<(), Error> {
    for (index, event) in events.iter().enumerate() {
        let name = event.as_str();
        if name.is_empty()
            || name.len() > EVENT_NAME_MAX
            || name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(Error::validation(
                format!("events[{index}]"),
                format!("event names are 1 to {EVENT_NAME_MAX} characters without spaces"),
            ));
        }
    }
    Ok(())
}

fn validate_headers(headers: &BTreeMap<String, String>) -> Result<(), Error> {
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    for (name, value) in headers {
        if name.is_empty() || !name.bytes().all(token) {
            return Err(Error::validation(
                format!("headers[{name:?}]"),
                "not a valid header name",
            ));
        }
        if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(Error::validation(
                format!("headers[{name:?}]"),
                "header values must not contain CR, LF or NUL",
            ));
        }
    }
    Ok(())
}

fn require_name(name: Option<&str>) -> Result<(), Error> {
    match name {
        Some(name) if !name.trim().is_empty() => Ok(()),
        _ => Err(Error::validation("name", "a non-empty name is required")),
    }
}

fn max_len(field: &str, value: &str, max: usize) -> Result<(), Error> {
    let len = value.chars().count();
    if len > max {
        return Err(Error::validation(
            field,
            format!("{len} characters, over the limit of {max}"),
        ));
    }
    Ok(())
}

/// Checks Port's limits on whichever of `identifier`, `title` and `description` are given:
/// identifier 1 to 30 characters of letters, digits and `@_.+:\/=-`, title at most 30,
/// description at most 200. The error names the field.
pub fn check_port_fields(
    identifier: Option<&str>,
    title: Option<&str>,
    description: Option<&str>,
) -> Result<(), Error> {
    if let Some(identifier) = identifier {
        validate_port_identifier(identifier)?;
    }
    if let Some(title) = title {
        max_len("title", title, PORT_IDENTIFIER_MAX)?;
    }
    if let Some(description) = description {
        max_len("description", description, PORT_DESCRIPTION_MAX)?;
    }
    Ok(())
}

fn validate_port_identifier(identifier: &str) -> Result<(), Error> {
    max_len("identifier", identifier, PORT_IDENTIFIER_MAX)?;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "@_.+:\\/=-".contains(c);
    if identifier.is_empty() || !identifier.chars().all(allowed) {
        return Err(Error::validation(
            "identifier",
            "use letters, digits and @ _ . + : \\ / = - only",
        ));
    }
    Ok(())
}

/// Filters and paging for [`crate::WebhookApi::list`]; all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Only enabled (or only disabled) webhooks.
    pub enabled: Option<bool>,
    /// Only webhooks subscribed to this event.
    pub event_type: Option<EventType>,
    /// Only webhooks delivering to this URL.
    pub url: Option<String>,
    /// The 1-based page to fetch; `None` is the first.
    pub page: Option<u32>,
    /// Items per page; `None` is the provider's default.
    pub per_page: Option<u32>,
}

impl ListQuery {
    /// Whether `webhook` passes the query's filters (`enabled`, `url`, `event_type`), for
    /// providers that cannot filter server-side.
    pub fn matches(&self, webhook: &Webhook) -> bool {
        self.enabled.is_none_or(|e| webhook.enabled == e)
            && self.url.as_ref().is_none_or(|u| webhook.url == *u)
            && self
                .event_type
                .as_ref()
                .is_none_or(|e| webhook.events.contains(e))
    }

    /// The page number, 1-based.
    pub fn page_number(&self) -> u32 {
        self.page.unwrap_or(1).max(1)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// This page's number, 1-based.
    pub page: u32,
    /// The total number of items across pages, when the provider counts them.
    pub total: Option<u64>,
    /// Whether a next page may hold more.
    pub has_more: bool,
}

impl Page<Webhook> {
    /// A page of `webhooks` with `query`'s filters applied here, for providers that cannot
    /// filter server-side (so a page may hold fewer items than asked).
    pub fn filtered(
        webhooks: Vec<Webhook>,
        query: &ListQuery,
        total: Option<u64>,
        has_more: bool,
    ) -> Self {
        Page {
            items: webhooks.into_iter().filter(|w| query.matches(w)).collect(),
            page: query.page_number(),
            total,
            has_more,
        }
    }
}

impl<T> Page<T> {
    /// The query for the next page, if there is one.
    pub fn next_query(&self, query: &ListQuery) -> Option<ListQuery> {
        self.has_more.then(|| ListQuery {
            page: Some(self.page.saturating_add(1)),
            ..query.clone()
        })
    }
}

/// What a test or ping did.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOutcome {
    /// The event id sent (UiPath ping `EventId`, generic `evt_…`), when known.
    pub event_id: Option<String>,
    /// How many test messages were sent (UP42 `testsRun`), when known.
    pub tests_run: Option<u32>,
    /// How many of them succeeded (UP42 `testsSucceeded`), when known.
    pub tests_succeeded: Option<u32>,
    /// The provider's answer exactly as received.
    pub native: serde_json::Value,
}

/// How a provider pages its lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Paging {
    /// One answer holds everything.
    None,
    /// `$top`/`$skip` offsets (UiPath OData).
    Offset,
    /// `page`/`per_page` numbers (Port, generic).
    PageNumber,
}

/// What a provider supports, so callers can ask before they call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// `test` sends a test or ping delivery.
    pub test: bool,
    /// `event_types` lists the event types: from the provider's API, or from its
    /// documented catalog where the API has no such call (Port, generic).
    pub event_types: bool,
    /// A per-webhook delivery log is readable.
    pub delivery_log: bool,
    /// `list` filters server-side by enabled, event type and URL.
    pub server_filters: bool,
    /// How lists page.
    pub paging: Paging,
    /// Delivery URLs must be HTTPS.
    pub https_only: bool,
    /// Webhooks can subscribe to every event at once.
    pub all_events: bool,
}

impl Capabilities {
    /// What `provider`'s API offers, per PROVIDERS.md.
    pub fn of(provider: Provider) -> Self {
        let base = Capabilities {
            test: true,
            event_types: true,
            delivery_log: false,
            server_filters: false,
            paging: Paging::PageNumber,
            https_only: false,
            all_events: false,
        };
        match provider {
            Provider::UiPath => Capabilities {
                server_filters: true,
                paging: Paging::Offset,
                all_events: true,
                ..base
            },
            Provider::Port => Capabilities {
                test: false,
                ..base
            },
            Provider::Up42 => Capabilities {
                paging: Paging::None,
                https_only: true,
                ..base
            },
            Provider::Generic => Capabilities {
                delivery_log: true,
                ..base
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(result: Result<(), Error>) -> String {
        match result {
            Err(Error::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn urls_must_parse_and_be_https_for_up42() {
        let spec = |url: &str| WebhookSpec::builder(url).name("n").build();
        assert_eq!(field(spec("not a url").validate(Provider::Generic)), "url");
        assert_eq!(
            field(spec("ftp://x.example").validate(Provider::Generic)),
            "url"
        );
        assert_eq!(
            field(spec("http://x.example").validate(Provider::Up42)),
            "url"
        );
        spec("http://x.example").validate(Provider::UiPath).unwrap();
        spec("https://x.example").validate(Provider::Up42).unwrap();
    }

    #[test]
    fn port_limits_name_the_field() {
        let long = "x".repeat(31);
        let spec = WebhookSpec::builder("https://x.example")
            .identifier(long.clone())
            .build();
        assert_eq!(field(spec.validate(Provider::Port)), "identifier");
        let spec = WebhookSpec::builder("https://x.example")
            .identifier("ok")
            .name(long)
            .build();
        assert_eq!(field(spec.validate(Provider::Port)), "name");
        let spec = WebhookSpec::builder("https://x.example")
            .identifier("ok")
            .description("d".repeat(201))
            .build();
        assert_eq!(field(spec.validate(Provider::Port)), "description");
        let spec = WebhookSpec::builder("https://x.example")
            .identifier("has space")
            .build();
        assert_eq!(field(spec.validate(Provider::Port)), "identifier");
    }

    #[test]
    fn port_identifiers_derive_from_names() {
        let spec = WebhookSpec::builder("https://x")
            .name("Entity Updated — Notifications!")
            .build();
        assert_eq!(
            spec.port_identifier().as_deref(),
            Some("entity-updated-notifications")
        );
        let spec = WebhookSpec::builder("https://x")
            .name("A".repeat(40))
            .build();
        assert_eq!(spec.port_identifier().map(|s| s.len()), Some(30));
        let spec = WebhookSpec::builder("https://x").name("!!!").build();
        assert_eq!(field(spec.validate(Provider::Port)), "identifier");
    }

    #[test]
    fn names_are_required_where_the_provider_requires_them() {
        let spec = WebhookSpec::builder("https://x.example").build();
        assert_eq!(field(spec.validate(Provider::UiPath)), "name");
        assert_eq!(field(spec.validate(Provider::Up42)), "name");
        spec.validate(Provider::Generic).unwrap();
    }

    #[test]
    fn events_and_headers_are_checked_by_syntax_only() {
        let spec = WebhookSpec::builder("https://x.example")
            .events(["user.created", "brand.new"])
            .build();
        spec.validate(Provider::Generic).unwrap();
        let spec = WebhookSpec::builder("https://x.example")
            .events(["ok", "has space"])
            .build();
        assert_eq!(field(spec.validate(Provider::Generic)), "events[1]");
        let spec = WebhookSpec::builder("https://x.example")
            .header("X-A", "1\r\nX-B: 2")
            .build();
        assert_eq!(field(spec.validate(Provider::Generic)), "headers[\"X-A\"]");
    }

    #[test]
    fn a_spec_prints_no_secret() {
        let spec = WebhookSpec::builder("https://x.example")
            .secret("hunter2")
            .build();
        assert!(!format!("{spec:?}").contains("hunter2"));
    }

    #[test]
    fn patches_check_only_present_fields() {
        assert!(WebhookPatch::default().is_empty());
        WebhookPatch::default().validate(Provider::Up42).unwrap();
        let patch = WebhookPatch {
            url: Some("http://x.example".into()),
            ..WebhookPatch::default()
        };
        assert_eq!(field(patch.validate(Provider::Up42)), "url");
    }

    #[test]
    fn pages_know_their_next_query() {
        let page = Page {
            items: vec![1],
            page: 2,
            total: Some(3),
            has_more: true,
        };
        let query = ListQuery {
            enabled: Some(true),
            ..ListQuery::default()
        };
        let next = page.next_query(&query).unwrap();
        assert_eq!((next.page, next.enabled), (Some(3), Some(true)));
        assert!(
            Page::<u8> {
                has_more: false,
                ..Page {
                    items: vec![],
                    page: 1,
                    total: None,
                    has_more: false
                }
            }
            .next_query(&query)
            .is_none()
        );
    }

    #[test]
    fn capabilities_follow_providers_md() {
        assert!(!Capabilities::of(Provider::Port).test);
        assert!(Capabilities::of(Provider::Generic).delivery_log);
        assert!(Capabilities::of(Provider::Up42).https_only);
        assert_eq!(Capabilities::of(Provider::UiPath).paging, Paging::Offset);
    }
}
