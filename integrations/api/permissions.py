"""The pages' role rules, applied to the API: golive.permissions decides, this only wires it into DRF.

A view names the action each HTTP method needs; the release is looked up through the user, so a
stranger gets 404 and a member without the right gets 403, exactly as on the pages.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from golive.models import Release
from golive.permissions import Action, get_release_for


class ReleaseRolePermission(BasePermission):
    """Needs `view.read_action` for safe methods and `view.write_action` for the others."""

    def has_permission(self, request, view) -> bool:
        if "release_pk" not in view.kwargs:
            return True
        action = view.read_action if request.method in SAFE_METHODS else view.write_action
        view.release = get_release_for(request.user, view.kwargs["release_pk"], action)
        return True


class ReleaseScopedMixin:
    """For views under /releases/{release_pk}/: `self.release` is set once permissions pass."""

    read_action: Action = Action.VIEW_RELEASE
    write_action: Action = Action.EDIT_RELEASE
    release: Release
