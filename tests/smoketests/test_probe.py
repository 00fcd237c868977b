"""Each way a real server can misbehave gives the right outcome and a message in plain words."""

import time

import pytest

from golive.outbound import storable_text
from smoketests.choices import Outcome
from smoketests.judging import BoundedBody, ProbeSpec, UnreadableBody
from smoketests.probe import stream_outcomes
from tests.smoketests.target import gzip_body, gzip_bomb, unused_port


def probe(*specs: ProbeSpec, concurrency: int = 10) -> dict[int, object]:
    batches = stream_outcomes(list(specs), concurrency=concurrency)
    return {outcome.key: outcome for batch in batches for outcome in batch}


def spec(key: int, url: str, **fields) -> ProbeSpec:
    return ProbeSpec(key=key, method=fields.pop("method", "GET"), url=url, **fields)


def test_fast_200_passes_with_latency_and_excerpt(target):
    outcome = probe(spec(1, target.url("/fast"), body_contains="healthy", body_regex=r"version \d+\.\d+"))[1]
    assert outcome.outcome == Outcome.PASSED
    assert outcome.http_status == 200
    assert 0 <= outcome.latency_ms < 1000
    assert outcome.response_excerpt.startswith("OK: portal healthy")
    assert outcome.message.startswith("HTTP 200 in")


def test_500_is_a_wrong_status(target):
    outcome = probe(spec(1, target.url("/error")))[1]
    assert (outcome.outcome, outcome.http_status) == (Outcome.FAILED, 500)
    assert outcome.message == "Wrong status: expected 200, got 500."
    assert "database unavailable" in outcome.response_excerpt


def test_a_status_range_accepts_500_when_asked(target):
    assert probe(spec(1, target.url("/error"), status_ranges=((500, 599),)))[1].outcome == Outcome.PASSED


def test_wrong_body_is_a_body_mismatch(target):
    outcome = probe(spec(1, target.url("/wrong-body"), body_contains="healthy"))[1]
    assert outcome.outcome == Outcome.FAILED
    assert outcome.message == "Body mismatch: the response does not contain “healthy”."
    regex = probe(spec(2, target.url("/wrong-body"), body_regex=r"^OK"))[2]
    assert regex.message == "Body mismatch: the response does not match /^OK/."


def test_slow_answer_over_the_latency_limit_fails(target):
    outcome = probe(spec(1, target.url("/slow?ms=300"), max_latency_ms=100))[1]
    assert outcome.outcome == Outcome.FAILED
    assert outcome.message.startswith("Too slow: answered in ")
    assert outcome.latency_ms >= 300


def test_a_hanging_server_times_out_at_the_check_timeout(target):
    started = time.monotonic()
    outcome = probe(spec(1, target.url("/hang"), timeout_seconds=0.5))[1]
    assert outcome.outcome == Outcome.ERROR
    assert outcome.message == "Timeout: no complete answer within 0.5 s."
    assert time.monotonic() - started < 2


def test_a_reset_connection_is_reported(target):
    outcome = probe(spec(1, target.url("/reset")))[1]
    assert outcome.outcome == Outcome.ERROR
    assert outcome.message.startswith(("Connection reset", "Connection closed"))


def test_nothing_listening_is_connection_refused():
    port = unused_port()
    outcome = probe(spec(1, f"http://127.0.0.1:{port}/"))[1]
    assert outcome.outcome == Outcome.ERROR
    assert outcome.message == f"Connection refused: nothing is listening at 127.0.0.1:{port}."


def test_an_unknown_host_is_a_dns_failure():
    outcome = probe(spec(1, "http://no-such-host.invalid/health"))[1]
    assert outcome.outcome == Outcome.ERROR
    assert outcome.message == "DNS failure: the host name no-such-host.invalid could not be resolved."


def test_an_untrusted_certificate_is_a_tls_error_unless_verification_is_off(tls_target):
    refused = probe(spec(1, tls_target.url("/fast")))[1]
    assert refused.outcome == Outcome.ERROR
    assert refused.message.startswith("TLS error: the secure connection to 127.0.0.1 failed")
    assert "CERTIFICATE_VERIFY_FAILED" in refused.message
    assert probe(spec(2, tls_target.url("/fast"), verify_tls=False))[2].outcome == Outcome.PASSED


def test_headers_and_body_are_sent(target):
    outcomes = probe(
        spec(
            1, target.url("/echo-header"), headers={"X-Smoke-Token": "abc123"}, body_contains="token=abc123"
        ),
        spec(2, target.url("/submit"), method="POST", body="ping", status_ranges=((201, 201),)),
    )
    assert outcomes[1].outcome == Outcome.PASSED
    assert (outcomes[2].outcome, outcomes[2].response_excerpt) == (Outcome.PASSED, "received ping")


def test_checks_run_concurrently_within_the_bound(target):
    specs = [spec(key, target.url("/slow?ms=300")) for key in range(20)]
    started = time.monotonic()
    outcomes = probe(*specs, concurrency=10)
    elapsed = time.monotonic() - started
    assert {o.outcome for o in outcomes.values()} == {Outcome.PASSED}
    # 20 checks of 300 ms, 10 at a time: two waves, far from the 6 s it would take one by one.
    assert 0.55 < elapsed < 3.0


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_is_bounded(target, concurrency):
    specs = [spec(key, target.url("/slow?ms=150")) for key in range(6)]
    started = time.monotonic()
    probe(*specs, concurrency=concurrency)
    assert time.monotonic() - started >= 0.15 * 6 / concurrency * 0.9


def test_a_compressed_answer_is_read_decompressed(target):
    outcome = probe(spec(1, target.url("/gzip"), body_contains="compressed"))[1]
    assert (outcome.outcome, outcome.response_excerpt) == (Outcome.PASSED, "OK: portal healthy, compressed")


def test_a_gzip_bomb_is_read_only_up_to_the_cap_on_decompressed_bytes(target):
    outcome = probe(spec(1, target.url("/gzip-bomb"), body_regex="healthy"))[1]
    assert outcome.outcome == Outcome.FAILED
    assert outcome.message == (
        "Body mismatch: the response does not match /healthy/ (only its first 1 MB, decompressed, is read)."
    )
    assert outcome.response_excerpt == "\x00" * 500  # cleaned where it is stored, see storable_text


def test_the_body_cap_counts_decompressed_bytes_as_they_arrive():
    body = BoundedBody("gzip", limit=1000)
    bomb = gzip_bomb(16)
    for start in range(0, len(bomb), 4096):
        body.feed(bomb[start : start + 4096])
        if body.full:
            break
    assert (len(body.data), body.truncated) == (1000, True)
    assert start < 4096  # stopped on the first network-sized chunk, not after inflating 16 MB
    twice = BoundedBody("gzip, gzip")
    twice.feed(gzip_body(gzip_body(b"OK: wrapped twice")))
    assert (twice.text("utf-8"), twice.truncated) == ("OK: wrapped twice", False)


def test_an_encoding_checks_cannot_read_is_an_error_in_plain_words():
    with pytest.raises(UnreadableBody, match="encoded as “br”, which checks cannot decode"):
        BoundedBody("br")
    corrupt = BoundedBody("gzip")
    with pytest.raises(UnreadableBody, match="its compressed body is corrupt"):
        corrupt.feed(b"not gzip at all")


def test_control_bytes_and_invalid_utf8_come_back_readable(target):
    outcome = probe(spec(1, target.url("/nul"), body_contains="healthy"))[1]
    assert outcome.outcome == Outcome.PASSED
    assert outcome.response_excerpt.startswith("OK: portal healthy\x00")
    assert "\ufffd" in outcome.response_excerpt
    assert storable_text(outcome.response_excerpt) == "OK: portal healthy[31m\ufffd\ufffd\ufffd("


def test_a_regular_expression_that_backtracks_without_end_is_stopped_at_the_timeout(target):
    outcomes = probe(
        spec(1, target.url("/letters"), body_regex=r"(a|aa)+$", timeout_seconds=2),
        spec(2, target.url("/fast"), body_regex=r"version \d+"),
    )
    assert outcomes[1].outcome == Outcome.FAILED
    assert outcomes[1].message.startswith("Body check too slow: matching /(a|aa)+$/ did not finish")
    assert outcomes[2].outcome == Outcome.PASSED
