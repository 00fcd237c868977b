"""The runbook plan: add, change, order and delete steps, with dependencies that form no cycle."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from golive.audit import record_event, stored_row
from golive.errors import IllegalTransition
from golive.models import Release
from golive.permissions import Action, require
from golive.services.records import create_record, update_record
from runbook.models import GoLiveStep, StepStatus


def _next_order(release: Release) -> int:
    last = release.steps.order_by("-order").values_list("order", flat=True).first()
    return (last or 0) + 1


def check_no_cycle(step: GoLiveStep, dependencies: Iterable[GoLiveStep]) -> None:
    """Refuse dependencies that would make `step` wait, directly or not, for itself."""
    edges: dict[int, set[int]] = {}
    for from_id, to_id in GoLiveStep.depends_on.through.objects.filter(
        from_golivestep__release_id=step.release_id
    ).values_list("from_golivestep_id", "to_golivestep_id"):
        edges.setdefault(from_id, set()).add(to_id)
    edges[step.pk] = {dependency.pk for dependency in dependencies}
    seen: set[int] = set()
    frontier = list(edges[step.pk])
    while frontier:
        current = frontier.pop()
        if current == step.pk:
            raise ValidationError(
                {"depends_on": "These dependencies would make a cycle: a step would wait for itself."}
            )
        if current not in seen:
            seen.add(current)
            frontier.extend(edges.get(current, ()))


def _check_same_release(step: GoLiveStep, dependencies: Iterable[GoLiveStep]) -> None:
    if any(dependency.release_id != step.release_id for dependency in dependencies):
        raise ValidationError({"depends_on": "A step can only depend on steps of the same release."})


def _check_dependencies_come_first(step: GoLiveStep, dependencies: Iterable[GoLiveStep]) -> None:
    """The runbook reads top to bottom: a step depends only on steps above it."""
    below = sorted((d for d in dependencies if d.order > step.order), key=lambda d: d.order)
    if below:
        names = ", ".join(f"#{d.order} “{d.title}”" for d in below)
        raise ValidationError(
            {"depends_on": f"A step can only depend on steps above it; move {names} above this one first."}
        )


@transaction.atomic
def add_step(
    *,
    release: Release,
    actor: AbstractBaseUser,
    depends_on=(),
    shadows=(),
    order: int | None = None,
    **values,
) -> GoLiveStep:
    require(actor, release, Action.EDIT_RUNBOOK)
    step = GoLiveStep(release=release, order=order or _next_order(release), **values)
    create_record(step, actor=actor, verb="step.created")
    set_step_dependencies(step=step, actor=actor, depends_on=depends_on)
    step.shadows.set(shadows)
    return step


@transaction.atomic
def set_step_dependencies(*, step: GoLiveStep, actor: AbstractBaseUser, depends_on) -> GoLiveStep:
    """The steps `step` waits for; a change is audited with the steps' ids and titles."""
    require(actor, step.release, Action.EDIT_RUNBOOK)
    depends_on = sorted(depends_on, key=lambda dependency: (dependency.order, dependency.pk))
    _check_same_release(step, depends_on)
    check_no_cycle(step, depends_on)
    before = list(step.depends_on.order_by("order", "pk"))
    if [dependency.pk for dependency in before] == [dependency.pk for dependency in depends_on]:
        return step
    step.depends_on.set(depends_on)
    record_event(
        verb="step.dependencies_changed",
        actor=actor,
        target=step,
        release=step.release,
        changes={"depends_on": [[d.pk for d in before], [d.pk for d in depends_on]]},
        labels={"depends_on": [[d.title for d in before], [d.title for d in depends_on]]},
    )
    return step


@transaction.atomic
def update_step(
    *, step: GoLiveStep, actor: AbstractBaseUser, depends_on=None, shadows=None, **values
) -> GoLiveStep:
    require(actor, step.release, Action.EDIT_RUNBOOK)
    step = stored_row(step)
    if step.status != StepStatus.PENDING and set(values) - {"instructions", "rollback_note", "operational"}:
        raise IllegalTransition(
            "Only a pending step can be re-planned; its instructions, rollback note and whether it is "
            "operational can still change."
        )
    if depends_on is not None:
        _check_same_release(step, depends_on)
        check_no_cycle(step, depends_on)
        _check_dependencies_come_first(step, depends_on)
    if (
        shadows is not None
        and step.status != StepStatus.PENDING
        and {user.pk for user in shadows} != set(step.shadows.values_list("pk", flat=True))
    ):
        # Who shadowed a step that ran is what the knowledge-transfer ladder reads; it is not rewritten.
        raise IllegalTransition("Who shadows a step can change only while it is pending.")
    update_record(step, actor=actor, verb="step.changed", values=values)
    if depends_on is not None:
        set_step_dependencies(step=step, actor=actor, depends_on=depends_on)
    if shadows is not None:
        step.shadows.set(shadows)
    return step


@transaction.atomic
def delete_step(*, step: GoLiveStep, actor: AbstractBaseUser) -> None:
    require(actor, step.release, Action.EDIT_RUNBOOK)
    if step.status != StepStatus.PENDING:
        raise IllegalTransition("Only a pending step can be deleted.")
    record_event(
        verb="step.deleted", actor=actor, target=step, release=step.release, data={"title": step.title}
    )
    step.delete()


@transaction.atomic
def move_step(*, step: GoLiveStep, actor: AbstractBaseUser, direction: int) -> None:
    """Swap the step with its neighbour above (-1) or below (+1); a step stays below what it depends on."""
    require(actor, step.release, Action.EDIT_RUNBOOK)
    steps = list(step.release.steps.order_by("order", "pk"))
    index = next(i for i, s in enumerate(steps) if s.pk == step.pk)
    target = index + direction
    if not 0 <= target < len(steps):
        return
    upper, lower = (steps[target], step) if direction < 0 else (step, steps[target])
    if lower.depends_on.filter(pk=upper.pk).exists():
        raise ValidationError(
            f"“{lower.title}” depends on “{upper.title}”, so it stays below it. "
            "Change the dependencies first to reorder them."
        )
    steps[index], steps[target] = steps[target], steps[index]
    for position, each in enumerate(steps, start=1):
        if each.order != position:
            GoLiveStep.objects.filter(pk=each.pk).update(order=position)
    record_event(
        verb="step.reordered",
        actor=actor,
        target=step,
        release=step.release,
        data={"to_position": target + 1},
    )
