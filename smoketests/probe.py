"""HTTP probing without the database: run many checks concurrently, judge each answer as it comes.

`stream_outcomes` runs the requests on an asyncio loop in a background thread and hands each outcome
back to the calling thread as soon as it completes, so the caller (a Celery task) keeps doing all of
its database work in its own thread, where Django's ORM is safe to use. How an answer is judged, and
how a failure is worded, is in smoketests/judging.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import queue
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from functools import partial

import certifi
from django.conf import settings
from django.utils import timezone

from golive.outbound import Destination
from smoketests.choices import Outcome
from smoketests.http_client import Endpoint, SmokeClient, endpoint_of_url
from smoketests.judging import (
    EXCERPT_CHARS,
    BoundedBody,
    ProbeOutcome,
    ProbeSpec,
    effective_timeout,
    explain_error,
    judge_response,
)


def request_headers(spec: ProbeSpec) -> dict[str, str]:
    # Only the encodings BoundedBody can undo while counting, unless the check asks for others itself.
    if any(name.lower() == "accept-encoding" for name in spec.headers):
        return spec.headers
    return {"Accept-Encoding": "gzip, deflate", **spec.headers}


async def probe_one(client: SmokeClient, spec: ProbeSpec) -> ProbeOutcome:
    started_at = timezone.now()
    started = time.monotonic()
    timeout = effective_timeout(spec)

    async def request() -> tuple[int, str, bool]:
        # One bound for the whole exchange (connecting, sending, each read): a slow drip never outlives it.
        async with client.request(
            method=spec.method,
            url=spec.url,
            headers=request_headers(spec),
            body=spec.body.encode() if spec.body else None,
            verify_tls=spec.verify_tls,
            timeout=timeout,
        ) as answer:
            # Read to its end, the connection serves the next check of the host; cut short, it is closed.
            body = BoundedBody(", ".join(answer.headers.getall("Content-Encoding", ())))
            async for chunk in answer.content.iter_any():
                body.feed(chunk)
                if body.full:
                    break
            return answer.status, body.text(answer.charset), body.truncated or body.full

    try:
        status, text, truncated = await request()
    except Exception as error:  # every failure becomes a result, never an exception out of the run
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
    # A regular expression may take up to the check's timeout; in a thread, the other checks go on.
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


@functools.cache
def tls_context(verify_tls: bool) -> ssl.SSLContext:
    """Certificates checked against certifi's roots, or not checked at all.

    Made once per process, when a check first needs it: loading the roots costs tens of milliseconds
    of CPU, which a run of plain-http checks would otherwise wait for every time.
    """
    if verify_tls:
        return ssl.create_default_context(cafile=certifi.where())
    lenient = ssl.create_default_context()
    lenient.check_hostname = False
    lenient.verify_mode = ssl.CERT_NONE
    return lenient


def endpoint_of(spec: ProbeSpec) -> Endpoint | str:
    try:
        return endpoint_of_url(spec.url)
    except ValueError:
        return spec.url  # probe_one turns the unusable URL into the check's error


async def _probe_all(specs: list[ProbeSpec], concurrency: int, per_host_limit: int, deliver) -> None:
    """Probe every spec: at most `concurrency` at once, and at most `per_host_limit` at once to any one
    host and port, so a large suite never floods one service. A check waiting for its host's turn
    neither holds a place among the `concurrency` nor counts towards its own latency or timeout."""
    waiting: dict[object, deque[ProbeSpec]] = {}
    for spec in specs:
        waiting.setdefault(endpoint_of(spec), deque()).append(spec)
    in_flight_per_host = dict.fromkeys(waiting, 0)
    ready = deque(waiting)  # hosts with checks waiting and room for one more
    client = SmokeClient(
        destination=Destination.SMOKE_CHECK,
        limit=concurrency,
        limit_per_host=per_host_limit,
        tls_context=tls_context,
    )
    running: set[asyncio.Task] = set()
    all_done = asyncio.get_running_loop().create_future()
    remaining = len(specs)

    def launch() -> None:
        while ready and len(running) < concurrency:
            host = ready.popleft()
            task = asyncio.create_task(probe_one(client, waiting[host].popleft()))
            in_flight_per_host[host] += 1
            running.add(task)
            task.add_done_callback(partial(finished, host))
            if waiting[host] and in_flight_per_host[host] < per_host_limit:
                ready.append(host)

    def finished(host, task: asyncio.Task) -> None:
        nonlocal remaining
        running.discard(task)
        in_flight_per_host[host] -= 1
        if waiting[host] and in_flight_per_host[host] == per_host_limit - 1:
            ready.append(host)
        if task.cancelled() or all_done.done():
            return
        if (error := task.exception()) is not None:
            all_done.set_exception(error)
            return
        deliver(task.result())
        remaining -= 1
        if remaining:
            launch()
        else:
            all_done.set_result(None)

    try:
        launch()
        await all_done
    finally:
        for task in running:
            task.cancel()
        await client.close()


_DONE = object()


def stream_outcomes(
    specs: list[ProbeSpec],
    *,
    concurrency: int,
    per_host_limit: int | None = None,
    idle_every: float = 2.0,
) -> Iterator[list[ProbeOutcome]]:
    """Yields the outcomes completed since the last yield, as soon as there is at least one, and an
    empty list every `idle_every` seconds with nothing new.

    Batches let the caller store many results in one transaction; the empty ticks let it renew its
    lease while slow checks are still running. A caller that stops iterating (its run was taken over,
    its task is ending) stops the probing too: requests in flight are abandoned, connections closed.
    `per_host_limit` defaults to SMOKETESTS_MAX_CONNECTIONS_PER_HOST.
    """
    if not specs:
        return
    if per_host_limit is None:
        per_host_limit = settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST
    handed_over: queue.SimpleQueue = queue.SimpleQueue()
    failure: list[BaseException] = []
    started: queue.SimpleQueue = queue.SimpleQueue()

    async def probe_all() -> None:
        started.put((asyncio.get_running_loop(), asyncio.current_task()))
        await _probe_all(specs, max(1, concurrency), max(1, per_host_limit), handed_over.put)

    def run_loop() -> None:
        try:
            asyncio.run(probe_all())
        except asyncio.CancelledError:
            pass  # the caller stopped listening
        except BaseException as error:  # re-raised in the caller's thread below
            failure.append(error)
        finally:
            handed_over.put(_DONE)

    thread = threading.Thread(target=run_loop, name="smoke-probes", daemon=True)
    thread.start()
    loop, main_task = started.get()
    finished = False
    try:
        while not finished:
            try:
                batch = [handed_over.get(timeout=idle_every)]
            except queue.Empty:
                yield []
                continue
            while True:
                try:
                    batch.append(handed_over.get_nowait())
                except queue.Empty:
                    break
            finished = batch[-1] is _DONE
            outcomes = [item for item in batch if item is not _DONE]
            if outcomes:
                yield outcomes
    finally:
        if not finished:
            with contextlib.suppress(RuntimeError):  # the loop may have just ended by itself
                loop.call_soon_threadsafe(main_task.cancel)
        thread.join()
    if failure:
        raise failure[0]
