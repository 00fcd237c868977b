"""The private calendar feed, and creating or replacing its address from the profile page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from golive import calendar_ics
from golive.permissions import calendar_feed_owner
from golive.services.calendars import create_calendar_feed, replace_calendar_feed_token
from integrations.calendar_feed import calendar_entries_for


@login_not_required
@require_GET
def calendar_feed(request, token: str):
    user = calendar_feed_owner(token)
    body = calendar_ics.feed(calendar_entries_for(user), name=f"GoLive Desk — {user.get_username()}")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="golive-desk.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def calendar_feed_create(request):
    create_calendar_feed(user=request.user)
    messages.success(request, "Your calendar feed address is ready: subscribe to it in your calendar.")
    return redirect(reverse("integrations:profile") + "#calendar")


@require_POST
def calendar_feed_replace(request):
    replace_calendar_feed_token(user=request.user)
    messages.success(request, "Your calendar feed has a new address; the old one no longer works.")
    return redirect("integrations:profile")
