"""What the release pages show of each feature app: its part of the release page, and its warnings about
a date chosen for the release.

The core knows no feature app. Each one that has something to show contributes a function from its
AppConfig.ready(), as models register with the admin. A part, given the release, returns the template
context it adds, in a fixed number of queries; a date warning, given the release, a moment and what that
moment is ("target go-live"), returns a sentence or an empty string.
"""

from collections.abc import Callable
from datetime import datetime

from golive.models import Release

ReleasePagePart = Callable[[Release], dict]
DateWarning = Callable[..., str]

_parts: list[ReleasePagePart] = []
_date_warnings: list[DateWarning] = []


def contribute(part: ReleasePagePart) -> None:
    if part not in _parts:
        _parts.append(part)


def warn_about_dates(warning: DateWarning) -> None:
    if warning not in _date_warnings:
        _date_warnings.append(warning)


def feature_parts(release: Release) -> dict:
    context: dict = {}
    for part in _parts:
        context.update(part(release))
    return context


def date_warnings(*, release: Release, moment: datetime, what: str) -> list[str]:
    warnings = (warning(release=release, moment=moment, what=what) for warning in _date_warnings)
    return [text for text in warnings if text]
