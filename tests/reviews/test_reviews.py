"""Drafting is idempotent, triggered by the beat sweep and by the handover's completion; redraft and
publish belong to the release manager."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from communications.services.production_issues import create_issue
from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import SYSTEM, NotAllowed
from handover.models import HandoverPlan
from handover.signals import handover_completed
from reviews.choices import DraftTrigger, FindingKind, ReviewState
from reviews.models import DraftedFinding, Review
from reviews.services.reviews import draft_review, publish_review, redraft_review
from reviews.services.team import add_team_finding
from reviews.tasks import draft_due_reviews_task
from tests.reviews.conftest import back_date_go_live, take_live


def test_the_beat_task_drafts_releases_live_for_the_configured_days_once(
    decided_release, manager, eager_tasks, settings
):
    settings.REVIEW_DRAFT_DAYS = 7
    assert settings.CELERY_BEAT_SCHEDULE["reviews-draft-due"]["task"] == draft_due_reviews_task.name
    take_live(decided_release, manager, days_ago=6)
    assert draft_due_reviews_task.delay().get() == []
    assert not Review.objects.exists(), "six days after go-live: not due"

    back_date_go_live(decided_release, days_ago=7.1)
    assert draft_due_reviews_task.delay().get() == [decided_release.pk]
    review = Review.objects.get(release=decided_release)
    assert review.trigger == DraftTrigger.DAYS_AFTER_GO_LIVE and review.state == ReviewState.DRAFT
    drafted = list(review.drafted_findings.values_list("pk", flat=True))

    assert draft_due_reviews_task.delay().get() == []
    assert Review.objects.filter(release=decided_release).count() == 1
    assert list(review.drafted_findings.values_list("pk", flat=True)) == drafted, "not redrafted"
    event = AuditEvent.objects.get(verb="review.drafted")
    assert event.actor is None and event.data["trigger"] == DraftTrigger.DAYS_AFTER_GO_LIVE


def test_the_days_come_from_the_setting(decided_release, manager, eager_tasks, settings):
    settings.REVIEW_DRAFT_DAYS = 2
    take_live(decided_release, manager, days_ago=3)
    assert draft_due_reviews_task.delay().get() == [decided_release.pk]


def test_default_is_seven_days():
    assert settings.REVIEW_DRAFT_DAYS == 7


def test_handover_completion_drafts_the_review_after_commit(
    live_release, eager_tasks, django_capture_on_commit_callbacks
):
    plan = HandoverPlan.objects.create(release=live_release)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        handover_completed.send(sender=HandoverPlan, plan=plan)
    assert not Review.objects.exists(), "nothing before the sign-off commits"
    for callback in callbacks:
        callback()
    review = Review.objects.get(release=live_release)
    assert review.trigger == DraftTrigger.HANDOVER_COMPLETED
    handover_completed.send(sender=HandoverPlan, plan=plan)
    assert Review.objects.filter(release=live_release).count() == 1


def test_drafting_twice_returns_the_first_review(live_release, manager):
    first, created = draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)
    again, created_again = draft_review(release=live_release, actor=SYSTEM, trigger=DraftTrigger.BY_HAND)
    assert created and not created_again and again.pk == first.pk


@pytest.mark.parametrize(
    "role", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER, Role.PRODUCTION_SUPPORT]
)
def test_only_the_release_manager_drafts_redrafts_and_publishes(live_release, members, manager, role):
    with pytest.raises(NotAllowed):
        draft_review(release=live_release, actor=members[role], trigger=DraftTrigger.BY_HAND)
    review, _ = draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)
    with pytest.raises(NotAllowed):
        redraft_review(review=review, actor=members[role])
    with pytest.raises(NotAllowed):
        publish_review(review=review, actor=members[role])
    assert Review.objects.get(pk=review.pk).state == ReviewState.DRAFT


def test_a_stranger_may_not_draft(live_release, stranger):
    with pytest.raises(NotAllowed):
        draft_review(release=live_release, actor=stranger, trigger=DraftTrigger.BY_HAND)


def test_redraft_recomputes_from_todays_data_and_keeps_the_teams_findings(
    live_release, manager, known_defect
):
    review, _ = draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)
    add_team_finding(review=review, actor=manager, text="The rehearsal used a small copy.")
    assert not review.drafted_findings.filter(kind=FindingKind.DEFECT_CAUSED_ISSUE).exists()
    create_issue(
        release=live_release, actor=manager, title="Wrong totals", what_happened="…", impact="…",
        caused_by_defect=known_defect,
    )  # fmt: skip
    assert not review.drafted_findings.filter(kind=FindingKind.DEFECT_CAUSED_ISSUE).exists(), "frozen"
    redraft_review(review=review, actor=manager)
    assert review.drafted_findings.filter(kind=FindingKind.DEFECT_CAUSED_ISSUE).count() == 1
    assert review.team_findings.count() == 1
    assert AuditEvent.objects.filter(verb="review.redrafted", actor=manager).count() == 1


def test_publishing_is_audited_and_freezes_the_review(live_release, manager):
    review, _ = draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)
    drafted = DraftedFinding.objects.filter(review=review).count()
    publish_review(review=review, actor=manager)
    review.refresh_from_db()
    assert review.state == ReviewState.PUBLISHED and review.published_by == manager
    event = AuditEvent.objects.get(verb="review.state_changed")
    assert event.changes == {"state": ["draft", "published"]} and event.actor == manager
    with pytest.raises(ValidationError):
        redraft_review(review=review, actor=manager)
    with pytest.raises(ValidationError):
        publish_review(review=review, actor=manager)
    with pytest.raises(ValidationError):
        add_team_finding(review=review, actor=manager, text="Too late")
    assert DraftedFinding.objects.filter(review=review).count() == drafted


def test_the_table_holds_one_review_per_release_whoever_drafts(live_release, manager, monkeypatch):
    """Two drafters that both saw no review: the second's insert fails and it returns the first's review."""
    first, _ = draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)
    real_filter = Review.objects.filter
    calls = []

    def filter_seeing_nothing_once(*args, **kwargs):
        calls.append(kwargs)
        queryset = real_filter(*args, **kwargs)
        return queryset.none() if len(calls) == 1 else queryset

    monkeypatch.setattr(Review.objects, "filter", filter_seeing_nothing_once)
    again, created = draft_review(release=live_release, actor=SYSTEM, trigger=DraftTrigger.BY_HAND)
    assert not created and again.pk == first.pk
    assert Review.objects.count() == 1
    assert AuditEvent.objects.filter(verb="review.drafted").count() == 1
