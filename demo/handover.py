"""The handover part of the demo (called by `manage.py load_demo`): two support teams, a plan seeded
from the template with some work under way, two access transfers and a training session.

Idempotent: teams are found by name and the plan is created only when the release has none.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from golive.choices import Role
from golive.models import Release
from golive.services.releases import add_member
from handover.choices import DocumentKind, DocumentStatus, ItemCategory, TeamKind
from handover.models import HandoverPlan, SupportTeam
from handover.services.access import create_access_transfer, grant_access
from handover.services.documents import update_document
from handover.services.items import deliver_item, update_item
from handover.services.plans import agree_for_team, create_plan
from handover.services.training import create_training_session

OPS_USER = ("ops", "Omar", "Operations")


def _ops_user(password: str):
    username, first_name, last_name = OPS_USER
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.com"},
    )
    if created:
        user.set_password(password)
        user.save()
    return user


def _team(name: str, kind: str, lead) -> SupportTeam:
    team, created = SupportTeam.objects.get_or_create(name=name, defaults={"kind": kind, "lead": lead})
    if created:
        team.members.add(lead)
    return team


def load_handover_demo(*, release: Release, users: dict, password: str) -> bool:
    """Returns True when the demo plan was created now, False when it was already there."""
    manager, dev, support = users["manager"], users["dev"], users["support"]
    ops = _ops_user(password)
    add_member(release=release, user=ops, role=Role.PRODUCTION_SUPPORT, actor=manager)
    applications = _team("Application support", TeamKind.APPLICATIONS, support)
    infrastructure = _team("Infrastructure operations", TeamKind.INFRASTRUCTURE, ops)
    if HandoverPlan.objects.filter(release=release).exists():
        return False

    plan = create_plan(
        release=release,
        actor=manager,
        teams=[applications, infrastructure],
        from_template=True,
        notes="First draft: outstanding issues are added during the handover phase.",
    )
    session = create_training_session(
        plan=plan,
        actor=manager,
        topic="Self-service returns: support walkthrough",
        trainer="Dana Developer",
        team=applications,
        scheduled_for=timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=5),
        invited=[support, ops],
    )
    items = {item.title: item for item in plan.items.all()}
    training_item = next(item for item in items.values() if item.category == ItemCategory.TRAINING)
    update_item(item=training_item, actor=manager, required_training=session, delivering_owner=dev)
    deliver_item(
        item=items["Support documentation: operations manual and runbooks"],
        actor=dev,
        link="https://wiki.example.com/portal/operations",
        note="Operations manual v1 and the four runbooks (start, stop, health check, recovery).",
    )
    deliver_item(
        item=items["Known issues and workarounds"],
        actor=dev,
        note="CP-1412 and CP-1390 with their workarounds; the list is kept on the release page.",
    )

    merchant_console = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment gateway merchant console",
        access_level="administrator",
        current_holder="Dana Developer (project team)",
        receiving_team=applications,
        credential_location="kv/customer-portal/production/payment-gateway/admin",
    )
    grant_access(access=merchant_console, actor=manager)
    create_access_transfer(
        plan=plan,
        actor=manager,
        system="Production database",
        access_level="read-only and backup operator",
        current_holder="Project DBA account",
        receiving_team=infrastructure,
        credential_location="kv/customer-portal/production/database/operators",
    )
    update_document(
        document=plan.documents.get(kind=DocumentKind.IMPLEMENTATION_PLAN),
        actor=manager,
        link="https://wiki.example.com/portal/implementation-plan",
        version="1.3",
        status=DocumentStatus.FINAL,
        owner=manager,
    )
    update_document(
        document=plan.documents.get(kind=DocumentKind.HANDOVER_PLAN),
        actor=manager,
        link="https://wiki.example.com/portal/handover-plan",
        version="0.4",
        status=DocumentStatus.DRAFT,
        owner=manager,
    )
    agree_for_team(plan=plan, team=applications, actor=support)
    return True
