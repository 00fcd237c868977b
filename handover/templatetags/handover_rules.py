"""The permission policy's per-person rules, for hiding the buttons a person may not use."""

from django import template
from django.utils import timezone

from handover import permissions
from handover.disband import verification_expires_at

register = template.Library()


@register.filter
def may_decide_for_team(item, user) -> bool:
    return permissions.may_decide_for_team(user, item)


@register.filter
def may_verify_access(access, user) -> bool:
    return permissions.may_verify_access(user, access)


@register.filter
def may_keep_project_access(release, user) -> bool:
    """Only the release manager keeps the project's own access (with a reason)."""
    return permissions.is_release_manager(user, release)


@register.filter
def may_reconfirm_access(access, user) -> bool:
    return access.is_verified and permissions.verified_this_access(user, access)


@register.filter
def verification_expires(access):
    return verification_expires_at(access)


@register.filter
def verification_expired(access) -> bool:
    expires = verification_expires_at(access)
    return expires is not None and timezone.now() >= expires


@register.filter
def is_my_team(team, user) -> bool:
    return permissions.is_team_member(user, team)
