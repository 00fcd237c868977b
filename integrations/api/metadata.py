"""What OPTIONS answers: the endpoint's description and, for the methods the caller may use, its fields."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request


class ReleaseScopedMetadata(SimpleMetadata):
    """DRF's own metadata asks for the object behind a PUT, which the upsert endpoints do not have (the
    record is found by its tracker key in the body). Permissions here are the release's role rules, so
    checking them is enough to say whether a method may be used."""

    def determine_actions(self, request, view) -> dict:
        actions = {}
        for method in {"PUT", "POST"} & set(view.allowed_methods):
            view.request = clone_request(request, method)
            try:
                view.check_permissions(view.request)
            except (exceptions.APIException, PermissionDenied, Http404):
                continue
            else:
                actions[method] = self.get_serializer_info(view.get_serializer())
            finally:
                view.request = request
        return actions
