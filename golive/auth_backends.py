"""Authentication backends: django-axes' lock-out check in front of Django's own user check, and the
one-query permission read in front of both."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses log-ins over HTTP while the address or the username is locked out.

    A check made by the product's own code without a request (a management command, the shell) comes from
    no address and is not throttled; axes would otherwise raise for it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str | None:
    """The address log-in failures are counted against.

    Behind LOGIN_PROXY_COUNT reverse proxies, each appends the address it received from to
    X-Forwarded-For, so the client is the LOGIN_PROXY_COUNT-th entry from the right; anything further left
    was written by the client and is not trusted. Without proxies it is the connection's own address.
    """
    proxies = settings.LOGIN_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class OneQueryPermissionsBackend(ModelBackend):
    """Reads a user's permissions, their own and their groups', in one query instead of ModelBackend's two.

    It checks no password (the backends behind it do) but loads a session's user as ModelBackend does. It
    fills the cache ModelBackend keeps on the user object (`_perm_cache`), so
    ModelBackend and the single sign-on backend behind it answer from the same set. The portfolio asks
    whether the user may create releases on every load.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        return None

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list("content_type__app_label", "codename")
            }
        return user_obj._perm_cache
