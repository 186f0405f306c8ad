//! Port's webhooks as they really are, whole: **inbound** data sources. Port assigns each
//! webhook an ingest URL (`https://ingest.getport.io/{webhookKey}`); third parties POST to
//! it; the webhook's jq [`Mapping`]s turn what arrives into catalog entities, after its
//! [`Security`] check. Port's own outgoing, signed calls come from actions and automations
//! (verify them with `hook_sign::Scheme::port()` and the organization's client secret).
//!
//! Here: the wire records ([`wire`]), checks of Port's limits, its error bodies, its token
//! exchange ([`PortToken`]), its hosts and `HOOK_PORT_*` variables ([`PortConfig`]), a
//! native client in Port's words (`get_webhooks`, `get_webhook`, `create_webhook`,
//! `update_webhook` (PATCH), `replace_webhook` (PUT), `delete_webhook`, and
//! `get_entities`/`get_entity` to see what a mapping produced), and
//! [`hook_model::WebhookApi`], whose capabilities say the webhooks are inbound. Bodies carry
//! only the eight properties Port accepts ([`WebhookBody`]); `title` and `enabled` are
//! checked before create and replace. The wire contract, with its sources, is in this
//! repository's `docs/providers.md`.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_port::{EntityMapping, Mapping, PortClient, PortConfig, Security, SignatureAlgorithm, WebhookBody};
//! let port = PortClient::new(PortConfig::new("client-id", "client-secret"))?;
//! let pull_requests = Mapping::new(
//!     "pullRequest",
//!     EntityMapping::new(".body.pull_request.id | tostring")
//!         .title(".body.pull_request.title")
//!         .property("author", ".body.pull_request.user.login"),
//! )
//! .filter(".headers.\"x-github-event\" == \"pull_request\"");
//! let webhook = port
//!     .create_webhook(
//!         &WebhookBody::new("GitHub pull requests")
//!             .identifier("github-prs")
//!             .mapping(pull_requests)
//!             .security(Security::hmac(SignatureAlgorithm::Sha256, "github-secret", "x-hub-signature-256", "sha256=")),
//!     )
//!     .await?;
//! println!("point GitHub at {}", webhook.url.unwrap_or_default());
//! assert!(port.delete_webhook("github-prs").await?);
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod api;
mod catalog;
mod client;
mod config;
mod ingest;
pub mod recipes;
pub mod wire;

pub use api::{CAPABILITIES, PortOptions, default_security, from_patch, from_spec, to_common};
pub use catalog::EVENTS;
pub use client::{
    DESCRIPTION_MAX, IDENTIFIER_MAX, PortClient, TITLE_MAX, check_body, check_identifier,
    decode_error, identifier_from,
};
pub use config::{DEFAULT_BASE_URL, PortConfig, PortToken, env};
pub use ingest::ingest_scheme;
pub use wire::{
    Combinator, Entity, EntityMapping, IntegrationType, Mapping, Operation, PortEvent, PortWebhook,
    PropertyRule, SearchQuery, SearchRule, Security, Selector, SignatureAlgorithm, WebhookBody,
};

/// Reads a call Port made to a webhook backend (an action or automation run): the JSON
/// body as sent, whatever its shape (Port documents none). Set the verified timestamp
/// with [`PortEvent::at`].
///
/// ```
/// use hook_sign::{Message, Scheme, Signer, Verifier};
/// let body = br#"{"action":{"identifier":"deploy"},"payload":{"entity":"checkout"}}"#;
/// let headers = Signer::new(Scheme::port(), "client-secret")?.sign(&Message::new(body))?;
/// let verified = Verifier::new(Scheme::port(), "client-secret")?.verify(&headers, body)?;
/// let event = hook_port::parse_event(body)?.at(verified.timestamp);
/// assert_eq!(event.body["action"]["identifier"], "deploy");
/// assert!(event.timestamp.is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`hook_model::Error::Decode`], with the JSON path, when the body is not one of the
/// provider's deliveries.
pub fn parse_event(body: &[u8]) -> Result<PortEvent, hook_model::Error> {
    hook_model::decode::<serde_json::Value>("Port invocation", body).map(PortEvent::new)
}

impl hook_model::DeliveryEvent for PortEvent {
    fn kind(&self) -> &hook_model::EventType {
        PortEvent::kind(self)
    }

    /// Port's calls carry no delivery id Port documents.
    fn event_id(&self) -> Option<&str> {
        None
    }
}

/// Port's name in hook: `port`.
pub const PROVIDER: hook_model::Provider = hook_model::Provider::new("port");

/// Port as a value: what the facade, the CLI, the tests and xtask read about it. Port signs
/// action and automation invocations with the client secret (`x-port-signature`,
/// `x-port-timestamp`); their key is the signature itself, as the body is the action's own.
pub static DESCRIPTOR: hook_model::Descriptor = hook_model::Descriptor::new(
    "Port",
    CAPABILITIES,
    |vars| hook_model::boxed_api(PortConfig::from_vars(vars).and_then(PortClient::new)),
    |body| hook_model::boxed_event(parse_event(body)),
    hook_model::hook_sign::Scheme::port,
)
.catalog(&EVENTS)
.variables(&env::ALL)
.fixtures(hook_model::fixtures!["invocation"])
.fresh(&[("/context/runId", hook_model::Fresh::Id("r_"))])
.delivery(hook_model::DeliveryPolicy::new(
    "Port publishes no answer timeout or retry policy for invocations",
));
