"""Every handover edit form, saved unchanged, changes nothing: no field, no audit event, no agreement."""

from datetime import date, datetime

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from golive.models import AuditEvent
from handover.models import TeamAgreement
from handover.services.access import create_access_transfer
from handover.services.documents import update_document
from handover.services.plans import agree_for_team
from handover.services.training import create_training_session
from tests.form_submission import form_data

pytestmark = pytest.mark.django_db


def _save_unchanged(client, url: str, field: str):
    page = client.get(url)
    assert page.status_code == 200
    response = client.post(url, form_data(page.content.decode(), with_field=field))
    assert response.status_code == 302, response.content.decode()[-3000:]


def _assert_nothing_changed(plan, record, client, url, field):
    agreements = set(TeamAgreement.objects.filter(withdrawn_at__isnull=True).values_list("pk", flat=True))
    events = AuditEvent.objects.count()
    before = model_to_dict(record)
    state = plan.state

    _save_unchanged(client, url, field)

    record.refresh_from_db()
    plan.refresh_from_db()
    assert model_to_dict(record) == before
    assert AuditEvent.objects.count() == events
    assert set(TeamAgreement.objects.filter(withdrawn_at__isnull=True).values_list("pk", flat=True)) == (
        agreements
    )
    assert plan.state == state


@pytest.fixture
def agreed(plan, support_team, ops_team, make_item):
    """Both teams agreed a list holding an item with a due date (the reported case)."""
    item = make_item(support_team, "Operations manual", due_date=date(2026, 12, 6))
    make_item(ops_team, "Backup runbook")
    for team in (support_team, ops_team):
        agree_for_team(plan=plan, team=team, actor=team.lead)
    plan.refresh_from_db()
    assert plan.state == "agreed"
    return item


def test_item_form(agreed, plan, release, manager, client_for):
    url = reverse("handover:item_edit", args=[release.pk, agreed.pk])
    page = client_for(manager).get(url).content.decode()
    assert 'value="2026-12-06"' in page
    _assert_nothing_changed(plan, agreed, client_for(manager), url, "title")


def test_access_form(agreed, plan, release, manager, support_team, client_for):
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payroll database",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=support_team,
        credential_location="vault:kv/payroll/db",
        notes="Rotated monthly.\nAsk the DBA team.",
    )
    url = reverse("handover:access_edit", args=[release.pk, access.pk])
    _assert_nothing_changed(plan, access, client_for(manager), url, "system")


def test_training_form(agreed, plan, release, manager, support_team, client_for):
    session = create_training_session(
        plan=plan,
        actor=manager,
        topic="Portal administration",
        trainer="Dana",
        team=support_team,
        scheduled_for=timezone.make_aware(datetime(2026, 12, 6, 14, 30)),
        invited=[support_team.lead],
    )
    url = reverse("handover:training_edit", args=[release.pk, session.pk])
    _assert_nothing_changed(plan, session, client_for(manager), url, "topic")


def test_document_form(agreed, plan, release, manager, client_for):
    document = update_document(
        document=plan.documents.first(),
        actor=manager,
        link="https://docs.example.com/config",
        version="1.2",
        status="draft",
        owner=manager,
    )
    url = reverse("handover:document_edit", args=[release.pk, document.pk])
    _assert_nothing_changed(plan, document, client_for(manager), url, "version")


def test_plan_settings_form(agreed, plan, release, manager, client_for):
    url = reverse("handover:plan_settings", args=[release.pk])
    _assert_nothing_changed(plan, plan, client_for(manager), url, "hypercare_hours")


def test_team_members_form(agreed, plan, release, support_team, members, client_for):
    support_team.members.add(members["scrum_team"])
    url = reverse("handover:team_members", args=[release.pk, support_team.pk])
    _assert_nothing_changed(plan, support_team, client_for(support_team.lead), url, "members")
