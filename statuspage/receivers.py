"""What the status pages do when something they show changes elsewhere."""

from django.dispatch import receiver

from communications.signals import public_update_published
from smoketests.signals import monitor_state_changed
from statuspage.services.mailing import queue_update_mails
from statuspage.snapshot import forget_status_pages


@receiver(public_update_published, dispatch_uid="statuspage.update_published")
def mail_and_show_published_update(update, **kwargs) -> None:
    queue_update_mails(update)
    forget_status_pages()


@receiver(monitor_state_changed, dispatch_uid="statuspage.monitor_state_changed")
def show_monitor_state(**kwargs) -> None:
    forget_status_pages()
