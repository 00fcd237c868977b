"""Pages whose total comes with their rows: one query per page instead of a count and a fetch."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window

MAX_DIRECT_PAGE = 1_000_000


class WindowCountPaginator(Paginator):
    """Each row of the page carries the size of the whole result (COUNT(*) OVER ()), so the page and
    "N releases, page x of y" cost one query. A page past the end has no row to carry the total: it
    falls back to Django's own count and shows the last page, as Paginator.get_page does."""

    def get_page(self, number) -> Page:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError):
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
