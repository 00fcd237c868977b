"""Real HTTP servers that play a Slack or Teams incoming webhook: each POST is checked against the
service's message schema and refused with 400 when it does not fit, as the services do."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from jsonschema import Draft202012Validator, FormatChecker

from tests.integrations.chat.schemas import SLACK_MESSAGE, TEAMS_MESSAGE


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        server: ChatReceiver = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body = json.loads(raw)
            problems = [error.message for error in server.validator.iter_errors(body)]
        except ValueError:
            body, problems = None, ["invalid JSON"]
        with server.lock:
            if problems:
                server.refused.append(problems)
            else:
                server.accepted.append(body)
        answer = b"ok" if not problems else ("invalid_payload: " + "; ".join(problems)).encode()
        self.send_response(200 if not problems else 400)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class ChatReceiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, service: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        schema = {"slack": SLACK_MESSAGE, "teams": TEAMS_MESSAGE}[service]
        Draft202012Validator.check_schema(schema)
        self.validator = Draft202012Validator(schema, format_checker=FormatChecker())
        self.accepted: list[dict] = []
        self.refused: list[list[str]] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/services/T000/B000/XXXX"

    def __enter__(self) -> "ChatReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
