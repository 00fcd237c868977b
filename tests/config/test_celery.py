"""The worker's consumer waits out a broker outage; a web request that dispatches during one fails fast.

A redis-server of the test's own, stopped and started again mid-run, and a real worker process.
"""

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from kombu import pools as kombu_pools

from smoketests.choices import RunStatus
from smoketests.models import SmokeCheck, SmokeRun
from smoketests.services.runs import reap_smoke_runs, start_smoke_run
from tests.smoketests.target import TargetServer, unused_port
from tests.worker import point_celery_at, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class RedisServer:
    """redis-server on a free port, its data in an append-only file so a restart keeps the queues."""

    def __init__(self, folder):
        self.folder = folder
        self.port = unused_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path, isolated_celery_broker, monkeypatch):
    if not shutil.which("redis-server"):
        pytest.skip("REDIS OUTAGE TEST NOT RUN — needs redis-server installed")
    server = RedisServer(tmp_path).start()
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)
    point_celery_at(queue=isolated_celery_broker.queue, broker_url=server.url)
    yield server
    server.stop()
    kombu_pools.reset()
    point_celery_at(queue=isolated_celery_broker.queue, broker_url=isolated_celery_broker.broker_url)


def test_the_worker_rides_out_a_redis_outage_and_runs_a_run_started_during_it(
    release, members, own_redis, start_celery_worker, settings
):
    target = TargetServer().start()
    try:
        check = SmokeCheck(release=release, name="home page", url=target.url("/fast"))
        check.full_clean()
        check.save()
        worker = start_celery_worker(CELERY_BROKER_URL=own_redis.url)

        own_redis.stop()
        # With a single reconnection attempt (the old setting), the worker exited after the first of these.
        wait_for(
            lambda: worker.log().count("Trying again in") >= 3,
            timeout=60,
            what=f"three reconnection attempts by the worker:\n{worker.log()}",
        )
        assert worker.process.poll() is None, worker.log()

        asked = time.monotonic()
        run = start_smoke_run(release=release, actor=members["release_manager"])
        assert time.monotonic() - asked < 15  # the request is answered, not held until Redis returns
        assert run.status == RunStatus.QUEUED
        assert run.dispatch_error.startswith("No worker reachable")

        own_redis.start()
        # What beat's reaper does every few seconds: send what could not be sent.
        resend_after = timedelta(seconds=settings.SMOKETESTS_QUEUED_RUN_RESEND_SECONDS + 1)
        assert reap_smoke_runs(now=timezone.now() + resend_after)["resent"] == 1

        run = wait_for(
            lambda: SmokeRun.objects.filter(pk=run.pk, status=RunStatus.PASSED).first(),
            timeout=60,
            what=f"the run passed after Redis returned:\n{worker.log()}",
        )
        assert worker.process.poll() is None
        assert "Unrecoverable error" not in worker.log()
        assert "Connected to redis" in worker.log().rsplit("Trying again in", 1)[1]
    finally:
        target.stop()
