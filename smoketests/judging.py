"""Judging a check without the network: what its answer must be, and what happened in plain words.

`judge_response` turns an answer the server gave into an outcome and a message; `explain_error` does the
same for a request that got no usable answer. `BoundedBody` reads at most so much of an answer.
"""

from __future__ import annotations

import codecs
import socket
import ssl
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

import aiohttp
import regex

from golive.outbound import refusal_in
from smoketests.choices import MAX_CHECK_TIMEOUT_SECONDS, Outcome

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
    host = urlsplit(spec.url).hostname or spec.url
    if refusal := refusal_in(error):
        return f"Not sent: {refusal}"
    if isinstance(error, UnreadableBody):
        return str(error)
    chain = list(_causes(error))
    text = " ".join(str(item) for item in chain)
    if any(isinstance(item, TimeoutError) for item in chain):
        return f"Timeout: no complete answer within {spec.timeout_seconds:g} s."
    if any(isinstance(item, socket.gaierror) for item in chain) or "Name or service not known" in text:
        return f"DNS failure: the host name {host} could not be resolved."
    # By type only: aiohttp's connection errors name the TLS context ("ssl:<ssl.SSLContext …>") in their text.
    if any(isinstance(item, ssl.SSLError | aiohttp.ClientSSLError) for item in chain):
        detail = next((str(item) for item in chain if isinstance(item, ssl.SSLError)), text)
        return f"TLS error: the secure connection to {host} failed ({detail})."
    if any(isinstance(item, ConnectionRefusedError) for item in chain) or "Connection refused" in text:
        return (
            f"Connection refused: nothing is listening at {host}:{urlsplit(spec.url).port or 'default port'}."
        )
    if any(isinstance(item, ConnectionResetError) for item in chain) or "reset" in text.lower():
        return "Connection reset: the server dropped the connection before answering."
    # The answer broke off, or what came back was not HTTP (aiohttp's parser refused it).
    broken = aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError | aiohttp.ClientResponseError
    if isinstance(error, broken):
        return "Connection closed: the server hung up without a valid HTTP answer."
    # Other socket errors (no route to the host, network unreachable) come from connecting.
    if isinstance(error, OSError):
        return f"Could not connect to {host}: {error}."
    return f"Request failed: {type(error).__name__}: {error}."


def effective_timeout(spec: ProbeSpec) -> float:
    return max(0.1, min(spec.timeout_seconds, MAX_CHECK_TIMEOUT_SECONDS))
