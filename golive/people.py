"""Who a form's person pickers offer, and how they name people: one place for every picker."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from golive.choices import Role
from golive.models import Release

# Who may deliver handover work to support: the people building and running the release, not those who
# only follow it (stakeholders) or receive it (production support).
DELIVERING_ROLES = (Role.RELEASE_MANAGER, Role.PRODUCT_OWNER, Role.SCRUM_TEAM, Role.VENDOR_SUPPORT)


def person_label(user) -> str:
    """A person as pages name them: full name, else username."""
    return user.get_full_name() or user.get_username()


def members_of(release: Release, *, roles=None) -> QuerySet:
    """The release's members (holding one of `roles`, when given), by name."""
    filters = {"memberships__release": release}
    if roles is not None:
        filters["memberships__role__in"] = list(roles)
    members = get_user_model().objects.filter(**filters).distinct()
    return members.order_by("first_name", "last_name", "username")


def offer_people(field, queryset: QuerySet) -> None:
    """Makes a person picker offer `queryset`, each by full name; a choice outside it is refused."""
    field.queryset = queryset
    field.label_from_instance = person_label
