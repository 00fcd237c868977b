"""Moving models out of golive into their own apps keeps every row, table and content type.

The suite builds its database without migrations, so this runs them for real in a process of its own: it
migrates to the last node before the move, writes rows with the historical models, migrates forward and
reads them back with today's models; then it migrates back and forward once more (the move is reversible).
On SQLite a fresh file; on PostgreSQL a database of its own next to the test database, dropped afterwards.
"""

import json
import os
import subprocess
import sys

import psycopg2
from django.db import connection

from tests.worker import ROOT

PRE_SPLIT = [("golive", "0015_one_click_vote_links")]

SCRIPT = """
import json
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

PRE_SPLIT = PRE_SPLIT_NODES
executor = MigrationExecutor(connection)
executor.migrate(PRE_SPLIT)
old = executor.loader.project_state(PRE_SPLIT).apps
User = old.get_model("auth", "User")
ContentType, Permission = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
Release = old.get_model("golive", "Release")
Risk, Defect = old.get_model("golive", "Risk"), old.get_model("golive", "Defect")
Window, Override = old.get_model("golive", "FreezeWindow"), old.get_model("golive", "FreezeOverride")
Redaction = old.get_model("golive", "Redaction")
Step, Rehearsal = old.get_model("golive", "GoLiveStep"), old.get_model("golive", "Rehearsal")
RehearsalStep = old.get_model("golive", "RehearsalStep")
Communication = old.get_model("golive", "Communication")
ApiToken = old.get_model("golive", "ApiToken")
Endpoint, Delivery = old.get_model("golive", "WebhookEndpoint"), old.get_model("golive", "WebhookDelivery")
Issue, Addresses = old.get_model("golive", "ProductionIssue"), old.get_model("golive", "AudienceAddresses")
Meeting, Participant = old.get_model("golive", "GoNoGoMeeting"), old.get_model("golive", "Participant")
Vote, VoteLinkUse = old.get_model("golive", "Vote"), old.get_model("golive", "VoteLinkUse")
Decision, Condition = old.get_model("golive", "Decision"), old.get_model("golive", "DecisionCondition")
Review = old.get_model("golive", "DecisionReview")

manager = User.objects.create(username="manager")
release = Release.objects.create(name="Spring", application="Portal", version="1",
                                 target_go_live=timezone.now())
risk = Risk.objects.create(release=release, title="Vendor late", probability=4, impact=5, owner=manager)
Defect.objects.create(release=release, title="Login slow", severity=1, external_key="JIRA-1")
now = timezone.now()
window = Window.objects.create(name="Year end", reason="Audit", starts_at=now,
                               ends_at=now + timezone.timedelta(days=2))
Override.objects.create(release=release, window=window, occurrence_ends_at=window.ends_at, reason="Hotfix",
                        recorded_by=manager)
prepare = Step.objects.create(release=release, order=1, title="Freeze writes", owner=manager)
deploy = Step.objects.create(release=release, order=2, title="Deploy", owner=manager, kind="communication",
                             message_kind="golive_success")
deploy.depends_on.add(prepare)
deploy.shadows.add(manager)
rehearsal = Rehearsal.objects.create(release=release, environment="staging", started_by=manager)
RehearsalStep.objects.create(rehearsal=rehearsal, step=deploy, started_at=now,
                             finished_at=now + timezone.timedelta(minutes=12))
issue = Issue.objects.create(release=release, title="Checkout down", what_happened="500s", impact="Buyers",
                             severity="critical", reported_by=manager)
Communication.objects.create(release=release, kind="golive_success", subject="Live", body="Portal is live",
                             runbook_step=deploy)
ApiToken.objects.create(user=manager, name="Deploy job", digest="d" * 64, hint="gld_abcd")
endpoint = Endpoint.objects.create(release=release, url="https://hooks.example.com/in", events=["ping"],
                                   secret="s" * 64, format="slack", created_by=manager)
Delivery.objects.create(endpoint=endpoint, event="ping", body='{"event": "ping"}', status="failed",
                        attempts=3, response_status=502, error="Bad gateway")
Communication.objects.create(release=release, kind="production_issue", subject="Checkout down", body="Fixing",
                             production_issue=issue)
Addresses.objects.create(release=release, audience="end_users", addresses="all@example.com")
meeting = Meeting.objects.create(release=release, scheduled_at=now, chair=manager, state="closed")
invited = Participant.objects.create(meeting=meeting, user=manager, required=True, can_veto=True)
Vote.objects.create(meeting=meeting, participant=invited, choice="go_with_conditions",
                    conditions="Backup first")
VoteLinkUse.objects.create(nonce="n" * 32, participant=invited)
decision = Decision.objects.create(meeting=meeting, outcome="conditional_go",
                                   computed_outcome="conditional_go", snapshot={"risks": [risk.pk]},
                                   decided_by=manager)
Condition.objects.create(decision=decision, text="Backup first", owner=manager, due_date=now.date())
Review.objects.create(decision=decision, first_reasons=["A risk changed"])
# Content types and permissions exist once a database has been migrated; a granted permission and a
# redaction refer to them by id.
old_ids = {}
COMMUNICATIONS = ("communication", "productionissue", "audienceaddresses")
GONOGO = ("gonogomeeting", "participant", "vote", "decision", "decisioncondition", "decisionreview",
          "votelinkuse")
for model in ("risk", "defect", "freezewindow", "freezeoverride", "golivestep", "rehearsal", "rehearsalstep",
              "apitoken", "webhookendpoint", "webhookdelivery", *GONOGO, *COMMUNICATIONS):
    content_type = ContentType.objects.create(app_label="golive", model=model)
    permission = Permission.objects.create(content_type=content_type, codename=f"change_{model}", name=model)
    manager.user_permissions.add(permission)
    old_ids[model] = content_type.pk
Redaction.objects.create(release=release, target_type_id=old_ids["risk"], target_id=str(risk.pk),
                         target_repr="Vendor late", field_name="description", reason="Pasted a key",
                         redacted_by=manager)


def leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


MigrationExecutor(connection).migrate(leaves())
from django.contrib.auth.models import User as NewUser
from django.contrib.contenttypes.models import ContentType as NewContentType
from freezes.models import FreezeOverride, FreezeWindow
from golive.models import Redaction as NewRedaction
from registers.models import Defect as NewDefect, Risk as NewRisk
from communications.models import AudienceAddresses, Communication as NewCommunication, ProductionIssue
from runbook.models import GoLiveStep, Rehearsal as NewRehearsal, RehearsalStep as NewRehearsalStep
from integrations.models import ApiToken as NewApiToken, WebhookDelivery, WebhookEndpoint
from gonogo import models as gonogo

NewContentType.objects.clear_cache()
user = NewUser.objects.get(username="manager")
forward = {
    "risks": [[r.title, r.score, r.owner.username, r.release.name] for r in NewRisk.objects.all()],
    "defects": [[d.title, d.severity, d.external_key] for d in NewDefect.objects.all()],
    "windows": [w.name for w in FreezeWindow.objects.all()],
    "overrides": [[o.window.name, o.release.name, o.reason] for o in FreezeOverride.objects.all()],
    "content_types": {
        model._meta.model_name: [ct.app_label, ct.pk == old_ids[model._meta.model_name]]
        for model in (NewRisk, NewDefect, FreezeWindow, FreezeOverride, GoLiveStep, NewRehearsal,
                      NewRehearsalStep, NewApiToken, WebhookEndpoint, WebhookDelivery,
                      gonogo.GoNoGoMeeting, gonogo.Participant, gonogo.Vote,
                      gonogo.Decision, gonogo.DecisionCondition, gonogo.DecisionReview, gonogo.VoteLinkUse,
                      NewCommunication, ProductionIssue, AudienceAddresses)
        for ct in [NewContentType.objects.get_for_model(model)]
    },
    "steps": [[step.title, step.owner.username, [d.title for d in step.depends_on.all()],
               [u.username for u in step.shadows.all()]] for step in GoLiveStep.objects.all()],
    "timings": [[t.rehearsal.environment, t.step.title, t.minutes] for t in NewRehearsalStep.objects.all()],
    "step_messages": [[c.subject, c.runbook_step.title]
                      for c in NewCommunication.objects.filter(runbook_step__isnull=False)],
    "tokens": [[t.name, t.user.username, t.hint, t.is_active] for t in NewApiToken.objects.all()],
    "endpoints": [[e.url, e.release.name, e.events, e.format, e.created_by.username, e.secret == "s" * 64]
                  for e in WebhookEndpoint.objects.all()],
    "deliveries": [[d.endpoint.url, d.event, d.status, d.attempts, d.response_status, d.error]
                   for d in WebhookDelivery.objects.all()],
    "issue_messages": [[c.subject, c.production_issue.title, c.production_issue.get_severity_display()]
                       for c in NewCommunication.objects.filter(production_issue__isnull=False)],
    "addresses": [[a.audience, a.addresses, a.release.name] for a in AudienceAddresses.objects.all()],
    "meetings": [[m.release.name, m.chair.username, m.state, [str(p.user) for p in m.participants.all()]]
                 for m in gonogo.GoNoGoMeeting.objects.all()],
    "votes": [[v.participant.user.username, v.choice, v.conditions] for v in gonogo.Vote.objects.all()],
    "decisions": [[d.outcome, d.meeting.release.name, d.snapshot == {"risks": [risk.pk]},
                   [c.text for c in d.conditions.all()], d.review.first_reasons]
                  for d in gonogo.Decision.objects.all()],
    "used_links": [[u.nonce, u.participant.user.username] for u in gonogo.VoteLinkUse.objects.all()],
    "permissions": sorted(user.get_all_permissions()),
    "redacted": [str(redaction.target_type) for redaction in NewRedaction.objects.all()],
    "left_in_golive": sorted(NewContentType.objects.filter(app_label="golive", model__in=old_ids)
                             .values_list("model", flat=True)),
}

MigrationExecutor(connection).migrate(PRE_SPLIT)
back = sorted(NewContentType.objects.filter(pk__in=old_ids.values()).values_list("app_label", "model"))
MigrationExecutor(connection).migrate(leaves())
again = NewRisk.objects.count() + NewDefect.objects.count() + FreezeWindow.objects.count()
again_runbook = [GoLiveStep.objects.count(), NewRehearsalStep.objects.count(),
                 NewCommunication.objects.filter(runbook_step__title="Deploy").count()]
again_integrations = [NewApiToken.objects.count(), WebhookEndpoint.objects.count(),
                      WebhookDelivery.objects.filter(endpoint__release__name="Spring").count()]
again_communications = [NewCommunication.objects.count(), ProductionIssue.objects.count(),
                        AudienceAddresses.objects.count()]
again_gonogo = [gonogo.GoNoGoMeeting.objects.count(), gonogo.Vote.objects.count(),
                gonogo.Decision.objects.filter(review__isnull=False).count()]
print(json.dumps({"forward": forward, "back": back, "again": again, "again_runbook": again_runbook,
                  "again_integrations": again_integrations, "again_gonogo": again_gonogo,
                  "again_communications": again_communications}))
""".replace("PRE_SPLIT_NODES", repr(PRE_SPLIT))

EXPECTED_FORWARD = {
    "risks": [["Vendor late", 20, "manager", "Spring"]],
    "defects": [["Login slow", 1, "JIRA-1"]],
    "windows": ["Year end"],
    "overrides": [["Year end", "Spring", "Hotfix"]],
    "content_types": {
        "risk": ["registers", True],
        "defect": ["registers", True],
        "freezewindow": ["freezes", True],
        "freezeoverride": ["freezes", True],
        "golivestep": ["runbook", True],
        "rehearsal": ["runbook", True],
        "rehearsalstep": ["runbook", True],
        "apitoken": ["integrations", True],
        "webhookendpoint": ["integrations", True],
        "webhookdelivery": ["integrations", True],
        "gonogomeeting": ["gonogo", True],
        "participant": ["gonogo", True],
        "vote": ["gonogo", True],
        "decision": ["gonogo", True],
        "decisioncondition": ["gonogo", True],
        "decisionreview": ["gonogo", True],
        "votelinkuse": ["gonogo", True],
        "communication": ["communications", True],
        "productionissue": ["communications", True],
        "audienceaddresses": ["communications", True],
    },
    "steps": [["Freeze writes", "manager", [], []], ["Deploy", "manager", ["Freeze writes"], ["manager"]]],
    "timings": [["staging", "Deploy", 12.0]],
    "step_messages": [["Live", "Deploy"]],
    "tokens": [["Deploy job", "manager", "gld_abcd", True]],
    "endpoints": [["https://hooks.example.com/in", "Spring", ["ping"], "slack", "manager", True]],
    "deliveries": [["https://hooks.example.com/in", "ping", "failed", 3, 502, "Bad gateway"]],
    "issue_messages": [["Checkout down", "Checkout down", "Critical"]],
    "addresses": [["end_users", "all@example.com", "Spring"]],
    "meetings": [["Spring", "manager", "closed", ["manager"]]],
    "votes": [["manager", "go_with_conditions", "Backup first"]],
    "decisions": [["conditional_go", "Spring", True, ["Backup first"], ["A risk changed"]]],
    "used_links": [["n" * 32, "manager"]],
    "permissions": [
        "communications.change_audienceaddresses",
        "communications.change_communication",
        "communications.change_productionissue",
        "freezes.change_freezeoverride",
        "freezes.change_freezewindow",
        "gonogo.change_decision",
        "gonogo.change_decisioncondition",
        "gonogo.change_decisionreview",
        "gonogo.change_gonogomeeting",
        "gonogo.change_participant",
        "gonogo.change_vote",
        "gonogo.change_votelinkuse",
        "integrations.change_apitoken",
        "integrations.change_webhookdelivery",
        "integrations.change_webhookendpoint",
        "registers.change_defect",
        "registers.change_risk",
        "runbook.change_golivestep",
        "runbook.change_rehearsal",
        "runbook.change_rehearsalstep",
    ],
    "redacted": ["Risks and defects | risk"],
    "left_in_golive": [],
}
EXPECTED_BACK = [
    ["golive", "apitoken"],
    ["golive", "audienceaddresses"],
    ["golive", "communication"],
    ["golive", "decision"],
    ["golive", "decisioncondition"],
    ["golive", "decisionreview"],
    ["golive", "defect"],
    ["golive", "freezeoverride"],
    ["golive", "freezewindow"],
    ["golive", "golivestep"],
    ["golive", "gonogomeeting"],
    ["golive", "participant"],
    ["golive", "productionissue"],
    ["golive", "rehearsal"],
    ["golive", "rehearsalstep"],
    ["golive", "risk"],
    ["golive", "vote"],
    ["golive", "votelinkuse"],
    ["golive", "webhookdelivery"],
    ["golive", "webhookendpoint"],
]


def _migrate_in_a_process(tmp_path, database_url: str) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "GOLIVE_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assert_nothing_lost(result: dict) -> None:
    assert result["forward"] == EXPECTED_FORWARD
    assert [list(row) for row in result["back"]] == EXPECTED_BACK
    assert result["again"] == 3
    assert result["again_runbook"] == [2, 1, 1]
    assert result["again_integrations"] == [1, 1, 1]
    assert result["again_gonogo"] == [1, 1, 1]
    assert result["again_communications"] == [2, 1, 1]


def test_the_split_keeps_rows_and_content_types_on_sqlite(tmp_path):
    _assert_nothing_lost(_migrate_in_a_process(tmp_path, f"sqlite:///{tmp_path / 'migrated.sqlite3'}"))


def test_the_split_keeps_rows_and_content_types_on_postgresql(postgresql, tmp_path):
    settings = connection.settings_dict
    name = f"{settings['NAME']}_app_split"
    server = {
        "host": settings["HOST"] or "127.0.0.1",
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
    }
    admin = psycopg2.connect(dbname="postgres", password=settings["PASSWORD"] or None, **server)
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        url = f"postgres://{server['user']}{password}@{server['host']}:{server['port']}/{name}"
        _assert_nothing_lost(_migrate_in_a_process(tmp_path, url))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()
