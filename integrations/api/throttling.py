from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from integrations.models import ApiToken


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Limits requests per API token; browser (session) requests are not throttled."""

    scope = "api_token"

    def get_rate(self) -> str | None:
        # Read at request time, so a changed REST_FRAMEWORK setting (tests, reloads) takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}
