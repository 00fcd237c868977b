"""Soak: the stack exactly as `make run` starts it (embedded defaults), under steady work, for a while.

    .venv/bin/python bench/soak.py [--minutes 30] [--port 7150] [--var-dir /tmp/golive-soak]

Work, against a local HTTP target on 127.0.0.1 that this script starts: 50 monitors checked every 10 s;
every minute a 50-check smoke run started through the web, a round of votes through the web, a
communication queued and a webhook ping (each finished run sends a webhook too). A probe asks the web
server for two pages every second throughout.

Prints process restarts, tasks dispatched vs tasks that reached a final state (none lost or stuck), the
longest wait from dispatch to start, what each kind of work ended as, and a verdict.
Target: 0 crashes, 0 lost tasks, the web answering every probe.
"""

import argparse
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from _server import free_port, session_cookie_for
from _task_flow import FlowHandler, TaskFlow, follow
from smoke_suite import slow_targets
from vote_load import voter_headers

ROOT = Path(__file__).resolve().parent.parent
# What only the stack's own settings decide is left alone; these name where it keeps its state.
NOT_INHERITED = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DJANGO_SETTINGS_MODULE",
)


@dataclass
class Probe:
    base_url: str
    answered: int = 0
    failures: list = field(default_factory=list)
    slowest: float = 0.0

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            for path in ("/healthz", "/accounts/login/"):
                began = time.monotonic()
                try:
                    with urllib.request.urlopen(self.base_url + path, timeout=10) as response:
                        response.read()
                    self.answered += 1
                except (OSError, urllib.error.HTTPError) as error:
                    self.failures.append(f"{time.strftime('%H:%M:%S')} {path}: {error!r}")
                self.slowest = max(self.slowest, time.monotonic() - began)
            stop.wait(1.0)


def start_stack(var_dir: Path, port: int, target_host: str) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(
        GOLIVE_VAR_DIR=str(var_dir),
        WEB_PORT=str(port),
        TASK_FLOW_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
        SMOKETESTS_ALLOWED_HOSTS=target_host,
        WEBHOOK_ALLOWED_HOSTS=target_host,
    )
    log = open(var_dir / "stack.log", "ab")  # noqa: SIM115 (lives as long as the stack)
    return subprocess.Popen(
        ["make", "run"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def wait_until_up(base_url: str, stack_log: Path, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"`make run` exited with {process.returncode}; see {stack_log}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                if " ready." in stack_log.read_text(errors="replace"):
                    return
        except OSError:
            pass
        time.sleep(1)
    raise SystemExit(f"The stack did not come up within {timeout:.0f} s; see {stack_log}")


def stop_stack(process: subprocess.Popen, var_dir: Path) -> None:
    """Ctrl-C, as in the terminal: make and supervisord get SIGINT, supervisord stops its three programs."""
    pid_file = var_dir / "supervisord.pid"
    supervisord = int(pid_file.read_text()) if pid_file.exists() else None
    os.killpg(process.pid, signal.SIGINT)
    process.wait(timeout=60)
    deadline = time.monotonic() + 60
    while supervisord and time.monotonic() < deadline:
        try:
            os.kill(supervisord, 0)
        except ProcessLookupError:
            return
        time.sleep(0.5)


def build_workload(target_url: str, *, monitors: int, interval: int, checks: int, voters: int):
    from django.utils import timezone

    from golive.choices import ReleaseStatus, Role
    from golive.models import Release
    from golive.services.releases import add_member, create_release
    from gonogo.services.meetings import open_voting, schedule_meeting
    from integrations.models import WebhookEvent
    from integrations.services.webhooks import add_endpoint
    from smoketests.models import SmokeCheck
    from smoketests.services.monitors import create_monitor
    from tests.factories import UserFactory, release_creator

    stamp = time.strftime("%H%M%S")
    manager = release_creator(f"soak-manager-{stamp}")

    def release(name):
        return create_release(
            actor=manager, name=f"{name} {stamp}", application="Soak", version="1", environment="production",
            target_go_live=timezone.now(),
        )  # fmt: skip

    runs, watched = release("Soak smoke runs"), release("Soak monitors")
    # Monitors watch a release once it is live.
    Release.objects.filter(pk=watched.pk).update(status=ReleaseStatus.LIVE)
    for number in range(checks):
        SmokeCheck.objects.create(release=runs, name=f"page {number:02d}", url=f"{target_url}/run/{number}")
    for number in range(monitors):
        check = SmokeCheck.objects.create(
            release=watched, name=f"monitor {number:02d}", url=f"{target_url}/monitor/{number}"
        )
        create_monitor(release=watched, actor=manager, smoke_check=check, interval_seconds=interval)
    people = [UserFactory(username=f"soak-voter-{stamp}-{number}") for number in range(voters)]
    for person in people:
        add_member(release=runs, user=person, role=Role.STAKEHOLDER, actor=manager)
    meeting = schedule_meeting(
        release=runs, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=people
    )
    open_voting(meeting=meeting, actor=manager)
    endpoint = add_endpoint(
        release=runs,
        actor=manager,
        url=f"{target_url}/webhook",
        events=[WebhookEvent.SMOKE_RUN_FINISHED, WebhookEvent.PING],
    )
    return runs, watched, manager, people, meeting, endpoint


def post(base_url: str, path: str, *, session: str, data: bytes, json: bool = False) -> int:
    headers = voter_headers(session)
    if json:
        headers["Accept"] = "application/json"
    request = urllib.request.Request(base_url + path, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--port", type=int, default=0, help="The web server's port (default: a free one).")
    parser.add_argument(
        "--var-dir", help="Where the stack keeps its state (default: a new temporary folder)."
    )
    parser.add_argument("--monitors", type=int, default=50)
    parser.add_argument("--interval", type=int, default=10, help="Seconds between checks of one monitor.")
    parser.add_argument(
        "--checks", type=int, default=50, help="Checks in the smoke run started every minute."
    )
    parser.add_argument("--voters", type=int, default=20, help="Voters who vote (again) every minute.")
    parser.add_argument("--drain", type=int, default=120, help="Seconds allowed for the last tasks to end.")
    options = parser.parse_args()

    var_dir = Path(options.var_dir or tempfile.mkdtemp(prefix="golive-soak-")).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    port = options.port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    stack_log = var_dir / "stack.log"
    stack_log.touch()

    with slow_targets(20, 1) as (target_url,):
        process = start_stack(var_dir, port, "127.0.0.1")
        flow, lines, stop = TaskFlow(), [], threading.Event()
        threading.Thread(target=follow, args=(stack_log, flow, lines, stop), daemon=True).start()
        try:
            wait_until_up(base_url, stack_log, process, timeout=600)
            # This process reads and writes the stack's own database and broker, as `make run` set them up.
            # It also adds the checks and webhooks aimed at the local target, which the outbound rule refuses
            # unless the allow-lists name it (as the stack's own processes are told in start_stack).
            os.environ.update(
                GOLIVE_VAR_DIR=str(var_dir),
                TASK_FLOW_LOG_LEVEL="INFO",
                SMOKETESTS_ALLOWED_HOSTS="127.0.0.1",
                WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
            )
            for name in NOT_INHERITED:
                os.environ.pop(name, None)
            os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
            import django

            django.setup()
            flow_logger = logging.getLogger("golive.taskflow")
            flow_logger.addHandler(FlowHandler(flow))
            flow_logger.propagate = False  # read, not printed
            report = soak(options, base_url, target_url, flow, stop)
        finally:
            stop.set()
            stop_stack(process, var_dir)

    restarts = {
        program: max(0, len(re.findall(rf"spawned: '{program}' with pid", "".join(lines))) - 1)
        for program in ("web", "worker", "beat")
    }
    unrecoverable = sum("Unrecoverable error" in line for line in lines)
    dropped = sum("cannot be decoded" in line for line in lines)
    print_report(report, restarts, unrecoverable, dropped, var_dir)


def soak(options, base_url: str, target_url: str, flow: TaskFlow, stop: threading.Event) -> dict:
    from communications.models import Communication
    from communications.services.outbox import create_draft, queue_communication
    from gonogo.models import Vote
    from integrations.models import WebhookDelivery
    from integrations.services.webhooks import send_ping
    from smoketests.models import MonitorResult, SmokeRun

    runs, watched, manager, people, meeting, endpoint = build_workload(
        target_url,
        monitors=options.monitors,
        interval=options.interval,
        checks=options.checks,
        voters=options.voters,
    )
    manager_session = session_cookie_for(manager)
    voter_sessions = [session_cookie_for(person) for person in people]
    probe = Probe(base_url)
    threading.Thread(target=probe.run, args=(stop,), daemon=True).start()
    vote_path = f"/releases/{runs.pk}/meetings/{meeting.pk}/vote/"
    run_path = f"/releases/{runs.pk}/smoke/runs/start/"

    began = time.monotonic()
    ends_at = began + options.minutes * 60
    minute, run_answers, vote_answers, last_choice = 0, Counter(), Counter(), None
    communications_queued, problems = 0, []
    print(f"soak                {options.minutes:g} min against {base_url}", flush=True)
    while time.monotonic() < ends_at:
        run_answers[post(base_url, run_path, session=manager_session, data=b"")] += 1
        last_choice = "go" if minute % 2 == 0 else "go_with_conditions"
        vote = f"choice={last_choice}&conditions=Rollback+rehearsed".encode()
        with ThreadPoolExecutor(max_workers=len(voter_sessions)) as pool:
            for status in pool.map(
                lambda session, vote=vote: post(base_url, vote_path, session=session, data=vote, json=True),
                voter_sessions,
            ):
                vote_answers[status] += 1
        try:
            draft = create_draft(release=runs, actor=manager, kind="go_decision")
            queue_communication(communication=draft, actor=manager)
            communications_queued += 1
            send_ping(endpoint=endpoint, actor=manager)
        except Exception as error:  # reported with the figures, not hidden
            problems.append(f"minute {minute}: {error!r}")
        minute += 1
        elapsed = time.monotonic() - began
        print(
            f"  {elapsed / 60:5.1f} min  tasks dispatched {len(flow.dispatched_at)}, web probes "
            f"{probe.answered} ok / {len(probe.failures)} failed",
            flush=True,
        )
        stop.wait(max(0.0, began + minute * 60 - time.monotonic()))

    cutoff = time.time()
    drain_until = time.monotonic() + options.drain
    while time.monotonic() < drain_until:
        with flow.lock:
            open_tasks = [
                task_id
                for task_id, at in flow.dispatched_at.items()
                if at <= cutoff and not flow.done(task_id)
            ]
        unfinished_runs = SmokeRun.objects.filter(release=runs, status__in=("queued", "running")).count()
        if not open_tasks and not unfinished_runs:
            break
        time.sleep(2)

    with flow.lock:
        considered = {task_id: at for task_id, at in flow.dispatched_at.items() if at <= cutoff}
        final = {task_id for task_id in considered if flow.done(task_id)}
        lost = sorted(f"{flow.names[task_id]}[{task_id}]" for task_id in set(considered) - final)
        states = Counter(flow.final_state[task_id] for task_id in final)
        by_name = Counter(flow.names[task_id] for task_id in considered)
        waits = sorted(flow.waits)
    votes = Vote.objects.filter(meeting=meeting)
    return {
        "minutes": options.minutes,
        "dispatched": len(considered),
        "final": len(final),
        "lost": lost,
        "states": states,
        "by_name": by_name,
        "waits": waits,
        "probe": probe,
        "runs": Counter(SmokeRun.objects.filter(release=runs).values_list("status", flat=True)),
        "run_answers": run_answers,
        "vote_answers": vote_answers,
        "votes_stored": votes.count(),
        "votes_with_last_choice": votes.filter(choice=last_choice).count(),
        "voters": len(people),
        "communications": Counter(
            Communication.objects.filter(release=runs).values_list("status", flat=True)
        ),
        "communications_queued": communications_queued,
        "webhooks": Counter(
            WebhookDelivery.objects.filter(endpoint=endpoint).values_list("status", flat=True)
        ),
        "monitor_results": Counter(
            MonitorResult.objects.filter(monitor__release=watched).values_list("outcome", flat=True)
        ),
        "problems": problems,
    }


def print_report(report: dict, restarts: dict, unrecoverable: int, dropped: int, var_dir: Path) -> None:
    waits = report["waits"]
    longest = waits[-1] if waits else (float("nan"), "-")
    median = waits[len(waits) // 2][0] if waits else float("nan")
    p99 = waits[min(len(waits) - 1, int(0.99 * len(waits)))][0] if waits else float("nan")
    probe = report["probe"]
    crashes = sum(restarts.values()) + unrecoverable
    print()
    print(
        f"process restarts    {sum(restarts.values())} ({', '.join(f'{k} {v}' for k, v in restarts.items())})"
    )
    print(f"unrecoverable       {unrecoverable} worker errors; {dropped} undecodable messages dropped")
    print(f"tasks               {report['dispatched']} dispatched, {report['final']} reached a final state, "
          f"{len(report['lost'])} lost or stuck")  # fmt: skip
    print(f"final states        {dict(report['states'])}")
    print(f"tasks by kind       {dict(report['by_name'])}")
    print(
        f"dispatch → start    median {median:.3f} s, p99 {p99:.3f} s, "
        f"longest {longest[0]:.3f} s ({longest[1]})"
    )
    print(
        f"web probes          {probe.answered} answered, {len(probe.failures)} failed, "
        f"slowest {probe.slowest:.2f} s"
    )
    print(
        f"smoke runs          {dict(report['runs'])} (start requests answered {dict(report['run_answers'])})"
    )
    print(f"votes               {dict(report['vote_answers'])} answers; {report['votes_stored']} stored for "
          f"{report['voters']} voters, {report['votes_with_last_choice']} with the last choice")  # fmt: skip
    print(f"communications      {report['communications_queued']} queued: {dict(report['communications'])}")
    print(f"webhook deliveries  {dict(report['webhooks'])}")
    print(f"monitor results     {dict(report['monitor_results'])}")
    for line in report["lost"][:20]:
        print(f"  lost: {line}")
    for line in probe.failures[:20]:
        print(f"  web: {line}")
    for line in report["problems"][:20]:
        print(f"  problem: {line}")
    print(f"logs                {var_dir / 'stack.log'}")
    passed = crashes == 0 and not report["lost"] and not probe.failures
    verdict = "PASS" if passed else "FAIL"
    failed_probes = len(probe.failures)
    print(f"verdict             {verdict}: {crashes} crashes, {len(report['lost'])} lost, "
          f"{failed_probes} failed web probes in {report['minutes']:g} min (target: 0 each)")  # fmt: skip
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
