"""Read-side queries for the handover pages. Each loads a plan in a fixed number of queries, however many
items, documents, accesses and sessions it has."""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import ngettext

from golive.choices import ReleaseStatus
from golive.models import Release, ReleaseMembership
from golive.permissions import may_do_everything
from handover.choices import SETTLED_ITEM_STATUSES, AccessStatus, ItemStatus, NeededBy, PlanState
from handover.disband import DisbandState, disband_gaps, disband_state, measured_at
from handover.hypercare import HypercareStatus, hypercare_status
from handover.knowledge_ladder import LadderRow, knowledge_matrix
from handover.models import (
    AccessTransfer,
    HandoverItem,
    HandoverPlan,
    RequiredDocument,
    SignOff,
    SupportTeam,
    TeamAgreement,
    TrainingSession,
)
from handover.models.items import BLOCKING_GO_LIVE_ITEM
from handover.signoff_gate import missing_for_team

PAST_GO_LIVE_STATUSES = (ReleaseStatus.DEPLOYING, ReleaseStatus.LIVE, ReleaseStatus.HANDED_OVER)


@dataclass
class TeamProgress:
    team: SupportTeam
    items: list[HandoverItem]
    access_transfers: list[AccessTransfer]
    agreement: TeamAgreement | None
    signoff: SignOff | None
    missing: list[str] = field(default_factory=list)

    @property
    def items_settled(self) -> int:
        return sum(1 for item in self.items if item.is_settled)

    @property
    def changed_items(self) -> list[HandoverItem]:
        return [item for item in self.items if item.changed_after_agreement]

    @property
    def needs_reagreement(self) -> bool:
        return self.agreement is None and bool(self.changed_items)


@dataclass
class PlanOverview:
    plan: HandoverPlan
    release: Release
    teams: list[SupportTeam]
    items: list[HandoverItem]
    documents: list[RequiredDocument]
    access_transfers: list[AccessTransfer]
    training_sessions: list[TrainingSession]
    agreements: dict[int, TeamAgreement]
    signoffs: dict[int, SignOff]
    invalidated_signoffs: list[SignOff]
    hypercare: HypercareStatus
    disband: DisbandState
    release_member_ids: set[int] = field(default_factory=set)
    # Entries withdrawn as made by mistake: listed apart, left out of every gate and count.
    withdrawn: list = field(default_factory=list)
    progress: list[TeamProgress] = field(default_factory=list)

    @property
    def team_people_without_access(self) -> list[tuple[SupportTeam, object]]:
        """Team leads and members who are not members of the release: they could not open its pages,
        so they could neither accept items nor sign off."""
        missing = []
        for team in self.teams:
            people = {team.lead, *team.members.all()}
            for person in sorted(people, key=lambda user: user.get_username()):
                if person.pk not in self.release_member_ids and not may_do_everything(person):
                    missing.append((team, person))
        return missing

    @property
    def project_access_still_held(self) -> list[AccessTransfer]:
        """Accesses the support team verified while the project team still holds its own."""
        return [
            access
            for access in self.access_transfers
            if access.status == AccessStatus.VERIFIED and not access.project_access_kept_reason
        ]

    @property
    def past_go_live(self) -> bool:
        """Items "needed before go-live" are late once the release is deploying or beyond."""
        return self.release.status in PAST_GO_LIVE_STATUSES

    @cached_property
    def knowledge_matrix(self) -> list[LadderRow]:
        """Operational runbook steps × receiving teams (handover/knowledge_ladder.py)."""
        return knowledge_matrix(self.release, self.teams)

    def progress_for(self, team: SupportTeam) -> TeamProgress:
        return next(progress for progress in self.progress if progress.team.pk == team.pk)


def load_overview(plan: HandoverPlan, *, now: datetime | None = None) -> PlanOverview:
    release = plan.release
    teams = list(plan.teams.select_related("lead").prefetch_related("members").order_by("name"))
    every_item = list(
        HandoverItem.objects.filter(plan=plan).select_related(
            "receiving_team",
            "delivering_owner",
            "required_training",
            "delivered_by",
            "decided_by",
            "waiver_by_project",
            "waiver_by_team",
            "withdrawn_by",
        )
    )
    every_document = list(RequiredDocument.objects.filter(plan=plan).select_related("owner", "withdrawn_by"))
    every_access = list(
        AccessTransfer.objects.filter(plan=plan).select_related(
            "receiving_team",
            "granted_by",
            "verified_by",
            "revoked_by",
            "project_access_kept_by",
            "withdrawn_by",
        )
    )
    every_session = list(
        TrainingSession.objects.filter(plan=plan)
        .select_related("team", "withdrawn_by")
        .prefetch_related("invited", "attended")
    )
    items, documents, access_transfers, training_sessions = (
        [entry for entry in entries if not entry.is_withdrawn]
        for entries in (every_item, every_document, every_access, every_session)
    )
    withdrawn = sorted(
        (
            entry
            for entries in (every_item, every_document, every_access, every_session)
            for entry in entries
            if entry.is_withdrawn
        ),
        key=lambda entry: entry.withdrawn_at,
    )
    agreements = {
        agreement.team_id: agreement
        for agreement in TeamAgreement.objects.filter(plan=plan, withdrawn_at__isnull=True).select_related(
            "agreed_by"
        )
    }
    all_signoffs = list(
        SignOff.objects.filter(plan=plan).select_related("signed_by", "invalidation__invalidated_by", "team")
    )
    signoffs = {s.team_id: s for s in all_signoffs if not hasattr(s, "invalidation")}
    overview = PlanOverview(
        plan=plan,
        release=release,
        teams=teams,
        items=items,
        documents=documents,
        access_transfers=access_transfers,
        training_sessions=training_sessions,
        agreements=agreements,
        signoffs=signoffs,
        invalidated_signoffs=[s for s in all_signoffs if hasattr(s, "invalidation")],
        withdrawn=withdrawn,
        hypercare=hypercare_status(
            release=release, hours=plan.hypercare_hours, uptime_target=plan.uptime_target_percent, now=now
        ),
        disband=disband_gaps(
            access_transfers,
            team_people={
                team.pk: {team.lead_id, *(member.pk for member in team.members.all())} for team in teams
            },
            now=measured_at(plan, now),
        ),
        release_member_ids=set(
            ReleaseMembership.objects.filter(release=release).values_list("user_id", flat=True)
        ),
    )
    for team in teams:
        progress = TeamProgress(
            team=team,
            items=[item for item in items if item.receiving_team_id == team.pk],
            access_transfers=[access for access in access_transfers if access.receiving_team_id == team.pk],
            agreement=agreements.get(team.pk),
            signoff=signoffs.get(team.pk),
        )
        progress.missing = missing_for_team(overview, progress)
        overview.progress.append(progress)
    return overview


def open_go_live_items(release_ids) -> dict[int, list[HandoverItem]]:
    """{release id: its items needed before go-live that are neither accepted nor waived}, one query.

    These block the go: readiness, the go/no-go agenda and the deploy gate name them."""
    open_items: dict[int, list[HandoverItem]] = {release_id: [] for release_id in release_ids}
    items = (
        HandoverItem.objects.filter(BLOCKING_GO_LIVE_ITEM, plan__release_id__in=release_ids)
        .select_related("receiving_team", "plan")
        .order_by("receiving_team__name", "due_date", "pk")
    )
    for item in items:
        open_items[item.plan.release_id].append(item)
    return open_items


def go_live_blocker_text(item: HandoverItem) -> str:
    return (
        f"Handover item needed before go-live is {item.get_status_display().lower()}: “{item.title}” "
        f"({item.receiving_team.name})."
    )


def handover_state_for(release: Release) -> dict | None:
    """The plan's state in a few figures, for the go/no-go agenda and the decision snapshot (JSON-safe).

    None while the release has no handover plan.
    """
    current = Q(items__withdrawn_at__isnull=True)
    plan = (
        HandoverPlan.objects.filter(release=release)
        .annotate(
            items_total=Count("items", filter=current, distinct=True),
            items_settled=Count(
                "items", filter=current & Q(items__status__in=SETTLED_ITEM_STATUSES), distinct=True
            ),
            teams_total=Count("teams", distinct=True),
            go_live_items_open=Count(
                "items",
                filter=current
                & Q(items__needed_by=NeededBy.GO_LIVE)
                & ~Q(items__status__in=SETTLED_ITEM_STATUSES),
                distinct=True,
            ),
        )
        .first()
    )
    if plan is None:
        return None
    receiving = plan.teams.values("pk")
    teams_agreed = TeamAgreement.objects.filter(
        plan=plan, team__in=receiving, withdrawn_at__isnull=True
    ).count()
    teams_signed = SignOff.objects.filter(plan=plan, team__in=receiving, invalidation__isnull=True).count()
    summary = (
        f"{plan.items_settled} of {plan.items_total} items accepted or waived; "
        f"{teams_agreed} of {plan.teams_total} teams agreed; "
        f"{teams_signed} of {plan.teams_total} teams signed off"
    )
    if plan.go_live_items_open:
        summary += "; " + ngettext(
            "%(count)d item needed before go-live still open",
            "%(count)d items needed before go-live still open",
            plan.go_live_items_open,
        ) % {"count": plan.go_live_items_open}
    return {
        "state": plan.state,
        "state_label": plan.get_state_display(),
        "items_accepted": plan.items_settled,
        "items_total": plan.items_total,
        "teams_agreed": teams_agreed,
        "teams_signed": teams_signed,
        "teams_total": plan.teams_total,
        "go_live_items_open": plan.go_live_items_open,
        "complete": plan.state == PlanState.COMPLETE,
        "summary": summary,
    }


def release_card(release: Release) -> dict:
    """The handover card on the release page: the plan's state and, per team, agreed and signed or not.

    Two queries: the plan, then its teams with their counts, agreement and sign-off folded in.
    """
    plan = HandoverPlan.objects.filter(release=release).first()
    if plan is None:
        return {"plan": None}
    current_signoff = SignOff.objects.filter(plan=plan, team=OuterRef("pk"), invalidation__isnull=True)
    teams = list(
        plan.teams.order_by("name").annotate(
            items_total=Count(
                "items", filter=Q(items__plan=plan, items__withdrawn_at__isnull=True), distinct=True
            ),
            items_settled=Count(
                "items",
                filter=Q(
                    items__plan=plan,
                    items__withdrawn_at__isnull=True,
                    items__status__in=SETTLED_ITEM_STATUSES,
                ),
                distinct=True,
            ),
            has_agreed=Exists(
                TeamAgreement.objects.filter(plan=plan, team=OuterRef("pk"), withdrawn_at__isnull=True)
            ),
            signed_by_name=Subquery(current_signoff.values("typed_name")[:1]),
        )
    )
    return {"plan": plan, "teams": teams}


def release_page_part(release: Release) -> dict:
    """The release page's handover card: the plan, its teams and whether the project team may disband."""
    card = release_card(release)
    if card["plan"] is not None:
        card["disband"] = disband_state(card["plan"])
    return {"handover_card": card}


def waived_items(release: Release) -> list[HandoverItem]:
    """The release's waived handover items (not withdrawn), with their team and who agreed the waiver."""
    return list(
        HandoverItem.objects.filter(
            plan__release=release, status=ItemStatus.WAIVED, withdrawn_at__isnull=True
        )
        .select_related("receiving_team", "waiver_by_project", "waiver_by_team")
        .order_by("receiving_team__name", "pk")
    )


def hypercare_window_hours(release: Release) -> int:
    """The plan's hypercare window, or the plan's default while the release has none."""
    hours = HandoverPlan.objects.filter(release=release).values_list("hypercare_hours", flat=True).first()
    return hours if hours is not None else HandoverPlan._meta.get_field("hypercare_hours").default
