import shutil

import pytest

from smoketests.models import SmokeCheck
from tests.smoketests.target import TargetServer, self_signed_certificate


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
