"""The runbook as CSV, so a team can carry its plan from one release to the next.

Import is all or nothing: every row is checked first, and the first bad row is named in the message.
"""

import csv
import io
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.models import GoLiveStep, Release, StepKind
from golive.services.runbook_plan import add_step, set_step_dependencies
from golive.spreadsheet import SpreadsheetWriter, read_spreadsheet_cell
from golive.widgets import DateTimeInput

COLUMNS = [
    "order",
    "title",
    "instructions",
    "owner",
    "shadows",
    "planned_start",
    "planned_duration_minutes",
    "depends_on",
    "rollback_note",
    "kind",
    "point_of_no_return",
    "message_kind",
]
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}
MAX_ROWS = 500
MAX_ORDER = 1_000_000
DEFAULT_DURATION_MINUTES = 15
MAX_DURATION_MINUTES = 2**31 - 1  # the column's range
ASCII_NUMBER = re.compile(r"^[0-9]{1,7}$")
UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def export_runbook(release: Release) -> str:
    buffer = io.StringIO()
    writer = SpreadsheetWriter(buffer)
    writer.writerow(COLUMNS)
    steps = (
        release.steps.select_related("owner")
        .prefetch_related("shadows", "depends_on")
        .order_by("order", "pk")
    )
    for step in steps:
        row = {
            "order": step.order,
            "title": step.title,
            "instructions": step.instructions,
            "owner": step.owner.get_username(),
            "shadows": ";".join(sorted(u.get_username() for u in step.shadows.all())),
            "planned_start": timezone.localtime(step.planned_start).isoformat() if step.planned_start else "",
            "planned_duration_minutes": step.planned_duration_minutes,
            "depends_on": ";".join(
                str(d.order) for d in sorted(step.depends_on.all(), key=lambda d: d.order)
            ),
            "rollback_note": step.rollback_note,
            "kind": step.kind,
            "point_of_no_return": "yes" if step.point_of_no_return else "no",
            "message_kind": step.message_kind,
        }
        writer.writerow([row[column] for column in COLUMNS])
    return buffer.getvalue()


def _row_error(number: int, message: str) -> ValidationError:
    return ValidationError(f"Row {number}: {message} Nothing was imported.")


def _shown(value: str) -> str:
    """A cell as the message quotes it: short, and without characters that could not be shown or stored."""
    value = UNSHOWABLE.sub("\ufffd", value)
    return value if len(value) <= 40 else value[:40] + "…"


class RunbookRowForm(forms.Form):
    """One row's typed cells, parsed and bounded like the step form's fields (years, lengths, numbers)."""

    order = forms.IntegerField(min_value=1, max_value=MAX_ORDER)
    title = forms.CharField(max_length=GoLiveStep._meta.get_field("title").max_length)
    instructions = forms.CharField(required=False, strip=False)
    planned_start = forms.DateTimeField(required=False, widget=DateTimeInput())
    planned_duration_minutes = forms.IntegerField(required=False, min_value=1, max_value=MAX_DURATION_MINUTES)
    rollback_note = forms.CharField(required=False, strip=False)
    kind = forms.ChoiceField(choices=StepKind.choices, required=False)


def _typed_cells(number: int, row: dict) -> dict:
    form = RunbookRowForm({name: row.get(name, "") for name in RunbookRowForm.base_fields})
    if not form.is_valid():
        column, messages = next(iter(form.errors.items()))
        value = row.get(column, "")
        quoted = f"{column} “{_shown(value)}”" if value else column
        raise _row_error(number, f"{quoted}: {' '.join(messages)}")
    return form.cleaned_data


def _rows(text: str):
    """(row number, row) for each data row; a CSV the reader cannot take apart is a row error too."""
    reader = csv.DictReader(io.StringIO(text))
    number = 1  # row 1 is the header
    try:
        missing = {"order", "title", "owner"} - set(reader.fieldnames or [])
        if missing:
            raise ValidationError(
                f"The CSV has no {', '.join(sorted(missing))} column. Nothing was imported."
            )
        for raw in reader:
            number += 1
            yield number, raw
    except csv.Error as error:
        raise _row_error(number + 1, f"the CSV cannot be read ({error}).") from None


def _parse_rows(release: Release, text: str) -> list[dict]:
    members = {
        user.get_username(): user
        for user in get_user_model().objects.filter(memberships__release=release).distinct()
    }
    rows, orders = [], set()
    for number, raw in _rows(text):
        if number - 1 > MAX_ROWS:
            raise ValidationError(f"A runbook CSV may have at most {MAX_ROWS} steps. Nothing was imported.")
        row = {
            key: read_spreadsheet_cell(value or "").strip()
            for key, value in raw.items()
            if isinstance(key, str)
        }
        cells = _typed_cells(number, row)
        order = cells["order"]
        if order in orders:
            raise _row_error(number, f"order {order} appears twice.")
        orders.add(order)
        if row["owner"] not in members:
            raise _row_error(number, f"owner “{_shown(row['owner'])}” is not a member of this release.")
        shadows = [name for name in row.get("shadows", "").split(";") if name.strip()]
        unknown = [name for name in shadows if name.strip() not in members]
        if unknown:
            raise _row_error(number, f"shadow “{_shown(unknown[0])}” is not a member of this release.")
        flag = row.get("point_of_no_return", "").lower()
        if flag not in _TRUE | _FALSE:
            raise _row_error(number, f"point_of_no_return “{_shown(flag)}” is not yes or no.")
        dependencies = [value.strip() for value in row.get("depends_on", "").split(";") if value.strip()]
        if not all(ASCII_NUMBER.match(value) for value in dependencies):
            raise _row_error(number, "depends_on must list step orders separated by “;”.")
        depends_on = [int(value) for value in dependencies]
        rows.append(
            {
                "number": number,
                "order": order,
                "title": cells["title"],
                "instructions": cells["instructions"],
                "owner": members[row["owner"]],
                "shadows": [members[name.strip()] for name in shadows],
                "planned_start": cells["planned_start"],
                "planned_duration_minutes": cells["planned_duration_minutes"] or DEFAULT_DURATION_MINUTES,
                "depends_on": depends_on,
                "rollback_note": cells["rollback_note"],
                "kind": cells["kind"] or StepKind.MANUAL,
                "point_of_no_return": flag in _TRUE,
                "message_kind": (row.get("message_kind") or "").strip(),
            }
        )
    for row in rows:
        for dependency in row["depends_on"]:
            if dependency not in orders:
                raise _row_error(row["number"], f"depends on step {dependency}, which is not in the file.")
    if not rows:
        raise ValidationError("The CSV has no steps. Nothing was imported.")
    return rows


@transaction.atomic
def import_runbook(*, release: Release, actor, text: str) -> list[GoLiveStep]:
    """Append the CSV's steps after the existing ones (its dependencies refer to its own orders)."""
    rows = _parse_rows(release, text)
    offset = release.steps.order_by("-order").values_list("order", flat=True).first() or 0
    created: dict[int, GoLiveStep] = {}
    for row in sorted(rows, key=lambda r: r["order"]):
        try:
            step = add_step(
                release=release,
                actor=actor,
                order=offset + len(created) + 1,
                title=row["title"],
                instructions=row["instructions"],
                owner=row["owner"],
                shadows=row["shadows"],
                planned_start=row["planned_start"],
                planned_duration_minutes=row["planned_duration_minutes"],
                rollback_note=row["rollback_note"],
                kind=row["kind"],
                point_of_no_return=row["point_of_no_return"],
                message_kind=row["message_kind"],
            )
        except ValidationError as error:
            raise _row_error(row["number"], " ".join(error.messages)) from None
        created[row["order"]] = step
    for row in sorted(rows, key=lambda r: r["order"]):
        if not row["depends_on"]:
            continue
        try:
            set_step_dependencies(
                step=created[row["order"]], actor=actor, depends_on=[created[o] for o in row["depends_on"]]
            )
        except ValidationError:
            # Each edge is checked as it is added, so the row that closes a cycle is the one named.
            raise _row_error(row["number"], "its dependencies make a cycle.") from None
    return list(created.values())
