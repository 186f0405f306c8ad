//! UiPath Orchestrator's webhooks, whole: the wire records ([`wire`]), the event catalog
//! ([`EVENTS`]), the checks Orchestrator's limits call for, its error bodies, its token
//! endpoint, its hosts and `HOOK_UIPATH_*` variables ([`UiPathConfig`]), a native client
//! in Orchestrator's words ([`UiPathClient::webhooks`]: `get` with `enabled`, `event_type`
//! and `url` filters and OData paging, `get_by_id`, `create`, `update` (PATCH), `replace`
//! (PUT), `delete`, `ping`, `event_types`, `trigger_custom`), and
//! [`hook_model::WebhookApi`].
//!
//! Webhooks are tenant-wide, so no folder header is sent. Automation Cloud and
//! on-premises token endpoints are both supported, as are personal access tokens. The
//! wire contract, with its sources, is in this repository's `docs/providers.md`.
//!
//! ```no_run
//! # async fn run() -> Result<(), hook_model::Error> {
//! use hook_uipath::{UiPathAuth, UiPathClient, UiPathConfig, WebhookFilter};
//! let orchestrator = UiPathClient::new(UiPathConfig::cloud(
//!     "my-org", "DefaultTenant",
//!     UiPathAuth::client_credentials("client-id", "client-secret"),
//! ))?;
//! let jobs = orchestrator.webhooks().get(&WebhookFilter::new().enabled(true).event_type("Job.Completed")).await?;
//! println!("{} webhooks", jobs.value.len());
//! # Ok(()) }
//! ```
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]

mod api;
mod catalog;
mod client;
mod config;
mod errors;
pub mod wire;

pub use api::{CAPABILITIES, UiPathOptions, from_patch, from_spec, to_common};
pub use catalog::EVENTS;
pub use client::{
    DESCRIPTION_MAX, EVENT_TYPE_MAX, MAX_TOP, NAME_MAX, SECRET_MAX, URL_MAX, UiPathClient,
    WebhookFilter, Webhooks,
};
pub use config::{
    CLOUD_HOST, DEFAULT_SCOPE, READ_SCOPE, UiPathAuth, UiPathConfig, WRITE_SCOPE, env,
};
pub use errors::decode as decode_error;
pub use wire::{EventSubscription, EventTypeDto, ODataList, UiPathEvent, WebhookDto};

/// Parses a delivery body Orchestrator sent.
///
/// ```
/// let body = br#"{"Type":"job.completed","EventId":"c3319a2d83c44b2f989bdd7eba1f0297",
///   "Timestamp":"2018-11-19T14:32:47.6024779Z","TenantId":57,"OrganizationUnitId":null}"#;
/// let event = hook_uipath::parse_event(body)?;
/// assert_eq!(event.kind, "Job.Completed");
/// # Ok::<(), hook_model::Error>(())
/// ```
///
/// # Errors
///
/// [`hook_model::Error::Decode`], with the JSON path, when the body is not one of the
/// provider's deliveries.
pub fn parse_event(body: &[u8]) -> Result<UiPathEvent, hook_model::Error> {
    hook_model::decode("UiPath event", body)
}

impl hook_model::DeliveryEvent for UiPathEvent {
    fn kind(&self) -> &hook_model::EventType {
        &self.kind
    }

    fn event_id(&self) -> Option<&str> {
        Some(&self.event_id)
    }
}

/// UiPath Orchestrator's name in hook: `uipath`.
pub const PROVIDER: hook_model::Provider = hook_model::Provider::new("uipath");

/// UiPath Orchestrator as a value: what the facade, the CLI, the tests and xtask read about
/// it. Orchestrator's deliveries carry `X-UiPath-Signature` over the body; their key is the
/// body's `EventId`.
pub static DESCRIPTOR: hook_model::Descriptor = hook_model::Descriptor::new(
    "UiPath Orchestrator",
    CAPABILITIES,
    |vars| hook_model::boxed_api(UiPathConfig::from_vars(vars).and_then(UiPathClient::new)),
    |body| hook_model::boxed_event(parse_event(body)),
    hook_model::hook_sign::Scheme::uipath,
)
.catalog(&EVENTS)
.variables(&env::ALL)
.fixtures(hook_model::fixtures![
    "alert.subscribed",
    "alert.unsubscribed",
    "blobfile.deleted",
    "blobfile.uploaded",
    "custom",
    "deploymentsetting.updated",
    "job.completed",
    "job.created",
    "job.faulted",
    "job.resumed",
    "job.started",
    "job.stopped",
    "job.stopping",
    "job.suspended",
    "job.terminating",
    "ping",
    "process.created",
    "process.deleted",
    "process.updated",
    "queue.created",
    "queue.deleted",
    "queue.updated",
    "queueItem.added",
    "queueItem.deferred",
    "queueItem.deleted",
    "queueItem.retried",
    "queueItem.reviewStatusChanged",
    "queueItem.transactionAbandoned",
    "queueItem.transactionCompleted",
    "queueItem.transactionFailed",
    "queueItem.transactionStarted",
    "queueItem.updated",
    "robot.created",
    "robot.deleted",
    "robot.status",
    "robot.updated",
    "schedule.failed",
    "stc.task.update",
    "task.assignmentChanged",
    "task.completed",
    "task.created",
    "task.deleted",
    "task.forwarded",
    "task.saved",
    "task.sla.evaluate",
    "task.sla.update",
    "task.updated",
])
.fresh(&[
    ("/EventId", hook_model::Fresh::Id("")),
    ("/Timestamp", hook_model::Fresh::Now),
    ("/EventTime", hook_model::Fresh::Now),
])
.delivery(DELIVERY);

/// Orchestrator's sender (PROVIDERS.md, from UiPath's docs): no retry; a failed delivery
/// disables the webhook for an hour in Automation Cloud. The 60 s answer timeout is a
/// standalone Orchestrator's documented default (Automation Cloud publishes none).
pub const DELIVERY: hook_model::DeliveryPolicy = hook_model::DeliveryPolicy::new(
    "Orchestrator does not retry: a failed or slow answer disables the webhook for an hour \
     (Automation Cloud), and the events of that hour are skipped",
)
.timeout(std::time::Duration::from_secs(60))
.retries(&[std::time::Duration::ZERO])
.disables_for(std::time::Duration::from_secs(3600));
