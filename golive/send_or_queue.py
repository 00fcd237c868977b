"""Hand a task to the broker, or leave its row queued for the sweeper: the one way every service does it.

The database row (a smoke run, a webhook delivery, a message, a deployment review) says what is still to
be done; the broker only says "now". When the broker cannot be reached the row stays queued, the
failure is logged, and the periodic sweeper of that row's kind sends it once the broker is back.
Called after the transaction that wrote the row has committed, so a worker always finds the row.
"""

import logging
from collections.abc import Callable

from celery import Task
from kombu.exceptions import KombuError

logger = logging.getLogger(__name__)

# What an unreachable or failing broker raises; anything else is a fault of ours and is raised.
BROKER_ERRORS = (KombuError, OSError, TimeoutError)


def send_or_leave_queued(
    task: Task, *args, what: str, on_unreachable: Callable[[Exception], object] | None = None
) -> bool:
    """True when the broker took the task; False when `what` (e.g. "Smoke run 12") stays queued, after
    `on_unreachable(error)` has recorded it where the row's page shows it."""
    try:
        task.apply_async(args)
    except BROKER_ERRORS as error:
        logger.warning("%s stays queued for the sweeper: the broker is unreachable (%s).", what, error)
        if on_unreachable is not None:
            on_unreachable(error)
        return False
    return True
