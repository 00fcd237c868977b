"""The audit pack: one ZIP per release with a printable summary and CSVs an auditor can open."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from golive.choices import ReleaseStatus, Role
from golive.models import Communication, Release
from golive.models.communications import CommunicationKind, CommunicationStatus
from golive.services.meetings import cast_vote, close_voting, open_voting, schedule_meeting
from handover.choices import ItemStatus, TeamKind
from handover.models import HandoverItem, HandoverPlan, SignOff, SupportTeam
from smoketests.choices import MonitorState, Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, MonitorResult, SmokeCheck, SmokeRun
from tests.conftest import ROLE_USERNAMES

EXPECTED_FILES = {
    "index.html",
    "decisions.csv",
    "votes.csv",
    "runbook_timeline.csv",
    "smoke_run_results.csv",
    "monitor_summaries.csv",
    "communications_sent.csv",
    "handover_items.csv",
    "handover_signoffs.csv",
}


@pytest.fixture
def audited_release(go_release, members):
    """A release decided GO in a real meeting, with a run, a monitor, a message and a signed handover."""
    manager, owner = members[Role.RELEASE_MANAGER], members[Role.PRODUCT_OWNER]
    Release.objects.filter(pk=go_release.pk).update(status=ReleaseStatus.GONOGO_SCHEDULED)
    go_release.refresh_from_db()
    meeting = schedule_meeting(
        release=go_release, actor=manager, scheduled_at=timezone.now(), chair=manager, invitees=[owner]
    )
    open_voting(meeting=meeting, actor=manager)
    cast_vote(meeting=meeting, user=manager, choice="go")
    cast_vote(meeting=meeting, user=owner, choice="no_go", reason="The banner typo")
    cast_vote(meeting=meeting, user=owner, choice="go")
    close_voting(meeting=meeting, actor=manager, rationale="Everyone agreed")

    check = SmokeCheck.objects.create(
        release=go_release, name="GET /login", url="https://portal.example.com/login"
    )
    run = SmokeRun.objects.create(release=go_release, status=RunStatus.FAILED)
    CheckResult.objects.create(
        run=run,
        smoke_check=check,
        check_name=check.name,
        outcome=Outcome.FAILED,
        http_status=503,
        latency_ms=812,
    )
    monitor = Monitor.objects.create(
        release=go_release, smoke_check=check, state=MonitorState.UP, next_due_at=timezone.now()
    )
    for minutes, outcome in [
        (1, Outcome.PASSED),
        (2, Outcome.PASSED),
        (3, Outcome.PASSED),
        (4, Outcome.FAILED),
    ]:
        MonitorResult.objects.create(
            monitor=monitor,
            scheduled_for=timezone.now() - timedelta(minutes=minutes),
            outcome=outcome,
            latency_ms=100,
        )
    Communication.objects.create(
        release=go_release,
        kind=CommunicationKind.GO_DECISION,
        audiences=["stakeholders"],
        subject="Portal 4.2 goes live tonight",
        body="We go at 22:00.",
        recipients=["stakeholder@example.com"],
        status=CommunicationStatus.SENT,
        sent_at=timezone.now(),
    )
    Communication.objects.create(
        release=go_release, kind=CommunicationKind.GO_DECISION, subject="Draft never sent", body="…"
    )
    support = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Service desk", kind=TeamKind.SERVICE_DESK, lead=support)
    plan = HandoverPlan.objects.create(release=go_release)
    plan.teams.add(team)
    HandoverItem.objects.create(
        plan=plan,
        title="Runbook for the night shift",
        receiving_team=team,
        status=ItemStatus.ACCEPTED,
        due_date=timezone.localdate(),
    )
    SignOff.objects.create(plan=plan, team=team, signed_by=support, typed_name="Sofia Support")
    return go_release


def _pack(client, release) -> zipfile.ZipFile:
    response = client.get(reverse("golive:audit_pack", args=[release.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-pack-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def _rows(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode())))


def test_the_pack_holds_every_record_kind(audited_release, members, client_for):
    archive = _pack(client_for(members[Role.STAKEHOLDER]), audited_release)
    names = set(archive.namelist())
    assert names >= EXPECTED_FILES
    snapshots = [name for name in names if name.startswith("snapshots/")]
    assert len(snapshots) == 1

    decisions = _rows(archive, "decisions.csv")
    assert [(row["Outcome"], row["Rationale"]) for row in decisions] == [("GO", "Everyone agreed")]
    assert decisions[0]["Snapshot file"] == snapshots[0]
    snapshot = json.loads(archive.read(snapshots[0]))
    assert isinstance(snapshot, dict) and snapshot

    votes = {row["Participant"]: row for row in _rows(archive, "votes.csv")}
    assert len(votes) == 2
    assert {row["Vote"] for row in votes.values()} == {"Go"}
    assert all(row["Cast at"] and row["Last changed at"] for row in votes.values())

    steps = _rows(archive, "runbook_timeline.csv")
    assert [row["Step"] for row in steps] == ["Stop the batch jobs", "Migrate the database", "Switch traffic"]
    assert steps[1]["Point of no return"] == "yes"

    results = _rows(archive, "smoke_run_results.csv")
    assert [(row["Check"], row["Outcome"], row["HTTP status"]) for row in results] == [
        ("GET /login", "Failed", "503")
    ]
    monitors = _rows(archive, "monitor_summaries.csv")
    assert (monitors[0]["Checks completed"], monitors[0]["Uptime (%)"]) == (
        "4",
        "75.00",
    )  # the one uptime figure, two decimals

    sent = _rows(archive, "communications_sent.csv")
    assert [row["Subject"] for row in sent] == ["Portal 4.2 goes live tonight"]

    items = _rows(archive, "handover_items.csv")
    assert [(row["Item"], row["Status"]) for row in items] == [("Runbook for the night shift", "Accepted")]
    signoffs = _rows(archive, "handover_signoffs.csv")
    assert [(row["Team"], row["Typed name"], row["Still valid"]) for row in signoffs] == [
        ("Service desk", "Sofia Support", "yes")
    ]


def test_the_printable_summary_names_the_release_and_repeats_the_tables(audited_release, members, client_for):
    archive = _pack(client_for(members[Role.STAKEHOLDER]), audited_release)
    summary = archive.read("index.html").decode()
    assert f"Audit pack: {audited_release.name}" in summary
    assert "GO on" in summary and "Everyone agreed" in summary
    assert "Portal 4.2 goes live tonight" in summary
    assert "Draft never sent" not in summary
    assert "Sofia Support" in summary


@pytest.mark.parametrize("role", list(ROLE_USERNAMES))
def test_every_member_may_download_it(role, release, members, client_for):
    archive = _pack(client_for(members[role]), release)
    assert set(archive.namelist()) >= EXPECTED_FILES
    assert _rows(archive, "decisions.csv") == []
