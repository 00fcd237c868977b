from django.contrib.auth.models import AbstractBaseUser

from golive.audit import stored_row
from golive.choices import DefectStatus
from golive.models import Release
from golive.permissions import Action, require
from golive.services.records import create_record, update_record
from registers.models import Defect
from registers.signals import register_changed


def create_defect(*, release: Release, actor: AbstractBaseUser, **values) -> Defect:
    require(actor, release, Action.EDIT_DEFECTS)
    defect = create_record(Defect(release=release, **values), actor=actor, verb="defect.created")
    register_changed.send(sender=Defect, release=release)
    return defect


def update_defect(*, defect: Defect, actor: AbstractBaseUser, **values) -> Defect:
    require(actor, defect.release, Action.EDIT_DEFECTS)
    defect = update_record(stored_row(defect), actor=actor, verb="defect.changed", values=values)
    register_changed.send(sender=Defect, release=defect.release)
    return defect


def resolve_defect(*, defect: Defect, actor: AbstractBaseUser) -> Defect:
    require(actor, defect.release, Action.EDIT_DEFECTS)
    return update_record(
        defect, actor=actor, verb="defect.resolved", values={"status": DefectStatus.RESOLVED}
    )
