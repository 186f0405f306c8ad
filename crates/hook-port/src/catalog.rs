//! The triggers of Port automations: what makes Port send its signed outgoing calls.

use hook_model::CatalogEntry;

/// The event types of Port automation triggers (Port's docs, "Setup trigger"). Port's
/// webhooks are inbound and subscribe to none of these: an automation whose trigger is one
/// of them invokes a webhook backend, signed with the organization's client secret.
pub const EVENTS: [CatalogEntry; 8] = hook_model::catalog! {
    "entity" {
        "ENTITY_CREATED": "An entity of the blueprint was created.",
        "ENTITY_UPDATED": "An entity of the blueprint was updated.",
        "ENTITY_DELETED": "An entity of the blueprint was deleted.",
        "ANY_ENTITY_CHANGE": "An entity of the blueprint was created, updated or deleted.",
        "TIMER_PROPERTY_EXPIRED": "A timer property of an entity expired.",
    }
    "run" {
        "RUN_CREATED": "A run of the action was created.",
        "RUN_UPDATED": "A run of the action was updated.",
        "ANY_RUN_CHANGE": "A run of the action was created or updated.",
    }
};
