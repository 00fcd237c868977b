"""The dashboards at scale: portfolio and release dashboard against a real gunicorn server on PostgreSQL.

    .venv/bin/python bench/dashboard.py --scale 200 \
        --database-url postgres://postgres@127.0.0.1:5432/golive_bench_dash

Loads `manage.py load_demo --scale N` (once; it is idempotent), starts gunicorn, then sends the same
concurrent load to /healthz (a trivial view), the portfolio and one release dashboard in turn, on the
same server in the same run. The three take turns for several short rounds, so a slow spell of the
machine (autovacuum, another process) weighs on all three alike instead of on whichever URL it hit.
Prints requests/s (all rounds together) and p50/p95 latency for each, each page's requests/s as a
share of the trivial view's, and the lowest and highest share seen in a single round.
Targets: p95 under 150 ms for both pages; each page at least 40 % of the trivial view's requests/s.
"""

import argparse
import threading
import time
import urllib.request

from _server import gunicorn, percentile, prepare_database, session_cookie_for

P95_TARGET_MS = 150
SHARE_TARGET = 0.40


def load_data(scale: int):
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from golive.choices import ReleaseStatus
    from golive.models import Release
    from registers.models import Defect, Risk
    from smoketests.models import CheckResult, MonitorResult

    started = time.perf_counter()
    call_command("load_demo", scale=scale, verbosity=0)
    loaded_in = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as autovacuum would give a long-running database
    releases = Release.objects.filter(name__startswith="Scale demo")
    print(
        f"data:              {releases.count()} scale releases, "
        f"{Risk.objects.count() + Defect.objects.count()} risks+defects, "
        f"{CheckResult.objects.count()} check results, {MonitorResult.objects.count()} monitor results "
        f"(load_demo took {loaded_in:.1f} s)"
    )
    user = get_user_model().objects.get(username="stakeholder")
    live = releases.filter(status=ReleaseStatus.LIVE).order_by("pk").first()
    return user, live


def hammer(url: str, headers: dict, *, concurrency: int, seconds: float) -> dict:
    """`concurrency` threads request `url` in a loop for `seconds`."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(
                    urllib.request.Request(url, headers=headers), timeout=10
                ) as response:
                    response.read()
                    ok = response.status == 200
            except Exception as error:  # noqa: BLE001 - every failure is counted and printed
                with lock:
                    errors.append(str(error))
                continue
            with lock:
                (latencies if ok else errors).append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    wall_started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "errors": errors, "wall": time.perf_counter() - wall_started}


def summarise(rounds: list[dict]) -> dict:
    latencies = [latency for one in rounds for latency in one["latencies"]]
    wall = sum(one["wall"] for one in rounds)
    return {
        "requests": len(latencies),
        "errors": [error for one in rounds for error in one["errors"]],
        "rps": len(latencies) / wall if wall else 0.0,
        "p50": percentile(latencies, 0.50) * 1000 if latencies else float("nan"),
        "p95": percentile(latencies, 0.95) * 1000 if latencies else float("nan"),
    }


def rate(one: dict) -> float:
    return len(one["latencies"]) / one["wall"] if one["wall"] else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=int, default=200, help="scale demo releases to load (load_demo --scale)"
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/golive_bench_dash")
    parser.add_argument("--port", type=int, help="the port gunicorn listens on (default: a free one)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads sending requests at once")
    parser.add_argument("--rounds", type=int, default=5, help="turns each URL takes")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each URL is loaded per round")
    args = parser.parse_args()

    prepare_database(args.database_url)
    user, live = load_data(args.scale)
    headers = {"Cookie": f"sessionid={session_cookie_for(user)}"}
    targets = [
        ("trivial /healthz", "/healthz"),
        ("portfolio", "/"),
        (f"release dashboard #{live.pk}", f"/releases/{live.pk}/dashboard/"),
    ]
    with gunicorn(args.database_url, workers=args.workers, threads=args.threads, port=args.port) as base_url:
        for _, path in targets:  # warm every worker, its connection and its template cache
            hammer(base_url + path, headers, concurrency=args.workers * 2, seconds=2)
        rounds: dict[str, list[dict]] = {name: [] for name, _ in targets}
        for _ in range(args.rounds):
            for name, path in targets:
                rounds[name].append(
                    hammer(base_url + path, headers, concurrency=args.concurrency, seconds=args.seconds)
                )

    print(
        f"server:            gunicorn {args.workers} workers × {args.threads} threads; "
        f"{args.concurrency} concurrent clients; {args.rounds} rounds of {args.seconds:g} s per URL"
    )
    trivial_name = targets[0][0]
    trivial = summarise(rounds[trivial_name])
    verdicts = []
    for name, _ in targets:
        result = summarise(rounds[name])
        line = (
            f"{name:<26} {result['rps']:7.1f} req/s  p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms"
            f"  {result['requests']} ok, {len(result['errors'])} errors"
        )
        if name != trivial_name:
            share = result["rps"] / trivial["rps"] if trivial["rps"] else 0.0
            per_round = [
                rate(page) / rate(base) if rate(base) else 0.0
                for page, base in zip(rounds[name], rounds[trivial_name], strict=True)
            ]
            line += f"  share of trivial {share:.0%} (rounds {min(per_round):.0%}–{max(per_round):.0%})"
            verdicts.append(result["p95"] < P95_TARGET_MS and share >= SHARE_TARGET and not result["errors"])
        print(line)
        if result["errors"]:
            print(f"    first errors: {result['errors'][:3]}")
    print(
        f"targets (p95 < {P95_TARGET_MS} ms, ≥ {SHARE_TARGET:.0%} of trivial req/s): "
        f"{'MET' if all(verdicts) else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
