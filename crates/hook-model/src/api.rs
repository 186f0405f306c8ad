//! The one trait every provider client implements.

use async_trait::async_trait;

use crate::{
    Capabilities, Error, EventTypeInfo, ListQuery, Page, Provider, TestOutcome, Webhook, WebhookId,
    WebhookPatch, WebhookSpec,
};

/// Manage webhooks of any provider through one interface.
///
/// An operation a provider lacks answers [`Error::Unsupported`];
/// [`WebhookApi::capabilities`] says so beforehand. Each provider crate also offers its own
/// typed API in the provider's vocabulary; this trait's implementation calls it.
///
/// Every method, on any provider:
///
/// ```
/// use hook_model::{Error, ListQuery, WebhookApi, WebhookPatch, WebhookSpec};
///
/// async fn tour(api: &dyn WebhookApi) -> Result<(), Error> {
///     let spec = WebhookSpec::builder("https://example.com/hooks").name("tour").secret("s3cret").build();
///     let created = api.create(&spec).await?;                  // checked before sending
///     let page = api.list(&ListQuery::new().enabled(true)).await?;
///     let again = api.get(&created.id).await?;
///     let patch = WebhookPatch::new().enabled(false);
///     let updated = api.update(&created.id, &patch).await?;
///     if api.capabilities().test {
///         api.test(&created.id).await?;                        // else Error::Unsupported
///     }
///     let events = api.event_types().await?;
///     api.delete(&created.id).await?;
///     println!("{} listed, {} → {}, {} event types", page.items.len(), again.enabled, updated.enabled, events.len());
///     Ok(())
/// }
/// ```
#[async_trait]
pub trait WebhookApi: Send + Sync {
    /// What the provider supports, and which provider it is.
    fn capabilities(&self) -> Capabilities;

    /// The provider behind this client: [`Capabilities::provider`].
    fn provider(&self) -> Provider {
        self.capabilities().provider
    }

    /// One page of webhooks matching `query`.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error>;

    /// One webhook.
    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error>;

    /// Creates a webhook, checked against the provider's rules before sending. Never
    /// retried blindly: a lost answer is reported ([`crate::Applied::Maybe`]), not repeated.
    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error>;

    /// Changes the fields `patch` sets.
    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error>;

    /// Deletes a webhook.
    async fn delete(&self, id: &WebhookId) -> Result<(), Error>;

    /// Sends a test (or ping) delivery.
    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error>;

    /// The event types the provider offers.
    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error>;
}
