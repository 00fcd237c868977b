"""Who may do what on a release: the one policy every service, view, API call and task asks.

Two kinds of rule. Roles are per release (ReleaseMembership) and ROLE_ACTIONS maps each role to the
actions it may take on its release. Named object predicates (the meeting's chair, a step's owner, a
condition's owner, and the handover's team predicates, registered by that app) answer "is this person
that one for this object". A service calls `require(...)` or `require_rule(...)`; a refusal is always
`NotAllowed`, which views turn into 403. Objects are looked up through the user, so a stranger gets 404
(the release's existence is not revealed) and a member without the right gets 403.

"May do everything" is granted on purpose: a superuser, or a user given the `golive.act_on_every_release`
permission (directly or through a group). `is_staff` only opens the admin site.
"""

import functools
from collections.abc import Callable
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import BooleanField, F, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404

from golive.choices import Role
from golive.models import Release, ReleaseMembership


class Action(StrEnum):
    VIEW_RELEASE = "view_release"
    EDIT_RELEASE = "edit_release"
    MOVE_RELEASE_STATUS = "move_release_status"
    MANAGE_MEMBERS = "manage_members"
    EDIT_RISKS = "edit_risks"
    EDIT_DEFECTS = "edit_defects"
    MANAGE_MEETINGS = "manage_meetings"
    EDIT_RUNBOOK = "edit_runbook"
    SEND_COMMUNICATIONS = "send_communications"
    MANAGE_PRODUCTION_ISSUES = "manage_production_issues"
    MANAGE_SMOKE_CHECKS = "manage_smoke_checks"
    RUN_SMOKE_TESTS = "run_smoke_tests"
    MANAGE_HANDOVER = "manage_handover"
    REDACT_RECORDS = "redact_records"
    OVERRIDE_FREEZE = "override_freeze"
    MANAGE_VENDORS = "manage_vendors"
    PUBLISH_STATUS_UPDATES = "publish_status_updates"
    MANAGE_STATUS_PAGE = "manage_status_page"
    WRITE_REVIEW = "write_review"
    PUBLISH_REVIEW = "publish_review"


_EVERY_MEMBER = {Action.VIEW_RELEASE}
_DELIVERY_TEAM = _EVERY_MEMBER | {
    Action.EDIT_RISKS,
    Action.EDIT_DEFECTS,
    Action.MANAGE_PRODUCTION_ISSUES,
    Action.MANAGE_SMOKE_CHECKS,
    Action.RUN_SMOKE_TESTS,
    Action.MANAGE_HANDOVER,
    Action.MANAGE_VENDORS,
    Action.WRITE_REVIEW,
}

# What each role may do on its release. Release-manager-only actions (editing the release, moving its
# status, members, meetings, the runbook plan, communications, the status page's settings, redacting
# secrets, publishing or redrafting the post-implementation review) are in no other role's set.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.RELEASE_MANAGER: frozenset(Action),
    Role.PRODUCT_OWNER: frozenset(_DELIVERY_TEAM),
    Role.SCRUM_TEAM: frozenset(_DELIVERY_TEAM),
    Role.STAKEHOLDER: frozenset(_EVERY_MEMBER),
    # Production support speaks to end users about the running service (public status updates).
    Role.PRODUCTION_SUPPORT: frozenset(
        _EVERY_MEMBER
        | {
            Action.MANAGE_PRODUCTION_ISSUES,
            Action.RUN_SMOKE_TESTS,
            Action.PUBLISH_STATUS_UPDATES,
            Action.WRITE_REVIEW,
        }
    ),
    Role.VENDOR_SUPPORT: frozenset(_EVERY_MEMBER),
}

_ROLE_CACHE = "_golive_roles_by_release"

EVERY_RELEASE_PERMISSION = "golive.act_on_every_release"
CREATE_RELEASE_PERMISSION = "golive.add_release"


class SystemActor(AnonymousUser):
    """The system acting for nobody: a worker reacting to a monitor, a management command, a migration.

    Services take `actor=SYSTEM` from such callers (grep for `actor=SYSTEM` to find every one); the
    policy allows it everything, and records name no person (it is not authenticated, so the audit trail
    and `requested_by`/`reported_by` columns stay empty, as they were for `None`).
    """

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def person(actor):
    """The user to store in a "who" column: nobody for the system."""
    return None if actor is SYSTEM else actor


class NotAllowed(PermissionDenied):
    """The one refusal of the policy: pages answer 403, the API 403 JSON, tasks log and stop."""


_EVERYTHING_CACHE = "_golive_may_do_everything"


def may_do_everything(user) -> bool:
    """A superuser, or someone granted `golive.act_on_every_release` on purpose; not mere admin access.

    Django's permission system answers (every authentication backend is asked), once a request: the
    answer is kept on the user object. A release page reads the grant with the user's roles instead
    (`_everything_granted_to`), so the common page pays no extra query for it.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_superuser:
        return True
    if _EVERYTHING_CACHE not in user.__dict__:
        user.__dict__[_EVERYTHING_CACHE] = user.has_perm(EVERY_RELEASE_PERMISSION)
    return user.__dict__[_EVERYTHING_CACHE]


# A user id no row has: the grant's and the memberships' SQL are built with it, then given the real one.
_ANY_USER = -1


@functools.cache
def _compiled_grant(vendor: str) -> tuple[str, tuple]:
    """The grant as ModelBackend reads it (the user's own permissions or a group's), as one EXISTS.

    Built by the ORM once per process and database vendor, not once per request: every release page
    and the portfolio read the grant, and building this query cost them more than running it.
    Every authentication backend in use derives from ModelBackend (golive.sso too).
    """
    app_label, codename = EVERY_RELEASE_PERMISSION.split(".")
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename).filter(
        Q(user=_ANY_USER) | Q(group__user=_ANY_USER)
    )
    sql, params = granted.order_by().values("pk")[:1].query.sql_with_params()
    return f"EXISTS({sql})", params


@functools.cache
def _compiled_memberships(vendor: str) -> tuple[str, tuple]:
    """The ids of the releases the user is a member of (built once, as the grant is)."""
    member_of = ReleaseMembership.objects.filter(user=_ANY_USER).order_by().values("release_id")
    return member_of.query.sql_with_params()


def _for_user(compiled: tuple[str, tuple], user, output_field) -> RawSQL:
    """The compiled SQL for this user. It names no table of the query it is put in, so it stays right
    when that query is itself used as a subquery (and its tables renamed)."""
    sql, params = compiled
    return RawSQL(sql, tuple(user.pk if value == _ANY_USER else value for value in params), output_field)


def _everything_granted_to(user) -> RawSQL:
    return _for_user(_compiled_grant(connection.vendor), user, BooleanField())


def roles_on(user, release: Release) -> frozenset[str]:
    """The user's roles on the release, remembered on the user object for the rest of the request."""
    if not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault(_ROLE_CACHE, {})
    if release.pk not in cache:
        rows = list(release.memberships.filter(user=user).values_list("role", _everything_granted_to(user)))
        cache[release.pk] = frozenset(role for role, _ in rows)
        if rows:
            user.__dict__.setdefault(_EVERYTHING_CACHE, rows[0][1])
    return cache[release.pk]


def can(user, release: Release, action: Action) -> bool:
    if user is SYSTEM:
        return True
    if not user.is_authenticated or not user.is_active:
        return False
    if any(action in ROLE_ACTIONS.get(role, ()) for role in roles_on(user, release)):
        return True
    return may_do_everything(user)


def require(user, release: Release, action: Action) -> None:
    if not can(user, release, action):
        raise NotAllowed(f"Your role on {release.name} does not allow this.")


# Named object predicates: "is `user` that person for `obj`". Apps register their own (handover's team
# predicates) so one policy answers for every app.
PREDICATES: dict[str, Callable[[object, object], bool]] = {}


def predicate(name: str):
    def register(function: Callable[[object, object], bool]):
        PREDICATES[name] = function
        return function

    return register


@predicate("chair")
def is_chair(user, meeting) -> bool:
    return user.is_authenticated and meeting.chair_id == user.pk


@predicate("step_owner")
def owns_step(user, step) -> bool:
    return user.is_authenticated and step.owner_id == user.pk


@predicate("condition_owner")
def owns_condition(user, condition) -> bool:
    return user.is_authenticated and condition.owner_id == user.pk


@predicate("review_action_owner")
def owns_review_action(user, action) -> bool:
    return user.is_authenticated and action.owner_id == user.pk


def holds(user, predicate_name: str, obj) -> bool:
    """The named predicate holds for the user on `obj` (an inactive user holds none)."""
    return bool(user.is_active) and PREDICATES[predicate_name](user, obj)


# Object rules: who may do something to one object. Each is a list of alternatives, a named predicate
# or an action on the object's release; the first that holds allows. "May do everything" always allows.
OBJECT_RULES: dict[str, tuple[str | Action, ...]] = {
    "open_voting": ("chair", Action.MANAGE_MEETINGS),
    "close_voting": ("chair",),
    "change_participant": (Action.MANAGE_MEETINGS,),
    "complete_condition": ("condition_owner", Action.MANAGE_MEETINGS),
    "move_step": ("step_owner", Action.EDIT_RUNBOOK),
    "confirm_co_performance": ("step_owner", Action.EDIT_RUNBOOK),
    "complete_review_action": ("review_action_owner", Action.WRITE_REVIEW),
}
REFUSALS = {
    "open_voting": "Only the chair or the release manager opens voting.",
    "close_voting": "Only the chair closes voting.",
    "change_participant": "Only the release manager changes who must vote and who may veto.",
    "complete_condition": "Only the condition's owner or the release manager marks it done.",
    "move_step": "Only the step's owner or the release manager moves a step.",
    "confirm_co_performance": "Only the step's owner or the release manager confirms that someone "
    "performed the step with the owner present.",
    "complete_review_action": "Only the action's owner or those who write the review mark it done.",
}


def allows(user, rule: str, obj, *, release: Release) -> bool:
    if user is SYSTEM:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    for alternative in OBJECT_RULES[rule]:
        if isinstance(alternative, Action):
            if can(user, release, alternative):
                return True
        elif holds(user, alternative, obj):
            return True
    return may_do_everything(user)


def require_rule(user, rule: str, obj, *, release: Release) -> None:
    if not allows(user, rule, obj, release=release):
        raise NotAllowed(REFUSALS[rule])


def can_create_release(user) -> bool:
    """Whoever Django's permission system grants golive.add_release (directly, through a group, a
    superuser, or any authentication backend that grants it), or who may do everything."""
    if user is SYSTEM:
        return True
    if not (user.is_authenticated and user.is_active):
        return False
    return user.has_perm(CREATE_RELEASE_PERMISSION) or may_do_everything(user)


def can_manage_freezes(user) -> bool:
    """Freeze windows bind every release, so only those who may do everything manage them."""
    if user is SYSTEM:
        return True
    return may_do_everything(user)


def releases_visible_to(user) -> QuerySet[Release]:
    """The user's releases, or all for whoever may do everything: the grant is read inside the same
    query, so a list costs the same for everyone."""
    if not (user.is_authenticated and user.is_active):
        return Release.objects.none()
    if user.is_superuser or user.__dict__.get(_EVERYTHING_CACHE):
        return Release.objects.all()
    member_of = _for_user(_compiled_memberships(connection.vendor), user, IntegerField())
    return Release.objects.filter(Q(pk__in=member_of) | Q(_everything_granted_to(user)))


def get_release_for(user, pk: int, action: Action = Action.VIEW_RELEASE) -> Release:
    """The release, if the user is a member (else 404) and may do `action` on it (else 403).

    Every release page starts here, so the release and the user's roles on it come in one query:
    one row per role the user holds.
    """
    if not user.is_authenticated:
        raise Http404("No such release.")
    rows = list(
        Release.objects.filter(pk=pk, memberships__user=user).annotate(
            role=F("memberships__role"), everything=_everything_granted_to(user)
        )
    )
    if rows:
        release = rows[0]
        user.__dict__.setdefault(_ROLE_CACHE, {})[release.pk] = frozenset(row.role for row in rows)
        user.__dict__.setdefault(_EVERYTHING_CACHE, rows[0].everything)
    elif may_do_everything(user):
        release = get_object_or_404(Release, pk=pk)
    else:
        raise Http404("No such release.")
    require(user, release, action)
    return release


def allowed_actions(user, release: Release) -> dict[str, bool]:
    """{action: allowed} for templates, which show only the buttons the user may press."""
    return {action.value: can(user, release, action) for action in Action}


def may_read_response_excerpts(user, release: Release) -> bool:
    """What a smoke check's target answered can be an internal service's own words: it is shown only to
    those who may define the checks."""
    return can(user, release, Action.MANAGE_SMOKE_CHECKS)


def calendar_feed_owner(token: str):
    """The active user whose private calendar feed `token` opens: the token is the credential, so an
    unknown, replaced or malformed one, or a deactivated user's, is 404 like any missing page."""
    from golive.models import CalendarFeed

    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    if feed is None:
        raise Http404("No such calendar feed.")
    return feed.user
