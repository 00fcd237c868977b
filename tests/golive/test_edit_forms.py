"""Every edit form of the release, its records, runbook, communications and smoke tests, saved unchanged,
changes nothing and records no audit event (the handover's own forms are in tests/handover)."""

from datetime import datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from communications.models import AudienceAddresses
from communications.services.outbox import create_draft
from communications.services.production_issues import create_issue
from golive.choices import Role
from golive.models import AuditEvent
from golive.services.releases import update_release
from runbook.services.plan import add_step
from smoketests.services.checks import create_check
from smoketests.services.monitors import create_monitor
from tests.factories import DefectFactory, RiskFactory
from tests.form_submission import form_data

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(datetime(2026, 12, 6, 14, 30))


def _assert_saving_unchanged_changes_nothing(client, url: str, record, field: str, *, expect=302):
    events = AuditEvent.objects.count()
    before = model_to_dict(record)
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, form_data(page.content.decode(), with_field=field))
    assert response.status_code == expect, response.content.decode()[-3000:]
    record.refresh_from_db()
    assert model_to_dict(record) == before
    assert AuditEvent.objects.count() == events


@pytest.fixture
def manager_client(members, client_for):
    return client_for(members[Role.RELEASE_MANAGER])


def test_release_form(release, members, manager_client):
    update_release(release=release, actor=members[Role.RELEASE_MANAGER], target_go_live=AT)
    release.refresh_from_db()
    url = reverse("golive:release_edit", args=[release.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, release, "name")


def test_risk_form(release, members, manager_client):
    risk = RiskFactory(release=release, owner=members[Role.RELEASE_MANAGER])
    url = reverse("registers:risk_edit", args=[release.pk, risk.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, risk, "title")


def test_defect_form(release, members, manager_client):
    defect = DefectFactory(release=release, owner=members[Role.RELEASE_MANAGER])
    url = reverse("registers:defect_edit", args=[release.pk, defect.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, defect, "title")


def test_runbook_step_form(release, members, manager_client):
    manager = members[Role.RELEASE_MANAGER]
    first = add_step(release=release, actor=manager, title="Freeze changes", owner=manager)
    step = add_step(
        release=release,
        actor=manager,
        title="Deploy the portal",
        owner=manager,
        planned_start=AT,
        instructions="Run the pipeline.\nWatch the logs.",
        depends_on=[first],
        shadows=[members[Role.PRODUCTION_SUPPORT]],
    )
    url = reverse("runbook:step_edit", args=[release.pk, step.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, step, "title")


def test_production_issue_form(release, members, manager_client):
    issue = create_issue(
        release=release,
        actor=members[Role.RELEASE_MANAGER],
        title="Slow logins",
        what_happened="Logins take 20 s.",
        impact="All customers.",
        next_update_at=AT,
    )
    url = reverse("communications:issue_edit", args=[release.pk, issue.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, issue, "title")


def test_communication_draft_form(release, members, manager_client):
    draft = create_draft(
        release=release, actor=members[Role.RELEASE_MANAGER], kind="go_decision", audiences=["stakeholders"]
    )
    url = reverse("communications:communication_detail", args=[release.pk, draft.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, draft, "subject")


def test_recipient_lists_form(release, manager_client):
    addresses = AudienceAddresses.objects.create(
        release=release, audience="end_users", addresses="users@example.com\nops@example.com"
    )
    url = reverse("communications:audience_addresses", args=[release.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, addresses, "end_users")


def test_smoke_check_form(release, members, manager_client):
    check = create_check(
        release=release,
        actor=members[Role.RELEASE_MANAGER],
        name="Home page",
        url="https://portal.example.com/",
        headers={"Accept": "text/html"},
    )
    url = reverse("smoketests:check_edit", args=[release.pk, check.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, check, "name")


def test_monitor_form(release, members, manager_client):
    manager = members[Role.RELEASE_MANAGER]
    check = create_check(release=release, actor=manager, name="Home", url="https://portal.example.com/")
    monitor = create_monitor(
        release=release, actor=manager, smoke_check=check, starts_at=AT, ends_at=AT.replace(day=20)
    )
    url = reverse("smoketests:monitor_edit", args=[release.pk, monitor.pk])
    _assert_saving_unchanged_changes_nothing(manager_client, url, monitor, "interval_seconds")


def _edit_through_the_page(client, url: str, field: str, value: str) -> None:
    page = client.get(url)
    assert page.status_code == 200
    data = form_data(page.content.decode(), with_field=field)
    data[field] = [value]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[-3000:]


@pytest.mark.parametrize("kind", ["release", "risk", "defect", "step", "issue", "draft", "smoke_check"])
def test_a_change_made_through_the_page_is_audited_from_the_stored_value(
    release, members, manager_client, kind
):
    """The bound form writes its input onto its instance; the audit still compares with what was stored."""
    manager = members[Role.RELEASE_MANAGER]
    if kind == "release":
        record, url, field, verb = (
            release,
            reverse("golive:release_edit", args=[release.pk]),
            "name",
            "changed",
        )
    elif kind == "risk":
        record = RiskFactory(release=release, owner=manager)
        url, field, verb = reverse("registers:risk_edit", args=[release.pk, record.pk]), "title", "changed"
    elif kind == "defect":
        record = DefectFactory(release=release, owner=manager)
        url, field, verb = reverse("registers:defect_edit", args=[release.pk, record.pk]), "title", "changed"
    elif kind == "step":
        record = add_step(release=release, actor=manager, title="Freeze changes", owner=manager)
        url, field, verb = reverse("runbook:step_edit", args=[release.pk, record.pk]), "title", "changed"
    elif kind == "issue":
        record = create_issue(
            release=release, actor=manager, title="Slow logins", what_happened="20 s.", impact="All."
        )
        url, field, verb = (
            reverse("communications:issue_edit", args=[release.pk, record.pk]),
            "title",
            "changed",
        )
    elif kind == "smoke_check":
        record = create_check(release=release, actor=manager, name="Home", url="https://portal.example.com/")
        url, field, verb = reverse("smoketests:check_edit", args=[release.pk, record.pk]), "name", "changed"
    else:
        record = create_draft(release=release, actor=manager, kind="go_decision", audiences=["stakeholders"])
        url = reverse("communications:communication_detail", args=[release.pk, record.pk])
        field, verb = "subject", "edited"
    stored = getattr(record, field)
    _edit_through_the_page(manager_client, url, field, "Renamed on the page")
    event = AuditEvent.objects.filter(target_id=str(record.pk)).order_by("pk").last()
    assert event.verb.endswith(f".{verb}")
    assert event.changes[field] == [stored, "Renamed on the page"]
    assert event.actor == manager
