"""Log-in throttling: after LOGIN_FAILURE_LIMIT failures from one address or for one user, a wait."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from golive.choices import Role

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED_MESSAGE = "Too many failed log-ins"


def _log_in(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def _signed_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def _fail(client: Client, username: str, times: int, address: str = "10.0.0.1"):
    return [_log_in(client, username, "wrong", address) for _ in range(times)]


def _after_the_cool_off() -> None:
    # The wait is measured from the stored attempts, so moving them back is the same as waiting.
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )


def test_the_defaults_are_five_failures_and_a_fifteen_minute_wait():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60


def test_the_nth_failure_locks_with_a_clear_message_and_the_right_password_is_refused(members):
    client = Client()
    before = _fail(client, "manager", settings.AXES_FAILURE_LIMIT - 1)
    assert [r.status_code for r in before] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert all(LOCKED_MESSAGE not in r.content.decode() for r in before)

    locking = _fail(client, "manager", 1)[0]
    assert locking.status_code == 429
    page = locking.content.decode()
    assert LOCKED_MESSAGE in page and "15 minutes" in page
    assert 'name="username"' in page  # still the log-in page, not a bare error

    refused = _log_in(client, "manager", "demo")
    assert refused.status_code == 429 and LOCKED_MESSAGE in refused.content.decode()
    assert not _signed_in(client)
    assert AccessFailureLog.objects.filter(username="manager").count() == settings.AXES_FAILURE_LIMIT + 1

    _after_the_cool_off()
    response = _log_in(client, "manager", "demo")
    assert response.status_code == 302 and _signed_in(client)


def test_one_user_is_locked_whatever_the_address(members):
    for number in range(settings.AXES_FAILURE_LIMIT):
        _log_in(Client(), "owner", "wrong", address=f"10.0.1.{number}")
    refused = _log_in(Client(), "owner", "demo", address="10.0.9.9")
    assert refused.status_code == 429
    # Another user from yet another address is not held up.
    assert _log_in(Client(), "dev", "demo", address="10.0.9.10").status_code == 302


def test_one_address_is_locked_whatever_the_user(members):
    for username in ["manager", "owner", "dev", "support", "vendor"][: settings.AXES_FAILURE_LIMIT]:
        _log_in(Client(), username, "wrong", address="10.0.2.2")
    assert _log_in(Client(), "stakeholder", "demo", address="10.0.2.2").status_code == 429
    assert _log_in(Client(), "stakeholder", "demo", address="10.0.2.3").status_code == 302


def test_a_successful_log_in_clears_the_failures(members):
    client = Client()
    _fail(client, "dev", settings.AXES_FAILURE_LIMIT - 1, address="10.0.3.3")
    assert _log_in(client, "dev", "demo", address="10.0.3.3").status_code == 302
    _fail(Client(), "dev", settings.AXES_FAILURE_LIMIT - 1, address="10.0.3.3")
    assert _log_in(Client(), "dev", "demo", address="10.0.3.3").status_code == 302


def test_the_limit_and_the_wait_come_from_the_environment():
    env = {**os.environ, "LOGIN_FAILURE_LIMIT": "3", "LOGIN_COOLOFF_MINUTES": "2"}
    shown = "from django.conf import settings as s; print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", shown],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.split() == ["3", "0:02:00"], result.stderr


def test_staff_see_lockouts_in_the_admin(members, staff, client_for):
    staff.is_superuser = True
    staff.save()
    _fail(Client(), "manager", settings.AXES_FAILURE_LIMIT)
    page = client_for(staff).get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "manager" in page and "10.0.0.1" in page


def test_forced_log_ins_and_api_tokens_are_not_throttled(members, client_for, release):
    _fail(Client(), "manager", settings.AXES_FAILURE_LIMIT)
    manager = members[Role.RELEASE_MANAGER]
    assert client_for(manager).get(release.get_absolute_url()).status_code == 200
    from integrations.services.api_tokens import create_api_token

    token = create_api_token(user=manager, name="Pipeline").text
    response = Client().get(
        reverse("api:release_detail", args=[release.pk]), HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200


def test_a_check_without_a_request_is_answered_by_the_user_check(members):
    assert authenticate(username="manager", password="demo") == members[Role.RELEASE_MANAGER]
    assert authenticate(username="manager", password="wrong") is None


def test_behind_a_proxy_the_forwarded_client_address_is_counted(members, settings):
    settings.LOGIN_PROXY_COUNT = 1
    proxy = "10.9.9.9"
    for number in range(settings.AXES_FAILURE_LIMIT):
        # A client cannot dodge the count by writing its own X-Forwarded-For entries in front.
        forged = f"192.0.2.{number}, 203.0.113.7"
        Client().post(
            LOGIN,
            {"username": f"nobody{number}", "password": "x"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR=forged,
        )
    blocked = Client().post(
        LOGIN, {"username": "dev", "password": "demo"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert blocked.status_code == 429
    other_client = Client().post(
        LOGIN, {"username": "dev", "password": "demo"}, REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert other_client.status_code == 302
