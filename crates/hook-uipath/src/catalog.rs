//! Orchestrator's event types: every delivery body of UiPath's published OpenAPI
//! (`x-webhook-event`), 47 of them.

use hook_model::CatalogEntry;

const fn entry(name: &'static str, group: &'static str, description: &'static str) -> CatalogEntry {
    CatalogEntry::new(name, group, description)
}

/// Orchestrator's event types, as the `x-webhook-event` schemas of its OpenAPI name them;
/// the group is the part before the first dot.
pub const EVENTS: [CatalogEntry; 47] = [
    entry("alert.subscribed", "alert", "A user subscribed to alerts."),
    entry(
        "alert.unsubscribed",
        "alert",
        "A user unsubscribed from alerts.",
    ),
    entry(
        "blobfile.deleted",
        "blobfile",
        "A file was deleted from a storage bucket.",
    ),
    entry(
        "blobfile.uploaded",
        "blobfile",
        "A file was uploaded to a storage bucket.",
    ),
    entry(
        "custom",
        "custom",
        "A custom event, raised by TriggerCustom or a robot activity.",
    ),
    entry(
        "deploymentsetting.updated",
        "deploymentsetting",
        "A deployment setting was updated.",
    ),
    entry("job.completed", "job", "A job completed successfully."),
    entry(
        "job.created",
        "job",
        "Jobs were created and queued for execution.",
    ),
    entry("job.faulted", "job", "A job failed to finish execution."),
    entry("job.resumed", "job", "A suspended job resumed."),
    entry("job.started", "job", "A job started execution on a robot."),
    entry("job.stopped", "job", "Jobs were stopped."),
    entry("job.stopping", "job", "A job is stopping."),
    entry(
        "job.suspended",
        "job",
        "A job suspended execution on a robot.",
    ),
    entry("job.terminating", "job", "A job is being terminated."),
    entry(
        "ping",
        "ping",
        "Sent right after a webhook is created or updated, and by Ping.",
    ),
    entry(
        "process.created",
        "process",
        "A process (release) was created.",
    ),
    entry(
        "process.deleted",
        "process",
        "A process (release) was deleted.",
    ),
    entry(
        "process.updated",
        "process",
        "A process (release) was updated.",
    ),
    entry("queue.created", "queue", "Queue definitions were created."),
    entry("queue.deleted", "queue", "Queue definitions were deleted."),
    entry("queue.updated", "queue", "Queue definitions were updated."),
    entry("queueItem.added", "queueItem", "Queue items were added."),
    entry(
        "queueItem.deferred",
        "queueItem",
        "A queue item was deferred.",
    ),
    entry(
        "queueItem.deleted",
        "queueItem",
        "Queue items were deleted.",
    ),
    entry(
        "queueItem.retried",
        "queueItem",
        "A queue item was retried.",
    ),
    entry(
        "queueItem.reviewStatusChanged",
        "queueItem",
        "The review status of queue items changed.",
    ),
    entry(
        "queueItem.transactionAbandoned",
        "queueItem",
        "Queue item transactions expired and were abandoned.",
    ),
    entry(
        "queueItem.transactionCompleted",
        "queueItem",
        "A queue item transaction completed successfully.",
    ),
    entry(
        "queueItem.transactionFailed",
        "queueItem",
        "A queue item transaction failed.",
    ),
    entry(
        "queueItem.transactionStarted",
        "queueItem",
        "A queue item transaction started.",
    ),
    entry(
        "queueItem.updated",
        "queueItem",
        "Queue items were updated.",
    ),
    entry("robot.created", "robot", "Robots were created."),
    entry("robot.deleted", "robot", "Robots were deleted."),
    entry("robot.status", "robot", "A robot's session changed."),
    entry("robot.updated", "robot", "Robots were updated."),
    entry(
        "schedule.failed",
        "schedule",
        "A trigger (process schedule) failed to start a job.",
    ),
    entry("stc.task.update", "stc", "Tasks were updated."),
    entry(
        "task.assignmentChanged",
        "task",
        "A task was assigned, reassigned or unassigned.",
    ),
    entry("task.completed", "task", "A task was completed."),
    entry("task.created", "task", "A task was created."),
    entry("task.deleted", "task", "A task was deleted."),
    entry("task.forwarded", "task", "A task was forwarded."),
    entry("task.saved", "task", "A task was saved."),
    entry(
        "task.sla.evaluate",
        "task",
        "A task's SLA schedule expired.",
    ),
    entry(
        "task.sla.update",
        "task",
        "Tasks with SLA configurations were updated.",
    ),
    entry("task.updated", "task", "A task was updated."),
];
