"""A check refuses bad input with a message on the right field."""

import pytest
from django.core.exceptions import ValidationError

from golive.models import AuditEvent
from smoketests.forms import SmokeCheckForm
from smoketests.models import SmokeCheck
from smoketests.services.checks import create_check, delete_check, update_check
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def field_errors(release, **fields) -> dict:
    check = SmokeCheck(release=release, **{"name": "home", "url": "https://portal.example.com/", **fields})
    with pytest.raises(ValidationError) as caught:
        check.full_clean()
    return caught.value.message_dict


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"url": "ftp://files.example.com/"}, "url", "Enter a full http:// or https:// URL."),
        ({"url": "portal.example.com/health"}, "url", "Enter a full http:// or https:// URL."),
        (
            {"body_regex": "(unclosed"},
            "body_regex",
            "Not a valid regular expression: missing ) at position 9",
        ),
        ({"timeout_seconds": 61}, "timeout_seconds", "less than or equal to 60"),
        ({"timeout_seconds": 0}, "timeout_seconds", "greater than or equal to 0.5"),
        ({"expected_statuses": "200, ok"}, "expected_statuses", "“ok” is not a status code"),
        ({"expected_statuses": "700"}, "expected_statuses", "status codes run from 100 to 599"),
        ({"expected_statuses": " , "}, "expected_statuses", "Give at least one expected status code"),
        ({"headers": {"Bad Header": "x"}}, "headers", "“Bad Header” is not a valid header name."),
        ({"method": "BREW"}, "method", "not a valid choice"),
    ],
)
def test_bad_input_is_refused_on_its_field(release, fields, field, message):
    errors = field_errors(release, **fields)
    assert message in " ".join(errors[field])


def test_status_codes_and_ranges_are_understood(release):
    check = SmokeCheck(
        release=release, name="x", url="https://a.example/", expected_statuses="200, 204, 300-399"
    )
    check.full_clean()
    assert check.status_ranges() == [(200, 200), (204, 204), (300, 399)]


def test_allowed_hosts_restrict_targets(release, settings):
    settings.SMOKETESTS_ALLOWED_HOSTS = ["portal.example.com", ".internal.example.com"]
    for url in [
        "https://portal.example.com/",
        "https://api.internal.example.com/",
        "http://internal.example.com/",
    ]:
        SmokeCheck(release=release, name="ok", url=url).full_clean()
    errors = field_errors(release, url="https://attacker.example.net/")
    assert errors["url"] == [
        "Checks may not target attacker.example.net: it is not in SMOKETESTS_ALLOWED_HOSTS."
    ]


def test_names_are_unique_per_release(release, members):
    manager = members["release_manager"]
    create_check(release=release, actor=manager, name="home", url="https://portal.example.com/")
    with pytest.raises(ValidationError, match="already has a check with this name"):
        create_check(release=release, actor=manager, name="home", url="https://portal.example.com/other")


def test_create_change_and_delete_are_audited(release, members):
    manager = members["release_manager"]
    check = create_check(release=release, actor=manager, name="home", url="https://portal.example.com/")
    update_check(check=check, actor=manager, timeout_seconds=5)
    delete_check(check=check, actor=manager)
    events = list(AuditEvent.objects.filter(release=release).order_by("pk").values_list("verb", "changes"))
    assert [verb for verb, _ in events] == [
        "smoke_check.created",
        "smoke_check.changed",
        "smoke_check.deleted",
    ]
    assert events[1][1] == {"timeout_seconds": [10.0, 5.0]}


def test_the_form_reads_headers_one_per_line_and_reports_bad_lines(release):
    data = {
        "name": "API",
        "method": "GET",
        "url": "https://api.example.com/health",
        "headers": "Accept: application/json\nX-Token: abc:def",
        "expected_statuses": "200",
        "timeout_seconds": "5",
        "verify_tls": "on",
        "enabled": "on",
    }
    form = SmokeCheckForm(data, release=release)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["headers"] == {"Accept": "application/json", "X-Token": "abc:def"}

    form = SmokeCheckForm({**data, "headers": "no colon here"}, release=release)
    assert not form.is_valid()
    assert form.errors["headers"] == ["Line 1 is not “Name: value”."]


def test_header_values_never_reach_the_audit_trail(release, members):
    manager = members["release_manager"]
    check = create_check(
        release=release,
        actor=manager,
        name="api",
        url="https://api.example.com/",
        headers={"Authorization": "Bearer s3cret"},
    )
    update_check(check=check, actor=manager, headers={"Authorization": "Bearer n3w-s3cret"})
    update_check(
        check=check, actor=manager, headers={"Authorization": "Bearer n3w-s3cret", "Accept": "text/html"}
    )
    events = list(AuditEvent.objects.filter(release=release).order_by("pk").values_list("verb", "changes"))
    assert "s3cret" not in str(events)
    assert events[0][1]["headers"] == [None, "Authorization"]
    assert events[1][1] == {"headers": ["(values changed)", "(values changed)"]}
    assert events[2][1] == {"headers": ["Authorization", "Accept, Authorization"]}


def test_admin_edits_are_audited_without_header_values(release, client_for):
    admin_user = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client = client_for(admin_user)
    data = {
        "release": release.pk,
        "name": "api",
        "method": "GET",
        "url": "https://api.example.com/",
        "headers": '{"X-Api-Key": "k3y"}',
        "expected_statuses": "200",
        "timeout_seconds": "10",
        "verify_tls": "on",
        "enabled": "on",
    }
    response = client.post("/admin/smoketests/smokecheck/add/", data)
    assert response.status_code == 302
    check = SmokeCheck.objects.get()
    assert check.headers == {"X-Api-Key": "k3y"}
    event = AuditEvent.objects.get(verb="smoke_check.created")
    assert event.actor == admin_user and "k3y" not in str(event.changes)
