from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import record_event
from golive.models import Release
from golive.services.records import create_record, update_record
from smoketests.models import SmokeCheck


def create_check(*, release: Release, actor: AbstractBaseUser, **values) -> SmokeCheck:
    return create_record(SmokeCheck(release=release, **values), actor=actor, verb="smoke_check.created")


def update_check(*, check: SmokeCheck, actor: AbstractBaseUser, **values) -> SmokeCheck:
    return update_record(check, actor=actor, verb="smoke_check.changed", values=values)


@transaction.atomic
def delete_check(*, check: SmokeCheck, actor: AbstractBaseUser) -> None:
    """Past results keep the check's name; its monitor, if any, goes with it."""
    record_event(
        verb="smoke_check.deleted", actor=actor, target=check, release=check.release, data={"url": check.url}
    )
    check.delete()
