"""What reviews do when other parts of GoLive Desk tell them something. Connected in apps.ready()."""

from functools import partial

from django.db import transaction
from django.dispatch import receiver

from golive.send_or_queue import send_or_leave_queued
from handover.signals import handover_completed
from reviews.tasks import draft_review_after_handover_task


@receiver(handover_completed, dispatch_uid="reviews.draft_after_handover")
def draft_review_when_handover_completes(sender, plan, **kwargs) -> None:
    """The signal comes inside the sign-off's transaction: the worker drafts once it is committed. With the
    broker down, the daily sweep (reviews.draft_due_reviews) drafts it REVIEW_DRAFT_DAYS after go-live."""
    release_id = plan.release_id
    transaction.on_commit(
        partial(
            send_or_leave_queued,
            draft_review_after_handover_task,
            release_id,
            what=f"Review of release {release_id}",
        )
    )
