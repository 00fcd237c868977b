"""Handover's named predicates, registered in golive.permissions so one policy answers for every app.

The release decides who sees the handover at all (members only, strangers get 404) and who works on it
for the project (Action.MANAGE_HANDOVER). A support team decides what only it may do: its lead agrees
the list for the team; its members accept or reject items, verify access and sign off. Nobody acts for
another team. Whoever may do everything (golive.permissions.may_do_everything) may do it here too — except
check their own work.

Separation of duties is about the person, not the role: whoever delivered an item (or owns its delivery)
cannot accept it or agree its waiver for the receiving team, and whoever holds an access cannot verify
that it was handed over. Joining the receiving team, or doing everything, does not lift either rule.

Each predicate is registered by name ("team_member", "team_lead", "project_side", "release_manager",
"decides_for_team", "verifies_access"); the `doing` words only complete the refusal's sentence.
"""

from golive.choices import Role
from golive.models import Release
from golive.permissions import Action, NotAllowed, can, may_do_everything, predicate, roles_on
from handover.models import AccessTransfer, HandoverItem, SupportTeam

OWN_DELIVERY_RULE = (
    "Separation of duties: whoever delivered an item (or owns its delivery) cannot {doing} for the "
    "receiving team, even as a member of that team; another member of {team} must."
)
OWN_ACCESS_RULE = (
    "Separation of duties: the holder of an access cannot verify its transfer, even as a member of the "
    "receiving team; another member of {team} must."
)

_TEAM_CACHE = "_handover_team_ids"


def _team_ids(user) -> tuple[set[int], set[int]]:
    """(ids of teams the user is a member of, ids of teams the user leads), remembered for the request."""
    if _TEAM_CACHE not in user.__dict__:
        member_of = set(user.support_teams.values_list("pk", flat=True))
        leads = set(SupportTeam.objects.filter(lead=user).values_list("pk", flat=True))
        user.__dict__[_TEAM_CACHE] = (member_of | leads, leads)
    return user.__dict__[_TEAM_CACHE]


@predicate("team_member")
def is_team_member(user, team: SupportTeam) -> bool:
    """Members and the lead count as the team."""
    if not user.is_authenticated or not user.is_active:
        return False
    return team.pk in _team_ids(user)[0] or may_do_everything(user)


@predicate("team_lead")
def is_team_lead(user, team: SupportTeam) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return team.pk in _team_ids(user)[1] or may_do_everything(user)


@predicate("project_side")
def can_manage_handover(user, release: Release) -> bool:
    return can(user, release, Action.MANAGE_HANDOVER)


@predicate("release_manager")
def is_release_manager(user, release: Release) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Role.RELEASE_MANAGER in roles_on(user, release) or may_do_everything(user)


def require_team_member(user, team: SupportTeam, doing: str) -> None:
    if not is_team_member(user, team):
        raise NotAllowed(f"Only members of {team.name} may {doing}.")


def require_team_lead(user, team: SupportTeam, doing: str) -> None:
    if not is_team_lead(user, team):
        raise NotAllowed(f"Only the lead of {team.name} may {doing}.")


def require_project_side(user, release: Release, doing: str) -> None:
    if not can_manage_handover(user, release):
        raise NotAllowed(f"Only the project team (release manager, product owner, scrum team) may {doing}.")


def require_release_manager(user, release: Release, doing: str) -> None:
    if not is_release_manager(user, release):
        raise NotAllowed(f"Only the release manager may {doing}.")


def delivered_by(user, item: HandoverItem) -> bool:
    """The user delivered the item or owns its delivery: their own work."""
    return user.pk is not None and user.pk in (item.delivered_by_id, item.delivering_owner_id)


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def holds_access(user, access: AccessTransfer) -> bool:
    """The access's current holder (a name typed on the ledger) is this user."""
    holder = _words(access.current_holder)
    full_name = _words(user.get_full_name() or "")
    if holder in {full_name, _words(user.get_username())} - {""}:
        return True
    # "Dana Developer (contractor)" still names Dana Developer; a single first name is too vague.
    return len(full_name.split()) > 1 and f" {full_name} " in f" {holder} "


@predicate("decides_for_team")
def may_decide_for_team(user, item: HandoverItem) -> bool:
    """May accept the item, or agree its waiver, on the receiving team's side."""
    return is_team_member(user, item.receiving_team) and not delivered_by(user, item)


def require_decide_for_team(user, item: HandoverItem, doing: str) -> None:
    require_team_member(user, item.receiving_team, doing)
    if delivered_by(user, item):
        raise NotAllowed(OWN_DELIVERY_RULE.format(doing=doing, team=item.receiving_team.name))


@predicate("verifies_access")
def may_verify_access(user, access: AccessTransfer) -> bool:
    return is_team_member(user, access.receiving_team) and not holds_access(user, access)


def require_verify_access(user, access: AccessTransfer) -> None:
    require_team_member(user, access.receiving_team, "verify this access")
    if holds_access(user, access):
        raise NotAllowed(OWN_ACCESS_RULE.format(team=access.receiving_team.name))
