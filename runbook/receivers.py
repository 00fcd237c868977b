"""The runbook listens to golive: a sent message completes the "send communication" step that drafted it.

Connected in RunbookConfig.ready().
"""

from django.dispatch import receiver

from golive.signals import communication_sent
from runbook.services.execution import message_sent


@receiver(communication_sent, dispatch_uid="runbook.communication_sent")
def complete_step_of_sent_message(sender, communication, **kwargs) -> None:
    if communication.runbook_step_id:
        message_sent(communication)
