"""Requests GoLive Desk makes to other hosts (smoke checks, monitors, webhooks): which may be made, and
how what comes back is stored.

`refusal_for_url` is the one answer to "may this URL be requested?". Forms and services ask it when a
check or webhook is saved, for a clear field error; the transports below ask it again for every
connection, on each address the host name resolves to, and then connect to that very address. So a
stored URL whose host is no longer allowed, a name that resolves to a cloud metadata address, or a name
re-pointed between the check and the connection reaches nothing. Neither checks nor webhooks follow
redirects and no proxy is taken from the environment, so every connection made is one checked here.

The rule:
- an allow-list that is set (SMOKETESTS_ALLOWED_HOSTS, WEBHOOK_ALLOWED_HOSTS) names every host that may
  be requested: an exact name or address, or `.example.com` for the domain and below;
- link-local and cloud metadata addresses (169.254.0.0/16, fe80::/10, fd00:ec2::254) are refused unless
  the allow-list names that exact host;
- webhooks also refuse loopback, private and other non-public addresses unless the allow-list names the
  host (`WEBHOOK_ALLOWED_HOSTS=127.0.0.1,localhost` for a receiver on the same machine).
"""

import contextlib
import functools
import ipaddress
import socket
import ssl
from enum import StrEnum
from urllib.parse import urlsplit

import anyio
import httpcore
import httpx
from django.conf import settings


class Destination(StrEnum):
    SMOKE_CHECK = "smoke check"
    WEBHOOK = "webhook"


REFUSED = {
    Destination.SMOKE_CHECK: "Checks may not target",
    Destination.WEBHOOK: "Webhooks may not be sent to",
}
ALLOW_LIST_SETTINGS = {
    Destination.SMOKE_CHECK: "SMOKETESTS_ALLOWED_HOSTS",
    Destination.WEBHOOK: "WEBHOOK_ALLOWED_HOSTS",
}

# Instance metadata services answer with cloud credentials to whoever asks from inside.
METADATA_NETWORKS = (
    ipaddress.ip_network("169.254.0.0/16"),
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)


class DestinationRefused(httpcore.ConnectError):
    """Raised by the transports instead of connecting; the message says why in plain words."""


def allow_list(destination: Destination) -> list[str]:
    return [entry.strip().lower() for entry in getattr(settings, ALLOW_LIST_SETTINGS[destination], [])]


def _normalised_host(host: str) -> str:
    return host.strip("[]").rstrip(".").lower()


def _host_listed(host: str, entries: list[str]) -> bool:
    return any(
        host == entry or (entry.startswith(".") and (host == entry[1:] or host.endswith(entry)))
        for entry in entries
    )


@functools.lru_cache(maxsize=4096)  # asked for every connection; the same few hosts come back
def _as_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def refusal_for_host(host: str, destination: Destination) -> str | None:
    """Why `host` may not be requested by name (the allow-list, a literal address), or None."""
    host = _normalised_host(host)
    entries = allow_list(destination)
    if entries and not _host_listed(host, entries):
        return f"{REFUSED[destination]} {host}: it is not in {ALLOW_LIST_SETTINGS[destination]}."
    if (address := _as_address(host)) is not None:
        return refusal_for_address(host, str(address), destination)
    return None


def refusal_for_address(host: str, address: str, destination: Destination) -> str | None:
    """Why `host`, resolved to `address`, may not be connected to, or None."""
    host = _normalised_host(host)
    ip = _as_address(address)
    if ip is None:
        return f"{REFUSED[destination]} {host}: it resolved to {address}, which is not an IP address."
    entries = allow_list(destination)
    where = "it is" if host == str(ip) else f"it is at {ip},"
    setting = ALLOW_LIST_SETTINGS[destination]
    if any(ip in network for network in METADATA_NETWORKS) and host not in entries:
        return (
            f"{REFUSED[destination]} {host}: {where} a link-local or cloud metadata address "
            f"(allowed only when {setting} names {host})."
        )
    non_public = not ip.is_global or ip.is_multicast
    if destination == Destination.WEBHOOK and non_public and not _host_listed(host, entries):
        return (
            f"{REFUSED[destination]} {host}: {where} a loopback, private or other non-public address "
            f"(allowed only when {setting} names {host})."
        )
    return None


def refusal_for_url(url: str, destination: Destination) -> str | None:
    """Why `url` may not be requested, as far as can be told without resolving its host, or None."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return "The URL cannot be read."
    if not host:
        return "The URL has no host."
    return refusal_for_host(host, destination)


def refusal_in(error: BaseException) -> DestinationRefused | None:
    """The refusal behind an httpx error, if a refusal was its cause."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DestinationRefused):
            return error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return None


def _allowed_addresses(host: str, infos, destination: Destination) -> list[str]:
    """The addresses `host` resolved to (getaddrinfo's answer), each checked: one refused refuses all."""
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        if refusal := refusal_for_address(host, address, destination):
            raise DestinationRefused(refusal)
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address.")
    return addresses


class _GuardedAsyncBackend(httpcore.AsyncNetworkBackend):
    """Resolves the host itself, checks every address, then connects to a checked address."""

    def __init__(self, destination: Destination):
        self.destination = destination
        self.backend = httpcore.AnyIOBackend()

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if refusal := refusal_for_host(host, self.destination):
            raise DestinationRefused(refusal)
        if _as_address(host) is not None:  # a literal address: checked above, nothing to resolve
            return await self.backend.connect_tcp(
                host, port, timeout=timeout, local_address=local_address, socket_options=socket_options
            )
        try:
            with anyio.fail_after(timeout):
                infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except TimeoutError as error:
            raise httpcore.ConnectTimeout(f"Resolving {host} took too long.") from error
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        *others, last = _allowed_addresses(host, infos, self.destination)
        for address in others:
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return await self.backend.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
        return await self.backend.connect_tcp(
            last, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def sleep(self, seconds: float) -> None:
        await self.backend.sleep(seconds)


class _GuardedSyncBackend(httpcore.NetworkBackend):
    """The same for the blocking client webhooks are sent with."""

    def __init__(self, destination: Destination):
        self.destination = destination
        self.backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if refusal := refusal_for_host(host, self.destination):
            raise DestinationRefused(refusal)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise httpcore.ConnectError(str(error)) from error
        *others, last = _allowed_addresses(host, infos, self.destination)
        for address in others:
            with contextlib.suppress(httpcore.ConnectError, httpcore.ConnectTimeout):
                return self.backend.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
        return self.backend.connect_tcp(
            last, port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    def sleep(self, seconds: float) -> None:
        self.backend.sleep(seconds)


class _GuardedAsyncTransport(httpx.AsyncHTTPTransport):
    """httpx's transport (exception mapping, streaming) over a connection pool with the guarded backend.

    httpx's transports take no network backend of their own, so this sets the pool its methods use and
    skips the parent's __init__, which would build a pool only to throw it away. httpx is pinned in
    requirements.txt, which keeps that attribute where it is.
    """

    def __init__(self, destination: Destination, ssl_context: ssl.SSLContext):
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context, network_backend=_GuardedAsyncBackend(destination)
        )


class _GuardedTransport(httpx.HTTPTransport):
    """The same for the blocking client."""

    def __init__(self, destination: Destination, ssl_context: ssl.SSLContext):
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context, network_backend=_GuardedSyncBackend(destination)
        )


def guarded_async_transport(
    destination: Destination, *, ssl_context: ssl.SSLContext
) -> httpx.AsyncHTTPTransport:
    return _GuardedAsyncTransport(destination, ssl_context)


def guarded_transport(destination: Destination, *, ssl_context: ssl.SSLContext) -> httpx.HTTPTransport:
    return _GuardedTransport(destination, ssl_context)


_UNSTORABLE = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def storable_text(text: str) -> str:
    """Text from another host made safe to store and show: no NUL or other control characters (the
    database refuses NUL, terminals and logs misread the rest), no unpaired surrogates. Tabs and line
    breaks stay."""
    return text.translate(_UNSTORABLE).encode("utf-8", errors="replace").decode("utf-8")
