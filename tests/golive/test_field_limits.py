"""Every form and API serializer bounds free text and dates, without a line per field."""

import pytest
from django import forms

from golive.choices import Role
from golive.field_limits import TEXT_MAX_LENGTH
from runbook.models import GoLiveStep

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("when", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31T23:59"])
def test_a_step_planned_outside_the_supported_years_is_a_field_error(
    when, go_release, members, client_for, settings
):
    settings.TIME_ZONE = "Europe/Berlin"  # year 1 here is before year 1 in UTC: Python cannot hold it
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/runbook/steps/new/",
        {
            "title": "Warm the caches",
            "owner": members[Role.SCRUM_TEAM].pk,
            "planned_start": when,
            "planned_duration_minutes": 30,
            "kind": "manual",
        },
    )
    assert response.status_code == 200
    assert "Give a date between 2000 and 2100." in response.content.decode()
    assert not GoLiveStep.objects.filter(title="Warm the caches").exists()


def test_a_release_target_in_year_9999_is_a_field_error_and_the_live_page_still_renders(
    go_release, members, client_for
):
    manager = client_for(members[Role.RELEASE_MANAGER])
    response = manager.post(
        f"/releases/{go_release.pk}/edit/",
        {
            "name": "N",
            "application": "A",
            "version": "1",
            "environment": "production",
            "target_go_live": "9999-12-31T23:59",
        },
    )
    assert "Give a date between 2000 and 2100." in response.content.decode()
    assert manager.get(f"/releases/{go_release.pk}/runbook/live/").status_code == 200


def test_free_text_longer_than_the_bound_is_a_field_error(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/runbook/steps/new/",
        {
            "title": "Warm the caches",
            "owner": members[Role.SCRUM_TEAM].pk,
            "planned_duration_minutes": 30,
            "kind": "manual",
            "instructions": "i" * (TEXT_MAX_LENGTH + 1),
        },
    )
    assert f"at most {TEXT_MAX_LENGTH:,}".replace(",", "") in response.content.decode().replace(",", "")
    assert not GoLiveStep.objects.filter(title="Warm the caches").exists()


def test_any_form_has_the_bounds_without_declaring_them():
    class Anything(forms.Form):
        note = forms.CharField()
        day = forms.DateField()

    form = Anything({"note": "n" * (TEXT_MAX_LENGTH + 1), "day": "0001-01-01"})
    assert set(form.errors) == {"note", "day"}
    assert Anything({"note": "fine", "day": "2030-01-31"}).is_valid()
