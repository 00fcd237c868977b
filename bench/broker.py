"""Embedded broker candidates side by side: the SQLite file (kombu's SQLAlchemy transport) and a redis-server
started for the purpose, each with one real worker (2 processes) running small real tasks.

    .venv/bin/python bench/broker.py [--tasks 300] [--paced 100]

For each broker: `--paced` tasks dispatched one every 50 ms (the wait from dispatch to start, as a monitor
or a click would see it), then `--tasks` dispatched at once (how fast the worker gets through a burst).
"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

from _server import free_port
from smoke_suite import prepare

STARTED = re.compile(
    r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [^\]]*\] started \S+\[[^\]]+\] waited ([-\d.]+) s"
)
ENDED = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [^\]]*\] ended ")


def stamp(text: str) -> float:
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder), "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def measure(name: str, broker_url: str, settings_env: dict, folder: Path, options) -> dict:
    from smoketests.tasks import reap_smoke_runs
    from tests.worker import point_celery_at, start_worker, worker_environment

    queue = f"bench-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_BROKER_URL"] = broker_url  # Celery reads it before its own setting
    point_celery_at(queue=queue, broker_url=broker_url)
    env = worker_environment(
        database_url=settings_env["DATABASE_URL"],
        queue=queue,
        broker_url=broker_url,
        TASK_FLOW_LOG_LEVEL="INFO",
        LOG_LEVEL="WARNING",
        DEBUG="false",
        SECRET_KEY=settings_env["SECRET_KEY"],
    )
    log_path = folder / f"worker-{name}.log"
    worker = start_worker(env=env, queue=queue, log_path=log_path, concurrency=2)
    try:
        reap_smoke_runs.delay()  # the first task pays for opening connections; not counted
        wait_for_ends(log_path, 1)
        for _ in range(options.paced):
            reap_smoke_runs.delay()
            time.sleep(0.05)
        wait_for_ends(log_path, 1 + options.paced)
        paced_waits = sorted(float(wait) for _, wait in STARTED.findall(log_path.read_text())[1:])

        began = time.time()
        for _ in range(options.tasks):
            reap_smoke_runs.delay()
        dispatched_in = time.time() - began
        wait_for_ends(log_path, 1 + options.paced + options.tasks)
        ends = [stamp(at) for at in ENDED.findall(log_path.read_text())][-options.tasks :]
        burst_waits = sorted(
            float(wait) for _, wait in STARTED.findall(log_path.read_text())[-options.tasks :]
        )
        return {
            "paced": paced_waits,
            "burst_seconds": max(ends) - began,
            "dispatch_per_second": options.tasks / dispatched_in,
            "burst_longest_wait": burst_waits[-1],
        }
    finally:
        worker.stop()


def wait_for_ends(log_path: Path, count: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(ENDED.findall(log_path.read_text(errors="replace"))) >= count:
            return
        time.sleep(0.2)
    raise SystemExit(f"Not all tasks ended within {timeout} s; see {log_path}")


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(share * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=300, help="Tasks dispatched at once.")
    parser.add_argument("--paced", type=int, default=100, help="Tasks dispatched one every 50 ms.")
    options = parser.parse_args()
    if not shutil.which("redis-server"):
        raise SystemExit("redis-server is needed for the comparison")

    with tempfile.TemporaryDirectory(prefix="broker-bench-") as tmp:
        folder = Path(tmp)
        settings_env = prepare(None, folder)
        redis, redis_url = start_redis(folder)
        try:
            results = {
                "sqlite (sqla)": measure(
                    "sqla", f"sqla+sqlite:///{folder / 'broker.sqlite3'}", settings_env, folder, options
                ),
                "redis-server": measure("redis", redis_url, settings_env, folder, options),
            }
        finally:
            redis.terminate()
            redis.wait(timeout=10)

    print(f"one worker, 2 processes; {options.paced} tasks one every 50 ms, then {options.tasks} at once")
    for name, result in results.items():
        paced = result["paced"]
        print(
            f"{name:14}  paced wait median {percentile(paced, 0.5) * 1000:6.0f} ms, p99 "
            f"{percentile(paced, 0.99) * 1000:6.0f} ms, max {paced[-1] * 1000:6.0f} ms | burst "
            f"{options.tasks / result['burst_seconds']:6.0f} tasks/s, dispatch "
            f"{result['dispatch_per_second']:6.0f}/s, longest wait {result['burst_longest_wait']:.2f} s"
        )


if __name__ == "__main__":
    main()
