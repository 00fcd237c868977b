"""Which service functions ask the policy before they act: read from their source, like audit_coverage.

A public service function that takes the person acting (`actor`, `by` or `user`) must reach a check of
golive.permissions (require, require_rule, handover's require_handover, or a `raise NotAllowed` of its
own) through the functions it calls. A function that acts for nobody (a worker's step, a dispatch, a
read) takes no person at all and is exempt from this walk only through audit_coverage.EXEMPT, where
its reason was reviewed; anything else is listed in EXEMPT below with the reason it needs no check.
"""

import ast
import inspect
import textwrap
from collections.abc import Callable
from functools import cache

from golive.permissions import require, require_rule
from handover.permissions import require_handover
from tests.golive import audit_coverage
from tests.golive.audit_coverage import _project_functions_used_by, service_functions

PERSON_PARAMETERS = ("actor", "by", "user")
CHECKS = frozenset(inspect.unwrap(function) for function in (require, require_rule, require_handover))

_CONSEQUENCE = "moves as a consequence of a service that checked its own rule first; people use {}"
_SUBSCRIBER = (
    "a visitor without an account subscribes; the signed link mailed to the address is the credential"
)
EXEMPT: dict[str, str] = {
    "statuspage.services.subscriptions.request_subscription": _SUBSCRIBER,
    "statuspage.services.subscriptions.confirm_subscription": _SUBSCRIBER,
    "statuspage.services.subscriptions.unsubscribe": _SUBSCRIBER,
    "golive.services.releases.move_release_status": _CONSEQUENCE.format("change_release_status"),
    "integrations.services.api_tokens.create_api_token": "a signed-in person issues a token for themselves"
    " only",
    "golive.services.calendars.create_calendar_feed": "a person's own calendar feed",
    "golive.services.calendars.replace_calendar_feed_token": "a person's own calendar feed",
    "gonogo.services.votes.cast_vote": "voting is personal: the invitation (get_invitation_for) is the"
    " right, and the service refuses a user who is not the participant",
    "gonogo.services.votes.cast_vote_by_id": "as cast_vote",
    "gonogo.services.vote_links.vote_through_link": "the signed one-click link is the credential",
    "runbook.services.execution.may_move": "answers whether a move is allowed; writes nothing",
    "golive.services.records.create_record": "the generic create-and-audit step under services that checked",
    "golive.services.records.update_record": "the generic change-and-audit step under services that checked",
    "golive.services.records.record_admin_save": "audits an admin save: Django's model permissions decide"
    " in the admin",
    "golive.services.records.record_admin_delete": "audits an admin delete, as record_admin_save",
    "integrations.services.deployments.report_deployment": "a pipeline's API token reports a deployment; the"
    " token's owner must be a member (the API view's release lookup)",
    "communications.services.tracker_sync.upsert_defect": "creates or changes through"
    " create_defect/update_defect, which check",
    "communications.services.tracker_sync.upsert_risk": "creates or changes through create_risk/update_risk,"
    " which check",
    "handover.services.plan_state.invalidate_signoff": _CONSEQUENCE.format("the handover services"),
    "handover.services.plan_state.move_plan_state": _CONSEQUENCE.format("the handover services"),
    "handover.services.plan_state.note_list_changed": _CONSEQUENCE.format("the handover services"),
    "handover.services.plan_state.note_work_started": _CONSEQUENCE.format("the handover services"),
    "handover.services.plan_state.withdraw_agreement": _CONSEQUENCE.format("the handover services"),
    "handover.services.signoffs.expected_name": "reads the name a person must type; writes nothing",
}

# Work a task or worker does for nobody: it takes no person, so there is nobody to ask the policy about;
# what it writes follows from an action that was checked (a run started, a monitor created, a vote cast).
ACTS_FOR_NOBODY: frozenset[str] = frozenset(
    {
        "gonogo.services.invitations.send_meeting_invitations",
        "communications.services.outbox.create_automatic_draft",
        "communications.services.outbox.deliver_communication",
        "statuspage.services.mailing.queue_update_mails",
        "statuspage.services.mailing.deliver_update_mails",
        "gonogo.services.decisions.recheck_decision_evidence",
        "communications.services.production_issues.open_issue_from_monitor",
        "runbook.services.execution.message_sent",
        "runbook.services.execution.send_runnable_notice",
        "gonogo.services.vote_links.remind_voters",
        "smoketests.services.monitors.check_monitor_slots",
        "smoketests.services.monitors.dispatch_due_monitors",
        "smoketests.services.monitors.skip_backlog",
        "smoketests.services.monitors.end_monitoring_after_handover",
        "smoketests.services.retention.prune_monitor_results",
        "smoketests.services.monitors.record_monitor_outcomes",
        "smoketests.services.runs.claim_run",
        "smoketests.services.runs.execute_run",
        "smoketests.services.runs.finish_run",
        "smoketests.services.runs.give_up_run",
        "smoketests.services.runs.reap_smoke_runs",
        "reviews.services.drafting_schedule.draft_due_reviews",
        "reviews.services.drafting_schedule.draft_review_after_handover",
    }
)


def takes_a_person(function: Callable) -> bool:
    return any(name in PERSON_PARAMETERS for name in inspect.signature(function).parameters)


@cache
def _raises_not_allowed(function: Callable) -> bool:
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return False
    return any(
        isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and getattr(node.exc.func, "id", "") == "NotAllowed"
        for node in ast.walk(tree)
    )


def checks_permission(function: Callable) -> bool:
    seen, frontier = set(), [inspect.unwrap(function)]
    while frontier:
        current = frontier.pop()
        if current in CHECKS or _raises_not_allowed(current):
            return True
        if current not in seen:
            seen.add(current)
            frontier.extend(_project_functions_used_by(current))
    return False


def unchecked_services() -> list[str]:
    """Dotted names of service functions that neither check the policy nor are exempt, with why."""
    missing = []
    for name, function in service_functions():
        if name in EXEMPT:
            continue
        if not takes_a_person(function):
            if name not in audit_coverage.EXEMPT and name not in ACTS_FOR_NOBODY:
                missing.append(f"{name}: takes no actor and is not exempt")
            continue
        if not checks_permission(function):
            missing.append(f"{name}: takes an actor but never asks the policy")
    return missing
