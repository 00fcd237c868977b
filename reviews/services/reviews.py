"""Drafting, redrafting and publishing a release's post-implementation review.

One review per release (the table's unique release says so too): drafting a release that has one returns
it unchanged, so the beat task, the handover signal and the release manager can all ask at once. Only an
explicit redraft of a review still in draft recomputes its drafted findings.
"""

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from golive.audit import move_and_record, record_event
from golive.models import Release
from golive.permissions import Action, person, require
from reviews.choices import ReviewState
from reviews.drafting import draft_findings
from reviews.models import DraftedFinding, Review

PUBLISHED_REFUSAL = "The review is published: it is a record now and can no longer change."


def _store_findings(review: Review, *, now: datetime) -> int:
    draft = draft_findings(review.release, now=now)
    review.drafted_findings.all().delete()
    DraftedFinding.objects.bulk_create(
        DraftedFinding(
            review=review,
            kind=row.kind,
            text=row.text,
            source_type=row.source_type,
            source_id=row.source_id,
            facts=row.facts,
            position=position,
        )
        for position, row in enumerate(draft.findings)
    )
    review.inputs = draft.inputs
    review.drafted_at = now
    review.save(update_fields=["inputs", "drafted_at"])
    return len(draft.findings)


def draft_review(*, release: Release, actor: AbstractBaseUser, trigger: str) -> tuple[Review, bool]:
    """The release's review, drafted now if it has none: (review, whether it was drafted now)."""
    require(actor, release, Action.PUBLISH_REVIEW)
    existing = Review.objects.filter(release=release).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    try:
        with transaction.atomic():
            review = Review.objects.create(release=release, trigger=trigger, drafted_at=now)
            count = _store_findings(review, now=now)
            record_event(
                verb="review.drafted",
                actor=actor,
                target=review,
                release=release,
                data={"trigger": trigger, "findings": count},
            )
    except IntegrityError:
        # Drafted at the same moment by another worker or request: theirs is the one.
        return Review.objects.get(release=release), False
    return review, True


@transaction.atomic
def redraft_review(*, review: Review, actor: AbstractBaseUser) -> Review:
    """Compute the drafted findings again from today's data; the team's findings and actions stay."""
    require(actor, review.release, Action.PUBLISH_REVIEW)
    review = Review.objects.select_for_update().select_related("release").get(pk=review.pk)
    if not review.is_draft:
        raise ValidationError(PUBLISHED_REFUSAL)
    count = _store_findings(review, now=timezone.now())
    record_event(
        verb="review.redrafted", actor=actor, target=review, release=review.release, data={"findings": count}
    )
    return review


@transaction.atomic
def publish_review(*, review: Review, actor: AbstractBaseUser) -> Review:
    require(actor, review.release, Action.PUBLISH_REVIEW)
    review = Review.objects.select_for_update().select_related("release").get(pk=review.pk)
    if not review.is_draft:
        raise ValidationError("The review is already published.")
    return move_and_record(
        review,
        to=ReviewState.PUBLISHED,
        verb="review.state_changed",
        actor=actor,
        release=review.release,
        state_field="state",
        values={"published_at": timezone.now(), "published_by": person(actor)},
        update_fields=["state", "published_at", "published_by"],
    )
