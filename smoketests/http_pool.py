"""HTTP/1.1 with keep-alive for smoke checks: one pool of connections per target host and port.

A run asks the same few services thousands of times. A client per check paid a TCP (and TLS) handshake
and a client's set-up every time, and httpx's shared pool costs more CPU per request the more
connections it holds; these pools hand a finished connection to the next check of the same host for
the price of a list pop. `ConnectionPools` speaks just what checks need: a request with a body of
known length, and an answer framed by Content-Length, chunks, or the end of the connection.

Every connection is opened through the outbound rule (golive/outbound.py): the host is checked
before every request, each address it resolves to before connecting, and the connection is made to
that very address. Pools live as long as one batch of checks, so a changed allow-list or DNS record is
seen by the next run. No redirect is followed and no proxy is used.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import ipaddress
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from email.message import Message
from typing import NamedTuple
from urllib.parse import quote, unquote, urlsplit

from golive.outbound import Destination, DestinationRefused, refusal_for_address, refusal_for_host

USER_AGENT = "GoLiveDesk-smoke-check/1"
MAX_HEAD_BYTES = 64 * 1024
READ_STEP = 64 * 1024
# Sending these twice does no more than sending them once (RFC 9110, 9.2.2): only they are retried on a
# fresh connection when a kept-alive one turns out to have been closed by the server meanwhile.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


class BrokenAnswer(ConnectionError):
    """The server hung up without a complete answer, or what it sent is not HTTP/1.1."""

    nothing_received = False


class Endpoint(NamedTuple):
    """What the per-host limit counts: one scheme, host and port (as aiohttp's limit_per_host does)."""

    scheme: str
    host: str
    port: int


class Target(NamedTuple):
    endpoint: Endpoint
    request_target: str
    host_header: str
    authorization: str | None


@functools.lru_cache(maxsize=16384)
def parse_target(url: str) -> Target:
    """Where a URL's request goes and what its request line says; ValueError for an unusable URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http:// or https:// URL with a host.")
    host = parts.hostname.rstrip(".")
    if not _is_address(host):
        host = host.encode("idna").decode("ascii")
    default_port = 443 if scheme == "https" else 80
    port = parts.port or default_port
    shown = f"[{host}]" if ":" in host else host
    host_header = shown if port == default_port else f"{shown}:{port}"
    request_target = quote(parts.path or "/", safe=_PATH_SAFE)
    if parts.query:
        request_target += "?" + quote(parts.query, safe=_QUERY_SAFE)
    authorization = None
    if parts.username is not None or parts.password is not None:
        credentials = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        authorization = "Basic " + base64.b64encode(credentials.encode()).decode("ascii")
    return Target(Endpoint(scheme, host, port), request_target, host_header, authorization)


@functools.lru_cache(maxsize=4096)
def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=1024)
def charset_of(content_type: str) -> str | None:
    message = Message()
    message["content-type"] = content_type
    return message.get_content_charset(failobj=None)


def encode_request(
    method: str, target: Target, headers: dict[str, str], body: bytes | None
) -> tuple[bytes, dict[str, str]]:
    """The request's head and body as bytes. The check's own headers win over the defaults, as in httpx;
    credentials in the URL set Authorization."""
    fields = {
        "host": ("Host", target.host_header),
        "accept": ("Accept", "*/*"),
        "user-agent": ("User-Agent", USER_AGENT),
    }
    for name, value in headers.items():
        fields[name.lower()] = (name, value)
    if target.authorization:
        fields["authorization"] = ("Authorization", target.authorization)
    fields.pop("transfer-encoding", None)
    fields.pop("connection", None)
    if body or method in ("POST", "PUT", "PATCH"):
        fields["content-length"] = ("Content-Length", str(len(body or b"")))
    else:
        fields.pop("content-length", None)
    lines = [f"{method} {target.request_target} HTTP/1.1"]
    lines.extend(f"{name}: {value}" for name, value in fields.values())
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="strict")
    return head + (body or b""), fields


class Connection:
    __slots__ = ("reader", "writer", "reused")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader, self.writer, self.reused = reader, writer, False

    def idle_and_open(self) -> bool:
        # A server that closed a kept-alive connection has sent EOF; one that sent anything unasked
        # is not speaking HTTP/1.1 as expected. Either way the connection is not used again.
        return not self.writer.is_closing() and not self.reader.at_eof() and not self.reader._buffer

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class Answer:
    """Status and headers of an answer; the body is read with `raw_chunks` (still content-encoded)."""

    __slots__ = ("status", "headers", "_connection", "_framing", "_remaining", "_complete", "_pool_key")

    def __init__(self, status: int, headers: dict[str, str], connection: Connection, framing: str, length):
        self.status, self.headers, self._connection = status, headers, connection
        self._framing, self._remaining, self._complete = framing, length, framing == "none"
        # Where the connection goes back to once the body is read; None: it cannot carry another request.
        self._pool_key = None

    @property
    def charset(self) -> str | None:
        content_type = self.headers.get("content-type")
        return charset_of(content_type) if content_type else None

    async def raw_chunks(self) -> AsyncIterator[bytes]:
        reader = self._connection.reader
        try:
            if self._framing == "length":
                while self._remaining:
                    chunk = await reader.read(min(self._remaining, READ_STEP))
                    if not chunk:
                        raise BrokenAnswer("The server hung up in the middle of the answer's body.")
                    self._remaining -= len(chunk)
                    yield chunk
            elif self._framing == "chunked":
                while True:
                    size_line = await reader.readuntil(b"\r\n")
                    size = int(size_line.split(b";", 1)[0].strip(), 16)
                    if size == 0:
                        while await reader.readuntil(b"\r\n") != b"\r\n":  # trailer fields
                            pass
                        break
                    while size:
                        chunk = await reader.read(min(size, READ_STEP))
                        if not chunk:
                            raise BrokenAnswer("The server hung up in the middle of the answer's body.")
                        size -= len(chunk)
                        yield chunk
                    if await reader.readexactly(2) != b"\r\n":
                        raise BrokenAnswer("The answer's chunked body is malformed.")
            elif self._framing == "close":
                while chunk := await reader.read(READ_STEP):
                    yield chunk
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as error:
            raise BrokenAnswer(f"The answer's body is incomplete or malformed ({error}).") from error
        self._complete = True


class ConnectionPools:
    """Idle kept-alive connections per (endpoint, TLS verification), for the checks of one batch.

    It does not limit how many connections are open: the caller runs at most so many requests per
    endpoint at once (see smoketests/probe.py), and a request holds its connection until it is done.
    """

    def __init__(self, *, tls_context: Callable[[bool], ssl.SSLContext], destination: Destination):
        self.tls_context, self.destination = tls_context, destination
        self.idle: dict[tuple[Endpoint, bool], list[Connection]] = {}
        self.opened = 0

    async def request(
        self,
        *,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        verify_tls: bool,
    ) -> Answer:
        """Send the request and read the answer's head; the caller reads the body, then `release`s it."""
        target = parse_target(url)
        if refusal := refusal_for_host(target.endpoint.host, self.destination):
            raise DestinationRefused(refusal)
        payload, _ = encode_request(method, target, headers, body)
        key = (target.endpoint, verify_tls and target.endpoint.scheme == "https")
        while True:
            connection = self._idle_connection(key) if method in IDEMPOTENT_METHODS else None
            if connection is None:
                connection = await self._connect(target.endpoint, verify_tls)
            try:
                connection.writer.write(payload)
                if len(payload) > READ_STEP:
                    await connection.writer.drain()
                return await self._read_head(connection, method, key)
            except ConnectionError as error:
                connection.close()
                # The server may have closed a kept-alive connection just as it was taken again: if
                # nothing came back, the request is sent once more on a new connection.
                if connection.reused and (
                    error.nothing_received
                    if isinstance(error, BrokenAnswer)
                    else isinstance(error, ConnectionResetError | BrokenPipeError)
                ):
                    continue
                raise
            except BaseException:
                connection.close()
                raise

    def release(self, answer: Answer) -> None:
        """Keep the answer's connection for the next request if it can carry one, else close it."""
        connection = answer._connection
        keep = answer._complete and answer.headers.get("connection", "").lower() != "close"
        key = answer._pool_key
        if keep and key is not None and connection.idle_and_open():
            connection.reused = True
            self.idle.setdefault(key, []).append(connection)
        else:
            connection.close()

    def close(self) -> None:
        for connections in self.idle.values():
            for connection in connections:
                connection.close()
        self.idle.clear()

    def _idle_connection(self, key) -> Connection | None:
        connections = self.idle.get(key)
        while connections:
            connection = connections.pop()
            if connection.idle_and_open():
                return connection
            connection.close()
        return None

    async def _connect(self, endpoint: Endpoint, verify_tls: bool) -> Connection:
        host, port = endpoint.host, endpoint.port
        if _is_address(host):
            addresses = [host]  # checked with the host above
        else:
            loop = asyncio.get_running_loop()
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
            for address in addresses:
                if refusal := refusal_for_address(host, address, self.destination):
                    raise DestinationRefused(refusal)
        tls = self.tls_context(verify_tls) if endpoint.scheme == "https" else None
        failure: BaseException | None = None
        for address in addresses:
            try:
                reader, writer = await asyncio.open_connection(
                    address,
                    port,
                    ssl=tls,
                    server_hostname=host if tls else None,
                    limit=MAX_HEAD_BYTES,
                )
            except OSError as error:
                failure = error
                continue
            self.opened += 1
            return Connection(reader, writer)
        raise failure or ConnectionError(f"{host} has no address.")

    async def _read_head(self, connection: Connection, method: str, key) -> Answer:
        reader = connection.reader
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError as error:
                broken = BrokenAnswer("The server hung up without sending an answer.")
                broken.nothing_received = not error.partial
                raise broken from error
            except asyncio.LimitOverrunError as error:
                raise BrokenAnswer("The answer's head is larger than 64 KB.") from error
            status, version, headers = _parse_head(head)
            if 100 <= status < 200 and status != 101:
                continue  # an interim answer: the real one follows
            break
        if method == "HEAD" or status in (101, 204, 304) or 100 <= status < 200:
            framing, length = "none", 0
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            framing, length = "chunked", None
        elif (declared := headers.get("content-length")) is not None:
            try:
                length = int(declared.split(",")[0])
            except ValueError:
                raise BrokenAnswer(f"The answer's Content-Length is not a number: {declared!r}.") from None
            if length < 0:
                raise BrokenAnswer(f"The answer's Content-Length is negative: {declared!r}.")
            framing = "length" if length else "none"
        else:
            framing, length = "close", None
        answer = Answer(status, headers, connection, framing, length)
        if version == "HTTP/1.1" and framing != "close":
            answer._pool_key = key
        return answer


def _parse_head(head: bytes) -> tuple[int, str, dict[str, str]]:
    try:
        text = head.decode("latin-1")
        status_line, *lines = text[:-4].split("\r\n")
        version, code = status_line.split(" ", 2)[:2]
        status = int(code)
    except ValueError:
        raise BrokenAnswer("The answer does not start with an HTTP status line.") from None
    if not version.startswith("HTTP/1.") or not 100 <= status <= 599:
        raise BrokenAnswer(f"The answer's status line is not HTTP/1.x: {status_line[:80]!r}.")
    headers: dict[str, str] = {}
    for line in lines:
        name, separator, value = line.partition(":")
        if not separator or not name or name != name.strip():
            raise BrokenAnswer(f"The answer has a malformed header line: {line[:80]!r}.")
        name, value = name.lower(), value.strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return status, version, headers
