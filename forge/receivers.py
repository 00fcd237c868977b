"""Ask the forges' waiting deployments again when golive says the deploy gate changed."""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import receiver

from golive.send_or_queue import send_or_leave_queued
from golive.signals import deploy_gate_changed

logger = logging.getLogger(__name__)


def _queue_reevaluation(release_id: int | None) -> None:
    from forge.tasks import reevaluate_deployment_reviews

    send_or_leave_queued(reevaluate_deployment_reviews, release_id, what="Re-asking waiting deployments")


@receiver(deploy_gate_changed, dispatch_uid="forge.reevaluate_on_gate_change")
def reevaluate_on_gate_change(sender, release_id: int | None, **kwargs) -> None:
    transaction.on_commit(partial(_queue_reevaluation, release_id))
