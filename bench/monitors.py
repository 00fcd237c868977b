"""10,000 monitors checked every 60 s by one worker and real beat, from a start with a backlog.

    .venv/bin/python bench/monitors.py --database-url postgres://…/golive_monitors --reset
        [--monitors 10000] [--interval 60] [--duration 300] [--delay-ms 20] [--targets 4]
        [--first-port 9510] [--backlog 300] [--outage 120 --before-outage 60 --after-outage 180]

The monitors are created `--backlog` seconds before the worker and beat start, so every one of them is
overdue at once (as after a bulk import or with the scheduler down). They check `--targets` local HTTP
servers on 127.0.0.1 (ports from `--first-port`) that answer after `--delay-ms`.

Every slot of every monitor that falls due after the worker starts must be started within 5 s: one that
starts later, or is never checked, is late. The script lists the late share per 30 s window and overall,
the start delays, the slots of the backlog (due before the start) checked at once or left to the
monitor's next slot, and the worker's CPU per stored check (its whole process group: dispatching,
checking, storing). With `--outage`, the worker is killed after `--before-outage` seconds, beat goes on,
and a new worker starts `--outage` seconds later; the late share then counts from 60 s after it returns.

Verdict PASS when the late share is under 1 % and the CPU per check at most 2 ms. `--reset` empties
the database's releases (and everything under them) first: use the benchmark's own database.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from smoke_suite import (
    PeakMemory,
    _answer_slowly,
    make_release,
    prepare,
    start_bench_worker,
    tree_cpu_seconds,
)

ROOT = Path(__file__).resolve().parent.parent
LATE_AFTER = timedelta(seconds=5)
WINDOW_SECONDS = 30
MAX_LATE_PERCENT = 1.0
MAX_CPU_MS_PER_CHECK = 2.0


def start_beat(settings_env: dict, folder: Path) -> subprocess.Popen:
    """Beat, as the worker sees the settings; returns once it is up (its schedule file exists)."""
    from tests.worker import worker_environment

    env = worker_environment(
        database_url=settings_env["DATABASE_URL"],
        queue=settings_env["queue"],
        broker_url=settings_env["CELERY_BROKER_URL"],
        **{key: value for key, value in settings_env.items() if key.isupper() and key != "DATABASE_URL"},
    )
    log = open(folder / "beat.log", "ab")  # noqa: SIM115 (lives as long as the process)
    beat = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=WARNING",
         f"--schedule={folder / 'beat-schedule'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(folder.glob("beat-schedule*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    return beat


def serve_targets(ports: list[int], delay_ms: int) -> None:
    async def serve():
        servers = [
            await asyncio.start_server(
                lambda reader, writer: _answer_slowly(reader, writer, delay_ms / 1000),
                "127.0.0.1",
                port,
                backlog=2048,
            )
            for port in ports
        ]
        print("ready", flush=True)
        await asyncio.gather(*(server.serve_forever() for server in servers))

    asyncio.run(serve())


@contextmanager
def local_targets(ports: list[int], delay_ms: int):
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-targets", ",".join(map(str, ports)), "--delay-ms", str(delay_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        if process.stdout.readline().strip() != "ready":
            raise SystemExit(f"The targets could not listen on ports {ports}.")
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        process.terminate()
        process.wait(timeout=10)


def reset_database() -> None:
    from django.db import connection

    from golive.models import Release

    if connection.vendor != "postgresql":
        raise SystemExit("--reset empties PostgreSQL tables only; SQLite files here are throw-away anyway.")
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{Release._meta.db_table}" CASCADE')


def create_monitors(
    count: int, interval: int, base_urls: list[str], created_at: datetime
) -> dict[int, datetime]:
    """Monitors as a bulk import `created_at` would make them; returns each one's first due time."""
    from smoketests.models import Monitor, SmokeCheck
    from smoketests.services.monitors import first_due_at

    release = make_release("Monitor benchmark")
    checks = SmokeCheck.objects.bulk_create(
        (
            SmokeCheck(
                release=release,
                name=f"monitor {n:05d}",
                url=f"{base_urls[n % len(base_urls)]}/monitor/{n}",
                timeout_seconds=10,
            )
            for n in range(count)
        ),
        batch_size=2000,
    )
    monitors = []
    for check in checks:
        monitor = Monitor(release=release, smoke_check=check, interval_seconds=interval)
        monitor.next_due_at = first_due_at(monitor=monitor, now=created_at)
        monitors.append(monitor)
    Monitor.objects.bulk_create(monitors, batch_size=2000)
    return {monitor.pk: monitor.next_due_at for monitor in Monitor.objects.filter(release=release)}


def slots_between(first_due: datetime, interval: timedelta, start: datetime, end: datetime) -> list[datetime]:
    """The slots of a monitor whose rhythm began at `first_due`, in [start, end)."""
    steps = max(0, -((first_due - start) // interval))  # ceil((start - first_due) / interval)
    slot = first_due + steps * interval
    slots = []
    while slot < end:
        slots.append(slot)
        slot += interval
    return slots


def print_line(label: str, value) -> None:
    print(f"{label:<20}{value}")


class Worker:
    """The benchmark's one worker process group; adds up its CPU across restarts."""

    def __init__(self, settings_env: dict, folder: Path, concurrency: int):
        self.settings_env, self.folder, self.concurrency = settings_env, folder, concurrency
        self.cpu_seconds = 0.0
        self.process = None
        self.running = False

    def start(self) -> None:
        self.process, _ = start_bench_worker(self.settings_env, self.folder, self.concurrency)
        self.cpu_at_start = tree_cpu_seconds(self.process.pid)
        self.running = True

    def cpu_now(self) -> float:
        if not self.running:
            return self.cpu_seconds
        return self.cpu_seconds + tree_cpu_seconds(self.process.pid) - self.cpu_at_start

    def stop(self, *, crash: bool = False) -> None:
        self.cpu_seconds = self.cpu_now()
        self.running = False
        if crash:
            self.process.kill()
        else:
            self.process.stop()


class CpuWindows:
    """The worker's CPU at every WINDOW_SECONDS from the start: `sleep` takes the samples as it waits."""

    def __init__(self, worker: Worker):
        self.worker, self.start, self.samples = worker, time.monotonic(), [0.0]

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (mark := self.start + WINDOW_SECONDS * len(self.samples)) <= end:
            time.sleep(max(0.0, mark - time.monotonic()))
            self.samples.append(self.worker.cpu_now())
        time.sleep(max(0.0, end - time.monotonic()))

    def per_window(self) -> list[float]:
        return [later - earlier for earlier, later in zip(self.samples, self.samples[1:], strict=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=10000)
    parser.add_argument("--interval", type=int, default=60, help="Seconds between checks of one monitor.")
    parser.add_argument("--duration", type=int, default=300, help="Seconds to measure without --outage.")
    parser.add_argument("--delay-ms", type=int, default=20, help="How long the targets take to answer.")
    parser.add_argument("--targets", type=int, default=4, help="Local HTTP servers (hosts) to check.")
    parser.add_argument("--first-port", type=int, default=9510)
    parser.add_argument("--backlog", type=int, default=300, help="Seconds from creation to the start.")
    parser.add_argument("--concurrency", type=int, default=2, help="Worker processes (one per core).")
    parser.add_argument("--outage", type=int, default=0, help="Seconds the worker is down (0: no outage).")
    parser.add_argument("--before-outage", type=int, default=60)
    parser.add_argument("--after-outage", type=int, default=180)
    parser.add_argument("--database-url", help="Default: a throw-away SQLite file.")
    parser.add_argument("--reset", action="store_true", help="Empty the database's releases first.")
    parser.add_argument("--serve-targets", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.serve_targets:
        serve_targets([int(port) for port in options.serve_targets.split(",")], options.delay_ms)
        return

    ports = [options.first_port + n for n in range(options.targets)]
    with (
        tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp,
        local_targets(ports, options.delay_ms) as urls,
    ):
        folder = Path(tmp)
        settings_env = prepare(options.database_url, folder)
        from django.utils import timezone

        from smoketests.choices import COMPLETED_OUTCOMES
        from smoketests.models import Monitor, MonitorResult

        if options.reset:
            reset_database()
        interval = timedelta(seconds=options.interval)
        first_due = create_monitors(
            options.monitors, options.interval, urls, timezone.now() - timedelta(seconds=options.backlog)
        )
        # Beat first, as after a worker outage: the start is the moment the worker is ready.
        beat = start_beat(settings_env, folder)
        worker = Worker(settings_env, folder, options.concurrency)
        worker.start()
        began = timezone.now()
        cpu_windows = CpuWindows(worker)
        returned = None
        try:
            with PeakMemory(worker.process.pid, every=1.0) as memory:
                if options.outage:
                    cpu_windows.sleep(options.before_outage)
                    worker.stop(crash=True)
                    cpu_windows.sleep(options.outage)
                    worker.start()
                    returned = timezone.now()
                    cpu_windows.sleep(options.after_outage)
                else:
                    cpu_windows.sleep(options.duration)
                ended = timezone.now()
                cpu_used = worker.cpu_now()
        finally:
            beat.terminate()
            beat.wait(timeout=15)
            worker.stop()

        rows = MonitorResult.objects.filter(monitor__in=first_due.keys())
        started_at = {
            (monitor, slot): start
            for monitor, slot, start in rows.values_list("monitor_id", "scheduled_for", "started_at")
        }
        completed = rows.filter(finished_at__gte=began, finished_at__lt=ended, outcome__in=COMPLETED_OUTCOMES)
        checks_done = completed.count()
        checks_passed = completed.filter(outcome="passed").count()
        # Slots due from the start (or 60 s after the return) until 5 s before the end: each must start
        # within 5 s. Slots of the backlog (due before the start) are reported apart.
        measured_from = returned + interval if returned else began
        late_until = ended - LATE_AFTER
        per_window: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        delays, due, late = [], 0, 0
        for monitor, first in first_due.items():
            for slot in slots_between(first, interval, began, late_until):
                start = started_at.get((monitor, slot))
                delay = (start - slot) if start else None
                is_late = delay is None or delay > LATE_AFTER
                window = per_window[int((slot - began).total_seconds() // WINDOW_SECONDS)]
                window[0] += 1
                window[1] += is_late
                if slot >= measured_from:
                    due += 1
                    late += is_late
                    if delay is not None:
                        delays.append(delay.total_seconds())
        backlog = [(slot, start) for (_, slot), start in started_at.items() if slot < began]
        backlog_late = sum(1 for slot, start in backlog if start is None or start - slot > LATE_AFTER)
        first_checks = defaultdict(lambda: ended)
        for (monitor, _), start in started_at.items():
            if start:
                first_checks[monitor] = min(first_checks[monitor], start)
        unchecked_long = sum(
            1 for monitor in first_due if first_checks[monitor] - began > interval + LATE_AFTER
        )

        delays.sort()

        def percentile(share: float) -> float:
            return delays[min(len(delays) - 1, int(share * len(delays)))] if delays else float("nan")

        wall = (ended - began).total_seconds()
        late_share = 100 * late / max(due, 1)
        cpu_ms = 1000 * cpu_used / max(checks_done, 1)
        broker = settings_env["CELERY_BROKER_URL"].split("://")[0]
        database = settings_env["DATABASE_URL"].split("://")[0]
        show = print_line
        show("monitors", f"{options.monitors} every {options.interval} s, {options.targets} targets "
             f"answering in {options.delay_ms} ms, created {options.backlog} s before the start")  # fmt: skip
        show(
            "measured",
            f"{wall:.0f} s, one worker ({options.concurrency} processes) + beat, {database} + {broker}",
        )
        if returned:
            show("outage", f"worker killed at {options.before_outage} s, back {options.outage} s later; "
                 "the late share counts from 60 s after it returned")  # fmt: skip
        print(
            f"late share per 30 s window of the slot, from the start (≤ {LATE_AFTER.seconds} s is on time):"
        )
        for index in sorted(per_window):
            total, window_late = per_window[index]
            label = f"{index * WINDOW_SECONDS}-{(index + 1) * WINDOW_SECONDS} s"
            show(f"  {label}", f"{window_late:>6} of {total:>6} = {100 * window_late / max(total, 1):6.2f} %")
        show(
            "late overall", f"{late} of {due} slots = {late_share:.2f} %   (target < {MAX_LATE_PERCENT:g} %)"
        )
        show(
            "start delay",
            f"median {percentile(0.5):.2f} s, p99 {percentile(0.99):.2f} s, max {percentile(1):.2f} s",
        )
        show("backlog", f"{len(backlog)} overdue slots checked at the start ({backlog_late} > 5 s late); "
             f"the other {options.monitors - len(backlog)} monitors waited for their next slot")  # fmt: skip
        show("first check", f"{options.monitors - unchecked_long} of {options.monitors} monitors within "
             f"{(interval + LATE_AFTER).seconds} s of the start")  # fmt: skip
        show("checks stored", f"{checks_done} ({checks_passed} passed), {checks_done / wall:.1f}/s")
        show("worker CPU", f"{cpu_used:.1f} s = {100 * cpu_used / wall:.0f} % of one core, {cpu_ms:.2f} ms "
             f"per check   (target ≤ {MAX_CPU_MS_PER_CHECK:g} ms)")  # fmt: skip
        print("worker CPU per stored check, per 30 s window of the finish (the worker's CPU in that window):")
        for index, window_cpu in enumerate(cpu_windows.per_window()):
            window_start = began + timedelta(seconds=index * WINDOW_SECONDS)
            window_end = window_start + timedelta(seconds=WINDOW_SECONDS)
            stored = completed.filter(finished_at__gte=window_start, finished_at__lt=window_end).count()
            per_check = f"{1000 * window_cpu / stored:5.2f} ms" if stored else "    - ms"
            label = f"{index * WINDOW_SECONDS}-{(index + 1) * WINDOW_SECONDS} s"
            show(f"  {label}", f"{per_check} per check ({window_cpu:5.1f} s CPU, {stored:>5} checks)")
        show("worker RSS peak", f"{memory.peak / 2**20:.0f} MB (first worker)")
        show("monitors down", Monitor.objects.filter(state="down", pk__in=first_due.keys()).count())
        show("load average", " ".join(f"{value:.2f}" for value in os.getloadavg())
             + "   (other work on the machine skews the figures)")  # fmt: skip
        passed = late_share < MAX_LATE_PERCENT and cpu_ms <= MAX_CPU_MS_PER_CHECK
        show("verdict", "PASS" if passed else "FAIL")
        sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
