"""The vendor ledger part of the demo (called by `manage.py load_demo`): Pega Global Client Support
informed and acknowledged, the hosting provider informed and not answered yet.

Idempotent: nothing is added when the release already has vendors on its ledger.
"""

from datetime import timedelta

from django.utils import timezone

from golive.models import Release
from vendors.models import VendorEngagement
from vendors.services.ledger import acknowledge_vendor, record_vendor


def load_vendor_demo(*, release: Release, users: dict) -> bool:
    if VendorEngagement.objects.filter(release=release).exists():
        return False
    manager = users["manager"]
    now = timezone.now().replace(second=0, microsecond=0)
    pega = record_vendor(
        release=release,
        actor=manager,
        vendor="Pegasystems Global Client Support",
        case_number="INC-B41027",
        informed_at=now - timedelta(days=6),
        shared="Go-live plan and deployment window, the runbook export, the product rule set versions "
        "and the post-go-live hypercare schedule.",
        on_call_contact="Priya Nair, Pega GCS duty engineer — +1 617 555 0142, via the case",
    )
    acknowledge_vendor(
        engagement=pega,
        actor=manager,
        acknowledged_at=now - timedelta(days=5, hours=3),
        acknowledgement_note="Case accepted; a GCS engineer is on call for the deployment window and the "
        "first 48 hours of hypercare.",
    )
    record_vendor(
        release=release,
        actor=manager,
        vendor="Northwind Cloud Hosting support",
        case_number="NW-88213",
        informed_at=now - timedelta(days=2),
        shared="Deployment window and the expected traffic peak after the marketing e-mail.",
        on_call_contact="",
    )
    return True
