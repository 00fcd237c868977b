"""1,000 monitors checked every 60 s for 3 minutes by one worker and real beat, against a local target.

    .venv/bin/python bench/monitors.py [--monitors 1000] [--interval 60] [--duration 180] [--delay-ms 20]

Prints the share of checks that started more than 5 s after their slot (target: under 1 %), the checks
per second sustained, and the worker's CPU and peak memory. Traffic goes to 127.0.0.1 only.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from smoke_suite import PeakMemory, make_release, prepare, slow_target, start_bench_worker, tree_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
LATE_AFTER_SECONDS = 5


def start_beat(env: dict, folder: Path) -> subprocess.Popen:
    log = open(folder / "beat.log", "ab")  # noqa: SIM115 (lives as long as the process)
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=WARNING",
         f"--schedule={folder / 'beat-schedule'}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--monitors", type=int, default=1000)
    parser.add_argument("--interval", type=int, default=60, help="Seconds between checks of one monitor.")
    parser.add_argument("--duration", type=int, default=180, help="Seconds to measure (default 180).")
    parser.add_argument("--delay-ms", type=int, default=20, help="How long the target takes to answer.")
    parser.add_argument(
        "--concurrency", type=int, default=2, help="Worker processes (default 2, one per core)."
    )
    parser.add_argument("--database-url", help="Default: a throw-away SQLite file.")
    options = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp,
        slow_target(options.delay_ms) as base_url,
    ):
        folder = Path(tmp)
        settings_env = prepare(options.database_url, folder)
        from django.db.models import Count, Q
        from django.utils import timezone

        from golive.permissions import SYSTEM
        from smoketests.choices import COMPLETED_OUTCOMES
        from smoketests.models import Monitor, MonitorResult, SmokeCheck
        from smoketests.services.monitors import create_monitor

        release = make_release("Monitor benchmark")
        checks = SmokeCheck.objects.bulk_create(
            SmokeCheck(
                release=release, name=f"monitor {n:04d}", url=f"{base_url}/monitor/{n}", timeout_seconds=10
            )
            for n in range(options.monitors)
        )
        for check in checks:
            create_monitor(
                release=release, actor=SYSTEM, smoke_check=check, interval_seconds=options.interval
            )

        worker, env = start_bench_worker(settings_env, folder, concurrency=options.concurrency)
        beat = start_beat(env, folder)
        try:
            cpu_before = tree_cpu_seconds(worker.pid)
            with PeakMemory(worker.pid, every=0.5) as memory:
                began = timezone.now()
                time.sleep(options.duration)
                ended = timezone.now()
                cpu_used = tree_cpu_seconds(worker.pid) - cpu_before
        finally:
            beat.terminate()
            beat.wait(timeout=15)
            worker.stop()

        # Slots due in the measured window; the last few seconds' may still have been running at the end.
        window = MonitorResult.objects.filter(
            scheduled_for__gte=began, scheduled_for__lt=ended - timedelta(seconds=LATE_AFTER_SECONDS)
        )
        due = window.count()
        started = list(
            window.filter(started_at__isnull=False).values_list("scheduled_for", "started_at", "outcome")
        )
        lateness = sorted((start - slot).total_seconds() for slot, start, _ in started)
        late = sum(1 for seconds in lateness if seconds > LATE_AFTER_SECONDS) + (due - len(started))
        completed = MonitorResult.objects.filter(
            finished_at__gte=began, finished_at__lt=ended, outcome__in=COMPLETED_OUTCOMES
        ).aggregate(total=Count("pk"), passed=Count("pk", filter=Q(outcome="passed")))
        expected = options.monitors * (options.duration - LATE_AFTER_SECONDS) / options.interval
        wall = (ended - began).total_seconds()

        def percentile(share: float) -> float:
            return lateness[min(len(lateness) - 1, int(share * len(lateness)))] if lateness else float("nan")

        late_share = 100 * late / max(due, 1)
        setup = f"{options.monitors} every {options.interval} s, target answers in {options.delay_ms} ms"
        print(f"monitors            {setup}")
        broker = os.environ.get("CELERY_BROKER_URL", "sqla+sqlite://").split("://")[0]
        processes = f"one worker ({options.concurrency} processes) + beat, {broker} broker"
        print(f"measured            {wall:.0f} s, {processes}")
        print(f"slots due           {due} (about {expected:.0f} expected), {len(started)} started")
        print(f"started > {LATE_AFTER_SECONDS} s late    {late} = {late_share:.2f} %   (target < 1 %)")
        median, p99, worst = percentile(0.5), percentile(0.99), percentile(1)
        print(f"start delay         median {median:.2f} s, p99 {p99:.2f} s, max {worst:.2f} s")
        print(f"checks/s            {completed['total'] / wall:.1f} sustained ({completed['passed']} passed)")
        print(f"worker CPU          {cpu_used:.1f} s = {100 * cpu_used / wall:.0f} % of one core")
        print(f"worker RSS peak     {memory.peak / 2**20:.0f} MB")
        print(f"monitors down       {Monitor.objects.filter(state='down').count()}")
        print(f"load average        {os.getloadavg()[0]:.2f}   (other work on the machine skews the figures)")


if __name__ == "__main__":
    main()
