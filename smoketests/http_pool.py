"""Many monitor checks from one event loop, sharing a few small keep-alive connection pools per target host.

A monitor batch checks the same few hosts over and over: pools per (scheme, host, port, TLS setting)
let the checks of a batch reuse connections instead of opening one each, and the TLS contexts are made
once per process. Pools live for one batch only, so a host taken off SMOKETESTS_ALLOWED_HOSTS is never
reached through a connection opened before the change. What a check means (timeouts, bounded bodies,
judging the answer, plain-words errors) stays in smoketests.probe.
"""

from __future__ import annotations

import asyncio
import queue
import ssl
import threading
import time
from collections.abc import Iterator
from functools import cache, partial
from urllib.parse import urlsplit

import httpx
from django.utils import timezone

from golive.outbound import Destination, guarded_async_transport
from smoketests.choices import Outcome
from smoketests.probe import (
    EXCERPT_CHARS,
    BoundedBody,
    ProbeOutcome,
    ProbeSpec,
    effective_timeout,
    explain_error,
    judge_response,
    request_headers,
    tls_contexts,
)


@cache
def shared_tls_contexts() -> dict[bool, ssl.SSLContext]:
    # Loading certifi's roots costs milliseconds; a context is safe to share between connections.
    return tls_contexts()


# httpcore scans every connection of a pool and every request waiting on it each time a request starts or
# ends, so a pool's CPU cost per request grows with its size. Small pools, several per host, keep each scan
# short while a host still gets POOLS_PER_HOST × CONNECTIONS_PER_POOL requests at a time.
CONNECTIONS_PER_POOL = 3
POOLS_PER_HOST = 4

HostKey = tuple[str, str, int | None, bool]


class HostPools:
    """A few small httpx clients (each its own connection pool) per target host, taken in turn."""

    def __init__(self) -> None:
        self.clients: dict[HostKey, list[httpx.AsyncClient]] = {}
        self.turns: dict[HostKey, list[asyncio.Semaphore]] = {}
        self.next_pool: dict[HostKey, int] = {}

    def pool_for(self, spec: ProbeSpec) -> tuple[asyncio.Semaphore, httpx.AsyncClient]:
        """The next of the host's pools, round robin: (its turn, its client)."""
        url = urlsplit(spec.url)
        key = (url.scheme, url.hostname or "", url.port, spec.verify_tls)
        if key not in self.clients:
            context = shared_tls_contexts()[spec.verify_tls]
            self.clients[key] = [
                httpx.AsyncClient(
                    transport=guarded_async_transport(Destination.SMOKE_CHECK, ssl_context=context),
                    follow_redirects=False,
                    trust_env=False,
                )
                for _ in range(POOLS_PER_HOST)
            ]
            self.turns[key] = [asyncio.Semaphore(CONNECTIONS_PER_POOL) for _ in range(POOLS_PER_HOST)]
            self.next_pool[key] = 0
        index = self.next_pool[key]
        self.next_pool[key] = (index + 1) % POOLS_PER_HOST
        return self.turns[key][index], self.clients[key][index]

    async def close(self) -> None:
        for clients in self.clients.values():
            for client in clients:
                await client.aclose()


async def probe_pooled(client: httpx.AsyncClient, spec: ProbeSpec) -> ProbeOutcome:
    started_at = timezone.now()
    started = time.monotonic()
    timeout = effective_timeout(spec)

    async def request() -> tuple[int, str, bool]:
        async with client.stream(
            spec.method,
            spec.url,
            headers=request_headers(spec),
            content=spec.body.encode() if spec.body else None,
            timeout=httpx.Timeout(timeout),
        ) as response:
            body = BoundedBody(response.headers.get("Content-Encoding", ""))
            async for chunk in response.aiter_raw():
                body.feed(chunk)
                if body.full:
                    break
            return response.status_code, body.text(response.charset_encoding), body.truncated or body.full

    try:
        # As in smoketests.probe: httpx bounds each phase, wait_for bounds their sum.
        status, text, truncated = await asyncio.wait_for(request(), timeout=timeout)
    except Exception as error:  # every failure becomes a result, never an exception out of the batch
        return ProbeOutcome(
            key=spec.key,
            outcome=Outcome.ERROR,
            message=explain_error(error, spec),
            latency_ms=round((time.monotonic() - started) * 1000),
            started_at=started_at,
            finished_at=timezone.now(),
        )
    latency_ms = round((time.monotonic() - started) * 1000)
    judge = partial(
        judge_response, spec, status, text, latency_ms, truncated=truncated, match_deadline=started + timeout
    )
    outcome, message = await asyncio.to_thread(judge) if spec.body_regex else judge()
    return ProbeOutcome(
        key=spec.key,
        outcome=outcome,
        message=message,
        http_status=status,
        latency_ms=latency_ms,
        response_excerpt=text[:EXCERPT_CHARS],
        started_at=started_at,
        finished_at=timezone.now(),
    )


async def _probe_batch(specs: list[ProbeSpec], concurrency: int, deliver) -> None:
    semaphore = asyncio.Semaphore(concurrency)
    pools = HostPools()

    async def bounded(spec: ProbeSpec) -> None:
        async with semaphore:
            turn, client = pools.pool_for(spec)
            async with turn:
                deliver(await probe_pooled(client, spec))

    try:
        await asyncio.gather(*(bounded(spec) for spec in specs))
    finally:
        await pools.close()


_DONE = object()


def stream_pooled_outcomes(
    specs: list[ProbeSpec], *, concurrency: int, collect_for: float = 0.05
) -> Iterator[list[ProbeOutcome]]:
    """Yields the outcomes completed so far, in groups: the loop runs in a background thread, the caller
    stores each group in its own thread (where the ORM is safe) while the other checks go on.

    After the first outcome of a group it waits `collect_for` seconds for more, so a batch of fast
    checks is stored in a few transactions rather than one per check.
    """
    if not specs:
        return
    handed_over: queue.SimpleQueue = queue.SimpleQueue()
    failure: list[BaseException] = []

    def run_loop() -> None:
        try:
            asyncio.run(_probe_batch(specs, max(1, concurrency), handed_over.put))
        except BaseException as error:  # re-raised in the caller's thread below
            failure.append(error)
        finally:
            handed_over.put(_DONE)

    thread = threading.Thread(target=run_loop, name="monitor-probes", daemon=True)
    thread.start()
    finished = False
    while not finished:
        group = [handed_over.get()]
        until = time.monotonic() + collect_for
        while group[-1] is not _DONE and (left := until - time.monotonic()) > 0:
            try:
                group.append(handed_over.get(timeout=left))
            except queue.Empty:
                break
        finished = group[-1] is _DONE
        if outcomes := [item for item in group if item is not _DONE]:
            yield outcomes
    thread.join()
    if failure:
        raise failure[0]
