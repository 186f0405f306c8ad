//! The emulator's own reading of each provider's webhook record: a table of properties
//! taken from the provider's published schema, checked on the raw JSON of a request. The
//! emulator keeps each webhook as the JSON object the provider answers with ([`Object`]),
//! never as a client crate's type, so a client and the emulator that misread a provider
//! the same way cannot pass each other's tests; the conformance suites hold the tables to
//! the published schemas.

use hook_model::EventType;
use serde_json::Value;

use crate::common::Object;

/// The JSON type of a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A string.
    Text,
    /// `true` or `false`.
    Flag,
    /// An integer.
    Integer,
    /// An array of strings.
    Texts,
    /// An array of objects, each naming one event type under the given key (UiPath's
    /// `Events: [{"EventType": …}]`); plain strings are read as such objects, as
    /// Orchestrator reads what some clients write.
    Subscriptions(&'static str),
}

impl Kind {
    fn admits(self, value: &Value) -> bool {
        match self {
            Kind::Text => value.is_string(),
            Kind::Flag => value.is_boolean(),
            Kind::Integer => value.is_i64(),
            Kind::Texts => value
                .as_array()
                .is_some_and(|items| items.iter().all(Value::is_string)),
            Kind::Subscriptions(key) => value.as_array().is_some_and(|items| {
                items.iter().all(|item| {
                    item.is_string()
                        || item.as_object().is_some_and(|o| {
                            o.len() == 1 && o.get(key).is_some_and(Value::is_string)
                        })
                })
            }),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Kind::Text => "a string",
            Kind::Flag => "true or false",
            Kind::Integer => "an integer",
            Kind::Texts => "an array of strings",
            Kind::Subscriptions(_) => "an array of event subscriptions",
        }
    }
}

/// One property of a provider's webhook record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Property {
    /// Its name on the wire.
    pub name: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether a whole body (create, replace) must carry it; an optional one may be
    /// `null`, meaning absent.
    pub required: bool,
}

/// The properties of a table written as `Name: type, Other?: type, …` (`?`: optional;
/// types `string`, `boolean`, `integer`, `[string]`, and `[{Key}]` for an array of
/// objects each naming an event under `Key`). A compact transcription of the published
/// schema: a type it does not know is an error, which the tables' unit tests catch.
pub(crate) fn properties(table: &'static str) -> impl Iterator<Item = Result<Property, String>> {
    table.split(',').map(|entry| {
        let (name, kind) = entry
            .split_once(':')
            .ok_or_else(|| format!("{entry:?} has no type"))?;
        let (name, kind) = (name.trim(), kind.trim());
        let (name, required) = match name.strip_suffix('?') {
            Some(name) => (name, false),
            None => (name, true),
        };
        let kind = match kind {
            "string" => Kind::Text,
            "boolean" => Kind::Flag,
            "integer" => Kind::Integer,
            "[string]" => Kind::Texts,
            other => match other.strip_prefix("[{").and_then(|k| k.strip_suffix("}]")) {
                Some(key) => Kind::Subscriptions(key),
                None => return Err(format!("{name}: unknown type {other:?}")),
            },
        };
        Ok(Property {
            name,
            kind,
            required,
        })
    })
}

/// Why a body does not fit a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Misfit {
    /// A property the record does not have.
    Unknown(String),
    /// A required property is missing.
    Missing(String),
    /// A property has the wrong type.
    Type {
        /// The property.
        name: String,
        /// What it must be.
        expected: &'static str,
    },
}

impl Misfit {
    /// The property at fault.
    pub(crate) fn field(&self) -> &str {
        match self {
            Misfit::Unknown(name) => name,
            Misfit::Missing(name) | Misfit::Type { name, .. } => name,
        }
    }
}

impl std::fmt::Display for Misfit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Misfit::Unknown(name) => write!(f, "there is no property {name:?}"),
            Misfit::Missing(name) => write!(f, "{name} is required"),
            Misfit::Type { name, expected } => write!(f, "{name} must be {expected}"),
        }
    }
}

/// Checks `body` against `table` (see [`properties`]): no unknown property (unless
/// `extra` admits its name), each known one of its type, and with `whole` every required
/// one present.
pub(crate) fn check(
    body: &Object,
    table: &'static str,
    whole: bool,
    extra: fn(&str) -> bool,
) -> Result<(), Misfit> {
    let table: Vec<Property> = properties(table).filter_map(Result::ok).collect();
    for (key, value) in body {
        let Some(property) = table.iter().find(|p| p.name == key) else {
            if extra(key) {
                continue;
            }
            return Err(Misfit::Unknown(key.clone()));
        };
        if !(property.kind.admits(value) || !property.required && value.is_null()) {
            return Err(Misfit::Type {
                name: key.clone(),
                expected: property.kind.name(),
            });
        }
    }
    match table
        .iter()
        .find(|p| whole && p.required && body.get(p.name).is_none_or(Value::is_null))
    {
        Some(missing) => Err(Misfit::Missing(missing.name.to_owned())),
        None => Ok(()),
    }
}

/// Typed reads of a stored record.
pub(crate) trait Record {
    /// A string property.
    fn text(&self, key: &str) -> Option<&str>;
    /// A boolean property, `default` when absent.
    fn flag(&self, key: &str, default: bool) -> bool;
    /// The event types of a [`Kind::Texts`] or [`Kind::Subscriptions`] property.
    fn events(&self, key: &str) -> Vec<EventType>;
    /// Sets property `key` of `kind` ([`Kind::Texts`] or [`Kind::Subscriptions`]) to
    /// `events`.
    fn set_events(&mut self, key: &str, kind: Kind, events: &[EventType]);
}

impl Record for Object {
    fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    fn flag(&self, key: &str, default: bool) -> bool {
        self.get(key).and_then(Value::as_bool).unwrap_or(default)
    }

    fn events(&self, key: &str) -> Vec<EventType> {
        let items = self.get(key).and_then(Value::as_array);
        let name = |item: &Value| match item {
            Value::Object(o) => o.values().next().and_then(Value::as_str).map(str::to_owned),
            other => other.as_str().map(str::to_owned),
        };
        items
            .into_iter()
            .flatten()
            .filter_map(|item| name(item).map(EventType::from))
            .collect()
    }

    fn set_events(&mut self, key: &str, kind: Kind, events: &[EventType]) {
        let items = events.iter().map(|e| match kind {
            Kind::Subscriptions(inner) => serde_json::json!({ inner: e.as_str() }),
            _ => Value::from(e.as_str()),
        });
        self.insert(key.to_owned(), Value::Array(items.collect()));
    }
}

/// Where a stored record sends its deliveries: its `url` property, signed with its
/// `secret` property when it has one.
pub(crate) fn target(record: &Object, url: &str, secret: &str) -> Option<crate::deliver::Target> {
    let secret = record.text(secret).map(hook_model::Secret::new);
    Some(crate::deliver::Target::to(record.text(url)?, secret))
}

/// `(id, URL)` of each of `records`, the URL being its `url` property.
pub(crate) fn listed<'a, K: ToString + 'a>(
    records: impl IntoIterator<Item = (&'a K, &'a Object)>,
    url: &str,
) -> Vec<(String, String)> {
    let pair =
        |(id, r): (&K, &Object)| (id.to_string(), r.text(url).unwrap_or_default().to_owned());
    records.into_iter().map(pair).collect()
}

/// The ids of `records` that receive `event`: flag `active` set (`active.1` when absent)
/// and `event` among the `events` property.
pub(crate) fn subscribers<'a>(
    records: impl IntoIterator<Item = (&'a String, &'a Object)>,
    active: (&str, bool),
    events: &str,
    event: &EventType,
) -> Vec<String> {
    let receives = |r: &Object| r.flag(active.0, active.1) && r.events(events).contains(event);
    records
        .into_iter()
        .filter(|(_, record)| receives(record))
        .map(|(id, _)| id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &str = "name: string, on?: boolean, events?: [{EventType}]";

    #[test]
    fn every_provider_table_parses() {
        for table in [
            crate::uipath::PROPERTIES,
            crate::up42::PROPERTIES,
            crate::generic::PROPERTIES,
            TABLE,
        ] {
            for property in properties(table) {
                assert!(property.is_ok(), "{table}: {property:?}");
            }
        }
        assert!(properties("a: str").any(|p| p.is_err()));
        assert!(properties("a").any(|p| p.is_err()));
    }

    fn object(value: Value) -> Object {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_body_fits_or_names_its_misfit() {
        let none = |_: &str| false;
        let ok =
            object(serde_json::json!({"name": "a", "on": null, "events": [{"EventType": "x"}]}));
        assert_eq!(check(&ok, TABLE, true, none), Ok(()));
        let unknown = object(serde_json::json!({"name": "a", "colour": 1}));
        assert_eq!(
            check(&unknown, TABLE, true, none),
            Err(Misfit::Unknown("colour".into()))
        );
        assert_eq!(check(&unknown, TABLE, true, |k| k == "colour"), Ok(()));
        let missing = object(serde_json::json!({"on": true}));
        assert_eq!(check(&missing, TABLE, false, none), Ok(()));
        assert_eq!(
            check(&missing, TABLE, true, none),
            Err(Misfit::Missing("name".into()))
        );
        let wrong = object(serde_json::json!({"name": "a", "events": [{"Event": "x"}]}));
        assert_eq!(
            check(&wrong, TABLE, true, none).map_err(|m| m.to_string()),
            Err("events must be an array of event subscriptions".into())
        );
    }

    #[test]
    fn events_keep_their_wire_form() {
        let mut wrapped = object(serde_json::json!({"events": [{"EventType": "a"}]}));
        wrapped.set_events(
            "events",
            Kind::Subscriptions("EventType"),
            &[EventType::new("b"), EventType::new("c")],
        );
        assert_eq!(
            wrapped["events"],
            serde_json::json!([{"EventType": "b"}, {"EventType": "c"}])
        );
        assert_eq!(
            wrapped.events("events"),
            vec![EventType::new("b"), EventType::new("c")]
        );
        let mut plain = object(serde_json::json!({"events": ["a"]}));
        plain.set_events("events", Kind::Texts, &[EventType::new("b")]);
        assert_eq!(plain["events"], serde_json::json!(["b"]));
    }
}
