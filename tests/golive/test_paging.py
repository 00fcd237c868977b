"""WindowCountPaginator: a page and the total in one query, and Django's answers at the edges."""

import pytest

from golive.models import Release
from golive.paging import WindowCountPaginator, bounded_page
from tests.factories import MembershipFactory, ReleaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thirty(db):
    return [ReleaseFactory(name=f"Release {i:02d}") for i in range(30)]


def _paginator():
    return WindowCountPaginator(Release.objects.order_by("name"), 25)


def test_a_page_and_its_total_cost_one_query(thirty, django_assert_num_queries):
    with django_assert_num_queries(1):
        page = _paginator().get_page("2")
        names = [release.name for release in page.object_list]
        assert (page.paginator.count, page.paginator.num_pages, page.number) == (30, 2, 2)
    assert names == [f"Release {i:02d}" for i in range(25, 30)]
    assert page.has_previous() and not page.has_next()


@pytest.mark.parametrize(
    ("asked", "shown"), [("abc", 1), (None, 1), ("0", 1), ("-3", 1), ("99", 2), ("9" * 30, 2)]
)
def test_pages_outside_the_range_are_the_first_or_the_last(asked, shown, thirty):
    page = _paginator().get_page(asked)
    assert page.number == shown
    assert page.paginator.count == 30
    assert page.object_list[0].name == ("Release 00" if shown == 1 else "Release 25")


def test_an_empty_result_is_one_empty_page(db):
    page = _paginator().get_page("1")
    assert (page.paginator.count, page.number, list(page.object_list)) == (0, 1, [])


def test_the_portfolio_counts_every_release_and_pages_them(thirty, members, client_for):
    user = next(iter(members.values()))
    for release in thirty:
        MembershipFactory(release=release, user=user)
    first = client_for(user).get("/").content.decode()
    assert "31 releases, page 1 of 2" in first  # the thirty and the members' own release
    second = client_for(user).get("/?page=2").content.decode()
    assert "31 releases, page 2 of 2" in second
    assert second.count('data-testid="portfolio-row"') == 6


def test_a_bounded_page_costs_two_queries_and_says_when_the_count_stopped(thirty, django_assert_num_queries):
    releases = Release.objects.order_by("name")
    with django_assert_num_queries(2):
        page = bounded_page(releases, "2", per_page=10, count_limit=20)
        names = [release.name for release in page.object_list]
    assert names == [f"Release {i:02d}" for i in range(10, 20)]
    assert (page.count, page.count_is_exact, page.num_pages) == (20, False, None)
    assert page.has_next() and page.has_previous()
    exact = bounded_page(releases, "99", per_page=10, count_limit=100)
    assert (exact.count, exact.count_is_exact, exact.num_pages, exact.number) == (30, True, 3, 3)
    assert not exact.has_next() and [r.name for r in exact.object_list][-1] == "Release 29"
    assert bounded_page(releases, "9" * 30, per_page=10, count_limit=100).number == 3
    assert bounded_page(releases, "abc", per_page=10, count_limit=100).number == 1


@pytest.mark.parametrize("asked", ["9999999999999999999", "1e400", "-9999999999999999999", "\u0661\u0662"])
def test_a_page_number_past_any_database_integer_is_the_last_page(asked, thirty):
    page = _paginator().get_page(asked)
    assert page.number in (1, 2)
    assert page.paginator.count == 30


def test_the_portfolio_answers_a_huge_page_number_with_its_last_page(members, client_for):
    response = client_for(members["release_manager"]).get("/?page=9999999999999999999")
    assert response.status_code == 200
    assert "1 release" in response.content.decode()
