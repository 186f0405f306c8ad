//! Webhooks in the common model: ids, the record, what creates and changes one, and what a
//! test did. No provider's rules: each provider crate checks these when it converts them.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use crate::{EventType, Options, Provider, ProviderOption, Secret};

/// A webhook's id as the provider writes it: UiPath integers, Port identifiers, UP42
/// UUIDs, `hook_…` ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WebhookId(String);

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

crate::setters::text_type!(WebhookId);

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
#[derive(Clone, PartialEq, Serialize, Deserialize, derive_more::Debug)]
#[non_exhaustive]
pub struct Webhook {
    /// The provider's id.
    pub id: WebhookId,
    /// Which provider holds it.
    pub provider: Provider,
    /// Its name (UiPath `Name`, Port `title`, UP42 `name`); the generic service has none.
    pub name: Option<String>,
    /// Where deliveries go; for an inbound webhook
    /// ([`Direction::Inbound`](crate::Direction::Inbound)), the URL the provider assigned
    /// for third parties to send to (Port's ingest URL).
    pub url: String,
    /// The events it subscribes to (none for an inbound webhook).
    pub events: Vec<EventType>,
    /// Whether it receives every event (UiPath `SubscribeToAllEvents`).
    pub all_events: bool,
    /// Whether deliveries are sent (UiPath `Enabled`, Port `enabled`, UP42 and generic `active`).
    pub enabled: bool,
    /// Whether a signing secret is set; the secret itself is only in `native`.
    pub has_secret: bool,
    /// When it was created, if the provider says.
    #[serde(default, with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// When it last changed, if the provider says.
    #[serde(default, with = "timestamp")]
    pub updated_at: Option<OffsetDateTime>,
    /// The provider's record exactly as received.
    #[debug("{:?}", crate::redact_json(native))]
    pub native: serde_json::Value,
}

impl Webhook {
    /// A webhook of `provider` with `id`, keeping `native`; the other fields start empty
    /// (disabled, no name, URL or events) for the provider crate to fill in.
    pub fn new(provider: Provider, id: impl Into<WebhookId>, native: serde_json::Value) -> Self {
        Webhook {
            id: id.into(),
            provider,
            name: None,
            url: String::new(),
            events: Vec::new(),
            all_events: false,
            enabled: false,
            has_secret: false,
            created_at: None,
            updated_at: None,
            native,
        }
    }

    /// The same, keeping `record`, the provider's own, as JSON in `native`.
    pub fn of(provider: Provider, id: impl Into<WebhookId>, record: &impl Serialize) -> Self {
        Webhook::new(
            provider,
            id,
            serde_json::to_value(record).unwrap_or_default(),
        )
    }
}

/// What a new webhook should be. Build one with [`WebhookSpec::builder`]; the provider's
/// client checks it against that provider's rules before sending.
///
/// ```
/// use hook_model::WebhookSpec;
/// let spec = WebhookSpec::builder("https://example.com/hooks")
///     .name("orders")
///     .events(["job.status"])
///     .secret("s3cret")
///     .build();
/// assert_eq!(spec.events.len(), 1);
/// assert!(!format!("{spec:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookSpec {
    /// Where deliveries go; empty for an inbound webhook, whose URL the provider assigns.
    pub url: String,
    /// A name (UiPath `Name`, Port `title`, UP42 `name`).
    pub name: Option<String>,
    /// A description (UiPath, Port).
    pub description: Option<String>,
    /// The events to subscribe to.
    pub events: Vec<EventType>,
    /// Whether deliveries start right away (on unless set).
    pub enabled: bool,
    /// The signing secret.
    pub secret: Option<Secret>,
    /// What one provider takes beyond the common model, as its crate's types
    /// (`hook_port::PortOptions`, `hook_uipath::UiPathOptions`): see [`WebhookSpec::option`].
    pub options: Options,
}

/// The builder of a [`WebhookSpec`] is the spec itself: its setters chain, and
/// [`WebhookSpec::build`] ends the chain.
pub type WebhookSpecBuilder = WebhookSpec;

impl WebhookSpec {
    /// Starts a spec of an inbound webhook
    /// ([`Direction::Inbound`](crate::Direction::Inbound)): no destination URL and no
    /// events, since the provider assigns the URL third parties send to; enabled.
    ///
    /// ```
    /// use hook_model::WebhookSpec;
    /// let spec = WebhookSpec::inbound().name("GitHub pull requests").build();
    /// assert!(spec.url.is_empty() && spec.events.is_empty());
    /// ```
    pub fn inbound() -> WebhookSpecBuilder {
        WebhookSpec::builder("")
    }

    /// Starts a spec delivering to `url`, enabled, with no events.
    pub fn builder(url: impl Into<String>) -> WebhookSpecBuilder {
        WebhookSpec {
            url: url.into(),
            name: None,
            description: None,
            events: Vec::new(),
            enabled: true,
            secret: None,
            options: Options::default(),
        }
    }

    crate::setters! {
        /// Sets the name.
        name: Option<String>;
        /// Sets the description.
        description: Option<String>;
        /// Sets whether deliveries start right away.
        enabled: bool;
        /// Sets the signing secret.
        secret: Option<Secret>;
    }

    /// Adds one provider's option (replacing one of the same type): Port's caller-chosen
    /// identifier, UiPath's subscription to every event. A provider refuses another
    /// provider's option with [`crate::Error::Unsupported`] naming it.
    pub fn option<O: ProviderOption + PartialEq>(mut self, option: O) -> Self {
        self.options = self.options.with(option);
        self
    }

    /// Adds one event.
    pub fn event(mut self, event: impl Into<EventType>) -> Self {
        self.events.push(event.into());
        self
    }

    /// Adds several events.
    pub fn events<E: Into<EventType>>(mut self, events: impl IntoIterator<Item = E>) -> Self {
        self.events.extend(events.into_iter().map(Into::into));
        self
    }

    /// The spec, at the end of a chain of setters.
    pub fn build(self) -> WebhookSpec {
        self
    }
}

/// Changes to a webhook; a field left `None` stays as it is.
///
/// ```
/// use hook_model::WebhookPatch;
/// let patch = WebhookPatch::new().enabled(false).events(["job.status"]);
/// assert_eq!(patch.enabled, Some(false));
/// assert!(WebhookPatch::new().is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
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
}

impl WebhookPatch {
    /// A patch that changes nothing yet.
    pub fn new() -> Self {
        WebhookPatch::default()
    }

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == WebhookPatch::default()
    }

    crate::setters! {
        /// Sets a new URL.
        url: Option<String>;
        /// Sets a new name.
        name: Option<String>;
        /// Sets a new description.
        description: Option<String>;
        /// Turns delivery on or off.
        enabled: some bool;
        /// Sets a new secret.
        secret: Option<Secret>;
    }

    /// Replaces the event list.
    pub fn events<E: Into<EventType>>(mut self, events: impl IntoIterator<Item = E>) -> Self {
        self.events = Some(events.into_iter().map(Into::into).collect());
        self
    }
}

/// What a test or ping did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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

impl TestOutcome {
    /// An outcome keeping the provider's answer; the counts start unknown.
    pub fn new(native: serde_json::Value) -> Self {
        TestOutcome {
            event_id: None,
            tests_run: None,
            tests_succeeded: None,
            native,
        }
    }

    /// An outcome keeping `answer`, the provider's record, as JSON.
    pub fn of(answer: &impl Serialize) -> Self {
        TestOutcome::new(serde_json::to_value(answer).unwrap_or_default())
    }

    crate::setters! {
        /// The event id sent.
        event_id: Option<String>;
        /// How many test messages were sent.
        tests_run: some u32;
        /// How many of them succeeded.
        tests_succeeded: some u32;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_prints_no_secret() {
        let spec = WebhookSpec::builder("https://x.example")
            .secret("hunter2")
            .build();
        assert!(!format!("{spec:?}").contains("hunter2"));
    }

    #[test]
    fn a_webhook_prints_its_native_record_redacted() {
        let webhook: Webhook = serde_json::from_value(serde_json::json!({
            "id": "1", "provider": "generic", "url": "https://x.example", "events": [],
            "all_events": false, "enabled": true, "has_secret": true,
            "native": {"secret": "hunter2", "url": "https://x.example"}
        }))
        .unwrap();
        let shown = format!("{webhook:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("<redacted>"),
            "{shown}"
        );
        assert_eq!(webhook.native["secret"], "hunter2", "serialized whole");
    }

    #[test]
    fn a_patch_builds_field_by_field() {
        let patch = WebhookPatch::new().url("https://x.example").name("n");
        assert_eq!(patch.url.as_deref(), Some("https://x.example"));
        assert!(!patch.is_empty());
    }
}
