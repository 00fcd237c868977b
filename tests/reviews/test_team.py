"""The team's findings and actions: who may write them, what is refused, and that each change is audited."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import NotAllowed
from reviews.choices import DraftTrigger
from reviews.models import ReviewAction, TeamFinding
from reviews.services.reviews import draft_review, publish_review
from reviews.services.team import (
    add_review_action,
    add_team_finding,
    complete_review_action,
    edit_review_action,
    edit_team_finding,
    remove_team_finding,
)

WRITERS = [Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.PRODUCTION_SUPPORT]
READERS = [Role.STAKEHOLDER, Role.VENDOR_SUPPORT]


@pytest.fixture
def review(live_release, manager):
    return draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)[0]


@pytest.fixture
def action(review, manager, members):
    return add_review_action(
        review=review, actor=manager, text="Rehearse on a full copy", owner=members[Role.STAKEHOLDER],
        due_date=timezone.localdate() + timedelta(days=14),
    )  # fmt: skip


@pytest.mark.parametrize("role", WRITERS)
def test_the_delivery_team_and_support_write_findings_and_actions(review, members, role):
    finding = add_team_finding(review=review, actor=members[role], text="Alerts reached nobody at night.")
    edit_team_finding(finding=finding, actor=members[role], text="Alerts reached nobody before 7:00.")
    action = add_review_action(
        review=review, actor=members[role], text="Page the on-call", owner=members[Role.SCRUM_TEAM],
        due_date=timezone.localdate(),
    )  # fmt: skip
    edit_review_action(
        action=action, actor=members[role], text="Page the on-call engineer", owner=members[Role.SCRUM_TEAM],
        due_date=timezone.localdate(),
    )  # fmt: skip
    remove_team_finding(finding=finding, actor=members[role])
    verbs = list(AuditEvent.objects.filter(verb__startswith="review_").values_list("verb", flat=True))
    assert sorted(verbs) == sorted(
        ["review_finding.added", "review_finding.changed", "review_action.added", "review_action.changed",
         "review_finding.removed"]
    )  # fmt: skip
    assert TeamFinding.objects.count() == 0
    assert ReviewAction.objects.get().text == "Page the on-call engineer"


@pytest.mark.parametrize("role", READERS)
def test_stakeholders_and_vendors_only_read(review, members, role, manager):
    finding = add_team_finding(review=review, actor=manager, text="Kept")
    with pytest.raises(NotAllowed):
        add_team_finding(review=review, actor=members[role], text="Mine")
    with pytest.raises(NotAllowed):
        edit_team_finding(finding=finding, actor=members[role], text="Changed")
    with pytest.raises(NotAllowed):
        remove_team_finding(finding=finding, actor=members[role])
    with pytest.raises(NotAllowed):
        add_review_action(
            review=review, actor=members[role], text="x", owner=manager, due_date=timezone.localdate()
        )
    assert TeamFinding.objects.get().text == "Kept"


def test_a_stranger_writes_nothing(review, stranger, action):
    with pytest.raises(NotAllowed):
        add_team_finding(review=review, actor=stranger, text="Hello")
    with pytest.raises(NotAllowed):
        complete_review_action(action=action, actor=stranger)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "Rotate it: password=hunter2hunter2"}, "text"),
        ({"due_date": date(1999, 12, 31)}, "due_date"),
        ({"due_date": date(2101, 1, 1)}, "due_date"),
    ],
)
def test_bad_actions_are_refused_and_nothing_is_saved(review, manager, values, field):
    good = {"text": "Rehearse", "owner": manager, "due_date": timezone.localdate()}
    with pytest.raises(ValidationError) as refused:
        add_review_action(review=review, actor=manager, **(good | values))
    assert field in refused.value.message_dict
    assert not ReviewAction.objects.exists()


def test_an_action_owner_must_be_a_member(review, manager, stranger, action):
    with pytest.raises(ValidationError) as refused:
        add_review_action(
            review=review, actor=manager, text="x", owner=stranger, due_date=timezone.localdate()
        )
    assert "owner" in refused.value.message_dict
    with pytest.raises(ValidationError):
        edit_review_action(
            action=action, actor=manager, text="x", owner=stranger, due_date=timezone.localdate()
        )
    assert ReviewAction.objects.get(pk=action.pk).owner != stranger


@pytest.mark.parametrize("text", ["", "token=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"])
def test_bad_findings_are_refused(review, manager, text):
    with pytest.raises(ValidationError):
        add_team_finding(review=review, actor=manager, text=text)
    assert not TeamFinding.objects.exists()


def test_the_owner_marks_their_action_done_once(action, members):
    owner = members[Role.STAKEHOLDER]
    complete_review_action(action=action, actor=owner)
    done_at = ReviewAction.objects.get(pk=action.pk).done_at
    complete_review_action(action=action, actor=owner)
    action.refresh_from_db()
    assert action.done_at == done_at and action.done_by == owner
    assert AuditEvent.objects.filter(verb="review_action.done").count() == 1


def test_a_reader_who_does_not_own_the_action_may_not_mark_it_done(action, members):
    with pytest.raises(NotAllowed):
        complete_review_action(action=action, actor=members[Role.VENDOR_SUPPORT])
    assert ReviewAction.objects.get(pk=action.pk).done_at is None


def test_after_publishing_actions_are_still_done_but_not_changed(review, manager, action, members):
    publish_review(review=review, actor=manager)
    with pytest.raises(ValidationError):
        edit_review_action(
            action=action, actor=manager, text="Changed", owner=manager, due_date=timezone.localdate()
        )
    complete_review_action(action=action, actor=members[Role.SCRUM_TEAM])
    action.refresh_from_db()
    assert action.text == "Rehearse on a full copy" and action.done_at is not None
