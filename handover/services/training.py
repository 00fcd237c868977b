from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from golive.audit import capture, diff, record_event, stored_row
from handover.choices import PlanState
from handover.models import HandoverPlan, TrainingSession
from handover.permissions import require_handover
from handover.services.guards import check_not_withdrawn
from handover.services.plan_state import lock_plan, note_list_changed, note_work_started

SESSION_FIELDS = ["topic", "trainer", "team", "scheduled_for", "notes"]


def _check_team(session: TrainingSession, plan: HandoverPlan) -> None:
    if plan.state == PlanState.COMPLETE:
        raise ValidationError("The handover is complete; the release manager reopens it before changes.")
    if session.team_id and not plan.teams.filter(pk=session.team_id).exists():
        raise ValidationError({"team": "Choose one of the plan's receiving teams."})


@transaction.atomic
def create_training_session(
    *, plan: HandoverPlan, actor: AbstractBaseUser, invited=(), **values
) -> TrainingSession:
    require_handover(actor, "plan_training", plan)
    locked = lock_plan(plan)
    session = TrainingSession(plan=locked, **values)
    session.full_clean()
    _check_team(session, locked)
    session.save()
    session.invited.set(invited)
    after = capture(session, SESSION_FIELDS)
    record_event(
        verb="training_session.created",
        actor=actor,
        target=session,
        release=locked.release,
        changes={name: [None, value] for name, value in after.items() if value not in (None, "")},
        data={"invited": sorted(user.get_username() for user in invited)},
    )
    # A session for no team in particular is on every team's sign-off page.
    note_list_changed(
        plan=locked,
        teams=[session.team] if session.team_id else list(locked.teams.all()),
        actor=actor,
        because=f"Training session “{session.topic}” was added.",
        needs_agreement=False,
    )
    return session


@transaction.atomic
def update_training_session(
    *, session: TrainingSession, actor: AbstractBaseUser, invited=None, **values
) -> TrainingSession:
    require_handover(actor, "change_training", session)
    locked = lock_plan(session.plan)
    session = stored_row(session)
    check_not_withdrawn(session)
    before = capture(session, SESSION_FIELDS)
    for name, value in values.items():
        setattr(session, name, value)
    session.full_clean()
    _check_team(session, locked)
    session.save()
    if invited is not None:
        session.invited.set(invited)
    changes = diff(before, session)
    if changes:
        record_event(
            verb="training_session.changed",
            actor=actor,
            target=session,
            release=locked.release,
            changes=changes,
        )
    return session


@transaction.atomic
def record_session_held(*, session: TrainingSession, actor: AbstractBaseUser, attended) -> TrainingSession:
    """The session took place; who attended is recorded (attendees need not have been invited)."""
    require_handover(actor, "record_attendance", session)
    locked = lock_plan(session.plan)
    session = stored_row(session)
    check_not_withdrawn(session)
    if session.scheduled_for > timezone.now():
        raise ValidationError("The session is scheduled in the future; record it once it has been held.")
    if not attended:
        raise ValidationError({"attended": "Tick who attended: a session nobody attended was not held."})
    first_time = session.held_at is None
    session.held_at = session.held_at or timezone.now()
    session.save(update_fields=["held_at"])
    session.attended.set(attended)
    record_event(
        verb="training_session.held" if first_time else "training_session.attendance_changed",
        actor=actor,
        target=session,
        release=locked.release,
        data={"attended": sorted(user.get_username() for user in attended)},
    )
    note_work_started(plan=locked, actor=actor)
    return session
