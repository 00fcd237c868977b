"""The audit pack: everything an auditor or a later team asks about a release, in one ZIP.

It holds the release's whole audit trail (CSV and JSON), a printable HTML summary, and one CSV per
record kind: decisions, votes, the runbook's steps and its timeline of every transition (read from the
trail, so a failure and its retry both appear), smoke-run results, monitor summaries, communications
sent, handover items, the access ledger, training sessions, document versions and sign-offs; plus each
decision's frozen snapshot as JSON, exactly as it was recorded.

Every CSV cell goes through `_cell`, the one place that turns a value into CSV text.
"""

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from golive.models import (
    AuditEvent,
    Communication,
    Decision,
    FreezeOverride,
    GoLiveStep,
    GoNoGoMeeting,
    Release,
    StepStatus,
    Vote,
)
from golive.models.communications import CommunicationStatus
from golive.readiness import readiness_for
from golive.spreadsheet import SpreadsheetWriter
from handover.choices import DocumentStatus
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, SignOff, TrainingSession
from smoketests.choices import COMPLETED_OUTCOMES
from smoketests.models import CheckResult, Monitor
from smoketests.uptime import uptime_counts, uptime_percent

# The printable summary repeats each table up to this many rows (and says so when it stops short): a
# long trail would make a page nobody prints. The CSV and JSON files always hold every row.
PRINTED_ROWS_PER_TABLE = 500


@dataclass
class Table:
    filename: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return self.filename

    @cached_property
    def cells(self) -> list[list[str]]:
        """The rows as text, as written to the CSV: what the printable summary shows too."""
        return [[_cell(value) for value in row] for row in self.rows]

    @property
    def printed_cells(self) -> list[list[str]]:
        return self.cells[:PRINTED_ROWS_PER_TABLE]

    @property
    def printed_in_part(self) -> bool:
        return len(self.rows) > PRINTED_ROWS_PER_TABLE

    def as_csv(self) -> str:
        buffer = io.StringIO()
        writer = SpreadsheetWriter(buffer)
        writer.writerow(self.header)
        writer.writerows(self.cells)
        return buffer.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
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


def _runbook_steps(release: Release) -> Table:
    table = Table(
        "runbook_steps.csv", "Runbook steps (their state when the pack was made)",
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


# What each recorded step move means; a retry moves a failed step back to pending and starts it again.
_STEP_TRANSITIONS = {
    (StepStatus.PENDING, StepStatus.IN_PROGRESS): "started",
    (StepStatus.IN_PROGRESS, StepStatus.DONE): "done",
    (StepStatus.IN_PROGRESS, StepStatus.FAILED): "failed",
    (StepStatus.FAILED, StepStatus.PENDING): "retried",
    (StepStatus.PENDING, StepStatus.SKIPPED): "skipped",
    (StepStatus.FAILED, StepStatus.SKIPPED): "skipped",
}


def _runbook_timeline(release: Release, trail: list[AuditEvent]) -> Table:
    """Every step move in the order it happened, from the audit trail."""
    table = Table(
        "runbook_timeline.csv", "Runbook timeline (every transition)",
        ["At", "Order", "Step", "Transition", "From", "To", "By", "Note"],
    )  # fmt: skip
    step_type = ContentType.objects.get_for_model(GoLiveStep)
    steps = {str(step.pk): step for step in GoLiveStep.objects.filter(release=release)}
    for event in trail:
        if event.verb != "step.status_changed" or event.target_type_id != step_type.pk:
            continue
        old, new = event.changes.get("status", [None, None])
        shown = event.labels.get("status", [old, new])
        step = steps.get(event.target_id)
        note = event.data.get("reason") or event.data.get("note") or ""
        table.rows.append([
            event.created_at, step.order if step else None, step.title if step else event.target_repr,
            _STEP_TRANSITIONS.get((old, new), "moved"), shown[0], shown[1], event.actor_name or "system",
            "" if note == "retry" else note,
        ])  # fmt: skip
    return table


def _readable_changes(event: AuditEvent) -> str:
    return "; ".join(
        f"{row.field}: {row.new}" if row.old is None else f"{row.field}: {row.old} → {row.new}"
        for row in event.display_changes()
    )


def _trail(release: Release) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(release=release).select_related("target_type").order_by("created_at", "pk")
    )


def _trail_as_json(trail: list[AuditEvent]) -> str:
    """A JSON array with one event per line (compact lines keep a long trail quick to write)."""
    events = (
        json.dumps(
            {
                "id": event.pk,
                "created_at": event.created_at.isoformat(),
                "actor": event.actor_name or None,
                "verb": event.verb,
                "target_type": _target_type(event),
                "target_id": event.target_id,
                "target": event.target_repr,
                "changes": event.changes,
                "labels": event.labels,
                "data": event.data,
            },
            ensure_ascii=False,
        )
        for event in trail
    )
    return "[\n" + ",\n".join(events) + "\n]\n"


def _target_type(event: AuditEvent) -> str:
    target_type = event.target_type
    return f"{target_type.app_label}.{target_type.model}" if target_type is not None else ""


def _trail_table(trail: list[AuditEvent]) -> Table:
    table = Table(
        "audit_trail.csv", "Audit trail (every recorded event, oldest first; also audit_trail.json)",
        ["Event", "At", "Who", "What", "Target type", "Target id", "Target", "Changes",
         "Changes (stored values)", "Data"],
    )  # fmt: skip
    for event in trail:
        table.rows.append([
            event.pk, event.created_at, event.actor_name or "system", event.verb, _target_type(event),
            event.target_id, event.target_repr, _readable_changes(event), event.changes or None,
            event.data or None,
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
            **uptime_counts("results__"),
            mean_latency=Avg("results__latency_ms", filter=completed),
        )
        .order_by("smoke_check__name", "pk")
    )
    for monitor in monitors:
        uptime = uptime_percent(passed=monitor.passed, completed=monitor.completed)
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


def _access_ledger(release: Release) -> Table:
    table = Table(
        "access_ledger.csv", "Access ledger",
        ["Receiving team", "System", "Access level", "Current holder", "Where the credential is kept",
         "Status", "Requested at", "Granted at", "Granted by", "Verified at", "Verified by",
         "Project access revoked on", "Revoked by", "Notes"],
    )  # fmt: skip
    for access in (
        AccessTransfer.objects.filter(plan__release=release)
        .select_related("receiving_team", "granted_by", "verified_by", "revoked_by")
        .order_by("receiving_team__name", "system", "pk")
    ):
        table.rows.append([
            access.receiving_team.name, access.system, access.access_level, access.current_holder,
            access.credential_location, access.get_status_display(), access.requested_at, access.granted_at,
            _person(access.granted_by), access.verified_at, _person(access.verified_by),
            access.project_access_revoked_on, _person(access.revoked_by), access.notes,
        ])  # fmt: skip
    return table


def _training(release: Release) -> Table:
    table = Table(
        "training_sessions.csv", "Training sessions",
        ["Topic", "Trainer", "For team", "Scheduled for", "Held at", "Invited", "Attended", "Notes"],
    )  # fmt: skip
    for session in (
        TrainingSession.objects.filter(plan__release=release)
        .select_related("team")
        .prefetch_related("invited", "attended")
        .order_by("scheduled_for", "pk")
    ):
        table.rows.append([
            session.topic, session.trainer, session.team.name if session.team else "",
            session.scheduled_for, session.held_at,
            "; ".join(sorted(_person(user) for user in session.invited.all())),
            "; ".join(sorted(_person(user) for user in session.attended.all())), session.notes,
        ])  # fmt: skip
    return table


_DOCUMENT_COLUMNS = {"version": "Version", "status": "Status", "link": "Link", "original_name": "File"}


def _document_versions(release: Release, trail: list[AuditEvent]) -> Table:
    """Each recorded change of a required document, with the document as it stood after it."""
    table = Table(
        "document_versions.csv", "Document versions",
        ["Document", "Recorded at", "Recorded by", "Version", "Status", "Link", "File"],
    )  # fmt: skip
    document_type = ContentType.objects.get_for_model(RequiredDocument)
    documents = {
        str(document.pk): document for document in RequiredDocument.objects.filter(plan__release=release)
    }
    state: dict[str, dict] = {}
    for event in trail:
        document = documents.get(event.target_id)
        if event.target_type_id != document_type.pk or document is None or not event.changes:
            continue
        current = state.setdefault(event.target_id, {"status": DocumentStatus.MISSING.label})
        for row in event.display_changes():
            if row.field in _DOCUMENT_COLUMNS:
                current[row.field] = row.new
        current["original_name"] = event.changes.get("file", [None, current.get("original_name")])[1]
        table.rows.append([
            document.get_kind_display(), event.created_at, event.actor_name or "system",
            *(current.get(field) for field in ("version", "status", "link", "original_name")),
        ])  # fmt: skip
    return table


def _snapshot_summary(snapshot: dict) -> dict:
    """The frozen evidence of a decision in words and figures; the JSON file keeps all of it."""
    rules = dict(GoNoGoMeeting._meta.get_field("decision_rule").flatchoices)
    choices = dict(Vote._meta.get_field("choice").flatchoices)
    blockers = snapshot.get("blockers") or {}
    taken_at = parse_datetime(snapshot.get("taken_at") or "")
    return {
        "taken_at": taken_at,
        "rule": rules.get(snapshot.get("rule"), snapshot.get("rule") or ""),
        "rule_reasons": [str(reason) for reason in snapshot.get("rule_reasons") or []],
        "open_risks": len(snapshot.get("risks") or []),
        "open_defects": len(snapshot.get("defects") or []),
        "blocking_risks": len(blockers.get("risks") or []),
        "blocking_defects": len(blockers.get("defects") or []),
        "votes": [
            {
                "name": vote.get("name") or vote.get("participant") or "",
                "choice": choices.get(vote.get("choice"), "no vote") if vote.get("choice") else "no vote",
                "required": "yes" if vote.get("required") else "no",
                "can_veto": "yes" if vote.get("can_veto") else "no",
                "conditions": vote.get("conditions") or "",
                "reason": vote.get("reason") or "",
            }
            for vote in snapshot.get("votes") or []
        ],
    }


def audit_pack_filename(release: Release) -> str:
    return f"audit-pack-{slugify(release.application)}-{slugify(release.version)}-release-{release.pk}.zip"


def build_audit_pack(release: Release, *, now: datetime) -> bytes:
    decisions, decision_table = _decisions(release)
    handover_items, signoffs = _handover(release)
    trail = _trail(release)
    tables = [
        decision_table,
        _votes(release),
        _runbook_steps(release),
        _runbook_timeline(release, trail),
        _smoke_results(release),
        _monitors(release),
        _communications(release),
        _freeze_overrides(release),
        handover_items,
        _access_ledger(release),
        _training(release),
        _document_versions(release, trail),
        signoffs,
        _trail_table(trail),
    ]
    summary = render_to_string(
        "golive/dashboards/audit_pack.html",
        {
            "release": release,
            "generated_at": now,
            "readiness": readiness_for(release, now=now),
            "decisions": [
                {
                    "decision": decision,
                    "snapshot_file": _snapshot_name(decision),
                    "evidence": _snapshot_summary(decision.snapshot),
                }
                for decision in decisions
            ],
            "tables": tables,
            "printed_rows": PRINTED_ROWS_PER_TABLE,
        },
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", summary)
        archive.writestr("audit_trail.json", _trail_as_json(trail))
        for table in tables:
            archive.writestr(table.filename, table.as_csv())
        for decision in decisions:
            archive.writestr(
                _snapshot_name(decision), json.dumps(decision.snapshot, indent=2, sort_keys=True)
            )
    return buffer.getvalue()
