"""Which decision is a release's latest: the one taken last (then the one recorded last).

Every reader asks here: the deploy gate, the release page, the dashboards, the portfolio's "needs review"
flag, communications and the evidence re-check. A meeting's schedule does not count: a meeting
scheduled late may be decided before another.
"""

from django.db.models import OuterRef, QuerySet, Subquery

from golive.models import Release
from gonogo.models import Decision

LATEST_FIRST = ("-decided_at", "-pk")


def decisions_latest_first(release_ref) -> QuerySet[Decision]:
    """The decisions of the release `release_ref` (an id, a Release or an OuterRef), latest first."""
    return Decision.objects.filter(meeting__release=release_ref).order_by(*LATEST_FIRST)


def latest_decision(release: Release) -> Decision | None:
    return decisions_latest_first(release).select_related("meeting", "review").first()


def latest_decision_id(release_ref=None) -> Subquery:
    """The latest decision's id as SQL; by default of the release in the outer query's row."""
    release_ref = OuterRef("pk") if release_ref is None else release_ref
    return Subquery(decisions_latest_first(release_ref).values("pk")[:1])


def latest_decisions(release_ids) -> dict[int, Decision]:
    """{release id: its latest decision} for the releases that have one, in one query."""
    latest = Decision.objects.filter(
        meeting__release_id__in=release_ids, pk=latest_decision_id(OuterRef("meeting__release_id"))
    ).select_related("meeting")
    return {decision.meeting.release_id: decision for decision in latest}
