"""Every CSV file the product writes goes through here.

Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return before one) as a
formula, so a stored title such as ``=HYPERLINK(…)`` could act when an auditor opens the file. Such cells
are written with a leading apostrophe, which spreadsheets show as text; plain numbers stay numbers.
"""

import csv
import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def _needs_mark(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return not _PLAIN_NUMBER.fullmatch(text)
    # An apostrophe already in front of a formula is marked too, so reading a cell back is exact.
    return text.startswith(TEXT_MARK) and text[1:].startswith(FORMULA_STARTS)


def spreadsheet_cell(value):
    """The value as it may safely stand in a CSV cell; non-text values are left to the csv module."""
    if isinstance(value, str) and _needs_mark(value):
        return TEXT_MARK + value
    return value


def read_spreadsheet_cell(text: str) -> str:
    """The stored text of a cell written by spreadsheet_cell (undoes its mark)."""
    if text.startswith(TEXT_MARK) and _needs_mark(text[1:]):
        return text[1:]
    return text


class SpreadsheetWriter:
    """csv.writer whose every cell goes through spreadsheet_cell."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
