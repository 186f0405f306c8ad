//! The `WebhookApi` trait works as a trait object, and its defaults hold.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Mutex;

use hook_model::{
    Capabilities, Error, EventTypeInfo, ListQuery, Page, Provider, TestOutcome, Webhook,
    WebhookApi, WebhookId, WebhookPatch, WebhookSpec, async_trait, catalog,
};

/// A tiny in-memory provider, enough to drive the trait through `Box<dyn WebhookApi>`.
#[derive(Default)]
struct Memory {
    hooks: Mutex<Vec<Webhook>>,
}

fn not_found(id: &WebhookId) -> Error {
    Error::NotFound(hook_model::ProviderError::message(format!(
        "no webhook {id}"
    )))
}

#[async_trait]
impl WebhookApi for Memory {
    fn provider(&self) -> Provider {
        Provider::Port
    }

    async fn list(&self, _query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let items = self.hooks.lock().unwrap().clone();
        Ok(Page {
            total: Some(items.len() as u64),
            items,
            page: 1,
            has_more: false,
        })
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
        spec.validate(self.provider())?;
        let webhook = Webhook {
            id: WebhookId::new(spec.port_identifier().unwrap_or_default()),
            provider: self.provider(),
            name: spec.name.clone(),
            url: spec.url.clone(),
            events: spec.events.clone(),
            all_events: false,
            enabled: spec.enabled,
            has_secret: spec.secret.is_some(),
            created_at: None,
            updated_at: None,
            native: serde_json::json!({"identifier": spec.port_identifier(), "security": {"secret": spec.secret.as_ref().map(|s| s.expose())}}),
        };
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
        Err(Error::Unsupported {
            provider: self.provider(),
            operation: "test",
        })
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(catalog(self.provider())
            .iter()
            .map(EventTypeInfo::from)
            .collect())
    }
}

#[tokio::test]
async fn a_boxed_trait_object_runs_the_whole_lifecycle() {
    let api: Box<dyn WebhookApi> = Box::new(Memory::default());
    assert_eq!(api.capabilities(), Capabilities::of(Provider::Port));

    let spec = WebhookSpec::builder("https://example.com/hook")
        .name("Entity Hook")
        .secret("hunter2")
        .build();
    let created = api.create(&spec).await.unwrap();
    assert_eq!(created.id.as_str(), "entity-hook");
    assert!(!format!("{created:?}").contains("hunter2"), "{created:?}");

    let patch = WebhookPatch {
        enabled: Some(false),
        ..WebhookPatch::default()
    };
    assert!(!api.update(&created.id, &patch).await.unwrap().enabled);
    assert_eq!(
        api.list(&ListQuery::default()).await.unwrap().items.len(),
        1
    );
    assert!(matches!(
        api.test(&created.id).await,
        Err(Error::Unsupported { .. })
    ));
    assert_eq!(api.event_types().await.unwrap().len(), 12);
    api.delete(&created.id).await.unwrap();
    assert!(matches!(
        api.get(&created.id).await,
        Err(Error::NotFound(_))
    ));
}

#[tokio::test]
async fn validation_fails_before_anything_is_stored() {
    let api: Box<dyn WebhookApi> = Box::new(Memory::default());
    let spec = WebhookSpec::builder("https://example.com")
        .identifier("x".repeat(31))
        .build();
    assert!(
        matches!(api.create(&spec).await, Err(Error::Validation { field, .. }) if field == "identifier")
    );
    assert!(
        api.list(&ListQuery::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
