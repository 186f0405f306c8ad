//! Everything the emulator remembers, and saving it to a file atomically.

use std::collections::{BTreeMap, VecDeque};
use std::io::Write as _;
use std::path::Path;

use hook_generic::GenericWebhook;
use hook_model::{DeliveryStatus, Provider};
use hook_port::{Entity, PortWebhook};

use crate::ingest::IngestRecord;
use hook_uipath::WebhookDto;
use hook_up42::Up42Webhook;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The emulator's state: webhooks of each provider, tokens, and the delivery log.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct State {
    /// The last UiPath id handed out.
    pub uipath_last_id: i64,
    /// UiPath webhooks by id.
    pub uipath: BTreeMap<i64, WebhookDto>,
    /// When a UiPath webhook disabled by a failed delivery comes back (emulated seconds
    /// since start; not persisted across restarts, as the clock restarts too).
    #[serde(skip)]
    pub uipath_disabled_until: BTreeMap<i64, std::time::Duration>,
    /// Port webhooks by identifier.
    pub port: BTreeMap<String, PortWebhook>,
    /// Port entities by blueprint, then identifier: what mappings made.
    #[serde(default)]
    pub port_entities: BTreeMap<String, BTreeMap<String, Entity>>,
    /// Request ids each Port webhook has processed (`requestIdentifierPath`), oldest
    /// first, at most [`crate::ingest::SEEN_CAP`].
    #[serde(default)]
    pub port_seen: BTreeMap<String, VecDeque<String>>,
    /// What became of requests sent to Port ingest URLs, oldest first, at most
    /// [`crate::ingest::INGEST_LOG_CAP`].
    #[serde(default)]
    pub port_ingests: VecDeque<IngestRecord>,
    /// How many requests Port ingest URLs have processed.
    #[serde(default)]
    pub port_ingest_seq: u64,
    /// Port action invocations by delivery target id: the URL each is sent to.
    #[serde(default)]
    pub port_invocations: BTreeMap<String, String>,
    /// UP42 webhooks by id.
    pub up42: BTreeMap<String, Up42Webhook>,
    /// Generic webhooks by id.
    pub generic: BTreeMap<String, GenericWebhook>,
    /// Issued bearer tokens.
    pub tokens: BTreeMap<String, Token>,
    /// Every delivery by id; ids start with a sequence number, so the map's order is the
    /// order they were made, and lookups stay logarithmic however long the log grows.
    pub deliveries: BTreeMap<String, DeliveryRecord>,
    /// The last delivery sequence number handed out.
    pub delivery_seq: u64,
    /// The last webhook sequence number handed out (generic ids, UP42 order).
    pub webhook_seq: u64,
    /// UP42 ids (UUIDs) by creation order.
    pub up42_order: BTreeMap<String, u64>,
}

/// An issued token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Token {
    /// Who may use it.
    pub provider: Provider,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
}

/// One delivery of one event to one webhook, with every attempt.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// `del_…`.
    pub id: String,
    /// The provider whose webhook it is.
    pub provider: Provider,
    /// The webhook's id.
    pub webhook_id: String,
    /// The event's id.
    pub event_id: String,
    /// The event's type.
    pub event_type: String,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// The last HTTP status a receiver answered.
    pub status_code: Option<u16>,
    /// Attempts made.
    pub attempts: u32,
    /// When it succeeded; `None` while pending or after failing (see `attempt_log`).
    #[serde(with = "time::serde::rfc3339::option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// The last failure.
    pub error: Option<String>,
    /// Every attempt.
    pub attempt_log: Vec<Attempt>,
    /// The exact body sent (the same bytes every attempt).
    pub body: String,
    /// When the next attempt is due, in real wall-clock time, while pending.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attempt {
    /// 1-based.
    pub number: u32,
    /// When it was sent (real wall clock).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Emulated time since the emulator started, in milliseconds, when it was sent.
    pub emulated_ms: u64,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// What went wrong, if anything.
    pub error: Option<String>,
}

impl DeliveryRecord {
    /// The record as the generic API's delivery log shows it.
    pub fn to_model(&self) -> hook_model::Delivery {
        hook_model::Delivery {
            id: self.id.clone(),
            event_id: self.event_id.clone(),
            status: self.status,
            status_code: self.status_code,
            attempts: self.attempts,
            delivered_at: self.delivered_at,
            error: self.error.clone(),
            extra: serde_json::Map::new(),
        }
    }
}

impl State {
    /// A new generic webhook id, `hook_` + a 12-digit sequence number + 12 random hex
    /// digits, so ids sort in creation order.
    pub fn next_generic_id(&mut self) -> String {
        self.webhook_seq += 1;
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("hook_{:012}{}", self.webhook_seq, &random[..12])
    }

    /// Records a new UP42 id's place in creation order.
    pub fn record_up42(&mut self, id: &str) {
        self.webhook_seq += 1;
        self.up42_order.insert(id.to_owned(), self.webhook_seq);
    }

    /// A new delivery id, `del_` + a 12-digit sequence number + 8 random hex digits.
    pub fn next_delivery_id(&mut self) -> String {
        self.delivery_seq += 1;
        let random = uuid::Uuid::new_v4().simple().to_string();
        format!("del_{:012}{}", self.delivery_seq, &random[..8])
    }

    /// Loads `path`, or an empty state when the file does not exist.
    pub fn load(path: &Path) -> Result<Self, String> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|e| format!("cannot read state file {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(format!("cannot read state file {}: {e}", path.display())),
        }
    }

    /// Writes the state to `path` atomically: a temporary file beside it, synced, then
    /// renamed over the old one, so a crash leaves the old or the new state, never half.
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let bytes = serde_json::to_vec(self).map_err(|e| format!("cannot encode state: {e}"))?;
        let tmp = path.with_extension("tmp");
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)
        };
        write().map_err(|e| format!("cannot write state file {}: {e}", path.display()))
    }
}
