"""Demo data for the knowledge-transfer ladder, loaded by `manage.py load_demo` once.

The demo release's "Stop the nightly batch jobs" and "Run the post-deployment smoke suite" are
operational; a Service desk team (lead `desk`, password `demo`) joins the handover. In the staging
rehearsal the Service desk shadowed the first and, owning it, performed the second unaided.
"""

from django.contrib.auth import get_user_model

from golive.choices import Role
from golive.models import Release
from golive.services.releases import add_member
from handover.choices import TeamKind
from handover.models import SupportTeam
from handover.services.plans import update_plan_settings
from runbook.services.plan import update_step
from runbook.services.rehearsals import finish_rehearsal, start_rehearsal, time_rehearsal_step

SHADOWED_STEP = "Stop the nightly batch jobs"
PERFORMED_STEP = "Run the post-deployment smoke suite"


def _desk_user(password: str):
    user, created = get_user_model().objects.get_or_create(
        username="desk", defaults={"first_name": "Devi", "last_name": "Desk", "email": "desk@example.com"}
    )
    if created:
        user.set_password(password)
        user.save()
    return user


def load_knowledge_transfer_demo(*, release: Release, users: dict, password: str) -> bool:
    """Returns True when the demo ladder was created now, False when it was already there."""
    if release.steps.filter(operational=True).exists() or not hasattr(release, "handover_plan"):
        return False
    manager = users["manager"]
    desk = _desk_user(password)
    add_member(release=release, user=desk, role=Role.PRODUCTION_SUPPORT, actor=manager)
    team, _ = SupportTeam.objects.get_or_create(
        name="Service desk", defaults={"kind": TeamKind.SERVICE_DESK, "lead": desk}
    )
    plan = release.handover_plan
    update_plan_settings(plan=plan, actor=manager, teams=[*plan.teams.all(), team])
    shadowed = release.steps.get(title=SHADOWED_STEP)
    performed = release.steps.get(title=PERFORMED_STEP)
    update_step(step=shadowed, actor=manager, operational=True, shadows=[*shadowed.shadows.all(), desk])
    update_step(step=performed, actor=manager, operational=True, owner=desk)
    rehearsal = start_rehearsal(release=release, actor=manager, environment="staging")
    for timing in rehearsal.timings.filter(step__in=[shadowed, performed]):
        time_rehearsal_step(timing=timing, actor=manager)  # starts the clock
        time_rehearsal_step(timing=timing, actor=manager)  # stops it
    finish_rehearsal(rehearsal=rehearsal, actor=manager)
    return True
