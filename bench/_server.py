"""Helpers shared by the benchmarks: a throw-away PostgreSQL database and a gunicorn server."""

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# The server and the process that prepares its data must sign sessions with the same key.
BENCH_SECRET_KEY = "benchmark-only-" + "k" * 50


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(database_url: str) -> None:
    """Create the benchmark database if needed, point Django at it, and migrate it."""
    if urlparse(database_url).scheme not in ("postgres", "postgresql"):
        raise SystemExit("The benchmark runs on PostgreSQL: pass --database-url postgres://…")
    create_database_if_missing(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ["SECRET_KEY"] = BENCH_SECRET_KEY
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def create_database_if_missing(database_url: str) -> None:
    """A PostgreSQL database named in the URL is created when it does not exist yet; other URLs are
    left alone (SQLite creates its file itself)."""
    import psycopg2

    parsed = urlparse(database_url)
    if parsed.scheme not in ("postgres", "postgresql"):
        return
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(database_url.replace(f"/{name}", "/postgres", 1))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


@contextmanager
def gunicorn(database_url: str, workers: int = 2, threads: int = 4, port: int | None = None):
    """A production-like server: DEBUG off, collected static files, `workers` processes; on `port`, or
    on a free one."""
    port = port or free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "SECURE_SSL_REDIRECT": "false",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--threads={threads}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        # The master listens before its workers have loaded the app: wait for an answer, not the port.
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base_url + "/healthz", timeout=1) as response:
                    response.read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        time.sleep(1)  # the other workers finish loading meanwhile
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


def session_cookie_for(user) -> str:
    """A logged-in session for `user`, made directly so password hashing stays out of the figures."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def cpu_seconds_of(marker: str) -> float:
    """CPU time (user + system) of every process whose command line holds `marker`, from /proc: e.g. a
    gunicorn's `--bind=127.0.0.1:PORT` (its master and workers) or `postgres: ` (the database's backends)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if marker.encode() not in (proc / "cmdline").read_bytes():
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def run_threads(threads: list[threading.Thread]) -> float:
    """Starts the threads, waits for all of them; returns the wall-clock seconds that took."""
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]
