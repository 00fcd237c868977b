"""Schemathesis with every check, against gunicorn on PostgreSQL, the way a pipeline would meet the API.

The in-process test (test_schema.py) runs on every pass; this one starts a real server on the test
database with the demo loaded and runs the `schemathesis` command over the whole schema with a valid
token: no server error and no failed check at all, positive data acceptance included. It runs on CI's
PostgreSQL pass; its time is bounded by --max-time.

The fuzzer is told the domain of the two values a schema cannot enumerate: which releases exist (most
generated release ids then address a real one) and which usernames are members of them (an owner must
be one). Everything else it generates from the schema alone.
"""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from golive.models import Release
from integrations.services.api_tokens import create_api_token
from tests.worker import ROOT, database_url_for

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = str(ROOT / ".venv" / "bin" / "schemathesis")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
MAX_EXAMPLES = 10
MAX_SECONDS = 120


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_answering(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {url} within {timeout} s")


def _config(releases: list[int], members: list[str]) -> str:
    return "\n".join(
        [
            "[dictionaries.releases]",
            f"values = {[str(pk) for pk in releases]!r}".replace("'", '"'),
            "[dictionaries.members]",
            f"values = {members!r}".replace("'", '"'),
            "[parameters]",
            '"path.release_pk" = { dictionary = "releases", probability = 0.9 }',
            '"body.owner" = { dictionary = "members", probability = 1.0 }',
            "",
        ]
    )


@pytest.fixture
def live_server_url(postgresql, tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "DEBUG": "false",
        "SECRET_KEY": "schema-test-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp_path / "static"),
        # Fuzzing sends hundreds of calls a minute with one token; the throttle is tested elsewhere.
        "API_TOKEN_RATE": "1000000/minute",
    }
    # With DEBUG off, pages (the 404 page of an unknown path too) need the collected static files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True
    )
    log = open(tmp_path / "gunicorn.log", "wb")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(
        # The request line is left unlimited: generated query strings grow past gunicorn's 4 KB default,
        # which gunicorn refuses itself with an HTML page before the API sees them.
        [GUNICORN, "config.wsgi", f"--bind=127.0.0.1:{port}", "--workers=2", "--threads=4",
         "--limit-request-line=0", "--log-level=warning"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_until_answering(f"http://127.0.0.1:{port}/healthz", server)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()
        print((tmp_path / "gunicorn.log").read_text(errors="replace")[-5000:])


def test_schemathesis_finds_no_server_error_and_no_failed_check(live_server_url, tmp_path):
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    manager = get_user_model().objects.get(username="manager")
    releases = list(Release.objects.order_by("pk").values_list("pk", flat=True))
    # Usernames that are members of every release, so any of them is a valid owner wherever it lands.
    members = sorted(
        set.intersection(
            *(
                set(release.memberships.values_list("user__username", flat=True))
                for release in Release.objects.all()
            )
        )
    )
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(releases, members))
    token = create_api_token(user=manager, name="schemathesis").text
    # One worker thread: Python 3.11's ast module keeps its recursion depth per interpreter, not per thread,
    # and hypothesis parses lambdas' source while describing them, so two threads at once can fail with
    # "SystemError: AST constructor recursion depth mismatch" inside the tool (seen once in CI's pass).
    command = [
        SCHEMATHESIS, "--config-file", str(config), "run", f"{live_server_url}/api/schema/",
        "--checks", "all", "--header", f"Authorization: Bearer {token}",
        "--max-examples", str(MAX_EXAMPLES), "--max-time", str(MAX_SECONDS), "--seed", "1",
        "--workers", "1", "--generation-database", "none", "--no-color",
    ]  # fmt: skip
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=MAX_SECONDS + 120)
    output = result.stdout + result.stderr
    print(output[-3000:])
    selected = re.search(r"Selected: (\d+)/\d+", output)
    tested = re.search(r"Tested: (\d+)", output)
    assert selected and tested and tested[1] == selected[1] and int(tested[1]) >= 14, output[-3000:]
    assert result.returncode == 0, output[-15000:]
