//! Event type names and each provider's catalog.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Provider;

/// An event type name, compared ASCII case-insensitively.
///
/// `Job.Completed` (seed 000) and `job.completed` (the wire) are the same event. A name
/// outside every catalog is kept as written: providers add events, and a client must not
/// lose them.
///
/// ```
/// use hook_model::{EventType, Provider};
/// let seed = EventType::new("Job.Completed");
/// assert_eq!(seed, EventType::new("job.completed"));
/// assert_eq!(seed.canonical(Provider::UiPath).as_str(), "job.completed");
/// assert_eq!(seed.catalog_entry(Provider::UiPath).map(|e| e.group), Some("job"));
/// assert!(EventType::new("job.resumed").catalog_entry(Provider::UiPath).is_none());
/// ```
#[derive(Clone)]
pub struct EventType(Box<str>);

impl EventType {
    /// An event type with this name, as written.
    pub fn new(name: impl Into<String>) -> Self {
        EventType(name.into().into_boxed_str())
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The provider's catalog entry for this name, if the catalog has it.
    pub fn catalog_entry(&self, provider: Provider) -> Option<&'static CatalogEntry> {
        catalog(provider)
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(&self.0))
    }

    /// The catalog's spelling when the provider knows the name, else the name as written.
    pub fn canonical(&self, provider: Provider) -> EventType {
        self.catalog_entry(provider)
            .map_or_else(|| self.clone(), |entry| EventType::new(entry.name))
    }

    /// The part before the first dot (`queueItem` of `queueItem.added`).
    pub fn group(&self) -> &str {
        self.0.split_once('.').map_or(&self.0, |(group, _)| group)
    }
}

impl PartialEq for EventType {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for EventType {}

impl PartialEq<str> for EventType {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for EventType {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl Hash for EventType {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for byte in self.0.bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl PartialOrd for EventType {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for EventType {
    fn cmp(&self, other: &Self) -> Ordering {
        let lower = |s: &str| {
            s.bytes()
                .map(|b| b.to_ascii_lowercase())
                .collect::<Vec<_>>()
        };
        lower(&self.0).cmp(&lower(&other.0))
    }
}

impl fmt::Debug for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for EventType {
    fn from(name: &str) -> Self {
        EventType::new(name)
    }
}

impl From<String> for EventType {
    fn from(name: String) -> Self {
        EventType::new(name)
    }
}

impl Serialize for EventType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(EventType::new)
    }
}

/// One event of a provider's catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CatalogEntry {
    /// The wire name, such as `job.completed`.
    pub name: &'static str,
    /// The group, the part before the dot (`job`); UP42 calls it a category.
    pub group: &'static str,
    /// What the event means.
    pub description: &'static str,
}

const fn entry(name: &'static str, group: &'static str, description: &'static str) -> CatalogEntry {
    CatalogEntry {
        name,
        group,
        description,
    }
}

/// UiPath Orchestrator's 21 events, in the order `GetEventTypes()` lists them (seed 002).
pub const UIPATH_EVENTS: [CatalogEntry; 21] = [
    entry("process.created", "process", "A process was created."),
    entry("process.updated", "process", "A process was updated."),
    entry("process.deleted", "process", "A process was deleted."),
    entry(
        "schedule.failed",
        "schedule",
        "A trigger (process schedule) failed to start a job.",
    ),
    entry("robot.status", "robot", "A robot's status changed."),
    entry("job.started", "job", "A job started."),
    entry("job.completed", "job", "A job completed successfully."),
    entry("job.faulted", "job", "A job faulted."),
    entry("job.stopped", "job", "A job was stopped."),
    entry("job.created", "job", "A job was created."),
    entry("queue.created", "queue", "A queue was created."),
    entry("queue.updated", "queue", "A queue was updated."),
    entry("queue.deleted", "queue", "A queue was deleted."),
    entry(
        "queueItem.added",
        "queueItem",
        "An item was added to a queue.",
    ),
    entry(
        "queueItem.transactionStarted",
        "queueItem",
        "A queue item transaction started.",
    ),
    entry(
        "queueItem.transactionFailed",
        "queueItem",
        "A queue item transaction failed.",
    ),
    entry(
        "queueItem.transactionCompleted",
        "queueItem",
        "A queue item transaction completed.",
    ),
    entry(
        "queueItem.transactionAbandoned",
        "queueItem",
        "A queue item transaction was abandoned.",
    ),
    entry("robot.created", "robot", "A robot was created."),
    entry("robot.updated", "robot", "A robot was updated."),
    entry("robot.deleted", "robot", "A robot was deleted."),
];

/// Port's 12 events (seed 001).
pub const PORT_EVENTS: [CatalogEntry; 12] = [
    entry("entity.created", "entity", "An entity was created."),
    entry("entity.updated", "entity", "An entity was updated."),
    entry("entity.deleted", "entity", "An entity was deleted."),
    entry("action.created", "action", "An action was created."),
    entry("action.updated", "action", "An action was updated."),
    entry("action.deleted", "action", "An action was deleted."),
    entry("run.created", "run", "An action run was created."),
    entry("run.updated", "run", "An action run's status changed."),
    entry("run.completed", "run", "An action run completed."),
    entry("blueprint.created", "blueprint", "A blueprint was created."),
    entry("blueprint.updated", "blueprint", "A blueprint was updated."),
    entry("blueprint.deleted", "blueprint", "A blueprint was deleted."),
];

/// UP42's 2 events (seed 003).
pub const UP42_EVENTS: [CatalogEntry; 2] = [
    entry("job.status", "job", "A job's status changed."),
    entry(
        "order.status",
        "order",
        "An order completed, successfully or not.",
    ),
];

/// The generic service's 9 events (seed 004).
pub const GENERIC_EVENTS: [CatalogEntry; 9] = [
    entry("user.created", "user", "New user registered."),
    entry("user.updated", "user", "User profile updated."),
    entry("user.deleted", "user", "User account deleted."),
    entry("project.created", "project", "New project created."),
    entry("project.updated", "project", "Project modified."),
    entry("project.deleted", "project", "Project deleted."),
    entry("file.uploaded", "file", "File uploaded."),
    entry(
        "payment.succeeded",
        "payment",
        "Payment processed successfully.",
    ),
    entry("payment.failed", "payment", "Payment failed."),
];

/// A provider's event catalog.
pub fn catalog(provider: Provider) -> &'static [CatalogEntry] {
    match provider {
        Provider::UiPath => &UIPATH_EVENTS,
        Provider::Port => &PORT_EVENTS,
        Provider::Up42 => &UP42_EVENTS,
        Provider::Generic => &GENERIC_EVENTS,
    }
}

/// An event type as a provider's API describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventTypeInfo {
    /// The wire name.
    pub name: EventType,
    /// The group or category, when the provider gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// A short title, when the provider gives one (UP42).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the event means, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl From<&CatalogEntry> for EventTypeInfo {
    fn from(entry: &CatalogEntry) -> Self {
        EventTypeInfo {
            name: EventType::new(entry.name),
            group: Some(entry.group.to_owned()),
            title: None,
            description: Some(entry.description.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn catalogs_have_the_sizes_of_providers_md() {
        let sizes: Vec<usize> = Provider::ALL.iter().map(|p| catalog(*p).len()).collect();
        assert_eq!(sizes, [21, 12, 2, 9]);
    }

    #[test]
    fn every_group_is_the_part_before_the_dot() {
        for provider in Provider::ALL {
            for entry in catalog(provider) {
                assert_eq!(
                    EventType::new(entry.name).group(),
                    entry.group,
                    "{}",
                    entry.name
                );
            }
        }
    }

    #[test]
    fn equality_and_hash_ignore_case() {
        let set: HashSet<EventType> = ["Job.Completed", "job.completed", "JOB.COMPLETED"]
            .into_iter()
            .map(EventType::new)
            .collect();
        assert_eq!(set.len(), 1);
        assert_eq!(
            EventType::new("QueueItem.Added")
                .canonical(Provider::UiPath)
                .as_str(),
            "queueItem.added"
        );
    }

    #[test]
    fn unknown_names_are_kept_as_written() {
        let name = EventType::new("Job.Resumed");
        assert_eq!(name.canonical(Provider::UiPath).as_str(), "Job.Resumed");
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(
            serde_json::from_str::<EventType>(&json).unwrap().as_str(),
            "Job.Resumed"
        );
    }
}
