//! UP42's webhook events, as `GET /webhooks/events` lists them.

use hook_model::CatalogEntry;

/// UP42's webhook events.
pub const EVENTS: [CatalogEntry; 2] = [
    CatalogEntry::new("job.status", "job", "A job's status changed."),
    CatalogEntry::new(
        "order.status",
        "order",
        "An order completed, successfully or not.",
    ),
];
