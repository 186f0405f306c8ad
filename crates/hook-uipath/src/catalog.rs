//! Orchestrator's event types, as `GetEventTypes` lists them.

use hook_model::CatalogEntry;

/// Orchestrator's event types, in the order `GetEventTypes` lists them.
pub const EVENTS: [CatalogEntry; 21] = [
    CatalogEntry::new("process.created", "process", "A process was created."),
    CatalogEntry::new("process.updated", "process", "A process was updated."),
    CatalogEntry::new("process.deleted", "process", "A process was deleted."),
    CatalogEntry::new(
        "schedule.failed",
        "schedule",
        "A trigger (process schedule) failed to start a job.",
    ),
    CatalogEntry::new("robot.status", "robot", "A robot's status changed."),
    CatalogEntry::new("job.started", "job", "A job started."),
    CatalogEntry::new("job.completed", "job", "A job completed successfully."),
    CatalogEntry::new("job.faulted", "job", "A job faulted."),
    CatalogEntry::new("job.stopped", "job", "A job was stopped."),
    CatalogEntry::new("job.created", "job", "A job was created."),
    CatalogEntry::new("queue.created", "queue", "A queue was created."),
    CatalogEntry::new("queue.updated", "queue", "A queue was updated."),
    CatalogEntry::new("queue.deleted", "queue", "A queue was deleted."),
    CatalogEntry::new(
        "queueItem.added",
        "queueItem",
        "An item was added to a queue.",
    ),
    CatalogEntry::new(
        "queueItem.transactionStarted",
        "queueItem",
        "A queue item transaction started.",
    ),
    CatalogEntry::new(
        "queueItem.transactionFailed",
        "queueItem",
        "A queue item transaction failed.",
    ),
    CatalogEntry::new(
        "queueItem.transactionCompleted",
        "queueItem",
        "A queue item transaction completed.",
    ),
    CatalogEntry::new(
        "queueItem.transactionAbandoned",
        "queueItem",
        "A queue item transaction was abandoned.",
    ),
    CatalogEntry::new("robot.created", "robot", "A robot was created."),
    CatalogEntry::new("robot.updated", "robot", "A robot was updated."),
    CatalogEntry::new("robot.deleted", "robot", "A robot was deleted."),
];
