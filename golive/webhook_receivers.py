"""Announce other features' events to webhooks. Connected in GoLiveConfig.ready.

Smoke tests and monitors send Django signals (smoketests/signals.py) inside the transaction that
records the change, so the webhook rows are written with it and sent only once it commits.
"""

from django.dispatch import receiver

from golive.models import WebhookEvent
from golive.services.webhooks import notify
from smoketests.choices import MonitorState
from smoketests.signals import monitor_state_changed, smoke_run_finished


@receiver(smoke_run_finished, dispatch_uid="golive.webhooks.smoke_run_finished")
def announce_smoke_run_finished(sender, run, **kwargs) -> None:
    outcomes = list(run.results.values_list("outcome", flat=True))
    notify(
        release=run.release,
        event=WebhookEvent.SMOKE_RUN_FINISHED,
        payload={
            "run": run.pk,
            "status": run.status,
            "passed": run.status == "passed",
            "checks": len(outcomes),
            "checks_passed": outcomes.count("passed"),
            "error": run.error,
            "context": run.context,
        },
    )


@receiver(monitor_state_changed, dispatch_uid="golive.webhooks.monitor_state_changed")
def announce_monitor_state(
    sender, monitor, old_state: str, new_state: str, last_check: str = "", **kwargs
) -> None:
    if new_state == MonitorState.DOWN:
        event = WebhookEvent.MONITOR_DOWN
    elif new_state == MonitorState.UP and old_state == MonitorState.DOWN:
        event = WebhookEvent.MONITOR_UP
    else:
        return
    notify(
        release=monitor.release,
        event=event,
        payload={
            "monitor": monitor.pk,
            "check": monitor.smoke_check.name,
            "url": monitor.smoke_check.url,
            "state": new_state,
            "previous_state": old_state,
            "consecutive_failures": monitor.consecutive_failures,
            "since": monitor.state_changed_at,
            "last_check": last_check,
        },
    )
