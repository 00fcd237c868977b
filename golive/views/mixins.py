from django.core.exceptions import ValidationError
from django.forms import Form

from golive.permissions import Action, allowed_actions, get_release_for


class ReleaseScopedMixin:
    """Resolves `self.release` through the user: 404 for non-members, 403 without `required_action`."""

    required_action: Action = Action.VIEW_RELEASE

    def dispatch(self, request, *args, **kwargs):
        self.release = get_release_for(request.user, kwargs["release_pk"], self.required_action)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["release"] = self.release
        context["perms_on_release"] = allowed_actions(self.request.user, self.release)
        return context


def add_service_errors(form: Form, error: ValidationError) -> None:
    """Shows a service's validation error on the form: next to the field where it names one."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
