"""Start, dispatch, execute, finish and reap smoke runs.

Delivery is at least once (acks_late, re-queue on a lost worker, the reaper re-sending), so every step
here is safe to repeat: a worker claims a run with a conditional UPDATE, results are written only over
pending rows, and the `attempts` value read at claim time fences a worker that lost its lease.
"""

import contextlib
import logging
import os
import socket
import time
from datetime import timedelta
from functools import lru_cache, partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from golive.audit import record_event
from golive.errors import IllegalTransition
from golive.models import Release
from golive.permissions import Action, person, require
from golive.send_or_queue import send_or_leave_queued
from smoketests.choices import MAX_RUN_ATTEMPTS, Outcome, RunStatus, RunTrigger
from smoketests.models import CheckResult, SmokeCheck, SmokeRun
from smoketests.probe import ProbeSpec, stream_outcomes
from smoketests.services.results import create_pending_results, store_check_outcomes
from smoketests.signals import smoke_run_finished
from smoketests.validation import parse_status_codes

logger = logging.getLogger(__name__)

# What a broker that is down or unreachable raises when a task is sent: kombu's own errors and the
# socket errors some transports let through.


def lease_duration() -> timedelta:
    return timedelta(seconds=settings.SMOKETESTS_RUN_LEASE_SECONDS)


def this_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def spec_for(check: SmokeCheck, *, key: int, timeout_cap: float | None = None) -> ProbeSpec:
    return _spec(
        key,
        check.method,
        check.url,
        check.expected_statuses,
        check.headers,
        check.body,
        check.body_contains,
        check.body_regex,
        check.max_latency_ms,
        check.timeout_seconds,
        check.verify_tls,
        timeout_cap=timeout_cap,
    )


# The check's fields `_spec` takes, in its order: a run reads them as plain rows, not model instances.
SPEC_FIELDS = (
    "method",
    "url",
    "expected_statuses",
    "headers",
    "body",
    "body_contains",
    "body_regex",
    "max_latency_ms",
    "timeout_seconds",
    "verify_tls",
)


@lru_cache(maxsize=1024)
def _status_ranges(expected_statuses: str) -> tuple[tuple[int, int], ...]:
    return tuple(parse_status_codes(expected_statuses))


def _spec(
    key: int,
    method: str,
    url: str,
    expected_statuses: str,
    headers: dict | None,
    body: str,
    body_contains: str,
    body_regex: str,
    max_latency_ms: int | None,
    timeout_seconds: float,
    verify_tls: bool,
    *,
    timeout_cap: float | None = None,
) -> ProbeSpec:
    return ProbeSpec(
        key=key,
        method=method,
        url=url,
        status_ranges=_status_ranges(expected_statuses),
        headers=dict(headers or {}),
        body=body,
        body_contains=body_contains,
        body_regex=body_regex,
        max_latency_ms=max_latency_ms,
        timeout_seconds=timeout_seconds if timeout_cap is None else min(timeout_seconds, timeout_cap),
        verify_tls=verify_tls,
    )


def start_smoke_run(
    *,
    release: Release,
    actor: AbstractBaseUser,
    trigger: str = RunTrigger.MANUAL,
    context: dict | None = None,
) -> SmokeRun:
    """Queue a run of every enabled check of the release; workers get it once the transaction commits.

    If the broker cannot be reached the run stays queued with `dispatch_error` set (the page says
    "queued, no worker reachable") and the reaper sends it again later.
    """
    if trigger != RunTrigger.RUNBOOK:  # a runbook step starts its checks once move_step allowed the start
        require(actor, release, Action.RUN_SMOKE_TESTS)
    with transaction.atomic():
        if not release.smoke_checks.filter(enabled=True).exists():
            raise IllegalTransition("This release has no enabled smoke check: add or enable one first.")
        run = SmokeRun(release=release, trigger=trigger, requested_by=person(actor), context=context or {})
        run.full_clean()
        run.save()
        checks = create_pending_results(run=run)
        record_event(
            verb="smoke_run.started",
            actor=actor,
            target=run,
            release=release,
            data={"checks": checks, "trigger": run.trigger, "trigger_label": run.get_trigger_display()},
        )
        # Celery's delay_on_commit would raise a broker failure out of the commit; this records it.
        transaction.on_commit(partial(send_run_to_workers, run_id=run.pk))
    run.refresh_from_db(fields=["dispatched_at", "dispatch_error"])
    return run


def send_run_to_workers(*, run_id: int) -> bool:
    from smoketests.tasks import execute_smoke_run

    def record(error: Exception) -> None:
        SmokeRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            dispatch_error=f"No worker reachable: {error}"[:1000]
        )

    if not send_or_leave_queued(execute_smoke_run, run_id, what=f"Smoke run {run_id}", on_unreachable=record):
        return False
    SmokeRun.objects.filter(pk=run_id).update(dispatched_at=timezone.now(), dispatch_error="")
    return True


def _claimable(now) -> Q:
    # A running run whose lease ran out belongs to a worker that died: another delivery may take it.
    return Q(status=RunStatus.QUEUED) | Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)


def claim_run(*, run_id: int, worker_name: str) -> SmokeRun | None:
    """Take the run for this worker, or return None when it is not (or no longer) ours to execute."""
    now = timezone.now()
    claimed = SmokeRun.objects.filter(_claimable(now), pk=run_id, attempts__lt=MAX_RUN_ATTEMPTS).update(
        status=RunStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=Coalesce(F("started_at"), now),
        lease_expires_at=now + lease_duration(),
        worker_name=worker_name[:200],
    )
    if claimed:
        return SmokeRun.objects.select_related("release").get(pk=run_id)
    give_up_run(
        run_id=run_id,
        only_if=_claimable(now) & Q(attempts__gte=MAX_RUN_ATTEMPTS),
        reason=f"Given up after {MAX_RUN_ATTEMPTS} attempts: the worker running it was lost each time.",
    )
    return None


def renew_lease(*, run: SmokeRun) -> bool:
    """Extend our lease; False if the run was taken from us (our lease had run out)."""
    return bool(
        SmokeRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts).update(
            lease_expires_at=timezone.now() + lease_duration()
        )
    )


def pending_specs(run: SmokeRun) -> list[ProbeSpec]:
    """The checks of the run still pending, as specs; a pending result whose check was deleted becomes
    an error instead."""
    rows = CheckResult.objects.filter(run=run, outcome=Outcome.PENDING).values_list(
        "pk", "smoke_check_id", *(f"smoke_check__{name}" for name in SPEC_FIELDS)
    )
    specs, orphans = [], []
    for key, check_id, *fields in rows:
        if check_id is None:
            orphans.append(key)
        else:
            specs.append(_spec(key, *fields))
    if orphans:
        CheckResult.objects.filter(pk__in=orphans, outcome=Outcome.PENDING).update(
            outcome=Outcome.ERROR, message="The check was deleted before it ran.", finished_at=timezone.now()
        )
    return specs


def execute_run(*, run_id: int, worker_name: str | None = None) -> SmokeRun | None:
    """Claim the run, probe every check still pending concurrently, store results as they come, finish."""
    run = claim_run(run_id=run_id, worker_name=worker_name or this_worker_name())
    if run is None:
        return None
    specs = pending_specs(run)
    renew_every = max(0.5, settings.SMOKETESTS_RUN_LEASE_SECONDS / 3)
    last_renewal = time.monotonic()
    outcome_batches = stream_outcomes(
        specs, concurrency=settings.SMOKETESTS_MAX_CONCURRENCY, idle_every=min(renew_every, 2.0)
    )
    # Closing the stream (also when this returns early) stops the probing and closes its connections.
    with contextlib.closing(outcome_batches):
        for outcomes in outcome_batches:
            if outcomes:
                store_check_outcomes(outcomes)
            if time.monotonic() - last_renewal >= renew_every:
                if not renew_lease(run=run):
                    logger.warning("Smoke run %s was taken over by another worker; this one stops.", run.pk)
                    return None
                last_renewal = time.monotonic()
    return finish_run(run=run)


def finish_run(*, run: SmokeRun) -> SmokeRun | None:
    with transaction.atomic():
        counts = outcome_counts(run)
        if counts[Outcome.PENDING]:
            return None
        status = RunStatus.PASSED if counts[Outcome.PASSED] == sum(counts.values()) else RunStatus.FAILED
        finished = SmokeRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, attempts=run.attempts).update(
            status=status, finished_at=timezone.now(), lease_expires_at=None
        )
        if not finished:
            return None
        run = SmokeRun.objects.select_related("release").get(pk=run.pk)
        _announce_finished(run, counts=counts)
    return run


def give_up_run(*, run_id: int, only_if: Q, reason: str) -> SmokeRun | None:
    """End a run as errored if it still matches `only_if`; results not yet written stay pending."""
    with transaction.atomic():
        errored = SmokeRun.objects.filter(only_if, pk=run_id).update(
            status=RunStatus.ERRORED, finished_at=timezone.now(), lease_expires_at=None, error=reason
        )
        if not errored:
            return None
        run = SmokeRun.objects.select_related("release").get(pk=run_id)
        _announce_finished(run)
    return run


def outcome_counts(run: SmokeRun) -> dict[str, int]:
    """{outcome: how many of the run's results have it}, every outcome present, counted by the database."""
    counts = dict.fromkeys(Outcome.values, 0)
    grouped = CheckResult.objects.filter(run=run).order_by().values_list("outcome").annotate(Count("pk"))
    counts.update(grouped)
    return counts


def _announce_finished(run: SmokeRun, *, counts: dict[str, int] | None = None) -> None:
    counts = counts or outcome_counts(run)
    record_event(
        verb="smoke_run.finished",
        target=run,
        release=run.release,
        changes={"status": [RunStatus.RUNNING, run.status]},
        data={
            "passed": counts[Outcome.PASSED],
            "failed": counts[Outcome.FAILED],
            "errors": counts[Outcome.ERROR],
            "not_run": counts[Outcome.PENDING],
            **({"error": run.error} if run.error else {}),
        },
    )
    notify_listeners(smoke_run_finished, sender=SmokeRun, run=run)


def notify_listeners(signal, **arguments) -> None:
    """Send a signal in a savepoint: a failing listener must not undo, or block for ever, the change
    it is told about (a finished run that cannot commit would be re-run, then stuck)."""
    try:
        with transaction.atomic():
            signal.send(**arguments)
    except Exception:
        logger.exception("A listener of %s failed; its work was rolled back, the change stands.", signal)


def failed_results(run: SmokeRun) -> list[CheckResult]:
    """The checks that did not pass, for a production-issue draft."""
    return list(run.results.exclude(outcome=Outcome.PASSED).order_by("check_name"))


def reap_smoke_runs(*, now=None) -> dict[str, int]:
    """The periodic safety net: nothing stays running or queued for ever.

    - running past its lease (its worker died): queued again and re-sent, or errored after the last attempt;
    - queued but never sent (broker was down) or sent long ago and not picked up: sent again;
    - queued for longer than SMOKETESTS_QUEUED_RUN_EXPIRY_SECONDS: errored, nobody is going to run it.
    """
    now = now or timezone.now()
    summary = {"requeued": 0, "resent": 0, "errored": 0}
    lost = Q(status=RunStatus.RUNNING, lease_expires_at__lt=now)
    for run_id, attempts in SmokeRun.objects.filter(lost).values_list("pk", "attempts"):
        if attempts >= MAX_RUN_ATTEMPTS:
            reason = f"Given up after {MAX_RUN_ATTEMPTS} attempts: the worker running it was lost each time."
            if give_up_run(run_id=run_id, only_if=lost & Q(attempts=attempts), reason=reason):
                summary["errored"] += 1
        elif SmokeRun.objects.filter(lost, pk=run_id, attempts=attempts).update(
            status=RunStatus.QUEUED, lease_expires_at=None
        ):
            summary["requeued"] += 1
            send_run_to_workers(run_id=run_id)

    expiry = now - timedelta(seconds=settings.SMOKETESTS_QUEUED_RUN_EXPIRY_SECONDS)
    for run_id in SmokeRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=expiry).values_list(
        "pk", flat=True
    ):
        reason = "No worker picked the run up in time; start a new one."
        if give_up_run(run_id=run_id, only_if=Q(status=RunStatus.QUEUED), reason=reason):
            summary["errored"] += 1

    resend_before = now - timedelta(seconds=settings.SMOKETESTS_QUEUED_RUN_RESEND_SECONDS)
    stale = SmokeRun.objects.filter(status=RunStatus.QUEUED, created_at__lt=resend_before).filter(
        Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=resend_before) | ~Q(dispatch_error="")
    )
    for run_id in stale.values_list("pk", flat=True):
        if send_run_to_workers(run_id=run_id):
            summary["resent"] += 1
    return summary


def wait_for_run(*, run_id: int, timeout_seconds: float, poll_every: float = 0.2):
    """Yields each finished CheckResult once, then returns when the run ends or the time is up."""
    deadline = time.monotonic() + timeout_seconds
    shown: set[int] = set()
    while True:
        run = SmokeRun.objects.get(pk=run_id)
        for result in CheckResult.objects.filter(run_id=run_id).exclude(
            outcome__in=[Outcome.PENDING, Outcome.RUNNING]
        ):
            if result.pk not in shown:
                shown.add(result.pk)
                yield result
        if run.is_finished or time.monotonic() > deadline:
            return
        time.sleep(poll_every)
