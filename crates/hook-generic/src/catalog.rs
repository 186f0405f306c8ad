//! The generic service's events.

use hook_model::CatalogEntry;

/// The generic service's events.
pub const EVENTS: [CatalogEntry; 9] = hook_model::catalog! {
    "user" {
        "user.created": "New user registered.",
        "user.updated": "User profile updated.",
        "user.deleted": "User account deleted.",
    }
    "project" {
        "project.created": "New project created.",
        "project.updated": "Project modified.",
        "project.deleted": "Project deleted.",
    }
    "file" {
        "file.uploaded": "File uploaded.",
    }
    "payment" {
        "payment.succeeded": "Payment processed successfully.",
        "payment.failed": "Payment failed.",
    }
};
