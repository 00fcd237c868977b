"""Runbook, outbox and production-issue pages: who may do what, bad input, live partial, query counts."""

import pytest
from django.urls import reverse

from communications.models import Communication, ProductionIssue
from golive.choices import Role
from golive.models import AuditEvent
from runbook.models import GoLiveStep
from runbook.services.plan import add_step
from tests.factories import RiskFactory

pytestmark = pytest.mark.django_db

EVERY_ROLE = list(Role)


# The outbox and production-issue pages are still golive's; the rest are the runbook app's.
COMMUNICATIONS_URLS = {
    "audience_addresses",
    "communication_new",
    "communication_resend",
    "issue_create",
    "issue_list",
    "issue_notify",
    "outbox",
}


def _url(name, release, *extra):
    namespace = "communications" if name in COMMUNICATIONS_URLS else "runbook"
    return reverse(f"{namespace}:{name}", args=[release.pk, *extra])


@pytest.mark.parametrize("who", [*EVERY_ROLE, "stranger"])
def test_every_member_reads_the_runbook_pages(who, go_release, members, stranger, client_for):
    client = client_for(stranger if who == "stranger" else members[who])
    for name in ("runbook_plan", "runbook_live", "my_steps", "outbox", "issue_list", "runbook_export"):
        assert client.get(_url(name, go_release)).status_code == (404 if who == "stranger" else 200), name


@pytest.mark.parametrize("who", EVERY_ROLE)
def test_only_the_release_manager_edits_the_plan(who, go_release, members, client_for):
    response = client_for(members[who]).post(
        _url("step_create", go_release),
        {
            "title": "Warm caches",
            "owner": members[Role.SCRUM_TEAM].pk,
            "planned_duration_minutes": 5,
            "kind": "manual",
        },
    )
    assert response.status_code == (302 if who == Role.RELEASE_MANAGER else 403)
    assert GoLiveStep.objects.filter(title="Warm caches").exists() == (who == Role.RELEASE_MANAGER)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (Role.SCRUM_TEAM, 302),
        (Role.RELEASE_MANAGER, 302),
        (Role.PRODUCT_OWNER, 403),
        (Role.STAKEHOLDER, 403),
        (Role.PRODUCTION_SUPPORT, 403),
    ],
)
def test_only_owner_or_manager_starts_a_step(who, expected, go_release, members, client_for):
    step = go_release.steps.get(order=1)  # owned by dev
    response = client_for(members[who]).post(_url("step_action", go_release, step.pk, "start"))
    assert response.status_code == expected
    step.refresh_from_db()
    assert (step.status == "in_progress") == (expected == 302)


def test_an_illegal_move_is_a_message_not_an_error(go_release, members, client_for):
    step = go_release.steps.get(order=2)
    response = client_for(members[Role.SCRUM_TEAM]).post(
        _url("step_action", go_release, step.pk, "start"), {"confirm": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert "waits for “Stop the batch jobs”" in response.content.decode()


def test_dependency_cycle_in_the_form_is_a_field_error(go_release, members, client_for):
    first, _, third = go_release.steps.order_by("order")
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("step_edit", go_release, first.pk),
        {
            "title": first.title,
            "owner": first.owner_id,
            "planned_duration_minutes": 10,
            "kind": "manual",
            "depends_on": [third.pk],
        },
    )
    assert response.status_code == 200
    assert "cycle" in " ".join(response.context["form"].errors["depends_on"])
    assert not first.depends_on.exists()


def test_bad_step_input_is_a_field_error(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("step_create", go_release),
        {"title": "", "owner": "", "planned_duration_minutes": -3, "kind": "x"},
    )
    assert {"title", "owner", "planned_duration_minutes", "kind"} <= set(response.context["form"].errors)


def test_failed_step_shows_rollback_and_contingencies(go_release, members, client_for):
    RiskFactory(release=go_release, title="Batch overrun", contingency="Run the batch tomorrow night")
    dev = client_for(members[Role.SCRUM_TEAM])
    step = go_release.steps.get(order=1)
    dev.post(_url("step_action", go_release, step.pk, "start"))
    dev.post(_url("step_action", go_release, step.pk, "fail"), {"note": "Scheduler down"})
    page = client_for(members[Role.STAKEHOLDER]).get(_url("runbook_live", go_release)).content.decode()
    assert (
        "Scheduler down" in page
        and "Restart the batch jobs" in page
        and "Run the batch tomorrow night" in page
    )


def test_live_partial_polls_only_while_deploying(go_release, members, client_for):
    client = client_for(members[Role.STAKEHOLDER])
    partial = client.get(_url("runbook_live", go_release), HTTP_HX_REQUEST="true").content.decode()
    assert partial.startswith('<div id="board"') and "every 1s" in partial and "<html" not in partial


@pytest.mark.parametrize("size", [3, 30])
def test_live_view_queries_are_bounded(size, go_release, members, client_for, django_assert_max_num_queries):
    for i in range(size):
        add_step(
            release=go_release,
            actor=members[Role.RELEASE_MANAGER],
            title=f"Extra {i}",
            owner=members[Role.SCRUM_TEAM],
            shadows=[members[Role.PRODUCTION_SUPPORT]],
        )
    client = client_for(members[Role.SCRUM_TEAM])
    with django_assert_max_num_queries(12):
        assert client.get(_url("runbook_live", go_release)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(_url("runbook_plan", go_release)).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(_url("my_steps", go_release)).status_code == 200


def test_csv_import_page_names_the_bad_row(go_release, members, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "plan.csv", b"order,title,owner\n1,Warm caches,ghost\n", content_type="text/csv"
    )
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("runbook_import", go_release), {"csv_file": upload}, follow=True
    )
    assert "Row 2: owner “ghost”" in response.content.decode()
    assert go_release.steps.count() == 3


def test_abort_page_lists_rollback_notes_and_moves_the_release(go_release, members, client_for):
    dev, manager = client_for(members[Role.SCRUM_TEAM]), client_for(members[Role.RELEASE_MANAGER])
    step = go_release.steps.get(order=1)
    dev.post(_url("step_action", go_release, step.pk, "start"))
    dev.post(_url("step_action", go_release, step.pk, "complete"))
    assert dev.get(_url("runbook_abort", go_release)).status_code == 403
    response = manager.post(_url("runbook_abort", go_release), {"reason": "Payments failing"}, follow=True)
    assert "Restart the batch jobs" in response.content.decode()
    go_release.refresh_from_db()
    assert go_release.status == "rolled_back"


@pytest.mark.parametrize("who", EVERY_ROLE)
def test_only_the_release_manager_writes_communications(who, go_release, members, client_for):
    response = client_for(members[who]).post(_url("communication_new", go_release), {"kind": "go_decision"})
    assert response.status_code == (302 if who == Role.RELEASE_MANAGER else 403)
    assert Communication.objects.exists() == (who == Role.RELEASE_MANAGER)


def test_following_a_link_to_a_new_message_shows_the_choice_and_creates_nothing(
    go_release, members, client_for
):
    manager = client_for(members[Role.RELEASE_MANAGER])
    response = manager.get(_url("communication_new", go_release) + "?kind=golive_success")
    assert response.status_code == 200
    assert 'value="golive_success" selected' in response.content.decode()
    assert not Communication.objects.exists()
    response = manager.post(
        _url("communication_new", go_release) + "?kind=golive_success", {"kind": "golive_success"}
    )
    assert response.status_code == 302
    assert Communication.objects.get().kind == "golive_success"


@pytest.mark.parametrize("query", ["?issue=abc", "?kind=golive_success&issue=abc", "?kind=nonsense"])
def test_a_bad_template_choice_in_the_address_is_a_bad_request(query, go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).get(_url("communication_new", go_release) + query)
    assert response.status_code == 400
    assert not Communication.objects.exists()


def test_an_issue_of_another_release_is_not_found(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("communication_new", go_release), {"kind": "production_issue", "issue": "999999"}
    )
    assert response.status_code == 404
    assert not Communication.objects.exists()


def test_sending_with_no_recipients_is_a_form_error(go_release, members, client_for):
    manager = client_for(members[Role.RELEASE_MANAGER])
    manager.post(_url("communication_new", go_release), {"kind": "golive_success"})
    message = Communication.objects.get()
    response = manager.post(
        message.get_absolute_url(),
        {"audiences": ["end_users"], "subject": message.subject, "body": message.body, "send": "1"},
    )
    assert response.status_code == 200
    assert "Nobody would receive this" in response.content.decode()
    message.refresh_from_db()
    assert message.status == "draft" and message.audiences == ["end_users"]


def test_bad_recipient_address_is_a_field_error(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("audience_addresses", go_release), {"end_users": "users@example.com, not-an-address"}
    )
    assert "“not-an-address” is not an e-mail address." in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"), [(Role.PRODUCTION_SUPPORT, 302), (Role.SCRUM_TEAM, 302), (Role.STAKEHOLDER, 403)]
)
def test_who_reports_production_issues(who, expected, go_release, members, client_for):
    response = client_for(members[who]).post(
        _url("issue_create", go_release),
        {
            "title": "Login loops",
            "severity": "critical",
            "status": "open",
            "what_happened": "Redirect loop",
            "impact": "Nobody can log in",
        },
    )
    assert response.status_code == expected
    assert ProductionIssue.objects.exists() == (expected == 302)


def test_notify_opens_the_prefilled_issue_message(go_release, members, client_for):
    from communications.services.production_issues import create_issue

    issue = create_issue(
        release=go_release,
        actor=members[Role.PRODUCTION_SUPPORT],
        title="Login loops",
        what_happened="Redirect loop",
        impact="Nobody can log in",
    )
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("issue_notify", go_release, issue.pk), follow=True
    )
    page = response.content.decode()
    assert "Redirect loop" in page and "Nobody can log in" in page
    assert Communication.objects.get().production_issue == issue


@pytest.mark.parametrize("size", [2, 20])
def test_outbox_and_issue_pages_queries_are_bounded(
    size, go_release, members, client_for, django_assert_max_num_queries
):
    from communications.services.outbox import create_draft
    from communications.services.production_issues import create_issue

    for i in range(size):
        issue = create_issue(
            release=go_release,
            actor=members[Role.SCRUM_TEAM],
            title=f"Issue {i}",
            what_happened="x",
            impact="y",
        )
        create_draft(
            release=go_release,
            actor=members[Role.RELEASE_MANAGER],
            kind="production_issue",
            production_issue=issue,
        )
    client = client_for(members[Role.STAKEHOLDER])
    with django_assert_max_num_queries(8):
        assert client.get(_url("outbox", go_release)).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(_url("issue_list", go_release)).status_code == 200


# The live page tells the truth and offers only what would be accepted --------------------------------


def _fail_and_abort(release, members, client_for):
    dev, manager = client_for(members[Role.SCRUM_TEAM]), client_for(members[Role.RELEASE_MANAGER])
    step = release.steps.get(order=1)
    dev.post(_url("step_action", release, step.pk, "start"))
    dev.post(_url("step_action", release, step.pk, "fail"), {"note": "Scheduler down"})
    manager.post(_url("runbook_abort", release), {"reason": "Scheduler down"})
    return step


@pytest.mark.parametrize("who", [Role.RELEASE_MANAGER, Role.SCRUM_TEAM, Role.STAKEHOLDER])
def test_after_an_abort_the_live_page_says_rolled_back_and_offers_no_move(
    who, go_release, members, client_for
):
    step = _fail_and_abort(go_release, members, client_for)
    page = client_for(members[who]).get(_url("runbook_live", go_release)).content.decode()
    assert "Go-live aborted: the release is rolled back" in page
    assert "Go-live in progress" not in page
    for control in ("Retry", "Skip</button>", "Start</button>", "Abort go-live", "every 1s"):
        assert control not in page
    response = client_for(members[Role.SCRUM_TEAM]).post(
        _url("step_action", go_release, step.pk, "retry"), follow=True
    )
    assert "Rolled back" in response.content.decode()
    step.refresh_from_db()
    assert step.status == "failed"


def test_a_live_release_shows_live_and_offers_no_abort(go_release, members, client_for):
    manager = client_for(members[Role.RELEASE_MANAGER])
    for step in go_release.steps.order_by("order"):
        manager.post(_url("step_action", go_release, step.pk, "start"), {"confirm": "yes"})
        manager.post(_url("step_action", go_release, step.pk, "complete"))
    page = manager.get(_url("runbook_live", go_release)).content.decode()
    assert 'data-testid="declare-live"' in page and 'data-testid="abort-go-live"' in page
    manager.post(_url("declare_live", go_release))
    go_release.refresh_from_db()
    assert go_release.status == "live"
    page = manager.get(_url("runbook_live", go_release)).content.decode()
    assert "Live (hypercare): the go-live is complete" in page
    assert "Abort go-live" not in page and 'data-testid="declare-live"' not in page
    response = manager.post(_url("runbook_abort", go_release), {"reason": "Too late"}, follow=True)
    assert "Only a go-live in progress can be aborted" in response.content.decode()
    go_release.refresh_from_db()
    assert go_release.status == "live"


def test_a_failed_step_is_announced_as_an_error(go_release, members, client_for):
    dev = client_for(members[Role.SCRUM_TEAM])
    step = go_release.steps.get(order=1)
    dev.post(_url("step_action", go_release, step.pk, "start"))
    page = dev.post(
        _url("step_action", go_release, step.pk, "fail"), {"note": "Scheduler down"}, follow=True
    ).content.decode()
    assert 'alert alert-danger" role="alert">“Stop the batch jobs” is failed.' in page


def test_reordering_above_a_dependency_is_refused_with_a_message(go_release, members, client_for):
    second = go_release.steps.get(order=2)
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("step_reorder", go_release, second.pk), {"direction": "up"}, follow=True
    )
    assert "“Migrate the database” depends on “Stop the batch jobs”, so it stays below it." in (
        response.content.decode()
    )
    assert list(go_release.steps.order_by("order").values_list("title", flat=True))[:2] == [
        "Stop the batch jobs",
        "Migrate the database",
    ]


@pytest.mark.parametrize("who", [Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.STAKEHOLDER])
def test_only_the_release_manager_reorders_steps(who, go_release, members, client_for):
    third = go_release.steps.get(order=3)
    assert (
        client_for(members[who])
        .post(_url("step_reorder", go_release, third.pk), {"direction": "up"})
        .status_code
        == 403
    )


def test_starting_a_communication_step_opens_its_drafted_message(go_release, members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    step = add_step(
        release=go_release,
        actor=manager,
        title="Tell users about the window",
        owner=manager,
        kind="communication",
        message_kind="go_decision",
    )
    client = client_for(manager)
    GoLiveStep.objects.exclude(pk=step.pk).update(status="done")
    response = client.post(_url("step_action", go_release, step.pk, "start"))
    message = Communication.objects.get(runbook_step=step)
    assert response.status_code == 302 and response["Location"] == message.get_absolute_url()
    assert message.kind == "go_decision" and message.status == "draft"


def test_declaring_live_opens_the_success_message_only_when_one_was_drafted(go_release, members, client_for):
    manager = client_for(members[Role.RELEASE_MANAGER])
    for step in go_release.steps.order_by("order"):
        manager.post(_url("step_action", go_release, step.pk, "start"), {"confirm": "yes"})
        manager.post(_url("step_action", go_release, step.pk, "complete"))
    response = manager.post(_url("declare_live", go_release), follow=True)
    assert "no “go-live successful” message was drafted" in response.content.decode()
    assert not Communication.objects.exists()


# Feedback that matches the outcome, and no link that leads to a 403 -----------------------------------


def _failed_message(release, members):
    from communications.services.outbox import create_draft

    message = create_draft(release=release, actor=members[Role.RELEASE_MANAGER], kind="go_decision")
    Communication.objects.filter(pk=message.pk).update(
        status="failed", recipients=["a@example.com", "b@example.com"], attempts=3, error="SMTPError: refused"
    )
    message.refresh_from_db()
    return message


def test_a_failed_message_is_shown_as_not_delivered_and_the_release_manager_resends_it(
    go_release, members, client_for, django_capture_on_commit_callbacks
):
    message = _failed_message(go_release, members)
    client = client_for(members[Role.RELEASE_MANAGER])
    page = client.get(message.get_absolute_url()).content.decode()
    assert "Sent to (" not in page and "Not delivered to (2)" in page
    assert 'data-testid="resend"' in page
    with django_capture_on_commit_callbacks():
        response = client.post(_url("communication_resend", go_release, message.pk), follow=True)
    assert "Queued again for 2 recipients; a background worker sends it." in response.content.decode()
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("queued", 0)


@pytest.mark.parametrize("who", [Role.PRODUCT_OWNER, Role.STAKEHOLDER, Role.VENDOR_SUPPORT, "stranger"])
def test_only_the_release_manager_resends_a_failed_message(who, go_release, members, stranger, client_for):
    message = _failed_message(go_release, members)
    client = client_for(stranger if who == "stranger" else members[who])
    response = client.post(_url("communication_resend", go_release, message.pk))
    assert response.status_code == (404 if who == "stranger" else 403)
    if who != "stranger":
        assert 'data-testid="resend"' not in client.get(message.get_absolute_url()).content.decode()
    message.refresh_from_db()
    assert message.status == "failed"


def test_only_a_failed_message_is_resent(go_release, members, client_for):
    from communications.services.outbox import create_draft

    draft = create_draft(release=go_release, actor=members[Role.RELEASE_MANAGER], kind="go_decision")
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("communication_resend", go_release, draft.pk), follow=True
    )
    assert 'alert alert-danger" role="alert">Only a message that failed can be sent again' in (
        response.content.decode()
    )


@pytest.mark.parametrize("who", EVERY_ROLE)
def test_links_are_shown_only_to_roles_that_may_follow_them(who, go_release, members, client_for):
    """Every link on the issue, outbox, message and decision pages answers 200 for whoever sees it."""
    import re

    from communications.services.production_issues import create_issue

    issue = create_issue(
        release=go_release,
        actor=members[Role.RELEASE_MANAGER],
        title="Checkout down",
        what_happened="x",
        impact="y",
    )
    message = _failed_message(go_release, members)
    Communication.objects.filter(pk=message.pk).update(production_issue=issue)
    client = client_for(members[who])
    pages = [_url("issue_list", go_release), _url("outbox", go_release), message.get_absolute_url()]
    for page in pages:
        html = client.get(page).content.decode()
        for href in set(re.findall(r'href="(/releases/[^"#?]+)"', html)):
            assert client.get(href).status_code == 200, f"{who} sees a link to {href} on {page}"


def test_saving_recipient_lists_is_audited_with_old_and_new_addresses(go_release, members, client_for):
    client = client_for(members[Role.RELEASE_MANAGER])
    url = _url("audience_addresses", go_release)
    assert client.post(url, {"end_users": "users@example.com"}).status_code == 302
    assert client.post(url, {"end_users": "all-users@example.com", "stakeholders": "board@example.com"})
    assert client.post(url, {"end_users": "all-users@example.com", "stakeholders": "board@example.com"})
    events = list(AuditEvent.objects.filter(verb="audience_addresses.changed").order_by("pk"))
    assert [event.changes for event in events] == [
        {"end_users": ["", "users@example.com"]},
        {
            "end_users": ["users@example.com", "all-users@example.com"],
            "stakeholders": ["", "board@example.com"],
        },
    ]  # saving the same lists again changes nothing and records nothing
    assert events[0].actor == members[Role.RELEASE_MANAGER] and events[0].release == go_release


def test_a_rehearsal_environment_longer_than_its_column_is_a_message(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        _url("rehearsal_start", go_release), {"environment": "s" * 5000}, follow=True
    )
    assert response.status_code == 200
    assert "at most 100 characters" in response.content.decode()
    assert not go_release.rehearsals.exists()


@pytest.mark.parametrize("timing", ["abc", "", "-1", "99999999999999999999999"])
def test_timing_a_step_that_is_not_one_of_the_rehearsal_is_not_found(timing, go_release, members, client_for):
    from runbook.services.rehearsals import start_rehearsal

    manager = members[Role.RELEASE_MANAGER]
    rehearsal = start_rehearsal(release=go_release, actor=manager, environment="staging")
    response = client_for(manager).post(
        _url("rehearsal_action", go_release, rehearsal.pk, "time"), {"timing": timing}
    )
    assert response.status_code == 404
    assert not rehearsal.timings.filter(started_at__isnull=False).exists()


def test_a_failure_note_longer_than_allowed_is_a_message(go_release, members, client_for):
    dev = client_for(members[Role.SCRUM_TEAM])
    step = go_release.steps.get(order=1)
    dev.post(_url("step_action", go_release, step.pk, "start"))
    response = dev.post(_url("step_action", go_release, step.pk, "fail"), {"note": "n" * 5000}, follow=True)
    assert "at most 2000 characters" in response.content.decode()
    step.refresh_from_db()
    assert step.status == "in_progress"
