"""Freeze windows (site staff) and emergency overrides (a release's manager), audited."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from freezes.models import FreezeOverride, FreezeWindow
from freezes.windows import freezes_in_force
from golive.audit import capture, diff, record_event, stored_row
from golive.models import Release
from golive.permissions import Action, NotAllowed, can_manage_freezes, require
from golive.signals import deploy_gate_changed

WINDOW_FIELDS = [
    "name",
    "reason",
    "environment",
    "application",
    "recurrence",
    "starts_at",
    "ends_at",
    "repeat_until",
]


def _require_staff(actor: AbstractBaseUser) -> None:
    if not can_manage_freezes(actor):
        raise NotAllowed("Only those who may do everything manage freeze windows.")


def _gate_changed() -> None:
    deploy_gate_changed.send(sender=FreezeWindow, release_id=None)


@transaction.atomic
def create_freeze_window(*, actor: AbstractBaseUser, **values) -> FreezeWindow:
    _require_staff(actor)
    window = FreezeWindow(created_by=actor, **values)
    window.full_clean()
    window.save()
    record_event(verb="freeze.created", actor=actor, target=window, data=capture(window, WINDOW_FIELDS))
    _gate_changed()
    return window


@transaction.atomic
def update_freeze_window(*, window: FreezeWindow, actor: AbstractBaseUser, **values) -> FreezeWindow:
    _require_staff(actor)
    window = stored_row(window)
    before = capture(window, WINDOW_FIELDS)
    for name, value in values.items():
        setattr(window, name, value)
    window.full_clean()
    window.save()
    record_event(verb="freeze.changed", actor=actor, target=window, changes=diff(before, window))
    _gate_changed()
    return window


@transaction.atomic
def delete_freeze_window(*, window: FreezeWindow, actor: AbstractBaseUser) -> None:
    _require_staff(actor)
    record_event(verb="freeze.removed", actor=actor, target=window, data=capture(window, WINDOW_FIELDS))
    window.delete()
    _gate_changed()


@transaction.atomic
def record_freeze_override(
    *, release: Release, actor: AbstractBaseUser, window: FreezeWindow, reason: str
) -> FreezeOverride:
    """Let this release deploy during the occurrence of `window` now in force, for a stated reason."""
    require(actor, release, Action.OVERRIDE_FREEZE)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the release must deploy during the freeze."})
    in_force = {o.window.pk: o for o in freezes_in_force([release], now=timezone.now()).get(release.pk, [])}
    occurrence = in_force.get(window.pk)
    if occurrence is None:
        raise ValidationError({"window": f"“{window.name}” is not in force for {release.name} now."})
    override = FreezeOverride.objects.create(
        release=release,
        window=window,
        occurrence_ends_at=occurrence.ends_at,
        reason=reason,
        recorded_by=actor,
    )
    record_event(
        verb="freeze.overridden",
        actor=actor,
        target=override,
        release=release,
        data={
            "window": window.name,
            "window_reason": window.reason,
            "until": occurrence.ends_at.isoformat(),
            "reason": reason,
        },
    )
    deploy_gate_changed.send(sender=FreezeOverride, release_id=release.pk)
    return override
