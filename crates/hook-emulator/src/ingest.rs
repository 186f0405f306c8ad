//! What happens to a request sent to a Port webhook's ingest URL, off the request path:
//! dropped when the webhook is disabled or its `security` check fails, de-duplicated on
//! `requestIdentifierPath`, then each mapping applied with jq (through [`crate::jq`]) to
//! `{"body", "headers", "queryParams"}`. Every outcome, drop and jq error is kept in the
//! ingest log (`GET /_admin/port/ingests`); nothing here can stop the emulator.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use hook_port::wire::{Entity, Mapping, Operation, PortWebhook, Selector};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;

use crate::app::App;
use crate::jq;

/// How long one request's mappings may take to evaluate.
pub const EVALUATION_BUDGET: Duration = Duration::from_secs(2);
/// How many ingest records the log keeps (the oldest go first).
pub const INGEST_LOG_CAP: usize = 1000;
/// How many request ids a webhook remembers for de-duplication.
pub const SEEN_CAP: usize = 10_000;
/// The most entities one request may touch.
pub const MAX_ENTITIES: usize = 1000;

/// A request as it reached the ingest URL.
pub(crate) struct Request {
    pub headers: Vec<(String, String)>,
    pub query: BTreeMap<String, String>,
    pub body: Bytes,
}

/// What became of one ingested request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IngestOutcome {
    /// Mappings ran (some may have failed: see `errors`).
    Processed,
    /// Dropped before any mapping: see `reason`.
    Dropped,
}

/// One request sent to a Port ingest URL, and what the emulator did with it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestRecord {
    /// Counts from 1 across the emulator's life.
    pub seq: u64,
    /// The webhook's identifier.
    pub webhook: String,
    /// When it was processed.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Processed or dropped.
    pub outcome: IngestOutcome,
    /// Why it was dropped.
    pub reason: Option<String>,
    /// `blueprint/identifier` of each entity created or updated.
    #[serde(default)]
    pub upserted: Vec<String>,
    /// `blueprint/identifier` of each entity deleted.
    #[serde(default)]
    pub deleted: Vec<String>,
    /// jq errors, each naming its mapping.
    #[serde(default)]
    pub errors: Vec<String>,
}

/// What evaluating the mappings decided, applied in one write.
#[derive(Default)]
struct Plan {
    upserts: Vec<Entity>,
    deletes: Vec<(String, String)>,
    errors: Vec<String>,
    request_id: Option<String>,
}

/// Processes one ingested request for webhook `identifier`; records the outcome.
pub(crate) async fn process(app: Arc<App>, identifier: String, request: Request) {
    let webhook = app.read(|state| state.port.get(&identifier).cloned());
    let outcome = match webhook {
        None => Err("the webhook was deleted before the request was processed".to_owned()),
        Some(webhook) => {
            let task = tokio::task::spawn_blocking(move || plan(&webhook, &request));
            match tokio::time::timeout(EVALUATION_BUDGET, task).await {
                Ok(Ok(plan)) => plan,
                Ok(Err(_)) => Err("mapping evaluation failed unexpectedly".to_owned()),
                Err(_) => Err(format!(
                    "mapping evaluation took over {} s",
                    EVALUATION_BUDGET.as_secs()
                )),
            }
        }
    };
    let at = OffsetDateTime::now_utc();
    app.write(|state| {
        let mut record = IngestRecord {
            seq: state.port_ingest_seq + 1,
            webhook: identifier.clone(),
            at,
            outcome: IngestOutcome::Processed,
            reason: None,
            upserted: Vec::new(),
            deleted: Vec::new(),
            errors: Vec::new(),
        };
        state.port_ingest_seq += 1;
        match outcome {
            Err(reason) => {
                record.outcome = IngestOutcome::Dropped;
                record.reason = Some(reason);
            }
            Ok(plan) => {
                let seen = state.port_seen.entry(identifier.clone()).or_default();
                if let Some(id) = &plan.request_id {
                    if seen.contains(id) {
                        record.outcome = IngestOutcome::Dropped;
                        record.reason =
                            Some(format!("a request with id {id:?} was already processed"));
                    } else {
                        if seen.len() == SEEN_CAP {
                            seen.pop_front();
                        }
                        seen.push_back(id.clone());
                    }
                }
                if record.outcome == IngestOutcome::Processed {
                    record.errors = plan.errors;
                    for (blueprint, id) in plan.deletes {
                        if let Some(entities) = state.port_entities.get_mut(&blueprint) {
                            entities.remove(&id);
                        }
                        record.deleted.push(format!("{blueprint}/{id}"));
                    }
                    for entity in plan.upserts {
                        let blueprint = entity.blueprint.clone().unwrap_or_default();
                        record
                            .upserted
                            .push(format!("{blueprint}/{}", entity.identifier));
                        let slot = state.port_entities.entry(blueprint).or_default();
                        upsert(slot, entity, at);
                    }
                }
            }
        }
        if state.port_ingests.len() == INGEST_LOG_CAP {
            state.port_ingests.pop_first();
        }
        state.port_ingests.insert(record.seq, record);
    })
    .await;
    app.bump_ingests();
}

/// Creates the entity, or lays its title, icon, team, properties and relations over the
/// stored one (Port's webhook ingestion updates what the mapping computes).
fn upsert(slot: &mut BTreeMap<String, Entity>, entity: Entity, at: OffsetDateTime) {
    match slot.get_mut(&entity.identifier) {
        Some(stored) => {
            if entity.title.is_some() {
                stored.title = entity.title;
            }
            if entity.icon.is_some() {
                stored.icon = entity.icon;
            }
            if entity.team.is_some() {
                stored.team = entity.team;
            }
            stored.properties.extend(entity.properties);
            stored.relations.extend(entity.relations);
            stored.updated_at = Some(at);
        }
        None => {
            let mut entity = entity;
            entity.created_at = Some(at);
            entity.updated_at = Some(at);
            slot.insert(entity.identifier.clone(), entity);
        }
    }
}

/// The security check, then the mappings: pure, so it can run on a blocking thread.
fn plan(webhook: &PortWebhook, request: &Request) -> Result<Plan, String> {
    if webhook.enabled == Some(false) {
        return Err("the webhook is disabled".into());
    }
    if let Some(security) = &webhook.security {
        let scheme = hook_port::ingest_scheme(security)
            .map_err(|e| format!("the webhook's security cannot be checked: {e}"))?;
        if let (Some(scheme), Some(secret)) = (scheme, &security.secret) {
            let verifier = hook_sign::Verifier::new(scheme, secret.expose())
                .map_err(|e| format!("the webhook's security cannot be checked: {e}"))?;
            verifier
                .verify_ignoring_timestamp(&request.headers, &request.body)
                .map_err(|e| format!("the security check failed: {e}"))?;
        }
    }
    let body: Value =
        serde_json::from_slice(&request.body).map_err(|e| format!("the body is not JSON: {e}"))?;
    let headers: serde_json::Map<String, Value> = request
        .headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), Value::String(v.clone())))
        .collect();
    let query: serde_json::Map<String, Value> = request
        .query
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    // Converted to jq's values once, for the identifier path and every mapping.
    let input = jq::Input::new(
        &serde_json::json!({"body": body, "headers": headers, "queryParams": query}),
    )?;
    let mut plan = Plan::default();
    if let Some(path) = webhook
        .security
        .as_ref()
        .and_then(|s| s.request_identifier_path.as_deref())
    {
        match jq::first(path, &input) {
            Ok(Value::Null) => {}
            Ok(Value::String(id)) => plan.request_id = Some(id),
            Ok(other) => plan.request_id = Some(other.to_string()),
            Err(e) => plan
                .errors
                .push(format!("security.requestIdentifierPath: {e}")),
        }
    }
    for (index, mapping) in webhook.mappings.iter().flatten().enumerate() {
        if let Err(e) = apply_mapping(mapping, &input, &mut plan) {
            plan.errors.push(format!("mappings[{index}]: {e}"));
        }
    }
    Ok(plan)
}

/// The most `itemsToParse` items one request is mapped into (Port's documented limit;
/// the rest are ignored, as Port does).
pub const MAX_ITEMS: usize = 500;

/// The jq of an identifier or team; a search query (which selects existing entities in
/// Port) is stored and read back by the emulator, not evaluated: said in the ingest log.
fn selector_jq<'m>(selector: &'m Selector, what: &str) -> Result<&'m str, String> {
    selector.jq().ok_or_else(|| {
        format!(
            "entity.{what} is a search query: the emulator stores it but evaluates only jq expressions"
        )
    })
}

fn apply_mapping(mapping: &Mapping, request: &jq::Input, plan: &mut Plan) -> Result<(), String> {
    if let Some(filter) = &mapping.filter
        && !jq::holds(filter, request).map_err(|e| format!("filter: {e}"))?
    {
        return Ok(());
    }
    let items: Vec<jq::Input>;
    let inputs: &[jq::Input] = match &mapping.items_to_parse {
        None => std::slice::from_ref(request),
        Some(expression) => {
            match jq::first(expression, request).map_err(|e| format!("itemsToParse: {e}"))? {
                // Port processes the first 500 items of a request and ignores the rest.
                Value::Array(values) => {
                    items = values
                        .iter()
                        .take(MAX_ITEMS)
                        .map(|item| request.with_item(item))
                        .collect::<Result<_, _>>()?;
                    &items
                }
                other => return Err(format!("itemsToParse gave {other}, not an array")),
            }
        }
    };
    let delete = mapping.operation.as_ref().is_some_and(Operation::is_delete);
    for input in inputs {
        if plan.upserts.len() + plan.deletes.len() >= MAX_ENTITIES {
            return Err(format!("over {MAX_ENTITIES} entities from one request"));
        }
        let identifier = match jq::first(
            selector_jq(&mapping.entity.identifier, "identifier")?,
            input,
        )
        .map_err(|e| format!("entity.identifier: {e}"))?
        {
            Value::String(id) if !id.is_empty() => id,
            other => {
                return Err(format!(
                    "entity.identifier gave {other}, not a non-empty string"
                ));
            }
        };
        if delete {
            plan.deletes.push((mapping.blueprint.clone(), identifier));
            continue;
        }
        let text = |jq: &Option<String>, what: &str| -> Result<Option<String>, String> {
            match jq {
                None => Ok(None),
                Some(jq) => {
                    match jq::first(jq, input).map_err(|e| format!("entity.{what}: {e}"))? {
                        Value::Null => Ok(None),
                        Value::String(s) => Ok(Some(s)),
                        other => Ok(Some(other.to_string())),
                    }
                }
            }
        };
        let mut entity = Entity::default();
        entity.identifier = identifier;
        entity.blueprint = Some(mapping.blueprint.clone());
        entity.title = text(&mapping.entity.title, "title")?;
        entity.icon = text(&mapping.entity.icon, "icon")?;
        if let Some(team) = &mapping.entity.team {
            let team = selector_jq(team, "team")?;
            entity.team = Some(jq::first(team, input).map_err(|e| format!("entity.team: {e}"))?);
        }
        for (name, jq) in &mapping.entity.properties {
            let value =
                jq::first(jq, input).map_err(|e| format!("entity.properties.{name}: {e}"))?;
            entity.properties.insert(name.clone(), value);
        }
        for (name, relation) in &mapping.entity.relations {
            let Value::String(jq) = relation else {
                return Err(format!(
                    "entity.relations.{name}: the emulator evaluates jq strings only, not object forms"
                ));
            };
            let value =
                jq::first(jq, input).map_err(|e| format!("entity.relations.{name}: {e}"))?;
            entity.relations.insert(name.clone(), value);
        }
        plan.upserts.push(entity);
    }
    Ok(())
}
