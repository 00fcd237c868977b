"""HTTP for smoke checks: one aiohttp session per batch of checks, its connections kept alive per host.

A run asks the same few services thousands of times. aiohttp's connector hands a finished connection to
the next request of the same host, port and TLS context, and parses answers in C, so a check costs a
fraction of a millisecond of CPU rather than a client's set-up and a handshake each.

Every connection is opened through the outbound rule (golive/outbound.py): the host is checked before
every request, each address it resolves to before connecting (`GuardedResolver`), and aiohttp connects
to the addresses the resolver returned. A session lives as long as one batch of checks, so a changed
allow-list or DNS record is seen by the next run. No redirect is followed, no proxy is taken from the
environment and no cookie is kept from one check to the next.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import NamedTuple

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver
from yarl import URL

from golive.outbound import Destination, DestinationRefused, refusal_for_address, refusal_for_host

USER_AGENT = "GoLiveDesk-smoke-check/1"
MAX_HEAD_LINE_BYTES = 64 * 1024
# aiohttp frames the request from the body it sends; a check's own framing headers would contradict it.
FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "connection"})
# Sending these twice does no more than sending them once (RFC 9110, 9.2.2): only they take a kept-alive
# connection, and aiohttp sends them again on a new one when the server closed it meanwhile. Any other
# method gets a connection of its own, so it is neither lost to a keep-alive timeout nor sent twice.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
STALE_CONNECTION_ERRORS = (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)


class Endpoint(NamedTuple):
    """What the per-host limit counts: one scheme, host and port."""

    scheme: str
    host: str
    port: int


@functools.lru_cache(maxsize=16384)
def endpoint_of_url(url: str) -> Endpoint:
    """Where a URL's request goes; ValueError for an unusable URL."""
    parsed = URL(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host.")
    return Endpoint(parsed.scheme, parsed.host.rstrip("."), parsed.port)


class GuardedResolver(AbstractResolver):
    """aiohttp's own resolver, refusing a name when any address it resolves to may not be reached."""

    def __init__(self, destination: Destination):
        self.destination = destination
        self.resolver = DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self.resolver.resolve(host, port, family)
        for result in results:
            if refusal := refusal_for_address(host, result["host"], self.destination):
                raise DestinationRefused(refusal)
        return results

    async def close(self) -> None:
        await self.resolver.close()


class SmokeClient:
    """One aiohttp session for a batch of checks. Made and closed on the loop that runs the checks.

    The connector's limits are a backstop: the caller already runs at most `limit` requests at once and
    `limit_per_host` to one endpoint (see smoketests/probe.py), without a waiting check's clock running.
    The TLS context is part of aiohttp's connection key, so a check that verifies certificates never
    takes a connection a lenient check opened.
    """

    def __init__(
        self,
        *,
        destination: Destination,
        limit: int,
        limit_per_host: int,
        tls_context: Callable[[bool], ssl.SSLContext],
    ):
        self.destination, self.tls_context = destination, tls_context
        self.limit, self.limit_per_host = limit, limit_per_host
        self.session = self._session(force_close=False)
        self.unshared_session: aiohttp.ClientSession | None = None

    def _session(self, *, force_close: bool) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self.limit,
            limit_per_host=self.limit_per_host,
            force_close=force_close,
            resolver=GuardedResolver(self.destination),
        )
        return aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": USER_AGENT},
            skip_auto_headers=("Content-Type",),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,  # the body is decoded as it arrives, within a bound (probe.BoundedBody)
            trust_env=False,
            max_line_size=MAX_HEAD_LINE_BYTES,
            max_field_size=MAX_HEAD_LINE_BYTES,
        )

    @contextlib.asynccontextmanager
    async def request(
        self,
        *,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        verify_tls: bool,
        timeout: float,
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """The request, to be used as `async with`; DestinationRefused before anything is sent to a host
        that may not be requested. `timeout` bounds the whole exchange, reading the body included."""
        endpoint = endpoint_of_url(url)
        if refusal := refusal_for_host(endpoint.host, self.destination):
            raise DestinationRefused(refusal)
        deadline = time.monotonic() + timeout
        headers = {name: value for name, value in headers.items() if name.lower() not in FRAMING_HEADERS}

        def send(session: aiohttp.ClientSession) -> Awaitable[aiohttp.ClientResponse]:
            return session.request(
                method,
                url,
                headers=headers,
                data=body,
                allow_redirects=False,
                ssl=self.tls_context(verify_tls) if endpoint.scheme == "https" else True,
                timeout=aiohttp.ClientTimeout(total=max(deadline - time.monotonic(), 0.001)),
            )

        if method not in IDEMPOTENT_METHODS:
            answer = await send(self._unshared())
        else:
            try:
                answer = await send(self.session)
            except STALE_CONNECTION_ERRORS as error:
                if isinstance(error, aiohttp.ClientConnectorError):
                    raise  # no connection could be opened: not a kept-alive one found closed
                # aiohttp sent it again on another kept-alive connection, and that one had been closed
                # too: the server's keep-alive timeout struck both before this loop heard of it.
                answer = await send(self._unshared())
        async with answer:
            yield answer

    def _unshared(self) -> aiohttp.ClientSession:
        """A session whose every request opens a connection of its own."""
        self.unshared_session = self.unshared_session or self._session(force_close=True)
        return self.unshared_session

    async def close(self) -> None:
        await self.session.close()
        if self.unshared_session is not None:
            await self.unshared_session.close()
