//! The realistic deliveries `hook trigger` sends: each provider's descriptor carries its
//! fixtures (`crates/hook-<provider>/fixtures/<event>.json`, embedded at build time) and
//! says which body fields a fresh event renews; this module loads, freshens and edits them.
//!
//! UiPath's 47 follow the schemas of Orchestrator's published OpenAPI (each `x-webhook-event`
//! schema; the conformance suite validates every file against its schema); UP42's follow
//! UP42's `{event, body}` handler samples; the generic service's 9 its `{id, type,
//! created_at, data}` payload; Port's is an example of an action invocation body, which Port
//! lets each action define (the shape of Port's classic default body, *unconfirmed*).

use hook_facade::Descriptor;
use hook_facade::model::Fresh;
use serde_json::Value;

/// The fixture for `event` of `descriptor`'s provider, parsed; an error naming the events
/// there are.
pub fn load(descriptor: &Descriptor, event: &str) -> Result<Value, String> {
    let provider = descriptor.provider;
    let Some(fixture) = descriptor.fixture(event) else {
        let names: Vec<&str> = descriptor.fixtures.iter().map(|f| f.event).collect();
        return Err(format!(
            "{} has no event {event:?}; `hook trigger --list {provider}` lists them: {}",
            descriptor.display_name,
            names.join(", ")
        ));
    };
    serde_json::from_str(fixture.json)
        .map_err(|e| format!("the fixture for {event} is not JSON: {e}"))
}

/// Gives a delivery the fields a fresh event has (the descriptor's `fresh` fields: a new
/// event id, the current time), where the body carries them.
pub fn freshen(descriptor: &Descriptor, value: &mut Value, now: &str, unique: &str) {
    for (pointer, fresh) in descriptor.fresh {
        if let Some(slot) = value.pointer_mut(pointer) {
            *slot = match fresh {
                Fresh::Id(prefix) => Value::from(format!("{prefix}{unique}")),
                Fresh::Now => Value::from(now),
                Fresh::Uuid => Value::from(uuid()),
                // A kind of fresh value this version does not know: left as it is.
                _ => continue,
            };
        }
    }
}

/// A random UUID in the version 4 form.
fn uuid() -> String {
    let (a, b) = (fastrand::u64(..), fastrand::u64(..));
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0x0fff,
        0x8000 | (b >> 48) & 0x3fff,
        b & 0xffff_ffff_ffff
    )
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
    fn a_fresh_fixture_gets_a_new_id_and_time_where_its_provider_puts_them() {
        let uipath = hook_facade::uipath::DESCRIPTOR
            .fixture("job.completed")
            .unwrap();
        let mut body: Value = serde_json::from_str(uipath.json).unwrap();
        freshen(
            &hook_facade::uipath::DESCRIPTOR,
            &mut body,
            "2026-12-03T12:00:00Z",
            "42",
        );
        assert_eq!(body["EventId"], "42");
        assert_eq!(body["Timestamp"], "2026-12-03T12:00:00Z");
        let generic = hook_facade::generic::DESCRIPTOR
            .fixture("user.created")
            .unwrap();
        let mut body: Value = serde_json::from_str(generic.json).unwrap();
        freshen(&hook_facade::generic::DESCRIPTOR, &mut body, "now", "7");
        assert_eq!(
            (body["id"].as_str(), body["created_at"].as_str()),
            (Some("evt_7"), Some("now"))
        );
        // UP42's body has no event id: its job id is renewed as a UUID, nothing is added.
        let up42 = hook_facade::up42::DESCRIPTOR.fixture("job.status").unwrap();
        let mut body: Value = serde_json::from_str(up42.json).unwrap();
        let mut before = body.clone();
        freshen(&hook_facade::up42::DESCRIPTOR, &mut body, "now", "7");
        let job = body["body"]["jobId"].as_str().unwrap().to_owned();
        assert_ne!(job, before["body"]["jobId"].as_str().unwrap());
        let groups: Vec<usize> = job.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{job}");
        assert_eq!(job.as_bytes()[14], b'4', "version 4: {job}");
        before["body"]["jobId"] = job.into();
        assert_eq!(body, before);
    }

    #[test]
    fn an_unknown_event_names_the_ones_there_are() {
        let up42 = &hook_facade::up42::DESCRIPTOR;
        let error = load(up42, "job.nope").unwrap_err();
        assert!(error.contains("job.status, order.status"), "{error}");
        assert!(load(up42, "JOB.STATUS").is_ok());
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
