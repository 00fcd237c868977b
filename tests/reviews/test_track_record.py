"""An application's track record: forecast against outcome per release, and whose concerns were borne out."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communications.models import ProductionIssue
from communications.services.production_issues import create_issue
from golive.choices import ReleaseStatus, Role
from golive.services.releases import move_release_status
from reviews.track_record import track_record
from tests.factories import MembershipFactory, ReleaseFactory
from tests.reviews.conftest import decide, take_live


def _sibling(members, **values):
    """Another Customer Portal release with the same team."""
    sibling = ReleaseFactory(**values)
    for role, user in members.items():
        MembershipFactory(release=sibling, user=user, role=role)
    return sibling


def _open_issue(release, actor, *, severity, hours_after_go_live, days_live, **values):
    issue = create_issue(
        release=release, actor=actor, title=f"{severity} issue", what_happened="…", impact="…",
        severity=severity, **values,
    )  # fmt: skip
    opened = timezone.now() - timedelta(days=days_live) + timedelta(hours=hours_after_go_live)
    ProductionIssue.objects.filter(pk=issue.pk).update(opened_at=opened)
    return issue


@pytest.fixture
def history(live_release, members, manager):
    """Three releases of Customer Portal: the live one had a critical issue in hypercare; a calm GO;
    a NO-GO by the product owner's veto. Plus one of another application."""
    _open_issue(live_release, manager, severity="critical", hours_after_go_live=2, days_live=8)
    _open_issue(live_release, manager, severity="major", hours_after_go_live=100, days_live=8)  # after

    calm = _sibling(members, name="Calm release")
    decide(calm, members, choices={Role.RELEASE_MANAGER: "go", Role.PRODUCT_OWNER: "go"})
    take_live(calm, manager, days_ago=5)

    held = _sibling(members, name="Held release")
    decide(held, members, choices={Role.RELEASE_MANAGER: "go", Role.PRODUCT_OWNER: "no_go"})

    _sibling(members, name="Billing", application="Billing API")
    return {"troubled": live_release, "calm": calm, "held": held}


def test_each_release_forecast_against_outcome(history, manager):
    rows = {row["release"].name: row for row in track_record(manager, history["troubled"])["rows"]}
    assert set(rows) == {"Customer Portal spring release", "Calm release", "Held release"}
    troubled = rows["Customer Portal spring release"]
    assert troubled["outcome_label"] == "CONDITIONAL GO" and troubled["blocker_count"] == 0
    assert (troubled["sev1"], troubled["sev2"], troubled["rolled_back"]) == (1, 0, False)
    assert troubled["verdict"] == "Worse than forecast"
    calm = rows["Calm release"]
    assert (calm["outcome_label"], calm["sev1"], calm["sev2"], calm["verdict"]) == ("GO", 0, 0, "As forecast")
    held = rows["Held release"]
    assert held["outcome_label"] == "NO-GO" and held["verdict"] == "Held back by the decision"


def test_a_rollback_after_the_decision_is_trouble(history, manager):
    calm = history["calm"]
    move_release_status(release=calm, to_status=ReleaseStatus.ROLLED_BACK, actor=manager, reason="Broken")
    row = next(row for row in track_record(manager, calm)["rows"] if row["release"] == calm)
    assert row["rolled_back"] and row["verdict"] == "Worse than forecast"


def test_a_materialised_risk_in_hypercare_is_trouble(history, manager, known_risk):
    calm = history["calm"]
    risk = type(known_risk).objects.create(release=calm, title="Peak load", probability=2, impact=2)
    _open_issue(calm, manager, severity="minor", hours_after_go_live=1, days_live=5, caused_by_risk=risk)
    row = next(row for row in track_record(manager, calm)["rows"] if row["release"] == calm)
    assert row["materialised"] == 1 and row["trouble"]


def test_whose_concerns_were_borne_out(history, manager, members):
    voters = {voter.username: voter for voter in track_record(manager, history["troubled"])["voters"]}
    owner = voters[members[Role.PRODUCT_OWNER].get_username()]
    # Go with conditions on the troubled release (tested, borne out), go on the calm one, no-go on the held
    # one (never went live: not tested).
    assert (owner.votes, owner.concerns, owner.concerns_tested, owner.concerns_borne_out) == (3, 2, 1, 1)
    assert owner.borne_out_percent == 100
    release_manager = voters[manager.get_username()]
    assert (release_manager.concerns, release_manager.go_votes_before_trouble) == (0, 1)
    assert release_manager.borne_out_percent is None


def test_only_releases_the_user_may_see(history, members):
    outsider = members[Role.STAKEHOLDER]
    history["calm"].memberships.filter(user=outsider).delete()
    names = {row["release"].name for row in track_record(outsider, history["troubled"])["rows"]}
    assert "Calm release" not in names and "Customer Portal spring release" in names


def test_the_page_explains_its_counting(history, members, client_for):
    page = client_for(members[Role.VENDOR_SUPPORT]).get(
        reverse("reviews:track_record", args=[history["troubled"].pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "A concern</strong> is a vote of no-go or go with conditions" in text
    assert text.count('data-testid="track-record-row"') == 3
    assert "Worse than forecast" in text and "Billing" not in text
