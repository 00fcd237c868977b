"""The stack `make run` starts (config/supervisord.conf): a worker killed with SIGKILL is started again
within 10 s, the web answers throughout, a run queued before the kill finishes, and SIGINT stops all."""

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
import urllib.request

import pytest
from django.db import connection

from smoketests.choices import FINISHED_RUN_STATUSES, RunStatus
from smoketests.models import CheckResult, SmokeCheck, SmokeRun
from smoketests.services.runs import start_smoke_run
from tests.smoketests.target import TargetServer, unused_port
from tests.worker import ROOT, database_url_for, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

RESTART_WITHIN_SECONDS = 10


class Stack:
    def __init__(self, process: subprocess.Popen, log_path, port: int):
        self.process, self.log_path, self.port = process, log_path, port

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def spawned_pids(self, program: str) -> list[int]:
        return [int(pid) for pid in re.findall(rf"spawned: '{program}' with pid (\d+)", self.log())]

    def get(self, path: str) -> int:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as response:
            return response.status


@pytest.fixture
def supervised_stack(tmp_path, isolated_celery_broker):
    port = unused_port()
    env = {
        key: value for key, value in os.environ.items() if key not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")
    }
    env.update(
        GOLIVE_VAR_DIR=str(tmp_path),
        WEB_PORT=str(port),
        DATABASE_URL=database_url_for(connection.settings_dict),
        CELERY_BROKER_URL=isolated_celery_broker.broker_url,
        CELERY_TASK_DEFAULT_QUEUE=isolated_celery_broker.queue,
        # The reaper finds a run whose worker died after 5 s instead of 30.
        SMOKETESTS_RUN_LEASE_SECONDS="5",
        SMOKETESTS_QUEUED_RUN_RESEND_SECONDS="5",
        PYTHONUNBUFFERED="1",
    )
    log_path = tmp_path / "stack.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(ROOT / ".venv/bin/supervisord"), "--configuration=config/supervisord.conf"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(process, log_path, port)
    try:
        yield stack
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            for pid in stack.spawned_pids("web") + stack.spawned_pids("worker") + stack.spawned_pids("beat"):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pid, signal.SIGKILL)
        process.wait(timeout=10)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_worker_comes_back_while_the_web_keeps_answering(release, members, supervised_stack):
    stack = supervised_stack
    target = TargetServer().start()
    answers: list[int | str] = []
    polling = threading.Event()

    def poll_the_web():
        while not polling.is_set():
            try:
                answers.append(stack.get("/healthz"))
            except OSError as error:
                answers.append(repr(error))
            time.sleep(0.1)

    try:
        for index in range(3):
            check = SmokeCheck(release=release, name=f"slow {index}", url=target.url("/slow?ms=1500"))
            check.full_clean()
            check.save()
        wait_for(
            lambda: stack.log().count(" ready.") >= 1, timeout=40, what=f"a ready worker:\n{stack.log()}"
        )
        wait_for(lambda: stack.get("/healthz") == 200, timeout=20, what="the web server answering")
        poller = threading.Thread(target=poll_the_web, daemon=True)
        poller.start()

        running = start_smoke_run(release=release, actor=members["release_manager"])
        wait_for(
            lambda: SmokeRun.objects.filter(pk=running.pk, status=RunStatus.RUNNING).exists(),
            timeout=20,
            what="the first run started",
        )
        queued = start_smoke_run(release=release, actor=members["release_manager"])

        [worker_pid] = stack.spawned_pids("worker")
        killed_at = time.monotonic()
        os.killpg(worker_pid, signal.SIGKILL)  # the worker and its pool processes, as a crash would
        wait_for(
            lambda: len(stack.spawned_pids("worker")) == 2,
            timeout=RESTART_WITHIN_SECONDS,
            what=f"the worker started again:\n{stack.log()}",
        )
        restarted_in = time.monotonic() - killed_at
        wait_for(
            lambda: stack.log().count(" ready.") >= 2,
            timeout=30,
            what=f"the restarted worker ready:\n{stack.log()}",
        )
        ready_in = time.monotonic() - killed_at

        for run in (running, queued):
            wait_for(
                lambda run=run: SmokeRun.objects.filter(pk=run.pk, status__in=FINISHED_RUN_STATUSES).exists(),
                timeout=45,
                what=f"run {run.pk} finished after the restart:\n{stack.log()[-3000:]}",
            )
            assert CheckResult.objects.filter(run=run).count() == 3  # every check once, none twice
        polling.set()
        poller.join()

        assert answers and set(answers) == {200}, answers
        print(
            f"worker started again {restarted_in:.1f} s and ready {ready_in:.1f} s after SIGKILL; "
            f"the web answered {len(answers)} times"
        )
        assert len(stack.spawned_pids("web")) == len(stack.spawned_pids("beat")) == 1

        children = [stack.spawned_pids(name)[-1] for name in ("web", "worker", "beat")]
        stack.process.send_signal(signal.SIGINT)  # Ctrl-C in the terminal of `make run`
        stack.process.wait(timeout=40)
        wait_for(
            lambda: not any(alive(pid) for pid in children), timeout=10, what="web, worker and beat gone"
        )
    finally:
        polling.set()
        target.stop()
