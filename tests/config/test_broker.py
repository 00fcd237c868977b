"""A message the broker cannot decode is dropped with a log line; the real worker goes on with the next task.

The worker test runs on this session's broker: the embedded SQLite one, or Redis when CELERY_BROKER_URL points
at it (CI).
"""

import time
from datetime import datetime, timedelta

import pytest
from kombu import Connection

from config.celery import app, broker_transport_options
from smoketests.tasks import reap_smoke_runs
from tests.worker import embedded_broker_url

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


@pytest.mark.django_db(transaction=True)
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


def test_messages_taken_more_than_a_day_ago_are_deleted_from_the_sqlite_broker(tmp_path):
    url = embedded_broker_url(tmp_path)
    with Connection(url, transport_options=broker_transport_options(url)) as connection:
        channel = connection.default_channel
        queue = channel._get_or_create("celery")
        message = channel.message_cls

        def stored(payload: str, *, visible: bool, age: timedelta):
            row = message(payload, queue)
            row.visible, row.sent_at = visible, datetime.now() - age
            return row

        channel.session.add_all(
            [
                stored("taken two days ago", visible=False, age=timedelta(days=2)),
                stored("taken an hour ago", visible=False, age=timedelta(hours=1)),
                stored("waiting for two days", visible=True, age=timedelta(days=2)),
            ]
        )
        channel.session.commit()

        channel._prune_taken_messages()

        left = sorted(row.payload for row in channel.session.query(message))
        assert left == ["taken an hour ago", "waiting for two days"]
