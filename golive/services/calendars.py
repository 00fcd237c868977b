"""Each user's private calendar feed address."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from golive.audit import record_event
from golive.models import CalendarFeed
from golive.models.calendars import new_feed_token


@transaction.atomic
def create_calendar_feed(*, user: AbstractBaseUser) -> CalendarFeed:
    """Give the user a feed address; one they already have is kept as it is."""
    feed, created = CalendarFeed.objects.get_or_create(user=user)
    if created:
        record_event(verb="calendar_feed.created", actor=user, target=feed)
    return feed


@transaction.atomic
def replace_calendar_feed_token(*, user: AbstractBaseUser) -> CalendarFeed:
    """Give the user a new feed address; the old one stops working at once."""
    feed = create_calendar_feed(user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "issued_at"])
    record_event(verb="calendar_feed.replaced", actor=user, target=feed)
    return feed
