from django.shortcuts import render

from dashboards.forms_history import HistoryFilterForm
from dashboards.selectors_history import release_history, trail_verbs_and_actors
from golive.paging import bounded_page
from golive.permissions import get_release_for

HISTORY_PAGE_SIZE = 50
# Beyond this many events the page says "more than 5,000": counting a long trail exactly costs as much as
# reading it, on every page.
HISTORY_COUNT_LIMIT = 5000


def release_history_page(request, release_pk: int):
    """Every audit event of the release, newest first, filtered by kind, person and dates."""
    release = get_release_for(request.user, release_pk)
    query = request.GET.copy()
    query.pop("page", None)
    form = HistoryFilterForm(query or None, verbs_and_actors=trail_verbs_and_actors(release))
    page = None
    if not form.is_bound or form.is_valid():
        filters = form.cleaned_data if form.is_bound else {}
        events = release_history(
            release,
            kind=filters.get("kind", ""),
            actor_name=form.actor_name() if form.is_bound else None,
            since=filters.get("since"),
            until=filters.get("until"),
        )
        page = bounded_page(
            events, request.GET.get("page"), per_page=HISTORY_PAGE_SIZE, count_limit=HISTORY_COUNT_LIMIT
        )
    return render(
        request,
        "dashboards/history.html",
        {"release": release, "form": form, "page": page, "query_without_page": query.urlencode()},
    )
