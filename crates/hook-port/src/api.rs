//! [`WebhookApi`] for Port: each method converts the common model to Port's record, then
//! calls the native method, which checks it once.
//!
//! Port's webhooks are **inbound** ([`Direction::Inbound`]): Port assigns each one an
//! ingest URL that third parties send to, and its mappings turn what arrives into catalog
//! entities. A spec therefore carries no destination URL, events or delivery headers
//! ([`WebhookSpec::inbound`]); the created [`Webhook::url`] is the ingest URL.

use async_trait::async_trait;
use hook_model::{
    Capabilities, Context, Direction, Error, EventTypeInfo, ListQuery, Page, Paging, TestOutcome,
    Webhook, WebhookApi, WebhookId, WebhookPatch, WebhookSpec,
};

use crate::client::{PortClient, identifier_from};
use crate::wire::{PortWebhook, Security, SignatureAlgorithm, WebhookBody};

/// What Port offers through [`WebhookApi`]: inbound webhooks, one unpaged list, no test
/// call; `event_types` answers the triggers of Port automations ([`crate::EVENTS`]).
pub const CAPABILITIES: Capabilities = Capabilities::new(crate::PROVIDER, Paging::None)
    .direction(Direction::Inbound)
    .names(true)
    .descriptions(true);

/// What Port's webhooks take beyond the common model: a caller-chosen `identifier` (1 to
/// 30 characters; made from the title when absent).
///
/// ```
/// use hook_model::WebhookSpec;
/// use hook_port::PortOptions;
/// let spec = WebhookSpec::inbound()
///     .name("GitHub PRs")
///     .option(PortOptions::identifier("github-prs"))
///     .build();
/// assert_eq!(hook_port::from_spec(&spec)?.identifier.as_deref(), Some("github-prs"));
/// # Ok::<(), hook_model::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PortOptions {
    /// The webhook's identifier.
    pub identifier: Option<String>,
}

impl PortOptions {
    /// The webhook's identifier is `identifier`.
    pub fn identifier(identifier: impl Into<String>) -> Self {
        PortOptions {
            identifier: Some(identifier.into()),
        }
    }
}

impl hook_model::ProviderOption for PortOptions {
    fn provider(&self) -> hook_model::Provider {
        crate::PROVIDER
    }

    fn name(&self) -> &'static str {
        "Port options (identifier)"
    }
}

/// Why a Port spec cannot carry outgoing fields.
const INBOUND: &str = "Port's webhooks are inbound: Port assigns each one the URL third parties send to (Webhook::url after create), and Port's outgoing calls come from its actions and automations; use WebhookSpec::inbound()";

/// The common model of a Port webhook; the record itself is kept in `native`. `url` is
/// the ingest URL Port assigned; `events` is empty.
pub fn to_common(record: &PortWebhook) -> Webhook {
    let mut webhook = Webhook::of(crate::PROVIDER, record.identifier.clone(), record);
    webhook.name.clone_from(&record.title);
    webhook.url = record.url.clone().unwrap_or_default();
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

fn outgoing(field: &str) -> Error {
    Error::invalid(field, INBOUND)
}

/// The check a common-model secret sets up: hex HMAC-SHA256 of the body in
/// `x-hub-signature-256`, prefixed `sha256=` (GitHub's format, which Port's docs pair with
/// `sha256`). For another sender, set [`Security`] with the native client.
pub fn default_security(secret: hook_model::Secret) -> Security {
    Security::hmac(
        SignatureAlgorithm::Sha256,
        secret,
        "x-hub-signature-256",
        "sha256=",
    )
}

/// Port's record for a new webhook: the identifier is the spec's [`PortOptions`], or one
/// made from its name ([`identifier_from`]); the name is the title; a secret sets up
/// [`default_security`]. A destination URL or events are refused: they are not Port
/// fields.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the field the provider refuses, or
/// [`hook_model::Error::Unsupported`] naming a feature it lacks; nothing is sent.
pub fn from_spec(spec: &WebhookSpec) -> Result<WebhookBody, Error> {
    if !spec.url.is_empty() {
        return Err(outgoing("url"));
    }
    if !spec.events.is_empty() {
        return Err(outgoing("events"));
    }
    CAPABILITIES.check_spec(spec)?;
    let title = spec
        .name
        .clone()
        .ok_or_else(|| Error::invalid("name", "Port requires a title: set the spec's name"))?;
    let identifier = spec
        .options
        .get::<PortOptions>()
        .and_then(|o| o.identifier.clone())
        .or_else(|| identifier_from(&title));
    Ok(WebhookBody {
        identifier,
        description: spec.description.clone(),
        security: spec.secret.clone().map(default_security),
        ..WebhookBody::new(title).enabled(spec.enabled)
    })
}

/// Port's PATCH body for `patch`; a new URL or events are refused (not Port fields). A new secret sets [`default_security`] with it.
///
/// # Errors
///
/// [`hook_model::Error::Invalid`] naming the field the provider refuses, or
/// [`hook_model::Error::Unsupported`] naming a feature it lacks; nothing is sent.
pub fn from_patch(patch: &WebhookPatch) -> Result<WebhookBody, Error> {
    if patch.url.is_some() {
        return Err(outgoing("url"));
    }
    if patch.events.is_some() {
        return Err(outgoing("events"));
    }
    Ok(WebhookBody {
        title: patch.name.clone(),
        description: patch.description.clone(),
        enabled: patch.enabled,
        security: patch.secret.clone().map(default_security),
        ..WebhookBody::patch()
    })
}

#[async_trait]
impl WebhookApi for PortClient {
    fn capabilities(&self) -> Capabilities {
        CAPABILITIES
    }

    /// One request: Port answers every webhook at once; filters and paging apply here.
    async fn list(&self, query: &ListQuery) -> Result<Page<Webhook>, Error> {
        let webhooks = self.get_webhooks().await?.iter().map(to_common).collect();
        Ok(Page::filtered(webhooks, query))
    }

    async fn get(&self, id: &WebhookId) -> Result<Webhook, Error> {
        Ok(to_common(&self.get_webhook(id.as_str()).await?))
    }

    async fn create(&self, spec: &WebhookSpec) -> Result<Webhook, Error> {
        let body = from_spec(spec)
            .map_err(|e| e.within(&Context::new(crate::PROVIDER, "create webhook")))?;
        Ok(to_common(&self.create_webhook(&body).await?))
    }

    async fn update(&self, id: &WebhookId, patch: &WebhookPatch) -> Result<Webhook, Error> {
        let body = from_patch(patch)
            .map_err(|e| e.within(&Context::new(crate::PROVIDER, "update webhook").webhook(id)))?;
        Ok(to_common(&self.update_webhook(id.as_str(), &body).await?))
    }

    async fn delete(&self, id: &WebhookId) -> Result<(), Error> {
        match self.delete_webhook(id.as_str()).await? {
            true => Ok(()),
            false => Err(Error::Rejected {
                reply: hook_model::ProviderError::new(200, None, "Port answered ok: false"),
                context: Box::new(Context::new(crate::PROVIDER, "delete webhook").webhook(id)),
            }),
        }
    }

    async fn test(&self, _id: &WebhookId) -> Result<TestOutcome, Error> {
        Err(Error::unsupported(
            crate::PROVIDER,
            "test",
            "Port's webhooks are inbound and have no test call: send a request to the webhook's ingest URL (Webhook::url) and look at the entities its mappings made",
        ))
    }

    /// Port has no event-type call and its inbound webhooks subscribe to no events: this
    /// answers the triggers of Port automations ([`crate::EVENTS`]), whose invocations are
    /// Port's signed outgoing calls.
    async fn event_types(&self) -> Result<Vec<EventTypeInfo>, Error> {
        Ok(crate::EVENTS.iter().map(EventTypeInfo::from).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outgoing_fields_are_refused_naming_why() {
        for (spec, field) in [
            (WebhookSpec::builder("https://x.example").name("n"), "url"),
            (WebhookSpec::inbound().name("n").event("x"), "events"),
        ] {
            let error = from_spec(&spec.build()).unwrap_err();
            assert_eq!(error.field(), Some(field));
            assert!(error.to_string().contains("inbound"), "{error}");
        }
        let error = from_patch(&WebhookPatch::new().url("https://x.example")).unwrap_err();
        assert_eq!(error.field(), Some("url"));
    }

    #[test]
    fn an_inbound_spec_becomes_ports_eight_fields() {
        let body = from_spec(
            &WebhookSpec::inbound()
                .name("GitHub PRs")
                .secret("s")
                .enabled(false)
                .build(),
        )
        .unwrap();
        assert_eq!(body.identifier.as_deref(), Some("github-prs"));
        assert_eq!(
            (body.title.as_deref(), body.enabled),
            (Some("GitHub PRs"), Some(false))
        );
        assert!(body.security.is_some());
    }

    #[test]
    fn another_providers_option_is_refused_naming_it() {
        #[derive(Debug, PartialEq)]
        struct Elsewhere;
        impl hook_model::ProviderOption for Elsewhere {
            fn provider(&self) -> hook_model::Provider {
                hook_model::Provider::new("elsewhere")
            }
            fn name(&self) -> &'static str {
                "elsewhere's option"
            }
        }
        let spec = WebhookSpec::inbound().name("n").option(Elsewhere).build();
        let error = from_spec(&spec).unwrap_err();
        assert!(
            matches!(&error, Error::Unsupported { feature, .. } if *feature == "elsewhere's option"),
            "{error}"
        );
        assert!(
            error
                .to_string()
                .contains("an option of elsewhere webhooks, not port"),
            "{error}"
        );
    }
}
