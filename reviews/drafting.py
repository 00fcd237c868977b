"""The drafted part of a review, computed from the release's records at one moment.

Each finding is a sentence the data supports and the record it comes from; nothing is inferred that no
record states (a production issue is tied to a defect or a risk only where a person linked them).
`draft_findings` reads; reviews.services.reviews stores what it returns.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from communications.selectors import production_issues_of
from golive.models import Release
from gonogo.interface import latest_decision, snapshot_blocker_count
from handover.interface import waived_items
from reviews.choices import KIND_ORDER, FindingKind
from reviews.outcomes import HypercareWindow, hypercare_window
from runbook.selectors import runbook_steps
from smoketests.selectors import release_monitor_uptime_percent, runs_started_between

# A step that starts within a minute of its plan is on time (as the live runbook counts it).
LATE_START_GRACE_MINUTES = 1


@dataclass(frozen=True)
class FindingRow:
    kind: str
    text: str
    source_type: str
    source_id: int | None = None
    facts: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Draft:
    findings: list[FindingRow]
    inputs: dict


def _when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%d %b %Y %H:%M}"


def _defect_name(defect) -> str:
    return f"{defect.external_key} “{defect.title}”" if defect.external_key else f"defect “{defect.title}”"


def _decision_facts(decision) -> dict | None:
    if decision is None:
        return None
    return {
        "id": decision.pk,
        "outcome": decision.outcome,
        "outcome_label": decision.get_outcome_display(),
        "decided_at": decision.decided_at.isoformat(),
        "blocker_count": snapshot_blocker_count(decision.snapshot),
        "override": decision.override,
    }


def _issue_findings(issues, decision) -> list[FindingRow]:
    snapshot = decision.snapshot if decision is not None else {}
    known_defects = {item["id"]: item for item in snapshot.get("defects", [])}
    known_risks = {item["id"]: item for item in snapshot.get("risks", [])}
    decided = decision.get_outcome_display() if decision is not None else None
    rows = []
    for issue in issues:
        issue_words = f"production issue #{issue.pk} “{issue.title}” ({issue.get_severity_display().lower()})"
        issue_facts = {"issue_id": issue.pk, "issue_title": issue.title, "severity": issue.severity}
        if issue.caused_by_defect is not None:
            defect = issue.caused_by_defect
            known = known_defects.get(defect.pk)
            if known is not None:
                at_decision = f"{'blocking' if known['blocking'] else 'non-blocking'} at {decided}"
            else:
                at_decision = "not open when the decision was taken" if decided else "no decision recorded"
            rows.append(
                FindingRow(
                    FindingKind.DEFECT_CAUSED_ISSUE,
                    f"{_defect_name(defect)}, {at_decision} → {issue_words}.",
                    "defect",
                    defect.pk,
                    {**issue_facts, "known_at_decision": known is not None, "at_decision": known},
                )
            )
        if issue.caused_by_risk is not None:
            risk = issue.caused_by_risk
            known = known_risks.get(risk.pk)
            if known is not None:
                accepted = ", contingency accepted" if known["contingency_accepted"] else ""
                at_decision = f"score {known['score']} at {decided}{accepted}"
            else:
                at_decision = "not open when the decision was taken" if decided else "no decision recorded"
            rows.append(
                FindingRow(
                    FindingKind.RISK_MATERIALISED,
                    f"Risk “{risk.title}” ({at_decision}) materialised → {issue_words}.",
                    "risk",
                    risk.pk,
                    {**issue_facts, "known_at_decision": known is not None, "at_decision": known},
                )
            )
        if issue.caused_by_defect is None and issue.caused_by_risk is None:
            rows.append(
                FindingRow(
                    FindingKind.ISSUE_WITHOUT_CAUSE,
                    f"{issue_words[0].upper()}{issue_words[1:]}, opened {_when(issue.opened_at)}: "
                    "no defect or risk recorded as its cause.",
                    "production_issue",
                    issue.pk,
                    issue_facts,
                )
            )
    return rows


def _late_step_findings(steps) -> list[FindingRow]:
    rows = []
    for step in steps:
        if step.actual_start is None:
            continue
        late_by = None
        if step.planned_start is not None:
            minutes = round((step.actual_start - step.planned_start).total_seconds() / 60)
            late_by = minutes if minutes > LATE_START_GRACE_MINUTES else None
        took = round(step.actual_minutes) if step.actual_end is not None else None
        over_by = took - step.planned_duration_minutes if took is not None else None
        over_by = over_by if over_by is not None and over_by > 0 else None
        if late_by is None and over_by is None:
            continue
        planned = f"planned {_when(step.planned_start)} for " if step.planned_start else "planned for "
        parts = [f"{planned}{step.planned_duration_minutes} min"]
        if late_by is not None:
            parts.append(f"started {_when(step.actual_start)} ({late_by} min late)")
        if took is not None:
            parts.append(f"took {took} min" + (f" ({over_by} min over)" if over_by else ""))
        rows.append(
            FindingRow(
                FindingKind.LATE_STEP,
                f"Step {step.order} “{step.title}”: " + "; ".join(parts) + ".",
                "runbook_step",
                step.pk,
                {"late_by_minutes": late_by, "over_by_minutes": over_by, "took_minutes": took},
            )
        )
    return rows


def _hypercare_findings(release: Release, window: HypercareWindow, now: datetime) -> list[FindingRow]:
    if window.went_live_at is None:
        return []
    since, until = window.went_live_at, window.until(now)
    span = f"{_when(since)} – {_when(until)}"
    runs = [run for run in runs_started_between(release, since=since, until=until) if run["finished"]]
    passed = sum(1 for run in runs if run["passed"])
    summary = (
        f"{len(runs)} smoke run{'s' if len(runs) != 1 else ''} in hypercare ({span}): "
        f"{passed} passed, {len(runs) - passed} did not."
        if runs
        else f"No smoke run finished in hypercare ({span})."
    )
    rows = [
        FindingRow(
            FindingKind.SMOKE_RESULTS, summary, "smoke_runs", None, {"runs": len(runs), "passed": passed}
        )
    ]
    for run in runs:
        if not run["passed"]:
            failing = ", ".join(run["failing_checks"]) or "no check result"
            rows.append(
                FindingRow(
                    FindingKind.SMOKE_RESULTS,
                    f"Smoke run #{run['id']} ({_when(run['started_at'])}) {run['status_label'].lower()}: "
                    f"{failing}.",
                    "smoke_run",
                    run["id"],
                    {"status": run["status"], "failing_checks": run["failing_checks"]},
                )
            )
    uptime = release_monitor_uptime_percent(release, since=since, until=until)
    rows.append(
        FindingRow(
            FindingKind.MONITOR_UPTIME,
            f"Monitor uptime in hypercare ({span}): {uptime} %."
            if uptime is not None
            else f"No monitor had a finished check in hypercare ({span}).",
            "monitors",
            None,
            {"uptime_percent": None if uptime is None else str(uptime)},
        )
    )
    return rows


def _condition_findings(decision, today) -> list[FindingRow]:
    if decision is None:
        return []
    rows = []
    for condition in decision.conditions.select_related("owner").order_by("due_date", "pk"):
        owner = condition.owner.get_full_name() or condition.owner.get_username()
        due = f"{condition.due_date:%d %b %Y}"
        if condition.done_at is not None:
            done_on = timezone.localtime(condition.done_at).date()
            days_late = (done_on - condition.due_date).days
            if days_late <= 0:
                continue
            text = (
                f"Condition “{condition.text}” ({owner}, due {due}) met {done_on:%d %b %Y}, {days_late} day"
            )
            text += "s late." if days_late != 1 else " late."
        elif condition.due_date < today:
            days_late = (today - condition.due_date).days
            text = f"Condition “{condition.text}” ({owner}, due {due}) not met."
        else:
            continue
        rows.append(
            FindingRow(
                FindingKind.CONDITION_LATE,
                text,
                "condition",
                condition.pk,
                {"met": condition.done_at is not None, "days_late": days_late},
            )
        )
    return rows


def _waiver_findings(release: Release) -> list[FindingRow]:
    rows = []
    for item in waived_items(release):
        agreed = [
            f"{person.get_full_name() or person.get_username()} for {side}"
            for person, side in ((item.waiver_by_project, "the project"), (item.waiver_by_team, "the team"))
            if person is not None
        ]
        text = f"Handover item “{item.title}” ({item.receiving_team.name}) waived: {item.waiver_reason}"
        text += f" Agreed by {' and '.join(agreed)}." if agreed else ""
        rows.append(
            FindingRow(
                FindingKind.HANDOVER_WAIVED,
                text,
                "handover_item",
                item.pk,
                {"team": item.receiving_team.name, "reason": item.waiver_reason},
            )
        )
    return rows


def draft_findings(release: Release, *, now: datetime | None = None) -> Draft:
    now = now or timezone.now()
    decision = latest_decision(release)
    window = hypercare_window(release)
    issues = [issue for issue in production_issues_of([release.pk]) if issue.opened_at <= now]
    findings = [
        *_issue_findings(issues, decision),
        *_late_step_findings(runbook_steps(release)),
        *_hypercare_findings(release, window, now),
        *_condition_findings(decision, timezone.localdate(now)),
        *_waiver_findings(release),
    ]
    findings.sort(key=lambda row: KIND_ORDER[row.kind])
    until = window.until(now)
    inputs = {
        "drafted_at": now.isoformat(),
        "decision": _decision_facts(decision),
        "went_live_at": window.went_live_at.isoformat() if window.went_live_at else None,
        "hypercare_hours": window.hours,
        "hypercare_until": until.isoformat() if until else None,
        "production_issue_ids": [issue.pk for issue in issues],
    }
    return Draft(findings=findings, inputs=inputs)
