"""The data the permission matrix runs on: one release, one person per role and per object predicate.

Every object a URL names exists on the release, and each predicate holder holds only a view-only role
(stakeholder or production support), so what they may do beyond viewing comes from the predicate alone.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from communications.models import Communication, ProductionIssue
from demo.go_live import load_freeze_demo, load_runbook_demo
from demo.handover import load_handover_demo
from forge.models import DeploymentTarget
from freezes.models import FreezeWindow
from golive.choices import DefectSeverity, Role
from golive.models import CalendarFeed, Release
from golive.services.calendars import create_calendar_feed
from golive.services.releases import add_member, create_release
from gonogo.models import DecisionCondition, GoNoGoMeeting, Participant
from gonogo.services.decisions import ConditionAction, close_voting
from gonogo.services.meetings import open_voting, schedule_meeting
from gonogo.services.vote_links import vote_link_urls
from gonogo.services.votes import cast_vote
from handover.models import SupportTeam
from handover.services.access import create_access_transfer, grant_access, verify_access
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.api_tokens import create_api_token
from registers.models import Defect, Risk
from reviews.models import Review, ReviewAction, TeamFinding
from runbook.models import Rehearsal
from smoketests.choices import Outcome, RunStatus
from smoketests.models import CheckResult, Monitor, SmokeCheck, SmokeRun
from statuspage.models import StatusPage
from tests.factories import grant_permission
from vendors.models import VendorEngagement

# actor → the role it holds on the release (None: not a member).
ACTOR_ROLES = {
    "anonymous": None,
    "stranger": None,
    "admin_staff": None,
    "everything": None,
    "manager": Role.RELEASE_MANAGER,
    "owner": Role.PRODUCT_OWNER,
    "dev": Role.SCRUM_TEAM,
    "stakeholder": Role.STAKEHOLDER,
    "vendor": Role.VENDOR_SUPPORT,
    "support": Role.PRODUCTION_SUPPORT,
    "chair": Role.STAKEHOLDER,
    "step_owner": Role.STAKEHOLDER,
    "condition_owner": Role.STAKEHOLDER,
    "review_action_owner": Role.STAKEHOLDER,
    "team_lead": Role.PRODUCTION_SUPPORT,
    "team_member": Role.PRODUCTION_SUPPORT,
}


def _user(username: str, **values):
    return get_user_model().objects.create_user(
        username, email=f"{username}@example.com", first_name=username.title(), last_name="Tester", **values
    )


def build_world() -> dict:
    """{"users": {actor: user}, "objects": {key: value for URL parameters}}."""
    users = {
        actor: _user(f"matrix-{actor}") for actor in ACTOR_ROLES if actor not in ("anonymous", "admin_staff")
    }
    # is_staff opens the admin site only; "everything" is a superuser.
    users["admin_staff"] = _user("matrix-admin-staff", is_staff=True)
    users["everything"].is_superuser = True
    users["everything"].save(update_fields=["is_superuser"])
    manager = users["manager"]
    grant_permission(manager, "golive.add_release")
    release = create_release(
        actor=manager, name="Matrix release", application="Portal", version="9.0.0", environment="production",
        target_go_live=timezone.now() + timedelta(days=14),
    )  # fmt: skip
    for actor, role in ACTOR_ROLES.items():
        if role is not None and role != Role.RELEASE_MANAGER:
            add_member(release=release, user=users[actor], role=role, actor=manager)

    # Handover: team_lead leads "Application support" (the team under test), team_member is in it;
    # support belongs to the release only (its user leads another team, as the demo's ops does).
    demo_users = {"manager": manager, "dev": users["dev"], "support": users["team_lead"]}
    load_handover_demo(release=release, users=demo_users, password="demo")
    ops = get_user_model().objects.get(username="ops")
    SupportTeam.objects.filter(lead=ops).update(lead=users["support"])
    team = SupportTeam.objects.get(lead=users["team_lead"])
    team.members.add(users["team_member"])
    plan = release.handover_plan
    item = plan.items.filter(receiving_team=team, delivered_by__isnull=True).order_by("pk").first()
    # An access team_member verified: only they re-confirm it.
    verified_access = create_access_transfer(
        plan=plan, actor=manager, system="Matrix console", access_level="admin", current_holder="Dana",
        receiving_team=team, credential_location="kv/matrix/console",
    )  # fmt: skip
    grant_access(access=verified_access, actor=manager)
    verify_access(access=verified_access, actor=users["team_member"])

    load_runbook_demo(release=release, users={**users, "support": users["team_member"]})
    step = release.steps.order_by("order").first()
    type(step).objects.filter(pk=step.pk).update(owner=users["step_owner"])

    risk = Risk.objects.create(release=release, title="Certificate rotation", probability=2, impact=3)
    defect = Defect.objects.create(release=release, title="Banner typo", severity=DefectSeverity.MINOR)

    # A decided meeting (chaired by chair, a condition owned by condition_owner), then one open for votes.
    decided = schedule_meeting(
        release=release, actor=manager, scheduled_at=timezone.now() + timedelta(hours=1),
        chair=users["chair"],
        invitees=[manager, users["owner"]],
    )  # fmt: skip
    open_voting(meeting=decided, actor=users["chair"])
    for voter in (manager, users["owner"], users["chair"]):
        cast_vote(meeting=decided, user=voter, choice="go_with_conditions", conditions="Watch the error rate")
    close_voting(
        meeting=decided, actor=users["chair"], override=True, rationale="Blockers are understood.",
        conditions=[ConditionAction(text="Watch the error rate", owner=users["condition_owner"],
                                    due_date=timezone.localdate() + timedelta(days=7))],
    )  # fmt: skip
    Release.objects.filter(pk=release.pk).update(status="gonogo_scheduled")
    meeting = GoNoGoMeeting.objects.create(
        release=release,
        chair=users["chair"],
        scheduled_at=timezone.now() + timedelta(days=1),
        state="voting_open",
        voting_opened_at=timezone.now(),
    )
    invited = {"manager": (True, False), "owner": (True, True), "dev": (False, False)}
    invited |= {"stakeholder": (False, False), "chair": (False, False)}
    participants = {
        actor: Participant.objects.create(
            meeting=meeting, user=users[actor], required=required, can_veto=veto
        )
        for actor, (required, veto) in invited.items()
    }

    check = SmokeCheck.objects.create(release=release, name="Portal login", url="http://127.0.0.1:9/login")
    run = SmokeRun.objects.create(release=release, status=RunStatus.FAILED)
    CheckResult.objects.create(run=run, smoke_check=check, check_name=check.name, outcome=Outcome.FAILED)
    monitor = Monitor.objects.create(release=release, smoke_check=check, next_due_at=timezone.now())
    rehearsal = Rehearsal.objects.create(release=release, started_by=manager)
    communication = Communication.objects.create(
        release=release, subject="Portal goes live", body="At 22:00."
    )
    issue = ProductionIssue.objects.create(
        release=release, title="Slow search", what_happened="…", impact="All"
    )
    # A drafted review with a team finding and an action owned by review_action_owner (a stakeholder).
    review = Review.objects.create(release=release, trigger="by_hand", drafted_at=timezone.now())
    team_finding = TeamFinding.objects.create(review=review, text="The rehearsal ran on a small copy.")
    review_action = ReviewAction.objects.create(
        review=review, text="Rehearse on a full copy", owner=users["review_action_owner"],
        due_date=timezone.localdate() + timedelta(days=14),
    )  # fmt: skip
    endpoint = WebhookEndpoint.objects.create(release=release, url="https://hooks.example.com/golive")
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="release.status_changed", body="{}")
    target = DeploymentTarget.objects.create(
        release=release,
        forge="github",
        repository="acme/portal",
        environment="production",
        created_by=manager,
    )
    vendor = VendorEngagement.objects.create(
        release=release, vendor="Pega GCS", informed_at=timezone.now(), shared="The go-live plan"
    )
    load_freeze_demo()
    status_page = StatusPage.objects.create(application="Portal", slug="portal", created_by=manager)
    token = create_api_token(user=manager, name="Pipeline")
    feed: CalendarFeed = create_calendar_feed(user=manager)
    vote_link = vote_link_urls(participants["stakeholder"])["go"].rstrip("/").rsplit("/", 1)[-1]
    membership = release.memberships.get(user=users["stakeholder"])

    objects = {
        "release": release.pk,
        "risk": risk.pk,
        "defect": defect.pk,
        "membership": membership.pk,
        "meeting": meeting.pk,
        "decided_meeting": decided.pk,
        "participant": participants["stakeholder"].pk,
        "condition": DecisionCondition.objects.get(decision__meeting=decided).pk,
        "step": step.pk,
        "rehearsal": rehearsal.pk,
        "communication": communication.pk,
        "issue": issue.pk,
        "team_finding": team_finding.pk,
        "review_action": review_action.pk,
        "check": check.pk,
        "run": run.pk,
        "monitor": monitor.pk,
        "team": team.pk,
        "item": item.pk,
        "document": plan.documents.order_by("pk").first().pk,
        "access": plan.access_transfers.filter(receiving_team=team).order_by("pk").first().pk,
        "verified_access": verified_access.pk,
        "training": plan.training_sessions.order_by("pk").first().pk,
        "items": "items",
        "webhook": endpoint.pk,
        "delivery": delivery.pk,
        "deploy_target": target.pk,
        "vendor": vendor.pk,
        "freeze": FreezeWindow.objects.order_by("pk").first().pk,
        "api_token": token.token.pk,
        "calendar_token": feed.token,
        "vote_token": vote_link,
        "risk_type": ContentType.objects.get_for_model(Risk).pk,
        "start": "start",
        "status_slug": status_page.slug,
        "status_token": "not-a-signed-token",
        "finish": "finish",
    }
    return {"users": users, "objects": objects}
