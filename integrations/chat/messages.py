"""What a person should read about each webhook event: a title, a sentence, a few facts and a link."""

from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class ChatMessage:
    title: str
    summary: str
    url: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    # "good", "attention" or "neutral": the colour a chat service may give the message.
    tone: str = "neutral"


def _yes_no(value) -> str:
    return "yes" if value else "no"


def _decision(data: dict) -> tuple[str, str, list, str]:
    outcome = str(data.get("outcome", "")).replace("_", " ").upper()
    facts = [("Outcome", outcome), ("May deploy", _yes_no(data.get("may_deploy")))]
    if data.get("conditions"):
        facts.append(("Conditions", str(len(data["conditions"]))))
    summary = data.get("rationale") or "The go/no-go meeting has closed and its decision is recorded."
    return f"Go/no-go decision: {outcome}", summary, facts, "good" if data.get("may_deploy") else "attention"


def _smoke(data: dict) -> tuple[str, str, list, str]:
    passed = data.get("passed")
    checks = f"{data.get('checks_passed', 0)} of {data.get('checks', 0)} checks passed"
    summary = checks + (f". {data['error']}" if data.get("error") else ".")
    return (
        f"Smoke tests {'passed' if passed else 'failed'}",
        summary,
        [("Verdict", data.get("status", ""))],
        ("good" if passed else "attention"),
    )


def _monitor(data: dict, down: bool) -> tuple[str, str, list, str]:
    check = data.get("check", "")
    title = f"Monitor down: {check}" if down else f"Monitor up again: {check}"
    summary = f"{data.get('url', '')} is {'not answering as expected' if down else 'answering again'}."
    facts = [
        ("State", str(data.get("state", ""))),
        ("Failures in a row", str(data.get("consecutive_failures", 0))),
    ]
    return title, summary, facts, "attention" if down else "good"


def _issue(data: dict, opened: bool) -> tuple[str, str, list, str]:
    title = f"Production issue {'opened' if opened else 'updated'}: {data.get('title', '')}"
    facts = [("Severity", str(data.get("severity", ""))), ("Status", str(data.get("status", "")))]
    return title, data.get("impact") or data.get("what_happened") or "", facts, "attention"


def describe(event: str, release: dict, data: dict) -> ChatMessage:
    """The message for `event` about `release` (release_facts) with the event's `data`."""
    if event == "decision.recorded":
        title, summary, facts, tone = _decision(data)
    elif event == "smoke_run.finished":
        title, summary, facts, tone = _smoke(data)
    elif event in ("monitor.down", "monitor.up"):
        title, summary, facts, tone = _monitor(data, event == "monitor.down")
    elif event in ("production_issue.opened", "production_issue.updated"):
        title, summary, facts, tone = _issue(data, event == "production_issue.opened")
    elif event == "golive.started":
        title, summary, facts, tone = "Go-live started", f"First step: {data.get('step', '')}.", [], "neutral"
    elif event == "runbook_step.failed":
        title, tone = f"Runbook step failed: {data.get('step', '')}", "attention"
        summary, facts = data.get("note", ""), [("Owner", str(data.get("owner", "")))]
    elif event == "point_of_no_return.passed":
        title, tone = f"Point of no return passed: {data.get('step', '')}", "attention"
        summary, facts = "From here on the go-live rolls forward; the rollback plan no longer applies.", []
    elif event == "handover.completed":
        title, summary, tone = "Handover complete", "Every support team has signed off.", "good"
        may_disband = data.get("project_team_may_disband")
        facts = [] if may_disband is None else [("Project team may disband", "yes" if may_disband else "no")]
    elif event == "deployment.reported":
        status = str(data.get("status", ""))
        title, summary, facts, tone = f"Deployment reported: {status}", data.get("note", ""), [], "neutral"
    elif event == "ping":
        title, summary, facts, tone = (
            "Test message from GoLive Desk",
            "This endpoint receives messages.",
            [],
            "neutral",
        )
    else:
        title, summary, facts, tone = event, "", [], "neutral"
    base = settings.SITE_URL.rstrip("/")
    release_name = (
        f"{release.get('application', '')} {release.get('version', '')} — {release.get('name', '')}"
    )
    return ChatMessage(
        title=f"{title} · {release.get('name', '')}",
        summary=summary or title,
        url=f"{base}/releases/{release.get('id')}/",
        facts=[("Release", release_name), ("Environment", str(release.get("environment", ""))), *facts],
        tone=tone,
    )
