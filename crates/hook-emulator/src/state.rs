//! Everything the emulator remembers. With `--state`, each change is saved as the records
//! it touched ([`State::take_changes`]) through [`crate::store`].

use std::collections::{BTreeMap, VecDeque};
use time::serde::rfc3339;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use hook_model::{DeliveryStatus, Provider};
use hook_port::{Entity, PortWebhook};

use crate::common::Object;
use crate::ingest::IngestRecord;
use crate::store::{Batch, record_key};
use crate::tracked::Tracked;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// The emulator's state: webhooks of each provider, tokens, and the delivery log.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct State {
    /// The last UiPath id handed out.
    pub uipath_last_id: i64,
    /// UiPath webhooks by id.
    pub uipath: Tracked<i64, Object>,
    /// When a UiPath webhook disabled by a failed delivery comes back (emulated seconds
    /// since start; not persisted across restarts, as the clock restarts too).
    #[serde(skip)]
    pub uipath_disabled_until: BTreeMap<i64, std::time::Duration>,
    /// Port webhooks by identifier.
    pub port: Tracked<String, PortWebhook>,
    /// Port entities by blueprint, then identifier: what mappings made.
    #[serde(default)]
    pub port_entities: Tracked<String, BTreeMap<String, Entity>>,
    /// Request ids each Port webhook has processed (`requestIdentifierPath`), oldest
    /// first, at most [`crate::ingest::SEEN_CAP`].
    #[serde(default)]
    pub port_seen: Tracked<String, VecDeque<String>>,
    /// What became of requests sent to Port ingest URLs, by sequence number (oldest
    /// first), at most [`crate::ingest::INGEST_LOG_CAP`].
    #[serde(default)]
    pub port_ingests: Tracked<u64, IngestRecord>,
    /// How many requests Port ingest URLs have processed.
    #[serde(default)]
    pub port_ingest_seq: u64,
    /// Port action invocations by delivery target id: the URL each is sent to.
    #[serde(default)]
    pub port_invocations: Tracked<String, String>,
    /// UP42 webhooks by id.
    pub up42: Tracked<String, Object>,
    /// Generic webhooks by id.
    pub generic: Tracked<String, Object>,
    /// Issued bearer tokens.
    pub tokens: Tracked<String, Token>,
    /// Every delivery by id; ids start with a sequence number, so the map's order is the
    /// order they were made, and lookups stay logarithmic however long the log grows.
    pub deliveries: Tracked<String, DeliveryRecord>,
    /// The last delivery sequence number handed out.
    pub delivery_seq: u64,
    /// The last webhook sequence number handed out (generic ids, UP42 order).
    pub webhook_seq: u64,
    /// UP42 ids (UUIDs) by creation order.
    pub up42_order: Tracked<String, u64>,
    /// The scalars as last saved, so an unchanged `meta` record is not written again.
    #[serde(skip)]
    saved_meta: Option<Meta>,
}

/// The state's counters, saved as one record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Meta {
    uipath_last_id: i64,
    delivery_seq: u64,
    webhook_seq: u64,
    port_ingest_seq: u64,
}

/// Every saved collection of [`State`], for the macros below.
macro_rules! collections {
    ($apply:ident) => {
        $apply!(
            uipath,
            port,
            port_entities,
            port_seen,
            port_ingests,
            port_invocations,
            up42,
            generic,
            tokens,
            deliveries,
            up42_order
        )
    };
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
#[non_exhaustive]
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
    #[serde(with = "timestamp")]
    pub delivered_at: Option<OffsetDateTime>,
    /// The last failure.
    pub error: Option<String>,
    /// Every attempt.
    pub attempt_log: Vec<Attempt>,
    /// The exact body sent (the same bytes every attempt).
    pub body: String,
    /// When the next attempt is due, in real wall-clock time, while pending.
    #[serde(with = "timestamp")]
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// One attempt of a delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Attempt {
    /// 1-based.
    pub number: u32,
    /// When it was sent (real wall clock).
    #[serde(with = "rfc3339")]
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

    fn meta(&self) -> Meta {
        Meta {
            uipath_last_id: self.uipath_last_id,
            delivery_seq: self.delivery_seq,
            webhook_seq: self.webhook_seq,
            port_ingest_seq: self.port_ingest_seq,
        }
    }

    /// The records changed since the last call, as a batch for the store; the change
    /// notes are cleared either way.
    pub(crate) fn take_changes(&mut self) -> Result<Batch, String> {
        let mut batch = Batch::default();
        let encode = |what: &str, e: serde_json::Error| format!("cannot encode {what}: {e}");
        macro_rules! each {
            ($($collection:ident),*) => {$(
                for (key, value) in self.$collection.take_changes() {
                    let key = serde_json::to_string(&key)
                        .map_err(|e| encode(stringify!($collection), e))?;
                    let key = record_key(stringify!($collection), &key);
                    match value {
                        Some(value) => batch.puts.push((
                            key,
                            serde_json::to_vec(value)
                                .map_err(|e| encode(stringify!($collection), e))?,
                        )),
                        None => batch.deletes.push(key),
                    }
                }
            )*};
        }
        collections!(each);
        let meta = self.meta();
        if self.saved_meta != Some(meta) {
            let bytes = serde_json::to_vec(&meta).map_err(|e| encode("meta", e))?;
            batch.puts.push((record_key("meta", ""), bytes));
            self.saved_meta = Some(meta);
        }
        Ok(batch)
    }

    /// Puts one stored record back (loading from the store).
    pub(crate) fn load_record(
        &mut self,
        collection: &str,
        key: &str,
        bytes: &[u8],
    ) -> Result<(), String> {
        macro_rules! each {
            ($($name:ident),*) => {
                match collection {
                    "meta" => {
                        let meta: Meta = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
                        self.uipath_last_id = meta.uipath_last_id;
                        self.delivery_seq = meta.delivery_seq;
                        self.webhook_seq = meta.webhook_seq;
                        self.port_ingest_seq = meta.port_ingest_seq;
                        self.saved_meta = Some(meta);
                        Ok(())
                    }
                    $(stringify!($name) => {
                        let key = serde_json::from_str(key).map_err(|e| e.to_string())?;
                        let value = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
                        self.$name.restore(key, value);
                        Ok(())
                    })*
                    other => Err(format!("unknown collection {other:?}")),
                }
            };
        }
        collections!(each)
    }

    /// Clears the change notes without encoding or collecting anything (no store to save
    /// to): on every write of an emulator without `--state`, so it stays cheap.
    pub(crate) fn forget_changes(&mut self) {
        macro_rules! each {
            ($($collection:ident),*) => {$( self.$collection.forget(); )*};
        }
        collections!(each);
    }

    /// Forgets everything, noting every record as removed.
    pub fn reset(&mut self) {
        macro_rules! each {
            ($($collection:ident),*) => {$( self.$collection.clear(); )*};
        }
        collections!(each);
        self.uipath_disabled_until.clear();
        self.uipath_last_id = 0;
        self.delivery_seq = 0;
        self.webhook_seq = 0;
        self.port_ingest_seq = 0;
    }
}
