import ast
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.celery import app as celery_app
from config.env import env_bool, env_cache, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]
# What README's "Running in production" tells a site behind TLS to set.
PRODUCTION_ENV = {
    "SECRET_KEY": "x7!kq2-9vZp#4Lr8mT1wYc6Nf3Hs0Jd5Gb2Xe7Ua9Qo4Ri1Vk8Ln6Mz3Py0Tw5",
    "ALLOWED_HOSTS": "golive.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://golive.example.com",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_PROXY_SSL_HEADER": "true",
    "SECURE_COOKIES": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
}
HTTPS_VARIABLES = [name for name in PRODUCTION_ENV if name.startswith("SECURE_")]


def _manage(*args, env_overrides):
    inherited = (
        "DEBUG",
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "ALLOWED_HOSTS",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        *HTTPS_VARIABLES,
    )
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_deploy_check_is_clean_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_overrides=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr


def _settings_value(expression: str, env_overrides: dict) -> str:
    result = _manage(
        "shell", "-c", f"from django.conf import settings; print({expression})", env_overrides=env_overrides
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_debug_is_off_unless_asked_for():
    assert _settings_value("settings.DEBUG", {}) == "False"
    assert _settings_value("settings.DEBUG", {"DEBUG": "true"}) == "True"


def test_without_any_variable_the_site_answers_plain_http_on_localhost():
    shown = _settings_value(
        "(settings.SECURE_SSL_REDIRECT, getattr(settings, 'SECURE_PROXY_SSL_HEADER', None), "
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, "
        "settings.SECURE_HSTS_PRELOAD, settings.ALLOWED_HOSTS)",
        {},
    )
    assert shown == "(False, None, False, False, 0, False, ['127.0.0.1', 'localhost', '[::1]'])"


def test_each_https_setting_applies_when_configured():
    shown = _settings_value(
        "(settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER, settings.SESSION_COOKIE_SECURE, "
        "settings.CSRF_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "settings.SECURE_HSTS_PRELOAD)",
        PRODUCTION_ENV,
    )
    assert shown == "(True, ('HTTP_X_FORWARDED_PROTO', 'https'), True, True, 31536000, True, True)"


def test_without_a_secret_key_one_is_generated_once_readable_by_its_owner_only(tmp_path):
    key_file = tmp_path / "secret_key"
    first = _settings_value("settings.SECRET_KEY", {"SECRET_KEY_FILE": str(key_file)})
    second = _settings_value("settings.SECRET_KEY", {"SECRET_KEY_FILE": str(key_file)})
    assert first == second == key_file.read_text().strip()
    assert len(first) >= 50
    assert key_file.stat().st_mode & 0o777 == 0o600
    # A key given in the environment wins, and the file is left alone.
    assert _settings_value(
        "settings.SECRET_KEY", {"SECRET_KEY": "k" * 60, "SECRET_KEY_FILE": str(key_file)}
    ) == ("k" * 60)
    assert key_file.read_text().strip() == first


def test_an_emptied_secret_key_file_stops_start_up(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("")
    result = _manage("check", env_overrides={"SECRET_KEY_FILE": str(key_file)})
    assert result.returncode != 0
    assert "is empty" in result.stderr


def test_a_misspelt_boolean_stops_start_up():
    result = _manage("check", env_overrides={"DEBUG": "flase"})
    assert result.returncode != 0
    assert "is not a boolean" in result.stderr


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), ("Yes", True), ("off", False)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG", not expected) is expected


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("SOME_NUMBER", "12")
    monkeypatch.setenv("SOME_LIST", "a.example.com, b.example.com,,")
    assert env_int("SOME_NUMBER", 1) == 12
    assert env_list("SOME_LIST") == ["a.example.com", "b.example.com"]
    monkeypatch.setenv("SOME_NUMBER", "twelve")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        env_int("SOME_NUMBER", 1)


def test_celery_delivery_guarantees_are_set():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.task_time_limit > celery_app.conf.task_soft_time_limit


def test_the_configured_broker_is_reachable():
    """The embedded SQLite broker by default; the machine's Redis when CELERY_BROKER_URL points at it (CI)."""
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1)
        assert connection.connected
        assert connection.transport_cls == (
            "redis" if celery_app.conf.broker_url.startswith("redis") else "sqla"
        )


def test_database_engine_follows_database_url(settings):
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite3"
    assert settings.DATABASES["default"]["ENGINE"].endswith(expected)


@pytest.mark.parametrize(
    ("raw", "backend"),
    [
        ("", "locmem.LocMemCache"),
        ("locmem://", "locmem.LocMemCache"),
        ("redis://cache:6379/1", "redis.RedisCache"),
    ],
)
def test_cache_url_names_the_backend(monkeypatch, raw, backend):
    monkeypatch.setenv("SOME_CACHE_URL", raw)
    cache = env_cache("SOME_CACHE_URL")
    assert cache["BACKEND"] == f"django.core.cache.backends.{backend}"
    assert cache.get("LOCATION", "") == (raw if raw.startswith("redis") else "")


def test_an_unknown_cache_url_stops_start_up():
    result = _manage("check", env_overrides={"CACHE_URL": "memcached://cache:11211"})
    assert result.returncode != 0
    assert "is not a cache URL" in result.stderr


def test_processes_pointed_at_redis_share_one_cache():
    """What one process (a web worker) caches, another (a second worker, on another host) reads."""
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://"):
        pytest.skip("REDIS TEST NOT RUN — needs CELERY_BROKER_URL on Redis (CI's second pass runs it)")
    cache_url = broker.rsplit("/", 1)[0] + "/15"  # a database of its own, away from the broker's queues
    key = f"shared-{uuid.uuid4().hex}"
    env = {"CACHE_URL": cache_url}
    written = _manage(
        "shell",
        "-c",
        f"from django.core.cache import cache; cache.set('{key}', 'cards', 30)",
        env_overrides=env,
    )
    assert written.returncode == 0, written.stderr
    read = _manage(
        "shell", "-c", f"from django.core.cache import cache; print(cache.get('{key}'))", env_overrides=env
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == "cards"


def test_turning_passwords_off_without_single_sign_on_stops_start_up():
    result = _manage("check", env_overrides={"PASSWORD_LOGIN": "false"})
    assert result.returncode != 0
    assert "PASSWORD_LOGIN=false needs single sign-on" in result.stderr


def test_turning_passwords_off_leaves_only_the_single_sign_on_backend():
    script = "from django.conf import settings; print(settings.AUTHENTICATION_BACKENDS)"
    result = _manage(
        "shell",
        "-c",
        script,
        env_overrides={
            "PASSWORD_LOGIN": "false",
            "OIDC_ISSUER": "https://login.example.com",
            "OIDC_CLIENT_ID": "golive-desk",
        },
    )
    assert result.returncode == 0, result.stderr
    backends = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    # The one-query permission reader checks no password; it stays in front of whatever signs people in.
    assert backends == ["golive.auth_backends.OneQueryPermissionsBackend", "golive.sso.SingleSignOnBackend"]


def test_the_site_address_follows_the_web_port_when_it_is_not_set():
    assert _settings_value("settings.SITE_URL", {"WEB_PORT": "8765"}) == "http://127.0.0.1:8765"
    shown = _settings_value(
        "settings.SITE_URL", {"WEB_PORT": "8765", "SITE_URL": "https://golive.example.com"}
    )
    assert shown == "https://golive.example.com"


@pytest.mark.parametrize("raw", ["five", "-1", "366"])
def test_a_bad_vendor_acknowledgement_window_stops_start_up(raw):
    result = _manage("check", env_overrides={"VENDOR_ACKNOWLEDGEMENT_DAYS": raw})
    assert result.returncode != 0
    assert "VENDOR_ACKNOWLEDGEMENT_DAYS" in result.stderr


def test_the_vendor_acknowledgement_window_defaults_to_five_days_and_follows_its_variable():
    assert _settings_value("settings.VENDOR_ACKNOWLEDGEMENT_DAYS", {}) == "5"
    assert (
        _settings_value("settings.VENDOR_ACKNOWLEDGEMENT_DAYS", {"VENDOR_ACKNOWLEDGEMENT_DAYS": "10"}) == "10"
    )
