"""Pages whose total comes with their rows: one query per page instead of a count and a fetch."""

from django.core.paginator import Page, Paginator
from django.db.models import Count, Window


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
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list.annotate(page_total=Window(Count("*")))[bottom : bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.count = rows[0].page_total  # Paginator.count is a cached property: this is its value now
        return Page(rows, number, self)
