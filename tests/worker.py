"""A real Celery worker for tests: `celery -A config worker` in a subprocess, no beat, no mocks.

How the worker reaches what the test process uses:

- Database. pytest-django creates a separate test database: `test_<name>` on PostgreSQL, and for SQLite
  an in-memory one by default, which no other process can open. `django_db_modify_db_settings` below
  therefore gives the SQLite test database a file in a temporary folder, and the worker gets
  `DATABASE_URL` built from the test connection's own settings, so both processes use the same rows.
  Tests that use a worker must commit their data: mark them `django_db(transaction=True)`.
- Broker. The worker gets the test session's broker URL: Redis in CI, otherwise the embedded SQLite broker,
  which `isolated_celery_broker` moves to a file in a temporary folder. The fixture also gives the session
  a queue of its own, so a developer's `make run` worker, or another test session on the same Redis,
  never takes these tasks and this worker never takes theirs.

Benchmarks reuse `start_worker` and `worker_environment`.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
READY_MARK = " ready."


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path
    name: str
    _log_file: object = field(repr=False, default=None)

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_until_ready(self, timeout: float = 30.0) -> "WorkerProcess":
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if READY_MARK in self.log():
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"The Celery worker exited with {self.process.returncode}:\n{self.log()}")
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"The Celery worker was not ready within {timeout} s:\n{self.log()}")

    def kill(self) -> None:
        """SIGKILL the worker and its pool children at once, as a crashed machine would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_log()

    def stop(self, *, timeout: float = 15.0, cold: bool = False) -> None:
        """Warm shutdown (SIGTERM) finishes the current task first; cold (SIGQUIT) does not wait for it.

        Either way, SIGKILL if it takes longer than `timeout`.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT if cold else signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # any pool child left behind
        self.process.wait(timeout=10)
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None


def database_url_for(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(settings_dict["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("An in-memory SQLite database cannot be shared with a worker process.")
        return f"sqlite:///{name}"
    if engine == "django.db.backends.postgresql":
        user = quote(settings_dict.get("USER") or "")
        password = quote(settings_dict.get("PASSWORD") or "")
        credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = settings_dict.get("HOST") or "localhost"
        port = settings_dict.get("PORT") or 5432
        return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"
    raise RuntimeError(f"No worker database URL for {engine}.")


def worker_environment(*, database_url: str, queue: str, broker_url: str, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_TASK_DEFAULT_QUEUE=queue,
        PYTHONUNBUFFERED="1",
    )
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start_worker(
    *, env: dict, queue: str, log_path: Path, concurrency: int = 1, wait: bool = True
) -> WorkerProcess:
    name = f"test-{uuid.uuid4().hex[:8]}@%h"
    log_file = open(log_path, "ab")  # noqa: SIM115 (closed by WorkerProcess)
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--pool=prefork",
         f"--concurrency={concurrency}", "-Q", queue, f"--hostname={name}",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        # Its own process group, so a kill reaches the pool children and nothing else.
        start_new_session=True,
    )  # fmt: skip
    worker = WorkerProcess(process=process, log_path=log_path, name=name, _log_file=log_file)
    return worker.wait_until_ready() if wait else worker


def point_celery_at(*, queue: str, broker_url: str) -> None:
    """Send this process's tasks to `queue` on the broker at `broker_url`."""
    from config.celery import app, broker_transport_options

    app.conf.task_default_queue = queue
    app.conf.broker_url = broker_url
    app.conf.broker_transport_options = broker_transport_options(broker_url)
    # Pools made before the change would still point at the old broker; forget them.
    app._pool = None
    app.amqp._producer_pool = None


def embedded_broker_url(folder: Path) -> str:
    return f"sqla+sqlite:///{folder / 'broker.sqlite3'}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """A file, not memory, for the SQLite test database, so a worker process can open it too."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        test_settings = database.setdefault("TEST", {})
        if not test_settings.get("NAME"):
            test_settings["NAME"] = str(tmp_path_factory.mktemp("database") / "test-golive.sqlite3")


@dataclass(frozen=True)
class TestBroker:
    queue: str
    broker_url: str


@pytest.fixture(scope="session", autouse=True)
def isolated_celery_broker(tmp_path_factory):
    from config.celery import app

    queue = f"golive-test-{uuid.uuid4().hex[:10]}"
    embedded = app.conf.broker_url.startswith("sqla+")
    broker_url = embedded_broker_url(tmp_path_factory.mktemp("broker")) if embedded else app.conf.broker_url
    point_celery_at(queue=queue, broker_url=broker_url)
    yield TestBroker(queue=queue, broker_url=broker_url)
    if not embedded:
        try:
            with app.connection_for_write() as connection:
                connection.default_channel.queue_delete(queue)
        except Exception:  # the broker may already be gone at the end of a session; nothing to clean then
            pass


@pytest.fixture
def start_celery_worker(transactional_db, isolated_celery_broker, tmp_path):
    """start_celery_worker(**settings_env) → a ready WorkerProcess; every one is stopped after the test."""
    from django.db import connection

    from config.celery import app

    # Messages left by earlier tests name rows that no longer exist (or, ids being reused, other rows).
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(isolated_celery_broker.queue)
    started: list[WorkerProcess] = []

    def start(*, wait: bool = True, concurrency: int = 1, **settings_env: str) -> WorkerProcess:
        env = worker_environment(
            database_url=database_url_for(connection.settings_dict),
            queue=isolated_celery_broker.queue,
            broker_url=isolated_celery_broker.broker_url,
            **{"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend", **settings_env},
        )
        worker = start_worker(
            env=env,
            queue=isolated_celery_broker.queue,
            log_path=tmp_path / f"worker-{len(started) + 1}.log",
            concurrency=concurrency,
            wait=wait,
        )
        started.append(worker)
        return worker

    yield start
    # The test is over and its rows are written: no need to wait seconds for a polite shutdown.
    for worker in started:
        worker.kill()


def wait_for(condition, *, what: str, timeout: float = 30.0, worker: WorkerProcess | None = None):
    """condition() until it returns something true, which is returned; after `timeout` seconds the test
    fails, naming `what` (with the end of the worker's log when there is one)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    log = f"\n{worker.log()[-3000:]}" if worker else ""
    raise AssertionError(f"Not reached within {timeout:g} s: {what}{log}")
