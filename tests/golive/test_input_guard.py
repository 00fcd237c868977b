"""The input guard: text no column can hold is refused whole, before any view, with a clear 400."""

import pytest

from golive.choices import Role
from runbook.models import GoLiveStep, Rehearsal

pytestmark = pytest.mark.django_db


def test_a_nul_in_a_form_field_is_a_message_page_and_nothing_is_saved(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/runbook/steps/new/",
        {"title": "Drain\x00 the queue", "owner": members[Role.SCRUM_TEAM].pk, "planned_duration_minutes": 5},
    )
    assert response.status_code == 400
    assert "cannot be stored" in response.content.decode()
    assert not GoLiveStep.objects.filter(title__startswith="Drain").exists()


@pytest.mark.parametrize("query", ["?q=%00", "?page=1%00", "?%00=1"])
def test_a_nul_in_the_query_string_is_a_400(query, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get("/" + query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_a_nul_on_an_action_that_reads_the_form_itself_is_a_400(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/rehearsals/new/", {"environment": "stag\x00ing"}
    )
    assert response.status_code == 400
    assert not Rehearsal.objects.exists()


def test_an_over_size_form_is_a_413(go_release, members, client_for, settings):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/runbook/steps/new/",
        {"title": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
    )
    assert response.status_code == 413


def test_ordinary_unicode_passes(go_release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(
        f"/releases/{go_release.pk}/rehearsals/new/", {"environment": "Präproduktion 🚀 ١٢٣"}
    )
    assert response.status_code == 302
    assert Rehearsal.objects.get().environment == "Präproduktion 🚀 ١٢٣"
