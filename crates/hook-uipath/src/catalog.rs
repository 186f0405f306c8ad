//! Orchestrator's event types: every delivery body of UiPath's published OpenAPI
//! (`x-webhook-event`), 47 of them.

use hook_model::CatalogEntry;

/// Orchestrator's event types, as the `x-webhook-event` schemas of its OpenAPI name them;
/// the group is the part before the first dot.
pub const EVENTS: [CatalogEntry; 47] = hook_model::catalog! {
    "alert" {
        "alert.subscribed": "A user subscribed to alerts.",
        "alert.unsubscribed": "A user unsubscribed from alerts.",
    }
    "blobfile" {
        "blobfile.deleted": "A file was deleted from a storage bucket.",
        "blobfile.uploaded": "A file was uploaded to a storage bucket.",
    }
    "custom" {
        "custom": "A custom event, raised by TriggerCustom or a robot activity.",
    }
    "deploymentsetting" {
        "deploymentsetting.updated": "A deployment setting was updated.",
    }
    "job" {
        "job.completed": "A job completed successfully.",
        "job.created": "Jobs were created and queued for execution.",
        "job.faulted": "A job failed to finish execution.",
        "job.resumed": "A suspended job resumed.",
        "job.started": "A job started execution on a robot.",
        "job.stopped": "Jobs were stopped.",
        "job.stopping": "A job is stopping.",
        "job.suspended": "A job suspended execution on a robot.",
        "job.terminating": "A job is being terminated.",
    }
    "ping" {
        "ping": "Sent right after a webhook is created or updated, and by Ping.",
    }
    "process" {
        "process.created": "A process (release) was created.",
        "process.deleted": "A process (release) was deleted.",
        "process.updated": "A process (release) was updated.",
    }
    "queue" {
        "queue.created": "Queue definitions were created.",
        "queue.deleted": "Queue definitions were deleted.",
        "queue.updated": "Queue definitions were updated.",
    }
    "queueItem" {
        "queueItem.added": "Queue items were added.",
        "queueItem.deferred": "A queue item was deferred.",
        "queueItem.deleted": "Queue items were deleted.",
        "queueItem.retried": "A queue item was retried.",
        "queueItem.reviewStatusChanged": "The review status of queue items changed.",
        "queueItem.transactionAbandoned": "Queue item transactions expired and were abandoned.",
        "queueItem.transactionCompleted": "A queue item transaction completed successfully.",
        "queueItem.transactionFailed": "A queue item transaction failed.",
        "queueItem.transactionStarted": "A queue item transaction started.",
        "queueItem.updated": "Queue items were updated.",
    }
    "robot" {
        "robot.created": "Robots were created.",
        "robot.deleted": "Robots were deleted.",
        "robot.status": "A robot's session changed.",
        "robot.updated": "Robots were updated.",
    }
    "schedule" {
        "schedule.failed": "A trigger (process schedule) failed to start a job.",
    }
    "stc" {
        "stc.task.update": "Tasks were updated.",
    }
    "task" {
        "task.assignmentChanged": "A task was assigned, reassigned or unassigned.",
        "task.completed": "A task was completed.",
        "task.created": "A task was created.",
        "task.deleted": "A task was deleted.",
        "task.forwarded": "A task was forwarded.",
        "task.saved": "A task was saved.",
        "task.sla.evaluate": "A task's SLA schedule expired.",
        "task.sla.update": "Tasks with SLA configurations were updated.",
        "task.updated": "A task was updated.",
    }
};
