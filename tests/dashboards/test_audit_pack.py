"""The audit pack: one ZIP per release with a printable summary and CSVs an auditor can open."""

import csv
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from communications.models import Communication, CommunicationKind, CommunicationStatus
from dashboards.audit_pack import build_audit_pack
from golive.choices import ReleaseStatus, Role
from golive.models import AuditEvent, Release
from gonogo.services.decisions import close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.votes import cast_vote
from handover.choices import DocumentKind, DocumentStatus, ItemStatus, TeamKind
from handover.models import HandoverItem, HandoverPlan, SignOff, SupportTeam
from handover.services.access import create_access_transfer, grant_access
from handover.services.documents import update_document
from handover.services.plans import create_plan
from handover.services.training import create_training_session, record_session_held
from runbook.services.execution import complete_step, fail_step, retry_step, skip_step, start_step
from smoketests.choices import MonitorState, Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, MonitorResult, SmokeCheck, SmokeRun
from tests.conftest import ROLE_USERNAMES

EXPECTED_FILES = {
    "index.html",
    "audit_trail.csv",
    "audit_trail.json",
    "decisions.csv",
    "votes.csv",
    "runbook_steps.csv",
    "runbook_timeline.csv",
    "access_ledger.csv",
    "training_sessions.csv",
    "document_versions.csv",
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
    response = client.get(reverse("dashboards:audit_pack", args=[release.pk]))
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

    steps = _rows(archive, "runbook_steps.csv")
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


def test_the_timeline_shows_a_failed_step_and_its_retry(go_release, members, client_for):
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    first = go_release.steps.get(order=1)
    start_step(step=first, actor=dev)
    fail_step(step=first, actor=dev, note="The scheduler did not stop")
    retry_step(step=first, actor=manager)
    complete_step(step=first, actor=dev)
    second = go_release.steps.get(order=2)
    skip_step(step=second, actor=manager, reason="Nothing to migrate this time")

    archive = _pack(client_for(members[Role.STAKEHOLDER]), go_release)
    timeline = _rows(archive, "runbook_timeline.csv")
    assert [(row["Step"], row["Transition"], row["From"], row["To"], row["By"]) for row in timeline] == [
        ("Stop the batch jobs", "started", "Pending", "In progress", "dev"),
        ("Stop the batch jobs", "failed", "In progress", "Failed", "dev"),
        ("Stop the batch jobs", "retried", "Failed", "Pending", "manager"),
        ("Stop the batch jobs", "started", "Pending", "In progress", "manager"),
        ("Stop the batch jobs", "done", "In progress", "Done", "dev"),
        ("Migrate the database", "skipped", "Pending", "Skipped", "manager"),
    ]
    assert timeline[1]["Note"] == "The scheduler did not stop"
    assert timeline[5]["Note"] == "Nothing to migrate this time"
    assert all(row["At"] for row in timeline)
    assert [row["Order"] for row in timeline] == ["1", "1", "1", "1", "1", "2"]

    summary = archive.read("index.html").decode()
    timeline_section = summary.split('id="runbook_timeline.csv"')[1].split("</table>")[0]
    assert timeline_section.count("<tr>") == 1 + 6  # the header and every transition
    assert "failed" in timeline_section and "retried" in timeline_section


def test_the_audit_trail_is_in_the_pack_as_csv_and_json(go_release, members, client_for):
    manager = members[Role.RELEASE_MANAGER]
    start_step(step=go_release.steps.get(order=1), actor=members[Role.SCRUM_TEAM])
    archive = _pack(client_for(members[Role.STAKEHOLDER]), go_release)
    recorded = list(AuditEvent.objects.filter(release=go_release).order_by("created_at", "pk"))
    assert len(recorded) > 5

    trail = json.loads(archive.read("audit_trail.json"))
    assert [event["id"] for event in trail] == [event.pk for event in recorded]
    move = next(event for event in trail if event["verb"] == "release.status_changed")
    assert move["changes"] == {"status": ["go", "deploying"]}
    assert move["labels"] == {"status": ["Go", "Deploying"]}
    assert move["actor"] == "dev" and move["target_type"] == "golive.release"
    assert move["created_at"] == recorded[[e.pk for e in recorded].index(move["id"])].created_at.isoformat()

    rows = _rows(archive, "audit_trail.csv")
    assert [int(row["Event"]) for row in rows] == [event.pk for event in recorded]
    row = next(row for row in rows if row["What"] == "release.status_changed")
    assert row["Changes"] == "status: Go → Deploying"
    assert json.loads(row["Changes (stored values)"]) == {"status": ["go", "deploying"]}
    assert manager.username in {row["Who"] for row in rows}


@pytest.fixture
def handover_records(go_release, members):
    """An access line granted, a training held, a document in two versions, all through the services."""
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind=TeamKind.APPLICATIONS, lead=support)
    team.members.add(support)
    plan = create_plan(release=go_release, actor=manager, teams=[team])
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Admin console",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=team,
        credential_location="kv/portal/admin",
    )
    grant_access(access=access, actor=manager)
    session = create_training_session(
        plan=plan,
        actor=manager,
        topic="Restarting the batch",
        trainer="Dana Developer",
        team=team,
        scheduled_for=timezone.now() - timedelta(hours=2),
        invited=[support],
    )
    record_session_held(session=session, actor=manager, attended=[support])
    manual = plan.documents.get(kind=DocumentKind.IMPLEMENTATION_PLAN)
    for version in ("1.0", "1.1"):
        update_document(
            document=manual,
            actor=manager,
            link=f"https://docs.example.com/ops/{version}",
            version=version,
            status=DocumentStatus.DRAFT,
        )
    return go_release


def test_access_training_and_document_versions_are_in_the_pack(handover_records, members, client_for):
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    archive = _pack(client_for(members[Role.STAKEHOLDER]), handover_records)
    ledger = _rows(archive, "access_ledger.csv")
    assert [(row["System"], row["Receiving team"], row["Status"], row["Granted by"]) for row in ledger] == [
        ("Admin console", "Application support", "Granted", manager.get_full_name())
    ]
    assert ledger[0]["Where the credential is kept"] == "kv/portal/admin"
    assert (ledger[0]["Project access kept because"], ledger[0]["Verification re-confirmed at"]) == ("", "")
    training = _rows(archive, "training_sessions.csv")
    assert [(row["Topic"], row["Invited"], row["Attended"]) for row in training] == [
        ("Restarting the batch", support.get_full_name(), support.get_full_name())
    ]
    assert training[0]["Held at"]
    versions = [
        row for row in _rows(archive, "document_versions.csv") if row["Document"] == "Implementation Plan"
    ]
    assert [(row["Version"], row["Link"], row["Recorded by"]) for row in versions] == [
        ("1.0", "https://docs.example.com/ops/1.0", "manager"),
        ("1.1", "https://docs.example.com/ops/1.1", "manager"),
    ]
    summary = archive.read("index.html").decode()
    assert "Admin console" in summary and "Restarting the batch" in summary


def test_the_summary_is_readable_without_python_data(audited_release, members, client_for):
    archive = _pack(client_for(members[Role.STAKEHOLDER]), audited_release)
    summary = archive.read("index.html").decode()
    for python_repr in ("{&#x27;", "[&#x27;", "{'", "['", "datetime.", "None<", ">None", "True<", "False<"):
        assert python_repr not in summary, python_repr
    assert "Decision rule" in summary and "Votes at the decision" in summary
    assert 'id="audit_trail.csv"' in summary


def test_the_query_count_does_not_grow_with_the_trail(handover_records, members):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            build_audit_pack(handover_records, now=timezone.now())
        return len(captured.captured_queries)

    before = queries()
    manager, dev = members[Role.RELEASE_MANAGER], members[Role.SCRUM_TEAM]
    first = handover_records.steps.get(order=1)
    start_step(step=first, actor=dev)
    fail_step(step=first, actor=dev, note="Again")
    retry_step(step=first, actor=manager)
    plan = HandoverPlan.objects.get(release=handover_records)
    for number in range(3):
        create_training_session(
            plan=plan, actor=manager, topic=f"Topic {number}", trainer="Dana", scheduled_for=timezone.now(),
            invited=[members[Role.PRODUCTION_SUPPORT]],
        )  # fmt: skip
    assert queries() == before


def test_a_long_table_is_printed_in_part_and_says_so(go_release, members, client_for, monkeypatch):
    monkeypatch.setattr("dashboards.audit_pack_tables.PRINTED_ROWS_PER_TABLE", 3)
    archive = _pack(client_for(members[Role.STAKEHOLDER]), go_release)
    events = AuditEvent.objects.filter(release=go_release).count()
    assert len(_rows(archive, "audit_trail.csv")) == events > 3
    summary = archive.read("index.html").decode()
    trail_section = summary.split('id="audit_trail.csv"')[1]
    assert trail_section.split("</table>")[0].count("<tr>") == 1 + 3
    assert f"The first 3 of {events} rows are printed here" in trail_section
