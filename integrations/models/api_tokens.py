"""Personal API tokens for pipelines. Only a SHA-256 digest of each token is stored.

A token is random (256 bits), so a plain, unsalted hash is enough: nobody can guess one from its digest,
and looking a presented token up by its digest is a single indexed query.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models

TOKEN_PREFIX = "gld_"


def new_token_text() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token_text: str) -> str:
    return hashlib.sha256(token_text.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What uses the token, e.g. “GitLab deploy job”.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(
        max_length=12, editable=False, help_text="The token's first characters, to recognise it in lists."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        db_table = "golive_apitoken"  # the table kept its name when the model left golive
        verbose_name = "API token"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
