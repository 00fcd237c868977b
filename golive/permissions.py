"""Who may do what on a release: the single answer every view and service asks.

Roles are per release (ReleaseMembership). Site staff may do everything. Objects are looked up through
the user, so a stranger gets 404 (the release's existence is not revealed) and a member without the
right gets 403.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import F, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from golive.choices import Role
from golive.models import Release


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


_EVERY_MEMBER = {Action.VIEW_RELEASE}
_DELIVERY_TEAM = _EVERY_MEMBER | {
    Action.EDIT_RISKS,
    Action.EDIT_DEFECTS,
    Action.MANAGE_PRODUCTION_ISSUES,
    Action.MANAGE_SMOKE_CHECKS,
    Action.RUN_SMOKE_TESTS,
    Action.MANAGE_HANDOVER,
}

# What each role may do on its release. Release-manager-only actions (editing the release, moving its
# status, members, meetings, the runbook plan, communications, redacting secrets) are in no other role's
# set.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.RELEASE_MANAGER: frozenset(Action),
    Role.PRODUCT_OWNER: frozenset(_DELIVERY_TEAM),
    Role.SCRUM_TEAM: frozenset(_DELIVERY_TEAM),
    Role.STAKEHOLDER: frozenset(_EVERY_MEMBER),
    Role.PRODUCTION_SUPPORT: frozenset(
        _EVERY_MEMBER | {Action.MANAGE_PRODUCTION_ISSUES, Action.RUN_SMOKE_TESTS}
    ),
    Role.VENDOR_SUPPORT: frozenset(_EVERY_MEMBER),
}

_ROLE_CACHE = "_golive_roles_by_release"


def roles_on(user, release: Release) -> frozenset[str]:
    """The user's roles on the release, remembered on the user object for the rest of the request."""
    if not user.is_authenticated:
        return frozenset()
    cache = user.__dict__.setdefault(_ROLE_CACHE, {})
    if release.pk not in cache:
        cache[release.pk] = frozenset(release.memberships.filter(user=user).values_list("role", flat=True))
    return cache[release.pk]


def can(user, release: Release, action: Action) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return any(action in ROLE_ACTIONS.get(role, ()) for role in roles_on(user, release))


def require(user, release: Release, action: Action) -> None:
    if not can(user, release, action):
        raise PermissionDenied(f"Your role on {release.name} does not allow this.")


def can_create_release(user) -> bool:
    """Staff, or a user granted golive.add_release directly or through a group.

    The portfolio asks on every load. has_perm would first load all the user's permissions and all
    their groups' in two queries, and the ORM's one-query form joins six tables, which PostgreSQL
    takes longer to plan than to run. One permission row probed by two EXISTS is planned at once.
    """
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff or user.is_superuser:
        return True
    user_model = get_user_model()
    table = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in {
            "permissions": Permission,
            "content_types": ContentType,
            "user_permissions": user_model.user_permissions.through,
            "user_groups": user_model.groups.through,
            "group_permissions": Group.permissions.through,
        }.items()
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table['permissions']} p WHERE p.codename = %s AND p.content_type_id = "
            f"(SELECT id FROM {table['content_types']} WHERE app_label = %s AND model = %s) AND ("
            f"EXISTS (SELECT 1 FROM {table['user_permissions']} up "
            f"WHERE up.permission_id = p.id AND up.user_id = %s) "
            f"OR EXISTS (SELECT 1 FROM {table['group_permissions']} gp JOIN {table['user_groups']} ug "
            f"ON ug.group_id = gp.group_id WHERE gp.permission_id = p.id AND ug.user_id = %s))",
            ["add_release", Release._meta.app_label, Release._meta.model_name, user.pk, user.pk],
        )
        return cursor.fetchone() is not None


def can_manage_freezes(user) -> bool:
    """Freeze windows bind every release, so only site staff create, change or remove them."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def releases_visible_to(user) -> QuerySet[Release]:
    if user.is_staff:
        return Release.objects.all()
    return Release.objects.filter(pk__in=user.memberships.values("release_id"))


def get_release_for(user, pk: int, action: Action = Action.VIEW_RELEASE) -> Release:
    """The release, if the user is a member (else 404) and may do `action` on it (else 403).

    Every release page starts here, so the release and the user's roles on it come in one query:
    one row per role the user holds.
    """
    if user.is_staff:
        release = get_object_or_404(Release, pk=pk)
    elif not user.is_authenticated:
        raise Http404("No such release.")
    else:
        rows = list(
            Release.objects.filter(pk=pk, memberships__user=user).annotate(role=F("memberships__role"))
        )
        if not rows:
            raise Http404("No such release.")
        release = rows[0]
        user.__dict__.setdefault(_ROLE_CACHE, {})[release.pk] = frozenset(row.role for row in rows)
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


def get_invitation_for(user, participant_pk: int):
    """The user's own invitation to a meeting: someone else's, or one on a release the user cannot see,
    is 404, so a voting link never reveals or acts on another person's vote."""
    from golive.models import Participant

    participant = (
        Participant.objects.select_related("meeting__release", "user")
        .filter(pk=participant_pk, user_id=user.pk)
        .first()
        if user.is_authenticated
        else None
    )
    if participant is None:
        raise Http404("No such invitation.")
    get_release_for(user, participant.meeting.release_id)
    return participant
