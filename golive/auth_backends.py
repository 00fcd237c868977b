"""Authentication backends: django-axes' lock-out check in front of Django's own user check."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings


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
