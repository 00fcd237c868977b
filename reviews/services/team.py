"""The team's own findings and actions on a review: written while it is a draft, actions done any time."""

from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import record_event, stored_row
from golive.permissions import Action, person, require, require_rule
from golive.services.records import create_record, update_record
from reviews.models import Review, ReviewAction, TeamFinding
from reviews.services.reviews import PUBLISHED_REFUSAL


def _require_draft(review: Review) -> None:
    if not Review.objects.filter(pk=review.pk, state="draft").exists():
        raise ValidationError(PUBLISHED_REFUSAL)


def _require_member(review: Review, owner: AbstractBaseUser) -> None:
    if not review.release.memberships.filter(user=owner).exists():
        raise ValidationError({"owner": "The owner must be a member of the release."})


@transaction.atomic
def add_team_finding(*, review: Review, actor: AbstractBaseUser, text: str) -> TeamFinding:
    require(actor, review.release, Action.WRITE_REVIEW)
    _require_draft(review)
    return create_record(
        TeamFinding(review=review, text=text, added_by=person(actor)),
        actor=actor,
        verb="review_finding.added",
    )


@transaction.atomic
def edit_team_finding(*, finding: TeamFinding, actor: AbstractBaseUser, text: str) -> TeamFinding:
    require(actor, finding.review.release, Action.WRITE_REVIEW)
    _require_draft(finding.review)
    return update_record(
        stored_row(finding), actor=actor, verb="review_finding.changed", values={"text": text}
    )


@transaction.atomic
def remove_team_finding(*, finding: TeamFinding, actor: AbstractBaseUser) -> None:
    require(actor, finding.review.release, Action.WRITE_REVIEW)
    _require_draft(finding.review)
    record_event(
        verb="review_finding.removed",
        actor=actor,
        target=finding,
        release=finding.review.release,
        data={"text": finding.text},
    )
    finding.delete()


@transaction.atomic
def add_review_action(
    *, review: Review, actor: AbstractBaseUser, text: str, owner: AbstractBaseUser, due_date: date
) -> ReviewAction:
    require(actor, review.release, Action.WRITE_REVIEW)
    _require_draft(review)
    _require_member(review, owner)
    return create_record(
        ReviewAction(review=review, text=text, owner=owner, due_date=due_date),
        actor=actor,
        verb="review_action.added",
    )


@transaction.atomic
def edit_review_action(
    *, action: ReviewAction, actor: AbstractBaseUser, text: str, owner: AbstractBaseUser, due_date: date
) -> ReviewAction:
    require(actor, action.review.release, Action.WRITE_REVIEW)
    _require_draft(action.review)
    _require_member(action.review, owner)
    values = {"text": text, "owner": owner, "due_date": due_date}
    return update_record(stored_row(action), actor=actor, verb="review_action.changed", values=values)


@transaction.atomic
def complete_review_action(*, action: ReviewAction, actor: AbstractBaseUser) -> ReviewAction:
    """Done by its owner or by whoever writes the review, also after publishing: actions outlive it."""
    release = action.review.release
    require_rule(actor, "complete_review_action", action, release=release)
    action = ReviewAction.objects.select_for_update().get(pk=action.pk)
    if action.done_at is not None:
        return action
    action.done_at = timezone.now()
    action.done_by = person(actor)
    action.save(update_fields=["done_at", "done_by"])
    record_event(
        verb="review_action.done",
        actor=actor,
        target=action,
        release=release,
        changes={"done_at": [None, action.done_at.isoformat()]},
    )
    return action
