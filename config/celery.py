"""The Celery application. Every delivery guarantee is set here, once.

Tasks are acknowledged only after they finish (acks_late) and are re-queued when the worker process
dies (reject_on_worker_lost), so a killed worker loses nothing; tasks therefore must be safe to run
twice, and the services they call claim their work with conditional updates. Callers dispatch with
`task.delay_on_commit(...)` so no task ever runs against rows a rolled-back transaction never wrote.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("golive_desk")
app.config_from_object("django.conf:settings", namespace="CELERY")


def _filesystem_transport_options() -> dict:
    from django.conf import settings

    folder = settings.CELERY_FILESYSTEM_DIR
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        # Broadcast (control) messages too, or kombu writes them to ./control in the working directory.
        "control_folder": str(folder / "control"),
        "store_processed": False,
        # The broker is a folder that workers poll; once a second (kombu's default) made monitor checks
        # start seconds late. Listing a folder five times a second costs next to nothing.
        "polling_interval": 0.2,
    }


app.conf.update(
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
    # Fail fast when the broker is down so a page can say "no worker reachable" instead of hanging.
    broker_connection_timeout=3,
    broker_connection_max_retries=1,
    timezone=os.environ.get("TIME_ZONE", "UTC"),
)

if app.conf.broker_url.startswith("filesystem://"):
    app.conf.broker_transport_options = _filesystem_transport_options()
else:
    # Redis: give a task longer than its hard time limit before the broker re-delivers it.
    app.conf.broker_transport_options = {"visibility_timeout": 3600}

app.autodiscover_tasks()
