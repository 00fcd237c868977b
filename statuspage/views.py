"""The status page, subscribing to it, and its settings."""

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from golive.permissions import Action, get_release_for
from golive.views.mixins import add_service_errors
from statuspage.forms import StatusPageSettingsForm, SubscribeForm
from statuspage.models import StatusPage, Visibility
from statuspage.services.pages import save_status_page, status_page_of
from statuspage.services.subscriptions import confirm_subscription, request_subscription, unsubscribe
from statuspage.snapshot import status_page_html
from statuspage.tokens import BadLink, subscriber_to_unsubscribe


def _page_or_404(slug: str) -> StatusPage:
    page = StatusPage.objects.filter(slug=slug).first()
    if page is None:
        raise Http404("No such status page.")
    return page


def _hidden_from(request, page: StatusPage) -> bool:
    return page.visibility == Visibility.SIGNED_IN and not request.user.is_authenticated


def _message(request, page: StatusPage, title: str, text: str, *, status: int = 200):
    return render(
        request, "statuspage/message.html", {"page": page, "title": title, "text": text}, status=status
    )


@login_not_required
@require_safe
def status_page(request, slug: str):
    found = status_page_html(slug)
    if found is None:
        raise Http404("No such status page.")
    visibility, html = found
    if visibility == Visibility.SIGNED_IN and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    response = HttpResponse(html)
    # Browsers and proxies ask again each time, so a published update shows at the next load; the
    # server's own copy (statuspage.snapshot) is what keeps that cheap.
    patch_cache_control(
        response,
        no_cache=True,
        **({"public": True} if visibility == Visibility.PUBLIC else {"private": True}),
    )
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def subscribe(request, slug: str):
    page = _page_or_404(slug)
    if _hidden_from(request, page):
        return redirect_to_login(request.get_full_path())
    form = SubscribeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                request_subscription(page=page, email=form.cleaned_data["email"])
            except ValidationError as error:
                form.add_error("email", error.messages)
            else:
                return _message(
                    request,
                    page,
                    "Check your inbox",
                    "If this address is not subscribed yet, we sent it a link to confirm the subscription. "
                    "Updates are mailed only once it is confirmed.",
                )
        return render(request, "statuspage/subscribe.html", {"page": page, "form": form}, status=400)
    return render(request, "statuspage/subscribe.html", {"page": page, "form": form})


@login_not_required
@require_GET
def confirm(request, slug: str, token: str):
    page = _page_or_404(slug)
    try:
        confirm_subscription(page=page, token=token)
    except BadLink as error:
        return _message(request, page, "This link does not work", str(error), status=400)
    return _message(
        request, page, "Subscription confirmed", "Each update published on this page will be mailed to you."
    )


# The token in the address is the credential, and mail clients' one-click unsubscribe (RFC 8058) posts
# without a CSRF token.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe_view(request, slug: str, token: str):
    page = _page_or_404(slug)
    try:
        if request.method == "GET":
            # Link checkers in mail systems follow links: only the button (or the mail client's POST) acts.
            subscriber = subscriber_to_unsubscribe(token, page)
            return render(
                request,
                "statuspage/unsubscribe.html",
                {"page": page, "token": token, "subscriber": subscriber},
            )
        unsubscribe(page=page, token=token)
    except BadLink as error:
        return _message(request, page, "This link does not work", str(error), status=400)
    return _message(request, page, "Unsubscribed", "You will get no more mails from this status page.")


@require_http_methods(["GET", "POST"])
def page_settings(request, release_pk: int):
    release = get_release_for(request.user, release_pk, Action.MANAGE_STATUS_PAGE)
    page = status_page_of(release.application)
    initial = {"visibility": page.visibility if page else Visibility.PUBLIC}
    form = StatusPageSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            page = save_status_page(
                release=release, actor=request.user, visibility=form.cleaned_data["visibility"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("statuspage:settings", release_pk=release.pk)
    subscribers = (
        page.subscribers.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True).count()
        if page
        else 0
    )
    return render(
        request,
        "statuspage/settings.html",
        {"release": release, "page": page, "form": form, "subscribers": subscribers},
    )
