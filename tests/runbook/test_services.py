"""Runbook services: the step state machine, dependencies, point of no return, abort, rehearsal."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from golive.choices import ReleaseStatus, Role
from golive.errors import IllegalTransition
from golive.models import AuditEvent
from golive.permissions import SYSTEM
from runbook.models import GoLiveStep
from runbook.services import execution as services
from runbook.services import plan as runbook_plan
from runbook.services import rehearsals

pytestmark = pytest.mark.django_db


def _steps(release):
    return list(release.steps.order_by("order"))


def test_first_started_step_moves_the_release_to_deploying(go_release, members):
    first, *_ = _steps(go_release)
    services.start_step(step=first, actor=members[Role.SCRUM_TEAM])
    go_release.refresh_from_db()
    first.refresh_from_db()
    assert go_release.status == ReleaseStatus.DEPLOYING
    assert first.status == "in_progress" and first.actual_start is not None
    event = AuditEvent.objects.get(verb="step.status_changed")
    assert event.changes == {"status": ["pending", "in_progress"]}
    assert event.labels == {"status": ["Pending", "In progress"]}


def test_steps_do_not_run_before_a_go(release, members):
    from runbook.services.plan import add_step

    step = add_step(
        release=release, actor=members[Role.RELEASE_MANAGER], title="x", owner=members[Role.SCRUM_TEAM]
    )
    with pytest.raises(IllegalTransition, match="only after a go decision"):
        services.start_step(step=step, actor=members[Role.SCRUM_TEAM])


def test_a_step_waits_for_its_dependencies(go_release, members):
    first, second, _ = _steps(go_release)
    dev = members[Role.SCRUM_TEAM]
    with pytest.raises(IllegalTransition, match="waits for “Stop the batch jobs”"):
        services.start_step(step=second, actor=dev, confirm_point_of_no_return=True)
    services.skip_step(step=first, actor=dev, reason="Batch jobs already stopped")
    services.start_step(step=second, actor=dev, confirm_point_of_no_return=True)
    assert GoLiveStep.objects.get(pk=second.pk).status == "in_progress"


def test_point_of_no_return_needs_confirmation(go_release, members):
    first, second, _ = _steps(go_release)
    dev = members[Role.SCRUM_TEAM]
    services.start_step(step=first, actor=dev)
    services.complete_step(step=first, actor=dev)
    with pytest.raises(IllegalTransition, match="point of no return"):
        services.start_step(step=second, actor=dev)
    services.start_step(step=second, actor=dev, confirm_point_of_no_return=True)


@pytest.mark.parametrize("who", [Role.PRODUCT_OWNER, Role.STAKEHOLDER, Role.PRODUCTION_SUPPORT])
def test_only_owner_or_release_manager_moves_a_step(go_release, members, who):
    first, *_ = _steps(go_release)
    with pytest.raises(PermissionDenied):
        services.start_step(step=first, actor=members[who])
    services.start_step(step=first, actor=members[Role.RELEASE_MANAGER])  # not the owner, but the manager


@pytest.mark.parametrize(
    ("move", "status", "message"),
    [
        ("complete_step", "pending", "Only a running step"),
        ("retry_step", "pending", "Only a failed step"),
        ("skip_step", "done", "Only a pending or failed step"),
        ("start_step", "done", "not pending"),
    ],
)
def test_illegal_step_moves_are_refused(go_release, members, move, status, message):
    first, *_ = _steps(go_release)
    GoLiveStep.objects.filter(pk=first.pk).update(status=status)
    kwargs = {"reason": "r"} if move == "skip_step" else {}
    with pytest.raises(IllegalTransition, match=message):
        getattr(services, move)(step=first, actor=members[Role.SCRUM_TEAM], **kwargs)


def test_skip_and_fail_need_words(go_release, members):
    first, *_ = _steps(go_release)
    dev = members[Role.SCRUM_TEAM]
    with pytest.raises(ValidationError, match="reason"):
        services.skip_step(step=first, actor=dev, reason=" ")
    services.start_step(step=first, actor=dev)
    with pytest.raises(ValidationError, match="what went wrong"):
        services.fail_step(step=first, actor=dev, note="")


def test_failed_step_can_be_retried(go_release, members):
    first, *_ = _steps(go_release)
    dev = members[Role.SCRUM_TEAM]
    services.start_step(step=first, actor=dev)
    services.fail_step(step=first, actor=dev, note="Scheduler did not answer")
    services.retry_step(step=first, actor=dev)
    first.refresh_from_db()
    assert (first.status, first.failure_note) == ("in_progress", "")


def test_dependency_cycles_are_refused(go_release, members):
    first, _, third = _steps(go_release)
    with pytest.raises(ValidationError, match="cycle"):
        runbook_plan.update_step(step=first, actor=members[Role.RELEASE_MANAGER], depends_on=[third])
    assert not first.depends_on.exists()


def test_dependencies_stay_within_the_release(go_release, members):
    from tests.factories import ReleaseFactory

    first, *_ = _steps(go_release)
    other = runbook_plan.add_step(
        release=ReleaseFactory(),
        actor=SYSTEM,  # set-up on a release nobody here belongs to
        title="Elsewhere",
        owner=members[Role.SCRUM_TEAM],
    )
    with pytest.raises(ValidationError, match="same release"):
        runbook_plan.update_step(step=first, actor=members[Role.RELEASE_MANAGER], depends_on=[other])


def test_only_pending_steps_are_deleted_or_replanned(go_release, members):
    first, *_ = _steps(go_release)
    services.start_step(step=first, actor=members[Role.SCRUM_TEAM])
    first.refresh_from_db()
    with pytest.raises(IllegalTransition):
        runbook_plan.delete_step(step=first, actor=members[Role.RELEASE_MANAGER])
    with pytest.raises(IllegalTransition):
        runbook_plan.update_step(step=first, actor=members[Role.RELEASE_MANAGER], title="Renamed")
    runbook_plan.update_step(step=first, actor=members[Role.RELEASE_MANAGER], rollback_note="Updated note")


def test_reorder_swaps_neighbours(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    first, second, third = _steps(go_release)
    third.depends_on.clear()
    runbook_plan.move_step(step=third, actor=manager, direction=-1)
    assert [s.title for s in _steps(go_release)] == [first.title, third.title, second.title]
    runbook_plan.move_step(
        step=first, actor=members[Role.RELEASE_MANAGER], direction=-1
    )  # already first: no change
    assert _steps(go_release)[0].title == first.title


def test_abort_rolls_back_with_notes_in_reverse_order(go_release, members):
    first, second, _ = _steps(go_release)
    dev, manager = members[Role.SCRUM_TEAM], members[Role.RELEASE_MANAGER]
    services.start_step(step=first, actor=dev)
    services.complete_step(step=first, actor=dev)
    services.start_step(step=second, actor=dev, confirm_point_of_no_return=True)
    services.complete_step(step=second, actor=dev)
    with pytest.raises(PermissionDenied):
        services.abort_golive(release=go_release, actor=dev, reason="Smoke tests failed")
    plan = services.abort_golive(release=go_release, actor=manager, reason="Smoke tests failed")
    assert [s.rollback_note for s in plan] == ["Restore the snapshot", "Restart the batch jobs"]
    go_release.refresh_from_db()
    assert go_release.status == ReleaseStatus.ROLLED_BACK


def test_release_goes_live_only_when_every_step_is_finished(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    first, second, third = _steps(go_release)
    services.start_step(step=first, actor=manager)
    with pytest.raises(IllegalTransition, match="Every runbook step"):
        services.declare_live(release=go_release, actor=manager)
    services.complete_step(step=first, actor=manager)
    services.skip_step(step=second, actor=manager, reason="No schema change in this release")
    services.start_step(step=third, actor=manager)
    services.complete_step(step=third, actor=manager)
    services.declare_live(release=go_release, actor=manager)
    go_release.refresh_from_db()
    assert go_release.status == ReleaseStatus.LIVE


def test_rehearsal_measures_and_updates_durations_without_touching_the_release(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    rehearsal = rehearsals.start_rehearsal(release=go_release, actor=manager, environment="staging")
    timing = rehearsal.timings.get(step__order=1)
    rehearsals.time_rehearsal_step(timing=timing, actor=manager)
    timing.refresh_from_db()
    timing.started_at -= timedelta(minutes=22, seconds=30)  # as if the step took 22.5 minutes
    timing.save()
    rehearsals.time_rehearsal_step(timing=timing, actor=manager)
    rehearsals.finish_rehearsal(rehearsal=rehearsal, actor=manager)
    assert rehearsals.apply_rehearsal_durations(rehearsal=rehearsal, actor=manager) == 1
    assert go_release.steps.get(order=1).planned_duration_minutes == 23
    go_release.refresh_from_db()
    assert go_release.status == ReleaseStatus.GO
    assert not go_release.steps.exclude(status="pending").exists()


def test_late_steps(go_release):
    first, *_ = _steps(go_release)
    first.planned_start -= timedelta(minutes=30)
    assert first.is_late  # pending past its planned start
    first.status, first.actual_start = "done", first.planned_start
    first.actual_end = first.planned_start + timedelta(minutes=5)
    assert not first.is_late  # finished within its 10 planned minutes


# What the runbook accepts, decided in one place ---------------------------------------------------


def _fail_first(release, members):
    first, *_ = _steps(release)
    dev = members[Role.SCRUM_TEAM]
    services.start_step(step=first, actor=dev)
    services.fail_step(step=first, actor=dev, note="Scheduler did not answer")
    first.refresh_from_db()
    return first


def test_moves_follow_the_step_and_the_release(go_release, members):
    first, second, _ = _steps(go_release)
    assert services.available_moves(first) == {"start", "skip"}
    assert services.available_moves(second) == {"skip"}, "waits for the first step"
    failed = _fail_first(go_release, members)
    assert services.available_moves(failed) == {"retry", "skip"}


def test_after_an_abort_no_step_move_is_offered_or_accepted(go_release, members):
    failed = _fail_first(go_release, members)
    services.abort_golive(release=go_release, actor=members[Role.RELEASE_MANAGER], reason="Scheduler down")
    failed.refresh_from_db()
    assert all(services.available_moves(step) == set() for step in _steps(go_release))
    for move, kwargs in (("retry_step", {}), ("skip_step", {"reason": "r"})):
        with pytest.raises(IllegalTransition, match="Rolled back"):
            getattr(services, move)(step=failed, actor=members[Role.RELEASE_MANAGER], **kwargs)
    failed.refresh_from_db()
    assert failed.status == "failed"


def test_a_live_release_cannot_be_aborted_or_declared_live_again(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    assert services.available_release_moves(go_release) == set()
    services.start_step(step=_steps(go_release)[0], actor=manager)
    go_release.refresh_from_db()
    assert services.available_release_moves(go_release) == {"abort"}
    services.complete_step(step=_steps(go_release)[0], actor=manager)
    for step in _steps(go_release)[1:]:
        services.start_step(step=step, actor=manager, confirm_point_of_no_return=True)
        services.complete_step(step=step, actor=manager)
    go_release.refresh_from_db()
    assert services.available_release_moves(go_release) == {"abort", "declare_live"}
    services.declare_live(release=go_release, actor=manager)
    go_release.refresh_from_db()
    assert services.available_release_moves(go_release) == set()
    with pytest.raises(IllegalTransition, match="Only a go-live in progress"):
        services.abort_golive(release=go_release, actor=manager, reason="Changed my mind")
    go_release.refresh_from_db()
    assert go_release.status == ReleaseStatus.LIVE


@pytest.mark.parametrize(("which", "direction"), [(1, -1), (0, +1)])
def test_reordering_never_puts_a_step_above_what_it_depends_on(go_release, members, which, direction):
    steps = _steps(go_release)
    with pytest.raises(ValidationError, match="depends on"):
        runbook_plan.move_step(step=steps[which], actor=members[Role.RELEASE_MANAGER], direction=direction)
    assert _steps(go_release) == steps


def test_reordering_independent_steps_is_allowed(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    extra = runbook_plan.add_step(release=go_release, actor=manager, title="Warm caches", owner=manager)
    runbook_plan.move_step(step=extra, actor=manager, direction=-1)
    assert [s.title for s in _steps(go_release)][-2:] == ["Warm caches", "Switch traffic"]


def test_only_the_release_manager_reorders(go_release, members):
    with pytest.raises(PermissionDenied):
        runbook_plan.move_step(step=_steps(go_release)[2], actor=members[Role.SCRUM_TEAM], direction=-1)


# "Send communication" steps and runnable notices --------------------------------------------------


@pytest.fixture
def eager_celery():
    from config.celery import app

    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


def test_a_communication_step_needs_its_message_kind(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    with pytest.raises(ValidationError) as error:
        runbook_plan.add_step(
            release=go_release, actor=manager, title="Tell users", owner=manager, kind="communication"
        )
    assert "message_kind" in error.value.message_dict


def test_a_communication_step_drafts_its_message_and_is_done_when_it_is_sent(
    go_release, members, settings, django_capture_on_commit_callbacks
):
    from communications.models import AudienceAddresses
    from communications.services.outbox import deliver_communication, queue_communication

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    AudienceAddresses.objects.create(release=go_release, audience="end_users", addresses="users@example.com")
    manager = members[Role.RELEASE_MANAGER]
    step = runbook_plan.add_step(
        release=go_release,
        actor=manager,
        title="Announce the maintenance window",
        owner=manager,
        kind="communication",
        message_kind="production_issue",
    )
    services.start_step(step=step, actor=manager)
    message = services.step_message(step)
    assert message is not None and message.status == "draft" and message.kind == "production_issue"
    with django_capture_on_commit_callbacks():
        queue_communication(communication=message, actor=manager)
    step.refresh_from_db()
    assert step.status == "in_progress", "queued is not sent"
    assert deliver_communication(message.pk) == "sent"
    step.refresh_from_db()
    assert step.status == "done"


def test_owner_and_shadows_are_told_once_when_their_step_can_start(
    go_release, members, settings, eager_celery, django_capture_on_commit_callbacks, client_for
):
    from django.core import mail

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dev, support = members[Role.SCRUM_TEAM], members[Role.PRODUCTION_SUPPORT]
    dev.email, support.email = "dev@example.com", "support@example.com"
    dev.save(), support.save()
    first, second, _ = _steps(go_release)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_step(step=first, actor=dev)
        services.complete_step(step=first, actor=dev)
    assert [sorted(message.to) for message in mail.outbox] == [["dev@example.com", "support@example.com"]]
    assert "“Migrate the database” can start" in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_runnable_steps(go_release)
    assert len(mail.outbox) == 1, "told once"
    page = client_for(support).get(f"/releases/{go_release.pk}/runbook/mine/").content.decode()
    assert 'data-testid="ready-to-start"' in page and "Migrate the database" in page


def test_a_step_cannot_depend_on_a_step_below_it(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    extra = runbook_plan.add_step(release=go_release, actor=manager, title="Warm caches", owner=manager)
    first = _steps(go_release)[0]
    with pytest.raises(ValidationError, match="only depend on steps above it"):
        runbook_plan.update_step(step=first, actor=manager, depends_on=[extra])
    assert not first.depends_on.exists()


def test_each_rehearsal_timing_is_audited(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    rehearsal = rehearsals.start_rehearsal(release=go_release, actor=manager, environment="staging")
    timing = rehearsal.timings.get(step__order=1)
    rehearsals.time_rehearsal_step(timing=timing, actor=manager)
    rehearsals.time_rehearsal_step(timing=timing, actor=manager)
    timing.refresh_from_db()
    events = list(AuditEvent.objects.filter(verb="rehearsal.step_timed").order_by("pk"))
    assert [event.changes for event in events] == [
        {"started_at": [None, timing.started_at.isoformat()]},
        {"finished_at": [None, timing.finished_at.isoformat()]},
    ]
    assert {event.data["step"] for event in events} == {timing.step_id}
    assert {event.target_id for event in events} == {str(timing.rehearsal_id)}
    assert {event.actor for event in events} == {manager}


def test_dependencies_are_audited_when_they_change(go_release, members):
    manager = members[Role.RELEASE_MANAGER]
    first, second, third = go_release.steps.order_by("order")
    runbook_plan.update_step(step=third, actor=manager, depends_on=[first, second])
    runbook_plan.update_step(step=third, actor=manager, depends_on=[first, second])
    events = AuditEvent.objects.filter(verb="step.dependencies_changed", target_id=str(third.pk))
    assert [event.changes for event in events.order_by("pk")] == [
        {"depends_on": [[], [second.pk]]},  # when the step was added
        {"depends_on": [[second.pk], [first.pk, second.pk]]},  # the second, identical update records nothing
    ]
    assert events.order_by("pk").last().labels == {
        "depends_on": [[second.title], [first.title, second.title]]
    }
