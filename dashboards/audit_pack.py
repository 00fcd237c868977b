"""The audit pack: everything an auditor or a later team asks about a release, in one ZIP.

It holds the release's whole audit trail (CSV and JSON), a printable HTML summary, and one CSV per
record kind: decisions, votes, the runbook's steps and its timeline of every transition (read from the
trail, so a failure and its retry both appear), smoke-run results, monitor summaries, communications
sent, handover items, the access ledger, training sessions, document versions and sign-offs; plus each
decision's frozen snapshot as JSON, exactly as it was recorded.

Every CSV cell goes through `audit_pack_tables._cell`, the one place that turns a value into CSV text;
`audit_pack_records` builds the tables of the records the pack holds besides decisions, votes and the trail.
"""

import io
import json
import zipfile
from datetime import datetime

from django.template.loader import render_to_string
from django.utils.dateparse import parse_datetime
from django.utils.text import slugify

from dashboards import audit_pack_tables
from dashboards.audit_pack_records import (
    _access_ledger,
    _communications,
    _document_versions,
    _freeze_overrides,
    _handover,
    _monitors,
    _runbook_steps,
    _runbook_timeline,
    _smoke_results,
    _training,
)
from dashboards.audit_pack_tables import Table, _person
from golive.models import AuditEvent, Release
from gonogo.models import Decision, GoNoGoMeeting, Vote
from readiness.rules import readiness_for


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
        "dashboards/audit_pack.html",
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
            "printed_rows": audit_pack_tables.PRINTED_ROWS_PER_TABLE,
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
