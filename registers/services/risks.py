from django.contrib.auth.models import AbstractBaseUser

from golive.audit import stored_row
from golive.choices import RiskStatus
from golive.models import Release
from golive.permissions import Action, require
from golive.services.records import create_record, update_record
from registers.models import Risk
from registers.signals import register_changed


def create_risk(*, release: Release, actor: AbstractBaseUser, **values) -> Risk:
    require(actor, release, Action.EDIT_RISKS)
    risk = create_record(Risk(release=release, **values), actor=actor, verb="risk.created")
    register_changed.send(sender=Risk, release=release)
    return risk


def update_risk(*, risk: Risk, actor: AbstractBaseUser, **values) -> Risk:
    require(actor, risk.release, Action.EDIT_RISKS)
    risk = update_record(stored_row(risk), actor=actor, verb="risk.changed", values=values)
    register_changed.send(sender=Risk, release=risk.release)
    return risk


def close_risk(*, risk: Risk, actor: AbstractBaseUser) -> Risk:
    require(actor, risk.release, Action.EDIT_RISKS)
    return update_record(risk, actor=actor, verb="risk.closed", values={"status": RiskStatus.CLOSED})
