"""Team-level rules on top of golive.permissions.

The release decides who sees the handover at all (members only, strangers get 404) and who works on it
for the project (Action.MANAGE_HANDOVER). A support team decides what only it may do: its lead agrees
the list for the team; its members accept or reject items, verify access and sign off. Nobody acts for
another team. Site staff may do everything, as everywhere else.
"""

from django.core.exceptions import PermissionDenied

from golive.choices import Role
from golive.models import Release
from golive.permissions import Action, can, roles_on
from handover.models import SupportTeam

_TEAM_CACHE = "_handover_team_ids"


def _team_ids(user) -> tuple[set[int], set[int]]:
    """(ids of teams the user is a member of, ids of teams the user leads), remembered for the request."""
    if _TEAM_CACHE not in user.__dict__:
        member_of = set(user.support_teams.values_list("pk", flat=True))
        leads = set(SupportTeam.objects.filter(lead=user).values_list("pk", flat=True))
        user.__dict__[_TEAM_CACHE] = (member_of | leads, leads)
    return user.__dict__[_TEAM_CACHE]


def is_team_member(user, team: SupportTeam) -> bool:
    """Members and the lead count as the team."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or team.pk in _team_ids(user)[0]


def is_team_lead(user, team: SupportTeam) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or team.pk in _team_ids(user)[1]


def can_manage_handover(user, release: Release) -> bool:
    return can(user, release, Action.MANAGE_HANDOVER)


def is_release_manager(user, release: Release) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_staff or Role.RELEASE_MANAGER in roles_on(user, release)


def require_team_member(user, team: SupportTeam, doing: str) -> None:
    if not is_team_member(user, team):
        raise PermissionDenied(f"Only members of {team.name} may {doing}.")


def require_team_lead(user, team: SupportTeam, doing: str) -> None:
    if not is_team_lead(user, team):
        raise PermissionDenied(f"Only the lead of {team.name} may {doing}.")


def require_project_side(user, release: Release, doing: str) -> None:
    if not can_manage_handover(user, release):
        raise PermissionDenied(
            f"Only the project team (release manager, product owner, scrum team) may {doing}."
        )


def require_release_manager(user, release: Release, doing: str) -> None:
    if not is_release_manager(user, release):
        raise PermissionDenied(f"Only the release manager may {doing}.")
