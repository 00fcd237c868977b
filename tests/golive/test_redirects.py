"""`next` is followed only to this site's own paths, and no value of it is ever a server error."""

import pytest
from django.test import RequestFactory

from golive.choices import Role
from golive.redirects import redirect_to_next, safe_next_path

FALLBACK = "/releases/1/runbook/live/"
HOSTILE = [
    "abc",
    "https://evil.example/phish",
    "//evil.example/",
    "/\\evil.example",
    "javascript:alert(1)",
    "/releases/\r\nSet-Cookie: stolen=1",
    "/releases/\x00",
    "http:///evil.example",
    "",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_anything_but_a_path_on_this_site_falls_back(target):
    request = RequestFactory().post("/", {"next": target})
    assert safe_next_path(request) is None
    assert redirect_to_next(request, FALLBACK)["Location"] == FALLBACK


@pytest.mark.parametrize("target", ["/releases/7/handover/#items", "/releases/7/runbook/live/?view=mine"])
def test_a_path_on_this_site_is_followed(target):
    request = RequestFactory().get("/", {"next": target})
    assert redirect_to_next(request, FALLBACK)["Location"] == target


# A NUL never reaches a view: the input guard refuses the whole request (tests/golive/test_input_guard.py).
@pytest.mark.parametrize("target", [target for target in HOSTILE if "\x00" not in target])
def test_a_one_click_step_action_with_a_hostile_next_goes_back_to_the_live_page(
    target, go_release, members, client_for
):
    step = go_release.steps.get(order=1)
    response = client_for(members[Role.SCRUM_TEAM]).post(
        f"/releases/{go_release.pk}/runbook/steps/{step.pk}/start/", {"next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/releases/{go_release.pk}/runbook/live/"
    step.refresh_from_db()
    assert step.status == "in_progress"
