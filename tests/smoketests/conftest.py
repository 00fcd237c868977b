import os
import shutil

import pytest
from kombu import pools as kombu_pools

from config.celery import app, broker_transport_options
from smoketests.models import SmokeCheck
from tests.smoketests.target import TargetServer, self_signed_certificate, unused_port


@pytest.fixture(scope="session")
def target():
    """The misbehaving HTTP server, shared by every test of the session."""
    server = TargetServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def tls_target(tmp_path_factory):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a self-signed certificate")
    server = TargetServer(tls_files=self_signed_certificate(tmp_path_factory.mktemp("tls"))).start()
    yield server
    server.stop()


@pytest.fixture
def make_check(release):
    """make_check(name, url, **fields) → a saved, validated SmokeCheck of `release`."""

    def make(name: str, url: str, **fields) -> SmokeCheck:
        check = SmokeCheck(release=release, name=name, url=url, **fields)
        check.full_clean()
        check.save()
        return check

    return make


def use_broker(url: str) -> None:
    # Celery reads CELERY_BROKER_URL from the environment before its own setting (CI sets it).
    os.environ["CELERY_BROKER_URL"] = url
    app.conf.broker_url = url
    app.conf.broker_transport_options = broker_transport_options(url)
    # Forget pooled connections and producers, which would still reach the previous broker.
    kombu_pools.reset()
    app._pool, app.amqp._producer_pool = None, None


@pytest.fixture
def unreachable_broker(isolated_celery_broker, monkeypatch):
    """Points this process's Celery at a port where no broker listens, then back to the session's broker."""
    monkeypatch.setenv("CELERY_BROKER_URL", isolated_celery_broker.broker_url)  # restored after the test
    use_broker(f"redis://127.0.0.1:{unused_port()}/0")
    yield
    use_broker(isolated_celery_broker.broker_url)
