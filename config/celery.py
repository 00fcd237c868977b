"""The Celery application. Every delivery guarantee is set here, once.

Tasks are acknowledged only after they finish (acks_late) and are re-queued when the worker process
running them dies (reject_on_worker_lost); tasks therefore must be safe to run twice, and the services
they call claim their work with conditional updates. When a whole worker dies, Redis hands its messages
out again after the visibility timeout; the embedded SQLite broker does not, and beat's reapers send the
work again (smoke runs, communications, webhook deliveries). Callers dispatch with
`task.delay_on_commit(...)` so no task ever runs against rows a rolled-back transaction never wrote.
"""

import logging
import os
import time
from datetime import datetime

from celery import Celery, signals

from config.broker import use_safe_transports

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

use_safe_transports()
app = Celery("golive_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")
flow_logger = logging.getLogger("golive.taskflow")


def broker_transport_options(broker_url: str) -> dict:
    if broker_url.startswith("sqla+sqlite"):
        return {
            # Workers poll the table; once a second (kombu's default) made monitor checks start late, and
            # an indexed look-up ten times a second costs next to nothing.
            "polling_interval": 0.1,
            "connect_args": {"timeout": 30},
        }
    if broker_url.startswith(("redis://", "rediss://")):
        # Give a task longer than its hard time limit before the broker re-delivers it.
        return {"visibility_timeout": 3600}
    return {}


# A monitor dispatch tick must not wait behind minutes of check batches: it has a queue of its own,
# which every worker consuming the default queue consumes too (it takes turns with the default queue,
# so a tick waits for at most the batches already running).
MONITOR_DISPATCH_TASK = "smoketests.dispatch_due_monitors"


def monitor_dispatch_queue() -> str:
    return f"{app.conf.task_default_queue}.monitor-dispatch"


def route_task(name, args, kwargs, options, task=None, **_kwargs) -> dict | None:
    if name == MONITOR_DISPATCH_TASK:
        return {"queue": monitor_dispatch_queue()}
    return None


app.conf.update(
    task_routes=(route_task,),
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One task at a time per worker process: a long smoke run must not hold others hostage.
    worker_prefetch_multiplier=1,
    task_soft_time_limit=300,
    task_time_limit=360,
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    # A web request that dispatches while the broker is down fails fast, so the page can say "no worker
    # reachable" instead of hanging. Workers and beat lift the limit below: they wait for the broker.
    broker_connection_timeout=3,
    broker_connection_max_retries=1,
    broker_transport_options=broker_transport_options(app.conf.broker_url or ""),
    timezone=os.environ.get("TIME_ZONE", "UTC"),
)


@signals.worker_init.connect
@signals.beat_init.connect
def retry_the_broker_for_ever(sender=None, **_kwargs) -> None:
    """A worker or beat rides out a broker outage: it reconnects for as long as it takes, waiting 2 s more
    after each failed attempt (at most 30 s), instead of exiting after the first one."""
    app.conf.broker_connection_max_retries = None


@signals.celeryd_after_setup.connect
def consume_the_monitor_dispatch_queue(sender=None, instance=None, **_kwargs) -> None:
    queues = instance.app.amqp.queues
    if instance.app.conf.task_default_queue in queues.consume_from:
        queues.select_add(monitor_dispatch_queue())


@signals.before_task_publish.connect
def stamp_dispatch_time(headers=None, **_kwargs) -> None:
    if headers is not None:
        headers["dispatched_at"] = time.time()


@signals.after_task_publish.connect
def log_dispatch(headers=None, **_kwargs) -> None:
    if headers:
        flow_logger.info("dispatched %s[%s]", headers.get("task"), headers.get("id"))


def _seconds_waited(request) -> float | None:
    """From dispatch (or from the time it was scheduled for, for a delayed task) to now."""
    dispatched_at = getattr(request, "dispatched_at", None)
    if dispatched_at is None:
        return None
    ready_at = float(dispatched_at)
    if request.eta:
        ready_at = max(ready_at, datetime.fromisoformat(str(request.eta)).timestamp())
    return time.time() - ready_at


@signals.task_prerun.connect
def log_start(task_id=None, task=None, **_kwargs) -> None:
    waited = _seconds_waited(task.request)
    shown = "?" if waited is None else f"{waited:.3f}"
    flow_logger.info("started %s[%s] waited %s s", task.name, task_id, shown)


@signals.task_postrun.connect
def log_end(task_id=None, task=None, state=None, **_kwargs) -> None:
    flow_logger.info("ended %s[%s] %s", task.name if task else "?", task_id, state)


@signals.task_revoked.connect
def log_revoked(request=None, expired=False, **_kwargs) -> None:
    if request is not None:
        flow_logger.info("ended %s[%s] %s", request.task, request.id, "EXPIRED" if expired else "REVOKED")


app.autodiscover_tasks()
