//! [`WebhookApi`] for Port: each method converts the common model to Port's record, then
//! calls the native method, which checks it once.

use async_trait::async_trait;
use hook_model::{
    Capabilities, Error, EventType, EventTypeInfo, ListQuery, Page, Paging, Provider, TestOutcome,
    Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};

use crate::client::{PortClient, UpdateWebhook, identifier_from, secret_only};
use crate::wire::PortWebhook;

/// What Port offers through [`WebhookApi`]: no test call.
pub const CAPABILITIES: Capabilities = Capabilities::new(Paging::PageNumber).delivery_headers(true);

/// The common model of a Port webhook; the record itself is kept in `native`.
pub fn to_common(record: &PortWebhook) -> Webhook {
    let native = serde_json::to_value(record).unwrap_or_default();
    let mut webhook = Webhook::new(Provider::Port, record.identifier.clone(), native);
    webhook.name.clone_from(&record.title);
    webhook.url = record.url.clone().unwrap_or_default();
    webhook.events = record.events.clone().unwrap_or_default();
    webhook.enabled = record.enabled.unwrap_or(true);
    webhook.has_secret = record
        .security
        .as_ref()
        .and_then(|s| s.secret.as_ref())
        .is_some_and(|s| !s.is_empty());
    webhook.created_at = record.created_at;
    webhook.updated_at = record.updated_at;
    webhook
}

fn canonical(events: &[EventType]) -> Vec<EventType> {
    events
        .iter()
        .map(|e| e.canonical_in(&crate::EVENTS))
        .collect()
}

/// Port's record for a new webhook: the identifier is the spec's, or one made from its
/// name ([`identifier_from`]).
pub fn from_spec(spec: &WebhookSpec) -> Result<PortWebhook, Error> {
    let identifier = spec
        .identifier
        .clone()
        .or_else(|| spec.name.as_deref().and_then(identifier_from))
        .ok_or_else(|| {
            Error::invalid(
                "identifier",
                "Port needs an identifier: set one, or a name with letters or digits to make it from",
            )
        })?;
    Ok(PortWebhook {
        identifier,
        title: spec.name.clone(),
        description: spec.description.clone(),
        url: Some(spec.url.clone()),
        events: Some(canonical(&spec.events)),
        headers: (!spec.headers.is_empty()).then(|| spec.headers.clone()),
        enabled: Some(spec.enabled),
        security: spec.secret.clone().map(secret_only),
        ..PortWebhook::default()
    })
}

/// Port's PATCH body for `patch`.
pub fn from_patch(patch: &WebhookPatch) -> UpdateWebhook {
    UpdateWebhook {
        title: patch.name.clone(),
        description: patch.description.clone(),
        url: patch.url.clone(),
        events: patch.events.as_deref().map(canonical),
        headers: patch.headers.clone(),
        enabled: patch.enabled,
        security: patch.secret.clone().map(secret_only),
        ..UpdateWebhook::default()
    }
}

#[async_trait]
impl WebhookApi for PortClient {
    fn provider(&self) -> Provider {
        Provider::Port
    }

    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
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
        let webhooks = records.iter().map(to_common).collect();
        Ok(Page::filtered(webhooks, query).with_more(has_more))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        Ok(to_common(&self.get_webhook(id.as_str()).await?))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        let record = from_spec(spec)
            .map_err(|e| e.within(&hook_model::Context::new(Provider::Port, "create webhook")))?;
        Ok(to_common(&self.create_webhook(&record).await?))
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        Ok(to_common(
            &self.update_webhook(id.as_str(), &from_patch(patch)).await?,
        ))
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        match self.delete_webhook(id.as_str()).await? {
            true => Ok(()),
            false => Err(Error::Rejected {
                reply: hook_model::ProviderError::new(200, None, "Port answered ok: false"),
                context: Box::new(
                    hook_model::Context::new(Provider::Port, "delete webhook").webhook(id),
                ),
            }),
        }
    }

    async fn test(&self, _id: &WebhookId) -> Result<TestOutcome, Error> {
        Err(Error::unsupported(
            Provider::Port,
            "test",
            "Port has no test call for webhooks; send a request to the webhook's URL instead",
        ))
    }

    /// Port has no event-type call: answers [`crate::EVENTS`].
    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(crate::EVENTS.iter().map(EventTypeInfo::from).collect())
    }
}
