//! [`WebhookApi`] for Orchestrator: each method converts the common model to
//! Orchestrator's record, then calls the native method, which checks it once.

use async_trait::async_trait;
use hook_model::{
    Capabilities, Context, Error, EventType, EventTypeInfo, ListQuery, Page, Paging, TestOutcome,
    Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};

use crate::client::{MAX_TOP, UiPathClient, WebhookFilter};
use crate::wire::{EventSubscription, WebhookDto};

/// What Orchestrator offers through [`WebhookApi`].
pub const CAPABILITIES: Capabilities = Capabilities::new(crate::PROVIDER, Paging::Offset)
    .test(true)
    .server_filters(true)
    .names(true)
    .descriptions(true);

/// What Orchestrator's webhooks take beyond the common model: a subscription to every
/// event (`SubscribeToAllEvents`) and deliveries to HTTPS URLs whose certificate does not
/// verify (`AllowInsecureSsl`). Both off unless set.
///
/// ```
/// use hook_model::WebhookSpec;
/// use hook_uipath::UiPathOptions;
/// let spec = WebhookSpec::builder("https://example.com/hooks")
///     .option(UiPathOptions::new().all_events(true))
///     .build();
/// let dto = hook_uipath::from_spec(&spec)?;
/// assert_eq!(dto.subscribe_to_all_events, Some(true));
/// # Ok::<(), hook_model::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UiPathOptions {
    /// Subscribe to every event (`SubscribeToAllEvents`).
    pub all_events: bool,
    /// Deliver to HTTPS URLs whose certificate does not verify (`AllowInsecureSsl`).
    pub allow_insecure_ssl: bool,
}

impl UiPathOptions {
    /// Both off.
    pub fn new() -> Self {
        UiPathOptions::default()
    }

    hook_model::setters! {
        /// Subscribes to every event.
        all_events: bool;
        /// Allows deliveries to HTTPS URLs whose certificate does not verify.
        allow_insecure_ssl: bool;
    }
}

impl hook_model::ProviderOption for UiPathOptions {
    fn provider(&self) -> hook_model::Provider {
        crate::PROVIDER
    }

    fn name(&self) -> &'static str {
        "UiPath options (all events, insecure TLS)"
    }
}

fn parse_id(id: &WebhookId, operation: &'static str) -> Result<i64, Error> {
    id.as_str().parse().map_err(|_| {
        Error::invalid(
            "id",
            format!("{id:?} is not a UiPath webhook id: UiPath ids are integers"),
        )
        .within(&Context::new(crate::PROVIDER, operation).webhook(id))
    })
}

fn subscriptions(events: &[EventType]) -> Vec<EventSubscription> {
    events
        .iter()
        .map(|e| EventSubscription::from(e.canonical_in(&crate::EVENTS)))
        .collect()
}

/// The common model of a UiPath webhook; the record itself is kept in `native`.
pub fn to_common(record: &WebhookDto) -> Webhook {
    let mut native = serde_json::to_value(record).unwrap_or_default();
    if let Some(map) = native.as_object_mut() {
        map.remove("@odata.context");
    }
    let id = record.id.map(|id| id.to_string()).unwrap_or_default();
    let mut webhook = Webhook::new(crate::PROVIDER, id, native);
    webhook.name.clone_from(&record.name);
    webhook.url = record.url.clone().unwrap_or_default();
    webhook.events = record.event_types();
    webhook.all_events = record.subscribe_to_all_events.unwrap_or(false);
    webhook.enabled = record.enabled.unwrap_or(false);
    webhook.has_secret = record.secret.as_ref().is_some_and(|s| !s.is_empty());
    webhook
}

/// Orchestrator's record for a new webhook: all five required properties set,
/// [`UiPathOptions`] read from the spec.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the field the provider refuses, or
/// [`hook_model::Error::Unsupported`] naming a feature it lacks; nothing is sent.
pub fn from_spec(spec: &WebhookSpec) -> Result<WebhookDto, Error> {
    CAPABILITIES.check_spec(spec)?;
    let options = spec
        .options
        .get::<UiPathOptions>()
        .cloned()
        .unwrap_or_default();
    Ok(WebhookDto {
        name: spec.name.clone(),
        description: spec.description.clone(),
        url: Some(spec.url.clone()),
        enabled: Some(spec.enabled),
        secret: spec.secret.clone(),
        subscribe_to_all_events: Some(options.all_events),
        allow_insecure_ssl: Some(options.allow_insecure_ssl),
        events: Some(subscriptions(&spec.events)),
        ..WebhookDto::default()
    })
}

/// Orchestrator's PATCH body for `patch`.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the field the provider refuses, or
/// [`hook_model::Error::Unsupported`] naming a feature it lacks; nothing is sent.
pub fn from_patch(patch: &WebhookPatch) -> Result<WebhookDto, Error> {
    Ok(WebhookDto {
        name: patch.name.clone(),
        description: patch.description.clone(),
        url: patch.url.clone(),
        enabled: patch.enabled,
        secret: patch.secret.clone(),
        events: patch.events.as_deref().map(subscriptions),
        ..WebhookDto::default()
    })
}

#[async_trait]
impl WebhookApi for UiPathClient {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// Filters server-side with OData; pages with `$top`/`$skip` (100 a page unless
    /// `per_page` says), counting the total.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let per_page = query.per_page.unwrap_or(100).clamp(1, MAX_TOP);
        let page = query.page_number();
        let skip = (page - 1).saturating_mul(per_page);
        let mut filter = WebhookFilter::new()
            .page(per_page, skip)
            .count(true)
            .order_by("Id");
        filter.enabled = query.enabled;
        filter.event_type.clone_from(&query.event_type);
        filter.url.clone_from(&query.url);
        let list = self.webhooks().get(&filter).await?;
        let seen = u64::from(skip) + list.value.len() as u64;
        Ok(Page::new(list.value.iter().map(to_common).collect(), page)
            .with_total(list.count)
            .with_more(list.count.is_some_and(|total| seen < total)))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        let id = parse_id(id, "get webhook")?;
        Ok(to_common(&self.webhooks().get_by_id(id).await?))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        Ok(to_common(&self.webhooks().create(&from_spec(spec)?).await?))
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        let id = parse_id(id, "update webhook")?;
        Ok(to_common(
            &self.webhooks().update(id, &from_patch(patch)?).await?,
        ))
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        self.webhooks()
            .delete(parse_id(id, "delete webhook")?)
            .await
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let ping = self.webhooks().ping(parse_id(id, "ping webhook")?).await?;
        let outcome = TestOutcome::of(&ping).tests_run(1);
        Ok(outcome.event_id(ping.event_id))
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(self
            .webhooks()
            .event_types()
            .await?
            .into_iter()
            .map(|e| {
                let description = e
                    .name
                    .find_in(&crate::EVENTS)
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
