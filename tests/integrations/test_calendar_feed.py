"""A user's calendar feed lists their meetings, go-lives, steps and the freezes that bind their releases."""

from datetime import timedelta

from django.utils import timezone

from freezes.models import FreezeRecurrence, FreezeWindow
from golive.calendar_ics import uid_for
from golive.choices import Role
from gonogo.services.meetings import schedule_meeting
from integrations.calendar_feed import calendar_entries_for
from runbook.services.plan import add_step
from tests.factories import ReleaseFactory, UserFactory


def test_feed_lists_the_users_meetings_go_lives_and_steps(release, members):
    manager, support = members[Role.RELEASE_MANAGER], members[Role.PRODUCTION_SUPPORT]
    scheduled = schedule_meeting(
        release=release,
        actor=manager,
        scheduled_at=timezone.now() + timedelta(days=2),
        chair=manager,
        invitees=[members[Role.PRODUCT_OWNER], members[Role.SCRUM_TEAM]],
    )
    start = timezone.now() + timedelta(days=3)
    owned = add_step(
        release=release,
        actor=manager,
        title="Switch DNS",
        owner=manager,
        planned_start=start,
        shadows=[support],
    )
    add_step(release=release, actor=manager, title="Unplanned", owner=manager)
    other_release = ReleaseFactory(name="Someone else's release")
    uids = {entry.uid for entry in calendar_entries_for(manager)}
    assert uids == {
        uid_for("meeting", scheduled.pk),
        uid_for("go-live", release.pk),
        uid_for("step", owned.pk),
    }
    assert uid_for("go-live", other_release.pk) not in uids
    support_entries = {entry.uid: entry for entry in calendar_entries_for(support)}
    assert set(support_entries) == {uid_for("go-live", release.pk), uid_for("step", owned.pk)}
    assert support_entries[uid_for("step", owned.pk)].summary.startswith("Shadow step")
    assert calendar_entries_for(UserFactory(username="nobody")) == []


def _freeze(name, *, starts_in, hours=4, **fields):
    start = timezone.now().replace(microsecond=0) + starts_in
    return FreezeWindow.objects.create(
        name=name, reason=f"Why {name}", starts_at=start, ends_at=start + timedelta(hours=hours), **fields
    )


def test_feed_lists_the_freezes_that_apply_to_the_users_releases(release, members):
    manager = members[Role.RELEASE_MANAGER]
    weekly = _freeze(
        "Friday afternoons",
        starts_in=timedelta(days=1),
        recurrence=FreezeRecurrence.WEEKLY,
        environment=release.environment,
        repeat_until=(timezone.now() + timedelta(days=20)).date(),
    )
    site_wide = _freeze("Year end", starts_in=timedelta(days=40))
    other_environment = _freeze("Staging rebuild", starts_in=timedelta(days=2), environment="staging")
    other_application = _freeze("Billing audit", starts_in=timedelta(days=2), application="Billing")
    long_past = _freeze("Last year", starts_in=-timedelta(days=200))
    far_ahead = _freeze("Two years on", starts_in=timedelta(days=800))
    freezes = [entry for entry in calendar_entries_for(manager) if entry.summary.startswith("Freeze: ")]
    starts = sorted(entry.start for entry in freezes if entry.summary == "Freeze: Friday afternoons")
    assert starts == [weekly.starts_at + timedelta(days=7 * week) for week in range(3)]
    assert len({entry.uid for entry in freezes}) == len(freezes) == 4
    (year_end,) = [entry for entry in freezes if entry.summary == "Freeze: Year end"]
    assert (year_end.start, year_end.end, year_end.description) == (
        site_wide.starts_at,
        site_wide.ends_at,
        "Why Year end",
    )
    names = {entry.summary for entry in freezes}
    for absent in (other_environment, other_application, long_past, far_ahead):
        assert f"Freeze: {absent.name}" not in names
    # The UID of an occurrence does not change between reads.
    assert {entry.uid for entry in freezes} == {
        entry.uid for entry in calendar_entries_for(manager) if entry.summary.startswith("Freeze: ")
    }
    # Someone in no release sees only the site-wide freeze.
    loner = [entry.summary for entry in calendar_entries_for(UserFactory(username="loner"))]
    assert loner == ["Freeze: Year end"]
