"""A message the broker cannot decode is dropped with a log line; the real worker goes on with the next task.

Runs on this session's broker: the embedded SQLite one, or Redis when CELERY_BROKER_URL points at it (CI).
"""

import time

import pytest

from config.celery import app
from smoketests.tasks import reap_smoke_runs

pytestmark = pytest.mark.django_db(transaction=True)

UNDECODABLE = b'{"body": "truncated in the middle of a wri'


def put_undecodable_message(queue: str) -> None:
    """Writes raw bytes where kombu expects a JSON envelope, as a half-written message would look."""
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        if connection.transport_cls == "redis":
            channel.client.lpush(queue, UNDECODABLE)
        else:
            channel.session.add(channel.message_cls(UNDECODABLE, channel._get_or_create(queue)))
            channel.session.commit()


def wait_for_log(worker, text: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in worker.log():
            return
        assert worker.process.poll() is None, f"The worker exited:\n{worker.log()}"
        time.sleep(0.1)
    raise AssertionError(f"{text!r} not in the worker's log within {timeout} s:\n{worker.log()}")


def test_an_undecodable_message_is_dropped_and_the_worker_takes_the_next_task(
    start_celery_worker, isolated_celery_broker
):
    worker = start_celery_worker()
    put_undecodable_message(isolated_celery_broker.queue)
    wait_for_log(worker, "cannot be decoded", timeout=20)

    task_id = reap_smoke_runs.delay().id
    wait_for_log(worker, f"[{task_id}] succeeded", timeout=20)
    assert worker.process.poll() is None
    assert "Unrecoverable error" not in worker.log()
