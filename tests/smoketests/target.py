"""A real HTTP server on 127.0.0.1 for checks to hit: each path misbehaves in one known way."""

import asyncio
import functools
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


class TargetHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # keep test output quiet
        pass

    def _answer(self, status: int, body: str) -> None:
        encoded = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(encoded)

    def _send(self, status: int, body: bytes, content_type: str, encoding: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client stopped reading, as it should
            self.close_connection = True

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        self.server.hits.append(url.path)
        if url.path == "/fast":
            self._answer(200, "OK: portal healthy, version 2.4.0")
        elif url.path == "/slow":
            time.sleep(int(query.get("ms", ["300"])[0]) / 1000)
            self._answer(200, "OK: portal healthy, but slowly")
        elif url.path == "/error":
            self._answer(500, "Internal Server Error: database unavailable")
        elif url.path == "/wrong-body":
            self._answer(200, "Down for maintenance")
        elif url.path == "/hang":
            # Holds the connection open without answering until the server shuts down.
            self.server.stopping.wait(30)
        elif url.path == "/reset":
            # SO_LINGER with a zero timeout makes close() send a TCP reset instead of a clean FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
        elif url.path == "/echo-header":
            self._answer(200, f"token={self.headers.get('X-Smoke-Token', '')}")
        elif url.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif url.path == "/echo-host":
            self._answer(200, f"host={self.headers.get('Host', '')}")
        elif url.path == "/echo-agent":
            self._answer(200, f"agent={self.headers.get('User-Agent', '')}")
        elif url.path == "/letters":
            # Harmless text on which a catastrophically backtracking pattern such as (a|aa)+$ never ends.
            self._answer(200, "a" * 64 + "!")
        elif url.path == "/nul":
            # A healthy page with a NUL, other control bytes and bytes that are not UTF-8.
            self._send(200, b"OK: portal healthy\x00\x01\x1b[31m\xff\xfe\xc3(", "text/plain; charset=utf-8")
        elif url.path == "/gzip":
            self._send(200, gzip_body(b"OK: portal healthy, compressed"), "text/plain", encoding="gzip")
        elif url.path == "/gzip-bomb":
            # About 1 MB on the wire that inflates to 1 GB of zeros.
            self._send(200, gzip_bomb(1024), "text/plain", encoding="gzip")
        else:
            self._answer(404, "Not found")

    do_HEAD = do_GET

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        received = self.rfile.read(length).decode()
        self.server.posts.append((self.path, received))
        self._answer(201, f"received {received}")


class TargetServer(ThreadingHTTPServer):
    daemon_threads = True
    # Many checks connect at once; the default backlog of 5 would make the kernel drop SYNs.
    request_queue_size = 1024

    def __init__(self, tls_files: tuple[Path, Path] | None = None):
        super().__init__(("127.0.0.1", 0), TargetHandler)
        self.hits: list[str] = []
        self.posts: list[tuple[str, str]] = []
        self.stopping = threading.Event()
        if tls_files:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*map(str, tls_files))
            self.socket = context.wrap_socket(self.socket, server_side=True)
        self.scheme = "https" if tls_files else "http"

    def handle_error(self, request, client_address):
        # A check stops reading a huge answer and hangs up, as it should; that is no error of the server.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> "TargetServer":
        threading.Thread(target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


def gzip_body(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


@functools.cache
def gzip_bomb(megabytes: int) -> bytes:
    """A valid gzip body of `megabytes` MB of zeros, about 1 KB per MB, built in well under a second.

    One megabyte of zeros is deflated once and ended with a full flush, which leaves a byte-aligned
    block that refers to nothing before it, so repeating it is a valid deflate stream.
    """
    zeros = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    last_block = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS).flush()
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(zeros, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
    trailer = struct.pack("<II", crc, (megabytes * len(zeros)) & 0xFFFFFFFF)
    return header + block * megabytes + last_block + trailer


def unused_port() -> int:
    """A port nothing listens on: bound and closed again, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    certificate, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return certificate, key


class CountingServer:
    """An asyncio HTTP/1.1 server in its own thread that counts connections (opened, open now, most open
    at once) and requests (received, being answered, most answered at once). Every answer comes after
    `delay_ms`.

    Paths: `/ok` (Content-Length), `/chunked` (chunked transfer coding), `/http10` (HTTP/1.0, the body
    ends with the connection), `/close-quietly` (answers as if keeping the connection, then closes it),
    `/drop-second` (closes a connection without answering its second request).
    """

    def __init__(self, delay_ms: int = 0):
        self.delay = delay_ms / 1000
        self.opened = self.open_now = self.most_open = self.requests = 0
        self.answering = self.most_answering = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=2048)
        )
        self.port = self.server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()

    async def _serve(self, reader, writer) -> None:
        self.opened += 1
        self.open_now += 1
        self.most_open = max(self.most_open, self.open_now)
        on_this_connection = 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                on_this_connection += 1
                if on_this_connection == 2 and b" /drop-second " in head:
                    break  # as a server whose keep-alive timeout struck as the request came in
                self.requests += 1
                self.answering += 1
                self.most_answering = max(self.most_answering, self.answering)
                try:
                    await asyncio.sleep(self.delay)
                finally:
                    self.answering -= 1
                path = head.split(b" ", 2)[1]
                if path == b"/chunked":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"4\r\nOK: \r\n10;note=x\r\nportal healthy, \r\n7\r\nchunked\r\n"
                        b"0\r\nX-Done: 1\r\n\r\n"
                    )
                elif path == b"/http10":
                    writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
                    writer.write(b"OK: portal healthy, 1.0")
                    await writer.drain()
                    break
                else:
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 18\r\n\r\nOK: portal healthy")
                await writer.drain()
                if path == b"/close-quietly":
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.open_now -= 1
            writer.close()

    def url(self, path: str = "/ok") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> "CountingServer":
        self.thread.start()
        self.ready.wait(10)
        return self

    async def _shut_down(self) -> None:
        self.server.close()
        connections = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in connections:
            task.cancel()
        await asyncio.gather(*connections, return_exceptions=True)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shut_down(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
