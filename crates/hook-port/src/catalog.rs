//! The triggers of Port automations: what makes Port send its signed outgoing calls.

use hook_model::CatalogEntry;

/// The event types of Port automation triggers (Port's docs, "Setup trigger"). Port's
/// webhooks are inbound and subscribe to none of these: an automation whose trigger is one
/// of them invokes a webhook backend, signed with the organization's client secret.
pub const EVENTS: [CatalogEntry; 8] = [
    CatalogEntry::new(
        "ENTITY_CREATED",
        "entity",
        "An entity of the blueprint was created.",
    ),
    CatalogEntry::new(
        "ENTITY_UPDATED",
        "entity",
        "An entity of the blueprint was updated.",
    ),
    CatalogEntry::new(
        "ENTITY_DELETED",
        "entity",
        "An entity of the blueprint was deleted.",
    ),
    CatalogEntry::new(
        "ANY_ENTITY_CHANGE",
        "entity",
        "An entity of the blueprint was created, updated or deleted.",
    ),
    CatalogEntry::new(
        "TIMER_PROPERTY_EXPIRED",
        "entity",
        "A timer property of an entity expired.",
    ),
    CatalogEntry::new("RUN_CREATED", "run", "A run of the action was created."),
    CatalogEntry::new("RUN_UPDATED", "run", "A run of the action was updated."),
    CatalogEntry::new(
        "ANY_RUN_CHANGE",
        "run",
        "A run of the action was created or updated.",
    ),
];
