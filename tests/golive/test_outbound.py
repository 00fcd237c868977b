"""Which hosts smoke checks, monitors and webhooks may reach: decided by one rule, on the name when a URL is
saved and again on every resolved address when a request is made."""

import asyncio
import socket

import anyio
import httpx
import pytest

from golive.outbound import Destination, guarded_transport, refusal_for_url, storable_text
from smoketests.choices import Outcome
from smoketests.probe import ProbeSpec, stream_outcomes
from tests.smoketests.target import TargetServer

CHECK, WEBHOOK = Destination.SMOKE_CHECK, Destination.WEBHOOK
METADATA = "a link-local or cloud metadata address"
NON_PUBLIC = "a loopback, private or other non-public address"


@pytest.mark.parametrize(
    ("destination", "url", "refused_because"),
    [
        (CHECK, "http://169.254.169.254/latest/meta-data/", METADATA),
        (CHECK, "http://169.254.170.2/v2/credentials", METADATA),
        (CHECK, "http://[fd00:ec2::254]/latest/meta-data/", METADATA),
        (CHECK, "http://[::ffff:169.254.169.254]/", METADATA),
        (CHECK, "http://[fe80::1]/", METADATA),
        (CHECK, "http://127.0.0.1:8000/health", None),
        (CHECK, "http://10.20.30.40/health", None),
        (CHECK, "https://portal.example.com/", None),
        (WEBHOOK, "http://169.254.169.254/latest/meta-data/", METADATA),
        (WEBHOOK, "http://127.0.0.1:9000/hook", NON_PUBLIC),
        (WEBHOOK, "http://[::1]/hook", NON_PUBLIC),
        (WEBHOOK, "http://0.0.0.0/hook", NON_PUBLIC),
        (WEBHOOK, "http://10.1.2.3/hook", NON_PUBLIC),
        (WEBHOOK, "http://172.16.0.9/hook", NON_PUBLIC),
        (WEBHOOK, "http://192.168.1.20/hook", NON_PUBLIC),
        (WEBHOOK, "http://100.64.0.1/hook", NON_PUBLIC),
        (WEBHOOK, "https://hooks.example.com/golive", None),
    ],
)
def test_by_default_metadata_is_refused_to_both_and_non_public_addresses_to_webhooks(
    destination, url, refused_because
):
    refusal = refusal_for_url(url, destination)
    if refused_because is None:
        assert refusal is None
    else:
        assert refused_because in refusal


def test_the_messages_name_the_host_the_reason_and_the_way_out():
    assert refusal_for_url("http://169.254.169.254/latest/meta-data/", WEBHOOK) == (
        "Webhooks may not be sent to 169.254.169.254: it is a link-local or cloud metadata address "
        "(allowed only when WEBHOOK_ALLOWED_HOSTS names 169.254.169.254)."
    )
    assert refusal_for_url("http://127.0.0.1:9000/hook", WEBHOOK) == (
        "Webhooks may not be sent to 127.0.0.1: it is a loopback, private or other non-public address "
        "(allowed only when WEBHOOK_ALLOWED_HOSTS names 127.0.0.1)."
    )


def test_an_allow_list_names_every_host_and_lifts_the_address_rules_for_the_hosts_it_names(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".example.com"]
    assert refusal_for_url("http://127.0.0.1:9000/hook", WEBHOOK) is None
    assert refusal_for_url("http://localhost:9000/hook", WEBHOOK) is None
    assert refusal_for_url("https://ci.example.com/hook", WEBHOOK) is None
    assert refusal_for_url("http://10.1.2.3/hook", WEBHOOK) == (
        "Webhooks may not be sent to 10.1.2.3: it is not in WEBHOOK_ALLOWED_HOSTS."
    )
    settings.SMOKETESTS_ALLOWED_HOSTS = ["169.254.169.254"]
    assert refusal_for_url("http://169.254.169.254/latest/meta-data/", CHECK) is None
    assert refusal_for_url("https://portal.example.com/", CHECK) == (
        "Checks may not target portal.example.com: it is not in SMOKETESTS_ALLOWED_HOSTS."
    )


@pytest.fixture(scope="module")
def target():
    server = TargetServer().start()
    yield server
    server.stop()


def probe(url: str, **fields):
    (outcome,) = [o for batch in stream_outcomes([ProbeSpec(key=1, method="GET", url=url, **fields)],
                                                 concurrency=1) for o in batch]  # fmt: skip
    return outcome


@pytest.fixture
def dns_answers(monkeypatch):
    """Answers for made-up names, as a DNS server would give them; other names resolve as usual. Both
    resolvers are answered: anyio's (webhooks, through httpx) and the event loop's (smoke checks, through
    aiohttp's resolver)."""
    answers: dict[str, str] = {}

    def answering(real, takes_self: bool):
        async def getaddrinfo(*args, **kwargs):
            host, port = args[1:3] if takes_self else args[:2]
            if host in answers:
                family = socket.AF_INET6 if ":" in answers[host] else socket.AF_INET
                return [(family, socket.SOCK_STREAM, 6, "", (answers[host], port))]
            return await real(*args, **kwargs)

        return getaddrinfo

    monkeypatch.setattr(anyio, "getaddrinfo", answering(anyio.getaddrinfo, takes_self=False))
    loop_class = asyncio.BaseEventLoop
    monkeypatch.setattr(loop_class, "getaddrinfo", answering(loop_class.getaddrinfo, takes_self=True))
    return answers


def test_a_name_that_resolves_to_a_metadata_address_is_refused_before_connecting(dns_answers):
    dns_answers["metadata.example.test"] = "169.254.169.254"
    outcome = probe("http://metadata.example.test/latest/meta-data/", timeout_seconds=5)
    assert outcome.outcome == Outcome.ERROR
    assert outcome.message == (
        "Not sent: Checks may not target metadata.example.test: it is at 169.254.169.254, a link-local or "
        "cloud metadata address (allowed only when SMOKETESTS_ALLOWED_HOSTS names metadata.example.test)."
    )
    assert outcome.latency_ms < 1000  # refused at once, not a connection attempt left to time out


def test_the_check_connects_to_the_address_it_checked_and_keeps_the_host_name(dns_answers, target):
    dns_answers["portal.example.test"] = "127.0.0.1"
    port = target.server_address[1]
    outcome = probe(f"http://portal.example.test:{port}/echo-host", body_contains="portal.example.test")
    assert outcome.outcome == Outcome.PASSED, outcome.message


def test_a_redirect_is_an_answer_never_followed_so_every_connection_is_a_checked_one(target):
    outcome = probe(target.url("/to-metadata"), timeout_seconds=5)
    assert (outcome.outcome, outcome.http_status) == (Outcome.FAILED, 302)
    assert outcome.message == "Wrong status: expected 200, got 302."


def test_a_webhook_to_a_name_on_a_loopback_address_is_refused_after_resolving_it(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = []
    assert refusal_for_url("http://localhost:9/hook", WEBHOOK) is None  # the name alone says nothing
    with (
        httpx.Client(transport=guarded_transport(WEBHOOK, ssl_context=httpx.create_ssl_context())) as client,
        pytest.raises(httpx.ConnectError, match="Webhooks may not be sent to localhost: it is at 127.0.0.1"),
    ):
        client.post("http://localhost:9/hook")


def test_text_from_another_host_is_stored_without_control_characters():
    assert (
        storable_text("OK\x00 \x07bell\x1b[0m\ttab\nline\r\n\ud800end\x7f") == "OK bell[0m\ttab\nline\r\n?end"
    )
