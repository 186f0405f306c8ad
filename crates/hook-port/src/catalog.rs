//! The event names Port webhooks are documented with in this SDK's earlier model.

use hook_model::CatalogEntry;

/// Port's event names (*unconfirmed*: Port's webhooks are inbound, so these name what a
/// third party may send, not a subscription list Port validates).
pub const EVENTS: [CatalogEntry; 12] = [
    CatalogEntry::new("entity.created", "entity", "An entity was created."),
    CatalogEntry::new("entity.updated", "entity", "An entity was updated."),
    CatalogEntry::new("entity.deleted", "entity", "An entity was deleted."),
    CatalogEntry::new("action.created", "action", "An action was created."),
    CatalogEntry::new("action.updated", "action", "An action was updated."),
    CatalogEntry::new("action.deleted", "action", "An action was deleted."),
    CatalogEntry::new("run.created", "run", "An action run was created."),
    CatalogEntry::new("run.updated", "run", "An action run's status changed."),
    CatalogEntry::new("run.completed", "run", "An action run completed."),
    CatalogEntry::new("blueprint.created", "blueprint", "A blueprint was created."),
    CatalogEntry::new("blueprint.updated", "blueprint", "A blueprint was updated."),
    CatalogEntry::new("blueprint.deleted", "blueprint", "A blueprint was deleted."),
];
