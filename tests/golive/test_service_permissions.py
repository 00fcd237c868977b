"""Services ask the policy themselves, so a page, the API, the admin and a task get the same answer.

Every public service function either takes the person acting and reaches a check of the policy, or is
exempt with its reason (permission_coverage.py). For each family of services, a stranger and a member
whose role only lets them look (stakeholder) are refused by the service itself, and nothing is written.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from communications.services import outbox as communications
from communications.services import production_issues, public_updates
from golive.choices import Role
from golive.models import AuditEvent
from golive.permissions import SYSTEM, NotAllowed
from golive.services import releases
from gonogo.services import meetings
from handover.services import plans, teams
from integrations.models import WebhookEndpoint
from integrations.services import api_tokens, webhooks
from registers.services import defects, risks
from runbook.services import plan as plan_services
from smoketests.models import SmokeCheck
from smoketests.services import checks, monitors, runs
from statuspage.services import pages as status_pages
from tests.factories import DefectFactory, RiskFactory
from tests.golive.audit_coverage import service_functions
from tests.golive.permission_coverage import ACTS_FOR_NOBODY, EXEMPT, unchecked_services
from vendors.models import VendorEngagement
from vendors.services import ledger

pytestmark = pytest.mark.django_db


def test_every_service_asks_the_policy_or_is_exempt_with_its_reason():
    assert unchecked_services() == []


def test_every_exemption_names_an_existing_service():
    names = {name for name, _ in service_functions()}
    assert names.issuperset(EXEMPT) and names.issuperset(ACTS_FOR_NOBODY)


def _check(release) -> SmokeCheck:
    check = SmokeCheck(release=release, name="home", url="https://portal.example.com/")
    check.full_clean()
    check.save()
    return check


def _vendor(release) -> VendorEngagement:
    return VendorEngagement.objects.create(
        release=release, vendor="Pega GCS", informed_at=timezone.now(), shared="The go-live plan"
    )


def _endpoint(release, manager):
    return WebhookEndpoint.objects.create(
        release=release, url="https://hooks.example.com/golive", events=["ping"], created_by=manager
    )


# family → (what to call with `actor`, given the release and its release manager)
FAMILIES = {
    "edit the release": lambda release, rm, actor: releases.update_release(
        release=release, actor=actor, description="Changed"
    ),
    "move the release's status": lambda release, rm, actor: releases.change_release_status(
        release=release, actor=actor, to_status="gonogo_scheduled", reason="Ready"
    ),
    "add a member": lambda release, rm, actor: releases.add_member(
        release=release, user=actor, role=Role.RELEASE_MANAGER, actor=actor
    ),
    "remove a member": lambda release, rm, actor: releases.remove_member(
        membership=release.memberships.get(user=rm), actor=actor
    ),
    "create a risk": lambda release, rm, actor: risks.create_risk(release=release, actor=actor, title="R"),
    "change a risk": lambda release, rm, actor: risks.update_risk(
        risk=RiskFactory(release=release), actor=actor, title="Changed"
    ),
    "create a defect": lambda release, rm, actor: defects.create_defect(
        release=release, actor=actor, title="D"
    ),
    "change a defect": lambda release, rm, actor: defects.update_defect(
        defect=DefectFactory(release=release), actor=actor, title="Changed"
    ),
    "resolve a defect": lambda release, rm, actor: defects.resolve_defect(
        defect=DefectFactory(release=release), actor=actor
    ),
    "change a production issue": lambda release, rm, actor: production_issues.update_issue(
        issue=production_issues.open_issue_from_monitor(release=release, monitor_name="home", details="down"),
        actor=actor,
        title="Changed",
    ),
    "publish a public update": lambda release, rm, actor: public_updates.publish_public_update(
        issue=production_issues.open_issue_from_monitor(release=release, monitor_name="home", details="down"),
        actor=actor,
        title="Slow pages",
        what_it_is="Pages load slowly.",
        impact="Everyone",
    ),
    "set up the status page": lambda release, rm, actor: status_pages.save_status_page(
        release=release, actor=actor, visibility="public"
    ),
    "define a smoke check": lambda release, rm, actor: checks.create_check(
        release=release, actor=actor, name="api", url="https://portal.example.com/api"
    ),
    "change a smoke check": lambda release, rm, actor: checks.update_check(
        check=_check(release), actor=actor, name="Changed"
    ),
    "delete a smoke check": lambda release, rm, actor: checks.delete_check(
        check=_check(release), actor=actor
    ),
    "create a monitor": lambda release, rm, actor: monitors.create_monitor(
        release=release, actor=actor, smoke_check=_check(release), interval_seconds=60
    ),
    "start a smoke run": lambda release, rm, actor: runs.start_smoke_run(release=release, actor=actor),
    "add a webhook": lambda release, rm, actor: webhooks.add_endpoint(
        release=release, actor=actor, url="https://hooks.example.com/x", events=["ping"]
    ),
    "remove a webhook": lambda release, rm, actor: webhooks.remove_endpoint(
        endpoint=_endpoint(release, rm), actor=actor
    ),
    "ping a webhook": lambda release, rm, actor: webhooks.send_ping(
        endpoint=_endpoint(release, rm), actor=actor
    ),
    "add a runbook step": lambda release, rm, actor: plan_services.add_step(
        release=release, actor=actor, title="Deploy", owner=rm
    ),
    "delete a runbook step": lambda release, rm, actor: plan_services.delete_step(
        step=plan_services.add_step(release=release, actor=SYSTEM, title="Deploy", owner=rm), actor=actor
    ),
    "draft a communication": lambda release, rm, actor: communications.create_draft(
        release=release, actor=actor, kind="go_decision"
    ),
    "schedule a meeting": lambda release, rm, actor: meetings.schedule_meeting(
        release=release, actor=actor, scheduled_at=timezone.now() + timedelta(days=1), chair=rm, invitees=[rm]
    ),
    "revoke someone else's API token": lambda release, rm, actor: api_tokens.revoke_api_token(
        token=api_tokens.create_api_token(user=rm, name="pipeline").token, actor=actor
    ),
    "create the handover plan": lambda release, rm, actor: plans.create_plan(
        release=release, actor=actor, teams=[]
    ),
    "create a support team": lambda release, rm, actor: teams.create_team(
        release=release, actor=actor, name="Ops", kind="application", lead=rm
    ),
    "record a vendor": lambda release, rm, actor: ledger.record_vendor(
        release=release, actor=actor, vendor="Pega GCS", informed_at=timezone.now(), shared="The plan"
    ),
    "change a vendor": lambda release, rm, actor: ledger.update_vendor(
        engagement=_vendor(release), actor=actor, case_number="INC-1"
    ),
    "record a vendor's acknowledgement": lambda release, rm, actor: ledger.acknowledge_vendor(
        engagement=_vendor(release), actor=actor, acknowledged_at=timezone.now()
    ),
    "remove a vendor": lambda release, rm, actor: ledger.remove_vendor(
        engagement=_vendor(release), actor=actor
    ),
}


@pytest.mark.parametrize("who", ["stranger", "stakeholder"])
@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_the_service_itself_refuses_a_stranger_and_a_view_only_member(
    family, who, release, members, stranger
):
    actor = stranger if who == "stranger" else members[Role.STAKEHOLDER]
    manager = members[Role.RELEASE_MANAGER]
    before = AuditEvent.objects.count()
    with pytest.raises(NotAllowed):
        FAMILIES[family](release, manager, actor)
    # Only what the test set up for the call (by the system) may have been recorded, nothing by the actor.
    assert not AuditEvent.objects.filter(pk__gt=before, actor=actor).exists()


def test_the_system_actor_is_allowed_and_recorded_as_nobody(release, members):
    issue = production_issues.open_issue_from_monitor(release=release, monitor_name="home", details="down")
    assert issue.reported_by is None
    assert AuditEvent.objects.get(verb="production_issue.opened").actor is None
