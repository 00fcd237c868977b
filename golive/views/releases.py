from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from golive.choices import Role
from golive.forms import MembershipForm, ReleaseForm, ReleaseStatusForm
from golive.models import ReleaseMembership
from golive.permissions import Action, allowed_actions, can_create_release, get_release_for
from golive.release_page import date_warnings
from golive.selectors import release_overview
from golive.services.releases import (
    add_member,
    change_release_status,
    create_release,
    remove_member,
    update_release,
)
from golive.views.mixins import add_service_errors


def warn_about_target_go_live(request, release) -> None:
    for warning in date_warnings(release=release, moment=release.target_go_live, what="target go-live"):
        messages.warning(request, warning)


def release_create(request):
    if not can_create_release(request.user):
        raise PermissionDenied("Only release managers may create releases.")
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            release = create_release(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Release “{release.name}” created; you are its release manager.")
            warn_about_target_go_live(request, release)
            return redirect(release)
    return render(request, "golive/release_form.html", {"form": form})


def release_edit(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RELEASE)
    form = ReleaseForm(request.POST or None, instance=release)
    if request.method == "POST" and form.is_valid():
        try:
            release = update_release(release=release, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Release saved.")
            warn_about_target_go_live(request, release)
            return redirect(release)
    return render(request, "golive/release_form.html", {"form": form, "release": release})


def release_detail(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    context = {
        "release": release,
        "perms_on_release": allowed_actions(request.user, release),
        "status_form": ReleaseStatusForm(release=release),
        **release_overview(release),
    }
    return render(request, "golive/release_detail.html", context)


@require_POST
def release_move(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MOVE_RELEASE_STATUS)
    form = ReleaseStatusForm(request.POST, release=release)
    if form.is_valid():
        try:
            change_release_status(
                release=release,
                to_status=form.cleaned_data["to_status"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Release moved to {release.get_status_display()}.")
    else:
        problems = [f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items()]
        messages.error(request, "The release was not moved. " + " ".join(problems))
    return redirect(release)


def release_members(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_MEMBERS)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, role = form.cleaned_data["user"], form.cleaned_data["role"]
        if release.memberships.filter(user=user, role=role).exists():
            messages.info(
                request,
                f"{form.cleaned_data['username']} is already {Role(role).label.lower()}; nothing changed.",
            )
            return redirect("golive:release_members", release_pk=release.pk)
        add_member(release=release, user=user, role=role, actor=request.user)
        messages.success(request, f"{form.cleaned_data['username']} added as {Role(role).label.lower()}.")
        return redirect("golive:release_members", release_pk=release.pk)
    memberships = release.memberships.select_related("user").order_by("role", "user__username")
    return render(
        request, "golive/members.html", {"release": release, "form": form, "memberships": memberships}
    )


@require_POST
def release_member_remove(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    membership = get_object_or_404(ReleaseMembership, release=release, pk=pk)
    try:
        remove_member(membership=membership, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{membership.user} is no longer {membership.get_role_display().lower()}.")
    return redirect("golive:release_members", release_pk=release.pk)
