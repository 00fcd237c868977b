"""Every page renders for a member, and the list pages cost a fixed number of queries."""

import pytest
from django.urls import reverse

from golive.choices import DefectSeverity, Role
from tests.factories import DefectFactory, MembershipFactory, ReleaseFactory, RiskFactory, grant_permission

pytestmark = pytest.mark.django_db


def test_every_page_renders(release, members, client_for):
    risk = RiskFactory(release=release)
    defect = DefectFactory(release=release)
    client = client_for(members[Role.RELEASE_MANAGER])
    urls = [
        reverse("dashboards:portfolio"),
        reverse("golive:release_create"),
        reverse("golive:release_detail", args=[release.pk]),
        reverse("golive:release_edit", args=[release.pk]),
        reverse("golive:release_members", args=[release.pk]),
        reverse("registers:risk_create", args=[release.pk]),
        reverse("registers:risk_edit", args=[release.pk, risk.pk]),
        reverse("registers:defect_create", args=[release.pk]),
        reverse("registers:defect_edit", args=[release.pk, defect.pk]),
    ]
    grant_permission(members[Role.RELEASE_MANAGER], "golive.add_release")
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_login_page_renders(client):
    assert client.get(reverse("login")).status_code == 200


def test_release_page_orders_risks_by_score_and_defects_by_severity(release, members, client_for):
    RiskFactory(release=release, title="Low", probability=1, impact=2)
    RiskFactory(release=release, title="High", probability=5, impact=4)
    DefectFactory(release=release, title="Trivial one", severity=DefectSeverity.TRIVIAL)
    DefectFactory(release=release, title="Critical one", severity=DefectSeverity.CRITICAL)
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert page.index("High") < page.index("Low")
    assert page.index("Critical one") < page.index("Trivial one")


def _fill(release, how_many):
    for i in range(how_many):
        RiskFactory(release=release, probability=1 + i % 5, impact=1 + (i * 3) % 5)
        DefectFactory(release=release, severity=1 + i % 4)


@pytest.mark.parametrize("size", [5, 100])
def test_release_page_queries_do_not_grow_with_data(
    size, release, members, client_for, django_assert_max_num_queries
):
    _fill(release, size)
    client = client_for(members[Role.SCRUM_TEAM])
    with django_assert_max_num_queries(16):
        assert client.get(release.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("size", [5, 100])
def test_portfolio_queries_do_not_grow_with_data(size, members, client_for, django_assert_max_num_queries):
    user = members[Role.STAKEHOLDER]
    for _ in range(size // 5):
        other = ReleaseFactory()
        MembershipFactory(release=other, user=user, role=Role.STAKEHOLDER)
        _fill(other, 5)
    client = client_for(user)
    with django_assert_max_num_queries(7):
        assert client.get("/").status_code == 200
