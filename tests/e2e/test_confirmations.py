"""Irreversible and destructive steps ask first in the browser: cancelling starts or removes nothing."""

import pytest
from playwright.sync_api import expect

from golive.choices import ReleaseStatus, Role
from golive.models import Release, ReleaseMembership
from integrations.models import ApiToken, WebhookEndpoint
from integrations.services.api_tokens import create_api_token
from runbook.models import GoLiveStep
from runbook.services.execution import complete_step, start_step

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _answer(page, accept: bool) -> str:
    """Answers the confirmation dialog now open (yes or cancel) and returns its question."""
    dialog = page.get_by_test_id("confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_test_id("confirm-cancel")).to_be_focused()
    question = dialog.locator("#confirm-dialog-question").inner_text()
    dialog.get_by_test_id("confirm-yes" if accept else "confirm-cancel").click()
    expect(dialog).to_be_hidden()
    return question


def _errors(page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_the_point_of_no_return_asks_first_and_cancelling_starts_nothing(
    go_release, members, new_page, log_in
):
    dev = members[Role.SCRUM_TEAM]
    first, ponr = go_release.steps.order_by("order")[:2]
    start_step(step=first, actor=dev)
    complete_step(step=first, actor=dev)
    page = new_page()
    errors = _errors(page)
    log_in(page, "dev")
    page.goto(f"/releases/{go_release.pk}/runbook/live/")

    page.get_by_test_id(f"start-{ponr.pk}").click()
    questions = [_answer(page, accept=False)]
    expect(page.get_by_test_id(f"start-{ponr.pk}")).to_be_focused()
    expect(page.get_by_test_id("step-status-2")).to_have_text("Pending")
    page.wait_for_timeout(500)  # time for a submission the dialog failed to stop
    assert questions == ["“Migrate the database” is the point of no return. Start it?"]
    assert GoLiveStep.objects.get(pk=ponr.pk).status == "pending"
    assert errors == []

    # A submission that never asked (no script, or a forged form) is refused by the server.
    page.get_by_test_id(f"start-{ponr.pk}").evaluate("button => button.form.submit()")
    expect(page.get_by_role("alert").first).to_contain_text("point of no return: confirm")
    assert GoLiveStep.objects.get(pk=ponr.pk).status == "pending"
    expect(page.get_by_test_id("confirm-dialog")).to_be_hidden()

    page.close()
    page = new_page()
    log_in(page, "dev")
    page.goto(f"/releases/{go_release.pk}/runbook/live/")
    page.get_by_test_id(f"start-{ponr.pk}").click()
    assert "point of no return" in _answer(page, accept=True)
    expect(page.get_by_test_id("step-status-2")).to_have_text("In progress")
    assert GoLiveStep.objects.get(pk=ponr.pk).status == "in_progress"


def test_aborting_past_the_point_of_no_return_warns_and_cancelling_keeps_the_go_live(
    go_release, members, new_page, log_in
):
    dev = members[Role.SCRUM_TEAM]
    first, ponr = go_release.steps.order_by("order")[:2]
    start_step(step=first, actor=dev)
    complete_step(step=first, actor=dev)
    start_step(step=ponr, actor=dev, confirm_point_of_no_return=True)
    Release.objects.filter(pk=go_release.pk).update(status=ReleaseStatus.DEPLOYING)

    page = new_page()
    log_in(page, "manager")
    page.goto(f"/releases/{go_release.pk}/runbook/abort/")
    expect(page.get_by_test_id("past-ponr-warning")).to_contain_text("Migrate the database")
    page.fill("textarea[name=reason]", "The migration is too slow")
    page.get_by_role("button", name="Abort the go-live and roll back").click()
    assert "point of no return" in _answer(page, accept=False)
    page.wait_for_timeout(500)
    assert Release.objects.get(pk=go_release.pk).status == ReleaseStatus.DEPLOYING

    page.close()
    page = new_page()
    log_in(page, "manager")
    page.goto(f"/releases/{go_release.pk}/runbook/abort/")
    page.fill("textarea[name=reason]", "The migration is too slow")
    page.get_by_role("button", name="Abort the go-live and roll back").click()
    _answer(page, accept=True)
    page.wait_for_url(f"**/releases/{go_release.pk}/runbook/rollback/")
    assert Release.objects.get(pk=go_release.pk).status == ReleaseStatus.ROLLED_BACK


def _confirm_removal(new_page, log_in, username, url, button, still_there, gone, row=None):
    for accept in (False, True):
        page = new_page()
        log_in(page, username)
        page.goto(url)
        scope = page.locator("tr", has_text=row) if row else page
        scope.get_by_role("button", name=button).first.click()
        questions = [_answer(page, accept=accept)]
        if accept:
            page.wait_for_load_state()
            page.wait_for_timeout(300)
            assert gone(), url
        else:
            page.wait_for_timeout(500)
            assert still_there(), url
        assert len(questions) == 1, questions
        page.close()


def test_revoking_a_token_asks_first(members, new_page, log_in):
    owner = members[Role.PRODUCT_OWNER]
    token = create_api_token(user=owner, name="GitLab deploy job").token
    _confirm_removal(
        new_page, log_in, "owner", "/profile/", "Revoke",
        still_there=lambda: ApiToken.objects.get(pk=token.pk).is_active,
        gone=lambda: not ApiToken.objects.get(pk=token.pk).is_active,
    )  # fmt: skip


def test_removing_a_webhook_asks_first(release, members, new_page, log_in):
    endpoint = WebhookEndpoint.objects.create(release=release, url="https://hooks.example.com/golive")
    _confirm_removal(
        new_page, log_in, "manager", f"/releases/{release.pk}/webhooks/", "Remove",
        still_there=lambda: WebhookEndpoint.objects.filter(pk=endpoint.pk).exists(),
        gone=lambda: not WebhookEndpoint.objects.filter(pk=endpoint.pk).exists(),
    )  # fmt: skip


def test_removing_a_member_asks_first(release, members, new_page, log_in):
    count = ReleaseMembership.objects.filter(release=release).count()
    _confirm_removal(
        new_page, log_in, "manager", f"/releases/{release.pk}/members/", "Remove",
        still_there=lambda: ReleaseMembership.objects.filter(release=release).count() == count,
        gone=lambda: ReleaseMembership.objects.filter(release=release).count() == count - 1,
        row="(stakeholder)",
    )  # fmt: skip
