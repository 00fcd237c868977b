import pytest
from playwright.sync_api import expect

from demo.scale import load_scale_demo
from golive.choices import DefectSeverity
from golive.models import Release
from tests.conftest import ROLE_USERNAMES
from tests.e2e.conftest import save_screenshot
from tests.factories import DefectFactory, RiskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_stakeholder_reads_the_portfolio_and_opens_a_heat_map_cell(release, members, new_page, log_in):
    load_scale_demo(count=7, users={username: members[role] for role, username in ROLE_USERNAMES.items()})
    RiskFactory(release=release, title="Data migration overruns the window", probability=4, impact=5)
    RiskFactory(release=release, title="Vendor patch arrives late", probability=4, impact=5)
    RiskFactory(release=release, title="Banner typo", probability=1, impact=1)
    DefectFactory(release=release, title="Password reset link expires", severity=DefectSeverity.CRITICAL)

    page = new_page()
    log_in(page, "stakeholder")
    portfolio = page.get_by_test_id("portfolio")
    expect(portfolio).to_contain_text(release.name)
    row = page.locator(f'[data-testid=portfolio-row][data-release="{release.pk}"]')
    badge = row.get_by_test_id("readiness")
    expect(badge).to_have_text("✖ Blocked")
    expect(badge).to_have_attribute(
        "title", "Blocked: 1 open critical or blocking defect; 2 high risks without an accepted contingency."
    )
    expect(page.get_by_test_id("portfolio-row")).to_have_count(Release.objects.count())
    save_screenshot(page, "dashboard-portfolio")

    page.get_by_label("Readiness").select_option("blocked")
    page.get_by_role("button", name="Apply").click()
    expect(row).to_be_visible()
    for state in page.get_by_test_id("readiness").all():
        expect(state).to_have_attribute("data-state", "blocked")

    row.get_by_role("link", name="dashboard", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(release.name)
    expect(page.get_by_test_id("readiness-reasons")).to_contain_text("1 open critical or blocking defect")
    cell = page.locator('[data-testid=heat-cell][data-probability="4"][data-impact="5"]')
    expect(cell).to_contain_text("2")
    cell.click()
    risks = page.get_by_test_id("cell-risk-list")
    expect(risks).to_contain_text("Data migration overruns the window")
    expect(risks).to_contain_text("Vendor patch arrives late")
    expect(risks).not_to_contain_text("Banner typo")
    save_screenshot(page, "dashboard-release-heat-map-cell")

    live = Release.objects.get(name="Scale demo release 0006")
    page.goto(f"/releases/{live.pk}/dashboard/")
    expect(page.get_by_test_id("live-note")).to_be_visible()
    expect(page.locator("canvas[data-monitor-chart]")).to_have_count(3)
    page.wait_for_function("() => document.querySelectorAll('canvas[data-monitor-chart]')[0].width > 0")
    # The cards are refreshed by htmx without a reload: the live note's time changes in place.
    first_note = page.get_by_test_id("live-note").inner_text()
    page.wait_for_function(
        "(first) => document.querySelector('[data-testid=live-note]').innerText !== first",
        arg=first_note,
        timeout=20_000,
    )
    expect(page.locator("canvas[data-monitor-chart]")).to_have_count(3)
    save_screenshot(page, "dashboard-release-live")
