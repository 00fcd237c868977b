"""Runs, results and alerts are written by workers only: the admin reads them and deletes none."""

import pytest
from django.urls import reverse
from django.utils import timezone

from smoketests.models import CheckResult, Monitor, MonitorAlert, MonitorResult, SmokeRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(staff):
    staff.is_superuser = True
    staff.save()
    return staff


@pytest.fixture
def worker_records(release, make_check):
    check = make_check("Home page", "https://portal.example.com/")
    run = SmokeRun.objects.create(release=release)
    CheckResult.objects.create(run=run, smoke_check=check, check_name=check.name)
    monitor = Monitor.objects.create(release=release, smoke_check=check, next_due_at=timezone.now())
    return {
        "smokerun": run,
        "monitorresult": MonitorResult.objects.create(monitor=monitor, scheduled_for=timezone.now()),
        "monitoralert": MonitorAlert.objects.create(monitor=monitor, kind="down"),
    }


@pytest.mark.parametrize("model_name", ["smokerun", "monitorresult", "monitoralert"])
def test_an_admin_cannot_delete_a_worker_record(superuser, client_for, worker_records, model_name):
    record = worker_records[model_name]
    client = client_for(superuser)
    delete_url = reverse(f"admin:smoketests_{model_name}_delete", args=[record.pk])
    assert client.get(delete_url).status_code == 403
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse(f"admin:smoketests_{model_name}_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert type(record).objects.filter(pk=record.pk).exists()
    assert CheckResult.objects.count() == 1


@pytest.mark.parametrize("model_name", ["smokerun", "monitorresult", "monitoralert"])
def test_an_admin_reads_a_worker_record_but_cannot_add_or_change_it(
    superuser, client_for, worker_records, model_name
):
    record = worker_records[model_name]
    client = client_for(superuser)
    assert client.get(reverse(f"admin:smoketests_{model_name}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:smoketests_{model_name}_add")).status_code == 403
    page = client.get(reverse(f"admin:smoketests_{model_name}_change", args=[record.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
