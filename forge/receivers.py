"""Ask the forges' waiting deployments again when golive says the deploy gate changed."""

import logging
from functools import partial

from django.db import transaction
from django.dispatch import receiver

from forge.services import BROKER_ERRORS
from golive.signals import deploy_gate_changed

logger = logging.getLogger(__name__)


def _queue_reevaluation(release_id: int | None) -> None:
    from forge.tasks import reevaluate_deployment_reviews

    try:
        reevaluate_deployment_reviews.apply_async((release_id,))
    except BROKER_ERRORS as error:
        logger.warning("Waiting deployments are left to the sweeper: the broker is unreachable (%s).", error)


@receiver(deploy_gate_changed, dispatch_uid="forge.reevaluate_on_gate_change")
def reevaluate_on_gate_change(sender, release_id: int | None, **kwargs) -> None:
    transaction.on_commit(partial(_queue_reevaluation, release_id))
