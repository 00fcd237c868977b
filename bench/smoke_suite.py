"""A smoke run of 200 checks against a local target that answers after 200 ms, on one real worker.

    .venv/bin/python bench/smoke_suite.py [--checks 200] [--delay-ms 200] [--database-url postgres://…]

Prints the run's duration (target: under 2 s; one at a time it would take checks × delay) and the
worker's peak resident memory (target: under 300 MB). Traffic goes to 127.0.0.1 only. Without
--database-url it uses a throw-away SQLite file; the broker is CELERY_BROKER_URL or a SQLite file.
"""

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    pids, index = [pid], 0
    while index < len(pids):
        try:
            children = Path(f"/proc/{pids[index]}/task/{pids[index]}/children").read_text().split()
        except OSError:
            children = []
        pids.extend(int(child) for child in children)
        index += 1
    return pids


def tree_rss_bytes(pid: int) -> int:
    total = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * PAGE_SIZE
    return total


def tree_cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its live children (and children it already reaped)."""
    total = 0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
        total += utime + stime + cutime + cstime
    return total / CLOCK_TICKS


class PeakMemory:
    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            time.sleep(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def prepare(database_url: str | None, folder: Path) -> dict:
    """Point this process at a fresh database and a private queue; returns what a worker needs too."""
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    settings_env = {
        "DATABASE_URL": database_url or f"sqlite:///{folder / 'bench.sqlite3'}",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL")
        or f"sqla+sqlite:///{folder / 'broker.sqlite3'}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        # As in production: with DEBUG on, Django keeps every query in memory and spends time on it.
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-only-" + "s" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    os.environ.update(settings_env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return {"queue": queue, **settings_env}


def start_bench_worker(settings_env: dict, folder: Path, concurrency: int):
    from tests.worker import start_worker, worker_environment

    env = worker_environment(
        database_url=settings_env["DATABASE_URL"],
        queue=settings_env["queue"],
        broker_url=settings_env["CELERY_BROKER_URL"],
        **{
            key: value
            for key, value in settings_env.items()
            if key not in ("queue", "DATABASE_URL", "CELERY_BROKER_URL")
        },
    )
    return start_worker(
        env=env, queue=settings_env["queue"], log_path=folder / "worker.log", concurrency=concurrency
    ), env


def make_release(name: str):
    from django.utils import timezone

    from golive.choices import ReleaseStatus
    from golive.models import Release

    return Release.objects.create(
        name=name,
        application="Bench",
        version="1.0",
        target_go_live=timezone.now(),
        status=ReleaseStatus.LIVE,
    )


async def _answer_slowly(reader, writer, delay: float) -> None:
    body = b"OK: portal healthy"
    response = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )
    try:
        while True:
            await reader.readuntil(b"\r\n\r\n")
            await asyncio.sleep(delay)
            writer.write(response)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


def serve_target(delay_ms: int) -> None:
    """The target, in its own process: answers every request after `delay_ms`, many at once.

    The tests' thread-per-connection server spends more time accepting 200 connections at once than
    the checks themselves take; an asyncio server keeps the target from being what is measured.
    """

    async def serve():
        server = await asyncio.start_server(
            lambda reader, writer: _answer_slowly(reader, writer, delay_ms / 1000),
            "127.0.0.1",
            0,
            backlog=2048,
        )
        print(server.sockets[0].getsockname()[1], flush=True)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


@contextmanager
def slow_target(delay_ms: int):
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-target", str(delay_ms)], stdout=subprocess.PIPE, text=True
    )
    try:
        yield f"http://127.0.0.1:{int(process.stdout.readline())}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument("--database-url", help="Default: a throw-away SQLite file.")
    parser.add_argument("--serve-target", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_target is not None:
        serve_target(options.serve_target)
        return

    with tempfile.TemporaryDirectory(prefix="smoke-bench-") as tmp, slow_target(options.delay_ms) as base_url:
        folder = Path(tmp)
        settings_env = prepare(options.database_url, folder)
        from django.conf import settings
        from django.db.models import Max

        from golive.permissions import SYSTEM
        from smoketests.models import SmokeCheck, SmokeRun
        from smoketests.services.runs import start_smoke_run

        release = make_release("Smoke suite benchmark")
        SmokeCheck.objects.bulk_create(
            SmokeCheck(release=release, name=f"check {n:03d}", url=f"{base_url}/check/{n}")
            for n in range(options.checks)
        )
        worker, _ = start_bench_worker(settings_env, folder, concurrency=1)
        try:
            idle_rss = tree_rss_bytes(worker.pid)
            cpu_before = tree_cpu_seconds(worker.pid)
            with PeakMemory(worker.pid) as memory:
                clicked = time.monotonic()
                run = start_smoke_run(release=release, actor=SYSTEM)
                while not (run := SmokeRun.objects.get(pk=run.pk)).is_finished:
                    time.sleep(0.02)
                wall = time.monotonic() - clicked
            cpu_used = tree_cpu_seconds(worker.pid) - cpu_before
        finally:
            worker.stop()

        passed = run.results.filter(outcome="passed").count()
        slowest = run.results.aggregate(slowest=Max("latency_ms"))["slowest"]
        sequential = options.checks * options.delay_ms / 1000
        print(f"database            {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        print(f"broker              {settings.CELERY_BROKER_URL.split('://')[0]}")
        print(
            f"checks              {options.checks} × {options.delay_ms} ms, {passed} passed, run {run.status}"
        )
        print(f"concurrency         {settings.SMOKETESTS_MAX_CONCURRENCY} at once, one worker process")
        print(f"run (worker)        {run.duration_seconds:.2f} s   (started → finished; target < 2 s)")
        print(f"start → verdict     {wall:.2f} s   (incl. commit, broker and polling)")
        print(f"one at a time       {sequential:.0f} s")
        print(f"slowest check       {slowest} ms   (the target answers after {options.delay_ms} ms)")
        print(f"worker CPU          {cpu_used:.2f} s for the run (what the machine's load cannot change)")
        print(f"load average        {os.getloadavg()[0]:.2f}   (other work on the machine skews the figures)")
        idle_mb, peak_mb = idle_rss / 2**20, memory.peak / 2**20
        print(f"worker RSS          {idle_mb:.0f} MB idle, {peak_mb:.0f} MB peak (target < 300 MB)")


if __name__ == "__main__":
    main()
