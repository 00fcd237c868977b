"""The disband guard in the demo (called by `manage.py load_demo`): the production database's access is
verified by one holder of Infrastructure operations only — a bus factor of one — and the project's own DBA
account is kept on purpose, with the reason.

Idempotent: nothing changes once the database access is verified.
"""

from golive.models import Release
from handover.choices import AccessStatus
from handover.models import AccessTransfer
from handover.services.access import grant_access, keep_project_access, verify_access

KEPT_REASON = (
    "The project DBA account stays as the vendor's escalation route until the 90-day warranty ends; "
    "Infrastructure operations reviews it at the warranty review."
)


def load_disband_demo(*, release: Release, users: dict) -> bool:
    """Returns True when the demo's disband state was set up now, False when it was already there."""
    access = (
        AccessTransfer.objects.current()
        .filter(plan__release=release, system="Production database")
        .select_related("plan__release", "receiving_team")
        .first()
    )
    if access is None or access.status != AccessStatus.REQUESTED:
        return False
    manager = users["manager"]
    ops = access.receiving_team.lead
    access = grant_access(access=access, actor=manager)
    access = verify_access(access=access, actor=ops)
    keep_project_access(access=access, actor=manager, reason=KEPT_REASON)
    return True
