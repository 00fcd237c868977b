"""The handover's date fields in real Chromium: what the page shows is what is saved."""

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from golive.choices import Role
from golive.models import AuditEvent
from handover.models import SupportTeam, TeamAgreement
from handover.services.access import create_access_transfer, grant_access, verify_access
from handover.services.items import create_item
from handover.services.plans import agree_for_team, create_plan

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team(release, members):
    support = members[Role.PRODUCTION_SUPPORT]
    team = SupportTeam.objects.create(name="Application support", kind="applications", lead=support)
    team.members.add(support)
    return team


@pytest.fixture
def plan(release, members, team):
    return create_plan(release=release, actor=members[Role.RELEASE_MANAGER], teams=[team])


def test_saving_the_item_form_unchanged_keeps_its_due_date_and_the_agreement(
    release, members, team, plan, new_page, log_in
):
    item = create_item(
        plan=plan,
        actor=members[Role.RELEASE_MANAGER],
        title="Operations manual",
        receiving_team=team,
        due_date=date(2026, 12, 6),
    )
    agree_for_team(plan=plan, team=team, actor=team.lead)
    events = AuditEvent.objects.count()
    page = new_page()
    log_in(page, "manager")

    page.goto(f"/releases/{release.pk}/handover/items/{item.pk}/edit/")
    expect(page.locator("input[name=due_date]")).to_have_value("2026-12-06")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Item saved.")).to_be_visible()

    item.refresh_from_db()
    plan.refresh_from_db()
    assert item.due_date == date(2026, 12, 6)
    assert not item.changed_after_agreement
    assert AuditEvent.objects.count() == events
    assert TeamAgreement.objects.filter(plan=plan, team=team, withdrawn_at__isnull=True).exists()
    assert plan.state == "agreed"


def test_the_revoke_form_starts_on_today_and_saves_it(release, members, team, plan, new_page, log_in):
    manager = members[Role.RELEASE_MANAGER]
    access = create_access_transfer(
        plan=plan,
        actor=manager,
        system="Payment console",
        access_level="admin",
        current_holder="Dana Developer",
        receiving_team=team,
        credential_location="vault:kv/portal/payment-console",
    )
    grant_access(access=access, actor=manager)
    verify_access(access=access, actor=team.lead)
    page = new_page()
    log_in(page, "manager")

    page.goto(f"/releases/{release.pk}/handover/access/{access.pk}/revoke/")
    today = timezone.localdate().isoformat()
    expect(page.locator("input[name=revoked_on]")).to_have_value(today)
    page.get_by_role("button", name="Record project access revoked").click()
    expect(page.get_by_text("recorded as revoked")).to_be_visible()

    access.refresh_from_db()
    assert access.project_access_revoked_on.isoformat() == today


def test_a_newcomer_withdraws_a_mistaken_item_and_redacts_a_pasted_secret(
    release, members, team, plan, new_page, log_in
):
    from handover.models import AccessTransfer

    manager = members[Role.RELEASE_MANAGER]
    create_item(plan=plan, actor=manager, title="Payroll manual (wrong release)", receiving_team=team)
    access = AccessTransfer.objects.create(
        plan=plan,
        system="Payroll database",
        access_level="admin",
        current_holder="Dana",
        receiving_team=team,
        credential_location="postgres://payroll_admin:S3cretPayroll@db/payroll",
    )
    page = new_page()
    log_in(page, "manager")
    page.goto(f"/releases/{release.pk}/handover/")

    page.get_by_label("Withdraw Payroll manual (wrong release)").click()
    page.fill("textarea[name=reason]", "Belongs to the payroll release.")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_test_id("withdrawn")).to_contain_text("Belongs to the payroll release.")
    expect(page.get_by_test_id("items")).not_to_contain_text("Payroll manual (wrong release)")

    page.get_by_label("Redact access to Payroll database").click()
    page.select_option("select[name=field_name]", "credential_location")
    page.fill("input[name=secret]", "S3cretPayroll")
    page.fill("textarea[name=reason]", "A database password pasted by mistake.")
    page.get_by_role("button", name="Redact").click()
    expect(page.get_by_text("Redacted in the record and in the audit trail.")).to_be_visible()
    expect(page.get_by_test_id("access-transfers")).to_contain_text(
        "postgres://payroll_admin:[redacted]@db/payroll"
    )

    access.refresh_from_db()
    assert "S3cretPayroll" not in access.credential_location
