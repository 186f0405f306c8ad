//! The realistic deliveries `hook trigger` sends: one JSON fixture per provider and event,
//! kept in `crates/hook-cli/fixtures/<provider>/<event>.json` and embedded at build time.
//!
//! UiPath's 47 follow the schemas of Orchestrator's published OpenAPI (each `x-webhook-event`
//! schema; the conformance suite validates every file against its schema); UP42's follow
//! UP42's `{event, body}` handler samples; the generic service's 9 its `{id, type,
//! created_at, data}` payload; Port's is an example of an action invocation body, which Port
//! lets each action define (the shape of Port's classic default body, *unconfirmed*).

use hook_facade::Provider;
use serde_json::Value;

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// The fixtures of `provider`: (event, JSON text).
pub fn of(provider: Provider) -> impl Iterator<Item = (&'static str, &'static str)> {
    FIXTURES
        .iter()
        .filter(move |(p, _, _)| *p == provider.as_str())
        .map(|(_, event, text)| (*event, *text))
}

/// The fixture for `event` of `provider`, parsed; an error naming the events there are.
pub fn load(provider: Provider, event: &str) -> Result<Value, String> {
    let found = of(provider).find(|(name, _)| name.eq_ignore_ascii_case(event));
    let Some((_, text)) = found else {
        let names: Vec<&str> = of(provider).map(|(name, _)| name).collect();
        return Err(format!(
            "{} has no event {event:?}; `hook trigger --list {}` lists them: {}",
            provider.display_name(),
            provider.as_str(),
            names.join(", ")
        ));
    };
    serde_json::from_str(text).map_err(|e| format!("the fixture for {event} is not JSON: {e}"))
}

/// Gives a delivery the fields a fresh event has: a new event id and the current time,
/// where the provider's payload carries them.
pub fn freshen(provider: Provider, value: &mut Value, now: &str, unique: &str) {
    let Some(object) = value.as_object_mut() else {
        return;
    };
    let mut put = |key: &str, new: Value| {
        if let Some(slot) = object.get_mut(key) {
            *slot = new;
        }
    };
    match provider {
        Provider::UiPath => {
            put("EventId", Value::from(unique));
            put("Timestamp", Value::from(now));
            put("EventTime", Value::from(now));
        }
        Provider::Generic => {
            put("id", Value::from(format!("evt_{unique}")));
            put("created_at", Value::from(now));
        }
        // UP42's body has no event id (the delivery id header is new per send); Port's
        // body is the action's own.
        Provider::Up42 | Provider::Port => {}
    }
}

/// Sets the field at `path` (dot-separated keys and array indexes; a key that itself holds
/// dots is matched whole) to `value`, read as JSON when it parses, else as a string.
/// Fails, naming the path and what is there instead, when no such field exists: an
/// override is never silently ignored.
pub fn set(document: &mut Value, path: &str, value: &str) -> Result<(), String> {
    let new = serde_json::from_str::<Value>(value).unwrap_or_else(|_| Value::from(value));
    let segments: Vec<&str> = path.split('.').collect();
    let mut here = document;
    let mut i = 0;
    let mut walked = String::new();
    while i < segments.len() {
        let (key, used) = match &*here {
            Value::Object(map) => (1..=segments.len() - i)
                .map(|n| (segments[i..i + n].join("."), n))
                .find(|(key, _)| map.contains_key(key))
                .ok_or_else(|| missing(path, &walked, segments[i], here))?,
            Value::Array(items) => {
                let index: usize = segments[i]
                    .parse()
                    .ok()
                    .filter(|n| *n < items.len())
                    .ok_or_else(|| missing(path, &walked, segments[i], here))?;
                (index.to_string(), 1)
            }
            _ => return Err(missing(path, &walked, segments[i], here)),
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(&key);
        here = match here {
            Value::Object(map) => map.get_mut(&key),
            Value::Array(items) => key.parse::<usize>().ok().and_then(|n| items.get_mut(n)),
            _ => None,
        }
        .ok_or_else(|| format!("--set {path}: no field {key}"))?;
        i += used;
    }
    *here = new;
    Ok(())
}

fn missing(path: &str, walked: &str, segment: &str, here: &Value) -> String {
    let at = if walked.is_empty() {
        "the top level".to_owned()
    } else {
        walked.to_owned()
    };
    let there = match here {
        Value::Object(map) => format!(
            "fields there: {}",
            map.keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Array(items) => format!("an array of {} (indexes from 0)", items.len()),
        other => format!("a {} value, which has no fields", kind(other)),
    };
    format!("--set {path}: the fixture has no {segment:?} at {at} ({there})")
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn every_fixture_parses_and_carries_its_event() {
        for (provider, event, text) in FIXTURES {
            let value: Value = serde_json::from_str(text).unwrap();
            let port = hook_facade::port::parse_event(text.as_bytes()).unwrap();
            let named = match *provider {
                "uipath" => value["Type"].as_str(),
                "generic" => value["type"].as_str(),
                "up42" => value["event"].as_str(),
                "port" => Some(port.kind().as_str()),
                other => panic!("a fixture of an unknown provider: {other}"),
            };
            assert_eq!(named, Some(*event), "{provider}/{event}");
            // Each provider crate's own parser reads its fixtures.
            match *provider {
                "generic" => drop(hook_facade::generic::parse_event(text.as_bytes()).unwrap()),
                "up42" => {
                    let event = hook_facade::up42::parse_event(text.as_bytes()).unwrap();
                    assert!(event.job_status().is_some() || event.order_status().is_some());
                }
                "uipath" => drop(hook_facade::uipath::parse_event(text.as_bytes()).unwrap()),
                // Port's body is the action's own: read as it came, whatever its shape.
                _ => assert_eq!(port.body, value),
            }
        }
        let count = |p: Provider| of(p).count();
        assert_eq!(count(Provider::UiPath), 47);
        assert_eq!(count(Provider::Generic), 9);
        assert_eq!(count(Provider::Up42), 2);
        assert_eq!(count(Provider::Port), 1);
    }

    #[test]
    fn set_replaces_nested_fields_and_refuses_unknown_paths() {
        let mut doc = json!({"@odata.context": "x", "Job": {"State": "Running", "Tags": [1, 2]}});
        set(&mut doc, "Job.State", "Faulted").unwrap();
        set(&mut doc, "Job.Tags.1", "7").unwrap();
        set(&mut doc, "@odata.context", "\"y\"").unwrap();
        assert_eq!(
            doc,
            json!({"@odata.context": "y", "Job": {"State": "Faulted", "Tags": [1, 7]}})
        );
        let error = set(&mut doc, "Job.Stat", "x").unwrap_err();
        assert!(
            error.contains("Job.Stat") && error.contains("State"),
            "{error}"
        );
        assert!(
            set(&mut doc, "Job.Tags.2", "x")
                .unwrap_err()
                .contains("array of 2")
        );
        assert!(
            set(&mut doc, "Job.State.x", "1")
                .unwrap_err()
                .contains("string")
        );
        assert_eq!(
            doc["Job"]["State"], "Faulted",
            "a refused override changes nothing"
        );
    }
}
