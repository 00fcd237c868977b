"""The permission policy's per-person rules, for hiding the buttons a person may not use."""

from django import template

from handover import permissions

register = template.Library()


@register.filter
def may_decide_for_team(item, user) -> bool:
    return permissions.may_decide_for_team(user, item)


@register.filter
def may_verify_access(access, user) -> bool:
    return permissions.may_verify_access(user, access)
