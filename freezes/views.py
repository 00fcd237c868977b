from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from freezes.forms import FreezeOverrideForm, FreezeWindowForm
from freezes.models import FreezeWindow
from freezes.services import (
    create_freeze_window,
    delete_freeze_window,
    record_freeze_override,
    update_freeze_window,
)
from freezes.windows import current_and_upcoming, freezes_in_force, warning_for
from golive.permissions import Action, can_manage_freezes, get_release_for
from golive.views.mixins import add_service_errors


def _require_staff(user) -> None:
    if not can_manage_freezes(user):
        raise PermissionDenied("Only site staff may manage freeze windows.")


def freeze_list(request):
    """Every signed-in user may see the freezes; only staff see the buttons that change them."""
    context = {
        "windows": FreezeWindow.objects.select_related("created_by"),
        "current_and_upcoming": current_and_upcoming(),
        "can_manage": can_manage_freezes(request.user),
    }
    return render(request, "freezes/list.html", context)


def freeze_edit(request, pk: int | None = None):
    _require_staff(request.user)
    window = get_object_or_404(FreezeWindow, pk=pk) if pk else None
    form = FreezeWindowForm(request.POST or None, instance=window)
    if request.method == "POST" and form.is_valid():
        try:
            if window is None:
                window = create_freeze_window(actor=request.user, **form.cleaned_data)
            else:
                window = update_freeze_window(window=window, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Freeze window “{window.name}” saved.")
            return redirect("freezes:freeze_list")
    return render(request, "freezes/form.html", {"form": form, "window": window})


@require_POST
def freeze_delete(request, pk: int):
    _require_staff(request.user)
    window = get_object_or_404(FreezeWindow, pk=pk)
    delete_freeze_window(window=window, actor=request.user)
    messages.success(request, f"Freeze window “{window.name}” removed.")
    return redirect("freezes:freeze_list")


def freeze_override(request, release_pk: int):
    """The release manager's emergency override of a freeze in force for this release."""
    release = get_release_for(request.user, release_pk, Action.OVERRIDE_FREEZE)
    in_force = freezes_in_force([release]).get(release.pk, [])
    blocking = [freeze.window for freeze in in_force if freeze.override is None]
    form = FreezeOverrideForm(request.POST or None, windows=blocking)
    if request.method == "POST" and form.is_valid():
        try:
            record_freeze_override(release=release, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(
                request, "Emergency override recorded; the deploy gate no longer waits for this freeze."
            )
            return redirect(reverse("golive:release_detail", args=[release.pk]))
    context = {
        "release": release,
        "form": form,
        "blocking": blocking,
        "freeze_reasons": [freeze.describe() for freeze in in_force if freeze.override is None],
        "freeze_overrides": [
            freeze.describe_override() for freeze in in_force if freeze.override is not None
        ],
    }
    return render(request, "freezes/override.html", context)


def warn_if_frozen(request, *, release, moment, what: str) -> None:
    """A picker's server-side warning: the chosen time falls inside a freeze for this release."""
    warning = warning_for(release=release, moment=moment, what=what)
    if warning:
        messages.warning(request, warning)
