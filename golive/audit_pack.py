"""The audit pack: everything an auditor or a later team asks about a release, in one ZIP.

It holds a printable HTML summary and one CSV per record kind (decisions, votes, runbook timeline,
smoke-run results, monitor summaries, communications sent, handover items, sign-offs), plus each
decision's frozen snapshot as JSON, exactly as it was recorded.
"""

import csv
import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Avg, Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from golive.models import Communication, Decision, FreezeOverride, GoLiveStep, Release, Vote
from golive.models.communications import CommunicationStatus
from golive.readiness import readiness_for
from handover.models import HandoverItem, SignOff
from smoketests.choices import COMPLETED_OUTCOMES, Outcome
from smoketests.models import CheckResult, Monitor


@dataclass
class Table:
    filename: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)

    def as_csv(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.header)
        writer.writerows([[_cell(value) for value in row] for row in self.rows])
        return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return str(value)


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _decisions(release: Release) -> tuple[list[Decision], Table]:
    decisions = list(
        Decision.objects.filter(meeting__release=release)
        .select_related("meeting__chair", "decided_by")
        .order_by("decided_at", "pk")
    )
    table = Table(
        "decisions.csv",
        "Go/no-go decisions",
        [
            "Meeting",
            "Scheduled at",
            "Chair",
            "Rule",
            "Outcome",
            "Rule gave",
            "Override",
            "Rationale",
            "Decided by",
            "Decided at",
            "Snapshot file",
        ],
    )
    for decision in decisions:
        meeting = decision.meeting
        table.rows.append([
            meeting.pk, meeting.scheduled_at, _person(meeting.chair), meeting.get_decision_rule_display(),
            decision.get_outcome_display(), decision.computed_outcome or "chair",
            "yes" if decision.override else "no", decision.rationale, _person(decision.decided_by),
            decision.decided_at, _snapshot_name(decision),
        ])  # fmt: skip
    return decisions, table


def _snapshot_name(decision: Decision) -> str:
    return f"snapshots/decision-{decision.pk}-meeting-{decision.meeting_id}.json"


def _votes(release: Release) -> Table:
    table = Table(
        "votes.csv", "Votes", ["Meeting", "Participant", "Required", "Veto", "Vote", "Conditions", "Reason",
                               "Cast at", "Last changed at"],
    )  # fmt: skip
    votes = (
        Vote.objects.filter(meeting__release=release)
        .select_related("participant__user")
        .order_by("meeting__scheduled_at", "meeting_id", "cast_at", "pk")
    )
    for vote in votes:
        participant = vote.participant
        table.rows.append([
            vote.meeting_id, _person(participant.user), "yes" if participant.required else "no",
            "yes" if participant.can_veto else "no", vote.get_choice_display(), vote.conditions, vote.reason,
            vote.cast_at, vote.changed_at,
        ])  # fmt: skip
    return table


def _runbook(release: Release) -> Table:
    table = Table(
        "runbook_timeline.csv", "Runbook timeline",
        ["Order", "Step", "Owner", "Kind", "Point of no return", "Status", "Planned start",
         "Planned minutes", "Actual start", "Actual end", "Actual minutes", "Skip reason", "Failure note",
         "Rollback note"],
    )  # fmt: skip
    for step in GoLiveStep.objects.filter(release=release).select_related("owner").order_by("order", "pk"):
        table.rows.append([
            step.order, step.title, _person(step.owner), step.get_kind_display(),
            "yes" if step.point_of_no_return else "no", step.get_status_display(), step.planned_start,
            step.planned_duration_minutes, step.actual_start, step.actual_end,
            step.actual_minutes if step.actual_end else None, step.skip_reason, step.failure_note,
            step.rollback_note,
        ])  # fmt: skip
    return table


def _smoke_results(release: Release) -> Table:
    table = Table(
        "smoke_run_results.csv", "Smoke-run results",
        ["Run", "Run status", "Trigger", "Run created at", "Run finished at", "Check", "Outcome",
         "HTTP status", "Latency (ms)", "Message"],
    )  # fmt: skip
    results = (
        CheckResult.objects.filter(run__release=release)
        .select_related("run")
        .order_by("run__created_at", "run_id", "check_name", "pk")
    )
    for result in results:
        run = result.run
        table.rows.append([
            run.pk, run.get_status_display(), run.get_trigger_display(), run.created_at, run.finished_at,
            result.check_name, result.get_outcome_display(), result.http_status, result.latency_ms,
            result.message,
        ])  # fmt: skip
    return table


def _monitors(release: Release) -> Table:
    table = Table(
        "monitor_summaries.csv", "Monitor summaries",
        ["Monitor", "URL", "Every (s)", "State", "Checks completed", "Checks passed", "Uptime (%)",
         "Mean latency (ms)", "Last checked at"],
    )  # fmt: skip
    completed = Q(results__outcome__in=COMPLETED_OUTCOMES)
    monitors = (
        Monitor.objects.filter(release=release)
        .select_related("smoke_check")
        .annotate(
            completed=Count("results", filter=completed),
            passed=Count("results", filter=Q(results__outcome=Outcome.PASSED)),
            mean_latency=Avg("results__latency_ms", filter=completed),
        )
        .order_by("smoke_check__name", "pk")
    )
    for monitor in monitors:
        uptime = round(100 * monitor.passed / monitor.completed, 2) if monitor.completed else None
        latency = round(monitor.mean_latency) if monitor.mean_latency is not None else None
        table.rows.append([
            monitor.smoke_check.name, monitor.smoke_check.url, monitor.interval_seconds,
            monitor.get_state_display(), monitor.completed, monitor.passed, uptime,
            latency, monitor.last_checked_at,
        ])  # fmt: skip
    return table


def _communications(release: Release) -> Table:
    table = Table(
        "communications_sent.csv", "Communications sent",
        ["Sent at", "Kind", "Audiences", "Recipients", "Subject", "Body", "Created by"],
    )  # fmt: skip
    sent = (
        Communication.objects.filter(release=release, status=CommunicationStatus.SENT)
        .select_related("created_by")
        .order_by("sent_at", "pk")
    )
    for message in sent:
        table.rows.append([
            message.sent_at, message.get_kind_display(), ", ".join(message.audience_labels()),
            "; ".join(message.recipients), message.subject, message.body, _person(message.created_by),
        ])  # fmt: skip
    return table


def _freeze_overrides(release: Release) -> Table:
    table = Table(
        "freeze_overrides.csv", "Emergency freeze overrides",
        ["Recorded at", "Recorded by", "Freeze window", "Freeze reason", "Valid until", "Override reason"],
    )  # fmt: skip
    overrides = (
        FreezeOverride.objects.filter(release=release)
        .select_related("window", "recorded_by")
        .order_by("recorded_at", "pk")
    )
    for override in overrides:
        table.rows.append([
            override.recorded_at, _person(override.recorded_by), override.window.name, override.window.reason,
            override.occurrence_ends_at, override.reason,
        ])  # fmt: skip
    return table


def _handover(release: Release) -> tuple[Table, Table]:
    items = Table(
        "handover_items.csv", "Handover list",
        ["Receiving team", "Item", "Category", "Due date", "Needed", "Status", "Delivered by", "Delivered at",
         "Decided by", "Decided at", "Rejection reason", "Waiver reason"],
    )  # fmt: skip
    for item in (
        HandoverItem.objects.filter(plan__release=release)
        .select_related("receiving_team", "delivered_by", "decided_by")
        .order_by("receiving_team__name", "due_date", "pk")
    ):
        items.rows.append([
            item.receiving_team.name, item.title, item.get_category_display(), item.due_date,
            item.get_needed_by_display(), item.get_status_display(), _person(item.delivered_by),
            item.delivered_at, _person(item.decided_by), item.decided_at, item.rejection_reason,
            item.waiver_reason,
        ])  # fmt: skip
    signoffs = Table(
        "handover_signoffs.csv", "Handover sign-offs",
        ["Team", "Typed name", "Signed by", "Signed at", "Comment", "Still valid", "Invalidated because",
         "Invalidated at"],
    )  # fmt: skip
    for signoff in (
        SignOff.objects.filter(plan__release=release)
        .select_related("team", "signed_by", "invalidation")
        .order_by("signed_at", "pk")
    ):
        invalidation = getattr(signoff, "invalidation", None)
        signoffs.rows.append([
            signoff.team.name, signoff.typed_name, _person(signoff.signed_by), signoff.signed_at,
            signoff.comment, "no" if invalidation else "yes", invalidation.reason if invalidation else "",
            invalidation.invalidated_at if invalidation else None,
        ])  # fmt: skip
    return items, signoffs


def audit_pack_filename(release: Release) -> str:
    return f"audit-pack-{slugify(release.application)}-{slugify(release.version)}-release-{release.pk}.zip"


def build_audit_pack(release: Release, *, now: datetime) -> bytes:
    decisions, decision_table = _decisions(release)
    handover_items, signoffs = _handover(release)
    tables = [
        decision_table,
        _votes(release),
        _runbook(release),
        _smoke_results(release),
        _monitors(release),
        _communications(release),
        _freeze_overrides(release),
        handover_items,
        signoffs,
    ]
    summary = render_to_string(
        "golive/dashboards/audit_pack.html",
        {
            "release": release,
            "generated_at": now,
            "readiness": readiness_for(release, now=now),
            "decisions": decisions,
            "snapshot_names": {decision.pk: _snapshot_name(decision) for decision in decisions},
            "tables": tables,
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", summary)
        for table in tables:
            archive.writestr(table.filename, table.as_csv())
        for decision in decisions:
            archive.writestr(
                _snapshot_name(decision), json.dumps(decision.snapshot, indent=2, sort_keys=True)
            )
    return buffer.getvalue()
