from django.shortcuts import get_object_or_404

from golive.permissions import Action
from handover.forms import AttendanceForm, TrainingSessionForm
from handover.models import TrainingSession
from handover.services.training import create_training_session, record_session_held, update_training_session
from handover.views.common import form_page, plan_for_request


def training_create(request, release_pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    form = TrainingSessionForm(request.POST or None, plan=plan)
    return form_page(
        request,
        form=form,
        release=release,
        title="New training session",
        service=lambda data: create_training_session(plan=plan, actor=request.user, **data),
        success="Training session planned.",
        fallback=plan.get_absolute_url() + "#training",
    )


def training_edit(request, release_pk: int, pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    session = get_object_or_404(TrainingSession.objects.current(), plan=plan, pk=pk)
    session.plan = plan
    form = TrainingSessionForm(
        request.POST or None,
        instance=session,
        initial={"invited": session.invited.all()},
        plan=plan,
    )
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Edit training “{session.topic}”",
        service=lambda data: update_training_session(session=session, actor=request.user, **data),
        success="Training session saved.",
        fallback=plan.get_absolute_url() + "#training",
    )


def training_held(request, release_pk: int, pk: int):
    release, plan = plan_for_request(request, release_pk, Action.MANAGE_HANDOVER)
    session = get_object_or_404(TrainingSession.objects.current(), plan=plan, pk=pk)
    session.plan = plan
    form = AttendanceForm(
        request.POST or None,
        release=release,
        initial={"attended": session.attended.all() if session.is_held else session.invited.all()},
    )
    return form_page(
        request,
        form=form,
        release=release,
        title=f"Training “{session.topic}” held",
        intro="Tick who attended.",
        service=lambda data: record_session_held(
            session=session, actor=request.user, attended=list(data["attended"])
        ),
        success=f"Training “{session.topic}” recorded as held.",
        fallback=plan.get_absolute_url() + "#training",
    )
