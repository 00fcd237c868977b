"""Releases: list and detail with readiness, scoped to the user's memberships; bounded query counts."""

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import DefectSeverity, Role
from gonogo.models import Decision, DecisionCondition, GoNoGoMeeting, MeetingState
from tests.factories import DefectFactory, MembershipFactory, ReleaseFactory, RiskFactory

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)


def test_the_list_shows_only_the_users_releases(release, members, api_for):
    ReleaseFactory(name="Someone else's release")
    response = api_for(members[Role.VENDOR_SUPPORT]).get(reverse("api:release_list"))
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [release.pk]


def test_a_stranger_sees_an_empty_list_and_staff_sees_every_release(release, stranger, staff, api_for):
    ReleaseFactory()
    assert api_for(stranger).get(reverse("api:release_list")).json()["count"] == 0
    assert api_for(staff).get(reverse("api:release_list")).json()["count"] == 2


def test_the_list_needs_credentials(anonymous_api):
    assert anonymous_api.get(reverse("api:release_list")).status_code == 401


def test_the_list_gives_readiness(release, members, api_for, decide):
    RiskFactory(release=release, probability=5, impact=4)
    RiskFactory(release=release)
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
    decide({Role.RELEASE_MANAGER: ("no_go", "Not ready"), Role.PRODUCT_OWNER: ("no_go", "No")})
    item = api_for(members[Role.STAKEHOLDER]).get(reverse("api:release_list")).json()["results"][0]
    assert item["open_risk_count"] == 2
    assert item["open_defect_count"] == 1
    assert item["blocker_count"] == 2
    assert item["latest_decision"]["outcome"] == "NO_GO"
    assert item["gate_decision"] == "NO_GO"
    assert item["needs_review"] is False
    assert item["status"] == "no_go"


def test_the_list_and_the_detail_give_the_portfolios_readiness_state(release, members, api_for, plan_item):
    """The API once counted only risks and defects, so an overdue handover item or a monitor down never
    showed there: its readiness is now the portfolio's own, state, reasons and counts."""
    from readiness.rules import readiness_for

    DefectFactory(release=release, severity=DefectSeverity.MAJOR)
    plan_item(days_from_today=-2)
    client = api_for(members[Role.STAKEHOLDER])
    item = client.get(reverse("api:release_list")).json()["results"][0]
    detail = client.get(reverse("api:release_detail", args=[release.pk])).json()
    portfolio = readiness_for(release)
    assert portfolio.state == "blocked"
    for body in (item, detail):
        assert body["readiness"]["state"] == "blocked"
        assert body["readiness"]["reasons"] == ["1 handover item overdue", "1 open major defect"]
        assert body["readiness"]["counts"]["overdue_handover_count"] == 1
        assert body["readiness"]["counts"]["major_defect_count"] == 1
        assert body["readiness"]["counts"] == {
            name: value for name, value in portfolio.counts.items() if name in body["readiness"]["counts"]
        }
    assert item["blocker_count"] == 0  # risks and defects only, as the portfolio's "open blockers"


@pytest.fixture
def plan_item(release):
    from datetime import timedelta

    from handover.choices import TeamKind
    from handover.models import HandoverItem, HandoverPlan, SupportTeam
    from tests.factories import UserFactory

    plan = HandoverPlan.objects.create(release=release)
    team = SupportTeam.objects.create(name="Service desk", kind=TeamKind.SERVICE_DESK, lead=UserFactory())
    plan.teams.add(team)

    def make(*, days_from_today: int) -> HandoverItem:
        return HandoverItem.objects.create(
            plan=plan,
            title="Runbook handed over",
            receiving_team=team,
            due_date=timezone.localdate() + timedelta(days=days_from_today),
        )

    return make


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
def test_every_member_reads_the_detail_and_a_stranger_gets_404(
    who, release, members, stranger, staff, api_for
):
    user = {"stranger": stranger, "staff": staff}.get(who) or members[who]
    response = api_for(user).get(reverse("api:release_detail", args=[release.pk]))
    assert response.status_code == (404 if who == "stranger" else 200)
    if who == "stranger":
        assert response.json() == {
            "error": "Not found, or you are not a member of this release.",
            "fields": {},
        }


def test_the_detail_lists_blockers_and_the_moves_allowed_next(release, members, api_for):
    risk = RiskFactory(release=release, title="Payment provider outage", probability=5, impact=5)
    defect = DefectFactory(release=release, title="Login fails", blocks_go_live=True)
    body = api_for(members[Role.SCRUM_TEAM]).get(reverse("api:release_detail", args=[release.pk])).json()
    assert body["blockers"] == {
        "risks": [{"id": risk.pk, "title": "Payment provider outage"}],
        "defects": [{"id": defect.pk, "title": "Login fails"}],
    }
    assert body["allowed_next_statuses"] == ["gonogo_scheduled"]
    assert body["gate_decision"] == "PENDING"
    assert body["latest_decision"] is None
    assert body["review_reasons"] == [] and body["open_conditions"] == []


def test_an_id_too_long_to_be_a_key_is_a_plain_404(members, api_for):
    response = api_for(members[Role.SCRUM_TEAM]).get("/api/v1/releases/99999999999999999999999/")
    assert response.status_code == 404


def _releases_with_readiness(user, count: int) -> None:
    """Releases with open blockers and a go decision recorded before them (so each needs review)."""
    for _ in range(count):
        release = ReleaseFactory()
        MembershipFactory(release=release, user=user, role=Role.RELEASE_MANAGER)
        meeting = GoNoGoMeeting.objects.create(
            release=release, scheduled_at=timezone.now(), chair=user, state=MeetingState.CLOSED
        )
        decision = Decision.objects.create(
            meeting=meeting,
            outcome="CONDITIONAL_GO",
            decided_by=user,
            snapshot={"risks": [], "defects": [], "blockers": {"risks": [], "defects": []}},
        )
        DecisionCondition.objects.create(decision=decision, text="Backup", owner=user, due_date="2020-01-01")
        RiskFactory(release=release, probability=5, impact=5)
        DefectFactory(release=release, severity=DefectSeverity.CRITICAL)


def test_the_list_costs_the_same_queries_for_5_and_50_releases(
    stranger, api_for, django_assert_max_num_queries
):
    client = api_for(stranger)
    url = reverse("api:release_list") + "?page_size=100"
    client.get(url)  # the token's first use is recorded once

    _releases_with_readiness(stranger, 5)
    # Token, count, page; readiness: decisions, unfinished meetings, conditions, blocking defects, high risks,
    # open handover items needed before go-live, freeze windows.
    with django_assert_max_num_queries(10) as five:
        body = client.get(url).json()
    assert body["count"] == 5
    assert all(item["needs_review"] for item in body["results"])

    _releases_with_readiness(stranger, 45)
    with django_assert_max_num_queries(10) as fifty:
        body = client.get(url).json()
    assert body["count"] == 50 and len(body["results"]) == 50
    assert len(five.captured_queries) == len(fifty.captured_queries)


@pytest.mark.parametrize("name", ["api:release_detail", "api:gate"])
def test_detail_and_gate_cost_the_same_queries_however_many_records(
    name, release, members, api_for, decide, django_assert_max_num_queries
):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    client = api_for(members[Role.STAKEHOLDER])
    url = reverse(name, args=[release.pk])
    client.get(url)
    counts = []
    for _ in range(2):
        for _ in range(10):
            RiskFactory(release=release, probability=5, impact=5)
            DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
        with django_assert_max_num_queries(12) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("page", ["", "abc", "0"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_404(page, release, members, api_for):
    response = api_for(members[Role.STAKEHOLDER]).get(reverse("api:release_list") + f"?page={page}")
    assert response.status_code == 404
    assert set(response.json()) == {"error", "fields"}
