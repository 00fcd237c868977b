from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import record_event
from golive.models import Release
from handover.models import SupportTeam
from handover.permissions import require_project_side


@transaction.atomic
def create_team(
    *,
    release: Release,
    actor: AbstractBaseUser,
    name: str,
    kind: str,
    lead,
    members=(),
    description: str = "",
) -> SupportTeam:
    """A new support team, created from a release's handover page. Teams live on across releases."""
    require_project_side(actor, release, "create support teams")
    team = SupportTeam(name=name, kind=kind, lead=lead, description=description)
    team.full_clean()
    team.save()
    team.members.set({lead, *members})
    record_event(
        verb="support_team.created",
        actor=actor,
        target=team,
        release=release,
        data={
            "kind": team.get_kind_display(),
            "lead": lead.get_username(),
            "members": sorted(m.get_username() for m in team.members.all()),
        },
    )
    return team
