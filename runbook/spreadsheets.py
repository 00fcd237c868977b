"""The runbook as CSV, so a team can carry its plan from one release to the next.

Import is all or nothing: every row is checked first, and the first bad row is named in the message.
"""

import csv
import io
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone

from golive.models import Release
from golive.spreadsheet import SpreadsheetWriter, read_spreadsheet_cell
from runbook.forms import StepForm
from runbook.models import GoLiveStep, StepKind
from runbook.services.plan import add_step, set_step_dependencies

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
    "operational",
]
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n", ""}
MAX_ROWS = 500
MAX_ORDER = 1_000_000
DEFAULT_DURATION_MINUTES = GoLiveStep._meta.get_field("planned_duration_minutes").default
ASCII_NUMBER = re.compile(r"^[0-9]{1,7}$")
UNSHOWABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def runbook_rows(release: Release) -> list[dict]:
    """The release's steps as CSV rows (column → value), in runbook order."""
    steps = (
        release.steps.select_related("owner")
        .prefetch_related("shadows", "depends_on")
        .order_by("order", "pk")
    )
    return [
        {
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
            "operational": "yes" if step.operational else "no",
        }
        for step in steps
    ]


def write_runbook(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = SpreadsheetWriter(buffer)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[column] for column in COLUMNS])
    return buffer.getvalue()


def export_runbook(release: Release) -> str:
    return write_runbook(runbook_rows(release))


def _row_error(number: int, message: str) -> ValidationError:
    return ValidationError(f"Row {number}: {message} Nothing was imported.")


def _shown(value: str) -> str:
    """A cell as the message quotes it: short, and without characters that could not be shown or stored."""
    value = UNSHOWABLE.sub("\ufffd", value)
    return value if len(value) <= 40 else value[:40] + "…"


class RunbookRowOrderForm(forms.Form):
    """A row's place in the file, which its own dependencies refer to (steps are renumbered on import)."""

    order = forms.IntegerField(min_value=1, max_value=MAX_ORDER)


def _first_error(number: int, form: forms.Form, row: dict) -> ValidationError:
    """The form's first complaint as a row error, quoting the cell it is about."""
    column, messages = next(iter(form.errors.items()))
    value = row.get(column, "")
    if column == NON_FIELD_ERRORS:
        return _row_error(number, " ".join(messages))
    quoted = f"{column} “{_shown(value)}”" if value else column
    return _row_error(number, f"{quoted}: {' '.join(messages)}")


def _names(cell: str) -> list[str]:
    return [name.strip() for name in cell.split(";") if name.strip()]


def _step_form(release: Release, row: dict, *, point_of_no_return: bool, operational: bool) -> StepForm:
    """The step form, bound to a row: the one definition of a valid step judges an imported one too.

    People are named by username in the file; dependencies are checked by the importer, as they name
    orders of the file's own rows rather than existing steps.
    """
    form = StepForm(
        {
            "title": row.get("title", ""),
            "instructions": row.get("instructions", ""),
            "owner": row.get("owner", ""),
            "shadows": _names(row.get("shadows", "")),
            "planned_start": row.get("planned_start", ""),
            "planned_duration_minutes": row.get("planned_duration_minutes") or DEFAULT_DURATION_MINUTES,
            "depends_on": [],
            "kind": row.get("kind") or StepKind.MANUAL,
            "message_kind": row.get("message_kind", ""),
            "point_of_no_return": point_of_no_return,
            "operational": operational,
            "rollback_note": row.get("rollback_note", ""),
        },
        release=release,
    )
    for name in ("owner", "shadows"):
        form.fields[name].to_field_name = get_user_model().USERNAME_FIELD
    return form


def _parse_row(release: Release, number: int, row: dict) -> dict:
    order_form = RunbookRowOrderForm({"order": row.get("order", "")})
    if not order_form.is_valid():
        raise _first_error(number, order_form, row)
    flags = {}
    for column in ("point_of_no_return", "operational"):
        flag = row.get(column, "").lower()
        if flag not in _TRUE | _FALSE:
            raise _row_error(number, f"{column} “{_shown(flag)}” is not yes or no.")
        flags[column] = flag in _TRUE
    dependencies = _names(row.get("depends_on", ""))
    if not all(ASCII_NUMBER.match(value) for value in dependencies):
        raise _row_error(number, "depends_on must list step orders separated by “;”.")
    form = _step_form(release, row, **flags)
    if not form.is_valid():
        raise _first_error(number, form, row)
    step = dict(form.cleaned_data)
    del step["depends_on"]
    step["shadows"] = list(step["shadows"])
    return {
        "number": number,
        "order": order_form.cleaned_data["order"],
        "depends_on": [int(value) for value in dependencies],
        "step": step,
    }


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
    rows, orders = [], set()
    for number, raw in _rows(text):
        if number - 1 > MAX_ROWS:
            raise ValidationError(f"A runbook CSV may have at most {MAX_ROWS} steps. Nothing was imported.")
        row = {
            key: read_spreadsheet_cell(value or "").strip()
            for key, value in raw.items()
            if isinstance(key, str)
        }
        parsed = _parse_row(release, number, row)
        if parsed["order"] in orders:
            raise _row_error(number, f"order {parsed['order']} appears twice.")
        orders.add(parsed["order"])
        rows.append(parsed)
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
            step = add_step(release=release, actor=actor, order=offset + len(created) + 1, **row["step"])
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
