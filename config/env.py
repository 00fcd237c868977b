"""Strict readers for settings taken from the environment.

A value that cannot be parsed stops start-up with a clear message instead of silently
falling back to a default: a typo in DEBUG must never turn debugging on or off by surprise.
"""

import os
import secrets
import time
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean; use one of true/false, 1/0, yes/no, on/off."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_cache(name: str) -> dict:
    """Django's cache settings from a URL: empty for this process's memory, redis://… (or rediss://) for a
    cache that every web process and worker shares."""
    raw = os.environ.get(name, "").strip()
    if not raw or raw == "locmem://":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if raw.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": raw}
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a cache URL; use redis://host:6379/1 or leave it empty."
    )


def secret_key_from_file(path: Path) -> str:
    """The key stored in `path`; a new random one written there first (owner-only) if there is none."""
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        descriptor = os.open(path, flags, 0o600)
    except FileExistsError:
        pass
    else:
        # O_EXCL: when two processes start at once, one writes the key and the other reads it.
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(50))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.02)  # the writer created the file a moment ago and is still writing
    raise ImproperlyConfigured(f"{path} is empty: delete it to have a new key generated, or set SECRET_KEY.")
