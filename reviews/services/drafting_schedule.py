"""When reviews draft themselves: REVIEW_DRAFT_DAYS after go-live (beat), and when the handover completes."""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from golive.models import Release
from golive.permissions import SYSTEM
from handover.interface import moves_to_live, went_live_at
from reviews.choices import DraftTrigger
from reviews.services.reviews import draft_review


def draft_due_reviews(*, now: datetime | None = None) -> list[int]:
    """Draft a review for each release that went live REVIEW_DRAFT_DAYS or more ago and has none yet;
    returns the ids of the releases drafted now. Safe to run again: a release's review is drafted once."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.REVIEW_DRAFT_DAYS)
    candidate_ids = (
        moves_to_live()
        .filter(created_at__lte=cutoff, release__review__isnull=True)
        .values_list("release_id", flat=True)
        .distinct()
    )
    drafted = []
    for release in Release.objects.filter(pk__in=list(candidate_ids)).order_by("pk"):
        # The last move to Live counts: a release that went live again recently is not due yet.
        live_at = went_live_at(release)
        if live_at is None or live_at > cutoff:
            continue
        _, created = draft_review(release=release, actor=SYSTEM, trigger=DraftTrigger.DAYS_AFTER_GO_LIVE)
        if created:
            drafted.append(release.pk)
    return drafted


def draft_review_after_handover(release_id: int) -> bool:
    """The handover completed: draft the release's review now, unless it has one. True if drafted now."""
    release = Release.objects.filter(pk=release_id).first()
    if release is None:
        return False
    _, created = draft_review(release=release, actor=SYSTEM, trigger=DraftTrigger.HANDOVER_COMPLETED)
    return created
