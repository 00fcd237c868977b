"""The home page: every release the user may see, with its readiness, filtered and sorted."""

from functools import lru_cache
from urllib.parse import urlencode

from django.http import QueryDict
from django.shortcuts import render
from django.template.loader import render_to_string

from dashboards.filters import PortfolioFilter
from dashboards.portfolio_cache import can_create_release_shown, freeze_banner_html
from dashboards.selectors import portfolio_releases, portfolio_rows
from golive.models import Release
from golive.paging import WindowCountPaginator

PORTFOLIO_PAGE_SIZE = 25


def _render_filter_bar(query: str) -> str:
    filterset = PortfolioFilter(QueryDict(query) or None, queryset=Release.objects.none())
    return render_to_string(
        "dashboards/_portfolio_filters.html", {"filter": filterset, "filter_controls": filterset.controls()}
    )


_remembered_filter_bar = lru_cache(maxsize=256)(_render_filter_bar)


def _filter_bar(query: str) -> str:
    """The filter form for a query string, the same for every user, so rendered once per process: its
    options come from the filters' fixed choices. An unusually long query string is not kept."""
    return _remembered_filter_bar(query) if len(query) <= 1000 else _render_filter_bar(query)


def portfolio(request):
    """The home page: the user's releases with readiness, filtered and sorted from the query string."""
    query = request.GET.copy()
    query.pop("page", None)
    releases = portfolio_releases(request.user)
    # Without a filter the releases keep their model order (target date); no filter set is needed.
    filterset = PortfolioFilter(query, queryset=releases, request=request) if query else None
    if filterset is not None:
        releases = filterset.qs
    page = WindowCountPaginator(releases, PORTFOLIO_PAGE_SIZE).get_page(request.GET.get("page"))
    filter_query = urlencode(sorted((key, query.getlist(key)) for key in query), doseq=True)
    context = {
        "filter": filterset,
        "filter_bar": _filter_bar(filter_query),
        "releases": releases,
        "page": page,
        "rows": portfolio_rows(page.object_list),
        "query_without_page": query.urlencode(),
        "can_create_release": can_create_release_shown(request.user),
        "freeze_banner": freeze_banner_html(),
    }
    return render(request, "dashboards/portfolio.html", context)
