"""Pages for integration: the profile page (API tokens, calendar feed), and a release's webhooks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from golive.permissions import Action, allowed_actions, get_release_for
from golive.views.mixins import add_service_errors
from integrations.calendar_feed import calendar_feed_for
from integrations.forms import ApiTokenForm, WebhookEndpointForm
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.services.api_tokens import create_api_token, revoke_api_token
from integrations.services.webhooks import (
    add_endpoint,
    redeliver,
    remove_endpoint,
    send_ping,
    set_endpoint_active,
)

DELIVERY_LOG_LENGTH = 100


def profile(request):
    """The user's API tokens. A new token's text is shown on this response only, never again."""
    form = ApiTokenForm(request.POST or None)
    new_token_text = None
    calendar_feed = calendar_feed_for(request.user)
    if request.method == "POST" and form.is_valid():
        try:
            issued = create_api_token(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            new_token_text = issued.text
            form = ApiTokenForm()
    response = render(
        request,
        "integrations/profile.html",
        {
            "form": form,
            "new_token_text": new_token_text,
            "tokens": ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at"),
            "calendar_feed_url": calendar_feed
            and request.build_absolute_uri(reverse("integrations:calendar_feed", args=[calendar_feed.token])),
        },
    )
    # The page holding a fresh token must not be kept by a browser or proxy cache.
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_api_token(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked: pipelines using it now get 401.")
    return redirect("integrations:profile")


def webhooks(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.EDIT_RELEASE)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            add_endpoint(release=release, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Webhook added. Give its secret to the receiver to verify signatures.")
            return redirect("integrations:webhooks", release.pk)
    deliveries = WebhookDelivery.objects.filter(endpoint__release=release).select_related("endpoint")
    return render(
        request,
        "integrations/webhooks.html",
        {
            "release": release,
            "perms_on_release": allowed_actions(request.user, release),
            "form": form,
            "endpoints": WebhookEndpoint.objects.filter(release=release).order_by("pk"),
            "deliveries": deliveries.order_by("-created_at", "-pk")[:DELIVERY_LOG_LENGTH],
        },
    )


def _endpoint_for(request, release_pk: int, pk: int) -> WebhookEndpoint:
    release = get_release_for(request.user, release_pk)  # the service refuses whoever may not change it
    return get_object_or_404(WebhookEndpoint.objects.select_related("release"), pk=pk, release=release)


@require_POST
def webhook_toggle(request, release_pk: int, pk: int):
    endpoint = _endpoint_for(request, release_pk, pk)
    set_endpoint_active(endpoint=endpoint, actor=request.user, active=not endpoint.active)
    messages.success(request, f"Webhook {'enabled' if endpoint.active else 'disabled'}.")
    return redirect("integrations:webhooks", release_pk)


@require_POST
def webhook_remove(request, release_pk: int, pk: int):
    remove_endpoint(endpoint=_endpoint_for(request, release_pk, pk), actor=request.user)
    messages.success(request, "Webhook removed, with its delivery log.")
    return redirect("integrations:webhooks", release_pk)


@require_POST
def webhook_ping(request, release_pk: int, pk: int):
    delivery = send_ping(endpoint=_endpoint_for(request, release_pk, pk), actor=request.user)
    messages.info(request, f"Test ping #{delivery.pk} queued; its result appears in the log below.")
    return redirect(reverse("integrations:webhooks", args=[release_pk]) + "#deliveries")


@require_POST
def delivery_redeliver(request, release_pk: int, pk: int):
    release = get_release_for(request.user, release_pk)
    delivery = get_object_or_404(
        WebhookDelivery.objects.select_related("endpoint__release"), pk=pk, endpoint__release=release
    )
    try:
        redeliver(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.info(request, f"Delivery #{delivery.pk} queued again.")
    return redirect(reverse("integrations:webhooks", args=[release_pk]) + "#deliveries")
