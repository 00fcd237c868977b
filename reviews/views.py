"""The post-implementation review page, its team findings and actions, and the application's track record."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from golive.permissions import Action, allowed_actions, allows, get_release_for
from golive.views.mixins import add_service_errors
from reviews.choices import DraftTrigger
from reviews.forms import ReviewActionForm, TeamFindingForm
from reviews.models import Review, ReviewAction, TeamFinding
from reviews.selectors import review_of, review_page
from reviews.services.reviews import draft_review, publish_review, redraft_review
from reviews.services.team import (
    add_review_action,
    add_team_finding,
    complete_review_action,
    edit_review_action,
    edit_team_finding,
    remove_team_finding,
)
from reviews.track_record import track_record


def review(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    found = review_of(release)
    context = {
        "release": release,
        "review": found,
        "draft_days": settings.REVIEW_DRAFT_DAYS,
        "perms_on_release": allowed_actions(request.user, release),
    }
    if found is not None:
        context |= review_page(found)
        for action in context["actions"]:
            action.may_complete = allows(request.user, "complete_review_action", action, release=release)
    return render(request, "reviews/review.html", context)


def _refused(request, release_pk: int, error: ValidationError):
    messages.error(request, " ".join(error.messages))
    return redirect("reviews:review", release_pk=release_pk)


@require_POST
def review_draft(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.PUBLISH_REVIEW)
    _, created = draft_review(release=release, actor=request.user, trigger=DraftTrigger.BY_HAND)
    messages.success(request, "Review drafted from the release's data." if created else "The review exists.")
    return redirect("reviews:review", release_pk=release.pk)


def _on_the_review(request, release_pk: int, service, success: str):
    """A release manager's action on the release's review: done, or refused with the service's reason."""
    release = get_release_for(request.user, release_pk, Action.PUBLISH_REVIEW)
    try:
        service(review=get_object_or_404(Review, release=release), actor=request.user)
    except ValidationError as error:
        return _refused(request, release.pk, error)
    messages.success(request, success)
    return redirect("reviews:review", release_pk=release.pk)


@require_POST
def review_redraft(request, release_pk: int):
    return _on_the_review(
        request, release_pk, redraft_review, "Drafted findings computed again from today's data."
    )


@require_POST
def review_publish(request, release_pk: int):
    return _on_the_review(request, release_pk, publish_review, "Review published.")


def _edit_page(request, release, form, *, title: str, save):
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("reviews:review", release_pk=release.pk)
    return render(request, "reviews/edit.html", {"release": release, "form": form, "title": title})


def finding_create(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.WRITE_REVIEW)
    found = get_object_or_404(Review, release=release)
    form = TeamFindingForm(request.POST or None)
    return _edit_page(
        request,
        release,
        form,
        title="Add a finding",
        save=lambda data: add_team_finding(review=found, actor=request.user, text=data["text"]),
    )


def finding_edit(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.WRITE_REVIEW)
    finding = get_object_or_404(TeamFinding.objects.select_related("review"), review__release=release, pk=pk)
    form = TeamFindingForm(request.POST or None, instance=finding)
    return _edit_page(
        request,
        release,
        form,
        title="Edit a finding",
        save=lambda data: edit_team_finding(finding=finding, actor=request.user, text=data["text"]),
    )


@require_POST
def finding_remove(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.WRITE_REVIEW)
    finding = get_object_or_404(TeamFinding.objects.select_related("review"), review__release=release, pk=pk)
    try:
        remove_team_finding(finding=finding, actor=request.user)
    except ValidationError as error:
        return _refused(request, release.pk, error)
    messages.success(request, "Finding removed.")
    return redirect("reviews:review", release_pk=release.pk)


def action_create(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.WRITE_REVIEW)
    found = get_object_or_404(Review, release=release)
    form = ReviewActionForm(request.POST or None, release=release)
    return _edit_page(
        request,
        release,
        form,
        title="Add an action",
        save=lambda data: add_review_action(review=found, actor=request.user, **data),
    )


def action_edit(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.WRITE_REVIEW)
    action = get_object_or_404(ReviewAction.objects.select_related("review"), review__release=release, pk=pk)
    form = ReviewActionForm(request.POST or None, instance=action, release=release)
    return _edit_page(
        request,
        release,
        form,
        title="Edit an action",
        save=lambda data: edit_review_action(action=action, actor=request.user, **data),
    )


@require_POST
def action_done(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    action = get_object_or_404(ReviewAction.objects.select_related("review"), review__release=release, pk=pk)
    complete_review_action(action=action, actor=request.user)
    messages.success(request, f"Action “{action}” marked done.")
    return redirect("reviews:review", release_pk=release.pk)


def track_record_page(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    return render(
        request,
        "reviews/track_record.html",
        {"release": release, **track_record(request.user, release)},
    )
