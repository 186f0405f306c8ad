//! Port records.

use std::collections::BTreeMap;
// Optional RFC 3339 times (a short name: each field's attribute fits on one line).
use time::serde::rfc3339::option as timestamp;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use hook_model::{EventType, Secret};

/// How Port checks the signature third parties send to a webhook's ingest URL
/// (`security.signatureAlgorithm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SignatureAlgorithm {
    /// Hex HMAC-SHA1 of the raw body.
    #[serde(rename = "sha1")]
    Sha1,
    /// Hex HMAC-SHA256 of the raw body.
    #[serde(rename = "sha256")]
    Sha256,
    /// The secret itself, compared as-is.
    #[serde(rename = "plain")]
    Plain,
    /// A value this version does not know, kept.
    #[serde(untagged)]
    Other(String),
}

/// `security`: how Port verifies what third parties send to the ingest URL. A request that
/// fails the check is dropped. Every field may be null.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Security {
    /// The shared secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<Secret>,
    /// The header carrying the signature, such as `x-hub-signature-256`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_header_name: Option<String>,
    /// `sha1`, `sha256` or `plain`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// Text before the signature in the header, such as `sha256=`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_prefix: Option<String>,
    /// A jq path to a request id, such as `.body.id`: a second request with the same id is
    /// dropped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_identifier_path: Option<String>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Security {
    /// Port's check of GitHub-style senders: `header` holds `prefix` + the hex HMAC of the
    /// body under `secret` with `algorithm`.
    pub fn hmac(
        algorithm: SignatureAlgorithm,
        secret: impl Into<Secret>,
        header: impl Into<String>,
        prefix: impl Into<String>,
    ) -> Self {
        Security {
            secret: Some(secret.into()),
            signature_header_name: Some(header.into()),
            signature_algorithm: Some(algorithm),
            signature_prefix: Some(prefix.into()),
            ..Security::default()
        }
    }

    hook_model::setters! {
        /// Sets the jq path to a request id for de-duplication.
        request_identifier_path: Option<String>;
    }
}

/// What a mapping does with the entity it computes (`operation`); Port creates or updates
/// unless told otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// Create the entity, or update it if it exists.
    Create,
    /// Delete the entity with the computed identifier.
    Delete,
    /// Another form, kept: Port's object forms `{"type": "create"}` and
    /// `{"type": "delete", "deleteDependents": false}` (see [`Operation::is_delete`]).
    #[serde(untagged)]
    Other(serde_json::Value),
}

impl Operation {
    /// Whether this deletes: `"delete"`, or the object form `{"type": "delete", …}`.
    pub fn is_delete(&self) -> bool {
        match self {
            Operation::Delete => true,
            Operation::Create => false,
            Operation::Other(value) => value.get("type").and_then(|t| t.as_str()) == Some("delete"),
        }
    }
}

/// `entity.identifier` or `entity.team` of a mapping: a jq expression, or a search query
/// naming existing entities (Port's API reference and terraform provider: "either a simple
/// JQ expression (string) or a search query object").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Selector {
    /// A jq expression evaluated against the ingested request.
    Jq(String),
    /// A search query: the entities whose properties match.
    Query(SearchQuery),
}

impl Default for Selector {
    fn default() -> Self {
        Selector::Jq(String::new())
    }
}

impl From<&str> for Selector {
    fn from(jq: &str) -> Self {
        Selector::Jq(jq.to_owned())
    }
}

impl From<String> for Selector {
    fn from(jq: String) -> Self {
        Selector::Jq(jq)
    }
}

impl From<SearchQuery> for Selector {
    fn from(query: SearchQuery) -> Self {
        Selector::Query(query)
    }
}

impl Selector {
    /// The jq expression, when this is one.
    pub fn jq(&self) -> Option<&str> {
        match self {
            Selector::Jq(jq) => Some(jq),
            Selector::Query(_) => None,
        }
    }

    /// Whether nothing is given (an empty jq expression, or a query with no rules).
    pub fn is_empty(&self) -> bool {
        match self {
            Selector::Jq(jq) => jq.trim().is_empty(),
            Selector::Query(query) => query.rules.is_empty(),
        }
    }
}

/// How a search query's rules combine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Combinator {
    /// Every rule matches.
    And,
    /// Any rule matches.
    Or,
    /// A value this version does not know, kept.
    #[serde(untagged)]
    Other(String),
}

/// A search query: `{"combinator": "and" | "or", "rules": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SearchQuery {
    /// How the rules combine.
    pub combinator: Combinator,
    /// The rules.
    pub rules: Vec<SearchRule>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SearchQuery {
    /// A query combining `rules` with `combinator`.
    pub fn new(combinator: Combinator, rules: impl IntoIterator<Item = SearchRule>) -> Self {
        SearchQuery {
            combinator,
            rules: rules.into_iter().collect(),
            extra: serde_json::Map::new(),
        }
    }
}

/// One rule of a [`SearchQuery`]: a property compared with a value, a nested query, or a
/// rule of a kind this version does not model (relations, dates), kept as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SearchRule {
    /// `{"combinator", "rules"}` inside a query.
    Nested(Box<SearchQuery>),
    /// `{"property", "operator", "value"}`.
    Property(PropertyRule),
    /// Anything else, kept as it came.
    Other(serde_json::Value),
}

/// `{"property": "$identifier", "operator": "=", "value": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PropertyRule {
    /// The property (`$identifier`, `$title`, or a blueprint property).
    pub property: String,
    /// The operator (`=`, `!=`, `in`, `contains`, …).
    pub operator: String,
    /// The value compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl SearchRule {
    /// A property rule: `property operator value`.
    pub fn property(
        property: impl Into<String>,
        operator: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> SearchRule {
        SearchRule::Property(PropertyRule {
            property: property.into(),
            operator: operator.into(),
            value: Some(value.into()),
            extra: serde_json::Map::new(),
        })
    }
}

/// `entity` of a mapping: jq expressions evaluated against the ingested request (the
/// identifier and the team may be search queries instead: [`Selector`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EntityMapping {
    /// jq for the entity's identifier, or a search query for existing ones (required).
    pub identifier: Selector,
    /// jq for its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// jq for its icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// jq for its team, or a search query for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<Selector>,
    /// Property name → jq.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// Relation name → jq (Port also documents object forms: kept as JSON).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub relations: BTreeMap<String, serde_json::Value>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl EntityMapping {
    /// An entity whose identifier is the jq expression (or search query) `identifier`.
    pub fn new(identifier: impl Into<Selector>) -> Self {
        EntityMapping {
            identifier: identifier.into(),
            ..EntityMapping::default()
        }
    }

    hook_model::setters! {
        /// Sets the jq for the title.
        title: Option<String>;
        /// Sets the jq for the icon.
        icon: Option<String>;
        /// Sets the jq (or search query) for the team.
        team: Option<Selector>;
    }

    /// Maps property `name` to the jq expression `jq`.
    pub fn property(mut self, name: impl Into<String>, jq: impl Into<String>) -> Self {
        self.properties.insert(name.into(), jq.into());
        self
    }

    /// Maps relation `name` to the jq expression `jq`.
    pub fn relation(mut self, name: impl Into<String>, jq: impl Into<String>) -> Self {
        self.relations
            .insert(name.into(), serde_json::Value::String(jq.into()));
        self
    }
}

/// One of a webhook's `mappings`: which requests (`filter`), which items
/// (`itemsToParse`, each bound as `.item`), into which blueprint, as which entity. Every
/// jq expression sees `{"body", "headers", "queryParams"}` of the ingested request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Mapping {
    /// The blueprint's identifier (required).
    pub blueprint: String,
    /// jq deciding whether a request is processed; absent means every request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// jq giving an array: one entity per item, the item bound as `.item`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_to_parse: Option<String>,
    /// Create (the default) or delete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<Operation>,
    /// How to compute the entity (required).
    pub entity: EntityMapping,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

impl Mapping {
    /// A mapping into `blueprint` computing `entity` from every request.
    pub fn new(blueprint: impl Into<String>, entity: EntityMapping) -> Self {
        Mapping {
            blueprint: blueprint.into(),
            entity,
            ..Mapping::default()
        }
    }

    hook_model::setters! {
        /// Sets the jq filter.
        filter: Option<String>;
        /// Sets the jq giving the items to parse.
        items_to_parse: Option<String>;
        /// Sets the operation.
        operation: Option<Operation>;
    }
}

/// `integrationType`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntegrationType {
    /// A webhook configured by hand (the default).
    Custom,
    /// A webhook made from one of Port's templates.
    Template,
    /// A value this version does not know, kept.
    #[serde(untagged)]
    Other(String),
}

/// A Port webhook as Port answers it: the eight writable properties, and what Port
/// computes (`url`, `webhookKey`, timestamps, authors), which is never sent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PortWebhook {
    /// The id: at most 30 characters.
    pub identifier: String,
    /// At most 30 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// At most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// How ingested requests become entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Vec<Mapping>>,
    /// Whether ingested requests are processed (false: dropped).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How ingested requests are verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// `custom` or `template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_type: Option<IntegrationType>,
    /// Read-only: the ingest URL Port assigned, `https://ingest.getport.io/{webhookKey}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Read-only: the key in the ingest URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_key: Option<String>,
    /// Read-only: when it was created.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// Read-only: when it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub updated_at: Option<OffsetDateTime>,
    /// Read-only: who created it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Read-only: who last changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// The body of `POST`, `PUT` and `PATCH /v1/webhooks…`: exactly the eight properties Port
/// accepts (it refuses any other with 422). `url`, `events` and delivery headers are not
/// among them: Port assigns the URL, and its outgoing calls belong to actions and
/// automations.
///
/// `title` and `enabled` are required on create and replace ([`WebhookBody::new`] sets
/// both); a PATCH body ([`WebhookBody::patch`]) sends only what is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[non_exhaustive]
pub struct WebhookBody {
    /// The id (≤ 30); Port makes one when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// The title (≤ 30): required on create and replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// A description (≤ 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// An icon name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// How ingested requests become entities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mappings: Option<Vec<Mapping>>,
    /// Whether ingested requests are processed: required on create and replace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// How ingested requests are verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security: Option<Security>,
    /// `custom` or `template`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub integration_type: Option<IntegrationType>,
}

impl WebhookBody {
    /// A body for create or replace: `title`, enabled.
    pub fn new(title: impl Into<String>) -> Self {
        WebhookBody {
            title: Some(title.into()),
            enabled: Some(true),
            ..WebhookBody::default()
        }
    }

    /// A PATCH body changing nothing yet.
    pub fn patch() -> Self {
        WebhookBody::default()
    }

    hook_model::setters! {
        /// Sets the identifier.
        identifier: Option<String>;
        /// Sets the title.
        title: Option<String>;
        /// Sets the description.
        description: Option<String>;
        /// Sets the icon.
        icon: Option<String>;
        /// Sets the mappings.
        mappings: Option<Vec<Mapping>>;
        /// Turns processing on or off.
        enabled: some bool;
        /// Sets the security check.
        security: Option<Security>;
        /// Sets the integration type.
        integration_type: Option<IntegrationType>;
    }

    /// Adds one mapping.
    pub fn mapping(mut self, mapping: Mapping) -> Self {
        self.mappings.get_or_insert_with(Vec::new).push(mapping);
        self
    }
}

impl From<&PortWebhook> for WebhookBody {
    /// The writable part of an answer, for a replace (PUT) that keeps the rest.
    fn from(webhook: &PortWebhook) -> Self {
        WebhookBody {
            identifier: Some(webhook.identifier.clone()),
            title: webhook.title.clone(),
            description: webhook.description.clone(),
            icon: webhook.icon.clone(),
            mappings: webhook.mappings.clone(),
            enabled: webhook.enabled,
            security: webhook.security.clone(),
            integration_type: webhook.integration_type.clone(),
        }
    }
}

/// `GET /v1/webhooks`: every webhook in one answer. The key is undocumented: both
/// `integrations` and `webhooks` decode; this SDK writes `integrations`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookList {
    /// Always true on success.
    pub ok: bool,
    /// The webhooks.
    #[serde(rename = "integrations", alias = "webhooks")]
    pub webhooks: Vec<PortWebhook>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One webhook: `{"ok": true, "integration": {…}}` (Port's key); `webhook` decodes too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEnvelope {
    /// Always true on success.
    pub ok: bool,
    /// The webhook.
    #[serde(rename = "integration", alias = "webhook")]
    pub webhook: PortWebhook,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// A catalog entity, as a mapping produced it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Entity {
    /// Its identifier.
    pub identifier: String,
    /// Its title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Its blueprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blueprint: Option<String>,
    /// Its icon.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Its team (a name, or a list of names).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<serde_json::Value>,
    /// Property name → value.
    #[serde(default)]
    pub properties: serde_json::Map<String, serde_json::Value>,
    /// Relation name → target identifier(s).
    #[serde(default)]
    pub relations: serde_json::Map<String, serde_json::Value>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub created_at: Option<OffsetDateTime>,
    /// When it last changed.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "timestamp")]
    pub updated_at: Option<OffsetDateTime>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `GET /v1/blueprints/{blueprint}/entities`: `{"ok": true, "entities": […]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityList {
    /// Always true on success.
    pub ok: bool,
    /// The entities.
    pub entities: Vec<Entity>,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `GET /v1/blueprints/{blueprint}/entities/{identifier}`: `{"ok": true, "entity": {…}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityEnvelope {
    /// Always true on success.
    pub ok: bool,
    /// The entity.
    pub entity: Entity,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `{"ok": true}` (delete).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ok {
    /// Whether it worked.
    pub ok: bool,
}

/// `{"ok": false, "error": "<code>", "message": "…"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Always false.
    pub ok: bool,
    /// Port's code, such as `not_found`.
    pub error: String,
    /// What went wrong.
    #[serde(default)]
    pub message: String,
    /// Fields not named here, kept.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// `POST /v1/auth/access_token` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequest {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: Secret,
}

/// `POST /v1/auth/access_token` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenAnswer {
    /// Always true on success.
    pub ok: bool,
    /// The bearer token.
    pub access_token: Secret,
    /// Seconds until it expires.
    #[serde(
        default,
        deserialize_with = "hook_http::seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in: Option<u64>,
    /// Usually `Bearer`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_type: Option<String>,
}

/// What Port POSTs to an action's or automation's webhook backend: the JSON body as the
/// action defines it, and the signed `x-port-timestamp` once verification has read it.
///
/// Port documents no fixed envelope for these calls (each action writes its own
/// `invocationMethod.body`), so nothing is invented: [`PortEvent::body`] is the JSON as it
/// came. Every Port delivery is of the kind `invocation`; which action or automation
/// called is whatever the body says (Port's classic default body names it under
/// `action.identifier`).
#[derive(Debug, Clone, PartialEq)]
pub struct PortEvent {
    /// The body as sent.
    pub body: serde_json::Value,
    /// `x-port-timestamp` (unix seconds) when set with [`PortEvent::at`], as
    /// `hook_sign::Verified::timestamp` gives it after `Scheme::port()` verified the call.
    pub timestamp: Option<u64>,
}

/// The kind of every Port delivery.
static INVOCATION: std::sync::LazyLock<EventType> =
    std::sync::LazyLock::new(|| EventType::new("invocation"));

impl PortEvent {
    /// A delivery of `body`, its timestamp not known.
    pub fn new(body: serde_json::Value) -> Self {
        PortEvent {
            body,
            timestamp: None,
        }
    }

    /// The verified `x-port-timestamp`, unix seconds.
    pub fn at(mut self, timestamp: Option<u64>) -> Self {
        self.timestamp = timestamp;
        self
    }

    /// `invocation`, the kind of every Port delivery.
    pub fn kind(&self) -> &EventType {
        &INVOCATION
    }
}
