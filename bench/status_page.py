"""The status page against the trivial /healthz on one gunicorn server on PostgreSQL.

    .venv/bin/python bench/status_page.py \
        --database-url postgres://postgres@127.0.0.1:5432/golive_statuspage

Loads the demo into the (scratch) database once (`manage.py load_demo` is idempotent): it has the Customer
Portal status page with a monitor's two weeks of results, an open production issue with a published
update and a maintenance window. Starts gunicorn on 127.0.0.1, warms both URLs, then sends
`--requests` requests to each from `--concurrency` threads of anonymous visitors, /healthz and the status
page in turn, `--runs` times (3): a slow spell of the machine weighs on both alike. Prints requests/s
of each run and their min/median/max per URL, the status page's share of /healthz's in each run, and the
verdict: PASS when the status page's median is at least 50 % of /healthz's and no request failed.
"""

import argparse
import statistics
import threading
import urllib.request

from _server import gunicorn, prepare_database, run_threads

SHARE_TARGET = 0.50


def load_data() -> str:
    from io import StringIO

    from django.core.management import call_command

    from statuspage.models import StatusPage

    call_command("load_demo", stdout=StringIO())
    return StatusPage.objects.get(application="Customer Portal").get_absolute_url()


def send(url: str, *, requests: int, concurrency: int) -> dict:
    """`requests` GETs of `url`, shared out among `concurrency` threads; requests/s over the wall time."""
    remaining = [requests]
    errors: list[str] = []
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    if response.status != 200:
                        raise OSError(f"HTTP {response.status}")
            except Exception as error:  # noqa: BLE001 - every failure is counted and printed
                with lock:
                    errors.append(str(error))

    wall = run_threads([threading.Thread(target=worker) for _ in range(concurrency)])
    return {"rps": (requests - len(errors)) / wall, "errors": errors}


def spread(values: list[float]) -> str:
    return f"min {min(values):7.1f}  median {statistics.median(values):7.1f}  max {max(values):7.1f} req/s"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/golive_statuspage")
    parser.add_argument("--requests", type=int, default=2000, help="requests per URL per run")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads sending requests at once")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    args = parser.parse_args()

    prepare_database(args.database_url)
    status_path = load_data()
    targets = [("/healthz", "/healthz"), ("status page", status_path)]
    results: dict[str, list[dict]] = {name: [] for name, _ in targets}
    with gunicorn(args.database_url, workers=args.workers, threads=args.threads) as base_url:
        for _, path in targets:  # every worker renders and keeps the page, opens its connection
            send(base_url + path, requests=50 * args.workers, concurrency=args.workers * 2)
        for _ in range(args.runs):
            for name, path in targets:
                results[name].append(
                    send(base_url + path, requests=args.requests, concurrency=args.concurrency)
                )

    print(
        f"server: gunicorn {args.workers} workers × {args.threads} threads on 127.0.0.1; "
        f"{args.concurrency} concurrent anonymous clients; "
        f"{args.runs} runs of {args.requests} requests per URL"
    )
    errors = []
    for name, _ in targets:
        rates = [run["rps"] for run in results[name]]
        errors += [error for run in results[name] for error in run["errors"]]
        print(f"{name:<12} runs {', '.join(f'{rate:.1f}' for rate in rates)}  →  {spread(rates)}")
    healthz = statistics.median(run["rps"] for run in results["/healthz"])
    page = statistics.median(run["rps"] for run in results["status page"])
    shares = [
        page_run["rps"] / base_run["rps"]
        for page_run, base_run in zip(results["status page"], results["/healthz"], strict=True)
    ]
    share = page / healthz if healthz else 0.0
    print(f"status page / healthz: {share:.0%} of the medians (runs {', '.join(f'{s:.0%}' for s in shares)})")
    if errors:
        print(f"errors: {len(errors)}, first: {errors[:3]}")
    met = share >= SHARE_TARGET and not errors
    print(
        f"verdict: {'PASS' if met else 'FAIL'} "
        f"(status page ≥ {SHARE_TARGET:.0%} of /healthz req/s, no errors)"
    )


if __name__ == "__main__":
    main()
