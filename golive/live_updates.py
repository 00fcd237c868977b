"""Live pages (a meeting's tally, the live runbook) answered from a shared cache while nothing changed.

Every change to what these pages show gives the release a new random stamp in the shared cache (Redis when
CACHE_URL is set, else files under var/, which every web process of the embedded stack reads). A page
carries a watch token, signed when the page rendered: who (bound to the session cookie), which path, which
variant of the fragment, the release's membership stamp, and until when. A poll with a valid token is
answered before the session, the user or the database are touched:

- 304 Not Modified when the ETag the browser holds is the current stamp;
- else the fragment as rendered once for every watcher of the shared variant at this stamp, if it is cached;
- else (no or expired token, a membership change on the release, a personal variant, no cached fragment)
  the view answers as for any request, checks permissions, renders and issues a fresh token.

A membership change gives the release a new membership stamp, so a removed member's next poll goes to the
view (404). What the token alone still grants for at most WATCH_TOKEN_SECONDS (a deactivated account, a
changed staff flag) is the fragment of the shared read-only variant, as every member of the release sees it.
"""

import hashlib
import logging
import random
import secrets
import time
from functools import wraps

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.db import transaction
from django.http import HttpResponse, HttpResponseNotModified
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html

logger = logging.getLogger(__name__)

WATCH_HEADER = "HTTP_X_LIVE_WATCH"
SHARED = "shared"
PERSONAL = "personal"
_SALT = "golive.live_updates.watch"
_CACHE_CONTROL = "private, no-cache"
# A fragment and a stamp outlive any token; they are replaced at each change anyway.
_ENTRY_SECONDS = 24 * 3600
# Each web process asks the shared cache for a release's stamps at most this often, whatever the number of
# watchers: a change reaches the watchers this much later at most, and idle polls cost no round trip.
STAMP_MEMO_SECONDS = 0.25
_memo_stamps: dict[int, tuple[float, str | None, str | None]] = {}
# A fragment never changes under its stamp: the last few are kept in the process as they are.
_memo_fragments: dict[str, dict | None] = {}
_MEMO_FRAGMENTS = 64
# While one poll renders a changed fragment, the others keep their copy; past this, another one renders it.
RENDER_CLAIM_SECONDS = 2


def _cache():
    return caches[settings.LIVE_UPDATES_CACHE]


def _release_key(release_pk: int) -> str:
    return f"live:release:{release_pk}"


def _members_key(release_pk: int) -> str:
    return f"live:members:{release_pk}"


def _fragment_key(path: str, stamp: str) -> str:
    return f"live:fragment:{stamp}:{hashlib.sha256(path.encode()).hexdigest()[:24]}"


def _new_stamp() -> str:
    return secrets.token_hex(8)


def _session_digest(request) -> str:
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    return hashlib.sha256(f"{_SALT}:{session_key}".encode()).hexdigest()[:20]


def changed(*, release_pk: int, members: bool = False) -> None:
    """What the release's live pages show changed: new stamps once the transaction commits."""

    def bump() -> None:
        values = {_release_key(release_pk): _new_stamp()}
        if members:
            values[_members_key(release_pk)] = _new_stamp()
        _cache().set_many(values, _ENTRY_SECONDS)
        _memo_stamps.pop(release_pk, None)

    # robust: the write is committed whatever happens here; a cache that is down only costs renders.
    transaction.on_commit(bump, robust=True)


def forget_recent() -> None:
    """Drops this process's recent copies of stamps and fragments (for tests)."""
    _memo_stamps.clear()
    _memo_fragments.clear()


def _current_stamps(release_pk: int) -> tuple[str, str]:
    """The release's stamps, created if missing; empty (nothing cached, every poll to the view) when the
    shared cache cannot be reached."""
    try:
        return _read_or_create_stamps(release_pk)
    except Exception:  # noqa: BLE001 - any failure of the cache backend; the page is served without it
        logger.warning("Live updates: the shared cache is unreachable", exc_info=True)
        return "", ""


def _read_or_create_stamps(release_pk: int) -> tuple[str, str]:
    cache = _cache()
    keys = [_release_key(release_pk), _members_key(release_pk)]
    found = cache.get_many(keys)
    for key in keys:
        if key not in found:
            cache.add(key, _new_stamp(), _ENTRY_SECONDS)
    if len(found) < len(keys):
        found = cache.get_many(keys)
    return found.get(keys[0], ""), found.get(keys[1], "")


def watched(view):
    """Reads the release's stamps before the view reads anything, so that a change committed while the
    view renders makes the stamp newer than the copy rendered: the next poll then renders again."""

    @wraps(view)
    def wrapper(request, release_pk: int, *args, **kwargs):
        request.live_stamps = _current_stamps(release_pk)
        return view(request, release_pk, *args, **kwargs)

    return wrapper


def watch_token(request, *, variant: str, fresh_until: float | None = None) -> str:
    """The signed token a page's polls send back; valid at most WATCH_TOKEN_SECONDS, less a random share
    so that watchers who opened the page together do not all come back to the view at once."""
    lifetime = settings.LIVE_WATCH_TOKEN_SECONDS * random.uniform(0.8, 1.0)
    until = time.time() + lifetime
    if fresh_until is not None:
        until = min(until, fresh_until)
    return signing.dumps(
        {
            "u": request.user.pk,
            "p": request.path,
            "s": _session_digest(request),
            "m": request.live_stamps[1],
            "v": variant,
            "t": round(until, 3),
        },
        salt=_SALT,
    )


def _etag(stamp: str, fresh_until: float | None) -> str:
    return f'"{stamp}.{int(fresh_until or 0)}"'


def _mark(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = _CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"  # what SecurityMiddleware adds, which this path skips
    if response.status_code == 200:  # the answers that skip CommonMiddleware would be sent chunked
        response["Content-Length"] = str(len(response.content))
    patch_vary_headers(response, ("HX-Request",))
    return response


def live_fragment(
    request,
    template: str,
    context: dict,
    *,
    shared: bool,
    personal_user_ids: set[int] = frozenset(),
    fresh_until: float | None = None,
) -> HttpResponse:
    """The poll's answer from the view: the fragment, a fresh token out of band, and the ETag.

    A `shared` fragment is the same for every watcher except those in `personal_user_ids`, who get their
    own; it is cached for the stamp read before rendering. `fresh_until` is when the fragment goes stale
    with no change to the data (a step becoming late)."""
    stamp = request.live_stamps[0]
    html = render_to_string(template, context, request=request)
    if shared and stamp:
        entry = {"html": html, "personal": sorted(personal_user_ids), "until": fresh_until}
        try:
            _cache().set(_fragment_key(request.path, stamp), entry, _ENTRY_SECONDS)
        except Exception:  # noqa: BLE001 - any failure of the cache backend; the next poll renders again
            logger.warning("Live updates: the shared cache is unreachable", exc_info=True)
    token = watch_token(request, variant=SHARED if shared else PERSONAL, fresh_until=fresh_until)
    token_html = format_html(
        '<span id="live-watch" hidden data-live-watch-token="{}" hx-swap-oob="true"></span>', token
    )
    return _mark(HttpResponse(html + token_html), _etag(stamp, fresh_until))


def _read_token(request) -> dict | None:
    try:
        token = signing.loads(request.META[WATCH_HEADER], salt=_SALT)
    except signing.BadSignature:
        return None
    valid = (
        isinstance(token, dict)
        and token.get("p") == request.path
        and token.get("s") == _session_digest(request)
        and isinstance(token.get("t"), int | float)
        and time.time() < token["t"]
    )
    return token if valid else None


def _release_pk_of(path: str) -> int | None:
    parts = path.split("/")
    if len(parts) > 2 and parts[1] == "releases" and parts[2].isdigit():
        return int(parts[2])
    return None


def _held_etag(request) -> tuple[str, float] | None:
    held = request.META.get("HTTP_IF_NONE_MATCH", "").strip()
    if not (held.startswith('"') and held.endswith('"') and "." in held):
        return None
    stamp, _, until = held[1:-1].partition(".")
    return (stamp, float(until)) if until.isdigit() else None


def _recent_stamps(release_pk: int, now: float) -> tuple[str | None, str | None]:
    memo = _memo_stamps.get(release_pk)
    if memo is None or now - memo[0] > STAMP_MEMO_SECONDS:
        found = _cache().get_many([_release_key(release_pk), _members_key(release_pk)])
        memo = (now, found.get(_release_key(release_pk)), found.get(_members_key(release_pk)))
        _memo_stamps[release_pk] = memo
    return memo[1], memo[2]


def _shared_fragment(path: str, stamp: str) -> dict | None:
    key = _fragment_key(path, stamp)
    entry = _memo_fragments.get(key)
    if entry is None:
        entry = _cache().get(key)
        if entry is not None:
            if len(_memo_fragments) >= _MEMO_FRAGMENTS:
                _memo_fragments.pop(next(iter(_memo_fragments)))
            _memo_fragments[key] = entry
    return entry


def answer_from_cache(request) -> HttpResponse | None:
    """A poll answered without the database, or None for the view to answer."""
    token = _read_token(request)
    release_pk = _release_pk_of(request.path)
    if token is None or release_pk is None:
        return None
    now = time.time()
    stamp, members_stamp = _recent_stamps(release_pk, now)
    if not stamp or members_stamp != token["m"]:
        return None
    held = _held_etag(request)
    if held and held[0] == stamp and (not held[1] or now < held[1]):
        return _mark(HttpResponseNotModified(), _etag(stamp, held[1]))
    if token["v"] != SHARED:
        return None
    entry = _shared_fragment(request.path, stamp)
    if entry is None:
        return _wait_for_the_first_render(request, stamp, held)
    if token["u"] in entry["personal"] or (entry["until"] and now >= entry["until"]):
        return None
    return _mark(HttpResponse(entry["html"]), _etag(stamp, entry["until"]))


def _wait_for_the_first_render(request, stamp: str, held: tuple[str, float] | None) -> HttpResponse | None:
    """Right after a change every watcher misses the new fragment at once: one poll renders it (the view)
    and the others keep the copy they hold until their next poll finds it cached."""
    claimed = _cache().add(f"live:rendering:{stamp}:{request.path}", 1, RENDER_CLAIM_SECONDS)
    if claimed or held is None:
        return None
    return _mark(HttpResponseNotModified(), _etag(*held))


def _answer_or_none(request) -> HttpResponse | None:
    try:
        return answer_from_cache(request)
    except Exception:  # noqa: BLE001 - any failure of the cache backend: the view answers instead
        logger.warning("Live updates: the shared cache is unreachable", exc_info=True)
        return None


class LiveWatchMiddleware:
    """First in the chain: a watched poll that the cache can answer never reaches the session or a view
    (nor the Content-Security-Policy, which a fragment fetched by htmx does not need)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and WATCH_HEADER in request.META:
            answer = _answer_or_none(request)
            if answer is not None:
                return answer
        return self.get_response(request)


def _on_audit_event(sender, instance, created: bool, **kwargs) -> None:
    if created and instance.release_id:
        changed(release_pk=instance.release_id)


def _on_membership_change(sender, instance, **kwargs) -> None:
    changed(release_pk=instance.release_id, members=True)


def connect_receivers() -> None:
    """Every write to a release is audited (record_event), so an audit event is the change signal; a
    membership change also renews the membership stamp that tokens carry."""
    from django.db.models.signals import post_delete, post_save

    from golive.models import AuditEvent, ReleaseMembership

    post_save.connect(_on_audit_event, sender=AuditEvent, dispatch_uid="live_updates.audit")
    post_save.connect(_on_membership_change, sender=ReleaseMembership, dispatch_uid="live_updates.member")
    post_delete.connect(_on_membership_change, sender=ReleaseMembership, dispatch_uid="live_updates.member")
