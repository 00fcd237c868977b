"""Private calendar feeds: one secret feed address per user, which the user can replace at any time.

The token is kept as it is (not hashed) because the profile page shows the feed address again on every
visit, as calendar services do; replacing it makes the old address answer 404 at once.
"""

import secrets

from django.conf import settings
from django.db import models


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeedTokenConverter:
    """Only what new_feed_token() can produce reaches the database; anything else is a plain 404."""

    regex = "[A-Za-z0-9_-]{16,64}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class CalendarFeed(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    issued_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"
