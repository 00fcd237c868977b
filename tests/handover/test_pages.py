"""Every handover page renders, costs a bounded number of queries, and shows what it should."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import Role
from handover.choices import ItemCategory, NeededBy
from handover.selectors import handover_state_for, release_card
from handover.services.access import create_access_transfer, grant_access, verify_access
from handover.services.items import accept_item, create_item, deliver_item
from handover.services.plans import agree_for_team
from handover.services.training import create_training_session
from tests.factories import UserFactory
from tests.handover.conftest import go_live, make_team_ready

pytestmark = pytest.mark.django_db


def _fill(plan, manager, teams, size):
    sessions = [
        create_training_session(
            plan=plan,
            actor=manager,
            topic=f"Session {n}",
            trainer="Dana",
            scheduled_for=timezone.now(),
            invited=[manager],
        )
        for n in range(max(1, size // 5))
    ]
    for n in range(size):
        team = teams[n % len(teams)]
        item = create_item(
            plan=plan,
            actor=manager,
            title=f"Item {n}",
            category=ItemCategory.TRAINING,
            required_training=sessions[n % len(sessions)],
            receiving_team=team,
            delivering_owner=manager,
        )
        if n % 3 == 0:
            deliver_item(item=item, actor=manager, note=f"Evidence {n}")
        create_access_transfer(
            plan=plan,
            actor=manager,
            system=f"System {n}",
            access_level="admin",
            current_holder="Dana",
            receiving_team=team,
            credential_location=f"kv/system/{n}",
        )


def test_every_page_renders(plan, members, manager, support_team, ops_team, client_for, make_item):
    item = make_item(support_team)
    _fill(plan, manager, [support_team, ops_team], 2)
    access = plan.access_transfers.first()
    session = plan.training_sessions.first()
    document = plan.documents.first()
    release_pk = plan.release_id
    client = client_for(manager)
    urls = [
        reverse("handover:plan", args=[release_pk]),
        reverse("handover:plan_settings", args=[release_pk]),
        reverse("handover:plan_reopen", args=[release_pk]),
        reverse("handover:team_create", args=[release_pk]),
        reverse("handover:team_signoff", args=[release_pk, support_team.pk]),
        reverse("handover:item_create", args=[release_pk]),
        reverse("handover:item_edit", args=[release_pk, item.pk]),
        reverse("handover:item_deliver", args=[release_pk, item.pk]),
        reverse("handover:item_waive", args=[release_pk, item.pk]),
        reverse("handover:document_edit", args=[release_pk, document.pk]),
        reverse("handover:access_create", args=[release_pk]),
        reverse("handover:access_edit", args=[release_pk, access.pk]),
        reverse("handover:access_revoke", args=[release_pk, access.pk]),
        reverse("handover:training_create", args=[release_pk]),
        reverse("handover:training_edit", args=[release_pk, session.pk]),
        reverse("handover:training_held", args=[release_pk, session.pk]),
        reverse("handover:report", args=[release_pk]),
        reverse("handover:report_csv", args=[release_pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert (
        client_for(support_team.lead)
        .get(reverse("handover:item_reject", args=[release_pk, item.pk]))
        .status_code
        == 200
    )
    lead_client = client_for(support_team.lead)
    assert (
        lead_client.get(reverse("handover:team_members", args=[release_pk, support_team.pk])).status_code
        == 200
    )


def test_without_a_plan_the_project_side_is_offered_to_create_one(release, members, client_for, support_team):
    url = reverse("handover:plan", args=[release.pk])
    page = client_for(members[Role.SCRUM_TEAM]).get(url)
    assert page.context["create_form"] is not None
    assert client_for(members[Role.STAKEHOLDER]).get(url).context["create_form"] is None

    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("handover:plan_create", args=[release.pk]),
        {"teams": [support_team.pk], "from_template": "on"},
    )
    assert response.status_code == 302
    assert release.handover_plan.items.count() > 10


def test_creating_from_the_template_without_teams_is_a_form_error(release, members, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        reverse("handover:plan_create", args=[release.pk]), {"from_template": "on"}
    )
    assert response.status_code == 200
    assert "Choose at least one receiving team" in response.context["form"].errors["teams"][0]


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(
    "url_name", ["handover:plan", "handover:team_signoff", "handover:report", "handover:report_csv"]
)
def test_handover_pages_queries_do_not_grow_with_data(
    size, url_name, plan, manager, support_team, ops_team, client_for, django_assert_max_num_queries
):
    _fill(plan, manager, [support_team, ops_team], size)
    args = [plan.release_id, support_team.pk] if url_name == "handover:team_signoff" else [plan.release_id]
    client = client_for(support_team.lead)
    with django_assert_max_num_queries(21):
        assert client.get(reverse(url_name, args=args)).status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_release_page_card_queries_do_not_grow(
    size, plan, manager, support_team, ops_team, client_for, django_assert_max_num_queries
):
    _fill(plan, manager, [support_team, ops_team], size)
    client = client_for(manager)
    client.get(plan.release.get_absolute_url())  # warm the content-type cache
    with django_assert_max_num_queries(24):
        response = client.get(plan.release.get_absolute_url())
    assert response.status_code == 200


def test_signoff_page_lists_what_is_missing_and_the_release_card_shows_signed(
    plan, release, manager, support_team, ops_team, client_for
):
    go_live(release, manager)
    client = client_for(support_team.lead)
    url = reverse("handover:team_signoff", args=[release.pk, support_team.pk])
    page = client.get(url).content.decode()
    assert "Not ready to sign off. Still missing:" in page
    assert "Application support has not agreed the handover list yet" in page

    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    response = client.post(url, {"typed_name": "wrong name"})
    assert response.status_code == 200
    assert "Type your full name exactly as" in response.context["form"].errors["typed_name"][0]

    response = client.post(url, {"typed_name": support_team.lead.get_full_name(), "comment": "All good."})
    assert response.status_code == 302
    card = client.get(release.get_absolute_url()).content.decode()
    card = card[card.index('data-testid="handover-card"') :]
    assert f'data-testid="handover-team-{support_team.pk}">Application support: 1/1 items' in card
    assert "signed</span>" in card[: card.index(f"handover-team-{ops_team.pk}")]


def test_a_blocked_signoff_shows_every_missing_thing_on_the_form(plan, release, support_team, client_for):
    response = client_for(support_team.lead).post(
        reverse("handover:team_signoff", args=[release.pk, support_team.pk]),
        {"typed_name": support_team.lead.get_full_name()},
    )
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors[0] == "Sign-off is not possible yet:"
    assert any("has not agreed the handover list" in line for line in errors)


def test_report_and_csv_show_items_evidence_and_signoffs(
    plan, release, manager, support_team, ops_team, client_for
):
    go_live(release, manager)
    make_team_ready(plan, support_team, manager=manager, team_member=support_team.lead)
    client = client_for(manager)
    client_for(support_team.lead).post(
        reverse("handover:team_signoff", args=[release.pk, support_team.pk]),
        {"typed_name": support_team.lead.get_full_name()},
    )

    report = client.get(reverse("handover:report", args=[release.pk])).content.decode()
    assert "Runbook for Application support" in report
    assert "In the wiki, section Operations." in report
    assert f"{support_team.lead.get_full_name()} (support)" in report
    assert "Configuration and Customisation Report" in report
    assert "kv/portal/" in report

    response = client.get(reverse("handover:report_csv", args=[release.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["Title"], row["Status"], row["Receiving team"]) for row in rows] == [
        ("Runbook for Application support", "Accepted", "Application support")
    ]
    assert rows[0]["Evidence note"] == "In the wiki, section Operations."


def test_csv_cells_cannot_become_spreadsheet_formulas(plan, manager, support_team, client_for, make_item):
    make_item(support_team, '=HYPERLINK("http://evil.example")')
    response = client_for(manager).get(reverse("handover:report_csv", args=[plan.release_id]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][0].startswith("'=")


def test_handover_state_for_the_go_nogo_agenda(release, plan, manager, support_team, ops_team, make_item):
    assert handover_state_for(release) == {
        "state": "draft",
        "state_label": "Draft",
        "items_accepted": 0,
        "items_total": 0,
        "teams_agreed": 0,
        "teams_signed": 0,
        "teams_total": 2,
        "go_live_items_open": 0,
        "complete": False,
        "summary": "0 of 0 items accepted or waived; 0 of 2 teams agreed; 0 of 2 teams signed off",
    }
    item = make_item(support_team, needed_by=NeededBy.GO_LIVE)
    make_item(ops_team, "Security clearance", needed_by=NeededBy.GO_LIVE)
    agree_for_team(plan=plan, team=support_team, actor=support_team.lead)
    deliver_item(item=item, actor=manager, note="Wiki.")
    accept_item(item=item, actor=support_team.lead)
    state = handover_state_for(release)
    assert (state["items_accepted"], state["items_total"], state["teams_agreed"]) == (1, 2, 1)
    assert state["go_live_items_open"] == 1
    assert state["summary"].endswith("; 1 item needed before go-live still open")


def test_handover_state_is_none_without_a_plan(release):
    assert handover_state_for(release) is None


@pytest.mark.parametrize("size", [3, 30])
def test_the_release_card_costs_two_queries(
    size, plan, manager, support_team, ops_team, django_assert_num_queries
):
    _fill(plan, manager, [support_team, ops_team], size)
    agree_for_team(plan=plan, team=ops_team, actor=ops_team.lead)
    with django_assert_num_queries(2):
        card = release_card(plan.release)
    by_name = {team.name: team for team in card["teams"]}
    assert by_name["Application support"].items_total == (size + 1) // 2
    assert (by_name["Application support"].has_agreed, by_name["Infrastructure operations"].has_agreed) == (
        False,
        True,
    )
    assert by_name["Application support"].signed_by_name is None


def test_plan_page_warns_about_team_people_who_cannot_reach_the_release(
    plan, manager, support_team, client_for
):
    outsider = UserFactory(username="nightshift", first_name="Nina", last_name="Night")
    support_team.members.add(outsider)
    response = client_for(manager).get(reverse("handover:plan", args=[plan.release_id]))
    assert [
        (team.name, person.username)
        for team, person in response.context["overview"].team_people_without_access
    ] == [("Application support", "nightshift")]
    assert "Nina Night (Application support)" in response.content.decode()


def test_plan_page_points_out_project_access_not_yet_revoked(plan, manager, support_team, client_for):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment console",
        access_level="admin",
        current_holder="Dana",
        receiving_team=support_team,
        credential_location="kv/payments/admin",
    )
    url = reverse("handover:plan", args=[plan.release_id])
    assert 'data-testid="project-access-held"' not in client_for(manager).get(url).content.decode()
    grant_access(access=access, actor=manager)
    verify_access(access=access, actor=support_team.lead)
    page = client_for(manager).get(url).content.decode()
    assert "The project team still holds its own access to Payment console" in page
