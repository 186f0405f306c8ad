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
/// ```
/// use hook_model::{Capabilities, Provider, WebhookApi};
/// fn describe(api: &dyn WebhookApi) -> String {
///     let caps: Capabilities = api.capabilities();
///     format!("{} (test: {})", api.provider(), caps.test)
/// }
/// ```
#[async_trait]
pub trait WebhookApi: Send + Sync {
    /// The provider behind this client.
    fn provider(&self) -> Provider;

    /// What the provider supports.
    fn capabilities(&self) -> Capabilities {
        Capabilities::of(self.provider())
    }

    /// One page of webhooks matching `query`.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error>;

    /// One webhook.
    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error>;

    /// Creates a webhook. Never retried blindly: a lost answer is reported, not repeated.
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
