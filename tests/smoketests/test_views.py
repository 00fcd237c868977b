"""Pages: who may see and do what, bad input as field errors, htmx progress, bounded queries."""

import io
import zipfile

import pytest
from django.urls import reverse

from golive.choices import Role
from golive.permissions import SYSTEM
from smoketests.models import CheckResult, Monitor, SmokeCheck, SmokeRun
from smoketests.selectors import release_smoke_summary
from smoketests.services.monitors import create_monitor
from smoketests.services.runs import start_smoke_run
from tests.factories import MembershipFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

CHECK_DATA = {
    "name": "Home page",
    "method": "GET",
    "url": "https://portal.example.com/",
    "headers": "",
    "expected_statuses": "200",
    "timeout_seconds": "10",
    "verify_tls": "on",
    "enabled": "on",
}


@pytest.fixture
def check(release):
    return SmokeCheck.objects.create(release=release, name="Home page", url="https://portal.example.com/")


@pytest.fixture
def run(release, check):
    return start_smoke_run(release=release, actor=SYSTEM)


@pytest.fixture
def monitor(release, check):
    return create_monitor(release=release, actor=SYSTEM, smoke_check=check)


def url(name, release, *args):
    return reverse(f"smoketests:{name}", args=[release.pk, *args])


def test_every_page_renders_for_a_stakeholder(release, members, client_for, check, run, monitor):
    client = client_for(members[Role.STAKEHOLDER])
    for page in [
        url("check_list", release),
        url("run_detail", release, run.pk),
        url("monitor_detail", release, monitor.pk),
    ]:
        response = client.get(page)
        assert response.status_code == 200, page
    assert "Start smoke run" not in client.get(url("check_list", release)).content.decode()


def test_the_release_page_shows_the_smoke_card(release, members, client_for, run, monitor):
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    assert 'data-testid="smoke-card"' in page
    assert f"run #{run.pk}" in page
    assert "1 not checked yet" in page
    assert "Start smoke run" not in page  # stakeholders may not start one
    assert (
        "Start smoke run"
        in client_for(members[Role.PRODUCTION_SUPPORT]).get(release.get_absolute_url()).content.decode()
    )


def test_strangers_get_404_everywhere(release, members, stranger, client_for, check, run, monitor):
    client = client_for(stranger)
    gets = [
        url("check_list", release),
        url("check_create", release),
        url("check_edit", release, check.pk),
        url("run_detail", release, run.pk),
        url("monitor_create", release),
        url("monitor_detail", release, monitor.pk),
        url("monitor_edit", release, monitor.pk),
    ]
    for page in gets:
        assert client.get(page).status_code == 404, page
    for page in [url("run_start", release), url("check_delete", release, check.pk)]:
        assert client.post(page).status_code == 404, page
    assert SmokeRun.objects.count() == 1 and SmokeCheck.objects.count() == 1


@pytest.mark.parametrize("role", [Role.STAKEHOLDER, Role.VENDOR_SUPPORT])
def test_read_only_members_get_403_on_every_write(role, release, members, client_for, check, monitor):
    client = client_for(members[role])
    assert client.get(url("check_create", release)).status_code == 403
    assert client.post(url("check_create", release), CHECK_DATA).status_code == 403
    assert client.get(url("check_edit", release, check.pk)).status_code == 403
    assert client.post(url("check_delete", release, check.pk)).status_code == 403
    assert client.get(url("monitor_create", release)).status_code == 403
    assert client.get(url("monitor_edit", release, monitor.pk)).status_code == 403
    assert client.post(url("run_start", release)).status_code == 403
    assert (SmokeRun.objects.count(), SmokeCheck.objects.count()) == (0, 1)


def test_production_support_may_start_runs_but_not_define_checks(release, members, client_for, check):
    client = client_for(members[Role.PRODUCTION_SUPPORT])
    assert client.post(url("check_create", release), {**CHECK_DATA, "name": "Other"}).status_code == 403
    response = client.post(url("run_start", release))
    run = SmokeRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.requested_by == members[Role.PRODUCTION_SUPPORT]


def test_objects_of_another_release_are_not_found(release, members, client_for, check):
    other = ReleaseFactory()
    MembershipFactory(release=other, user=members[Role.SCRUM_TEAM], role=Role.SCRUM_TEAM)
    client = client_for(members[Role.SCRUM_TEAM])
    assert client.get(reverse("smoketests:check_edit", args=[other.pk, check.pk])).status_code == 404


def test_a_dev_adds_a_check_after_field_errors(release, members, client_for):
    client = client_for(members[Role.SCRUM_TEAM])
    bad = {**CHECK_DATA, "url": "ftp://portal.example.com/", "body_regex": "([", "timeout_seconds": "90"}
    response = client.post(url("check_create", release), bad)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["url"] == ["Enter a full http:// or https:// URL."]
    assert errors["body_regex"][0].startswith("Not a valid regular expression")
    assert "less than or equal to 60" in errors["timeout_seconds"][0]
    assert not SmokeCheck.objects.exists()

    response = client.post(url("check_create", release), {**CHECK_DATA, "headers": "Accept: text/html"})
    assert response.status_code == 302
    assert SmokeCheck.objects.get().headers == {"Accept": "text/html"}


def test_editing_a_check_records_the_change(release, members, client_for, check):
    client = client_for(members[Role.PRODUCT_OWNER])
    response = client.post(url("check_edit", release, check.pk), {**CHECK_DATA, "timeout_seconds": "3"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.timeout_seconds == 3
    assert release.audit_events.filter(verb="smoke_check.changed").count() == 1


def test_a_monitor_form_refuses_a_short_interval_and_bad_addresses(release, members, client_for, check):
    client = client_for(members[Role.RELEASE_MANAGER])
    data = {
        "smoke_check": check.pk,
        "interval_seconds": "5",
        "failure_threshold": "3",
        "alert_emails": "ops, oncall@example.com",
    }
    response = client.post(url("monitor_create", release), data)
    errors = response.context["form"].errors
    assert "greater than or equal to 10" in errors["interval_seconds"][0]
    assert errors["alert_emails"] == ["“ops” is not an e-mail address."]
    response = client.post(
        url("monitor_create", release),
        {**data, "interval_seconds": "30", "alert_emails": "oncall@example.com"},
    )
    assert response.status_code == 302, response.context["form"].errors
    monitor = Monitor.objects.get()
    assert response["Location"] == monitor.get_absolute_url()
    assert (monitor.interval_seconds, monitor.alert_emails) == (30, "oncall@example.com")


def test_starting_a_run_without_checks_explains_why(release, members, client_for):
    response = client_for(members[Role.RELEASE_MANAGER]).post(url("run_start", release), follow=True)
    assert "no enabled smoke check" in response.content.decode()
    assert not SmokeRun.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_unreachable_broker_says_queued_no_worker_reachable(
    release, members, client_for, check, unreachable_broker
):
    response = client_for(members[Role.RELEASE_MANAGER]).post(url("run_start", release), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "is queued, but no worker is reachable right now" in page
    assert "Queued, no worker reachable" in page
    assert SmokeRun.objects.get().status == "queued"


def test_the_run_page_polls_while_running_and_htmx_gets_only_the_progress(release, members, client_for, run):
    client = client_for(members[Role.STAKEHOLDER])
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "<nav" in page
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "<nav" not in partial
    assert 'id="run-progress"' in partial and "0 of 1 checks done" in partial

    CheckResult.objects.filter(run=run).update(
        outcome="passed", http_status=200, latency_ms=12, message="HTTP 200 in 12 ms."
    )
    SmokeRun.objects.filter(pk=run.pk).update(status="passed")
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "1 of 1 checks done, 1 passed" in partial
    assert "hx-trigger" not in partial  # finished: polling stops


@pytest.mark.parametrize("size", [3, 60])
def test_run_and_checks_pages_cost_a_fixed_number_of_queries(
    size, release, members, client_for, django_assert_max_num_queries
):
    for index in range(size):
        check = SmokeCheck.objects.create(
            release=release, name=f"check {index}", url=f"https://a.example/{index}"
        )
        if index % 2:
            create_monitor(release=release, actor=SYSTEM, smoke_check=check)
    runs = [start_smoke_run(release=release, actor=SYSTEM) for _ in range(3)]
    client = client_for(members[Role.SCRUM_TEAM])
    with django_assert_max_num_queries(8):
        assert client.get(url("check_list", release)).status_code == 200
    with django_assert_max_num_queries(7):
        assert client.get(runs[0].get_absolute_url()).status_code == 200
    # The release page's card (its page budget is tested with the release page).
    with django_assert_max_num_queries(2):
        summary = release_smoke_summary(release)
    assert summary["last_run"].total_count == size


@pytest.mark.parametrize(
    "junk",
    [
        {"timeout_seconds": "abc", "max_latency_ms": "-5", "method": "BREW"},
        {"url": "http://", "expected_statuses": "200-", "headers": ":"},
        {"name": "", "url": "javascript:alert(1)", "body_regex": "*"},
        {"name": "Home page"},  # the same name as an existing check
    ],
)
def test_junk_check_input_gives_errors_never_a_server_error(junk, release, members, client_for, check):
    client = client_for(members[Role.SCRUM_TEAM])
    response = client.post(url("check_create", release), {**CHECK_DATA, **junk})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert SmokeCheck.objects.count() == 1


@pytest.mark.parametrize(
    "junk",
    [
        {"interval_seconds": "ten", "failure_threshold": "0"},
        {"starts_at": "yesterday", "ends_at": "2020-13-45T99:99"},
        {"starts_at": "2030-01-02T10:00", "ends_at": "2030-01-01T10:00"},
        {"smoke_check": "999999", "webhook_url": "not a url"},
    ],
)
def test_junk_monitor_input_gives_errors_never_a_server_error(junk, release, members, client_for, check):
    data = {"smoke_check": check.pk, "interval_seconds": "60", "failure_threshold": "3", **junk}
    response = client_for(members[Role.RELEASE_MANAGER]).post(url("monitor_create", release), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Monitor.objects.exists()


@pytest.mark.parametrize(
    ("role", "reads_excerpt"),
    [
        (Role.RELEASE_MANAGER, True),
        (Role.SCRUM_TEAM, True),
        (Role.STAKEHOLDER, False),
        (Role.PRODUCTION_SUPPORT, False),
        (Role.VENDOR_SUPPORT, False),
    ],
)
def test_a_failed_checks_response_excerpt_is_shown_only_to_those_who_may_edit_checks(
    role, reads_excerpt, release, members, client_for, run
):
    answer = "FATAL: password authentication failed for user billing on db-primary.corp.internal"
    CheckResult.objects.filter(run=run).update(
        outcome="failed",
        http_status=500,
        message="Wrong status: expected 200, got 500.",
        response_excerpt=answer,
    )
    SmokeRun.objects.filter(pk=run.pk).update(status="failed")
    client = client_for(members[role])

    page = client.get(run.get_absolute_url()).content.decode()
    partial = client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).content.decode()
    assert "Wrong status: expected 200, got 500." in page and "Wrong status" in partial
    assert (answer in page, answer in partial) == (reads_excerpt, reads_excerpt)
    assert ("Response excerpt" in page) == reads_excerpt
    # The API and the audit pack's CSVs carry the message, never the excerpt, for anyone.
    api = client.get(reverse("api:smoke_run_detail", args=[release.pk, run.pk]))
    assert api.status_code == 200
    assert api.json()["results"][0]["message"] == "Wrong status: expected 200, got 500."
    assert answer not in api.content.decode()
    pack = client.get(reverse("dashboards:audit_pack", args=[release.pk]))
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        assert not any(answer in archive.read(name).decode() for name in archive.namelist())


def test_the_monitor_form_has_no_webhook_of_its_own_and_points_to_the_releases_webhooks(
    release, members, client_for, check
):
    page = client_for(members[Role.SCRUM_TEAM]).get(url("monitor_create", release)).content.decode()
    assert 'name="alert_emails"' in page
    assert 'name="webhook_url"' not in page
    assert "Webhooks hear of it as monitor.down and monitor.up" in page


def test_the_release_card_shows_no_monitor_badge_when_there_are_no_monitors(release, members, client_for):
    page = client_for(members[Role.STAKEHOLDER]).get(release.get_absolute_url()).content.decode()
    card = page[page.index('data-testid="smoke-card-monitors"') :].split("</div>")[0]
    assert "none" in card
    assert "badge" not in card and "0 up" not in card
