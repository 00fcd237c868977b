"""The embedded default under a burst: the stack `make run` starts (config/supervisord.conf: gunicorn, the
Celery worker and beat) on SQLite with the SQLite broker, both in a var/ of its own, takes 50 votes sent
at the same instant and stores 50. Its SQLite is in WAL mode and a writer waits for a held lock."""

import json
import os
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.worker import ROOT

VOTERS = 50
PORTS = range(9700, 9800)  # the range this project's own servers under test use on a shared machine
# What `make run` leaves to the defaults; an outer setting (a test database, Redis) must not leak in.
NOT_INHERITED = {
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_DEFAULT_QUEUE",
    "CELERY_TASK_ALWAYS_EAGER",
    "CACHE_URL",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SECRET_KEY",
}

SETUP = """
import json
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils import timezone
from importlib import import_module
from golive.choices import Role
from gonogo.services.meetings import open_voting, schedule_meeting
from golive.services.releases import add_member, create_release

users = get_user_model().objects
manager = users.create_user(username="burst-manager")
manager.user_permissions.add(Permission.objects.get(content_type__app_label="golive", codename="add_release"))
manager = users.get(pk=manager.pk)  # a fresh object: the permission cache is per object
release = create_release(actor=manager, name="Burst", application="Burst", version="1",
                         environment="production", target_go_live=timezone.now())
voters = [users.create_user(username=f"burst-voter-{n}") for n in range(VOTERS)]
for voter in voters:
    add_member(release=release, user=voter, role=Role.STAKEHOLDER, actor=manager)
meeting = schedule_meeting(release=release, actor=manager, scheduled_at=timezone.now(), chair=manager,
                           invitees=voters)
open_voting(meeting=meeting, actor=manager)
store = import_module(settings.SESSION_ENGINE).SessionStore
sessions = []
for voter in voters:
    session = store()
    session[SESSION_KEY] = str(voter.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = voter.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
print(json.dumps({"path": meeting.get_absolute_url(), "meeting": meeting.pk, "sessions": sessions}))
"""

COUNT = """
from gonogo.models import Vote
print(Vote.objects.filter(meeting_id=MEETING).count(),
      Vote.objects.filter(meeting_id=MEETING).values("participant").distinct().count())
"""


LOCK_HELD_SECONDS = 8
TIMED_WRITE = """
import time
from django.contrib.auth import get_user_model
from django.db import connection
connection.ensure_connection()
started = time.monotonic()
user = get_user_model().objects.create_user(username="waits-for-the-lock")
print(user.pk, time.monotonic() - started)
"""


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.fail(f"no free port in {PORTS}")


@pytest.fixture(scope="module")
def embedded_env(tmp_path_factory):
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    var_dir = tmp_path_factory.mktemp("embedded-var")
    env.update(GOLIVE_VAR_DIR=str(var_dir), WEB_PORT=str(_free_port()), PYTHONUNBUFFERED="1")
    # What `make run` does before it starts supervisord (the demo data aside).
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input", "--verbosity=0"]):
        subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", *command], cwd=ROOT, env=env, check=True)
    return env


def _manage_shell(env: dict, code: str) -> str:
    """The last line `code` printed (the shell may print a line of its own first)."""
    return (
        subprocess.run(
            [str(ROOT / ".venv/bin/python"), "manage.py", "shell", "-c", code],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )


def _start_stack(env: dict) -> subprocess.Popen:
    log = open(os.path.join(env["GOLIVE_VAR_DIR"], "stack.log"), "wb")  # noqa: SIM115 (the stack's lifetime)
    return subprocess.Popen(
        [str(ROOT / ".venv/bin/supervisord"), "--configuration=config/supervisord.conf"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop_stack(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _wait_until_answering(base_url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert process.poll() is None, "supervisord exited"
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    pytest.fail("the embedded stack did not answer within 90 s")


def _vote(base_url: str, path: str, session: str, barrier: threading.Barrier, answers: list) -> None:
    csrf = "c" * 32
    request = urllib.request.Request(
        base_url + path + "vote/",
        data=b"choice=go",
        headers={
            "Cookie": f"sessionid={session}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Accept": "application/json",
        },
    )
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            answers.append((response.status, json.loads(response.read()).get("vote")))
    except urllib.error.HTTPError as error:
        answers.append((error.code, error.read()[:200]))
    except OSError as error:
        answers.append(("no answer", repr(error)))


def test_the_embedded_stack_stores_every_vote_of_a_50_voter_burst(embedded_env):
    setup = json.loads(_manage_shell(embedded_env, f"VOTERS = {VOTERS}\n{SETUP}"))
    base_url = f"http://127.0.0.1:{embedded_env['WEB_PORT']}"
    process = _start_stack(embedded_env)
    try:
        _wait_until_answering(base_url, process)
        time.sleep(3)  # every gunicorn worker has loaded the application
        answers: list = []
        barrier = threading.Barrier(VOTERS)
        threads = [
            threading.Thread(target=_vote, args=(base_url, setup["path"], session, barrier, answers))
            for session in setup["sessions"]
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        _stop_stack(process)

    stored, distinct = map(
        int, _manage_shell(embedded_env, COUNT.replace("MEETING", str(setup["meeting"]))).split()
    )
    assert sorted(answers, key=str) == [(200, "go")] * VOTERS
    assert (stored, distinct) == (VOTERS, VOTERS)


def test_the_embedded_database_is_in_wal_mode_and_a_writer_waits_for_a_held_lock(embedded_env):
    """settings.py opens SQLite with journal_mode=WAL and a 20 s timeout: a write while another process
    holds the write lock waits for it, instead of failing with "database is locked"."""
    database = os.path.join(embedded_env["GOLIVE_VAR_DIR"], "golive.sqlite3")
    holder = sqlite3.connect(database, isolation_level=None, check_same_thread=False)
    assert holder.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    holder.execute("BEGIN IMMEDIATE")
    release_after = threading.Timer(LOCK_HELD_SECONDS, lambda: holder.execute("COMMIT"))
    release_after.start()
    try:
        output = _manage_shell(embedded_env, TIMED_WRITE)
    finally:
        release_after.join()
        holder.close()

    user_pk, waited = output.split()
    assert user_pk.isdigit(), "the write went through once the lock was released"
    assert float(waited) >= 1.0, "the write waited for the lock (the shell starts within the hold)"
