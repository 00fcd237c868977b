"""N watchers of one meeting's live tally, then of one live runbook, against a real gunicorn server.

    .venv/bin/python bench/watchers.py --watchers 1000 \
        --database-url postgres://postgres@127.0.0.1:5432/golive_bench --cache-url redis://127.0.0.1:6379/1

Each watcher is a member of the release with a session of its own and polls like the page does (htmx GET
with `HX-Request`, the page's watch token and the ETag it holds), on one keep-alive connection, every
`--interval` seconds from a random start. Watch tokens are issued by golive.live_updates.watch_token for
each watcher's session, as the page does when it renders (loading 1,000 pages would only slow the set-up).

Per page, in turn:
- idle: `--idle-seconds` with no change; the server's CPU time (gunicorn master and workers, from /proc)
  divided by watchers and seconds is what an idle watcher costs;
- changes: `--changes` real writes through the web, `--gap` seconds apart (a voter votes; the step owner
  starts a step); for each change and watcher, the time from sending the write to the first poll answer
  that shows it ("change seen");
and prints polls answered by status, errors (any other status, a refused or broken connection, a poll
sent more than one interval late), p50/p95/max change-seen latency, CPU per idle watcher, and a verdict:
PASS when p95 change-seen < 2 s and there are no errors. The load generator shares the machine's cores
with the server, so the latencies are pessimistic.
"""

import argparse
import asyncio
import os
import random
import re
import secrets
import time
import urllib.parse
import urllib.request
from types import SimpleNamespace

from _server import cpu_seconds_of, gunicorn, percentile, prepare_database, session_cookie_for

TARGET_SECONDS = 2.0
CHANGE_MARKERS = {
    # How many changes a copy of the page shows: votes cast, steps started.
    "tally": re.compile(rb"Go: (\d+)<"),
    "runbook": re.compile(rb"table-info"),
}


def build_release(watchers: int, changes: int):
    """A release whose `watchers` stakeholders watch an open meeting and a runbook in status GO."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from golive.choices import Role
    from golive.models import Release, ReleaseMembership
    from golive.services.releases import add_member, create_release
    from gonogo.services.meetings import open_voting, schedule_meeting
    from runbook.services.plan import add_step
    from tests.factories import release_creator

    user_model = get_user_model()
    stamp = time.time_ns()
    manager = release_creator(f"watch-manager-{stamp}")
    owner = user_model.objects.create_user(username=f"watch-owner-{stamp}")
    release = create_release(
        actor=manager,
        name=f"Watchers {stamp}",
        application="Bench",
        version="1",
        environment="production",
        target_go_live=timezone.now(),
    )
    add_member(release=release, user=owner, role=Role.SCRUM_TEAM, actor=manager)
    voters = [user_model.objects.create_user(username=f"watch-voter-{stamp}-{i}") for i in range(changes)]
    for voter in voters:
        add_member(release=release, user=voter, role=Role.STAKEHOLDER, actor=manager)
    meeting = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=voters
    )
    open_voting(meeting=meeting, actor=manager)
    steps = [
        add_step(release=release, actor=manager, title=f"Step {i}", owner=owner, rollback_note="Undo")
        for i in range(1, changes + 1)
    ]
    Release.objects.filter(pk=release.pk).update(status="go")
    watcher_users = user_model.objects.bulk_create(
        [user_model(username=f"watcher-{stamp}-{i}") for i in range(watchers)]
    )
    ReleaseMembership.objects.bulk_create(
        [ReleaseMembership(release=release, user=user, role=Role.STAKEHOLDER) for user in watcher_users]
    )
    return release, meeting, steps, owner, voters, watcher_users


def watch_tokens(path: str, release_pk: int, users, session_keys: list[str], *, shared: bool) -> list[str]:
    from django.conf import settings

    from golive.live_updates import PERSONAL, SHARED, _current_stamps, watch_token

    stamps = _current_stamps(release_pk)
    return [
        watch_token(
            SimpleNamespace(
                user=user, path=path, COOKIES={settings.SESSION_COOKIE_NAME: key}, live_stamps=stamps
            ),
            variant=SHARED if shared else PERSONAL,
        )
        for user, key in zip(users, session_keys, strict=True)
    ]


def server_cpu_seconds(port: int) -> float:
    """CPU time of every process serving `port`: the gunicorn master and its workers."""
    return cpu_seconds_of(f"--bind=127.0.0.1:{port}")


class Watchers:
    """The pollers of one page and what they saw."""

    def __init__(self, port: int, path: str, sessions: list[str], tokens: list[str], marker, interval: float):
        self.port, self.path, self.marker, self.interval = port, path, marker, interval
        self.sessions, self.tokens = sessions, tokens
        self.statuses: dict[int, int] = {}
        self.errors: list[str] = []
        self.late_polls = 0
        self.seen: list[dict[int, float]] = [{} for _ in sessions]
        self.running = True

    async def _request(self, reader, writer, index: int, etag: str | None):
        lines = [
            f"GET {self.path} HTTP/1.1",
            "Host: 127.0.0.1",
            f"Cookie: sessionid={self.sessions[index]}",
            "HX-Request: true",
            f"X-Live-Watch: {self.tokens[index]}",
        ]
        if etag:
            lines.append(f"If-None-Match: {etag}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionError("closed")
        try:
            status = int(status_line.split()[1])
        except (IndexError, ValueError):
            raise ConnectionError(f"not an HTTP answer: {status_line[:60]!r}") from None
        headers = {}
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers.get("transfer-encoding") == "chunked":
            raise ConnectionError("a chunked answer (no Content-Length)")
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        return status, headers, body

    async def watch(self, index: int) -> None:
        connection, etag = None, None
        next_poll = time.monotonic() + random.uniform(0, self.interval)
        while self.running:
            await asyncio.sleep(max(0.0, next_poll - time.monotonic()))
            if time.monotonic() - next_poll > self.interval:
                self.late_polls += 1
            next_poll += self.interval
            for attempt in (1, 2):  # the server may close an idle keep-alive connection: one new one
                try:
                    if connection is None:
                        connection = await asyncio.open_connection("127.0.0.1", self.port)
                    status, headers, body = await asyncio.wait_for(
                        self._request(*connection, index, etag), timeout=10
                    )
                    break
                except (OSError, ConnectionError, asyncio.IncompleteReadError, TimeoutError) as error:
                    if connection:
                        connection[1].close()
                    connection = None
                    if attempt == 2:
                        self.errors.append(f"{type(error).__name__}: {error}")
                        status = None
            if status is None:
                continue
            self.statuses[status] = self.statuses.get(status, 0) + 1
            if headers.get("connection", "").lower() == "close":
                connection[1].close()
                connection = None
            if status == 200:
                etag = headers.get("etag")
                shown = self._changes_shown(body)
                for change in range(1, shown + 1):
                    self.seen[index].setdefault(change, time.monotonic())
            elif status != 304:
                self.errors.append(f"HTTP {status}")
        if connection:
            connection[1].close()

    def _changes_shown(self, body: bytes) -> int:
        found = self.marker.findall(body)
        if found and isinstance(found[0], bytes) and found[0].isdigit():
            return int(found[0])
        return len(found)


def post_as(base_url: str, session_key: str, path: str, data: dict) -> None:
    csrf = secrets.token_hex(16)
    request = urllib.request.Request(
        base_url + path,
        data=urllib.parse.urlencode(data).encode(),
        headers={"Cookie": f"sessionid={session_key}; csrftoken={csrf}", "X-CSRFToken": csrf},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


async def run_page(base_url, port, page, path, sessions, tokens, make_change, args) -> dict:
    watchers = Watchers(port, path, sessions, tokens, CHANGE_MARKERS[page], args.interval)
    tasks = [asyncio.create_task(watchers.watch(i)) for i in range(len(sessions))]
    await asyncio.sleep(max(5.0, 3 * args.interval))  # every watcher has polled and holds an ETag
    watchers.statuses.clear()
    cpu_before, idle_started = server_cpu_seconds(port), time.monotonic()
    client_before = time.process_time()
    await asyncio.sleep(args.idle_seconds)
    idle = time.monotonic() - idle_started
    idle_cpu = server_cpu_seconds(port) - cpu_before
    idle_client_cpu = time.process_time() - client_before
    idle_statuses = dict(watchers.statuses)
    sent_at, write_seconds = {}, []
    for change in range(1, args.changes + 1):
        sent_at[change] = time.monotonic()
        await asyncio.to_thread(make_change, change)
        write_seconds.append(time.monotonic() - sent_at[change])
        await asyncio.sleep(args.gap)
    watchers.running = False
    await asyncio.gather(*tasks)
    latencies, missed = [], 0
    for seen in watchers.seen:
        for change, started in sent_at.items():
            if change in seen:
                latencies.append(max(0.0, seen[change] - started))
            else:
                missed += 1
    return {
        "page": page,
        "idle_seconds": idle,
        "idle_cpu": idle_cpu,
        "idle_client_cpu": idle_client_cpu,
        "idle_statuses": idle_statuses,
        "statuses": watchers.statuses,
        "errors": watchers.errors,
        "latencies": latencies,
        "missed": missed,
        "late_polls": watchers.late_polls,
        "write_seconds": write_seconds,
    }


def report(result: dict, watchers: int, interval: float) -> bool:
    latencies, errors = result["latencies"], result["errors"]
    polls = sum(result["idle_statuses"].values())
    per_watcher_ms = 1000 * result["idle_cpu"] / result["idle_seconds"] / watchers
    print(f"\n== {result['page']}: {watchers} watchers, a poll every {interval:g} s")
    print(
        f"idle {result['idle_seconds']:.0f} s: {polls} polls ({polls / result['idle_seconds']:.0f}/s) "
        f"by status {result['idle_statuses']}; server CPU {result['idle_cpu']:.2f} s "
        f"= {per_watcher_ms:.3f} ms of CPU per idle watcher per second "
        f"({100 * result['idle_cpu'] / result['idle_seconds']:.0f}% of one core for all); "
        f"load generator CPU {result['idle_client_cpu']:.2f} s"
    )
    print(
        f"all polls by status: {result['statuses']}; polls sent over an interval late (a slow answer or "
        f"a busy load generator; counted in the latency): {result['late_polls']}"
    )
    if latencies:
        print(
            f"change seen: p50 {percentile(latencies, 0.5):.2f} s, p95 {percentile(latencies, 0.95):.2f} s, "
            f"max {max(latencies):.2f} s over {len(latencies)} (watcher, change) pairs; "
            f"never seen: {result['missed']}; the writes themselves were answered in "
            f"{', '.join(f'{seconds:.2f}' for seconds in result['write_seconds'])} s"
        )
    print(f"errors: {len(errors)} {sorted(set(errors))[:3] if errors else ''}")
    met = (
        bool(latencies)
        and percentile(latencies, 0.95) < TARGET_SECONDS
        and not errors
        and result["missed"] == 0
    )
    print(f"verdict ({result['page']}): {'PASS' if met else 'FAIL'} (p95 < {TARGET_SECONDS:g} s, 0 errors)")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--watchers", type=int, default=1000)
    parser.add_argument("--pages", default="tally,runbook")
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls (the pages' own)")
    parser.add_argument("--idle-seconds", type=float, default=20)
    parser.add_argument("--changes", type=int, default=5)
    parser.add_argument("--gap", type=float, default=4.0, help="seconds between changes")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/golive_bench")
    parser.add_argument(
        "--cache-url",
        default="redis://127.0.0.1:6379/1",
        help="'' for the embedded default (files under var/)",
    )
    args = parser.parse_args()

    os.environ["CACHE_URL"] = args.cache_url
    prepare_database(args.database_url)
    from django.urls import reverse

    release, meeting, steps, owner, voters, users = build_release(args.watchers, args.changes)
    sessions = [session_cookie_for(user) for user in users]
    voter_sessions = [session_cookie_for(voter) for voter in voters]
    owner_session = session_cookie_for(owner)
    paths = {
        "tally": meeting.get_absolute_url(),
        "runbook": reverse("runbook:runbook_live", args=[release.pk]),
    }
    changes = {
        "tally": lambda n: post_as(
            base_url, voter_sessions[n - 1], paths["tally"] + "vote/", {"choice": "go"}
        ),
        "runbook": lambda n: post_as(
            base_url,
            owner_session,
            reverse("runbook:step_action", args=[release.pk, steps[n - 1].pk, "start"]),
            {"next": paths["runbook"]},
        ),
    }
    verdicts = []
    with gunicorn(args.database_url, workers=args.workers, threads=args.threads) as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        for page in args.pages.split(","):
            tokens = watch_tokens(paths[page], release.pk, users, sessions, shared=True)
            result = asyncio.run(
                run_page(base_url, port, page, paths[page], sessions, tokens, changes[page], args)
            )
            verdicts.append(report(result, args.watchers, args.interval))
    print(f"\nload average: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"verdict: {'PASS' if all(verdicts) else 'FAIL'}")


if __name__ == "__main__":
    main()
