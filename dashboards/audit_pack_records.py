"""The audit pack's tables of what happened around the decision: runbook, smoke tests, monitors,
communications, freeze overrides and the handover."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Q

from communications.models import Communication, CommunicationStatus
from dashboards.audit_pack_tables import Table, _person
from freezes.models import FreezeOverride
from golive.models import AuditEvent, Release
from handover.choices import DocumentStatus
from handover.models import AccessTransfer, HandoverItem, RequiredDocument, SignOff, TrainingSession
from runbook.models import GoLiveStep, StepStatus
from smoketests.choices import COMPLETED_OUTCOMES
from smoketests.models import CheckResult, Monitor
from smoketests.selectors import pruned_counts_by_monitor
from smoketests.uptime import uptime_counts, uptime_percent


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
    # Pruned results count through their days (smoketests.uptime).
    pruned = pruned_counts_by_monitor(release)
    for monitor in monitors:
        pruned_passed, pruned_completed = pruned.get(monitor.pk, (0, 0))
        passed, completed = monitor.passed + pruned_passed, monitor.completed + pruned_completed
        uptime = uptime_percent(passed=passed, completed=completed)
        latency = round(monitor.mean_latency) if monitor.mean_latency is not None else None
        table.rows.append([
            monitor.smoke_check.name, monitor.smoke_check.url, monitor.interval_seconds,
            monitor.get_state_display(), completed, passed, uptime,
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
         "Verification re-confirmed at", "Project access revoked on", "Revoked by",
         "Project access kept because", "Kept by", "Notes"],
    )  # fmt: skip
    for access in (
        AccessTransfer.objects.filter(plan__release=release)
        .select_related("receiving_team", "granted_by", "verified_by", "revoked_by", "project_access_kept_by")
        .order_by("receiving_team__name", "system", "pk")
    ):
        table.rows.append([
            access.receiving_team.name, access.system, access.access_level, access.current_holder,
            access.credential_location, access.get_status_display(), access.requested_at, access.granted_at,
            _person(access.granted_by), access.verified_at, _person(access.verified_by),
            access.verification_confirmed_at, access.project_access_revoked_on, _person(access.revoked_by),
            access.project_access_kept_reason, _person(access.project_access_kept_by), access.notes,
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
