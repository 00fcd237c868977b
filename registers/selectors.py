"""What other apps may read from the registers."""

from django.db.models import QuerySet

from golive.models import Release
from registers.models import Defect, Risk


def open_contingencies(release: Release) -> list[Risk]:
    """The release's open risks that have a contingency plan, highest score first."""
    return list(Risk.objects.filter(release=release).open().exclude(contingency="").order_by("-score"))


def open_risks(release: Release) -> list[Risk]:
    """The release's open risks with their owners, highest score first."""
    return list(Risk.objects.filter(release=release).open().select_related("owner").order_by("-score", "pk"))


def open_defects(release: Release) -> list[Defect]:
    """The release's open defects, most severe first, then newest."""
    return list(Defect.objects.filter(release=release).open())


def blocking_defects_of(release_ids) -> list[Defect]:
    """The blocking defects of several releases, in one query."""
    return list(Defect.objects.filter(release_id__in=release_ids).blocking())


def high_risks_of(release_ids) -> list[Risk]:
    """The open high risks of several releases, in one query."""
    return list(Risk.objects.filter(release_id__in=release_ids).high())


def release_page_part(release: Release) -> dict:
    """The release page's risks and defects, and what blocks the go-live among them."""
    risks = list(Risk.objects.filter(release=release).select_related("owner").order_by("-score", "pk"))
    defects = list(Defect.objects.filter(release=release).select_related("owner").order_by("severity", "pk"))
    blocking_risks = [risk for risk in risks if risk.is_blocking]
    blocking_defects = [defect for defect in defects if defect.is_blocking]
    return {
        "risks": risks,
        "defects": defects,
        "blocking_risks": blocking_risks,
        "blocking_defects": blocking_defects,
        "blocker_count": len(blocking_risks) + len(blocking_defects),
        "open_risk_count": sum(1 for risk in risks if risk.is_open),
        "open_defect_count": sum(1 for defect in defects if defect.is_open),
    }


def release_defects(release: Release) -> QuerySet[Defect]:
    """Every defect of the release, open or not, most severe first: a production issue may name any."""
    return Defect.objects.filter(release=release).order_by("severity", "pk")


def release_risks(release: Release) -> QuerySet[Risk]:
    """Every risk of the release, highest score first."""
    return Risk.objects.filter(release=release).order_by("-score", "pk")
