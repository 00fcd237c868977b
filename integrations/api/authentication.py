"""`Authorization: Bearer <token>` (or `Token <token>`) with a personal API token."""

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from integrations.models import ApiToken
from integrations.models.api_tokens import token_digest

ACCEPTED_KEYWORDS = ("bearer", "token")
# Writing last_used_at on every request would make each API call a write; once a minute is enough
# to tell a person which of their tokens is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode(errors="replace").lower() not in ACCEPTED_KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the header as “Authorization: Bearer <token>”.")
        try:
            token_text = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The token is not valid.") from None
        token = ApiToken.objects.select_related("user").filter(digest=token_digest(token_text)).first()
        if token is None or not token.is_active:
            raise exceptions.AuthenticationFailed("The token is not valid or was revoked.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The token's user is deactivated.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
