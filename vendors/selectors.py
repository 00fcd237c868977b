"""Reads of the vendor ledger for pages: each in one query."""

from django.db.models import Count, Q

from golive.models import Release
from vendors.models import UNACKNOWLEDGED_VENDOR, VendorEngagement


def vendors_of(release: Release) -> list[VendorEngagement]:
    """The release's vendors by name, with who recorded each acknowledgement."""
    return list(
        VendorEngagement.objects.filter(release=release).select_related("acknowledgement_recorded_by")
    )


def vendor_summary(release: Release) -> dict[str, int]:
    """How many vendors are on the ledger and how many have not acknowledged yet."""
    return VendorEngagement.objects.filter(release=release).aggregate(
        total=Count("pk"), awaiting=Count("pk", filter=Q(UNACKNOWLEDGED_VENDOR))
    )


def release_page_part(release: Release) -> dict:
    """The release page's vendor card."""
    return {"vendors": vendor_summary(release)}
