"""Create, change and delete smoke checks, validated and audited.

Header values often carry credentials (Authorization, API keys), and the audit trail is append-only and
read by many: it records header names only.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import capture, record_event, stored_row
from golive.models import Release
from golive.permissions import Action, require
from golive.services.records import audited_field_names
from smoketests.models import SmokeCheck


def _audited_values(check: SmokeCheck) -> dict:
    values = capture(check, audited_field_names(check))
    values["headers"] = ", ".join(sorted(check.headers or {})) or None
    return values


@transaction.atomic
def create_check(*, release: Release, actor: AbstractBaseUser, **values) -> SmokeCheck:
    require(actor, release, Action.MANAGE_SMOKE_CHECKS)
    check = SmokeCheck(release=release, **values)
    check.full_clean()
    check.save()
    after = _audited_values(check)
    record_event(
        verb="smoke_check.created",
        actor=actor,
        target=check,
        release=release,
        changes={name: [None, value] for name, value in after.items() if value not in (None, "", False)},
    )
    return check


@transaction.atomic
def update_check(*, check: SmokeCheck, actor: AbstractBaseUser, **values) -> SmokeCheck:
    require(actor, check.release, Action.MANAGE_SMOKE_CHECKS)
    check = stored_row(check)
    before = _audited_values(check)
    headers_before = dict(check.headers or {})
    for name, value in values.items():
        setattr(check, name, value)
    check.full_clean()
    check.save()
    after = _audited_values(check)
    changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
    if check.headers != headers_before and "headers" not in changes:
        changes["headers"] = ["(values changed)", "(values changed)"]
    if changes:
        record_event(
            verb="smoke_check.changed", actor=actor, target=check, release=check.release, changes=changes
        )
    return check


@transaction.atomic
def delete_check(*, check: SmokeCheck, actor: AbstractBaseUser) -> None:
    """Past results keep the check's name; its monitor, if any, goes with it."""
    require(actor, check.release, Action.MANAGE_SMOKE_CHECKS)
    record_event(
        verb="smoke_check.deleted", actor=actor, target=check, release=check.release, data={"url": check.url}
    )
    check.delete()
