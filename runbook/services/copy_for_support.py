"""Copy a release's runbook into the next release of the application, with support as owners.

The copy goes through the CSV importer, so the step form judges every copied step exactly as it judges
an imported one, and nothing is copied unless every step is valid. Operational steps get the owner the
release manager chose from the receiving team, so the next rehearsal is where support earns
"performed unaided"; other steps keep their owner if that person is a member of the target release.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from golive.audit import record_event
from golive.choices import Role
from golive.models import Release
from golive.people import members_of
from golive.permissions import Action, require
from runbook.models import GoLiveStep
from runbook.spreadsheets import import_runbook, runbook_rows, write_runbook


@transaction.atomic
def copy_runbook_for_support(
    *,
    source: Release,
    target: Release,
    actor: AbstractBaseUser,
    operational_owners: dict[int, AbstractBaseUser],
) -> list[GoLiveStep]:
    """`operational_owners`: step id → the support member who owns that operational step in the copy."""
    require(actor, source, Action.VIEW_RELEASE)
    require(actor, target, Action.EDIT_RUNBOOK)
    if target.pk == source.pk or target.application != source.application:
        raise ValidationError({"target": "Choose another release of the same application."})
    if target.steps.exists():
        raise ValidationError(
            {"target": f"The runbook of {target.application} {target.version} already has steps; "
             "copy into a release whose runbook is empty."}
        )  # fmt: skip
    steps = list(source.steps.order_by("order", "pk"))
    if not steps:
        raise ValidationError("This release's runbook has no steps to copy.")
    operational = [step for step in steps if step.operational]
    missing = [step.title for step in operational if step.pk not in operational_owners]
    if missing:
        raise ValidationError(f"Choose who owns “{missing[0]}” in the copy.")
    members = {user.get_username() for user in members_of(target)}
    support = {user.get_username() for user in members_of(target, roles=[Role.PRODUCTION_SUPPORT])}
    for step in operational:
        owner = operational_owners[step.pk]
        if owner.get_username() not in members:
            raise ValidationError(
                f"{owner.get_full_name() or owner.get_username()} is not a member of "
                f"{target.application} {target.version}; add them to its team first."
            )
    rows = runbook_rows(source)  # in the same order as `steps`
    for step, row in zip(steps, rows, strict=True):
        new_owner = operational_owners.get(step.pk) if step.operational else None
        if new_owner is not None:
            row["owner"] = new_owner.get_username()
        elif row["owner"] not in members:
            row["owner"] = actor.get_username()
        kept = [name for name in row["shadows"].split(";") if name in support and name != row["owner"]]
        row["shadows"] = ";".join(kept)
        row["planned_start"] = ""  # the next release has its own schedule
    copied = import_runbook(release=target, actor=actor, text=write_runbook(rows))
    owners = {step.title: operational_owners[step.pk].get_username() for step in operational}
    for release in (source, target):
        record_event(
            verb="runbook.copied",
            actor=actor,
            target=release,
            release=release,
            data={
                "from": f"{source.application} {source.version}",
                "to": f"{target.application} {target.version}",
                "steps": len(copied),
                "operational_owners": owners,
            },
        )
    return copied
