"""A long audit trail: the history page and the audit pack of one release with many events, on PostgreSQL.

    .venv/bin/python bench/audit_trail.py --events 50000 \
        --database-url postgres://postgres@127.0.0.1:5432/golive_bench_audit

Makes (once) a release whose trail holds `--events` events spread over 90 days, by several people and
of several kinds, then starts gunicorn and asks for the history page as a member would: the first
page, a page deep in the trail, and the trail filtered by kind, by person and by a week. Each is asked
20 times in each of three rounds; the median of each round is kept. Then builds the audit pack three
times in this process. Prints min / median / max over the three rounds and a verdict.
Targets: every history page's median under 150 ms; the audit pack under 10 s.
"""

import argparse
import statistics
import time
import urllib.request

from _server import gunicorn, prepare_database, session_cookie_for

PAGE_TARGET_MS = 150
PACK_TARGET_S = 10.0
ROUNDS = 3
REQUESTS_PER_ROUND = 20
VERBS = ["risk.created", "risk.changed", "step.status_changed", "release.status_changed", "vote.cast",
         "handover_item.changed", "smoke_run.finished", "monitor.state_changed"]  # fmt: skip


def load_trail(events: int):
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from golive.choices import Role
    from golive.models import AuditEvent, Release, ReleaseMembership

    release, _ = Release.objects.get_or_create(
        name="Audit trail bench",
        defaults={"application": "Bench", "version": "1.0", "target_go_live": timezone.now()},
    )
    users = [get_user_model().objects.get_or_create(username=f"bench-{n}")[0] for n in range(5)]
    for user in users:
        ReleaseMembership.objects.get_or_create(
            release=release, user=user, defaults={"role": Role.STAKEHOLDER}
        )
    have = AuditEvent.objects.filter(release=release).count()
    if have < events:
        batch = [
            AuditEvent(
                release=release,
                actor=users[n % len(users)],
                actor_name=users[n % len(users)].username,
                verb=VERBS[n % len(VERBS)],
                target_repr=f"Record {n}",
                changes={"status": ["open", "closed"]},
                labels={"status": ["Open", "Closed"]},
                data={"reason": f"Bench event {n}"},
            )
            for n in range(have, events)
        ]
        AuditEvent.objects.bulk_create(batch, batch_size=5000)
        with connection.cursor() as cursor:
            # Spread the trail over 90 days, as a long release would have it.
            cursor.execute(
                "UPDATE golive_auditevent SET created_at = now() - (id %% 2160) * interval '1 hour' "
                "WHERE release_id = %s",
                [release.pk],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE golive_auditevent")
    return release, users[1]


def median_ms(url: str, cookie: str) -> float:
    timings = []
    for _ in range(REQUESTS_PER_ROUND):
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
            assert response.status == 200 and b"history-row" in body, url
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def summary(values: list[float]) -> str:
    return f"min {min(values):7.1f}  median {statistics.median(values):7.1f}  max {max(values):7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--events", type=int, default=50_000)
    arguments = parser.parse_args()
    prepare_database(arguments.database_url)

    from django.utils import timezone

    from dashboards.audit_pack import build_audit_pack

    release, user = load_trail(arguments.events)
    print(f"data: {release.audit_events.count()} events on one release")
    cookie = session_cookie_for(user)
    week_end = timezone.localdate()
    week_start = week_end - timezone.timedelta(days=7)
    paths = {
        "history, first page": "",
        "history, page 400": "?page=400",
        "history, one kind": "?kind=step",
        "history, one person": f"?actor={user.username}",
        "history, one week": f"?since={week_start}&until={week_end}",
    }
    verdicts = []
    with gunicorn(arguments.database_url) as base_url:
        for name, query in paths.items():
            url = f"{base_url}/releases/{release.pk}/history/{query}"
            rounds = [median_ms(url, cookie) for _ in range(ROUNDS)]
            ok = statistics.median(rounds) < PAGE_TARGET_MS
            verdicts.append(ok)
            print(f"{name:22} ms  {summary(rounds)}  {'OK' if ok else 'SLOW'} (target < {PAGE_TARGET_MS} ms)")
    pack_seconds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        size = len(build_audit_pack(release, now=timezone.now()))
        pack_seconds.append(time.perf_counter() - started)
    ok = statistics.median(pack_seconds) < PACK_TARGET_S
    verdicts.append(ok)
    print(f"{'audit pack':22} s   {summary(pack_seconds)}  {'OK' if ok else 'SLOW'} "
          f"(target < {PACK_TARGET_S:.0f} s; {size / 1e6:.1f} MB)")  # fmt: skip
    print("verdict:", "PASS" if all(verdicts) else "FAIL")


if __name__ == "__main__":
    main()
