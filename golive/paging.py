"""Pages whose total comes with their rows: one query per page instead of a count and a fetch."""

from dataclasses import dataclass
from math import ceil

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window

MAX_DIRECT_PAGE = 1_000_000


class WindowCountPaginator(Paginator):
    """Each row of the page carries the size of the whole result (COUNT(*) OVER ()), so the page and
    "N releases, page x of y" cost one query. A page past the end has no row to carry the total: it
    falls back to Django's own count and shows the last page, as Paginator.get_page does. A number
    beyond any real page is capped first, so its offset always fits the database's integer."""

    # A million pages of releases is past the end of any portfolio, and its offset fits in 64 bits.
    HIGHEST_PAGE_ASKED = 1_000_000

    def get_page(self, number) -> Page:
        try:
            number = min(max(int(number), 1), self.HIGHEST_PAGE_ASKED)
        except (TypeError, ValueError, OverflowError):
            number = 1
        if number > MAX_DIRECT_PAGE:
            # An absurd page number would overflow the database's OFFSET: Django's own count finds the last.
            return super().get_page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(page_total=Window(Count("*")))[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.count = rows[0].page_total  # Paginator.count is a cached property: this is its value now
        return Page(rows, number, self)


@dataclass(frozen=True)
class BoundedPage:
    """One page of a result whose count stops at a limit: "more than N" instead of an exact total."""

    object_list: list
    number: int
    count: int
    count_is_exact: bool
    per_page: int
    has_next_rows: bool

    @property
    def num_pages(self) -> int | None:
        return max(1, ceil(self.count / self.per_page)) if self.count_is_exact else None

    def has_next(self) -> bool:
        return self.has_next_rows

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def bounded_page(queryset: QuerySet, number, *, per_page: int, count_limit: int) -> BoundedPage:
    """Counting a long result costs as much as reading it: count at most `count_limit` rows, and tell
    whether a next page exists by reading one row more than the page. Two cheap queries however long
    the result; pages past the limit stay reachable with "Next"."""
    try:
        number = min(max(int(number), 1), MAX_DIRECT_PAGE)
    except (TypeError, ValueError):
        number = 1
    counted = queryset.order_by()[: count_limit + 1].count()
    exact = counted <= count_limit
    if exact:
        number = min(number, max(1, ceil(counted / per_page)))  # past the end: the last page
    bottom = (number - 1) * per_page
    rows = list(queryset[bottom : bottom + per_page + 1])
    return BoundedPage(
        object_list=rows[:per_page],
        number=number,
        count=min(counted, count_limit),
        count_is_exact=exact,
        per_page=per_page,
        has_next_rows=len(rows) > per_page,
    )
