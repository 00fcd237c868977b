"""Celery beat's schedule: every periodic task and how often it runs.

A periodic task with `expires` equal to its period is dropped, not replayed, when workers were down while
it was due: the next tick does the same work.
"""


def _every(seconds: float, task: str, *, expires: float | None = None) -> dict:
    entry = {"task": task, "schedule": float(seconds)}
    if expires is not None:
        entry["options"] = {"expires": expires}
    return entry


def celery_beat_schedule(*, dispatch_every_seconds: int) -> dict:
    return {
        "smoketests-dispatch-due-monitors": _every(
            dispatch_every_seconds, "smoketests.dispatch_due_monitors", expires=10
        ),
        "smoketests-reap": _every(10, "smoketests.reap_smoke_runs", expires=10),
        "smoketests-prune": _every(3600, "smoketests.prune_monitor_results"),
        "golive-remind-voters": _every(300, "golive.remind_voters", expires=300),
        # Messages, webhook deliveries and status-page mails a down broker left waiting are handed to the
        # workers again; retries themselves are scheduled by Celery.
        "golive-resend-stalled-communications": _every(
            60, "golive.resend_stalled_communications", expires=60
        ),
        "golive-resend-pending-webhooks": _every(60, "golive.resend_pending_webhook_deliveries", expires=60),
        "statuspage-resend-pending-mails": _every(60, "statuspage.resend_pending_update_mails", expires=60),
        # Deployments kept waiting are asked again every minute: a freeze that ends, or an overdue condition
        # marked done, changes the gate without any event.
        "forge-reevaluate-waiting-deployments": _every(60, "forge.reevaluate_deployment_reviews", expires=60),
        # Post-implementation reviews due REVIEW_DRAFT_DAYS after go-live are drafted (README,
        # "Post-implementation review").
        "reviews-draft-due": _every(3600, "reviews.draft_due_reviews", expires=3600),
    }
