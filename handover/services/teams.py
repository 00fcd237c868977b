from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import record_event
from golive.models import Release
from handover.models import SupportTeam
from handover.permissions import require_handover


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
    require_handover(actor, "create_support_team", release)
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
            "kind": team.kind,
            "kind_label": team.get_kind_display(),
            "lead": lead.get_username(),
            "members": sorted(m.get_username() for m in team.members.all()),
        },
    )
    return team


@transaction.atomic
def update_team_members(
    *, team: SupportTeam, actor: AbstractBaseUser, release: Release, members
) -> SupportTeam:
    """Only the team's lead changes who is in the team: membership is what lets someone accept items
    and sign off for it, so the project team must not be able to add itself."""
    require_handover(actor, "change_team_members", team)
    before = set(team.members.all())
    after = {team.lead, *members}
    team.members.set(after)
    if before != after:
        record_event(
            verb="support_team.members_changed",
            actor=actor,
            target=team,
            release=release,
            changes={
                "members": [
                    sorted(user.get_username() for user in before),
                    sorted(user.get_username() for user in after),
                ]
            },
        )
    return team
