"""The knowledge-transfer ladder: how far each person has come with each operational step.

Shadowed → co-performed → performed unaided, read from real executions only: a step done in a go-live
(its owner performed it, its shadows watched), a step timed to its end in a rehearsal (who owned and who
shadowed it when its timing stopped), and co-performances confirmed by the step's owner or the release
manager.

The ladder belongs to the application and the step's title, not to one release: the next release copies
the runbook, so what was earned on 4.1's "Rollback of the orders database" counts for 4.2's step of that
title (compared without case or extra spaces). Executions of this release and of earlier releases of the
same application (by target go-live) count; later releases never do.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import IntEnum

from django.db.models import Q

from golive.models import Release
from runbook.models import CoPerformance, GoLiveStep, RehearsalStep, StepStatus


class Rung(IntEnum):
    NONE = 0
    SHADOWED = 1
    CO_PERFORMED = 2
    UNAIDED = 3

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Rung.NONE: "not yet",
    Rung.SHADOWED: "shadowed",
    Rung.CO_PERFORMED: "co-performed",
    Rung.UNAIDED: "performed unaided",
}


@dataclass(frozen=True)
class Climb:
    """A person's highest rung on a step, and the execution where it was first reached."""

    rung: Rung
    occasion: str


@dataclass
class StepLadder:
    step: GoLiveStep
    climbs: dict[int, Climb] = field(default_factory=dict)  # user id → highest climb

    def climb_of(self, user_ids) -> tuple[int | None, Climb]:
        """(user id, climb) of whoever among `user_ids` is highest on the ladder; (None, NONE) if nobody."""
        best_id, best = None, Climb(Rung.NONE, "")
        for user_id in sorted(user_ids):
            climb = self.climbs.get(user_id)
            if climb is not None and climb.rung > best.rung:
                best_id, best = user_id, climb
        return best_id, best


def title_key(title: str) -> str:
    return " ".join(title.split()).casefold()


def releases_counted_for(release: Release):
    """This release and the earlier releases of its application."""
    return Release.objects.filter(
        Q(pk=release.pk) | Q(application=release.application, target_go_live__lte=release.target_go_live)
    )


def operational_step_ladders(release: Release) -> list[StepLadder]:
    """One ladder per operational step of `release`, in runbook order; six queries however long."""
    steps = list(release.steps.filter(operational=True).order_by("order", "pk"))
    if not steps:
        return []
    keys = {title_key(step.title) for step in steps}
    history = [
        step
        for step in GoLiveStep.objects.filter(release__in=releases_counted_for(release))
        .select_related("release")
        .prefetch_related("shadows")
        .order_by("release__target_go_live", "release_id", "order")
        if title_key(step.title) in keys
    ]
    history_ids = [step.pk for step in history]
    rehearsed = defaultdict(list)
    timings = RehearsalStep.objects.filter(step_id__in=history_ids, finished_at__isnull=False)
    for timing in (
        timings.select_related("rehearsal").prefetch_related("shadowed_by").order_by("finished_at", "pk")
    ):
        rehearsed[timing.step_id].append(timing)
    climbs: dict[str, dict[int, Climb]] = defaultdict(dict)

    def lift(step: GoLiveStep, user_id: int, rung: Rung, occasion: str) -> None:
        known = climbs[title_key(step.title)].get(user_id)
        if known is None or rung > known.rung:
            climbs[title_key(step.title)][user_id] = Climb(rung, f"{occasion} of {step.release.version}")

    for step in history:
        for timing in rehearsed[step.pk]:
            occasion = f"the rehearsal on {timing.rehearsal.environment}"
            if timing.performed_by_id is not None:
                lift(step, timing.performed_by_id, Rung.UNAIDED, occasion)
            for shadow in timing.shadowed_by.all():
                lift(step, shadow.pk, Rung.SHADOWED, occasion)
        if step.status == StepStatus.DONE:
            # A step's owner and shadows cannot change once it has started (runbook.services.plan).
            lift(step, step.owner_id, Rung.UNAIDED, "the go-live")
            for shadow in step.shadows.all():
                lift(step, shadow.pk, Rung.SHADOWED, "the go-live")
    steps_by_id = {step.pk: step for step in history}
    for record in CoPerformance.objects.filter(step_id__in=history_ids).select_related("rehearsal"):
        lift(steps_by_id[record.step_id], record.performer_id, Rung.CO_PERFORMED, record.occasion)
    return [StepLadder(step=step, climbs=dict(climbs[title_key(step.title)])) for step in steps]
