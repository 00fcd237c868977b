"""What smoke tests do when other parts of GoLive Desk tell them something. Connected in apps.ready()."""

from django.dispatch import receiver
from django.utils import timezone

from handover.signals import handover_completed
from smoketests.services.monitors import end_monitoring_after_handover


@receiver(handover_completed, dispatch_uid="smoketests.end_monitoring_after_handover")
def end_monitoring_when_handover_completes(sender, plan, **kwargs) -> None:
    """Open-ended monitors ("until handover complete + 7 days") get their end now."""
    end_monitoring_after_handover(release=plan.release, completed_at=timezone.now())
