import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from golive.models import AuditEvent, Release
from gonogo.models import Decision
from registers.models import Risk
from runbook.models import GoLiveStep

pytestmark = pytest.mark.django_db


COUNTED = (Release, Risk, GoLiveStep, Decision, AuditEvent)


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_demo_loads_once_and_a_second_run_changes_nothing():
    call_command("load_demo")
    first = _counts()
    assert first["Release"] == 3 and first["Decision"] == 2 and first["GoLiveStep"] == 15
    call_command("load_demo")
    assert _counts() == first
    for username in ("manager", "owner", "dev", "stakeholder", "support"):
        assert authenticate(username=username, password="demo") is not None, username


def test_the_live_demo_release_is_ready_to_run():
    call_command("load_demo")
    release = Release.objects.get(name="Billing API autumn release")
    assert release.status == "go"
    assert release.steps.filter(owner__username="dev").exists()


def test_the_demo_has_a_year_end_freeze_and_one_on_the_portfolio_banner():
    from freezes.models import FreezeWindow
    from freezes.windows import current_and_upcoming

    call_command("load_demo")
    assert FreezeWindow.objects.filter(name="Year-end freeze", recurrence="yearly").exists()
    assert "Data-centre network maintenance" in [o.window.name for o in current_and_upcoming()]
    call_command("load_demo")
    assert FreezeWindow.objects.count() == 2


def test_the_demo_prints_a_calendar_feed_address_that_works_for_each_user(client):
    from io import StringIO

    output = StringIO()
    call_command("load_demo", stdout=output)
    lines = [line.strip() for line in output.getvalue().splitlines() if "/calendar/" in line]
    assert [line.split(":")[0] for line in lines] == ["manager", "owner", "dev", "stakeholder", "support"]
    path = "/calendar/" + lines[0].split("/calendar/")[1]
    response = client.get(path)
    assert response.status_code == 200
    assert b"Go-live: " in response.content
