"""The status page as it is served: rendered once from a snapshot of the application's state, then kept.

A visitor costs no database query while the page is kept (its visibility is kept with it): the page is the
same for everyone, so it holds nothing personal, not even a form's CSRF token (subscribing is a page of its
own). It is kept for STATUS_PAGE_CACHE_SECONDS (0 turns this off) and dropped at once, in every process
sharing the cache, when an update is published, a monitor changes state or a page's settings change:
all status pages share one generation number, and a change starts a new one. A release's date or a
freeze window that changes shows within those seconds.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from communications.selectors import published_unresolved_issues
from freezes.interface import announced_for_application
from golive.choices import Environment, ReleaseStatus
from golive.models import Release
from smoketests.interface import MonitorState, monitors_of_releases, uptime_of_releases
from statuspage.models import StatusPage

GENERATION_KEY = "statuspage:generation"
UPTIME_DAYS = 90
ANNOUNCED_GO_LIVES = (
    ReleaseStatus.PLANNING,
    ReleaseStatus.GONOGO_SCHEDULED,
    ReleaseStatus.GO,
    ReleaseStatus.DEPLOYING,
)
_NOT_FOUND = "not-found"


def forget_status_pages() -> None:
    """Drop every kept status page now and again when the transaction commits (a request in between
    could keep what the database held before the commit)."""

    def new_generation() -> None:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)

    new_generation()
    transaction.on_commit(new_generation)


def overall_state(monitors: list, issues: list) -> tuple[str, str]:
    """(state, words) for the banner: a monitor down or a published issue open means trouble."""
    if any(monitor.state == MonitorState.DOWN for monitor in monitors):
        return "down", "Service disruption"
    if issues:
        return "issues", "Known issues"
    if monitors and all(monitor.state == MonitorState.UP for monitor in monitors):
        return "up", "All systems operational"
    return "unknown", "No current measurements"


def build_snapshot(page: StatusPage, *, now=None) -> dict:
    """Everything the page shows, read through the other apps' selectors and interfaces."""
    now = now or timezone.now()
    releases = list(
        Release.objects.filter(application__iexact=page.application, environment=Environment.PRODUCTION)
        .only("pk", "version", "status", "target_go_live")
        .order_by("target_go_live", "pk")
    )
    release_ids = [release.pk for release in releases]
    monitors = monitors_of_releases(release_ids, now=now)
    uptime = uptime_of_releases(release_ids, since=now - timedelta(days=UPTIME_DAYS), until=now)
    issues = published_unresolved_issues(release_ids)
    state, state_words = overall_state(monitors, issues)
    return {
        "page": page,
        "now": now,
        "state": state,
        "state_words": state_words,
        "monitors": [
            {
                "name": monitor.smoke_check.name,
                "state": monitor.state,
                "state_label": monitor.get_state_display(),
                "uptime": uptime["by_monitor"].get(monitor.pk),
            }
            for monitor in monitors
        ],  # fmt: skip
        "uptime": uptime["overall"],
        "uptime_days": UPTIME_DAYS,
        "issues": [
            {"severity": issue.get_severity_display(), "updates": issue.published} for issue in issues
        ],
        "go_lives": [
            release
            for release in releases
            if release.status in ANNOUNCED_GO_LIVES and release.target_go_live >= now - timedelta(hours=12)
        ],
        "maintenance": announced_for_application(page.application, now=now),
    }


def status_page_html(slug: str) -> tuple[str, str] | None:
    """(visibility, html) of the page at `slug`, kept or freshly rendered; None when there is no such page."""
    seconds = settings.STATUS_PAGE_CACHE_SECONDS
    key = f"statuspage:{slug}:{cache.get(GENERATION_KEY, '')}" if seconds else ""
    kept = cache.get(key) if seconds else None
    if kept is not None:
        return None if kept == _NOT_FOUND else kept
    page = StatusPage.objects.filter(slug=slug).first()
    found = None
    if page is not None:
        found = (page.visibility, render_to_string("statuspage/page.html", build_snapshot(page)))
    if seconds:
        cache.set(key, found or _NOT_FOUND, seconds)
    return found
