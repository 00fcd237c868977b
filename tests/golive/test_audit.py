import json
from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from golive.admin import AuditedAdmin
from golive.audit import record_event
from golive.choices import Role
from golive.models import AuditEvent
from golive.services.releases import move_release_status
from integrations.models import WebhookEndpoint
from registers.services.risks import create_risk, update_risk
from runbook.services.plan import update_step
from tests.factories import RiskFactory
from tests.golive.audit_coverage import EXEMPT, records_event, service_functions

pytestmark = pytest.mark.django_db


def test_creating_a_risk_records_who_and_what(release, members):
    dev = members[Role.SCRUM_TEAM]
    risk = create_risk(release=release, actor=dev, title="Cut-over overruns", probability=3, impact=4)
    event = AuditEvent.objects.get(verb="risk.created")
    assert (event.actor, event.actor_name, event.release, event.target_id) == (
        dev,
        "dev",
        release,
        str(risk.pk),
    )
    assert event.changes["title"] == [None, "Cut-over overruns"]
    assert event.changes["status"] == [None, "open"]
    assert event.labels["status"] == [None, "Open"]
    assert "title" not in event.labels  # a free text is its own label


def test_a_change_records_old_and_new_values_and_their_labels(release, members):
    risk = RiskFactory(release=release, probability=2, impact=2)
    update_risk(
        risk=risk,
        actor=members[Role.SCRUM_TEAM],
        probability=5,
        status="mitigated",
        owner=members[Role.SCRUM_TEAM],
    )
    event = AuditEvent.objects.get(verb="risk.changed")
    dev = members[Role.SCRUM_TEAM]
    assert event.changes == {"probability": [2, 5], "status": ["open", "mitigated"], "owner": [None, dev.pk]}
    assert event.labels == {"status": ["Open", "Mitigated"], "owner": [None, str(dev)]}
    assert {(row.field, row.old, row.new) for row in event.display_changes()} == {
        ("probability", 2, 5),
        ("status", "Open", "Mitigated"),
        ("owner", None, str(dev)),
    }


def test_a_changed_owner_keeps_both_names(release, members):
    dev, owner = members[Role.SCRUM_TEAM], members[Role.PRODUCT_OWNER]
    risk = RiskFactory(release=release, owner=dev)
    update_risk(risk=risk, actor=members[Role.RELEASE_MANAGER], owner=owner)
    event = AuditEvent.objects.get(verb="risk.changed")
    assert event.changes == {"owner": [dev.pk, owner.pk]}
    assert event.labels == {"owner": [str(dev), str(owner)]}


def test_a_status_move_stores_values_and_labels(release, members):
    move_release_status(
        release=release, to_status="gonogo_scheduled", actor=members[Role.RELEASE_MANAGER], reason="Ready"
    )
    event = AuditEvent.objects.get(verb="release.status_changed")
    assert event.changes == {"status": ["planning", "gonogo_scheduled"]}
    assert event.labels == {"status": ["Planning", "Go/no-go scheduled"]}


def test_a_label_handed_in_by_older_code_is_stored_as_its_value(release):
    event = record_event(verb="release.noted", target=release, changes={"status": ["Planning", "Go"]})
    assert event.changes == {"status": ["planning", "go"]}
    assert event.labels == {"status": ["Planning", "Go"]}


def test_times_are_stored_as_iso_values_and_shown_in_local_time(go_release, members):
    step = go_release.steps.get(order=1)
    old_start = step.planned_start
    new_start = old_start + timedelta(hours=2)
    update_step(step=step, actor=members[Role.RELEASE_MANAGER], planned_start=new_start)
    event = AuditEvent.objects.get(verb="step.changed")
    assert [parse_datetime(value) for value in event.changes["planned_start"]] == [old_start, new_start]
    assert event.labels["planned_start"][1] == timezone.localtime(new_start).strftime("%Y-%m-%d %H:%M %Z")


def test_saving_without_a_change_records_nothing(release, members):
    risk = RiskFactory(release=release)
    update_risk(risk=risk, actor=members[Role.SCRUM_TEAM], title=risk.title)
    assert not AuditEvent.objects.exists()


def test_events_cannot_be_changed_or_deleted(release):
    event = record_event(verb="release.noted", target=release)
    event.verb = "release.rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().verb == "release.noted"


def test_admin_shows_events_read_only(release, staff, client_for):
    staff.is_superuser = True
    staff.save()
    event = record_event(verb="release.noted", target=release)
    client = client_for(staff)
    assert client.get(reverse("admin:golive_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:golive_auditevent_add")).status_code == 403
    assert (
        client.post(reverse("admin:golive_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    page = client.get(reverse("admin:golive_auditevent_change", args=[event.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_edits_are_audited(release, staff, client_for):
    staff.is_superuser = True
    staff.save()
    risk = RiskFactory(release=release, probability=1, impact=1)
    response = client_for(staff).post(
        reverse("admin:registers_risk_change", args=[risk.pk]),
        {
            "release": release.pk,
            "title": risk.title,
            "probability": 4,
            "impact": 1,
            "status": "open",
            "description": "",
            "mitigation": "",
            "contingency": "",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="risk.changed")
    assert event.changes == {"probability": [1, 4]}
    assert event.labels == {}
    assert event.data == {"via": "admin"}


def test_release_page_shows_the_activity_feed(release, members, client_for):
    create_risk(
        release=release, actor=members[Role.SCRUM_TEAM], title="Cut-over overruns", probability=3, impact=4
    )
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    feed = page.split('data-testid="activity-feed"')[1]
    assert "risk.created" in feed and "Cut-over overruns" in feed and "dev" in feed


def test_admin_lists_go_live_records_read_only(go_release, staff, client_for):
    staff.is_superuser = True
    staff.save()
    client = client_for(staff)
    for model in (
        "gonogo_gonogomeeting",
        "gonogo_vote",
        "gonogo_decision",
        "gonogo_decisioncondition",
        "runbook_golivestep",
        "communications_communication",
        "communications_productionissue",
    ):
        assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:{model}_add")).status_code == 403, model
    step = go_release.steps.first()
    page = client.get(reverse("admin:runbook_golivestep_change", args=[step.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content


def test_times_are_recorded_readably(go_release, members):
    from golive.audit import readable_value

    step = go_release.steps.get(order=1)
    assert readable_value(step, "planned_start").endswith(" UTC")
    assert len(readable_value(step, "planned_start")) == len("2026-12-01 18:45 UTC")


def test_webhook_endpoints_edited_in_the_admin_are_audited_without_their_secret(release, staff, client_for):
    staff.is_superuser = True
    staff.save()
    client = client_for(staff)
    added = client.post(
        reverse("admin:integrations_webhookendpoint_add"),
        {
            "release": release.pk,
            "url": "https://hooks.example.com/a",
            "events": '["ping"]',
            "format": "generic",
            "active": "on",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    endpoint = WebhookEndpoint.objects.get()
    changed = client.post(
        reverse("admin:integrations_webhookendpoint_change", args=[endpoint.pk]),
        {
            "release": release.pk,
            "url": "https://hooks.example.com/b",
            "events": '["ping"]',
            "format": "generic",
            "deliveries-TOTAL_FORMS": "0",
            "deliveries-INITIAL_FORMS": "0",
        },
    )
    assert changed.status_code == 302
    client.post(reverse("admin:integrations_webhookendpoint_delete", args=[endpoint.pk]), {"post": "yes"})
    assert not WebhookEndpoint.objects.exists()
    events = list(AuditEvent.objects.filter(target_id=str(endpoint.pk)).order_by("pk"))
    assert [event.verb for event in events] == [
        "webhookendpoint.created",
        "webhookendpoint.changed",
        "webhookendpoint.deleted",
    ]
    assert events[0].changes["url"] == [None, "https://hooks.example.com/a"]
    assert events[1].changes == {"url": ["https://hooks.example.com/a", "https://hooks.example.com/b"],
                                 "active": [True, False]}  # fmt: skip
    assert {event.release for event in events} == {release}
    assert all(endpoint.secret not in json.dumps([e.changes, e.labels, e.data]) for e in events)


def test_every_admin_that_can_change_records_is_audited(staff, rf):
    """An admin page that saves without an audit event fails here: each one that may add, change or
    delete either records through AuditedAdmin or saves through the services."""
    staff.is_superuser = True
    request = rf.get("/admin/")
    request.user = staff
    unaudited = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in ("golive", "handover", "smoketests"):
            continue
        edits = model_admin.has_change_permission(request) and bool(model_admin.get_form(request).base_fields)
        writes = (
            model_admin.has_add_permission(request) or edits or model_admin.has_delete_permission(request)
        )
        saves_through_services = type(model_admin).save_model is not admin.ModelAdmin.save_model
        if writes and not (isinstance(model_admin, AuditedAdmin) or saves_through_services):
            unaudited.append(model.__name__)
    assert unaudited == []


def test_every_service_that_writes_records_an_event():
    """Walks every public function of the service modules: each must reach record_event, directly or
    through the functions it calls, unless it is listed in audit_coverage.EXEMPT with its reason."""
    missing = [
        name for name, function in service_functions() if name not in EXEMPT and not records_event(function)
    ]
    assert missing == [], f"These services write without an audit event (or belong in EXEMPT): {missing}"


def test_the_exemptions_name_real_services_that_record_nothing():
    functions = dict(service_functions())
    assert set(EXEMPT) <= set(functions), set(EXEMPT) - set(functions)
    assert [name for name in EXEMPT if records_event(functions[name])] == []


def test_the_walk_finds_an_event_through_the_functions_a_service_calls():
    functions = dict(service_functions())
    assert len(functions) > 100
    assert records_event(functions["registers.services.risks.create_risk"])  # via records.create_record
    assert not records_event(functions["gonogo.services.votes.ballots_for"])


def test_changes_of_names_that_are_no_column_are_kept_as_given(go_release):
    step = go_release.steps.get(order=2)
    event = record_event(
        verb="step.noted",
        target=step,
        changes={"depends_on": [[1], [1, 3]], "headers": ["(values changed)"] * 2},
    )
    assert event.changes == {"depends_on": [[1], [1, 3]], "headers": ["(values changed)"] * 2}
    assert event.labels == {}
