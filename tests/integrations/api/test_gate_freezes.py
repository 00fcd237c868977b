"""The deploy gate during a freeze: closed with the window named, open again after an emergency override."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.audit_pack import build_audit_pack
from freezes.models import FreezeWindow
from freezes.services import record_freeze_override
from golive.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_end(db):
    now = timezone.now()
    return FreezeWindow.objects.create(
        name="Year-end freeze", reason="Finance closes the books.",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(days=3),
    )  # fmt: skip


def _gate(client, release) -> dict:
    response = client.get(reverse("api:gate", args=[release.pk]))
    assert response.status_code == 200
    return response.json()


def test_a_freeze_in_force_closes_the_gate_and_names_the_window(release, members, api_for, decide, year_end):
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["decision"] == "GO"
    assert body["may_deploy"] is False
    assert len(body["freeze_reasons"]) == 1
    assert (
        "Year-end freeze" in body["freeze_reasons"][0]
        and "Finance closes the books." in body["freeze_reasons"][0]
    )


def test_an_emergency_override_opens_the_gate_and_shows_on_the_decision_and_audit_pack(
    release, members, api_for, decide, year_end, client_for
):
    decision = decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    manager = members[Role.RELEASE_MANAGER]
    record_freeze_override(release=release, actor=manager, window=year_end, reason="Card payments are down")
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["may_deploy"] is True and body["freeze_reasons"] == []
    assert "Card payments are down" in body["freeze_overrides"][0]
    page = client_for(members[Role.STAKEHOLDER]).get(decision.get_absolute_url())
    assert 'data-testid="freeze-overrides"' in page.text and "Card payments are down" in page.text
    archive = zipfile.ZipFile(io.BytesIO(build_audit_pack(release, now=timezone.now())))
    overrides_csv = archive.read("freeze_overrides.csv").decode()
    assert "Year-end freeze" in overrides_csv and "Card payments are down" in overrides_csv


def test_a_freeze_on_another_application_leaves_the_gate_open(release, members, api_for, decide):
    now = timezone.now()
    FreezeWindow.objects.create(
        name="Billing freeze", reason="Invoice run", application="Billing API",
        starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1),
    )  # fmt: skip
    decide({Role.RELEASE_MANAGER: ("go", ""), Role.PRODUCT_OWNER: ("go", "")})
    body = _gate(api_for(members[Role.STAKEHOLDER]), release)
    assert body["may_deploy"] is True and body["freeze_reasons"] == []
