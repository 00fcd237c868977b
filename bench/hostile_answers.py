"""What gzip bombs cost a worker: a smoke run with bombs among healthy checks, on one real worker.

    .venv/bin/python bench/hostile_answers.py [--checks 200] [--bombs 1 10] [--database-url postgres://…]

For each number of bombs, a fresh worker runs a warm-up run of healthy checks, then a run of `--checks`
checks of which that many answer with a gzip bomb (about 1 MB on the wire, 1 GB inflated) and one with a
NUL and bytes that are not UTF-8. Prints the peak resident memory of the worker process that ran them
(VmHWM) before and after, and whether every healthy check was stored and only the bombs failed.
Budget: the peak grows by less than 64 MB whatever the number of bombs (before the cap counted
decompressed bytes as they arrived: 327 MB peak for one bomb, 2,048 MB for ten in a 200-check run).
"""

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from smoke_suite import make_release, prepare, start_bench_worker  # noqa: E402

BUDGET_MIB = 64


def peak_memory_mib(worker) -> float:
    (child,) = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    status = Path(f"/proc/{child}/status").read_text()
    return int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE).group(1)) / 1024


def finished(run_id: int):
    from smoketests.models import SmokeRun

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        run = SmokeRun.objects.get(pk=run_id)
        if run.is_finished:
            return run
        time.sleep(0.1)
    raise SystemExit(f"Smoke run {run_id} did not finish within 300 s.")


def measure(*, bombs: int, checks: int, target, settings_env: dict, folder: Path) -> dict:
    from golive.permissions import SYSTEM
    from smoketests.models import SmokeCheck
    from smoketests.services.runs import start_smoke_run

    release = make_release(f"Hostile answers, {bombs} bombs")
    healthy = checks - bombs - 1
    SmokeCheck.objects.bulk_create(
        SmokeCheck(release=release, name=f"healthy {n:03d}", url=target.url("/fast"), body_contains="healthy")
        for n in range(healthy)
    )
    worker, _ = start_bench_worker(settings_env, folder, concurrency=1)
    try:
        finished(start_smoke_run(release=release, actor=SYSTEM).pk)  # warm-up: imports, pools, first queries
        before = peak_memory_mib(worker)
        SmokeCheck.objects.create(
            release=release, name="control bytes", url=target.url("/nul"), body_contains="healthy"
        )
        SmokeCheck.objects.bulk_create(
            SmokeCheck(release=release, name=f"bomb {n:02d}", url=target.url("/gzip-bomb"), body_contains="x")
            for n in range(bombs)
        )
        started = time.monotonic()
        run = finished(start_smoke_run(release=release, actor=SYSTEM).pk)
        wall = time.monotonic() - started
        after = peak_memory_mib(worker)
    finally:
        worker.stop()
    outcomes = dict(run.results.values_list("check_name", "outcome"))
    return {
        "bombs": bombs,
        "before": before,
        "after": after,
        "wall": wall,
        "status": run.status,
        "healthy_passed": sum(1 for name, outcome in outcomes.items() if outcome == "passed"),
        "healthy": healthy + 1,
        "bombs_failed": sum(1 for name, o in outcomes.items() if name.startswith("bomb") and o == "failed"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--bombs", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--database-url", help="Default: a throw-away SQLite file.")
    options = parser.parse_args()

    from tests.smoketests.target import TargetServer, gzip_bomb

    gzip_bomb(1024)  # built once, before anything is timed
    target = TargetServer().start()
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="hostile-bench-") as tmp:
            folder = Path(tmp)
            settings_env = prepare(options.database_url, folder)
            for bombs in options.bombs:
                rows.append(
                    measure(
                        bombs=bombs,
                        checks=options.checks,
                        target=target,
                        settings_env=settings_env,
                        folder=folder,
                    )
                )
    finally:
        target.stop()

    from django.conf import settings

    print(f"database            {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    print(f"checks per run      {options.checks} (healthy, one with control bytes, the rest 1 GB gzip bombs)")
    ok = True
    for row in rows:
        growth = row["after"] - row["before"]
        sound = (
            growth < BUDGET_MIB
            and row["healthy_passed"] == row["healthy"]
            and row["bombs_failed"] == row["bombs"]
        )
        ok = ok and sound
        print(
            f"{row['bombs']:>3} bomb(s)          worker peak {row['before']:.0f} → {row['after']:.0f} MiB "
            f"(+{growth:.1f}), {row['healthy_passed']}/{row['healthy']} healthy passed, "
            f"{row['bombs_failed']}/{row['bombs']} bombs failed alone, "
            f"run {row['status']} in {row['wall']:.2f} s"
        )
    print(f"verdict             {'PASS' if ok else 'FAIL'} (budget: peak grows < {BUDGET_MIB} MiB)")


if __name__ == "__main__":
    main()
