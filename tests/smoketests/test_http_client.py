"""Kept-alive connections per host and the per-host limit, measured by real servers counting connections."""

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from golive.outbound import Destination
from smoketests.choices import Outcome
from smoketests.http_client import SmokeClient, endpoint_of_url
from smoketests.probe import ProbeSpec, stream_outcomes, tls_context
from tests.config.test_settings import _manage, _settings_value
from tests.smoketests.target import CountingServer


@pytest.fixture
def counting_server():
    servers = []

    def start(delay_ms: int = 0) -> CountingServer:
        servers.append(CountingServer(delay_ms=delay_ms).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def probe_all(specs, **limits) -> dict[int, object]:
    return {outcome.key: outcome for batch in stream_outcomes(specs, **limits) for outcome in batch}


def checks(server: CountingServer, count: int, path: str = "/ok", first_key: int = 0, **fields):
    fields.setdefault("body_contains", "healthy")
    fields.setdefault("method", "GET")
    return [ProbeSpec(key=first_key + n, url=server.url(path), **fields) for n in range(count)]


def test_checks_of_one_host_reuse_its_kept_alive_connections(counting_server):
    server = counting_server(delay_ms=10)
    outcomes = probe_all(checks(server, 60), concurrency=50, per_host_limit=4)
    assert {outcome.outcome for outcome in outcomes.values()} == {Outcome.PASSED}
    assert server.requests == 60
    # Four at a time, each on a connection handed on from check to check: never a new one per check.
    assert server.opened == 4
    assert server.most_open == 4


def test_the_per_host_limit_holds_for_each_host_and_one_host_does_not_wait_for_another(counting_server):
    first, second = counting_server(delay_ms=50), counting_server(delay_ms=50)
    specs = checks(first, 30) + checks(second, 30, first_key=100)
    outcomes = probe_all(specs, concurrency=100, per_host_limit=5)
    assert len(outcomes) == 60
    assert {outcome.outcome for outcome in outcomes.values()} == {Outcome.PASSED}
    for server in (first, second):
        assert (server.requests, server.most_answering, server.most_open, server.opened) == (30, 5, 5, 5)


def test_the_overall_bound_holds_across_hosts(counting_server):
    servers = [counting_server(delay_ms=30) for _ in range(3)]
    specs = [spec for n, server in enumerate(servers) for spec in checks(server, 8, first_key=n * 100)]
    peak = []

    def watch(stop: threading.Event) -> None:
        while not stop.is_set():
            peak.append(sum(server.answering for server in servers))
            time.sleep(0.002)

    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(stop,))
    watcher.start()
    outcomes = probe_all(specs, concurrency=4, per_host_limit=3)
    stop.set()
    watcher.join()
    assert len(outcomes) == 24
    assert {outcome.outcome for outcome in outcomes.values()} == {Outcome.PASSED}
    assert max(peak) <= 4
    assert all(server.most_answering <= 3 and server.opened <= 3 for server in servers)


def test_checks_with_and_without_tls_verification_never_share_a_connection(tls_target):
    lenient = ProbeSpec(key=1, method="GET", url=tls_target.url("/fast"), verify_tls=False)
    verifying = ProbeSpec(key=2, method="GET", url=tls_target.url("/fast"))
    # One at a time to the host: the verifying check comes after the lenient one's connection is idle.
    outcomes = probe_all([lenient, verifying], concurrency=2, per_host_limit=1)
    assert outcomes[1].outcome == Outcome.PASSED
    assert outcomes[2].outcome == Outcome.ERROR
    assert "CERTIFICATE_VERIFY_FAILED" in outcomes[2].message


def test_the_limit_counts_per_scheme_host_and_port():
    endpoint = endpoint_of_url("https://portal.example.com/health")
    assert endpoint == endpoint_of_url("https://PORTAL.example.com:443/other")
    assert endpoint != endpoint_of_url("http://portal.example.com/health")
    assert endpoint != endpoint_of_url("https://portal.example.com:8443/health")


def test_chunked_and_connection_delimited_answers_are_read_whole(counting_server):
    server = counting_server()
    outcomes = probe_all(
        checks(server, 3, "/chunked", body_contains="portal healthy, chunked")
        + checks(server, 3, "/http10", first_key=10, body_contains="portal healthy, 1.0"),
        concurrency=10,
        per_host_limit=1,
    )
    assert {key: outcome.outcome for key, outcome in outcomes.items()} == dict.fromkeys(
        [0, 1, 2, 10, 11, 12], Outcome.PASSED
    )
    assert outcomes[0].response_excerpt == "OK: portal healthy, chunked"
    assert outcomes[10].response_excerpt == "OK: portal healthy, 1.0"


def test_a_kept_alive_connection_the_server_closed_is_replaced_without_failing_a_check(counting_server):
    server = counting_server()
    # The server answers as if it kept each connection, then closes it: a reused one is found closed.
    outcomes = probe_all(checks(server, 12, "/close-quietly"), concurrency=10, per_host_limit=2)
    assert {outcome.outcome for outcome in outcomes.values()} == {Outcome.PASSED}
    assert server.requests == 12


def test_a_request_dropped_on_a_kept_alive_connection_is_sent_again_on_a_new_one(counting_server):
    server = counting_server()
    outcomes = probe_all(checks(server, 6, "/drop-second"), concurrency=6, per_host_limit=1)
    assert {outcome.outcome for outcome in outcomes.values()} == {Outcome.PASSED}
    assert (server.requests, server.opened) == (6, 6)


def test_a_check_whose_every_kept_alive_connection_was_closed_is_sent_on_a_new_one(counting_server):
    server = counting_server()
    url = server.url("/drop-second")

    async def two_at_once_then_one() -> list[int]:
        client = SmokeClient(
            destination=Destination.SMOKE_CHECK, limit=2, limit_per_host=2, tls_context=tls_context
        )

        async def status() -> int:
            async with client.request(
                method="GET", url=url, headers={}, body=None, verify_tls=True, timeout=5
            ) as answer:
                await answer.read()
                return answer.status

        try:
            # Two kept-alive connections, each of which the server drops at its next request: the
            # third check meets one, is sent again on the other, and needs a third.
            first_two = await asyncio.gather(status(), status())
            return [*first_two, await status()]
        finally:
            await client.close()

    # A loop of its own, in a thread: the browser tests leave one running in this thread.
    with ThreadPoolExecutor(1) as runner:
        statuses = runner.submit(asyncio.run, two_at_once_then_one()).result()
    assert statuses == [200, 200, 200]
    assert (server.requests, server.opened) == (3, 3)


def test_a_listener_that_stops_listening_stops_the_probing_and_closes_its_connections(counting_server):
    server = counting_server(delay_ms=400)
    batches = stream_outcomes(checks(server, 40), concurrency=40, per_host_limit=4, idle_every=0.05)
    received = []
    for batch in batches:
        received.extend(batch)
        if received:
            break
    batches.close()
    deadline = time.monotonic() + 5
    while server.open_now and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.open_now == 0
    # Requests already on the wire when the listener stopped may still be counted; none may start after.
    requests_when_stopped = server.requests
    time.sleep(0.5)
    assert server.requests == requests_when_stopped < 40


def test_the_per_host_limit_comes_from_the_environment_with_a_safe_default():
    setting = "settings.SMOKETESTS_MAX_CONNECTIONS_PER_HOST"
    assert _settings_value(setting, {}) == "200"
    assert _settings_value(setting, {"SMOKETESTS_MAX_CONNECTIONS_PER_HOST": "8"}) == "8"
    refused = _manage("check", env_overrides={"SMOKETESTS_MAX_CONNECTIONS_PER_HOST": "0"})
    assert refused.returncode != 0
    assert "SMOKETESTS_MAX_CONNECTIONS_PER_HOST must be at least 1." in refused.stderr


def test_a_post_is_sent_on_a_new_connection_and_never_twice(counting_server):
    server = counting_server()
    # The server drops the second request of a connection: a POST given a kept-alive one would fail, and
    # sending it again could do its work twice.
    specs = checks(server, 3, "/drop-second", body_contains="", method="POST")
    outcomes = probe_all(specs, concurrency=3, per_host_limit=1)
    assert {outcome.outcome for outcome in outcomes.values()} == {Outcome.PASSED}
    assert (server.requests, server.opened) == (3, 3)


def test_checks_name_themselves_in_the_user_agent_unless_they_set_their_own(target):
    url = target.url("/echo-agent")
    own = ProbeSpec(key=2, method="GET", url=url, headers={"user-agent": "pipeline/2"})
    outcomes = probe_all([ProbeSpec(key=1, method="GET", url=url), own], concurrency=2)
    assert outcomes[1].response_excerpt == "agent=GoLiveDesk-smoke-check/1"
    assert outcomes[2].response_excerpt == "agent=pipeline/2"
