"""N voters cast their votes at the same moment against a real gunicorn server on PostgreSQL.

    .venv/bin/python bench/vote_load.py --voters 50 \
        --database-url postgres://postgres@127.0.0.1:5432/golive_bench

Prints votes/s, p50/p95 latency, the CPU each vote cost the server, PostgreSQL and the load generator,
and the count check (votes stored = voters, none duplicated). The same client first sends as many
requests at once to /healthz, each with a voter's session: the server loads the session and the user,
as for any signed-in request, and answers "ok". That burst's figures are the floor this machine, the
server and the load generator set before a vote does any work of its own.
Target: no lost or duplicate vote; p95 under 200 ms for up to 50 voters, under 300 ms for more.
"""

import argparse
import json
import os
import resource
import secrets
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from _server import cpu_seconds_of, gunicorn, percentile, prepare_database, run_threads, session_cookie_for

# The targets set for the vote: 50 voters at once within 200 ms (p95), 200 at once within 300 ms.
P95_TARGET_MS_UP_TO_50 = 200
P95_TARGET_MS = 300


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

    path = f"/releases/{meeting.release_id}/meetings/{meeting.pk}/vote/"
    body = urllib.parse.urlencode({"choice": "go"}).encode()
    with gunicorn(args.database_url, workers=args.workers, threads=args.threads) as base_url:
        if args.warm:
            warm_every_worker(base_url, rehearsal, rehearsal_users)
        port = base_url.rsplit(":", 1)[1]
        signed_in = [voter_headers(session_cookie_for(user)) for user in users]
        votes = [
            urllib.request.Request(
                base_url + path, data=body, headers={**headers, "Accept": "application/json"}
            )
            for headers in signed_in
        ]
        # The same voters' sessions: the server loads each session and user, as for any signed-in request.
        trivial = [urllib.request.Request(base_url + "/healthz", headers=headers) for headers in signed_in]
        reference = burst(trivial, spread=args.spread, port=port, answer_ok=lambda body: body == b"ok")
        measured = burst(
            votes, spread=args.spread, port=port, answer_ok=lambda body: json.loads(body).get("vote") == "go"
        )

    stored = Vote.objects.filter(meeting=meeting).count()
    distinct = Vote.objects.filter(meeting=meeting).values("participant").distinct().count()
    target_ms = P95_TARGET_MS_UP_TO_50 if args.voters <= 50 else P95_TARGET_MS
    print(
        f"voters:            {args.voters} (submits spread over {args.spread:g} s; "
        f"gunicorn {args.workers} workers × {args.threads} threads; "
        f"{'after a rehearsal vote on every worker' if args.warm else 'cold workers'})"
    )
    report("votes", measured)
    report(
        "/healthz with the voters' sessions, as many at once (the floor of a signed-in request)", reference
    )
    counted = stored == distinct == args.voters
    print(
        f"votes stored:      {stored} (distinct participants {distinct}) — {'OK' if counted else 'MISMATCH'}"
    )
    fast = bool(measured.latencies) and percentile(measured.latencies, 0.95) * 1000 < target_ms
    print(f"load average:      {' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    print(
        f"targets (no lost or duplicate vote, p95 < {target_ms} ms): "
        f"{'MET' if counted and fast and not measured.errors else 'NOT MET'}"
    )


@dataclass
class Burst:
    latencies: list[float]
    errors: list[str]
    wall: float
    # CPU seconds spent during the burst: the gunicorn processes, PostgreSQL's, and this load generator's.
    cpu: dict[str, float]


def burst(requests: list[urllib.request.Request], *, spread: float, port: str, answer_ok) -> Burst:
    """Sends every request from a thread of its own, all released at once (or spread over `spread` s)."""
    latencies: list[float] = []
    errors: list[str] = []
    barrier = threading.Barrier(len(requests))

    def send(request, delay):
        barrier.wait()
        time.sleep(delay)
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request) as response:
                answer = response.read()
            latencies.append(time.perf_counter() - started)
            if not answer_ok(answer):
                errors.append(f"unexpected answer {answer[:200]!r}")
        except Exception as error:  # noqa: BLE001 - every failure is counted and printed
            errors.append(str(error))

    threads = [
        threading.Thread(target=send, args=(request, spread * i / len(requests)))
        for i, request in enumerate(requests)
    ]
    cpu_before = _cpu_now(port)
    wall = run_threads(threads)
    cpu_after = _cpu_now(port)
    return Burst(latencies, errors, wall, {name: cpu_after[name] - cpu_before[name] for name in cpu_after})


def _cpu_now(port: str) -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "gunicorn": cpu_seconds_of(f"--bind=127.0.0.1:{port}"),
        "postgresql": cpu_seconds_of("postgres: "),
        "load generator": own.ru_utime + own.ru_stime,
    }


def report(label: str, result: Burst) -> None:
    count = len(result.latencies) + len(result.errors)
    print(f"{label}:")
    print(f"  answered/s:      {len(result.latencies) / result.wall:.1f} ({result.wall:.3f} s for {count})")
    if result.latencies:
        print(f"  latency p50:     {percentile(result.latencies, 0.50) * 1000:.0f} ms")
        print(f"  latency p95:     {percentile(result.latencies, 0.95) * 1000:.0f} ms")
    print(f"  errors:          {len(result.errors)} {result.errors[:3] if result.errors else ''}")
    print(
        "  CPU per request: "
        + ", ".join(f"{name} {seconds / count * 1000:.2f} ms" for name, seconds in result.cpu.items())
    )


if __name__ == "__main__":
    main()
