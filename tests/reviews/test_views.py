"""The review pages: what each role sees and may press, and bad input answered on the form."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communications.services.production_issues import create_issue
from golive.choices import Role
from reviews.choices import DraftTrigger, ReviewState
from reviews.models import Review, ReviewAction, TeamFinding
from reviews.services.reviews import draft_review


@pytest.fixture
def review(live_release, manager, known_defect):
    create_issue(
        release=live_release, actor=manager, title="Wrong order totals", what_happened="…", impact="…",
        caused_by_defect=known_defect,
    )  # fmt: skip
    return draft_review(release=live_release, actor=manager, trigger=DraftTrigger.BY_HAND)[0]


def _url(name, release, *args):
    return reverse(f"reviews:{name}", args=[release.pk, *args])


def test_the_review_page_shows_the_forecast_and_the_defect_line(review, live_release, members, client_for):
    page = client_for(members[Role.STAKEHOLDER]).get(_url("review", live_release)).content.decode()
    assert "CONDITIONAL GO" in page and "0 blockers open" in page
    assert (
        "ORD-103 “Order total rounds the wrong way”, non-blocking at CONDITIONAL GO → production issue"
        in page
    )
    assert "Publish" not in page and "Add a finding" not in page, "a stakeholder only reads"


def test_the_release_manager_sees_publish_and_redraft(review, live_release, manager, client_for):
    page = client_for(manager).get(_url("review", live_release)).content.decode()
    assert "Publish" in page and "Redraft from today" in page and "Add an action" in page


def test_no_review_yet_offers_drafting_to_the_release_manager(decided_release, manager, client_for):
    client = client_for(manager)
    page = client.get(_url("review", decided_release)).content.decode()
    assert "No review yet" in page and "7 days after go-live" in page and "Draft it now" in page
    assert client.post(_url("review_draft", decided_release)).status_code == 302
    assert Review.objects.get(release=decided_release).trigger == DraftTrigger.BY_HAND


def test_publish_then_redraft_is_refused_with_a_message(review, live_release, manager, client_for):
    client = client_for(manager)
    client.post(_url("review_publish", live_release))
    assert Review.objects.get(pk=review.pk).state == ReviewState.PUBLISHED
    response = client.post(_url("review_redraft", live_release), follow=True)
    assert "published" in response.content.decode()


def test_adding_a_finding_and_an_action_through_the_forms(review, live_release, members, client_for):
    client = client_for(members[Role.PRODUCTION_SUPPORT])
    response = client.post(_url("finding_create", live_release), {"text": "Alerts went to an old list."})
    assert response.status_code == 302
    due = timezone.localdate() + timedelta(days=10)
    response = client.post(
        _url("action_create", live_release),
        {"text": "Update the alert list", "owner": members[Role.SCRUM_TEAM].pk, "due_date": due.isoformat()},
    )
    assert response.status_code == 302
    assert TeamFinding.objects.get().text == "Alerts went to an old list."
    assert ReviewAction.objects.get().due_date == due


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"text": ""}, "text"),
        ({"due_date": "2026-13-45"}, "due_date"),
        ({"due_date": "1999-01-01"}, "due_date"),
        ({"owner": "999999"}, "owner"),
        ({"owner": "not a number"}, "owner"),
        ({"text": "the password is Sommer2026!"}, "text"),
    ],
)
def test_bad_action_input_is_a_form_error(review, live_release, manager, client_for, values, field):
    data = {"text": "Rehearse", "owner": manager.pk, "due_date": timezone.localdate().isoformat(), **values}
    response = client_for(manager).post(_url("action_create", live_release), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ReviewAction.objects.exists()


def test_a_stranger_as_owner_is_not_a_choice(review, live_release, manager, stranger, client_for):
    data = {"text": "x", "owner": stranger.pk, "due_date": timezone.localdate().isoformat()}
    response = client_for(manager).post(_url("action_create", live_release), data)
    assert "owner" in response.context["form"].errors


def test_editing_a_finding_of_a_published_review_is_a_form_error(review, live_release, manager, client_for):
    finding = TeamFinding.objects.create(review=review, text="Kept as it was")
    Review.objects.filter(pk=review.pk).update(state=ReviewState.PUBLISHED)
    response = client_for(manager).post(_url("finding_edit", live_release, finding.pk), {"text": "Changed"})
    assert response.status_code == 200 and "published" in response.content.decode()
    assert TeamFinding.objects.get(pk=finding.pk).text == "Kept as it was"


def test_a_finding_of_another_release_is_not_found(review, live_release, manager, client_for):
    other = Review.objects.create(
        release=type(live_release).objects.create(
            name="Other", application="Other", version="1", target_go_live=timezone.now()
        ),
        trigger="by_hand",
        drafted_at=timezone.now(),
    )
    finding = TeamFinding.objects.create(review=other, text="Elsewhere")
    response = client_for(manager).get(_url("finding_edit", live_release, finding.pk))
    assert response.status_code == 404


def test_the_action_owner_sees_mark_done(review, live_release, members, client_for):
    owner = members[Role.STAKEHOLDER]
    action = ReviewAction.objects.create(
        review=review, text="Watch", owner=owner, due_date=timezone.localdate()
    )
    vendor_page = client_for(members[Role.VENDOR_SUPPORT]).get(_url("review", live_release)).content.decode()
    assert "Watch" in vendor_page and "Mark done" not in vendor_page
    client = client_for(owner)
    assert "Mark done" in client.get(_url("review", live_release)).content.decode()
    assert client.post(_url("action_done", live_release, action.pk)).status_code == 302
    assert ReviewAction.objects.get(pk=action.pk).done_by == owner
