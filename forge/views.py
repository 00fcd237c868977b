"""The forges' webhook receivers and the release manager's repository mappings.

The receivers are called by GitHub and GitLab, not by a signed-in user: they stand outside the login
and CSRF checks, and trust a request only once its signature (GitHub) or secret token (GitLab) matches.
Every refusal is JSON with a 4xx status; nothing a sender puts in a body can cause a 500.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from forge import github, gitlab
from forge.forms import DeploymentTargetForm
from forge.models import DeploymentTarget
from forge.services import (
    BadEvent,
    add_deployment_target,
    receive_github_event,
    receive_gitlab_event,
    remove_deployment_target,
)
from golive.input_guard import raw_body_view
from golive.permissions import Action, allowed_actions, get_release_for
from golive.views.mixins import add_service_errors

MAX_BODY_BYTES = 1_000_000


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json_body(request) -> dict | JsonResponse:
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "The body is not JSON.")


def _accepted(review) -> JsonResponse:
    if review is None:
        return JsonResponse({"ignored": True}, status=202)
    return JsonResponse(
        {"review": review.pk, "state": review.state, "release": review.release_id}, status=202
    )


def _handle(request, receive):
    if request.method != "POST":
        return _error(405, "Send events with POST.")
    if len(request.body) > MAX_BODY_BYTES:
        return _error(413, "The body is too large.")
    payload = _json_body(request)
    if isinstance(payload, JsonResponse):
        return payload
    try:
        return _accepted(receive(payload))
    except BadEvent as error:
        return _error(400, str(error))


@csrf_exempt
@login_not_required
@raw_body_view
def github_webhook(request):
    if not github.signature_is_valid(request.body, request.headers.get("X-Hub-Signature-256", "")):
        return _error(401, "The X-Hub-Signature-256 signature does not match this app's webhook secret.")
    event = request.headers.get("X-GitHub-Event", "")
    if event == "ping":
        return JsonResponse({"ok": True})
    if event != "deployment_protection_rule":
        return JsonResponse({"ignored": True, "event": event[:100]}, status=202)
    return _handle(request, receive_github_event)


@csrf_exempt
@login_not_required
@raw_body_view
def gitlab_webhook(request):
    if not gitlab.token_is_valid(request.headers.get("X-Gitlab-Token", "")):
        return _error(401, "The X-Gitlab-Token header does not match GITLAB_WEBHOOK_TOKEN.")
    return _handle(request, receive_gitlab_event)


def deployment_targets(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    perms = allowed_actions(request.user, release)
    form = DeploymentTargetForm(request.POST or None)
    if request.method == "POST":
        release = get_release_for(request.user, release_pk, Action.EDIT_RELEASE)
        if form.is_valid():
            try:
                add_deployment_target(release=release, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            except ImproperlyConfigured as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Mapping added.")
                return redirect("forge:deployment_targets", release_pk=release.pk)
    context = {
        "release": release,
        "perms_on_release": perms,
        "form": form,
        "targets": release.deployment_targets.select_related("created_by"),
        "reviews": release.deployment_reviews.all()[:50],
    }
    return render(request, "forge/deployment_targets.html", context)


@require_POST
def deployment_target_remove(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RELEASE)
    target = get_object_or_404(DeploymentTarget, pk=pk, release=release)
    remove_deployment_target(target=target, actor=request.user)
    messages.success(request, f"Mapping {target} removed.")
    return redirect("forge:deployment_targets", release_pk=release.pk)
