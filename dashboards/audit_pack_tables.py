"""One table of the audit pack: a CSV file in the ZIP and a section of the printable summary."""

import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.utils import timezone

from golive.spreadsheet import SpreadsheetWriter

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
