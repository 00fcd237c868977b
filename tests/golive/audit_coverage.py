"""Which service functions reach golive.audit.record_event: read from their source, not from a list.

Every public function of the service packages (and of the other modules that write on a user's behalf,
WRITER_MODULES) is walked: the names it uses are resolved in its module, and the project functions
among them are walked in turn. A function that writes must reach record_event, or be listed in EXEMPT
with the reason it records nothing. A new service therefore fails the audit test until it records an
event or is exempted here, in review.
"""

import ast
import importlib
import inspect
import pkgutil
import textwrap
from collections.abc import Callable, Iterator
from functools import cache

from golive.audit import record_event

SERVICE_PACKAGES = (
    "golive.services",
    "registers.services",
    "gonogo.services",
    "communications.services",
    "runbook.services",
    "handover.services",
    "smoketests.services",
    "integrations.services",
    "vendors.services",
    "statuspage.services",
    "reviews.services",
)
WRITER_MODULES = ("runbook.spreadsheets", "freezes.services")
PROJECT_PACKAGES = (
    "golive.",
    "registers.",
    "gonogo.",
    "runbook.",
    "communications.",
    "freezes.",
    "handover.",
    "smoketests.",
    "integrations.",
    "vendors.",
    "statuspage.",
    "reviews.",
)

_READ = "reads or computes; writes nothing"
_DISPATCH = "hands ids to the workers; the work they do is audited where it happens"
EXEMPT: dict[str, str] = {
    "statuspage.services.pages.status_page_of": _READ,
    "statuspage.services.subscriptions.absolute": _READ,
    "statuspage.services.subscriptions.unsubscribe_url": _READ,
    "statuspage.services.mailing.resend_pending_update_mails": _DISPATCH
    + " (deliver_update_mails records status_page.update_mailed)",
    "runbook.spreadsheets.export_runbook": _READ,
    "runbook.spreadsheets.runbook_rows": _READ,
    "runbook.spreadsheets.write_runbook": _READ,
    "communications.services.outbox.draft_text": _READ,
    "communications.services.outbox.recipients_for": _READ,
    "communications.services.outbox.smoke_verdict_for": _READ,
    "communications.services.outbox.split_addresses": _READ,
    "communications.services.outbox.resend_stalled_communications": _DISPATCH
    + " (deliver_communication records communication.sent or communication.failed)",
    "gonogo.services.votes.ballots_for": _READ,
    "gonogo.services.votes.ballots_from": _READ,
    "gonogo.services.meetings.default_flags": _READ,
    "golive.services.records.audited_field_names": _READ,
    "gonogo.services.meetings.check_chair": _READ,
    "gonogo.services.decisions.open_go_live_handover_items": _READ,
    "golive.services.redaction.redactable_fields": _READ,
    "golive.services.redaction.release_of": _READ,
    "runbook.services.execution.available_moves": _READ,
    "runbook.services.execution.available_release_moves": _READ,
    "runbook.services.execution.release_move_refusal": _READ,
    "runbook.services.execution.runnable_steps": _READ,
    "runbook.services.execution.step_message": _READ,
    "runbook.services.execution.step_move_refusal": _READ,
    "runbook.services.execution.notify_runnable_steps": _DISPATCH
    + " (send_runnable_notice records step.runnable_notified; the notified time only stops a second notice)",
    "handover.services.guards.check_not_withdrawn": _READ,
    "runbook.services.execution.all_steps_finished": _READ,
    "runbook.services.plan.check_no_cycle": _READ,
    "runbook.services.execution.may_move": _READ,
    "runbook.services.execution.rollback_plan": _READ,
    "runbook.services.execution.unfinished_dependencies": _READ,
    "integrations.services.webhooks.backoff_seconds": _READ,
    "integrations.services.webhooks.release_facts": _READ,
    "integrations.services.webhooks.sign": _READ,
    "integrations.services.webhooks.signature_is_valid": _READ,
    "integrations.services.webhooks.validate_webhook_url": _READ,
    "integrations.services.webhooks.notify": "queues deliveries announcing an event that was itself audited;"
    " each WebhookDelivery row is the record of what was sent",
    "communications.services.announcements.announce_production_issue": "queues deliveries announcing a"
    " production issue whose creation or change is audited",
    "gonogo.services.invitations.agenda_summary": _READ,
    "gonogo.services.invitations.queue_meeting_invitations": _DISPATCH,
    "gonogo.services.vote_links.read_vote_link": _READ,
    "gonogo.services.vote_links.vote_link_urls": _READ,
    "gonogo.services.vote_links.vote_links_text": _READ,
    "gonogo.services.vote_links.vote_through_link": "casts the vote through cast_vote_by_id, which records"
    " vote.cast or vote.changed; the VoteLinkUse row records that the link was spent",
    "integrations.services.webhooks.notify_decision_recorded": "announces a decision that close_voting"
    " audits",
    "integrations.services.webhooks.attempt_delivery": "one delivery attempt, recorded on its"
    " WebhookDelivery row",
    "integrations.services.webhooks.resend_pending_deliveries": _DISPATCH,
    "integrations.services.webhooks.send_delivery_to_workers": _DISPATCH,
    "handover.services.plan_state.lock_plan": "takes a row lock; writes nothing",
    "handover.services.signoffs.expected_name": _READ,
    "smoketests.services.alerts.alert_payload": _READ,
    "smoketests.services.alerts.alert_recipients": _READ,
    "smoketests.services.monitors.due_monitors": _READ,
    "smoketests.services.alerts.alert_email_body": _READ,
    "smoketests.services.monitors.first_due_at": _READ,
    "smoketests.services.monitors.in_window": _READ,
    "smoketests.services.monitors.latest_slot": _READ,
    "smoketests.services.monitors.claim_slots": "a worker claims a monitor slot; the MonitorResult row is the"
    " record of every slot",
    "smoketests.services.monitors.mark_missed_slots": "marks unchecked slots missed on their MonitorResult"
    " rows, the record of every slot",
    "smoketests.services.monitors.skip_backlog": "moves overdue monitors to their next slot (scheduling);"
    " the slots never checked are not slots, and the next MonitorResult records what is checked",
    "smoketests.services.alerts.send_alert": "sends an alert whose cause (monitor.state_changed) is"
    " audited; the MonitorAlert row records the sending",
    "smoketests.services.runs.failed_results": _READ,
    "smoketests.services.runs.outcome_counts": _READ,
    "smoketests.services.runs.lease_duration": _READ,
    "smoketests.services.runs.spec_for": _READ,
    "smoketests.services.runs.this_worker_name": _READ,
    "smoketests.services.runs.wait_for_run": _READ,
    "smoketests.services.runs.notify_listeners": "sends the run's signal; the listeners' writes are audited",
    "smoketests.services.results.create_pending_results": "a run's pending result rows, created with the"
    " run, whose start is audited",
    "smoketests.services.results.store_check_outcomes": "a worker stores its checks' outcomes; the"
    " CheckResult rows are the record of every check",
    "smoketests.services.results.store_outcomes_in_bulk": "a worker stores its checks' outcomes; the"
    " CheckResult rows are the record of every check",
    "smoketests.services.runs.pending_specs": "reads a run's pending checks; a deleted check's result becomes"
    " an error on its CheckResult row, the record of every check",
    "smoketests.services.runs.renew_lease": "a running worker's heartbeat on its own run",
    "smoketests.services.runs.send_run_to_workers": _DISPATCH,
    "smoketests.services.results.store_check_outcome": "one check's result, stored as its CheckResult row;"
    " the run's start and finish are audited",
}


def _modules() -> Iterator:
    for package_name in SERVICE_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__):
            yield importlib.import_module(f"{package_name}.{module.name}")
    for module_name in WRITER_MODULES:
        yield importlib.import_module(module_name)


def service_functions() -> list[tuple[str, Callable]]:
    """(dotted name, function) of every public function defined in the service modules."""
    found = []
    for module in _modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.append((f"{module.__name__}.{name}", function))
    return found


def _resolve(node: ast.AST, namespace: dict):
    attributes = []
    while isinstance(node, ast.Attribute):
        attributes.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in namespace:
        return None
    target = namespace[node.id]
    for attribute in reversed(attributes):
        target = getattr(target, attribute, None)
    return target


@cache
def _project_functions_used_by(function: Callable) -> frozenset:
    """The project functions `function` names: called, or passed on (on_commit, partial, hooks)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError):
        return frozenset()
    used = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name | ast.Attribute) or not isinstance(node.ctx, ast.Load):
            continue
        target = _resolve(node, function.__globals__)
        if inspect.ismethod(target):
            target = target.__func__
        if callable(target):
            target = inspect.unwrap(target)
        if inspect.isfunction(target) and (target.__module__ or "").startswith(PROJECT_PACKAGES):
            used.add(target)
    return frozenset(used)


def records_event(function: Callable) -> bool:
    sink = inspect.unwrap(record_event)
    seen, frontier = set(), [inspect.unwrap(function)]
    while frontier:
        current = frontier.pop()
        if current is sink:
            return True
        if current not in seen:
            seen.add(current)
            frontier.extend(_project_functions_used_by(current))
    return False
