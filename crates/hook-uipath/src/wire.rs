//! UiPath Orchestrator OData records, as the Orchestrator API reference shows them.

use serde::{Deserialize, Deserializer, Serialize};
use time::OffsetDateTime;
use time::serde::rfc3339;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use hook_model::{EventType, Secret};

/// One subscribed event, `{"EventType": "job.started"}` on the wire. Some clients write
/// plain strings (`"Job.Completed"`): both decode; the object form is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSubscription {
    /// The event's name.
    #[serde(rename = "EventType")]
    pub event_type: EventType,
}

impl<'de> Deserialize<'de> for EventSubscription {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            Name(EventType),
            Object {
                #[serde(rename = "EventType")]
                event_type: EventType,
            },
        }
        Ok(match Either::deserialize(deserializer)? {
            Either::Name(event_type) | Either::Object { event_type } => {
                EventSubscription { event_type }
            }
        })
    }
}

impl From<EventType> for EventSubscription {
    fn from(event_type: EventType) -> Self {
        EventSubscription { event_type }
    }
}

/// `WebhookDto`: a webhook as Orchestrator's OpenAPI defines it, and nothing else (it has
/// no `Headers`: Orchestrator sends no custom delivery headers). Every field is optional
/// here so absent stays absent; POST and PUT bodies must carry `Name`, `Url`, `Enabled`,
/// `SubscribeToAllEvents` and `AllowInsecureSsl`, which the client checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct WebhookDto {
    /// The id, an integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// A GUID Orchestrator assigns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The unique name (duplicate names are error 1001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where deliveries go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Whether deliveries are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The signing secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// Deliver every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscribe_to_all_events: Option<bool>,
    /// Deliver to HTTPS URLs whose certificate does not verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allow_insecure_ssl: Option<bool>,
    /// The subscribed events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<EventSubscription>>,
    /// Fields not named here (`@odata.context`, …), kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl WebhookDto {
    /// The subscribed events' names, in order (none when `Events` is absent).
    pub fn event_types(&self) -> Vec<EventType> {
        let subscriptions = self.events.iter().flatten();
        subscriptions.map(|e| e.event_type.clone()).collect()
    }
}

/// An OData collection answer: `{"@odata.context", "@odata.count", "value": […]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ODataList<T> {
    /// The metadata URL.
    #[serde(rename = "@odata.context", skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// The total count, when `$count=true` was asked.
    #[serde(rename = "@odata.count", skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// The items (absent reads as none: the OpenAPI does not require it).
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
}

/// `WebhookEventTypeDto`: one entry of `GetEventTypes()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct EventTypeDto {
    /// The event's name.
    pub name: EventType,
    /// Its group, the part before the dot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// A delivery body (and the Ping answer, `PingEventDto`): the common fields, the
/// event-specific ones, and anything else kept in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UiPathEvent {
    /// The OData metadata URL, present on the Ping answer only.
    #[serde(rename = "@odata.context", skip_serializing_if = "Option::is_none")]
    pub odata_context: Option<String>,
    /// The event type (`job.completed`, `ping`).
    #[serde(rename = "Type")]
    pub kind: EventType,
    /// The event's id: a string of up to 50 characters (not always hex).
    pub event_id: String,
    /// When it happened.
    #[serde(with = "rfc3339")]
    pub timestamp: OffsetDateTime,
    /// The tenant.
    pub tenant_id: Option<i64>,
    /// The folder, or null.
    pub organization_unit_id: Option<i64>,
    /// The user who caused it; absent when a robot did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i64>,
    /// The entity the event is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity_key: Option<String>,
    /// When the event happened, where it differs from `Timestamp`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub event_time: Option<OffsetDateTime>,
    /// The folder's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_unit_key: Option<String>,
    /// The user's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_key: Option<String>,
    /// `job.started`, `job.completed`, `job.faulted`, `job.suspended`, `job.resumed`,
    /// `job.stopping`, `job.terminating`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<serde_json::Value>,
    /// `job.created` and `job.stopped`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jobs: Option<serde_json::Value>,
    /// `job.created`: how the jobs were started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_info: Option<serde_json::Value>,
    /// `robot.created`, `robot.updated`, `robot.deleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub robots: Option<serde_json::Value>,
    /// `robot.status`: the robots' sessions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<serde_json::Value>,
    /// `queue.created`, `queue.updated`, `queue.deleted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queues: Option<serde_json::Value>,
    /// `queueItem.*`: the queue the items belong to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<serde_json::Value>,
    /// `queueItem.transactionStarted`, `…Completed`, `…Failed`, `queueItem.deferred`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_item: Option<serde_json::Value>,
    /// The other `queueItem.*` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_items: Option<serde_json::Value>,
    /// `process.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub releases: Option<serde_json::Value>,
    /// `schedule.failed`: the trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub process_schedule: Option<serde_json::Value>,
    /// `schedule.failed`: why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<serde_json::Value>,
    /// `task.*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tasks: Option<serde_json::Value>,
    /// `custom`: the data given to `TriggerCustom`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_data: Option<serde_json::Value>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// An Orchestrator error body: `{"message", "errorCode", "traceId", "resourceIds"}` as
/// observed; the published `ErrorResult` spells the same fields in PascalCase, which
/// decodes too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// What went wrong.
    #[serde(default, alias = "Message")]
    pub message: String,
    /// 1000 invalid request (400), 1001 name already used (409), 1002 not found (404).
    #[serde(default, alias = "ErrorCode", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<i64>,
    /// The trace id to quote to UiPath support.
    #[serde(default, alias = "TraceId", skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
    /// The resources concerned.
    #[serde(
        default,
        alias = "ResourceIds",
        skip_serializing_if = "Option::is_none"
    )]
    pub resource_ids: Option<Vec<serde_json::Value>>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `errorCode` for an invalid request (HTTP 400).
pub const ERROR_INVALID_REQUEST: i64 = 1000;
/// `errorCode` for a name already in use (HTTP 409).
pub const ERROR_NAME_TAKEN: i64 = 1001;
/// `errorCode` for an item that does not exist (HTTP 404).
pub const ERROR_NOT_FOUND: i64 = 1002;
