"""N voters cast their votes at the same moment against a real gunicorn server on PostgreSQL.

    .venv/bin/python bench/vote_load.py --voters 50 \
        --database-url postgres://postgres@127.0.0.1:5432/golive_bench

Prints votes/s, p50/p95 latency and the count check (votes stored = voters, none duplicated).
Target: no lost or duplicate vote, p95 under 200 ms on a 2-core machine.
"""

import argparse
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from _server import gunicorn, percentile, prepare_database, session_cookie_for

P95_TARGET_MS = 200


def build_meeting(voters: int, *, label: str):
    from django.utils import timezone

    from golive.choices import Role
    from golive.services.releases import add_member, create_release
    from gonogo.models import Participant
    from gonogo.services.meetings import open_voting, schedule_meeting
    from tests.factories import UserFactory, release_creator

    stamp = f"{label}-{time.time_ns()}"
    manager = release_creator(f"bench-manager-{stamp}")
    release = create_release(
        actor=manager,
        name=f"Vote load {stamp}",
        application="Bench",
        version="1",
        environment="production",
        target_go_live=timezone.now(),
    )
    users = [UserFactory(username=f"bench-voter-{stamp}-{i}") for i in range(voters)]
    for user in users:
        add_member(release=release, user=user, role=Role.STAKEHOLDER, actor=manager)
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=users
    )
    open_voting(meeting=meeting, actor=manager)
    return meeting, users, Participant


def warm_every_worker(base_url: str, meeting, users) -> None:
    """A rehearsal meeting is voted in first, several requests at a time, so that every gunicorn
    worker has loaded the vote path (URL conf, views, queries) and opened its database connection.
    Without it a worker that happens to get no warm-up request pays its start-up inside the burst."""
    path = f"/releases/{meeting.release_id}/meetings/{meeting.pk}/"

    def rehearse(user) -> None:
        headers = voter_headers(session_cookie_for(user))
        with urllib.request.urlopen(urllib.request.Request(base_url + path, headers=headers)) as response:
            response.read()
        request = urllib.request.Request(
            base_url + path + "vote/", data=b"choice=go", headers={**headers, "Accept": "application/json"}
        )
        with urllib.request.urlopen(request) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(rehearse, users))


def voter_headers(session_key: str) -> dict[str, str]:
    """Cookies sent by hand: the server marks them Secure, and this benchmark talks plain HTTP on loopback."""
    csrf_token = secrets.token_hex(16)
    return {"Cookie": f"sessionid={session_key}; csrftoken={csrf_token}", "X-CSRFToken": csrf_token}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--voters", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="seconds over which the voters' submits are spread evenly (0: all at the same instant)",
    )
    parser.add_argument(
        "--no-warm",
        dest="warm",
        action="store_false",
        help="skip the rehearsal meeting: the burst then also measures the workers' start-up",
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/golive_bench")
    args = parser.parse_args()

    prepare_database(args.database_url)
    from django.conf import settings

    # The voters sign in by session, never by password: hashing theirs slowly only delays the set-up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    rehearsal, rehearsal_users, _ = build_meeting(args.voters, label="rehearsal")
    meeting, users, _ = build_meeting(args.voters, label="measured")
    from gonogo.models import Vote

    path = f"/releases/{meeting.release_id}/meetings/{meeting.pk}/"
    with gunicorn(args.database_url, workers=args.workers, threads=args.threads) as base_url:
        if args.warm:
            warm_every_worker(base_url, rehearsal, rehearsal_users)
        voters = [voter_headers(session_cookie_for(user)) for user in users]

        latencies: list[float] = []
        errors: list[str] = []
        barrier = threading.Barrier(len(voters))

        def vote(headers, delay):
            body = urllib.parse.urlencode({"choice": "go"}).encode()
            request = urllib.request.Request(
                base_url + path + "vote/", data=body, headers={**headers, "Accept": "application/json"}
            )
            barrier.wait()
            time.sleep(delay)
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request) as response:
                    answer = json.loads(response.read())
                latencies.append(time.perf_counter() - started)
                if answer.get("vote") != "go":
                    errors.append(f"unexpected answer {answer}")
            except Exception as error:  # noqa: BLE001 - every failure is counted and printed
                errors.append(str(error))

        threads = [
            threading.Thread(target=vote, args=(headers, args.spread * i / len(voters)))
            for i, headers in enumerate(voters)
        ]
        wall_started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall_started

    stored = Vote.objects.filter(meeting=meeting).count()
    distinct = Vote.objects.filter(meeting=meeting).values("participant").distinct().count()
    print(
        f"voters:            {args.voters} (submits spread over {args.spread:g} s; "
        f"gunicorn {args.workers} workers × {args.threads} threads; "
        f"{'after a rehearsal vote on every worker' if args.warm else 'cold workers'})"
    )
    print(f"votes/s:           {len(latencies) / wall:.1f}")
    if latencies:
        print(f"latency p50:       {percentile(latencies, 0.50) * 1000:.0f} ms")
        print(f"latency p95:       {percentile(latencies, 0.95) * 1000:.0f} ms")
    print(f"errors:            {len(errors)} {errors[:3] if errors else ''}")
    counted = stored == distinct == args.voters
    print(
        f"votes stored:      {stored} (distinct participants {distinct}) — {'OK' if counted else 'MISMATCH'}"
    )
    fast = bool(latencies) and percentile(latencies, 0.95) * 1000 < P95_TARGET_MS
    print(
        f"targets (no lost or duplicate vote, p95 < {P95_TARGET_MS} ms): "
        f"{'MET' if counted and fast and not errors else 'NOT MET'}"
    )


if __name__ == "__main__":
    main()
