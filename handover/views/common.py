from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render

from golive.permissions import Action, get_release_for
from golive.redirects import redirect_to_next
from golive.views.mixins import add_service_errors
from handover.models import HandoverPlan


def plan_for_request(request, release_pk: int, action: Action = Action.VIEW_RELEASE):
    """(release, plan) through the user: 404 for non-members and when the release has no plan yet."""
    release = get_release_for(request.user, release_pk, action)
    plan = get_object_or_404(HandoverPlan.objects.select_related("release"), release=release)
    plan.release = release  # one object, so status changes made by services show on the page
    return release, plan


def back(request, fallback: str):
    """Back to where the action was started (the plan or a team's sign-off page), if that is on this site."""
    return redirect_to_next(request, fallback)


def run_action(request, fallback: str, action, success: str):
    """Run a one-click service action; a refusal becomes a message, never a 500."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return back(request, fallback)


def form_page(request, *, form, release, title: str, service, success: str, fallback: str, intro: str = ""):
    """Render `form`; on a valid POST call `service(cleaned_data)`; its refusals appear on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            service(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, success)
            return back(request, fallback)
    return render(
        request,
        "handover/form.html",
        {"form": form, "release": release, "title": title, "intro": intro, "cancel_url": fallback},
    )
