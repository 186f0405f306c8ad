//! The generic service's events.

use hook_model::CatalogEntry;

/// The generic service's events.
pub const EVENTS: [CatalogEntry; 9] = [
    CatalogEntry::new("user.created", "user", "New user registered."),
    CatalogEntry::new("user.updated", "user", "User profile updated."),
    CatalogEntry::new("user.deleted", "user", "User account deleted."),
    CatalogEntry::new("project.created", "project", "New project created."),
    CatalogEntry::new("project.updated", "project", "Project modified."),
    CatalogEntry::new("project.deleted", "project", "Project deleted."),
    CatalogEntry::new("file.uploaded", "file", "File uploaded."),
    CatalogEntry::new(
        "payment.succeeded",
        "payment",
        "Payment processed successfully.",
    ),
    CatalogEntry::new("payment.failed", "payment", "Payment failed."),
];
