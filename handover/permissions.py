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
"decides_for_team", "verifies_access", "verified_this_access"). What a service may refuse is a named rule
in HANDOVER_RULES: the predicates that must hold, each with the sentence a refusal says, so a service
passes only the rule's name.
"""

from collections.abc import Callable
from dataclasses import dataclass

from golive.choices import Role
from golive.models import Release
from golive.permissions import PREDICATES, Action, NotAllowed, can, may_do_everything, predicate, roles_on
from handover.models import AccessTransfer, HandoverItem, HandoverPlan, SupportTeam

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


@predicate("verifies_access")
def may_verify_access(user, access: AccessTransfer) -> bool:
    return is_team_member(user, access.receiving_team) and not holds_access(user, access)


@predicate("verified_this_access")
def verified_this_access(user, access: AccessTransfer) -> bool:
    """The person who verified the access, still in its receiving team: re-confirming is personal, so
    whoever may do everything does not re-confirm for someone else."""
    if not user.is_authenticated or not user.is_active or access.verified_by_id is None:
        return False
    return user.pk == access.verified_by_id and is_team_member(user, access.receiving_team)


@dataclass(frozen=True)
class Check:
    """One predicate a rule needs, on the object `of` picks from the rule's object, and the sentence a
    refusal says (formatted with the rule's object as `obj`)."""

    predicate: str
    refusal: str
    of: Callable[[object], object] = lambda obj: obj


def _receiving_team(obj):
    return obj.receiving_team


def _project_side(doing: str, of=lambda obj: obj) -> Check:
    return Check(
        "project_side", f"Only the project team (release manager, product owner, scrum team) may {doing}.", of
    )


def _members_of_receiving_team(doing: str) -> Check:
    return Check("team_member", f"Only members of {{obj.receiving_team.name}} may {doing}.", _receiving_team)


def _own_delivery(doing: str) -> Check:
    return Check(
        "decides_for_team",
        f"Separation of duties: whoever delivered an item (or owns its delivery) cannot {doing} for the "
        "receiving team, even as a member of that team; another member of {obj.receiving_team.name} must.",
    )


def _plan_release(obj):
    """The release of a plan, or of the plan an entry (item, access, document, session) belongs to."""
    return obj.release if isinstance(obj, HandoverPlan) else obj.plan.release


# Every handover refusal, by rule name. A rule's object: the release for *_release rules, else the
# plan, team, item, access, document or session named.
HANDOVER_RULES: dict[str, tuple[Check, ...]] = {
    "create_support_team": (_project_side("create support teams"),),
    "change_team_members": (
        Check("team_lead", "Only the lead of {obj.name} may change the team's members."),
    ),
    "agree_list_for_team": (
        Check("team_lead", "Only the lead of {obj.name} may agree the handover list for the team."),
    ),
    "sign_off_for_team": (Check("team_member", "Only members of {obj.name} may sign off for the team."),),
    "create_plan": (_project_side("create the handover plan"),),
    "change_handover_list": (_project_side("change the handover list", _plan_release),),
    "change_plan": (_project_side("change the handover plan", _plan_release),),
    "reopen_plan": (
        Check("release_manager", "Only the release manager may reopen the handover.", _plan_release),
    ),
    "update_documents": (_project_side("update the required documents", _plan_release),),
    "record_access_transfer": (_project_side("record access transfers", _plan_release),),
    "change_access_transfer": (_project_side("change access transfers", _plan_release),),
    "record_access_granted": (_project_side("record that access was granted", _plan_release),),
    "record_access_revoked": (_project_side("record that project access was revoked", _plan_release),),
    "verify_access": (
        _members_of_receiving_team("verify this access"),
        Check(
            "verifies_access",
            "Separation of duties: the holder of an access cannot verify its transfer, even as a member of "
            "the receiving team; another member of {obj.receiving_team.name} must.",
        ),
    ),
    "keep_project_access": (
        Check(
            "release_manager",
            "Only the release manager may decide that the project team keeps its own access.",
            _plan_release,
        ),
    ),
    "reconfirm_access": (
        Check(
            "verified_this_access",
            "Only the member of {obj.receiving_team.name} who verified access to {obj.system} may "
            "re-confirm it: each holder confirms their own access.",
        ),
    ),
    "withdraw_entry": (_project_side("withdraw handover entries", _plan_release),),
    "plan_training": (_project_side("plan training sessions", _plan_release),),
    "change_training": (_project_side("change training sessions", _plan_release),),
    "record_attendance": (_project_side("record training attendance", _plan_release),),
    "deliver_item": (_project_side("deliver handover items", _plan_release),),
    "accept_item": (_members_of_receiving_team("accept this item"), _own_delivery("accept this item")),
    "reject_item": (_members_of_receiving_team("reject this item"),),
    "agree_waiver_for_team": (_own_delivery("agree its waiver"),),
}


def require_handover(user, rule: str, obj) -> None:
    """Refuses with the rule's own sentence for the first of its predicates that does not hold."""
    for check in HANDOVER_RULES[rule]:
        if not (user.is_active and PREDICATES[check.predicate](user, check.of(obj))):
            raise NotAllowed(check.refusal.format(obj=obj))
