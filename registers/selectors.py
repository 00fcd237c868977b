"""What other apps may read from the registers."""

from golive.models import Release
from registers.models import Risk


def open_contingencies(release: Release) -> list[Risk]:
    """The release's open risks that have a contingency plan, highest score first."""
    return list(Risk.objects.filter(release=release).open().exclude(contingency="").order_by("-score"))
