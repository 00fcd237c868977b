"""What freezes publishes for the apps beside and above it: the windows in force, a picker's freeze warning,
and the overrides recorded."""

from freezes.models import FreezeOverride
from freezes.views import warn_if_frozen
from freezes.windows import FreezeOccurrence, announced_for_application, freezes_in_force


def overrides_recorded_since(release, moment) -> list[FreezeOverride]:
    """The freeze overrides recorded for the release from `moment` on, with their windows and recorders."""
    return list(
        FreezeOverride.objects.filter(release=release, recorded_at__gte=moment).select_related(
            "window", "recorded_by"
        )
    )


__all__ = [
    "FreezeOccurrence",
    "announced_for_application",
    "freezes_in_force",
    "overrides_recorded_since",
    "warn_if_frozen",
]
