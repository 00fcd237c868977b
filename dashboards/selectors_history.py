"""A release's audit trail for its history page: filtered in SQL, newest first."""

from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import QuerySet
from django.utils import timezone

from golive.models import AuditEvent, Release

CHOICES_CACHE_SECONDS = 24 * 3600


def trail_verbs_and_actors(release: Release) -> list[tuple[str, str]]:
    """The distinct (verb, actor name) pairs of the release's trail: the filters' choices.

    Finding them reads the whole trail, so they are cached under the release's latest event: a new
    event makes a new key, and until then every page reuses them.
    """
    events = AuditEvent.objects.filter(release=release)
    latest = events.order_by("-created_at", "-pk").values_list("pk", flat=True).first()
    return cache.get_or_set(
        f"golive:history-choices:{release.pk}:{latest}",
        lambda: [tuple(pair) for pair in events.order_by().values_list("verb", "actor_name").distinct()],
        timeout=CHOICES_CACHE_SECONDS,
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def release_history(
    release: Release,
    *,
    kind: str = "",
    actor_name: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """`since` and `until` are whole days in the site's time zone, both included."""
    events = AuditEvent.objects.filter(release=release)
    if kind:
        events = events.filter(verb__startswith=f"{kind}.")
    if actor_name is not None:
        events = events.filter(actor_name=actor_name)
    if since is not None:
        events = events.filter(created_at__gte=_start_of(since))
    if until is not None:
        events = events.filter(created_at__lt=_start_of(until + timedelta(days=1)))
    return events.order_by("-created_at", "-pk")
