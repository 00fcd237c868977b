from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dashboards.audit_pack import audit_pack_filename, build_audit_pack
from dashboards.forms import HeatCellForm
from dashboards.selectors import live_cards_cache_key, release_dashboard, risks_in_cell
from golive.permissions import get_release_for


def _live_cards(request, release) -> str:
    """The cards, rendered once for everyone watching the release within the cache time.

    Permission is checked per request before this; the cards hold nothing specific to one user.
    """
    key = live_cards_cache_key(release)
    cards = cache.get(key) if key else None
    if cards is None:
        context = {"release": release, **release_dashboard(release)}
        cards = render_to_string("dashboards/htmx/live.html", context, request=request)
        if key:
            cache.set(key, cards, settings.DASHBOARD_CACHE_SECONDS)
    return cards


def release_dashboard_page(request, release_pk: int):
    """The full dashboard, or only its live cards when htmx polls for them: one view, one partial."""
    release = get_release_for(request.user, release_pk)
    cards = _live_cards(request, release)
    if request.htmx and request.htmx.target == "dashboard-live":
        return HttpResponse(cards)
    return render(request, "dashboards/release.html", {"release": release, "live_cards": cards})


def heat_map_cell(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    form = HeatCellForm(request.GET)
    if not form.is_valid():
        return render(
            request, "dashboards/htmx/cell_risks.html", {"form": form, "release": release}, status=400
        )
    cell = form.cleaned_data
    risks = risks_in_cell(release, probability=cell["probability"], impact=cell["impact"])
    return render(request, "dashboards/htmx/cell_risks.html", {"release": release, "risks": risks, **cell})


@never_cache
def audit_pack(request, release_pk: int):
    release = get_release_for(request.user, release_pk)
    response = HttpResponse(build_audit_pack(release, now=timezone.now()), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{audit_pack_filename(release)}"'
    return response


@login_not_required
@require_GET
@never_cache
def healthz(request):
    """For load balancers and benchmarks: the app answers, without a session or the database."""
    return HttpResponse("ok", content_type="text/plain")
