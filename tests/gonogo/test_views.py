"""Go/no-go pages: who may schedule, vote and close; live tally partial; bad input; query counts."""

import pytest
from django.urls import reverse

from golive.choices import Role
from gonogo.models import GoNoGoMeeting, Participant, Vote
from gonogo.services.decisions import close_voting
from gonogo.services.votes import cast_vote
from tests.factories import DefectFactory, MembershipFactory, ReleaseFactory, RiskFactory, UserFactory

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)


def _url(name, meeting, *extra):
    return reverse(f"gonogo:{name}", args=[meeting.release_id, meeting.pk, *extra])


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger", "staff"])
def test_only_the_release_manager_schedules(who, release, members, stranger, staff, client_for):
    user = {"stranger": stranger, "staff": staff}.get(who) or members[who]
    response = client_for(user).post(
        reverse("gonogo:meeting_schedule", args=[release.pk]),
        {
            "scheduled_at": "2030-01-01T10:00",
            "chair": members[Role.RELEASE_MANAGER].pk,
            "invitees": [members[Role.PRODUCT_OWNER].pk],
            "decision_rule": "unanimous",
        },
    )
    expected = 404 if who == "stranger" else 302 if who in (Role.RELEASE_MANAGER, "staff") else 403
    assert response.status_code == expected
    assert GoNoGoMeeting.objects.exists() == (expected == 302)


def test_schedule_form_defaults_to_the_team(release, members, client_for):
    form = (
        client_for(members[Role.RELEASE_MANAGER])
        .get(reverse("gonogo:meeting_schedule", args=[release.pk]))
        .context["form"]
    )
    invited = set(form.initial["invitees"])
    assert {
        members[r].pk for r in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER)
    } == invited


def test_bad_schedule_input_is_a_field_error(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("gonogo:meeting_schedule", args=[release.pk]),
        {"scheduled_at": "soon", "chair": "", "decision_rule": "coin toss"},
    )
    errors = response.context["form"].errors
    assert {"scheduled_at", "chair", "decision_rule", "invitees"} <= set(errors)


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger"])
def test_every_member_reads_the_meeting(who, open_meeting, members, stranger, client_for):
    user = stranger if who == "stranger" else members[who]
    assert client_for(user).get(open_meeting.get_absolute_url()).status_code == (
        404 if who == "stranger" else 200
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (Role.PRODUCT_OWNER, 302),
        (Role.SCRUM_TEAM, 302),
        (Role.RELEASE_MANAGER, 302),
        (Role.STAKEHOLDER, 403),
        (Role.PRODUCTION_SUPPORT, 403),
    ],
)
def test_only_participants_vote(who, expected, open_meeting, members, client_for):
    response = client_for(members[who]).post(_url("meeting_vote", open_meeting), {"choice": "go"})
    assert response.status_code == expected
    assert Vote.objects.filter(participant__user=members[who]).exists() == (expected == 302)


def test_vote_for_a_meeting_of_another_release_is_404(open_meeting, members, client_for):
    owner = members[Role.PRODUCT_OWNER]
    other_release = ReleaseFactory()
    MembershipFactory(release=other_release, user=owner, role=Role.PRODUCT_OWNER)
    client = client_for(owner)
    wrong_release = reverse("gonogo:meeting_vote", args=[other_release.pk, open_meeting.pk])
    no_such_meeting = reverse("gonogo:meeting_vote", args=[open_meeting.release_id, open_meeting.pk + 100])
    for url in (wrong_release, no_such_meeting):
        assert client.post(url, {"choice": "go"}).status_code == 404
        assert client.post(url, {"choice": "no_go"}, HTTP_ACCEPT="application/json").status_code == 404
    assert not Vote.objects.exists()


def test_stranger_cannot_vote(open_meeting, stranger, client_for):
    response = client_for(stranger).post(_url("meeting_vote", open_meeting), {"choice": "go"})
    assert response.status_code == 404
    assert not Vote.objects.exists()


@pytest.mark.parametrize("choices", [("go",), ("go", "no_go")], ids=["cast", "changed"])
def test_a_vote_costs_a_fixed_number_of_queries(
    choices, open_meeting, members, client_for, django_assert_max_num_queries
):
    """Votes arrive in a burst while everyone votes: the vote path loads neither the meeting page's
    agenda nor the meeting twice."""
    client = client_for(members[Role.PRODUCT_OWNER])
    for choice in choices[:-1]:
        client.post(_url("meeting_vote", open_meeting), {"choice": choice})
    with django_assert_max_num_queries(10):
        response = client.post(
            _url("meeting_vote", open_meeting),
            {"choice": choices[-1], "reason": "Not accepted"},
            HTTP_ACCEPT="application/json",
        )
    assert response.json()["vote"] == choices[-1]
    assert Vote.objects.get().choice == choices[-1]


@pytest.mark.parametrize("others", [2, 30])
def test_an_htmx_vote_with_its_tally_costs_the_same_however_many_voted(
    others, open_meeting, members, client_for, django_assert_max_num_queries
):
    for _ in range(others):
        voter = UserFactory()
        Participant.objects.create(meeting=open_meeting, user=voter)
        cast_vote(meeting=open_meeting, user=voter, choice="go")
    client = client_for(members[Role.PRODUCT_OWNER])
    with django_assert_max_num_queries(14):
        response = client.post(_url("meeting_vote", open_meeting), {"choice": "go"}, HTTP_HX_REQUEST="true")
    assert f"Go: {others + 1}" in response.content.decode()


def test_missing_reason_is_a_form_error_and_keeps_the_earlier_vote(open_meeting, members, client_for):
    client = client_for(members[Role.PRODUCT_OWNER])
    client.post(_url("meeting_vote", open_meeting), {"choice": "go"})
    response = client.post(_url("meeting_vote", open_meeting), {"choice": "no_go", "reason": ""})
    assert response.status_code == 200
    assert "Give the reason for a no-go." in response.content.decode()
    assert Vote.objects.get().choice == "go"


def test_htmx_vote_returns_the_panel_and_the_tally(open_meeting, members, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        _url("meeting_vote", open_meeting),
        {"choice": "go_with_conditions", "conditions": "Runbook reviewed"},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="vote-panel"' in page and 'hx-swap-oob="true"' in page
    assert "Your vote is recorded" in page and "Go with conditions: 1" in page


def test_vote_after_close_is_409_for_json_and_a_message_for_html(open_meeting, members, client_for):
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    client = client_for(members[Role.SCRUM_TEAM])
    response = client.post(
        _url("meeting_vote", open_meeting), {"choice": "go"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 409
    assert "Voting is closed" in response.json()["error"]
    response = client.post(_url("meeting_vote", open_meeting), {"choice": "go"}, follow=True)
    assert response.status_code == 200
    assert "Voting is closed" in response.content.decode()
    assert not Vote.objects.filter(participant__user=members[Role.SCRUM_TEAM]).exists()


def test_invalid_json_vote_is_400_with_field_errors(open_meeting, members, client_for):
    response = client_for(members[Role.SCRUM_TEAM]).post(
        _url("meeting_vote", open_meeting), {"choice": "no_go"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]


def test_hidden_votes_show_only_counts_until_close(release, members, client_for):
    from django.utils import timezone

    from gonogo.services.meetings import open_voting, schedule_meeting

    manager = members[Role.RELEASE_MANAGER]
    meeting = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now(),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER]],
        hide_votes=True,
    )
    open_voting(meeting=meeting, actor=manager)
    cast_vote(meeting=meeting, user=members[Role.PRODUCT_OWNER], choice="no_go", reason="Secret doubts")
    page = client_for(members[Role.STAKEHOLDER]).get(meeting.get_absolute_url(), HTTP_HX_REQUEST="true")
    text = page.content.decode()
    assert "No-go: 1" in text and "Secret doubts" not in text and "voted" in text
    close_voting(meeting=meeting, actor=manager)
    text = client_for(members[Role.STAKEHOLDER]).get(meeting.get_absolute_url()).content.decode()
    assert "Secret doubts" in text


@pytest.mark.parametrize("who", [Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER])
def test_only_the_chair_closes(who, open_meeting, members, client_for):
    response = client_for(members[who]).get(_url("meeting_close", open_meeting))
    assert response.status_code == (200 if who == Role.RELEASE_MANAGER else 403)


def test_closing_records_the_decision_and_shows_it(open_meeting, release, members, client_for):
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    client = client_for(members[Role.RELEASE_MANAGER])
    response = client.post(
        _url("meeting_close", open_meeting),
        {"rationale": "", "conditions-TOTAL_FORMS": 0, "conditions-INITIAL_FORMS": 0},
        follow=True,
    )
    page = response.content.decode()
    assert 'data-testid="decision-outcome">GO<' in page
    release.refresh_from_db()
    assert release.status == "go"
    assert "GO" in client.get(release.get_absolute_url()).content.decode()


def test_closing_over_blockers_without_override_is_a_form_error(open_meeting, release, members, client_for):
    DefectFactory(release=release, severity=1)
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("meeting_close", open_meeting),
        {"rationale": "", "conditions-TOTAL_FORMS": 0, "conditions-INITIAL_FORMS": 0},
    )
    assert response.status_code == 200
    assert "needs the override and a rationale" in response.content.decode()
    open_meeting.refresh_from_db()
    assert open_meeting.is_open


def test_conditional_close_prefills_conditions_from_votes(open_meeting, members, client_for):
    cast_vote(meeting=open_meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    cast_vote(
        meeting=open_meeting,
        user=members[Role.PRODUCT_OWNER],
        choice="go_with_conditions",
        conditions="Rollback rehearsed\nSupport rota signed",
    )
    response = client_for(members[Role.RELEASE_MANAGER]).get(_url("meeting_close", open_meeting))
    texts = [form.initial.get("text") for form in response.context["conditions"]]
    assert texts == ["Rollback rehearsed", "Support rota signed", None, None]


def _fill(release, n):
    for i in range(n):
        RiskFactory(release=release, probability=1 + i % 5, impact=1 + i % 5)
        DefectFactory(release=release, severity=1 + i % 4)


@pytest.mark.parametrize("size", [5, 60])
def test_meeting_page_queries_are_bounded(
    size, open_meeting, release, members, client_for, django_assert_max_num_queries
):
    _fill(release, size)
    for _ in range(size // 5):
        voter = UserFactory()
        Participant.objects.create(meeting=open_meeting, user=voter)
        cast_vote(meeting=open_meeting, user=voter, choice="go")
    client = client_for(members[Role.PRODUCT_OWNER])
    with django_assert_max_num_queries(16):
        assert client.get(open_meeting.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(open_meeting.get_absolute_url(), HTTP_HX_REQUEST="true").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(_url("meeting_close", open_meeting)).status_code == 403


def test_decision_page_shows_the_snapshot(open_meeting, release, members, client_for):
    RiskFactory(release=release, title="Cut-over overruns", probability=2, impact=2)
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    page = client_for(members[Role.STAKEHOLDER]).get(_url("decision_detail", open_meeting)).content.decode()
    assert "Cut-over overruns" in page and "did not vote" in page and "data-print" in page


def test_release_page_shows_needs_review(open_meeting, release, members, client_for):
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    client = client_for(members[Role.SCRUM_TEAM])
    client.post(
        reverse("registers:defect_create", args=[release.pk]),
        {"title": "Payments fail", "severity": 1, "status": "open"},
    )
    page = client.get(release.get_absolute_url()).content.decode()
    assert 'data-testid="needs-review"' in page and "Payments fail" in page
    assert 'data-testid="header-needs-review"' in page
    portfolio = client.get(reverse("dashboards:portfolio")).content.decode()
    assert 'data-testid="portfolio-needs-review"' in portfolio


def _three_blockers(release):
    RiskFactory(release=release, title="Data loss on cut-over", probability=5, impact=4)
    DefectFactory(release=release, title="Payments fail", severity=1)
    DefectFactory(release=release, title="Login loops", severity=3, blocks_go_live=True)


def test_close_page_counts_the_open_blockers_it_lists(open_meeting, release, members, client_for):
    _three_blockers(release)
    page = client_for(members[Role.RELEASE_MANAGER]).get(_url("meeting_close", open_meeting)).content.decode()
    assert "3 blockers are open." in page
    assert "0 blockers" not in page


def test_frozen_decision_prints_the_blocker_count_of_its_snapshot(open_meeting, release, members, client_for):
    _three_blockers(release)
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    decision = close_voting(
        meeting=open_meeting, actor=members[Role.RELEASE_MANAGER], override=True, rationale="Hotfix ready"
    )
    assert decision.snapshot["blockers"]["count"] == 3
    DefectFactory(release=release, title="Found later", severity=1)  # the frozen record must not follow
    page = client_for(members[Role.STAKEHOLDER]).get(_url("decision_detail", open_meeting)).content.decode()
    assert "Recorded as a go although 3 blockers were open." in page


def _chair_decides(open_meeting, members):
    """Unanimous rule, one non-veto no-go: the rule leaves the outcome to the chair."""
    cast_vote(meeting=open_meeting, user=members[Role.RELEASE_MANAGER], choice="go")
    cast_vote(meeting=open_meeting, user=members[Role.PRODUCT_OWNER], choice="go")
    cast_vote(meeting=open_meeting, user=members[Role.SCRUM_TEAM], choice="no_go", reason="Load test pending")


def _close_form_data(page_context, **rows):
    conditions = page_context["conditions"]
    data = {
        "chair_outcome": "CONDITIONAL_GO",
        "rationale": "Go once the load test passed",
        "conditions-TOTAL_FORMS": conditions.total_form_count(),
        "conditions-INITIAL_FORMS": 0,
    }
    data.update(rows)
    return data


def test_chair_adds_the_conditions_of_a_conditional_go_on_the_close_form(
    open_meeting, release, members, client_for
):
    _chair_decides(open_meeting, members)
    client = client_for(members[Role.RELEASE_MANAGER])
    page = client.get(_url("meeting_close", open_meeting))
    assert page.context["conditions"].total_form_count() >= 1, "the close form offers a blank condition"
    assert 'name="conditions-0-text"' in page.content.decode()
    response = client.post(
        _url("meeting_close", open_meeting),
        _close_form_data(
            page.context,
            **{
                "conditions-0-text": "Load test passes at 2x peak",
                "conditions-0-owner": members[Role.SCRUM_TEAM].pk,
                "conditions-0-due_date": "2030-01-15",
            },
        ),
    )
    assert response.status_code == 302
    decision = open_meeting.decision
    assert decision.outcome == "CONDITIONAL_GO"
    assert [(c.text, c.owner, str(c.due_date)) for c in decision.conditions.all()] == [
        ("Load test passes at 2x peak", members[Role.SCRUM_TEAM], "2030-01-15")
    ]


def test_a_conditional_go_without_a_condition_stays_open_with_a_message(open_meeting, members, client_for):
    _chair_decides(open_meeting, members)
    client = client_for(members[Role.RELEASE_MANAGER])
    page = client.get(_url("meeting_close", open_meeting))
    response = client.post(_url("meeting_close", open_meeting), _close_form_data(page.context))
    assert response.status_code == 200
    assert "needs at least one condition" in response.content.decode()
    open_meeting.refresh_from_db()
    assert open_meeting.is_open


def test_a_condition_due_in_year_1_is_refused_on_its_field(open_meeting, members, client_for):
    _chair_decides(open_meeting, members)
    client = client_for(members[Role.RELEASE_MANAGER])
    page = client.get(_url("meeting_close", open_meeting))
    response = client.post(
        _url("meeting_close", open_meeting),
        _close_form_data(
            page.context,
            **{
                "conditions-0-text": "Load test",
                "conditions-0-owner": members[Role.SCRUM_TEAM].pk,
                "conditions-0-due_date": "0001-01-01",
            },
        ),
    )
    assert response.status_code == 200
    assert "due_date" in response.context["conditions"].forms[0].errors
    open_meeting.refresh_from_db()
    assert open_meeting.is_open


def test_a_participant_who_is_not_the_chair_cannot_record_conditions(open_meeting, members, client_for):
    _chair_decides(open_meeting, members)
    response = client_for(members[Role.PRODUCT_OWNER]).post(
        _url("meeting_close", open_meeting),
        {"chair_outcome": "GO", "conditions-TOTAL_FORMS": 0, "conditions-INITIAL_FORMS": 0},
    )
    assert response.status_code == 403
    open_meeting.refresh_from_db()
    assert open_meeting.is_open


# Fixing a mistaken meeting ------------------------------------------------------------------------


def test_schedule_form_refuses_year_1_and_a_vendor_chair_on_their_fields(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        reverse("gonogo:meeting_schedule", args=[release.pk]),
        {
            "scheduled_at": "0001-01-01T10:00",
            "chair": members[Role.VENDOR_SUPPORT].pk,
            "invitees": [members[Role.PRODUCT_OWNER].pk],
            "decision_rule": "unanimous",
        },
    )
    errors = response.context["form"].errors
    assert "between 2000 and 2100" in str(errors["scheduled_at"])
    assert "chair" in errors
    assert not GoNoGoMeeting.objects.exists()
    page = response.content.decode()
    assert 'min="2000-01-01T00:00"' in page and 'max="2100-12-31T23:59"' in page


@pytest.mark.parametrize("view", ["meeting_edit", "meeting_cancel"])
@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger"])
def test_only_the_release_manager_edits_or_cancels_a_meeting(
    view, who, meeting, members, stranger, client_for
):
    user = stranger if who == "stranger" else members[who]
    client = client_for(user)
    expected = 404 if who == "stranger" else 200 if who == Role.RELEASE_MANAGER else 403
    assert client.get(_url(view, meeting)).status_code == expected
    data = {
        "reason": "Oops",
        "scheduled_at": "2030-05-06T10:00",
        "chair": members[Role.RELEASE_MANAGER].pk,
        "decision_rule": "unanimous",
        "notes": "changed",
    }
    response = client.post(_url(view, meeting), data)
    assert response.status_code == (302 if expected == 200 else expected)
    meeting.refresh_from_db()
    changed = meeting.state == "cancelled" if view == "meeting_cancel" else meeting.notes == "changed"
    assert changed == (expected == 200)


def test_release_manager_reschedules_a_meeting_from_its_page(meeting, members, client_for):
    client = client_for(members[Role.RELEASE_MANAGER])
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "Edit or reschedule…" in page and "Cancel meeting…" in page
    response = client.post(
        _url("meeting_edit", meeting),
        {
            "scheduled_at": "2031-03-04T09:30",
            "chair": members[Role.PRODUCT_OWNER].pk,
            "decision_rule": "unanimous",
            "notes": "Moved to Tuesday",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.scheduled_at.year == 2031 and meeting.chair == members[Role.PRODUCT_OWNER]


def test_a_vendor_chair_fixed_while_voting_is_open_lets_the_release_manager_cancel_and_reschedule(
    release, members, client_for
):
    """The reported dead end: an open meeting the release manager cannot close blocks a new one."""
    manager = members[Role.RELEASE_MANAGER]
    client = client_for(manager)
    meeting = GoNoGoMeeting.objects.create(
        release=release,
        scheduled_at="2030-01-01T10:00Z",
        chair=members[Role.VENDOR_SUPPORT],
        state="voting_open",
    )
    assert client.get(_url("meeting_close", meeting)).status_code == 403
    response = client.post(_url("meeting_cancel", meeting), {"reason": "Wrong chair"}, follow=True)
    assert 'data-testid="meeting-cancelled"' in response.content.decode()
    response = client.post(
        reverse("gonogo:meeting_schedule", args=[release.pk]),
        {
            "scheduled_at": "2030-01-02T10:00",
            "chair": manager.pk,
            "invitees": [members[Role.PRODUCT_OWNER].pk],
            "decision_rule": "unanimous",
        },
    )
    assert response.status_code == 302
    assert release.meetings.filter(state="scheduled").count() == 1


def test_edit_form_while_voting_offers_only_the_chair(open_meeting, members, client_for):
    form = client_for(members[Role.RELEASE_MANAGER]).get(_url("meeting_edit", open_meeting)).context["form"]
    assert list(form.fields) == ["chair"]


@pytest.mark.parametrize("who", EVERY_ROLE)
def test_call_a_new_meeting_is_offered_only_to_who_may_schedule_one(
    who, open_meeting, release, members, client_for
):
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    close_voting(meeting=open_meeting, actor=members[Role.RELEASE_MANAGER])
    DefectFactory(release=release, title="Payments fail", severity=1)
    client = client_for(members[who])
    for page in (_url("decision_detail", open_meeting), release.get_absolute_url()):
        html = client.get(page).content.decode()
        assert 'data-testid="needs-review"' in html
        assert ("Call a new go/no-go meeting" in html) == (who == Role.RELEASE_MANAGER)


def _go_live_handover_item(release, manager):
    from handover.choices import ItemCategory, NeededBy, TeamKind
    from handover.models import SupportTeam
    from handover.services.items import create_item
    from handover.services.plans import create_plan

    team = SupportTeam.objects.create(name="Service desk", kind=TeamKind.SERVICE_DESK, lead=manager)
    plan = create_plan(release=release, actor=manager, teams=[team])
    return create_item(
        plan=plan,
        actor=manager,
        title="Runbook for the payroll batch",
        receiving_team=team,
        category=ItemCategory.DOCUMENTATION,
        needed_by=NeededBy.GO_LIVE,
    )


def test_an_open_go_live_handover_item_is_a_blocker_of_the_go_and_of_its_record(
    open_meeting, release, members, client_for
):
    from django.core.exceptions import ValidationError

    manager = members[Role.RELEASE_MANAGER]
    _go_live_handover_item(release, manager)
    _three_blockers(release)
    close_page = client_for(manager).get(_url("meeting_close", open_meeting)).content.decode()
    assert "4 blockers are open." in close_page
    assert "Handover item needed before go-live: Runbook for the payroll batch" in close_page
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    with pytest.raises(ValidationError, match="4 blocker"):
        close_voting(meeting=open_meeting, actor=manager)
    decision = close_voting(meeting=open_meeting, actor=manager, override=True, rationale="Runbook due at 9")
    assert decision.override
    assert decision.snapshot["blockers"]["count"] == 4
    assert [item["title"] for item in decision.snapshot["blockers"]["handover_items"]] == [
        "Runbook for the payroll batch"
    ]
    page = client_for(members[Role.STAKEHOLDER]).get(_url("decision_detail", open_meeting)).content.decode()
    assert "Recorded as a go although 4 blockers were open." in page
    assert "Runbook for the payroll batch (Service desk)" in page


def test_a_go_over_only_an_open_go_live_handover_item_needs_the_override(open_meeting, release, members):
    from django.core.exceptions import ValidationError

    manager = members[Role.RELEASE_MANAGER]
    _go_live_handover_item(release, manager)
    for role in (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER):
        cast_vote(meeting=open_meeting, user=members[role], choice="go")
    with pytest.raises(ValidationError, match="1 blocker"):
        close_voting(meeting=open_meeting, actor=manager)
    assert GoNoGoMeeting.objects.get(pk=open_meeting.pk).state == "voting_open"
