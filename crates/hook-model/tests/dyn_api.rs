//! The `WebhookApi` trait works as a trait object, and `list_all` walks its pages.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Mutex;

use futures_util::TryStreamExt as _;
use hook_model::check::{self, Scheme};
use hook_model::{
    Capabilities, CatalogEntry, Context, Error, EventTypeInfo, ListQuery, Page, Paging, Provider,
    ProviderError, TestOutcome, Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
    async_trait, list_all,
};

const CATALOG: [CatalogEntry; 1] = [CatalogEntry::new(
    "thing.done",
    "thing",
    "A thing was done.",
)];

/// A tiny in-memory provider, enough to drive the trait through `Box<dyn WebhookApi>`.
#[derive(Default)]
struct Memory {
    hooks: Mutex<Vec<Webhook>>,
}

fn not_found(id: &WebhookId) -> Error {
    Error::NotFound {
        reply: ProviderError::new(404, None, format!("no webhook {id}")),
        context: Box::new(Context::new(Provider::Generic, "get webhook").webhook(id)),
    }
}

#[async_trait]
impl WebhookApi for Memory {
    fn capabilities(&self) -> Capabilities {
        Capabilities::new(Provider::Generic, Paging::PageNumber)
    }

    /// One webhook a page.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let hooks = self.hooks.lock().unwrap();
        let index = query.page_number() as usize - 1;
        let items: Vec<Webhook> = hooks.get(index).cloned().into_iter().collect();
        Ok(Page::new(items, query.page_number())
            .with_total(Some(hooks.len() as u64))
            .with_more(index + 1 < hooks.len()))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        self.hooks
            .lock()
            .unwrap()
            .iter()
            .find(|h| &h.id == id)
            .cloned()
            .ok_or_else(|| not_found(id))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        check::url("url", &spec.url, Scheme::HttpsOnly)?;
        let id = format!("hook_{}", self.hooks.lock().unwrap().len());
        let mut webhook = Webhook::new(
            self.provider(),
            id,
            serde_json::json!({"secret": spec.secret.as_ref().map(|s| s.expose())}),
        );
        webhook.url.clone_from(&spec.url);
        webhook.enabled = spec.enabled;
        webhook.has_secret = spec.secret.is_some();
        self.hooks.lock().unwrap().push(webhook.clone());
        Ok(webhook)
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        let mut hooks = self.hooks.lock().unwrap();
        let hook = hooks
            .iter_mut()
            .find(|h| &h.id == id)
            .ok_or_else(|| not_found(id))?;
        if let Some(enabled) = patch.enabled {
            hook.enabled = enabled;
        }
        Ok(hook.clone())
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        let mut hooks = self.hooks.lock().unwrap();
        let before = hooks.len();
        hooks.retain(|h| &h.id != id);
        if hooks.len() == before {
            Err(not_found(id))
        } else {
            Ok(())
        }
    }

    async fn test(&self, _id: &WebhookId) -> Result<TestOutcome, Error> {
        Err(Error::unsupported(
            self.provider(),
            "test",
            "no test call here",
        ))
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(CATALOG.iter().map(EventTypeInfo::from).collect())
    }
}

#[tokio::test]
async fn a_boxed_trait_object_runs_the_whole_lifecycle() {
    let api: Box<dyn WebhookApi> = Box::new(Memory::default());
    assert!(!api.capabilities().test);

    let spec = WebhookSpec::builder("https://example.com/hook")
        .name("Entity Hook")
        .secret("hunter2")
        .build();
    let created = api.create(&spec).await.unwrap();
    assert!(!format!("{created:?}").contains("hunter2"), "{created:?}");

    let patch = WebhookPatch::new().enabled(false);
    assert!(!api.update(&created.id, &patch).await.unwrap().enabled);
    assert_eq!(api.list(&ListQuery::new()).await.unwrap().items.len(), 1);
    let unsupported = api.test(&created.id).await.unwrap_err();
    assert!(matches!(unsupported, Error::Unsupported { .. }));
    assert!(unsupported.to_string().contains("no test call here"));
    assert_eq!(api.event_types().await.unwrap().len(), 1);
    api.delete(&created.id).await.unwrap();
    let missing = api.get(&created.id).await.unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }));
    assert_eq!(
        missing.context().webhook_id.as_deref(),
        Some(created.id.as_str())
    );
}

#[tokio::test]
async fn list_all_walks_every_page() {
    let api = Memory::default();
    for n in 0..3 {
        let spec = WebhookSpec::builder(format!("https://example.com/{n}")).build();
        api.create(&spec).await.unwrap();
    }
    let all: Vec<Webhook> = list_all(&api, ListQuery::new())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
}

#[tokio::test]
async fn an_invalid_spec_fails_before_anything_is_stored() {
    let api: Box<dyn WebhookApi> = Box::new(Memory::default());
    let spec = WebhookSpec::builder("http://example.com").build();
    assert!(matches!(api.create(&spec).await, Err(Error::Invalid { field, .. }) if field == "url"));
    assert!(api.list(&ListQuery::new()).await.unwrap().items.is_empty());
}
