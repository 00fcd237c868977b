"""The portfolio's freeze banner, rendered once and shared by every viewer for a few seconds.

The portfolio is the most visited page and the banner the same for everyone, so it is kept in the cache
for DASHBOARD_CACHE_SECONDS (0 turns that off). Saving or deleting a freeze window drops it at once in
that process (and again when the change commits); other web processes without a shared cache
(CACHE_URL) show the change within those seconds, as they do a monitor's state on the dashboards.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from golive.freezes import current_and_upcoming
from golive.models import FreezeWindow

BANNER_CACHE_KEY = "golive:freeze-banner"
BANNER_TEMPLATE = "golive/freezes/_banner.html"


def freeze_banner_html() -> SafeString:
    seconds = settings.DASHBOARD_CACHE_SECONDS
    html = cache.get(BANNER_CACHE_KEY) if seconds else None
    if html is None:
        html = render_to_string(BANNER_TEMPLATE, {"freezes": current_and_upcoming()})
        if seconds:
            cache.set(BANNER_CACHE_KEY, html, seconds)
    return mark_safe(html)  # noqa: S308 - our own template's output


def _forget_banner() -> None:
    cache.delete(BANNER_CACHE_KEY)


@receiver(post_save, sender=FreezeWindow, dispatch_uid="golive.freeze_banner.saved")
@receiver(post_delete, sender=FreezeWindow, dispatch_uid="golive.freeze_banner.deleted")
def forget_banner_on_change(**kwargs) -> None:
    _forget_banner()
    # A request in between could cache what the database still held before the commit.
    transaction.on_commit(_forget_banner)
