"""The portfolio (home page), the release dashboard, its heat-map cells, the live partial and /healthz."""

import re

import pytest
from django.urls import reverse

from demo.scale import load_scale_demo
from golive.choices import DefectSeverity, DefectStatus, Environment, ReleaseStatus, RiskStatus, Role
from golive.models import Release
from registers.services.risks import create_risk
from tests.conftest import ROLE_USERNAMES
from tests.factories import DefectFactory, MembershipFactory, ReleaseFactory, RiskFactory


def _dashboard(release):
    return reverse("dashboards:release_dashboard", args=[release.pk])


def _cell(release, probability, impact):
    return (
        reverse("dashboards:heat_map_cell", args=[release.pk]) + f"?probability={probability}&impact={impact}"
    )


def _names(response) -> list[str]:
    return [row.name for row in response.context["rows"]]


# --- Permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(ROLE_USERNAMES))
def test_every_role_can_read_the_dashboard_and_its_cells(role, release, members, client_for):
    client = client_for(members[role])
    assert client.get(_dashboard(release)).status_code == 200
    assert client.get(_cell(release, 3, 3)).status_code == 200


@pytest.mark.parametrize("name", ["release_dashboard", "heat_map_cell", "audit_pack"])
def test_a_stranger_gets_404_and_no_hint_of_the_release(name, release, members, stranger, client_for):
    response = client_for(stranger).get(reverse(f"dashboards:{name}", args=[release.pk]))
    assert response.status_code == 404
    assert release.name.encode() not in response.content


@pytest.mark.parametrize("name", ["release_dashboard", "heat_map_cell", "audit_pack"])
def test_anonymous_visitors_are_sent_to_the_login(name, release, client):
    response = client.get(reverse(f"dashboards:{name}", args=[release.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_see_every_release_on_the_portfolio(release, staff, client_for):
    other = ReleaseFactory(name="Nobody's release")
    assert set(_names(client_for(staff).get("/"))) == {release.name, other.name}


def test_healthz_answers_without_a_login(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("dashboards:healthz"))
    assert (response.status_code, response.content) == (200, b"ok")


# --- Portfolio ----------------------------------------------------------------------------------------


def test_the_portfolio_shows_readiness_with_its_reasons_on_hover_and_for_screen_readers(
    release, members, client_for
):
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
    page = client_for(members[Role.STAKEHOLDER]).get("/").content.decode()
    summary = "Blocked: 1 open critical or blocking defect."
    assert f'title="{summary}"' in page
    assert f'<span class="visually-hidden">{summary}</span>' in page
    assert 'data-state="blocked"' in page


def _cells(html: str) -> list[str]:
    """The text of each cell of a portfolio row, tags and spacing removed."""
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_the_portfolio_row_has_the_figures(release, members, client_for):
    RiskFactory(release=release, probability=2, impact=2)
    RiskFactory(release=release, probability=2, impact=2, status=RiskStatus.CLOSED)
    DefectFactory(release=release, severity=DefectSeverity.MINOR)
    row = client_for(members[Role.STAKEHOLDER]).get("/").context["rows"][0]
    cells = _cells(row.html)
    assert cells[0].startswith(release.name)
    assert cells[4] in ("6", "7")  # the factory's target is seven days from now, minus part of a day
    assert cells[5].startswith("✔ Ready")
    assert cells[6:12] == ["1", "1", "0", "no list", "none yet", "none"]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(ReleaseStatus.HANDED_OVER, "✔ Handed over to support"), (ReleaseStatus.ROLLED_BACK, "↶ Rolled back")],
)
def test_a_finished_release_shows_its_outcome_not_readiness_or_days_to_go(
    status, outcome, release, members, client_for
):
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
    Release.objects.filter(pk=release.pk).update(status=status)
    row = client_for(members[Role.STAKEHOLDER]).get("/").context["rows"][0]
    cells = _cells(row.html)
    assert cells[4] == outcome
    assert "Blocked" not in row.html and 'data-testid="readiness"' not in row.html


def test_a_release_past_its_date_says_how_many_days_past(release, members, client_for):
    from django.utils import timezone

    Release.objects.filter(pk=release.pk).update(target_go_live=timezone.now() - timezone.timedelta(days=20))
    row = client_for(members[Role.STAKEHOLDER]).get("/").context["rows"][0]
    assert _cells(row.html)[4] in ("20 days past", "19 days past")


def test_the_portfolio_row_counts_blockers(release, members, client_for):
    RiskFactory(release=release, probability=5, impact=5)
    RiskFactory(release=release, probability=1, impact=1, status=RiskStatus.CLOSED)
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL)
    DefectFactory(release=release, severity=DefectSeverity.MINOR)
    row = client_for(members[Role.STAKEHOLDER]).get("/").context["rows"][0]
    cells = _cells(row.html)
    assert cells[5].startswith("✖ Blocked")
    assert cells[6:9] == ["1", "2", "2 blocking"]


def test_portfolio_rows_are_shared_until_an_audited_change(
    release, members, client_for, django_assert_max_num_queries, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 60
    first = client_for(members[Role.STAKEHOLDER])
    second = client_for(members[Role.PRODUCTION_SUPPORT])
    computed = _queries(first, "/", django_assert_max_num_queries)
    shared = _queries(second, "/", django_assert_max_num_queries)
    assert shared == computed - 2  # neither the row's figures nor the freeze windows were fetched again
    assert _cells(second.get("/").context["rows"][0].html)[6] == "0"

    create_risk(
        release=release, actor=members[Role.RELEASE_MANAGER], title="Vendor late", probability=2, impact=2
    )
    assert _cells(second.get("/").context["rows"][0].html)[6] == "1"


@pytest.fixture
def portfolio(members):
    """Four releases of the stakeholder's with different status, environment and readiness."""
    user = members[Role.STAKEHOLDER]
    releases = {
        "blocked": ReleaseFactory(name="Blocked one", status=ReleaseStatus.PLANNING),
        "at_risk": ReleaseFactory(
            name="At-risk one", status=ReleaseStatus.LIVE, environment=Environment.STAGING
        ),
        "ready": ReleaseFactory(name="Ready one", status=ReleaseStatus.GO),
    }
    DefectFactory(release=releases["blocked"], severity=DefectSeverity.CRITICAL)
    DefectFactory(release=releases["at_risk"], severity=DefectSeverity.MAJOR)
    DefectFactory(release=releases["at_risk"], severity=DefectSeverity.MINOR)
    for release in releases.values():
        MembershipFactory(release=release, user=user, role=Role.STAKEHOLDER)
    return releases


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("readiness=blocked", {"Blocked one"}),
        ("readiness=at_risk", {"At-risk one"}),
        ("readiness=ready", {"Ready one", "Customer Portal spring release"}),
        ("status=live&status=go", {"At-risk one", "Ready one"}),
        ("environment=staging", {"At-risk one"}),
        ("q=risk", {"At-risk one"}),
        ("role=release_manager", set()),
        ("role=stakeholder&readiness=blocked", {"Blocked one"}),
    ],
)
def test_portfolio_filters(query, expected, portfolio, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get(f"/?{query}")
    assert response.status_code == 200
    assert set(_names(response)) == expected


def test_my_releases_narrows_what_staff_see(portfolio, release, staff, client_for):
    MembershipFactory(release=portfolio["ready"], user=staff, role=Role.RELEASE_MANAGER)
    client = client_for(staff)
    assert len(_names(client.get("/"))) == 4
    assert _names(client.get("/?mine=on")) == ["Ready one"]
    assert _names(client.get("/?role=release_manager")) == ["Ready one"]


def test_portfolio_sorting(portfolio, release, members, client_for):
    client = client_for(members[Role.STAKEHOLDER])
    worst_first = _names(client.get("/?sort=-readiness"))
    assert worst_first[:2] == ["Blocked one", "At-risk one"]
    assert _names(client.get("/?sort=-defects"))[:2] == ["At-risk one", "Blocked one"]
    by_name = _names(client.get("/?sort=name"))
    assert by_name == sorted(by_name)


@pytest.mark.parametrize(
    "query",
    [
        "status=exploded",
        "environment=moon",
        "readiness=maybe",
        "sort=drop table",
        "role=emperor",
        "page=abc",
        "page=99999",
        "q=" + "x" * 500,
        "q=" + "x" * 2000,
    ],
)
def test_bad_filter_values_give_errors_not_500(query, portfolio, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get(f"/?{query}")
    assert response.status_code == 200
    if not query.startswith("page="):
        assert response.context["filter"].errors
        assert b'data-testid="filter-errors"' in response.content


def test_a_nul_in_a_filter_is_refused_with_a_message_not_500(portfolio, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get("/?readiness=blocked&sort=%00")
    assert response.status_code == 400
    assert b"cannot be stored" in response.content


def test_a_bad_filter_value_leaves_the_valid_ones_applied(portfolio, members, client_for):
    response = client_for(members[Role.STAKEHOLDER]).get("/?environment=moon&readiness=blocked")
    assert "environment" in response.context["filter"].errors
    assert _names(response) == ["Blocked one"]


# --- Release dashboard --------------------------------------------------------------------------------


def test_the_heat_map_counts_open_risks_per_cell(release, members, client_for):
    RiskFactory(release=release, probability=4, impact=5, title="Migration overrun")
    RiskFactory(release=release, probability=4, impact=5, title="Vendor late")
    RiskFactory(release=release, probability=1, impact=2, title="Typo in banner")
    RiskFactory(release=release, probability=4, impact=5, title="Closed one", status=RiskStatus.CLOSED)
    response = client_for(members[Role.STAKEHOLDER]).get(_dashboard(release))
    heat_map = response.context["heat_map"]
    counts = {(cell.probability, cell.impact): cell.count for row in heat_map for cell in row}
    assert len(counts) == 25
    assert counts[(4, 5)] == 2
    assert counts[(1, 2)] == 1
    assert sum(counts.values()) == 3
    assert [cell.probability for cell in heat_map[0]] == [5] * 5  # the top row is probability 5
    assert heat_map[1][4].band == "high"
    page = response.content.decode()
    assert "2</span>" in page and "open risks: probability 4, impact 5, score 20 (high)" in page


def test_a_heat_map_cell_lists_its_open_risks_only(release, members, client_for):
    RiskFactory(release=release, probability=4, impact=5, title="Migration overrun")
    RiskFactory(release=release, probability=4, impact=4, title="Other cell")
    RiskFactory(release=release, probability=4, impact=5, title="Closed one", status=RiskStatus.CLOSED)
    response = client_for(members[Role.STAKEHOLDER]).get(_cell(release, 4, 5), HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert "Migration overrun" in page
    assert "Other cell" not in page and "Closed one" not in page
    assert "1 open risk" in page


@pytest.mark.parametrize("query", ["probability=6&impact=1", "probability=x&impact=2", "impact=3", ""])
def test_a_cell_outside_the_grid_is_a_400_with_words(query, release, members, client_for):
    url = reverse("dashboards:heat_map_cell", args=[release.pk]) + f"?{query}"
    response = client_for(members[Role.STAKEHOLDER]).get(url)
    assert response.status_code == 400
    assert b"probability and impact run from 1 to 5" in response.content


def test_defects_are_counted_by_severity_and_status(release, members, client_for):
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL, status=DefectStatus.OPEN)
    DefectFactory(release=release, severity=DefectSeverity.CRITICAL, status=DefectStatus.OPEN)
    DefectFactory(release=release, severity=DefectSeverity.MINOR, status=DefectStatus.RESOLVED)
    defects = client_for(members[Role.STAKEHOLDER]).get(_dashboard(release)).context["defects"]
    by_severity = {row["severity"]: row for row in defects["rows"]}
    statuses = [status.value for status in defects["statuses"]]
    assert by_severity[DefectSeverity.CRITICAL]["cells"][statuses.index("open")] == 2
    assert by_severity[DefectSeverity.MINOR]["cells"][statuses.index("resolved")] == 1
    assert by_severity[DefectSeverity.MAJOR]["total"] == 0
    assert defects["total"] == 3


def test_the_dashboard_shows_readiness_runbook_and_the_go_decision(go_release, members, client_for):
    DefectFactory(release=go_release, severity=DefectSeverity.CRITICAL)
    response = client_for(members[Role.STAKEHOLDER]).get(_dashboard(go_release))
    page = response.content.decode()
    assert response.context["readiness"].state == "blocked"
    assert "1 open critical or blocking defect" in page
    assert response.context["runbook"]["total"] == 3
    assert "0 of 3 steps finished" in page
    assert reverse("dashboards:audit_pack", args=[go_release.pk]) in page


@pytest.mark.parametrize(
    ("status", "live"),
    [(ReleaseStatus.DEPLOYING, True), (ReleaseStatus.LIVE, True), (ReleaseStatus.GO, False)],
)
def test_the_cards_refresh_themselves_only_while_deploying_or_live(
    status, live, release, members, client_for
):
    Release.objects.filter(pk=release.pk).update(status=status)
    page = client_for(members[Role.STAKEHOLDER]).get(_dashboard(release)).content.decode()
    assert ('hx-trigger="every 5s"' in page) is live


def test_htmx_polling_gets_only_the_live_cards_from_the_same_view(release, members, client_for):
    Release.objects.filter(pk=release.pk).update(status=ReleaseStatus.LIVE)
    response = client_for(members[Role.STAKEHOLDER]).get(
        _dashboard(release), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-live"
    )
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="dashboard-live"')
    assert "<html" not in page and 'data-testid="release-nav"' not in page
    assert 'data-testid="heat-map"' in page


def test_the_dashboard_tab_is_in_the_release_navigation(release, members, client_for):
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert f'href="{_dashboard(release)}">Dashboard</a>' in page


# --- Query counts at scale ----------------------------------------------------------------------------


@pytest.fixture
def demo_users(members):
    return {username: members[role] for role, username in ROLE_USERNAMES.items()}


def _queries(client, url, django_assert_max_num_queries) -> int:
    with django_assert_max_num_queries(50) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("view", ["portfolio", "dashboard"])
def test_query_counts_are_the_same_at_scale_1_and_scale_20(
    view, demo_users, client_for, django_assert_max_num_queries, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 0  # every request computes the dashboard
    client = client_for(demo_users["stakeholder"])
    load_scale_demo(count=1, users=demo_users)
    live = Release.objects.filter(name__startswith="Scale demo").first()
    url = "/?sort=-readiness" if view == "portfolio" else _dashboard(live)
    small = _queries(client, url, django_assert_max_num_queries)
    load_scale_demo(count=20, users=demo_users)
    assert Release.objects.filter(name__startswith="Scale demo").count() == 20
    large = _queries(client, url, django_assert_max_num_queries)
    assert small == large
    # Portfolio: session, user, the user's permission to create releases, the freeze windows for the banner,
    # the page with its total, the figures of the rows not cached.
    assert large <= (6 if view == "portfolio" else 16)


def test_the_dashboard_of_a_data_rich_release_has_every_card(demo_users, client_for):
    load_scale_demo(count=7, users=demo_users)
    live = Release.objects.get(name="Scale demo release 0006")
    assert live.status == ReleaseStatus.LIVE
    response = client_for(demo_users["stakeholder"]).get(_dashboard(live))
    context = response.context
    assert (
        sum(cell.count for row in context["heat_map"] for cell in row)
        == context["readiness"].counts["open_risk_count"]
    )
    assert len(context["smoke_runs"]) == 15
    assert len(context["monitors"]) == 3
    assert all(len(chart["data"]["labels"]) >= 24 for chart in context["monitors"])
    assert context["go_no_go"]["latest_decision"].outcome == "GO"
    assert len(context["handover"]["teams"]) == 2
    page = response.content.decode()
    assert len(re.findall(r'data-testid="monitor-chart"', page)) == 3
    assert 'id="monitor-chart-data"' in page


def test_every_filter_control_has_a_label_and_keeps_its_value(portfolio, members, client_for):
    page = client_for(members[Role.STAKEHOLDER]).get("/?environment=staging&status=live&sort=name&q=one")
    html = page.content.decode()
    for name, label in [("environment", "Environment"), ("readiness", "Readiness"), ("role", "My role")]:
        assert f'<label class="form-label small" for="id_{name}">{label}</label>' in html
    assert '<option value="staging" selected>' in html
    assert '<option value="name" selected>' in html
    assert 'name="status" value="live" id="id_status_5" checked' in html
    assert 'value="one"' in html


def test_watchers_of_a_release_share_its_cards_until_an_audited_change(
    release, members, client_for, django_assert_max_num_queries, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 60
    RiskFactory(release=release, probability=4, impact=5, title="Migration overrun")
    first = client_for(members[Role.STAKEHOLDER])
    second = client_for(members[Role.PRODUCTION_SUPPORT])
    computed = _queries(first, _dashboard(release), django_assert_max_num_queries)
    shared = _queries(second, _dashboard(release), django_assert_max_num_queries)
    assert shared < computed
    assert (
        "open risk: probability 4, impact 5, score 20 (high)"
        in second.get(_dashboard(release)).content.decode()
    )

    create_risk(
        release=release, actor=members[Role.RELEASE_MANAGER], title="Vendor late", probability=4, impact=5
    )
    page = second.get(_dashboard(release)).content.decode()
    assert "2</span>" in page and "open risks: probability 4, impact 5, score 20 (high)" in page


def test_a_stranger_never_gets_the_shared_cards(release, members, stranger, client_for, settings):
    settings.DASHBOARD_CACHE_SECONDS = 60
    assert client_for(members[Role.STAKEHOLDER]).get(_dashboard(release)).status_code == 200
    response = client_for(stranger).get(
        _dashboard(release), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-live"
    )
    assert response.status_code == 404


def test_a_repeat_visit_to_the_portfolio_costs_session_user_and_the_page(
    release, members, client_for, django_assert_max_num_queries, settings
):
    settings.DASHBOARD_CACHE_SECONDS = 60
    client = client_for(members[Role.STAKEHOLDER])
    client.get("/")
    # The rows, the freeze banner and whether "New release" is offered are shared for those seconds.
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


def test_new_release_follows_the_permission_at_once_without_the_cache(members, client_for, settings):
    from django.contrib.auth.models import Permission

    settings.DASHBOARD_CACHE_SECONDS = 0
    user = members[Role.STAKEHOLDER]
    client = client_for(user)
    assert "New release" not in client.get("/").text
    user.user_permissions.add(Permission.objects.get(codename="add_release"))
    assert "New release" in client.get("/").text
