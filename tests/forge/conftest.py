import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.forge.forge_server import ForgeServer
from tests.integrations.api.conftest import decide, eager_celery  # noqa: F401  (shared fixtures)

GITHUB_APP_ID = "424242"
GITHUB_WEBHOOK_SECRET = "github-webhook-secret-for-tests"
GITLAB_TOKEN = "glpat-tests-only"
GITLAB_WEBHOOK_TOKEN = "gitlab-webhook-token-for-tests"


@pytest.fixture(scope="session")
def github_app_key(tmp_path_factory):
    """(private key file path, public key PEM) of a GitHub App made up for the tests."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path_factory.mktemp("github-app") / "app.private-key.pem"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return str(path), public.decode()


@pytest.fixture
def forge_server(github_app_key):
    with ForgeServer(
        github_app_id=GITHUB_APP_ID, github_public_key=github_app_key[1], gitlab_token=GITLAB_TOKEN
    ) as server:
        yield server


@pytest.fixture
def forge_settings(settings, forge_server, github_app_key):
    """Point GoLive Desk at the local forge server, as the environment variables would."""
    settings.GITHUB_APP_ID = GITHUB_APP_ID
    settings.GITHUB_APP_PRIVATE_KEY_PATH = github_app_key[0]
    settings.GITHUB_WEBHOOK_SECRET = GITHUB_WEBHOOK_SECRET
    settings.GITHUB_API_URL = forge_server.base
    settings.GITLAB_API_URL = forge_server.base + "/api/v4"
    settings.GITLAB_TOKEN = GITLAB_TOKEN
    settings.GITLAB_WEBHOOK_TOKEN = GITLAB_WEBHOOK_TOKEN
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    return settings


def worker_environment_for(server: ForgeServer, key_path: str) -> dict[str, str]:
    return {
        "GITHUB_APP_ID": GITHUB_APP_ID,
        "GITHUB_APP_PRIVATE_KEY_PATH": key_path,
        "GITHUB_WEBHOOK_SECRET": GITHUB_WEBHOOK_SECRET,
        "GITHUB_API_URL": server.base,
        "GITLAB_API_URL": server.base + "/api/v4",
        "GITLAB_TOKEN": GITLAB_TOKEN,
        "GITLAB_WEBHOOK_TOKEN": GITLAB_WEBHOOK_TOKEN,
        "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    }
