"""Create and revoke personal API tokens. The token text exists only in the return value of create."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import record_event
from golive.permissions import NotAllowed
from integrations.models import ApiToken
from integrations.models.api_tokens import TOKEN_PREFIX, new_token_text, token_digest

MAX_ACTIVE_TOKENS_PER_USER = 20


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    text: str


@transaction.atomic
def create_api_token(*, user: AbstractBaseUser, name: str) -> IssuedToken:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the token after what will use it, e.g. “GitLab deploy job”."})
    if ApiToken.objects.filter(user=user).active().count() >= MAX_ACTIVE_TOKENS_PER_USER:
        raise ValidationError(f"You already have {MAX_ACTIVE_TOKENS_PER_USER} tokens; revoke one first.")
    text = new_token_text()
    token = ApiToken(user=user, name=name, digest=token_digest(text), hint=text[: len(TOKEN_PREFIX) + 4])
    token.full_clean()
    token.save()
    record_event(verb="api_token.created", actor=user, target=token, data={"name": name, "hint": token.hint})
    return IssuedToken(token=token, text=text)


@transaction.atomic
def revoke_api_token(*, token: ApiToken, actor: AbstractBaseUser) -> ApiToken:
    """Revoke the token; revoking a revoked token changes nothing. A token is its owner's to revoke, or
    an admin's whose model permission allows changing tokens."""
    if token.user_id != actor.pk and not actor.has_perm("golive.change_apitoken"):
        raise NotAllowed("Only the token's owner may revoke it.")
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    if revoked:
        record_event(
            verb="api_token.revoked", actor=actor, target=token, data={"name": token.name, "hint": token.hint}
        )
    return token
