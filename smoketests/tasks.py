"""Thin Celery tasks: load by id, call one service. Each is safe to run twice (see the services)."""

from celery import shared_task

from smoketests.services import alerts as alert_services
from smoketests.services import monitors as monitor_services
from smoketests.services import retention
from smoketests.services import runs as run_services


@shared_task(name="smoketests.execute_smoke_run")
def execute_smoke_run(run_id: int) -> str | None:
    run = run_services.execute_run(run_id=run_id)
    return run.status if run else None


@shared_task(name="smoketests.reap_smoke_runs")
def reap_smoke_runs() -> dict[str, int]:
    summary = run_services.reap_smoke_runs()
    summary["missed_monitor_slots"] = monitor_services.mark_missed_slots()
    return summary


@shared_task(name="smoketests.dispatch_due_monitors")
def dispatch_due_monitors() -> int:
    return len(monitor_services.dispatch_due_monitors())


@shared_task(name="smoketests.check_monitor_slots")
def check_monitor_slots(result_ids: list[int]) -> int:
    return monitor_services.check_monitor_slots(result_ids=result_ids)


@shared_task(name="smoketests.send_monitor_alert")
def send_monitor_alert(alert_id: int) -> None:
    alert_services.send_alert(alert_id=alert_id)


@shared_task(name="smoketests.prune_monitor_results")
def prune_monitor_results() -> int:
    return retention.prune_monitor_results()
