"""The disband guard: may the project team disband without leaving production support locked out?

Each system of the access ledger needs HANDOVER_MIN_VERIFIED_HOLDERS members of its receiving team whose
verification still stands (a holder re-confirms it every ACCESS_RECONFIRM_DAYS), and every project-side
access must be revoked or kept on purpose with a reason. Whatever falls short is a gap, named in one
sentence. This is the one definition: the sign-off gate lists a team's gaps (so completion waits for
them), the release page and the completion webhook read the same gaps.

A completed handover is measured at its completion: hypercare is over, so verifications do not expire
afterwards; a reopened plan is measured now again.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from handover.choices import PlanState
from handover.models import AccessTransfer, HandoverPlan, SupportTeam


@dataclass(frozen=True)
class DisbandGap:
    team_id: int
    system: str
    sentence: str


@dataclass
class DisbandState:
    systems: int
    gaps: list[DisbandGap] = field(default_factory=list)

    @property
    def may_disband(self) -> bool:
        return not self.gaps

    def sentences_for(self, team: SupportTeam) -> list[str]:
        return [gap.sentence for gap in self.gaps if gap.team_id == team.pk]

    def as_payload(self) -> dict:
        """JSON-safe, for the handover.completed webhook."""
        return {
            "project_team_may_disband": self.may_disband,
            "disband_gaps": [gap.sentence for gap in self.gaps],
        }


def _system_key(system: str) -> str:
    return " ".join(system.split()).casefold()


def _person(user) -> str:
    return user.get_full_name().strip() or user.get_username()


def verification_expires_at(access: AccessTransfer, *, reconfirm_days: int | None = None) -> datetime | None:
    """When the access's current verification lapses unless its holder re-confirms it; None if unverified."""
    if not access.is_verified or access.last_confirmed_at is None:
        return None
    days = settings.ACCESS_RECONFIRM_DAYS if reconfirm_days is None else reconfirm_days
    return access.last_confirmed_at + timedelta(days=days)


def _holder_gap(system: str, team_name: str, holders: int, needed: int) -> str | None:
    if holders >= needed:
        return None
    if holders == 0:
        return f"{system}: no verified holder in {team_name} yet; at least {needed} are needed"
    if holders == 1:
        return f"{system}: one verified holder in {team_name} — a bus factor of one"
    return f"{system}: {holders} verified holders in {team_name}; at least {needed} are needed"


def disband_gaps(
    access_transfers: list[AccessTransfer],
    *,
    team_people: dict[int, set[int]],
    now: datetime,
    min_holders: int | None = None,
    reconfirm_days: int | None = None,
) -> DisbandState:
    """The gaps of current (not withdrawn) ledger lines, with their receiving team and verifier loaded.

    `team_people` is {team id: ids of its lead and members}: a verifier who left the team no longer counts.
    """
    needed = settings.HANDOVER_MIN_VERIFIED_HOLDERS if min_holders is None else min_holders
    groups: dict[tuple[str, int], list[AccessTransfer]] = defaultdict(list)
    for access in access_transfers:
        groups[(access.receiving_team.name, _system_key(access.system))].append(access)
    gaps: list[DisbandGap] = []
    for (team_name, _), lines in sorted(groups.items()):
        team_id, system = lines[0].receiving_team_id, lines[0].system
        expired: list[str] = []
        holders: set[int] = set()
        for access in lines:
            expires = verification_expires_at(access, reconfirm_days=reconfirm_days)
            if expires is None or access.verified_by_id is None:
                continue
            if now >= expires:
                expired.append(
                    f"{system}: verification by {_person(access.verified_by)} expired on "
                    f"{timezone.localdate(expires).isoformat()}"
                )
            elif access.verified_by_id in team_people.get(team_id, set()):
                holders.add(access.verified_by_id)
        holder_gap = _holder_gap(system, team_name, len(holders), needed)
        unsettled = [
            f"{system}: project access of {access.current_holder} neither revoked nor kept"
            for access in lines
            if not access.project_access_settled
        ]
        sentences = ([holder_gap] if holder_gap else []) + expired + unsettled
        gaps += [DisbandGap(team_id, system, sentence) for sentence in dict.fromkeys(sentences)]
    return DisbandState(systems=len(groups), gaps=gaps)


def measured_at(plan: HandoverPlan, now: datetime | None = None) -> datetime:
    if plan.state == PlanState.COMPLETE and plan.completed_at is not None:
        return plan.completed_at
    return now or timezone.now()


def team_people_of(team_ids) -> dict[int, set[int]]:
    """{team id: ids of its lead and members}, in two small queries."""
    people: dict[int, set[int]] = defaultdict(set)
    for team_id, lead_id in SupportTeam.objects.filter(pk__in=team_ids).values_list("pk", "lead_id"):
        people[team_id].add(lead_id)
    memberships = SupportTeam.members.through.objects.filter(supportteam_id__in=team_ids)
    for team_id, user_id in memberships.values_list("supportteam_id", "user_id"):
        people[team_id].add(user_id)
    return people


def disband_state(plan: HandoverPlan, *, now: datetime | None = None) -> DisbandState:
    """The plan's disband state, loaded on its own (the release card, the completion webhook)."""
    access_transfers = list(
        AccessTransfer.objects.current()
        .filter(plan=plan)
        .select_related("receiving_team", "verified_by")
        .order_by("pk")
    )
    team_ids = {access.receiving_team_id for access in access_transfers}
    return disband_gaps(access_transfers, team_people=team_people_of(team_ids), now=measured_at(plan, now))
