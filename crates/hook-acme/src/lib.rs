//! Acme: a provider that exists only to prove the shape of hook. It is never published.
//! Everything hook knows about a provider is here, in one crate: its name
//! ([`PROVIDER`]), its [`DESCRIPTOR`] (capabilities, catalog, variables, client, delivery
//! parser, delivery scheme, fixtures), its wire record and its client. Outside this crate
//! it takes one line in each registry: `hook_facade::Registry::with(&DESCRIPTOR)`, and
//! `EmulatorBuilder::provider` with its emulated service (in the contract suite's
//! support, `tests/acme.rs`). The contract suite then runs every scenario on it as on
//! the four real providers.
//!
//! Its API: `GET|POST /hooks`, `GET|PATCH|DELETE /hooks/{id}`, `POST /hooks/{id}/ping`,
//! a bearer API key; deliveries signed with the `generic` preset (`X-Webhook-Signature`,
//! hex HMAC-SHA256 of the body), bodies `{"id", "type", "data"}` keyed by their `id`.
#![deny(missing_docs)]

use async_trait::async_trait;
use hook_http::{Auth, ClientConfig, HttpClient, Method, Request};
use hook_model::check::{self, Scheme};
use hook_model::{
    Capabilities, CatalogEntry, DeliveryEvent, Descriptor, Error, EventType, EventTypeInfo,
    ListQuery, Page, Paging, Provider, Secret, TestOutcome, Webhook, WebhookApi, WebhookId,
    WebhookPatch, WebhookSpec,
};
use serde::{Deserialize, Serialize};

/// Acme's name in hook: `acme`.
pub const PROVIDER: Provider = Provider::new("acme");

/// Acme's variables.
pub mod env {
    /// The API's base URL.
    pub const URL: &str = "HOOK_ACME_URL";
    /// The API key.
    pub const KEY: &str = "HOOK_ACME_KEY";
    /// Every variable with its meaning.
    pub const ALL: [(&str, &str); 2] = [
        (URL, "Acme's API base URL (required)"),
        (KEY, "Acme's API key (required)"),
    ];
}

/// Acme's events.
pub const EVENTS: [CatalogEntry; 2] = hook_model::catalog! {
    "order" {
        "order.placed": "An order was placed.",
        "order.shipped": "An order was shipped.",
    }
};

/// What Acme offers through [`WebhookApi`].
pub const CAPABILITIES: Capabilities = Capabilities::new(PROVIDER, Paging::None)
    .test(true)
    .names(true);

/// Acme as a value.
pub static DESCRIPTOR: Descriptor = Descriptor::new(
    "Acme (test provider)",
    CAPABILITIES,
    |vars| {
        let url = check::required(env::URL, vars(env::URL).as_deref())?.to_owned();
        let key = check::required(env::KEY, vars(env::KEY).as_deref())?.to_owned();
        hook_model::boxed_api(AcmeClient::new(&url, &key))
    },
    |body| hook_model::boxed_event(parse_event(body)),
    hook_model::hook_sign::Scheme::generic,
)
.catalog(&EVENTS)
.variables(&env::ALL)
.fixtures(hook_model::fixtures!["order.placed", "order.shipped"])
.fresh(&[("/id", hook_model::Fresh::Id("evt_"))]);

/// A webhook as Acme's API writes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Hook {
    /// Assigned by Acme.
    #[serde(default)]
    pub id: String,
    /// A name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// The event types.
    #[serde(default)]
    pub events: Vec<String>,
    /// Whether deliveries go out.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The signing secret; answers show whether one is set, never its value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
}

fn yes() -> bool {
    true
}

/// `GET /hooks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HookList {
    /// Every webhook.
    pub hooks: Vec<Hook>,
}

/// `POST /hooks/{id}/ping`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Ping {
    /// The event sent.
    pub event_id: String,
}

/// A delivery body: `{"id", "type", "data"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcmeEvent {
    /// The event's id.
    pub id: String,
    /// Its type.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// What happened.
    #[serde(default)]
    pub data: serde_json::Value,
}

impl DeliveryEvent for AcmeEvent {
    fn kind(&self) -> &EventType {
        &self.kind
    }

    fn event_id(&self) -> Option<&str> {
        Some(&self.id)
    }
}

/// Parses a delivery body Acme sent.
///
/// # Errors
///
/// [`Error::Decode`] when the body is not `{"id", "type", "data"}`.
pub fn parse_event(body: &[u8]) -> Result<AcmeEvent, Error> {
    hook_model::decode("Acme event", body)
}

/// Acme's client.
#[derive(Debug, Clone)]
pub struct AcmeClient {
    http: HttpClient,
}

impl AcmeClient {
    /// A client for the API at `base_url` with `key`.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] when `base_url` is not a URL, or not HTTPS off loopback.
    pub fn new(base_url: &str, key: &str) -> Result<Self, Error> {
        let config = ClientConfig::new(PROVIDER, base_url, Auth::Bearer(Secret::new(key)))?;
        Ok(AcmeClient {
            http: HttpClient::new(config)?,
        })
    }

    async fn hook(&self, method: Method, id: &str, operation: &'static str) -> Result<Hook, Error> {
        let call = (self.http).call_about(method, "hooks/{id}", operation, id)?;
        call.send().await?.json("Acme hook")
    }
}

fn to_common(hook: Hook) -> Webhook {
    let mut webhook = Webhook::of(PROVIDER, hook.id.clone(), &hook);
    webhook.name = hook.name;
    webhook.url = hook.url;
    webhook.events = hook.events.into_iter().map(EventType::new).collect();
    webhook.enabled = hook.enabled;
    webhook.has_secret = hook.secret.is_some();
    webhook
}

#[async_trait]
impl WebhookApi for AcmeClient {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let call = self
            .http
            .call(Request::get("hooks").operation("list webhooks"));
        let list: HookList = call.send().await?.json("Acme hook list")?;
        Ok(Page::filtered(
            list.hooks.into_iter().map(to_common).collect(),
            query,
        ))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        Ok(to_common(
            self.hook(Method::GET, id.as_str(), "get webhook").await?,
        ))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        let call = self
            .http
            .call(Request::post("hooks").operation("create webhook"));
        call.check(CAPABILITIES.check_spec(spec))?;
        call.check(check::url("url", &spec.url, Scheme::HttpOrHttps))?;
        call.check(check::event_names("events", &spec.events))?;
        call.check(check::secret("secret", spec.secret.as_ref()))?;
        let hook = Hook {
            name: spec.name.clone(),
            url: spec.url.clone(),
            events: spec.events.iter().map(|e| e.as_str().to_owned()).collect(),
            enabled: spec.enabled,
            secret: spec.secret.clone(),
            ..Hook::default()
        };
        let created: Hook = call.json(&hook)?.send().await?.json("Acme hook")?;
        Ok(to_common(created))
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        let call = (self.http).call_about(Method::PATCH, "hooks/{id}", "update webhook", id)?;
        call.check(CAPABILITIES.check_patch(patch))?;
        let mut body = serde_json::Map::new();
        if let Some(name) = &patch.name {
            body.insert("name".into(), name.as_str().into());
        }
        if let Some(url) = &patch.url {
            call.check(check::url("url", url, Scheme::HttpOrHttps))?;
            body.insert("url".into(), url.as_str().into());
        }
        if let Some(events) = &patch.events {
            call.check(check::event_names("events", events))?;
            let names: Vec<&str> = events.iter().map(EventType::as_str).collect();
            body.insert("events".into(), names.into());
        }
        if let Some(enabled) = patch.enabled {
            body.insert("enabled".into(), enabled.into());
        }
        if let Some(secret) = &patch.secret {
            body.insert("secret".into(), secret.expose().into());
        }
        let updated: Hook = call.json(&body)?.send().await?.json("Acme hook")?;
        Ok(to_common(updated))
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        let call = (self.http).call_about(Method::DELETE, "hooks/{id}", "delete webhook", id)?;
        call.send().await.map(|_| ())
    }

    async fn test(&self, id: &WebhookId) -> Result<TestOutcome, Error> {
        let call = (self.http).call_about(Method::POST, "hooks/{id}/ping", "test webhook", id)?;
        let ping: Ping = call.send().await?.json("Acme ping")?;
        Ok(TestOutcome::of(&ping).event_id(ping.event_id.clone()))
    }

    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(EVENTS.iter().map(EventTypeInfo::from).collect())
    }
}
