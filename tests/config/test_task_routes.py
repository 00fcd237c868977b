"""Monitor dispatch ticks have a queue of their own beside the default queue; everything else stays there."""

import configparser

from config.celery import app
from tests.worker import ROOT


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_monitor_dispatch_ticks_go_to_their_own_queue_named_after_the_default_one():
    default = app.conf.task_default_queue

    assert queue_of("smoketests.dispatch_due_monitors") == f"{default}.monitor-dispatch"
    for task_name in (
        "smoketests.check_monitor_slots",
        "smoketests.execute_smoke_run",
        "golive.deliver_webhook",
    ):
        assert queue_of(task_name) == default


def test_the_embedded_worker_consumes_the_default_queue_so_the_dispatch_queue_too():
    supervisord = configparser.RawConfigParser()
    supervisord.read(ROOT / "config/supervisord.conf")
    command = supervisord.get("program:worker", "command").split()

    # No -Q: it consumes the default queue, and with it (config.celery) the monitor dispatch queue.
    assert not any(part in ("-Q", "--queues") or part.startswith("--queues=") for part in command)
