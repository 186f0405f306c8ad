//! Event type names and each provider's catalog.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

/// An event type name, compared ASCII case-insensitively.
///
/// `Job.Completed` and `job.completed` are the same event. A name outside a catalog is
/// kept as written: providers add events, and a client must not lose them.
///
/// ```
/// use hook_model::{CatalogEntry, EventType};
/// const CATALOG: [CatalogEntry; 1] = [CatalogEntry::new("job.completed", "job", "A job completed.")];
/// let written = EventType::new("Job.Completed");
/// assert_eq!(written, EventType::new("job.completed"));
/// assert_eq!(written.canonical_in(&CATALOG).as_str(), "job.completed");
/// assert_eq!(written.find_in(&CATALOG).map(|e| e.group), Some("job"));
/// assert!(EventType::new("job.resumed").find_in(&CATALOG).is_none());
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
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

    /// The entry of `catalog` with this name, if it has one.
    pub fn find_in<'c>(&self, catalog: &'c [CatalogEntry]) -> Option<&'c CatalogEntry> {
        catalog
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(&self.0))
    }

    /// The catalog's spelling when `catalog` knows the name, else the name as written.
    pub fn canonical_in(&self, catalog: &[CatalogEntry]) -> EventType {
        self.find_in(catalog)
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

crate::setters::text_type!(EventType);

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

impl CatalogEntry {
    /// An entry; provider crates build their catalogs from these.
    pub const fn new(name: &'static str, group: &'static str, description: &'static str) -> Self {
        CatalogEntry {
            name,
            group,
            description,
        }
    }
}

/// A provider's catalog as a `[CatalogEntry; N]`, written group by group:
///
/// ```
/// const EVENTS: [hook_model::CatalogEntry; 3] = hook_model::catalog! {
///     "job" {
///         "job.completed": "A job completed.",
///         "job.faulted": "A job failed.",
///     }
///     "order" {
///         "order.status": "An order's status changed.",
///     }
/// };
/// assert_eq!(EVENTS[2].group, "order");
/// ```
#[macro_export]
macro_rules! catalog {
    ($($group:literal { $($name:literal: $description:literal),* $(,)? })*) => {
        [$($($crate::CatalogEntry::new($name, $group, $description),)*)*]
    };
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

/// A delivery body of some provider: what every provider's event type answers, so code
/// above the provider crates can handle any of them. A `Box<dyn DeliveryEvent>` (from
/// [`crate::Descriptor::parse`]) gives back the provider's own type through
/// `(event as &dyn Any).downcast_ref`.
pub trait DeliveryEvent: std::any::Any + std::fmt::Debug + Send + Sync {
    /// The event type.
    fn kind(&self) -> &EventType;
    /// The event's id, when the payload has one.
    fn event_id(&self) -> Option<&str>;
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const CATALOG: [CatalogEntry; 2] = [
        CatalogEntry::new("job.completed", "job", "A job completed."),
        CatalogEntry::new("queueItem.added", "queueItem", "An item was added."),
    ];

    #[test]
    fn equality_and_hash_ignore_case() {
        let set: HashSet<EventType> = ["Job.Completed", "job.completed", "JOB.COMPLETED"]
            .into_iter()
            .map(EventType::new)
            .collect();
        assert_eq!(set.len(), 1);
        assert_eq!(
            EventType::new("QueueItem.Added")
                .canonical_in(&CATALOG)
                .as_str(),
            "queueItem.added"
        );
        assert_eq!(EventType::new("queueItem.added").group(), "queueItem");
    }

    #[test]
    fn unknown_names_are_kept_as_written() {
        let name = EventType::new("Job.Resumed");
        assert_eq!(name.canonical_in(&CATALOG).as_str(), "Job.Resumed");
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(
            serde_json::from_str::<EventType>(&json).unwrap().as_str(),
            "Job.Resumed"
        );
    }
}
