"""What freezes publishes for the apps above it: the freeze windows in force for releases."""

from freezes.windows import FreezeOccurrence, freezes_in_force

__all__ = ["FreezeOccurrence", "freezes_in_force"]
