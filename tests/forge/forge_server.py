"""A real HTTP server that plays GitHub's and GitLab's API for the endpoints GoLive Desk calls.

GitHub: POST /app/installations/{id}/access_tokens checks the app's JWT with the app's public key (RS256,
issuer = app id, at most ten minutes long) and hands out an installation token; POST
/repos/{owner}/{repo}/actions/runs/{run}/deployment_protection_rule accepts a review only with a token it
handed out and a body of environment_name, state (approved/rejected) and comment.
GitLab: POST /api/v4/projects/{id}/deployments/{deployment}/approval accepts only the PRIVATE-TOKEN it
was given and a status of approved/rejected. Every call is recorded, accepted or refused.
"""

import json
import re
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt


@dataclass(frozen=True)
class Call:
    path: str
    headers: dict[str, str]
    body: dict | None
    status: int


_TOKEN_PATH = re.compile(r"^/app/installations/(\d+)/access_tokens$")
_REVIEW_PATH = re.compile(r"^/repos/[^/]+/[^/]+/actions/runs/\d+/deployment_protection_rule$")
_APPROVAL_PATH = re.compile(r"^/api/v4/projects/[^/]+/deployments/\d+/approval$")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def _answer(self, status: int, body: dict | None, call_body) -> None:
        server: ForgeServer = self.server
        with server.lock:
            server.calls.append(Call(self.path, dict(self.headers.items()), call_body, status))
        raw = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self):
        server: ForgeServer = self.server
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return self._answer(400, {"message": "Problems parsing JSON"}, None)
        with server.lock:
            failure = server.failures.pop(0) if server.failures else None
        if failure:
            return self._answer(failure, {"message": "Server Error"}, body)
        if match := _TOKEN_PATH.match(self.path):
            return self._installation_token(int(match.group(1)), body)
        if _REVIEW_PATH.match(self.path):
            return self._github_review(body)
        if _APPROVAL_PATH.match(self.path):
            return self._gitlab_approval(body)
        return self._answer(404, {"message": "Not Found"}, body)

    def _bearer(self) -> str:
        value = self.headers.get("Authorization", "")
        return value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""

    def _installation_token(self, installation_id: int, body) -> None:
        server: ForgeServer = self.server
        try:
            claims = jwt.decode(
                self._bearer(),
                server.github_public_key,
                algorithms=["RS256"],
                issuer=server.github_app_id,
                options={"require": ["iat", "exp", "iss"]},
            )
        except jwt.PyJWTError as error:
            return self._answer(401, {"message": f"A JSON web token could not be decoded: {error}"}, body)
        if claims["exp"] - claims["iat"] > 600:
            return self._answer(
                401, {"message": "'Expiration time' claim ('exp') is too far in the future"}, body
            )
        token = "ghs_" + secrets.token_hex(16)
        server.installation_tokens[token] = installation_id
        return self._answer(201, {"token": token, "expires_at": "2099-01-01T00:00:00Z"}, body)

    def _github_review(self, body) -> None:
        server: ForgeServer = self.server
        if self._bearer() not in server.installation_tokens:
            return self._answer(401, {"message": "Bad credentials"}, body)
        valid = (
            isinstance(body, dict)
            and set(body) <= {"environment_name", "state", "comment"}
            and isinstance(body.get("environment_name"), str)
            and body.get("state") in ("approved", "rejected")
            and isinstance(body.get("comment", ""), str)
        )
        return self._answer(204 if valid else 422, None if valid else {"message": "Invalid request."}, body)

    def _gitlab_approval(self, body) -> None:
        server: ForgeServer = self.server
        if self.headers.get("PRIVATE-TOKEN") != server.gitlab_token:
            return self._answer(401, {"message": "401 Unauthorized"}, body)
        if not isinstance(body, dict) or body.get("status") not in ("approved", "rejected"):
            return self._answer(400, {"message": "status does not have a valid value"}, body)
        return self._answer(201, {"status": body["status"], "comment": body.get("comment")}, body)


class ForgeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, *, github_app_id: str, github_public_key: str, gitlab_token: str):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.github_app_id = github_app_id
        self.github_public_key = github_public_key
        self.gitlab_token = gitlab_token
        self.installation_tokens: dict[str, int] = {}
        self.failures: list[int] = []
        self.calls: list[Call] = []
        self.lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def calls_to(self, pattern: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if re.search(pattern, call.path)]

    def __enter__(self) -> "ForgeServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()
        self.server_close()
