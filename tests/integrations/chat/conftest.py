import pytest

from integrations.models import WebhookEndpoint
from tests.integrations.api.conftest import decide, eager_celery  # noqa: F401  (shared fixtures)
from tests.integrations.chat.receiver import ChatReceiver


@pytest.fixture(params=["slack", "teams"])
def chat(request, release, settings):
    """(service, its local receiver, an endpoint of `release` in that service's format)."""
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.SITE_URL = "https://golive.example.com"
    with ChatReceiver(request.param) as receiver:
        endpoint = WebhookEndpoint.objects.create(release=release, url=receiver.url(), format=request.param)
        yield request.param, receiver, endpoint
