//! UP42's webhook events, as `GET /webhooks/events` lists them.

use hook_model::CatalogEntry;

/// UP42's webhook events.
pub const EVENTS: [CatalogEntry; 2] = hook_model::catalog! {
    "job" {
        "job.status": "A job's status changed.",
    }
    "order" {
        "order.status": "An order completed, successfully or not.",
    }
};
