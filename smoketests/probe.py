"""HTTP probing without the database: run many checks concurrently and say in plain words what happened.

`stream_outcomes` runs the requests on an asyncio loop in a background thread and hands each outcome
back to the calling thread as soon as it completes, so the caller (a Celery task) keeps doing all of
its database work in its own thread, where Django's ORM is safe to use.
"""

from __future__ import annotations

import asyncio
import codecs
import contextlib
import functools
import queue
import socket
import ssl
import threading
import time
import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

import certifi
import httpx
import regex
from django.conf import settings
from django.utils import timezone

from golive.outbound import Destination, refusal_in
from smoketests.choices import MAX_CHECK_TIMEOUT_SECONDS, Outcome
from smoketests.http_pool import BrokenAnswer, ConnectionPools, Endpoint, parse_target

EXCERPT_CHARS = 500
# Enough of the body to match against, counted after decompression: a check never holds more than this
# of an answer in memory, however large (or however well compressed) the answer is.
MAX_BODY_BYTES = 1024 * 1024
# A regular expression gets what is left of the check's timeout, and at least this long.
MIN_MATCH_SECONDS = 0.25


@dataclass(frozen=True)
class ProbeSpec:
    key: int
    method: str
    url: str
    status_ranges: tuple[tuple[int, int], ...] = ((200, 200),)
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    body_contains: str = ""
    body_regex: str = ""
    max_latency_ms: int | None = None
    timeout_seconds: float = 10.0
    verify_tls: bool = True


@dataclass
class ProbeOutcome:
    key: int
    outcome: str
    message: str = ""
    http_status: int | None = None
    latency_ms: int | None = None
    response_excerpt: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None


def describe_statuses(ranges: tuple[tuple[int, int], ...]) -> str:
    return ", ".join(str(low) if low == high else f"{low}-{high}" for low, high in ranges)


class UnreadableBody(Exception):
    """The answer's body is in an encoding a check cannot undo within its memory bound."""


class BoundedBody:
    """Undoes a body's Content-Encoding (gzip, deflate, or several) as the bytes arrive and keeps at most
    `limit` decoded bytes: a small answer that inflates to gigabytes costs no more than `limit`."""

    STEP = 64 * 1024

    def __init__(self, content_encoding: str, limit: int = MAX_BODY_BYTES):
        codings = [part.strip().lower() for part in content_encoding.split(",") if part.strip()]
        self.layers = []
        # Listed in the order they were applied, so undone last first.
        for coding in reversed(codings):
            if coding in ("gzip", "x-gzip"):
                self.layers.append(zlib.decompressobj(zlib.MAX_WBITS | 16))
            elif coding == "deflate":
                self.layers.append(zlib.decompressobj(zlib.MAX_WBITS))
            elif coding != "identity":
                raise UnreadableBody(
                    f"Unreadable answer: its body is encoded as “{coding}”, which checks cannot decode; "
                    "ask for gzip, deflate or identity in an Accept-Encoding header."
                )
        self.limit = limit
        self.data = bytearray()
        self.truncated = False

    @property
    def full(self) -> bool:
        return len(self.data) >= self.limit

    def feed(self, chunk: bytes) -> None:
        try:
            self._push(0, chunk)
        except zlib.error as error:
            raise UnreadableBody(f"Unreadable answer: its compressed body is corrupt ({error}).") from None

    def _push(self, index: int, chunk: bytes) -> None:
        if index == len(self.layers):
            room = self.limit - len(self.data)
            self.truncated = self.truncated or len(chunk) > room
            self.data += chunk[:room]
            return
        layer = self.layers[index]
        while not self.full and not layer.eof:
            decoded = layer.decompress(chunk, self.STEP)
            chunk = layer.unconsumed_tail
            self._push(index + 1, decoded)
            # A full step may leave decoded bytes inside zlib even when all input was taken: go on.
            if not chunk and len(decoded) < self.STEP:
                break

    def text(self, encoding: str | None) -> str:
        try:
            codecs.lookup(encoding or "utf-8")
        except LookupError:
            encoding = "utf-8"
        return bytes(self.data).decode(encoding or "utf-8", errors="replace")


def _cap_note(truncated: bool) -> str:
    megabytes = MAX_BODY_BYTES // (1024 * 1024)
    return f" (only its first {megabytes} MB, decompressed, is read)" if truncated else ""


def regex_matches(pattern: str, text: str, *, timeout: float) -> bool:
    """Search with a time bound: a pattern that backtracks without end raises TimeoutError instead.

    `regex` counts the bound in the process's CPU time, so on a starved machine it takes longer by the
    clock, never more work. `concurrent` releases the GIL, so the other checks (and the worker's lease
    renewal) go on meanwhile.
    """
    return regex.search(pattern, text, timeout=timeout, concurrent=True) is not None


def judge_response(
    spec: ProbeSpec,
    status: int,
    text: str,
    latency_ms: int,
    *,
    truncated: bool = False,
    match_deadline: float | None = None,
) -> tuple[str, str]:
    """(outcome, message) for an answer the server did give."""
    if not any(low <= status <= high for low, high in spec.status_ranges):
        return (
            Outcome.FAILED,
            f"Wrong status: expected {describe_statuses(spec.status_ranges)}, got {status}.",
        )
    if spec.body_contains and spec.body_contains not in text:
        return (
            Outcome.FAILED,
            f"Body mismatch: the response does not contain “{spec.body_contains}”{_cap_note(truncated)}.",
        )
    if spec.body_regex:
        if match_deadline is None:
            match_deadline = time.monotonic() + effective_timeout(spec)
        try:
            matched = regex_matches(
                spec.body_regex, text, timeout=max(MIN_MATCH_SECONDS, match_deadline - time.monotonic())
            )
        except TimeoutError:
            return (
                Outcome.FAILED,
                f"Body check too slow: matching /{spec.body_regex}/ did not finish within the check's "
                f"timeout ({spec.timeout_seconds:g} s); simplify the regular expression.",
            )
        if not matched:
            return (
                Outcome.FAILED,
                f"Body mismatch: the response does not match /{spec.body_regex}/{_cap_note(truncated)}.",
            )
    if spec.max_latency_ms is not None and latency_ms > spec.max_latency_ms:
        return (
            Outcome.FAILED,
            f"Too slow: answered in {latency_ms} ms, the limit is {spec.max_latency_ms} ms.",
        )
    return Outcome.PASSED, f"HTTP {status} in {latency_ms} ms."


def _causes(error: BaseException) -> Iterator[BaseException]:
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__cause__ or error.__context__


def explain_error(error: BaseException, spec: ProbeSpec) -> str:
    """The reason a request got no usable answer, in words an on-call person understands."""
    from urllib.parse import urlsplit

    host = urlsplit(spec.url).hostname or spec.url
    if refusal := refusal_in(error):
        return f"Not sent: {refusal}"
    if isinstance(error, UnreadableBody):
        return str(error)
    chain = list(_causes(error))
    text = " ".join(str(item) for item in chain)
    if isinstance(error, TimeoutError | httpx.TimeoutException) or any(
        isinstance(item, TimeoutError | httpx.TimeoutException) for item in chain
    ):
        return f"Timeout: no complete answer within {spec.timeout_seconds:g} s."
    if any(isinstance(item, socket.gaierror) for item in chain) or "Name or service not known" in text:
        return f"DNS failure: the host name {host} could not be resolved."
    if any(isinstance(item, ssl.SSLError) for item in chain) or "SSL" in text or "certificate" in text:
        detail = next((str(item) for item in chain if isinstance(item, ssl.SSLError)), text)
        return f"TLS error: the secure connection to {host} failed ({detail})."
    if any(isinstance(item, ConnectionRefusedError) for item in chain) or "Connection refused" in text:
        return (
            f"Connection refused: nothing is listening at {host}:{urlsplit(spec.url).port or 'default port'}."
        )
    if any(isinstance(item, ConnectionResetError) for item in chain) or "reset" in text.lower():
        return "Connection reset: the server dropped the connection before answering."
    if isinstance(error, httpx.RemoteProtocolError | BrokenAnswer):
        return "Connection closed: the server hung up without a valid HTTP answer."
    # Other socket errors (no route to the host, network unreachable) come from connecting.
    if isinstance(error, httpx.ConnectError | OSError):
        return f"Could not connect to {host}: {error}."
    return f"Request failed: {type(error).__name__}: {error}."


def effective_timeout(spec: ProbeSpec) -> float:
    return max(0.1, min(spec.timeout_seconds, MAX_CHECK_TIMEOUT_SECONDS))


def request_headers(spec: ProbeSpec) -> dict[str, str]:
    # Only the encodings BoundedBody can undo while counting, unless the check asks for others itself.
    if any(name.lower() == "accept-encoding" for name in spec.headers):
        return spec.headers
    return {"Accept-Encoding": "gzip, deflate", **spec.headers}


async def probe_one(pools: ConnectionPools, spec: ProbeSpec) -> ProbeOutcome:
    started_at = timezone.now()
    started = time.monotonic()
    timeout = effective_timeout(spec)

    async def request() -> tuple[int, str, bool]:
        answer = await pools.request(
            method=spec.method,
            url=spec.url,
            headers=request_headers(spec),
            body=spec.body.encode() if spec.body else None,
            verify_tls=spec.verify_tls,
        )
        try:
            body = BoundedBody(answer.headers.get("content-encoding", ""))
            async for chunk in answer.raw_chunks():
                body.feed(chunk)
                if body.full:
                    break
        finally:
            # Read to its end, the connection serves the next check of the host; cut short, it is closed.
            pools.release(answer)
        return answer.status, body.text(answer.charset), body.truncated or body.full

    try:
        # One bound for the whole exchange (connecting, sending, each read): a slow drip never outlives it.
        async with asyncio.timeout(timeout):
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
        return parse_target(spec.url).endpoint
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
    pools = ConnectionPools(tls_context=tls_context, destination=Destination.SMOKE_CHECK)
    running: set[asyncio.Task] = set()
    all_done = asyncio.get_running_loop().create_future()
    remaining = len(specs)

    def launch() -> None:
        while ready and len(running) < concurrency:
            host = ready.popleft()
            task = asyncio.create_task(probe_one(pools, waiting[host].popleft()))
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
        pools.close()


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
