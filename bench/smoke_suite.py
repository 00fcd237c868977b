"""Smoke runs of many checks against local targets that answer after 200 ms, on one real worker.

    .venv/bin/python bench/smoke_suite.py [--checks 200] [--delay-ms 200] [--targets 1] [--rounds 3]
        [--database-url postgres://…]

Runs the same suite `--rounds` times and prints min / median / max of: start → verdict (the goals:
≤ 0.5 s for 200 checks, ≤ 1.5 s for 1,000, ≤ 12 s for 10,000), the run's own duration, the physical
limit (rounds of the target's delay the limits allow), the worker's CPU per check (goal ≤ 1 ms) and its
peak resident memory (goal < 400 MB), then a verdict. When prometheus-blackbox-exporter is installed it
probes the same URLs through it (as Prometheus would, `--blackbox-at-once` at a time) and prints the
ratio of the medians; otherwise it says so. Traffic goes to 127.0.0.1 only (`--targets` ports of it).
Without --database-url it uses a throw-away SQLite file; the broker is CELERY_BROKER_URL or a SQLite file.
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

from _server import create_database_if_missing

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
    if database_url:
        create_database_if_missing(database_url)
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


def serve_targets(delay_ms: int, count: int) -> None:
    """The targets, in their own process: `count` ports answering every request after `delay_ms`.

    The tests' thread-per-connection server spends more time accepting 200 connections at once than
    the checks themselves take; an asyncio server keeps the target from being what is measured.
    """

    async def serve():
        servers = [
            await asyncio.start_server(
                lambda reader, writer: _answer_slowly(reader, writer, delay_ms / 1000),
                "127.0.0.1",
                0,
                backlog=4096,
            )
            for _ in range(count)
        ]
        print(" ".join(str(server.sockets[0].getsockname()[1]) for server in servers), flush=True)
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(serve())


@contextmanager
def slow_targets(delay_ms: int, count: int):
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-targets", str(delay_ms), str(count)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield [f"http://127.0.0.1:{int(port)}" for port in process.stdout.readline().split()]
    finally:
        process.terminate()
        process.wait(timeout=10)


BLACKBOX_CONFIG = """modules:
  http_2xx:
    prober: http
    timeout: 10s
    http:
      method: GET
      preferred_ip_protocol: ip4
"""


def blackbox_binary() -> str | None:
    return shutil.which("prometheus-blackbox-exporter") or shutil.which("blackbox_exporter")


@contextmanager
def blackbox_exporter(folder: Path, port: int):
    config = folder / "blackbox.yml"
    config.write_text(BLACKBOX_CONFIG)
    log = open(folder / "blackbox.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [blackbox_binary(), f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    log_text = (folder / "blackbox.log").read_text()
                    raise SystemExit(f"blackbox exporter did not start: {log_text}") from None
                time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


async def _probe_through_blackbox(address: str, targets: list[str], at_once: int) -> int:
    """Asks the exporter to probe every target, `at_once` at a time, as Prometheus scrapes them;
    returns how many probes succeeded."""
    host, port = address.split(":")
    gate = asyncio.Semaphore(at_once)

    async def probe(target: str) -> bool:
        async with gate:
            reader, writer = await asyncio.open_connection(host, int(port))
            query = urlencode({"module": "http_2xx", "target": target})
            writer.write(
                f"GET /probe?{query} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n".encode()
            )
            answer = await reader.read()
            writer.close()
            return b"\nprobe_success 1" in answer

    return sum(await asyncio.gather(*(probe(target) for target in targets)))


def compare_with_blackbox(folder: Path, urls: list[str], rounds: int, port: int, at_once: int) -> list[float]:
    times = []
    with blackbox_exporter(folder, port) as address:
        asyncio.run(_probe_through_blackbox(address, urls[:10], at_once))  # warm up
        for _ in range(rounds):
            started = time.monotonic()
            succeeded = asyncio.run(_probe_through_blackbox(address, urls, at_once))
            times.append(time.monotonic() - started)
            if succeeded != len(urls):
                print(f"blackbox exporter: only {succeeded} of {len(urls)} probes succeeded")
    return times


# Goals for 200-ms targets: start → verdict in seconds, by number of checks.
WALL_GOALS = {200: 0.5, 1000: 1.5, 10_000: 12.0}
CPU_GOAL_MS_PER_CHECK = 1.0
RSS_GOAL_MB = 400


def spread(values: list[float], unit: str = "s", digits: int = 2) -> str:
    low, middle, high = min(values), statistics.median(values), max(values)
    return f"{low:.{digits}f} / {middle:.{digits}f} / {high:.{digits}f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--delay-ms", type=int, default=200)
    parser.add_argument(
        "--targets", type=int, default=1, help="ports of 127.0.0.1 the checks are spread over"
    )
    parser.add_argument("--rounds", type=int, default=3, help="runs measured (min / median / max)")
    parser.add_argument("--database-url", help="Default: a throw-away SQLite file.")
    parser.add_argument("--blackbox-port", type=int, default=9610)
    parser.add_argument("--blackbox-at-once", type=int, default=1000, help="probes asked of it at once")
    parser.add_argument("--serve-targets", type=int, nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_targets is not None:
        serve_targets(*options.serve_targets)
        return

    with (
        tempfile.TemporaryDirectory(prefix="smoke-bench-") as tmp,
        slow_targets(options.delay_ms, options.targets) as base_urls,
    ):
        folder = Path(tmp)
        settings_env = prepare(options.database_url, folder)
        from django.conf import settings

        from golive.permissions import SYSTEM
        from smoketests.models import SmokeCheck, SmokeRun
        from smoketests.services.runs import start_smoke_run

        release = make_release("Smoke suite benchmark")
        urls = [f"{base_urls[n % len(base_urls)]}/check/{n}" for n in range(options.checks)]
        SmokeCheck.objects.bulk_create(
            SmokeCheck(release=release, name=f"check {n:05d}", url=url) for n, url in enumerate(urls)
        )
        worker, _ = start_bench_worker(settings_env, folder, concurrency=1)
        walls, durations, cpus, peaks, slowest, idle_rss = [], [], [], [], [], tree_rss_bytes(worker.pid)
        try:
            for _ in range(options.rounds):
                cpu_before = tree_cpu_seconds(worker.pid)
                with PeakMemory(worker.pid) as memory:
                    clicked = time.monotonic()
                    run = start_smoke_run(release=release, actor=SYSTEM)
                    while not (run := SmokeRun.objects.get(pk=run.pk)).is_finished:
                        time.sleep(0.01)
                    walls.append(time.monotonic() - clicked)
                cpus.append(tree_cpu_seconds(worker.pid) - cpu_before)
                peaks.append(memory.peak / 2**20)
                durations.append(run.duration_seconds)
                passed = run.results.filter(outcome="passed").count()
                slowest.append(max(run.results.values_list("latency_ms", flat=True)))
                if run.status != "passed" or passed != options.checks:
                    print(f"run {run.pk}: {run.status}, {passed} of {options.checks} passed")
        finally:
            worker.stop()
        blackbox = None
        if blackbox_binary():
            blackbox = compare_with_blackbox(
                folder, urls, options.rounds, options.blackbox_port, options.blackbox_at_once
            )

        cpu_per_check = [cpu * 1000 / options.checks for cpu in cpus]
        print(f"database            {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
        print(f"broker              {settings.CELERY_BROKER_URL.split('://')[0]}")
        print(f"checks              {options.checks} × {options.delay_ms} ms on {options.targets} host(s)")
        print(
            f"limits              {settings.SMOKETESTS_MAX_CONCURRENCY} at once, "
            f"{settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST} per host; one worker process"
        )
        print(f"rounds              {options.rounds} (min / median / max below)")
        print(f"start → verdict     {spread(walls)}   (commit, broker, worker, polling)")
        print(f"run (worker)        {spread(durations)}   (started → finished)")
        waves = -(
            -options.checks
            // min(
                settings.SMOKETESTS_MAX_CONCURRENCY,
                settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST * options.targets,
            )
        )
        print(
            f"physical limit      {waves * options.delay_ms / 1000:.2f} s   "
            f"({waves} round(s) of {options.delay_ms} ms)"
        )
        print(f"slowest check       {spread(slowest, 'ms', 0)}")
        print(f"worker CPU          {spread(cpu_per_check, 'ms per check')}")
        print(f"worker RSS          {idle_rss / 2**20:.0f} MB idle, peak {spread(peaks, 'MB', 0)}")
        if blackbox:
            ratio = statistics.median(walls) / statistics.median(blackbox)
            print(
                f"blackbox exporter   {spread(blackbox)}   "
                f"({min(options.blackbox_at_once, options.checks)} probes at once)"
            )
            print(f"ratio               {ratio:.2f} × the blackbox exporter's time (medians)")
        else:
            print(
                "blackbox exporter   not installed (apt-get install prometheus-blackbox-exporter): "
                "no comparison"
            )
        print(f"load average        {os.getloadavg()[0]:.2f}   (other work on the machine skews the figures)")

        verdicts = [
            (f"CPU ≤ {CPU_GOAL_MS_PER_CHECK:g} ms per check", max(cpu_per_check) <= CPU_GOAL_MS_PER_CHECK),
            (f"worker RSS < {RSS_GOAL_MB} MB", max(peaks) < RSS_GOAL_MB),
        ]
        if goal := WALL_GOALS.get(options.checks):
            verdicts.insert(0, (f"start → verdict ≤ {goal:g} s (median)", statistics.median(walls) <= goal))
        for goal_text, met in verdicts:
            print(f"{'PASS' if met else 'FAIL'}  {goal_text}")
        print("verdict             " + ("PASS" if all(met for _, met in verdicts) else "FAIL"))


if __name__ == "__main__":
    main()
