"""What the portfolio shows every viewer alike, or one viewer on every visit, kept for a few seconds.

The portfolio is the most visited page. For DASHBOARD_CACHE_SECONDS (0 turns this off) it shares the
freeze banner between viewers and remembers whether a viewer may create releases (the "New release"
button; creating one checks the permission itself). A change to a freeze window or to anyone's
permissions or groups drops what was kept at once in the process that made it (and again when the
change commits); other web processes without a shared cache (CACHE_URL) show it within those
seconds, as they do a monitor's state on the dashboards.
"""

import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from freezes.models import FreezeWindow
from freezes.windows import current_and_upcoming
from golive.permissions import can_create_release

BANNER_CACHE_KEY = "golive:freeze-banner"
BANNER_TEMPLATE = "freezes/_banner.html"
PERMISSIONS_VERSION_KEY = "golive:permissions-version"


def freeze_banner_html() -> SafeString:
    seconds = settings.DASHBOARD_CACHE_SECONDS
    html = cache.get(BANNER_CACHE_KEY) if seconds else None
    if html is None:
        html = render_to_string(BANNER_TEMPLATE, {"freezes": current_and_upcoming()})
        if seconds:
            cache.set(BANNER_CACHE_KEY, html, seconds)
    return mark_safe(html)  # noqa: S308 - our own template's output


def can_create_release_shown(user) -> bool:
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds or not user.is_authenticated:
        return can_create_release(user)
    version = cache.get(PERMISSIONS_VERSION_KEY, "")
    key = (
        f"golive:can-create-release:{version}:{user.pk}:{user.is_active}:{user.is_staff}:{user.is_superuser}"
    )
    allowed = cache.get(key)
    if allowed is None:
        allowed = can_create_release(user)
        cache.set(key, allowed, seconds)
    return allowed


def _forget_banner() -> None:
    cache.delete(BANNER_CACHE_KEY)


def _forget_permissions() -> None:
    cache.set(PERMISSIONS_VERSION_KEY, uuid.uuid4().hex, None)


def _now_and_on_commit(forget) -> None:
    forget()
    # A request in between could keep what the database still held before the commit.
    transaction.on_commit(forget)


@receiver(post_save, sender=FreezeWindow, dispatch_uid="dashboards.portfolio_cache.freeze_saved")
@receiver(post_delete, sender=FreezeWindow, dispatch_uid="dashboards.portfolio_cache.freeze_deleted")
def forget_banner_on_change(**kwargs) -> None:
    _now_and_on_commit(_forget_banner)


@receiver(m2m_changed, sender=get_user_model().user_permissions.through, dispatch_uid="golive.pc.user_perms")
@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="golive.pc.user_groups")
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="golive.pc.group_perms")
@receiver(post_delete, sender=Group, dispatch_uid="golive.pc.group_deleted")
def forget_permissions_on_change(**kwargs) -> None:
    _now_and_on_commit(_forget_permissions)
